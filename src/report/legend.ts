/**
 * Legends: sizing, drawing, and the geometry used to place a legend where it covers no data.
 */
import { markerPath, type MarkerShape } from './marks.js';
import { el, text, textWidth } from './svg.js';

/** Where the legend goes. `auto` tries the four inside corners and falls back to below the plot. */
export type LegendPlacement =
  'auto' | 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left' | 'right' | 'bottom' | 'none';

/** Inside-the-plot placements, in the order `auto` tries them. */
export const INSIDE_PLACEMENTS = ['top-right', 'top-left', 'bottom-right', 'bottom-left'] as const;
export type InsidePlacement = (typeof INSIDE_PLACEMENTS)[number];

/** One legend row: a glyph (line, dashed line, marker and/or filled swatch) in `color`, then `label`. */
export interface LegendEntry {
  label: string;
  color: string;
  /** Line glyph; default `'solid'` unless `swatch` is set. */
  line?: 'solid' | 'dashed' | 'dotted' | 'none';
  /** Draw a marker on the glyph (`true`: a circle). */
  marker?: boolean | MarkerShape;
  /** Draw a filled rectangle (bars, bands, histograms). */
  swatch?: boolean;
  /** Opacity of the swatch fill (default 0.8). */
  opacity?: number;
}

/** An axis-aligned rectangle in pixels. */
export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Something drawn in the plot that a legend should not cover: a segment (a point when both ends agree) or a rectangle. */
export type Obstacle = { x1: number; y1: number; x2: number; y2: number } | { rect: Rect };

const FS = 11;
const ROW_H = 17;
const PAD = 7;
const GLYPH_W = 24;
const GAP = 6;
const ITEM_SPACING = 16;

export const DASH: Record<string, string | undefined> = {
  solid: undefined,
  dashed: '6 4',
  dotted: '1.5 3',
  none: undefined,
};

/** Size of a column legend (boxed, one entry per row). */
export function legendColumnSize(entries: readonly LegendEntry[]): { w: number; h: number } {
  const tw = entries.reduce((m, e) => Math.max(m, textWidth(e.label, FS)), 0);
  return { w: 2 * PAD + GLYPH_W + GAP + tw, h: 2 * PAD + entries.length * ROW_H - 4 };
}

/** Entry positions of a row legend (unboxed, entries flowing left to right, wrapped at `maxWidth`, rows centred). */
export function legendRowsLayout(
  entries: readonly LegendEntry[],
  maxWidth: number,
): { h: number; items: Array<{ x: number; row: number }> } {
  const widths = entries.map((e) => GLYPH_W + GAP + textWidth(e.label, FS));
  const rows: number[][] = [];
  let cur: number[] = [];
  let curW = 0;
  widths.forEach((w, i) => {
    const add = (cur.length > 0 ? ITEM_SPACING : 0) + w;
    if (cur.length > 0 && curW + add > maxWidth) {
      rows.push(cur);
      cur = [];
      curW = 0;
    }
    curW += (cur.length > 0 ? ITEM_SPACING : 0) + w;
    cur.push(i);
  });
  if (cur.length > 0) rows.push(cur);
  const items = new Array<{ x: number; row: number }>(entries.length);
  rows.forEach((idx, r) => {
    const total = idx.reduce((s, i, j) => s + widths[i] + (j > 0 ? ITEM_SPACING : 0), 0);
    let x = Math.max(0, (maxWidth - total) / 2);
    for (const i of idx) {
      items[i] = { x, row: r };
      x += widths[i] + ITEM_SPACING;
    }
  });
  return { h: rows.length * ROW_H, items };
}

function glyph(e: LegendEntry, gx: number, cy: number): string {
  let s = '';
  if (e.swatch) {
    s += el('rect', {
      x: gx + 2,
      y: cy - 5,
      width: GLYPH_W - 4,
      height: 10,
      fill: e.color,
      'fill-opacity': e.opacity ?? 0.8,
      stroke: e.color,
      'stroke-width': 0.8,
    });
  }
  const line = e.line ?? (e.swatch ? 'none' : 'solid');
  if (line !== 'none') {
    s += el('line', {
      x1: gx,
      y1: cy,
      x2: gx + GLYPH_W,
      y2: cy,
      stroke: e.color,
      'stroke-width': 2,
      'stroke-dasharray': DASH[line],
      'stroke-linecap': line === 'dotted' ? 'round' : undefined,
    });
  }
  if (e.marker) {
    const shape: MarkerShape = e.marker === true ? 'circle' : e.marker;
    s += el('path', {
      d: markerPath(shape, gx + GLYPH_W / 2, cy, 3.5),
      fill: e.color,
      stroke: '#ffffff',
      'stroke-width': 0.6,
    });
  }
  return s;
}

