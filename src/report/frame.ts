/**
 * The Cartesian frame shared by every chart: layout (margins from tick-label sizes), title, grid, axes with ticks
 * and labels, a clipped plot area for the data, and the legend (placed where it covers no data when possible).
 */
import { formatTicks, formatValue } from './format.js';
import {
  countOverlaps,
  insideLegendOrigin,
  INSIDE_PLACEMENTS,
  legendColumnSize,
  legendRowsLayout,
  renderLegendColumn,
  renderLegendRows,
  type InsidePlacement,
  type LegendEntry,
  type LegendPlacement,
  type Obstacle,
  type Rect,
} from './legend.js';
import { makeScale, type Scale, type ScaleKind } from './scale.js';
import { el, ID_TOKEN, svgDocument, text, textWidth } from './svg.js';
import type { Tick } from './ticks.js';

/** One axis of a frame. */
export interface AxisSpec {
  scale: ScaleKind;
  /** Already validated domain (see `checkDomain`/`autoDomain`). For a categorical axis: [-0.5, n - 0.5]. */
  domain: [number, number];
  label?: string;
  /** Explicit tick values (those inside the domain are drawn). */
  ticks?: readonly number[];
  /** Custom tick label formatter (major ticks). */
  tickFormat?: (v: number) => string;
  /** Categorical axis: ticks at 0..n-1 labelled with these names (labels rotate when they do not fit). */
  categories?: readonly string[];
  /** Grid lines at the major ticks (default: true, false for categorical axes). */
  grid?: boolean;
}

/** What the drawing callbacks of a frame receive: the final scales and the plot area in pixels. */
export interface FrameContext {
  x: Scale;
  y: Scale;
  area: Rect;
}

/** Everything {@link renderFrame} needs. */
export interface FrameSpec {
  /** Figure kind, used as a CSS class on the root (e.g. `line-plot`). */
  kind: string;
  width: number;
  height: number;
  title?: string;
  /** Accessible name when there is no visible title. */
  ariaTitle?: string;
  description?: string;
  x: AxisSpec;
  y: AxisSpec;
  legend: readonly LegendEntry[];
  placement: LegendPlacement;
  background?: string;
  fontFamily?: string;
  /** Clipped markup drawn under the data (bands, reference lines). */
  under?: (ctx: FrameContext) => string;
  /** Clipped data markup. */
  data: (ctx: FrameContext) => string;
  /** Unclipped markup drawn last, above axes (annotation labels). */
  over?: (ctx: FrameContext) => string;
  /** Pixel geometry of the data, for automatic legend placement. */
  obstacles?: (ctx: FrameContext) => Iterable<Obstacle>;
}

const TICK_FS = 11;
const LABEL_FS = 12;
const TITLE_FS = 15;
const TICK_LEN = 5;
const ROTATE_DEG = 35;

interface Layout {
  area: Rect;
  ctx: FrameContext;
  xTicks: Tick[];
  yTicks: Tick[];
  rotateX: boolean;
  xTickBand: number;
  legendMode: 'inside' | 'right' | 'bottom' | 'none';
  legendRowsH: number;
  legendW: number;
  titleFs: number;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}

/** Ticks to draw on an axis (explicit, categorical or generated), restricted to the domain. */
export function axisTicks(axis: AxisSpec, scale: Scale, target: number): Tick[] {
  const lo = Math.min(axis.domain[0], axis.domain[1]);
  const hi = Math.max(axis.domain[0], axis.domain[1]);
  const tol = (hi - lo) * 1e-9;
  const inside = (v: number): boolean =>
    Number.isFinite(v) && v >= lo - tol && v <= hi + tol && (axis.scale !== 'log' || v > 0);
  if (axis.categories) return axis.categories.map((label, i) => ({ value: i, label, major: true }));
  if (axis.ticks) {
    const values = [...axis.ticks].filter(inside).sort((a, b) => a - b);
    let labels: string[];
    if (axis.tickFormat) labels = values.map(axis.tickFormat);
    else if (axis.scale === 'log' || values.length < 2) labels = values.map((v) => formatValue(v));
    else {
      let step = Infinity;
      for (let i = 1; i < values.length; i++)
        if (values[i] - values[i - 1] > 0) step = Math.min(step, values[i] - values[i - 1]);
      labels = formatTicks(values, Number.isFinite(step) ? step : 1);
    }
    return values.map((value, i) => ({ value, label: labels[i], major: true }));
  }
  const ticks = scale.ticks(target).filter((t) => inside(t.value));
  if (axis.tickFormat) for (const t of ticks) if (t.major) t.label = axis.tickFormat(t.value);
  return ticks;
}

