/**
 * Histograms: binning (given edges, a bin count or an automatic rule), optional density normalisation, several
 * overlaid data sets, theoretical curves and reference lines.
 */
import {
  annotationLegend,
  annotationObstacles,
  annotationValues,
  drawAnnotationLabels,
  drawAnnotationsUnder,
  type RefLine,
  type ValueBand,
} from './annotations.js';
import { renderFrame, type FrameContext } from './frame.js';
import type { LegendEntry, Obstacle, Rect } from './legend.js';
import { figureSize, type PlotOptions } from './options.js';
import { resolveColor } from './palette.js';
import { autoDomain, checkDomain, type ScaleKind } from './scale.js';
import {
  drawSeries,
  seriesExtent,
  seriesLegendEntry,
  seriesObstacles,
  validateSeries,
  type LineSeries,
} from './series.js';
import { clampPx, el, num } from './svg.js';

/** Binning options. */
export interface BinOptions {
  /** Number of equal-width bins, or `'auto'` (default: the smaller width of Sturges and Freedman–Diaconis, as numpy). */
  bins?: number | 'auto';
  /** Explicit, strictly increasing bin edges (overrides `bins` and `range`). */
  edges?: ArrayLike<number>;
  /** Range [lo, hi] binned by `bins` (default: min and max of the finite data). Values outside are not counted. */
  range?: readonly [number, number];
  /** Normalise to a density (bar areas sum to 1) instead of counts. */
  density?: boolean;
}

/** A computed histogram. */
export interface HistogramBins {
  edges: number[];
  counts: number[];
  /** What is plotted: counts, or densities `count / (n · width)` when `density` is set. */
  values: number[];
  /** Values counted (finite and inside the edges); `counts` sums to `n`. */
  n: number;
  /** Non-finite values ignored. */
  nonFinite: number;
  /** Finite values outside the edges, ignored. */
  outside: number;
}

function finiteValues(data: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) if (Number.isFinite(data[i])) out.push(data[i]);
  return out;
}

function quantileSorted(s: readonly number[], q: number): number {
  const pos = (s.length - 1) * q;
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < s.length ? s[i] * (1 - f) + s[i + 1] * f : s[i];
}

/**
 * Bin edges for `data` (finite values only): explicit `edges`, or `bins` equal-width bins over `range` (default
 * the data range; a single repeated value v gets [v − 0.5, v + 0.5]). `'auto'` picks the bin count like numpy's
 * `bins='auto'` (capped at 200).
 */
export function binEdges(data: ArrayLike<number>, opts: BinOptions = {}): number[] {
  if (opts.edges) {
    const e = Array.from(opts.edges);
    if (e.length < 2) throw new RangeError(`histogram: edges need at least two values, got ${e.length}`);
    for (let i = 0; i < e.length; i++) {
      if (!Number.isFinite(e[i])) throw new RangeError(`histogram: edge ${i} is not finite (${e[i]})`);
      if (i > 0 && !(e[i] > e[i - 1]))
        throw new RangeError(`histogram: edges must be strictly increasing (edge ${i}: ${e[i]} after ${e[i - 1]})`);
    }
    return e;
  }
  const vals = finiteValues(data);
  let lo: number;
  let hi: number;
  if (opts.range) {
    [lo, hi] = checkDomain(opts.range, 'linear', 'histogram range');
    if (lo > hi) [lo, hi] = [hi, lo];
  } else if (vals.length === 0) {
    [lo, hi] = [0, 1];
  } else {
    lo = vals[0]!;
    hi = lo;
    for (const v of vals) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo === hi) {
      lo -= 0.5;
      hi += 0.5;
    }
  }
  let k: number;
  const bins = opts.bins ?? 'auto';
  if (bins === 'auto') {
    const inRange = vals.filter((v) => v >= lo && v <= hi).sort((a, b) => a - b);
    const n = inRange.length;
    if (n < 2) k = 1;
    else {
      const sturges = (hi - lo) / (Math.log2(n) + 1);
      const iqr = quantileSorted(inRange, 0.75) - quantileSorted(inRange, 0.25);
      const fd = (2 * iqr) / Math.cbrt(n);
      const w = fd > 0 ? Math.min(fd, sturges) : sturges;
      k = Math.ceil((hi - lo) / w);
    }
    k = Math.min(200, Math.max(1, k));
  } else {
    if (!(Number.isInteger(bins) && bins >= 1 && bins <= 100000))
      throw new RangeError(`histogram: bins must be an integer in [1, 100000] or 'auto', got ${bins}`);
    k = bins;
  }
  const edges: number[] = [];
  for (let i = 0; i <= k; i++) edges.push(i === k ? hi : lo + ((hi - lo) * i) / k);
  return edges;
}