function entry(e: LegendEntry, x: number, cy: number): string {
  return el('g', { class: 'legend-entry' }, [
    glyph(e, x, cy),
    text(x + GLYPH_W + GAP, cy, e.label, { dy: '0.35em', class: 'legend-label', fill: '#222222', 'font-size': FS }),
  ]);
}

/** A boxed column legend with its top-left corner at (x, y). */
export function renderLegendColumn(entries: readonly LegendEntry[], x: number, y: number): string {
  const { w, h } = legendColumnSize(entries);
  const rows = entries.map((e, i) => entry(e, x + PAD, y + PAD + ROW_H / 2 - 2 + i * ROW_H));
  return el('g', { class: 'legend' }, [
    el('rect', {
      class: 'legend-box',
      x,
      y,
      width: w,
      height: h,
      rx: 3,
      fill: '#ffffff',
      'fill-opacity': 0.88,
      stroke: '#cccccc',
      'stroke-width': 0.8,
    }),
    ...rows,
  ]);
}

/** An unboxed row legend in the band starting at (x, y) with width `maxWidth`. */
export function renderLegendRows(entries: readonly LegendEntry[], x: number, y: number, maxWidth: number): string {
  const { items } = legendRowsLayout(entries, maxWidth);
  return el(
    'g',
    { class: 'legend legend-below' },
    entries.map((e, i) => entry(e, x + items[i].x, y + ROW_H / 2 + items[i].row * ROW_H)),
  );
}

/** Top-left corner of a column legend of size (w, h) placed at `corner` inside `area`, 8 px from the edges. */
export function insideLegendOrigin(
  corner: InsidePlacement,
  area: Rect,
  w: number,
  h: number,
): { x: number; y: number } {
  const m = 8;
  const right = corner.endsWith('right');
  const top = corner.startsWith('top');
  return { x: right ? area.x + area.w - w - m : area.x + m, y: top ? area.y + m : area.y + area.h - h - m };
}

/** Does segment (x1,y1)-(x2,y2) meet rectangle r? (Liang–Barsky clipping; a zero-length segment is a point test.) */
export function segmentHitsRect(x1: number, y1: number, x2: number, y2: number, r: Rect): boolean {
  const dx = x2 - x1;
  const dy = y2 - y1;
  let t0 = 0;
  let t1 = 1;
  const p = [-dx, dx, -dy, dy];
  const q = [x1 - r.x, r.x + r.w - x1, y1 - r.y, r.y + r.h - y1];
  for (let i = 0; i < 4; i++) {
    const pi = p[i];
    const qi = q[i];
    if (pi === 0) {
      if (qi < 0) return false;
    } else {
      const t = qi / pi;
      if (pi < 0) {
        if (t > t1) return false;
        if (t > t0) t0 = t;
      } else {
        if (t < t0) return false;
        if (t < t1) t1 = t;
      }
    }
  }
  return true;
}

/** Number of obstacles that meet rectangle `box` (grown by `margin` px). */
export function countOverlaps(box: Rect, obstacles: Iterable<Obstacle>, margin = 3): number {
  const r = { x: box.x - margin, y: box.y - margin, w: box.w + 2 * margin, h: box.h + 2 * margin };
  let n = 0;
  for (const o of obstacles) {
    if ('rect' in o) {
      const q = o.rect;
      if (q.x < r.x + r.w && q.x + q.w > r.x && q.y < r.y + r.h && q.y + q.h > r.y) n++;
    } else if (segmentHitsRect(o.x1, o.y1, o.x2, o.y2, r)) n++;
  }
  return n;
}

export const LEGEND_ROW_HEIGHT = ROW_H;
