/**
 * Reference lines (`hLines`, `vLines`) and shaded windows (`vBands`) shared by all charts, with their labels,
 * legend entries and the geometry the legend placement avoids.
 */
import type { FrameContext } from './frame.js';
import type { LegendEntry, Obstacle } from './legend.js';
import { resolveColor } from './palette.js';
import { el, text, textWidth } from './svg.js';

/** A horizontal (`hLines`) or vertical (`vLines`) reference line at data value `value`. */
export interface RefLine {
  value: number;
  /** Text drawn next to the line (or, with `inLegend`, a legend entry). */
  label?: string;
  /** Dashed stroke; default true (reference lines are dashed unless asked otherwise). */
  dashed?: boolean;
  /** Stroke colour; default dark grey. `'C0'..'C9'` pick tab10 colours. */
  color?: string;
  /** Stroke width in px (default 1.5). */
  width?: number;
  /** Put the label in the legend instead of next to the line. */
  inLegend?: boolean;
}

/** A shaded vertical window between data values `from` and `to` (e.g. a decision window). */
export interface ValueBand {
  from: number;
  to: number;
  label?: string;
  /** Fill colour (default grey). */
  color?: string;
  /** Fill opacity (default 0.12). */
  opacity?: number;
}

const REF_COLOR = '#555555';
const LABEL_FS = 11;

function resolve(c: string | undefined, fallback: string): string {
  return c ? resolveColor(c, 0) : fallback;
}

/** Finite reference lines only. */
function finite<T extends { value: number }>(lines: readonly T[] | undefined): T[] {
  return (lines ?? []).filter((l) => Number.isFinite(l.value));
}

/** Shaded bands, then horizontal and vertical reference lines (drawn under the data, clipped). */
export function drawAnnotationsUnder(
  ctx: FrameContext,
  h?: readonly RefLine[],
  v?: readonly RefLine[],
  bands?: readonly ValueBand[],
): string {
  const { area } = ctx;
  const parts: string[] = [];
  for (const b of bands ?? []) {
    const x0 = ctx.x.map(b.from);
    const x1 = ctx.x.map(b.to);
    if (!Number.isFinite(x0) || !Number.isFinite(x1)) continue;
    const lo = Math.max(area.x - 1, Math.min(x0, x1));
    const hi = Math.min(area.x + area.w + 1, Math.max(x0, x1));
    if (hi <= lo) continue;
    parts.push(
      el('rect', {
        class: 'vband',
        x: lo,
        y: area.y,
        width: hi - lo,
        height: area.h,
        fill: resolve(b.color, '#7f7f7f'),
        'fill-opacity': b.opacity ?? 0.12,
      }),
    );
  }
  for (const l of finite(h)) {
    const y = ctx.y.map(l.value);
    if (!Number.isFinite(y)) continue;
    parts.push(lineEl('hline', area.x, y, area.x + area.w, y, l));
  }
  for (const l of finite(v)) {
    const x = ctx.x.map(l.value);
    if (!Number.isFinite(x)) continue;
    parts.push(lineEl('vline', x, area.y, x, area.y + area.h, l));
  }
  return parts.length ? el('g', { class: 'annotations' }, parts) : '';
}

function lineEl(cls: string, x1: number, y1: number, x2: number, y2: number, l: RefLine): string {
  return el('line', {
    class: `refline ${cls}`,
    x1,
    y1,
    x2,
    y2,
    stroke: resolve(l.color, REF_COLOR),
    'stroke-width': l.width ?? 1.5,
    'stroke-dasharray': l.dashed === false ? undefined : '6 4',
  });
}

interface LabelBox {
  x: number;
  y: number;
  anchor: 'start' | 'end' | 'middle';
  text: string;
  color: string;
}