/**
 * Count `data` into bins. Bins are half-open [e_i, e_{i+1}) except the last, which includes its right edge (as
 * numpy). Non-finite values and values outside the edges are not counted (reported in `nonFinite`/`outside`), so
 * `counts` sums to `n`. With `density`, `values[i] = counts[i] / (n · width_i)` (integrates to 1).
 */
export function computeHistogram(data: ArrayLike<number>, opts: BinOptions = {}): HistogramBins {
  const edges = binEdges(data, opts);
  const k = edges.length - 1;
  const counts = new Array<number>(k).fill(0);
  let n = 0;
  let nonFinite = 0;
  let outside = 0;
  const lo = edges[0];
  const hi = edges[k];
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) {
      nonFinite++;
      continue;
    }
    if (v < lo || v > hi) {
      outside++;
      continue;
    }
    let a = 0;
    let b = k;
    // Binary search for the last edge <= v.
    while (b - a > 1) {
      const m = (a + b) >> 1;
      if (edges[m] <= v) a = m;
      else b = m;
    }
    counts[a]++;
    n++;
  }
  const values = opts.density
    ? counts.map((c, i) => (n > 0 ? c / (n * (edges[i + 1] - edges[i])) : 0))
    : counts.slice();
  return { edges, counts, values, n, nonFinite, outside };
}

/** One data set of a histogram. */
export interface HistogramDataset {
  /** Legend label (unnamed data sets get no legend entry). */
  name?: string;
  data: ArrayLike<number>;
  color?: string;
}

/** Options of {@link histogram}. */
export interface HistogramOptions extends PlotOptions, Omit<BinOptions, 'range'> {
  /** One data set (shorthand for `datasets: [{ data }]`). */
  data?: ArrayLike<number>;
  /** Name of `data` in the legend. */
  name?: string;
  /** Several data sets binned with common edges and overlaid. */
  datasets?: readonly HistogramDataset[];
  /** Range binned (default: all finite data). */
  range?: readonly [number, number];
  /** `'bar'` (filled, default) or `'step'` (outline only; clearer when overlaying). */
  histtype?: 'bar' | 'step';
  /** Curves drawn over the bars, e.g. a theoretical density (style as in a line plot). */
  curves?: readonly LineSeries[];
  vLines?: readonly RefLine[];
  hLines?: readonly RefLine[];
  vBands?: readonly ValueBand[];
  /** y scale (default linear; on a log scale empty bins are left out). */
  yScale?: ScaleKind;
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  extraLegend?: readonly LegendEntry[];
}

/**
 * Draw a histogram of one or several data sets (common bin edges; bars or step outlines), with optional density
 * normalisation, overlaid curves (e.g. a theoretical density) and reference lines. Returns an SVG string.
 * The default y label is "count" or "density".
 */
