/**
 * Bar charts over named categories, with optional error bars, highlighted categories and reference lines.
 */
import {
  annotationLegend,
  annotationObstacles,
  annotationValues,
  drawAnnotationLabels,
  drawAnnotationsUnder,
  type RefLine,
} from './annotations.js';
import { formatValue } from './format.js';
import { renderFrame, type FrameContext } from './frame.js';
import type { LegendEntry, Obstacle, Rect } from './legend.js';
import { figureSize, type PlotOptions } from './options.js';
import { C, resolveColor } from './palette.js';
import { autoDomain, checkDomain, type ScaleKind } from './scale.js';
import { clampPx, el, num, text } from './svg.js';

/** Options of {@link barChart}. */
export interface BarChartOptions extends PlotOptions {
  categories: readonly string[];
  /** One value per category; non-finite values leave the slot empty. */
  values: ArrayLike<number>;
  /** Error bar ends (absolute values, e.g. a confidence interval), one per category; given together. */
  low?: ArrayLike<number>;
  high?: ArrayLike<number>;
  /** Bar colour (default C0 blue), or per-bar colours (entries may be undefined). */
  color?: string;
  colors?: readonly (string | undefined)[];
  /** Categories (by index or name) drawn in `highlightColor` (default C1 orange). */
  highlight?: readonly (number | string)[];
  highlightColor?: string;
  /** Legend labels for the plain and the highlighted bars (no legend entry when absent). */
  name?: string;
  highlightName?: string;
  /** Horizontal reference lines (dashed by default), e.g. a target value. */
  hLines?: readonly RefLine[];
  yScale?: ScaleKind;
  yDomain?: readonly [number, number];
  yTicks?: readonly number[];
  yTickFormat?: (v: number) => string;
  /** Print each value above its bar (`true`: 3 significant digits; a number: that many). */
  valueLabels?: boolean | number;
  /** Bar width as a fraction of the category slot (default 0.7). */
  barWidth?: number;
  extraLegend?: readonly LegendEntry[];
}

/**
 * Draw a bar chart (one bar per category, from 0 — or from the bottom of a log axis — to its value) and return an
 * SVG string. Error bars span `low[i]..high[i]`; highlighted categories get their own colour; long category names
 * are rotated. Throws a RangeError when array lengths differ from the number of categories.
 */