/** Shorten `s` with a trailing ellipsis so that it is at most `maxPx` wide. */
export function truncateText(s: string, maxPx: number, fs: number): string {
  if (textWidth(s, fs) <= maxPx) return s;
  const chars = [...s];
  while (chars.length > 1 && textWidth(chars.join('') + '\u2026', fs) > maxPx) chars.pop();
  return chars.join('').trimEnd() + '\u2026';
}

/**
 * Generated ticks for an axis, with fewer intervals while neighbouring labels would collide (x: label widths,
 * y: label heights). Explicit and categorical ticks are returned as they are.
 */
function fitTicks(axis: AxisSpec, scale: Scale, target: number, dir: 'x' | 'y'): Tick[] {
  let ticks = axisTicks(axis, scale, target);
  if (axis.ticks || axis.categories) return ticks;
  for (let t = target; t >= 2; t--) {
    ticks = axisTicks(axis, scale, t);
    const labelled = ticks
      .filter((k) => k.major && k.label)
      .map((k) => ({ p: scale.map(k.value), w: textWidth(k.label, TICK_FS) }));
    labelled.sort((a, b) => a.p - b.p);
    let ok = true;
    for (let i = 1; i < labelled.length && ok; i++) {
      const gap = labelled[i].p - labelled[i - 1].p;
      const need = dir === 'x' ? (labelled[i].w + labelled[i - 1].w) / 2 + 16 : TICK_FS + 4;
      if (gap < need) ok = false;
    }
    if (ok) return ticks;
  }
  return ticks;
}

function scaleFor(axis: AxisSpec, range: [number, number]): Scale {
  return makeScale(axis.scale, axis.domain, range);
}

function maxLabelWidth(ticks: readonly Tick[], fs: number): number {
  return ticks.reduce((m, t) => (t.major ? Math.max(m, textWidth(t.label, fs)) : m), 0);
}

function computeLayout(spec: FrameSpec, legendMode: Layout['legendMode']): Layout {
  const W = spec.width;
  const H = spec.height;
  let titleFs = TITLE_FS;
  if (spec.title) {
    const tw = textWidth(spec.title, TITLE_FS);
    if (tw > W - 20) titleFs = Math.max(9, (TITLE_FS * (W - 20)) / tw);
  }
  const top = spec.title ? 14 + titleFs + 8 : 14;
  const hasLegend = legendMode !== 'none' && spec.legend.length > 0;
  const colSize = legendColumnSize(spec.legend);
  const legendW = hasLegend && legendMode === 'right' ? colSize.w : 0;
  // Pass 1 with rough margins, pass 2 with margins from the measured tick labels.
  let area: Rect = {
    x: 60,
    y: top,
    w: Math.max(20, W - 60 - 16 - (legendW ? legendW + 12 : 0)),
    h: Math.max(20, H - top - 50),
  };
  let xTicks: Tick[] = [];
  let yTicks: Tick[] = [];
  let rotateX = false;
  let xTickBand = 0;
  let legendRowsH = 0;
  for (let pass = 0; pass < 2; pass++) {
    const xs = scaleFor(spec.x, [area.x, area.x + area.w]);
    const ys = scaleFor(spec.y, [area.y + area.h, area.y]);
    xTicks = fitTicks(spec.x, xs, clamp(Math.round(area.w / 80), 2, 10), 'x');
    yTicks = fitTicks(spec.y, ys, clamp(Math.round(area.h / 50), 2, 10), 'y');
    const yTickW = maxLabelWidth(yTicks, TICK_FS);
    let left = 10 + (spec.y.label ? LABEL_FS + 8 : 0) + yTickW + TICK_LEN + 5;
    let right = 14;
    const lastX = [...xTicks].reverse().find((t) => t.major && t.label);
    if (lastX && !spec.x.categories) {
      const overflow = xs.map(lastX.value) + textWidth(lastX.label, TICK_FS) / 2 - (area.x + area.w);
      right = Math.max(right, overflow + 4);
    }
    if (legendW) right += legendW + 12;
    // Categorical labels rotate when the widest does not fit its slot.
    const slot = spec.x.categories ? area.w / Math.max(1, spec.x.categories.length) : Infinity;
    rotateX = !!spec.x.categories && maxLabelWidth(xTicks, TICK_FS) > slot * 0.92;
    const rad = (ROTATE_DEG * Math.PI) / 180;
    if (rotateX) {
      // Long category names are shortened with an ellipsis, and the first one must not run off the left edge.
      const maxW = Math.min(W * 0.35, (H * 0.3) / Math.sin(rad));
      for (const t of xTicks) t.label = truncateText(t.label, maxW, TICK_FS);
      const first = xTicks[0];
      if (first) left = Math.max(left, textWidth(first.label, TICK_FS) * 1.1 * Math.cos(rad) - slot / 2 + 6);
    }
    const xLabW = maxLabelWidth(xTicks, TICK_FS);
    xTickBand =
      TICK_LEN + 3 + (rotateX ? Math.min(xLabW, H * 0.35) * Math.sin(rad) + TICK_FS * Math.cos(rad) : TICK_FS + 1);
    const plotW = Math.max(20, W - left - right);
    legendRowsH = hasLegend && legendMode === 'bottom' ? legendRowsLayout(spec.legend, plotW).h : 0;
    const bottom = xTickBand + (spec.x.label ? LABEL_FS + 10 : 0) + (legendRowsH ? legendRowsH + 8 : 0) + 10;
    area = { x: left, y: top, w: plotW, h: Math.max(20, H - top - bottom) };
  }
  const ctx: FrameContext = {
    x: scaleFor(spec.x, [area.x, area.x + area.w]),
    y: scaleFor(spec.y, [area.y + area.h, area.y]),
    area,
  };
  return {
    area,
    ctx,
    xTicks,
    yTicks,
    rotateX,
    xTickBand,
    legendMode: hasLegend ? legendMode : 'none',
    legendRowsH,
    legendW: colSize.w,
    titleFs,
  };
}

