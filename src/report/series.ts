/**
 * Drawing of x–y series: lines (broken at non-finite points), markers, confidence bands and error bars.
 */
import type { FrameContext } from './frame.js';
import type { LegendEntry, Obstacle } from './legend.js';
import { markerPath, type MarkerShape } from './marks.js';
import { clampPx, el, num } from './svg.js';

export type SeriesStyle = 'line' | 'dashed' | 'dotted' | 'points' | 'line+points';

/** One x–y series of a line plot (or a curve overlaid on a histogram). */
export interface LineSeries {
  /** Legend label; series without a name (or with `legend: false`) get no legend entry. */
  name?: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** Default `'line'`. */
  style?: SeriesStyle;
  /** CSS colour or `'C0'..'C9'`; default: next palette colour. */
  color?: string;
  /** Lower/upper bounds (e.g. a confidence interval): a shaded band for line styles, error bars for `points`. */
  yLow?: ArrayLike<number>;
  yHigh?: ArrayLike<number>;
  /** Override how `yLow`/`yHigh` are drawn. */
  interval?: 'band' | 'errorbars';
  /** Stroke width in px (default 2). */
  lineWidth?: number;
  /** Marker radius in px (default 3.5). */
  markerSize?: number;
  /** Marker shape (default circle). */
  marker?: MarkerShape;
  /** Opacity of line and markers (default 1). */
  opacity?: number;
  /** Set false to keep a named series out of the legend. */
  legend?: boolean;
}

const DASHES: Record<string, string | undefined> = { dashed: '7 4', dotted: '1.5 3.5' };

/** Check that x, y (and yLow/yHigh when present) have equal lengths; throws a RangeError naming the series. */
export function validateSeries(s: LineSeries, index: number): void {
  const who = s.name ? `series "${s.name}"` : `series #${index}`;
  if (!s.x || !s.y) throw new TypeError(`${who}: x and y are required`);
  if (s.x.length !== s.y.length) throw new RangeError(`${who}: x has ${s.x.length} values but y has ${s.y.length}`);
  for (const [k, a] of [
    ['yLow', s.yLow],
    ['yHigh', s.yHigh],
  ] as const) {
    if (a && a.length !== s.x.length)
      throw new RangeError(`${who}: ${k} has ${a.length} values but x has ${s.x.length}`);
  }
  if (!!s.yLow !== !!s.yHigh) throw new RangeError(`${who}: yLow and yHigh must be given together`);
}

/** Pixel runs of consecutive drawable points; a non-finite (or unmappable) point ends a run. */
export function pixelRuns(
  ctx: FrameContext,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
): Array<Array<[number, number]>> {
  const runs: Array<Array<[number, number]>> = [];
  let cur: Array<[number, number]> = [];
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const px = ctx.x.map(x[i]);
    const py = ctx.y.map(y[i]);
    if (Number.isFinite(px) && Number.isFinite(py)) cur.push([clampPx(px), clampPx(py)]);
    else if (cur.length) {
      runs.push(cur);
      cur = [];
    }
  }
  if (cur.length) runs.push(cur);
  return runs;
}

function runsToPath(runs: Array<Array<[number, number]>>): string {
  let d = '';
  for (const run of runs) {
    run.forEach(([px, py], i) => {
      d += `${i === 0 ? 'M' : 'L'}${num(px)} ${num(py)}`;
    });
  }
  return d;
}

/** Band polygons (one per run where x, yLow and yHigh are all drawable). */
function bandPath(ctx: FrameContext, x: ArrayLike<number>, lo: ArrayLike<number>, hi: ArrayLike<number>): string {
  let d = '';
  let run: Array<[number, number, number]> = [];
  const flush = (): void => {
    if (run.length >= 2) {
      d += run.map(([px, , ph], i) => `${i === 0 ? 'M' : 'L'}${num(px)} ${num(ph)}`).join('');
      for (let i = run.length - 1; i >= 0; i--) d += `L${num(run[i][0])} ${num(run[i][1])}`;
      d += 'Z';
    }
    run = [];
  };
  for (let i = 0; i < x.length; i++) {
    const px = ctx.x.map(x[i]);
    const pl = ctx.y.map(lo[i]);
    const ph = ctx.y.map(hi[i]);
    if (Number.isFinite(px) && Number.isFinite(pl) && Number.isFinite(ph))
      run.push([clampPx(px), clampPx(pl), clampPx(ph)]);
    else flush();
  }
  flush();
  return d;
}

function errorBarPath(
  ctx: FrameContext,
  x: ArrayLike<number>,
  lo: ArrayLike<number>,
  hi: ArrayLike<number>,
  cap: number,
): string {
  let d = '';
  for (let i = 0; i < x.length; i++) {
    const px = ctx.x.map(x[i]);
    const pl = ctx.y.map(lo[i]);
    const ph = ctx.y.map(hi[i]);
    if (!(Number.isFinite(px) && Number.isFinite(pl) && Number.isFinite(ph))) continue;
    const a = num(clampPx(px));
    d += `M${a} ${num(clampPx(pl))}V${num(clampPx(ph))}`;
    if (cap > 0) {
      d += `M${num(px - cap)} ${num(clampPx(pl))}h${num(2 * cap)}M${num(px - cap)} ${num(clampPx(ph))}h${num(2 * cap)}`;
    }
  }
  return d;
}