export function barChart(opts: BarChartOptions): string {
  const { width, height } = figureSize(opts);
  const cats = opts.categories ?? [];
  const n = cats.length;
  const vals = opts.values;
  if (vals.length !== n) throw new RangeError(`barChart: ${n} categories but ${vals.length} values`);
  for (const [k, a] of [
    ['low', opts.low],
    ['high', opts.high],
  ] as const) {
    if (a && a.length !== n)
      throw new RangeError(`barChart: ${k} has ${a.length} values but there are ${n} categories`);
  }
  if (!!opts.low !== !!opts.high) throw new RangeError('barChart: low and high must be given together');
  const yKind = opts.yScale ?? 'linear';
  const frac = Math.min(1, Math.max(0.05, opts.barWidth ?? 0.7));
  const hl = new Set<number>();
  for (const h of opts.highlight ?? []) {
    const i = typeof h === 'number' ? h : cats.indexOf(h);
    if (Number.isInteger(i) && i >= 0 && i < n) hl.add(i);
  }
  const base = resolveColor(opts.color ?? C.C0, 0, opts.palette);
  const hiColor = resolveColor(opts.highlightColor ?? C.C1, 1, opts.palette);
  const colorOf = (i: number): string => {
    const c = opts.colors?.[i];
    return c ? resolveColor(c, i, opts.palette) : hl.has(i) ? hiColor : base;
  };

  const ys: number[] = [...annotationValues(opts.hLines)];
  for (let i = 0; i < n; i++) ys.push(vals[i], opts.low ? opts.low[i] : NaN, opts.high ? opts.high[i] : NaN);
  const yDomain = opts.yDomain
    ? checkDomain(opts.yDomain, yKind, 'y axis')
    : autoDomain(ys, yKind, { includeZero: yKind === 'linear', what: 'y axis' });
  const digits = opts.valueLabels === true ? 3 : typeof opts.valueLabels === 'number' ? opts.valueLabels : 0;

  const legend: LegendEntry[] = [];
  if (opts.name) legend.push({ label: opts.name, color: base, swatch: true, opacity: 1 });
  if (opts.highlightName && hl.size)
    legend.push({ label: opts.highlightName, color: hiColor, swatch: true, opacity: 1 });
  legend.push(...annotationLegend(opts.hLines), ...(opts.extraLegend ?? []));

  const bars = (ctx: FrameContext): Array<Rect & { i: number }> => {
    const baseV = yKind === 'log' ? Math.min(ctx.y.domain[0], ctx.y.domain[1]) : 0;
    const y0 = ctx.y.map(baseV);
    const slot = Math.abs(ctx.x.map(1) - ctx.x.map(0));
    const out: Array<Rect & { i: number }> = [];
    for (let i = 0; i < n; i++) {
      const y = ctx.y.map(vals[i]);
      if (!Number.isFinite(y) || !Number.isFinite(y0)) continue;
      const cx = ctx.x.map(i);
      const top = clampPx(Math.min(y, y0));
      out.push({ i, x: cx - (slot * frac) / 2, y: top, w: slot * frac, h: clampPx(Math.max(y, y0)) - top });
    }
    return out;
  };
  const errTop = (ctx: FrameContext, i: number): number => {
    const candidates = [
      ctx.y.map(vals[i]),
      opts.high ? ctx.y.map(opts.high[i]) : NaN,
      opts.low ? ctx.y.map(opts.low[i]) : NaN,
    ];
    return Math.min(...candidates.filter(Number.isFinite));
  };

  return renderFrame({
    kind: 'bar-chart',
    width,
    height,
    title: opts.title,
    ariaTitle: opts.yLabel ? `bar chart of ${opts.yLabel}` : 'bar chart',
    description: opts.description,
    background: opts.background,
    fontFamily: opts.fontFamily,
    x: { scale: 'linear', domain: [-0.5, Math.max(0.5, n - 0.5)], label: opts.xLabel, categories: cats },
    y: { scale: yKind, domain: yDomain, label: opts.yLabel, ticks: opts.yTicks, tickFormat: opts.yTickFormat },
    legend,
    placement: opts.legend ?? 'auto',
    data: (ctx) => {
      const parts: string[] = [];
      parts.push(
        el(
          'g',
          { class: 'series bars', 'data-name': opts.name || undefined },
          bars(ctx).map((r) =>
            el('rect', {
              class: hl.has(r.i) ? 'bar highlight' : 'bar',
              x: r.x,
              y: r.y,
              width: r.w,
              height: r.h,
              fill: colorOf(r.i),
            }),
          ),
        ),
      );
      if (yKind === 'linear' && yDomain[0] * yDomain[1] < 0) {
        const y = ctx.y.map(0);
        parts.push(
          el('line', {
            class: 'zero-line',
            x1: ctx.area.x,
            y1: y,
            x2: ctx.area.x + ctx.area.w,
            y2: y,
            stroke: '#333333',
            'stroke-width': 1,
          }),
        );
      }
      if (opts.low && opts.high) {
        const slot = Math.abs(ctx.x.map(1) - ctx.x.map(0));
        const cap = Math.min(6, (slot * frac) / 4);
        let d = '';
        for (let i = 0; i < n; i++) {
          const x = ctx.x.map(i);
          const a = ctx.y.map(opts.low[i]);
          const b = ctx.y.map(opts.high[i]);
          if (!(Number.isFinite(a) && Number.isFinite(b))) continue;
          const pa = clampPx(a);
          const pb = clampPx(b);
          d += `M${num(x)} ${num(pa)}V${num(pb)}M${num(x - cap)} ${num(pa)}h${num(2 * cap)}M${num(x - cap)} ${num(pb)}h${num(2 * cap)}`;
        }
        if (d) parts.push(el('path', { class: 'errorbars', d, fill: 'none', stroke: '#333333', 'stroke-width': 1.3 }));
      }
      parts.push(drawAnnotationsUnder(ctx, opts.hLines));
      return parts.join('');
    },
    over: (ctx) => {
      let s = drawAnnotationLabels(ctx, opts.hLines);
      if (digits > 0) {
        const labels: string[] = [];
        for (let i = 0; i < n; i++) {
          const v = vals[i];
          const top = errTop(ctx, i);
          if (!Number.isFinite(v) || !Number.isFinite(top) || top < ctx.area.y) continue;
          labels.push(text(ctx.x.map(i), top - 4, formatValue(v, digits), { 'text-anchor': 'middle' }));
        }
        if (labels.length) s += el('g', { class: 'value-labels', 'font-size': 10, fill: '#333333' }, labels);
      }
      return s;
    },
    obstacles: (ctx) => {
      const out: Obstacle[] = annotationObstacles(ctx, opts.hLines);
      for (const r of bars(ctx))
        out.push({ rect: { x: r.x, y: r.y - (digits > 0 ? 14 : 0), w: r.w, h: r.h + (digits > 0 ? 14 : 0) } });
      if (opts.low && opts.high) {
        for (let i = 0; i < n; i++) {
          const x = ctx.x.map(i);
          const a = ctx.y.map(opts.low[i]);
          const b = ctx.y.map(opts.high[i]);
          if (Number.isFinite(a) && Number.isFinite(b)) out.push({ x1: x, y1: a, x2: x, y2: b });
        }
      }
      return out;
    },
  });
}