function labelBoxes(
  ctx: FrameContext,
  h?: readonly RefLine[],
  v?: readonly RefLine[],
  bands?: readonly ValueBand[],
): LabelBox[] {
  const { area } = ctx;
  const out: LabelBox[] = [];
  const inX = (x: number): boolean => Number.isFinite(x) && x >= area.x - 0.5 && x <= area.x + area.w + 0.5;
  const inY = (y: number): boolean => Number.isFinite(y) && y >= area.y - 0.5 && y <= area.y + area.h + 0.5;
  for (const l of finite(h)) {
    if (!l.label || l.inLegend) continue;
    const y = ctx.y.map(l.value);
    if (!inY(y)) continue;
    const above = y - 5 > area.y + LABEL_FS;
    out.push({
      x: area.x + area.w - 4,
      y: above ? y - 5 : y + LABEL_FS + 3,
      anchor: 'end',
      text: l.label,
      color: resolve(l.color, REF_COLOR),
    });
  }
  for (const l of finite(v)) {
    if (!l.label || l.inLegend) continue;
    const x = ctx.x.map(l.value);
    if (!inX(x)) continue;
    const fits = x + 4 + textWidth(l.label, LABEL_FS) <= area.x + area.w;
    out.push({
      x: fits ? x + 4 : x - 4,
      y: area.y + LABEL_FS + 2,
      anchor: fits ? 'start' : 'end',
      text: l.label,
      color: resolve(l.color, REF_COLOR),
    });
  }
  for (const b of bands ?? []) {
    if (!b.label) continue;
    const x0 = ctx.x.map(b.from);
    const x1 = ctx.x.map(b.to);
    if (!Number.isFinite(x0) || !Number.isFinite(x1)) continue;
    const mid = (Math.max(area.x, Math.min(x0, x1)) + Math.min(area.x + area.w, Math.max(x0, x1))) / 2;
    if (!inX(mid)) continue;
    out.push({ x: mid, y: area.y + area.h - 6, anchor: 'middle', text: b.label, color: '#444444' });
  }
  return out;
}

/** Labels of reference lines and bands (drawn above the data, with a white halo for legibility). */
export function drawAnnotationLabels(
  ctx: FrameContext,
  h?: readonly RefLine[],
  v?: readonly RefLine[],
  bands?: readonly ValueBand[],
): string {
  const boxes = labelBoxes(ctx, h, v, bands);
  if (!boxes.length) return '';
  return el(
    'g',
    { class: 'annotation-labels', 'font-size': LABEL_FS },
    boxes.map((b) =>
      text(b.x, b.y, b.text, {
        'text-anchor': b.anchor,
        fill: b.color,
        stroke: '#ffffff',
        'stroke-width': 3,
        'stroke-linejoin': 'round',
        'paint-order': 'stroke',
      }),
    ),
  );
}

/** Geometry of lines and labels, so an automatically placed legend avoids them. */
export function annotationObstacles(
  ctx: FrameContext,
  h?: readonly RefLine[],
  v?: readonly RefLine[],
  bands?: readonly ValueBand[],
): Obstacle[] {
  const { area } = ctx;
  const out: Obstacle[] = [];
  for (const l of finite(h)) {
    const y = ctx.y.map(l.value);
    if (Number.isFinite(y)) out.push({ x1: area.x, y1: y, x2: area.x + area.w, y2: y });
  }
  for (const l of finite(v)) {
    const x = ctx.x.map(l.value);
    if (Number.isFinite(x)) out.push({ x1: x, y1: area.y, x2: x, y2: area.y + area.h });
  }
  for (const b of labelBoxes(ctx, h, v, bands)) {
    const w = textWidth(b.text, LABEL_FS);
    const x = b.anchor === 'start' ? b.x : b.anchor === 'end' ? b.x - w : b.x - w / 2;
    out.push({ rect: { x, y: b.y - LABEL_FS, w, h: LABEL_FS + 3 } });
  }
  return out;
}

/** Legend entries for reference lines with `inLegend` and a label. */
export function annotationLegend(h?: readonly RefLine[], v?: readonly RefLine[]): LegendEntry[] {
  return [...(h ?? []), ...(v ?? [])]
    .filter((l) => l.inLegend && l.label)
    .map((l) => ({
      label: l.label!,
      color: resolve(l.color, REF_COLOR),
      line: l.dashed === false ? ('solid' as const) : ('dashed' as const),
    }));
}

/** Finite data values of lines and bands, so automatic domains include them. */
export function annotationValues(lines?: readonly RefLine[], bands?: readonly ValueBand[]): number[] {
  const out: number[] = [];
  for (const l of lines ?? []) out.push(l.value);
  for (const b of bands ?? []) out.push(b.from, b.to);
  return out.filter(Number.isFinite);
}