function renderGrid(L: Layout, spec: FrameSpec): string {
  const { area, ctx } = L;
  const lines: string[] = [];
  const xGrid = spec.x.grid ?? !spec.x.categories;
  const yGrid = spec.y.grid ?? !spec.y.categories;
  const logMinor = (axis: AxisSpec, t: Tick): boolean => !t.major && axis.scale === 'log';
  if (yGrid) {
    for (const t of L.yTicks) {
      if (!t.major && !logMinor(spec.y, t)) continue;
      const y = ctx.y.map(t.value);
      if (!Number.isFinite(y)) continue;
      lines.push(
        el('line', { x1: area.x, y1: y, x2: area.x + area.w, y2: y, stroke: t.major ? '#e6e6e6' : '#f3f3f3' }),
      );
    }
  }
  if (xGrid) {
    for (const t of L.xTicks) {
      if (!t.major && !logMinor(spec.x, t)) continue;
      const x = ctx.x.map(t.value);
      if (!Number.isFinite(x)) continue;
      lines.push(
        el('line', { x1: x, y1: area.y, x2: x, y2: area.y + area.h, stroke: t.major ? '#e6e6e6' : '#f3f3f3' }),
      );
    }
  }
  return el('g', { class: 'grid', 'stroke-width': 1, 'shape-rendering': 'crispEdges' }, lines);
}

function renderXAxis(L: Layout, spec: FrameSpec): string {
  const { area, ctx } = L;
  const y0 = area.y + area.h;
  const parts: string[] = [
    el('line', {
      class: 'domain',
      x1: area.x,
      y1: y0,
      x2: area.x + area.w,
      y2: y0,
      stroke: '#333333',
      'shape-rendering': 'crispEdges',
    }),
  ];
  for (const t of L.xTicks) {
    const x = ctx.x.map(t.value);
    if (!Number.isFinite(x)) continue;
    const len = t.major ? TICK_LEN : TICK_LEN * 0.6;
    const mark = el('line', { x1: x, y1: y0, x2: x, y2: y0 + len, stroke: '#333333', 'shape-rendering': 'crispEdges' });
    let label = '';
    if (t.major && t.label) {
      const ly = y0 + TICK_LEN + 3;
      label = L.rotateX
        ? text(x, ly, t.label, {
            dy: '0.71em',
            'text-anchor': 'end',
            transform: `rotate(-${ROTATE_DEG} ${round2(x)} ${round2(ly)})`,
            'font-size': TICK_FS,
            fill: '#333333',
          })
        : text(x, ly, t.label, { dy: '0.71em', 'text-anchor': 'middle', 'font-size': TICK_FS, fill: '#333333' });
    }
    parts.push(el('g', { class: t.major ? 'tick' : 'tick minor' }, mark + label));
  }
  if (spec.x.label) {
    parts.push(
      text(area.x + area.w / 2, y0 + L.xTickBand + LABEL_FS + 4, spec.x.label, {
        class: 'axis-label x',
        'text-anchor': 'middle',
        'font-size': LABEL_FS,
        fill: '#222222',
      }),
    );
  }
  return el('g', { class: 'axis x' }, parts);
}