function usesLine(style: SeriesStyle): boolean {
  return style !== 'points';
}

function usesMarkers(style: SeriesStyle): boolean {
  return style === 'points' || style === 'line+points';
}

/** Markup of one series in `color`: interval (band or error bars), line, markers, grouped as `g.series`. */
export function drawSeries(s: LineSeries, color: string, index: number, ctx: FrameContext): string {
  const style = s.style ?? 'line';
  const parts: string[] = [];
  if (s.yLow && s.yHigh) {
    const mode = s.interval ?? (usesLine(style) ? 'band' : 'errorbars');
    if (mode === 'band') {
      const d = bandPath(ctx, s.x, s.yLow, s.yHigh);
      if (d) parts.push(el('path', { class: 'band', d, fill: color, 'fill-opacity': 0.18, stroke: 'none' }));
    } else {
      const d = errorBarPath(ctx, s.x, s.yLow, s.yHigh, 3);
      if (d)
        parts.push(
          el('path', {
            class: 'errorbars',
            d,
            fill: 'none',
            stroke: color,
            'stroke-width': 1.2,
            'stroke-opacity': s.opacity,
          }),
        );
    }
  }
  const runs = pixelRuns(ctx, s.x, s.y);
  if (usesLine(style)) {
    const d = runsToPath(runs.filter((r) => r.length >= 2));
    if (d) {
      parts.push(
        el('path', {
          class: 'line',
          d,
          fill: 'none',
          stroke: color,
          'stroke-width': s.lineWidth ?? 2,
          'stroke-linejoin': 'round',
          'stroke-linecap': style === 'dotted' ? 'round' : 'butt',
          'stroke-dasharray': DASHES[style],
          'stroke-opacity': s.opacity,
        }),
      );
    }
  }
  // Isolated points of a line series would vanish; they are drawn as small dots.
  const showMarkers = usesMarkers(style);
  const r = s.markerSize ?? 3.5;
  const shape = s.marker ?? 'circle';
  let md = '';
  for (const run of runs) {
    if (!showMarkers && run.length !== 1) continue;
    const rr = showMarkers ? r : Math.max(1.5, (s.lineWidth ?? 2) * 0.9);
    for (const [px, py] of run) md += markerPath(showMarkers ? shape : 'circle', px, py, rr);
  }
  if (md)
    parts.push(
      el('path', {
        class: 'markers',
        d: md,
        fill: color,
        'fill-opacity': s.opacity,
        stroke: showMarkers ? '#ffffff' : 'none',
        'stroke-width': showMarkers ? 0.6 : undefined,
      }),
    );
  return el(
    'g',
    { class: `series series-${index} ${style.replace('+', '-')}`, 'data-name': s.name || undefined },
    parts,
  );
}

/** Legend entry for a named series (null when unnamed or `legend: false`). */
export function seriesLegendEntry(s: LineSeries, color: string): LegendEntry | null {
  if (!s.name || s.legend === false) return null;
  const style = s.style ?? 'line';
  return {
    label: s.name,
    color,
    line: style === 'points' ? 'none' : style === 'dashed' ? 'dashed' : style === 'dotted' ? 'dotted' : 'solid',
    marker: usesMarkers(style) ? (s.marker ?? true) : false,
  };
}

/** Segments and points of a series (and its interval), for legend placement. */
export function seriesObstacles(s: LineSeries, ctx: FrameContext, out: Obstacle[]): void {
  const style = s.style ?? 'line';
  for (const run of pixelRuns(ctx, s.x, s.y)) {
    for (let i = 0; i < run.length; i++) {
      const [x1, y1] = run[i];
      const [x2, y2] = usesLine(style) && i + 1 < run.length ? run[i + 1] : run[i];
      out.push({ x1, y1, x2, y2 });
    }
  }
  if (s.yLow && s.yHigh) {
    for (let i = 0; i < s.x.length; i++) {
      const px = ctx.x.map(s.x[i]);
      const pl = ctx.y.map(s.yLow[i]);
      const ph = ctx.y.map(s.yHigh[i]);
      if (Number.isFinite(px) && Number.isFinite(pl) && Number.isFinite(ph))
        out.push({ x1: px, y1: pl, x2: px, y2: ph });
    }
  }
}

/**
 * Collect the values that set automatic domains: y (and yLow/yHigh) values whose x is finite, and x values with a
 * finite y. (Non-positive values are kept here; `autoDomain` drops them on a log scale, or throws if none is left.)
 */
export function seriesExtent(s: LineSeries, xs: number[], ys: number[]): void {
  for (let i = 0; i < s.x.length; i++) {
    const x = s.x[i];
    if (!Number.isFinite(x)) continue;
    let any = false;
    for (const v of [s.y[i], s.yLow ? s.yLow[i] : NaN, s.yHigh ? s.yHigh[i] : NaN]) {
      if (Number.isFinite(v)) {
        ys.push(v);
        any = true;
      }
    }
    if (any) xs.push(x);
  }
}