export function histogram(opts: HistogramOptions): string {
  const { width, height } = figureSize(opts);
  const sets: HistogramDataset[] = opts.datasets
    ? [...opts.datasets]
    : opts.data
      ? [{ name: opts.name, data: opts.data }]
      : [];
  const all: number[] = [];
  for (const s of sets) for (let i = 0; i < s.data.length; i++) all.push(s.data[i]);
  const edges = binEdges(all, { bins: opts.bins, edges: opts.edges, range: opts.range });
  const hists = sets.map((s) => computeHistogram(s.data, { edges, density: opts.density }));
  const colors = sets.map((s, i) => resolveColor(s.color, i, opts.palette));
  const curves = opts.curves ?? [];
  curves.forEach(validateSeries);
  const curveColors = curves.map((c, i) => resolveColor(c.color, sets.length + i, opts.palette));
  const yKind = opts.yScale ?? 'linear';
  const histtype = opts.histtype ?? 'bar';
  const overlay = sets.length > 1;

  const xs: number[] = [edges[0], edges[edges.length - 1], ...annotationValues(opts.vLines, opts.vBands)];
  const ys: number[] = [...annotationValues(opts.hLines)];
  for (const h of hists) ys.push(...h.values.filter((v) => yKind === 'linear' || v > 0));
  for (const c of curves) seriesExtent(c, xs, ys);
  const xDomain = opts.xDomain
    ? checkDomain(opts.xDomain, 'linear', 'x axis')
    : autoDomain(xs, 'linear', { pad: 0.02, what: 'x axis' });
  const yDomain = opts.yDomain
    ? checkDomain(opts.yDomain, yKind, 'y axis')
    : yKind === 'log'
      ? autoDomain(ys.length ? ys : [1], 'log', { what: 'y axis' })
      : autoDomain(ys, 'linear', { includeZero: true, what: 'y axis' });

  const legend: LegendEntry[] = [];
  sets.forEach((s, i) => {
    if (s.name)
      legend.push({
        label: s.name,
        color: colors[i],
        swatch: histtype === 'bar',
        line: histtype === 'step' ? 'solid' : 'none',
        opacity: overlay ? 0.5 : 0.8,
      });
  });
  curves.forEach((c, i) => {
    const e = seriesLegendEntry(c, curveColors[i]);
    if (e) legend.push(e);
  });
  legend.push(...annotationLegend(opts.hLines, opts.vLines), ...(opts.extraLegend ?? []));

  const barRects = (ctx: FrameContext, h: HistogramBins): Rect[] => {
    const base = yKind === 'log' ? Math.min(ctx.y.domain[0], ctx.y.domain[1]) : 0;
    const y0 = ctx.y.map(base);
    const out: Rect[] = [];
    for (let i = 0; i < h.values.length; i++) {
      const v = h.values[i];
      const x0 = ctx.x.map(h.edges[i]);
      const x1 = ctx.x.map(h.edges[i + 1]);
      const y = ctx.y.map(v);
      if (!(Number.isFinite(x0) && Number.isFinite(x1) && Number.isFinite(y) && Number.isFinite(y0)) || v === 0)
        continue;
      const top = clampPx(Math.min(y, y0));
      out.push({ x: Math.min(x0, x1), y: top, w: Math.abs(x1 - x0), h: clampPx(Math.max(y, y0)) - top });
    }
    return out;
  };

  return renderFrame({
    kind: 'histogram',
    width,
    height,
    title: opts.title,
    ariaTitle: opts.xLabel ? `histogram of ${opts.xLabel}` : 'histogram',
    description: opts.description,
    background: opts.background,
    fontFamily: opts.fontFamily,
    x: { scale: 'linear', domain: xDomain, label: opts.xLabel },
    y: { scale: yKind, domain: yDomain, label: opts.yLabel ?? (opts.density ? 'density' : 'count') },
    legend,
    placement: opts.legend ?? 'auto',
    under: (ctx) => drawAnnotationsUnder(ctx, undefined, undefined, opts.vBands),
    data: (ctx) => {
      const parts: string[] = [];
      hists.forEach((h, si) => {
        const color = colors[si];
        if (histtype === 'bar') {
          const rects = barRects(ctx, h).map((r) => el('rect', { x: r.x, y: r.y, width: r.w, height: r.h }));
          parts.push(
            el(
              'g',
              {
                class: `series series-${si} bars`,
                'data-name': sets[si].name || undefined,
                fill: color,
                'fill-opacity': overlay ? 0.5 : 0.8,
                stroke: '#ffffff',
                'stroke-width': 0.5,
              },
              rects,
            ),
          );
        } else {
          // Step outline along the bin tops, down to the baseline at both ends.
          const base = yKind === 'log' ? Math.min(ctx.y.domain[0], ctx.y.domain[1]) : 0;
          const y0 = clampPx(ctx.y.map(base));
          let d = '';
          for (let i = 0; i < h.values.length; i++) {
            const x0 = clampPx(ctx.x.map(h.edges[i]));
            const x1 = clampPx(ctx.x.map(h.edges[i + 1]));
            const yv = ctx.y.map(h.values[i]);
            const y = Number.isFinite(yv) ? clampPx(yv) : y0;
            d += `${i === 0 ? `M${num(x0)} ${num(y0)}` : ''}L${num(x0)} ${num(y)}L${num(x1)} ${num(y)}`;
            if (i === h.values.length - 1) d += `L${num(x1)} ${num(y0)}`;
          }
          if (d)
            parts.push(
              el(
                'g',
                { class: `series series-${si} step`, 'data-name': sets[si].name || undefined },
                el('path', {
                  class: 'line',
                  d,
                  fill: 'none',
                  stroke: color,
                  'stroke-width': 1.8,
                  'stroke-linejoin': 'miter',
                }),
              ),
            );
        }
      });
      parts.push(drawAnnotationsUnder(ctx, opts.hLines, opts.vLines));
      curves.forEach((c, i) => parts.push(drawSeries(c, curveColors[i], sets.length + i, ctx)));
      return parts.join('');
    },
    over: (ctx) => drawAnnotationLabels(ctx, opts.hLines, opts.vLines, opts.vBands),
    obstacles: (ctx) => {
      const out: Obstacle[] = annotationObstacles(ctx, opts.hLines, opts.vLines, opts.vBands);
      for (const h of hists) for (const r of barRects(ctx, h)) out.push({ rect: r });
      for (const c of curves) seriesObstacles(c, ctx, out);
      return out;
    },
  });
}