function renderYAxis(L: Layout, spec: FrameSpec): string {
  const { area, ctx } = L;
  const x0 = area.x;
  const parts: string[] = [
    el('line', {
      class: 'domain',
      x1: x0,
      y1: area.y,
      x2: x0,
      y2: area.y + area.h,
      stroke: '#333333',
      'shape-rendering': 'crispEdges',
    }),
  ];
  for (const t of L.yTicks) {
    const y = ctx.y.map(t.value);
    if (!Number.isFinite(y)) continue;
    const len = t.major ? TICK_LEN : TICK_LEN * 0.6;
    const mark = el('line', { x1: x0 - len, y1: y, x2: x0, y2: y, stroke: '#333333', 'shape-rendering': 'crispEdges' });
    const label =
      t.major && t.label
        ? text(x0 - TICK_LEN - 3, y, t.label, {
            dy: '0.32em',
            'text-anchor': 'end',
            'font-size': TICK_FS,
            fill: '#333333',
          })
        : '';
    parts.push(el('g', { class: t.major ? 'tick' : 'tick minor' }, mark + label));
  }
  if (spec.y.label) {
    const lx = 10 + LABEL_FS;
    const ly = area.y + area.h / 2;
    parts.push(
      text(lx, ly, spec.y.label, {
        class: 'axis-label y',
        'text-anchor': 'middle',
        transform: `rotate(-90 ${round2(lx)} ${round2(ly)})`,
        'font-size': LABEL_FS,
        fill: '#222222',
      }),
    );
  }
  return el('g', { class: 'axis y' }, parts);
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/** The inside corner for the legend: the requested one, or under `auto` the first that covers no data (null: none). */
function chooseCorner(spec: FrameSpec, L: Layout): InsidePlacement | null {
  const { w, h } = legendColumnSize(spec.legend);
  if (w > L.area.w - 16 || h > L.area.h - 16) return null;
  const obstacles = spec.obstacles ? [...spec.obstacles(L.ctx)] : [];
  let best: InsidePlacement | null = null;
  for (const corner of INSIDE_PLACEMENTS) {
    const o = insideLegendOrigin(corner, L.area, w, h);
    if (countOverlaps({ x: o.x, y: o.y, w, h }, obstacles) === 0) {
      best = corner;
      break;
    }
  }
  return best;
}

/**
 * Draw a complete figure: background, title, grid, clipped data layers, axes, annotations and legend.
 * Legend placements: a named inside corner; `right` or `bottom` (outside the plot area); `none`; or `auto`
 * (first inside corner — top-right, top-left, bottom-right, bottom-left — that covers no data, else below the plot).
 */
export function renderFrame(spec: FrameSpec): string {
  const placement = spec.placement;
  let L: Layout;
  let corner: InsidePlacement | null = null;
  if (spec.legend.length === 0 || placement === 'none') {
    L = computeLayout(spec, 'none');
  } else if (placement === 'right' || placement === 'bottom') {
    L = computeLayout(spec, placement);
  } else if (placement === 'auto') {
    L = computeLayout(spec, 'inside');
    corner = chooseCorner(spec, L);
    if (!corner) L = computeLayout(spec, 'bottom');
  } else {
    L = computeLayout(spec, 'inside');
    corner = placement;
  }
  const { area, ctx } = L;
  const clip = `${ID_TOKEN}-clip`;
  const parts: string[] = [];
  parts.push(
    el('defs', {}, el('clipPath', { id: clip }, el('rect', { x: area.x, y: area.y, width: area.w, height: area.h }))),
  );
  if (spec.title) {
    parts.push(
      text(spec.width / 2, 14 + L.titleFs * 0.8, spec.title, {
        class: 'title',
        'text-anchor': 'middle',
        'font-size': round2(L.titleFs),
        'font-weight': 600,
        fill: '#111111',
      }),
    );
  }
  parts.push(renderGrid(L, spec));
  const under = spec.under ? spec.under(ctx) : '';
  const data = spec.data(ctx);
  parts.push(el('g', { class: 'plot-area', 'clip-path': `url(#${clip})` }, under + data));
  parts.push(renderXAxis(L, spec));
  parts.push(renderYAxis(L, spec));
  if (spec.over) parts.push(spec.over(ctx));
  if (L.legendMode !== 'none') {
    if (L.legendMode === 'inside' && corner) {
      const { w, h } = legendColumnSize(spec.legend);
      const o = insideLegendOrigin(corner, area, w, h);
      parts.push(renderLegendColumn(spec.legend, o.x, o.y));
    } else if (L.legendMode === 'right') {
      parts.push(renderLegendColumn(spec.legend, spec.width - L.legendW - 8, area.y));
    } else if (L.legendMode === 'bottom') {
      const y = area.y + area.h + L.xTickBand + (spec.x.label ? LABEL_FS + 10 : 0) + 6;
      parts.push(renderLegendRows(spec.legend, area.x, y, area.w));
    }
  }
  return svgDocument({
    width: spec.width,
    height: spec.height,
    title: spec.title || spec.ariaTitle || spec.kind.replace(/-/g, ' '),
    description: spec.description,
    className: spec.kind,
    background: spec.background,
    fontFamily: spec.fontFamily,
    body: parts.join(''),
  });
}
