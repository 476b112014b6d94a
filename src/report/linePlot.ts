/**
 * Line plots: several x–y series (lines, dashed lines, points), confidence bands or error bars, reference lines,
 * shaded windows, linear or log axes.
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
import { renderFrame } from './frame.js';
import type { LegendEntry, Obstacle } from './legend.js';
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

/** Options of {@link linePlot}. */
export interface LinePlotOptions extends PlotOptions {
  series: readonly LineSeries[];
  /** Default `'linear'`. A log axis needs a positive domain (explicit, or from the positive data values). */
  xScale?: ScaleKind;
  yScale?: ScaleKind;
  /** Axis domains; default: the data (plus reference lines/bands) with 5 % padding. A reversed pair flips the axis. */
  xDomain?: readonly [number, number];
  yDomain?: readonly [number, number];
  /** Explicit tick values. */
  xTicks?: readonly number[];
  yTicks?: readonly number[];
  /** Custom tick label formatters. */
  xTickFormat?: (v: number) => string;
  yTickFormat?: (v: number) => string;
  /** Horizontal reference lines, e.g. `{ value: 0.8, label: 'true p = 0.8' }` (dashed by default). */
  hLines?: readonly RefLine[];
  /** Vertical reference lines. */
  vLines?: readonly RefLine[];
  /** Shaded vertical windows, e.g. a decision window `{ from: 0.2, to: 0.6, label: 'decision window' }`. */
  vBands?: readonly ValueBand[];
  /** Extra legend rows after the series, e.g. style keys ("experiment" = points, "theory" = line). */
  extraLegend?: readonly LegendEntry[];
}

/**
 * Draw a line plot and return it as a standalone SVG string.
 *
 * Each series is drawn in its style (`line`, `dashed`, `dotted`, `points`, `line+points`) and colour (palette
 * order when not given); `yLow`/`yHigh` add a shaded band (line styles) or error bars (`points`). Non-finite
 * points — and non-positive ones on a log axis — are skipped and break the line. Axes get nice 1-2-5 ticks
 * (decades `10ᵏ` on log axes), light grid lines and labels; named series get one legend entry each.
 * Throws a RangeError for mismatched array lengths or an invalid (e.g. non-positive log) domain.
 */
export function linePlot(opts: LinePlotOptions): string {
  const { width, height } = figureSize(opts);
  const xKind = opts.xScale ?? 'linear';
  const yKind = opts.yScale ?? 'linear';
  const series = opts.series ?? [];
  series.forEach(validateSeries);
  const colors = series.map((s, i) => resolveColor(s.color, i, opts.palette));

  let xDomain: [number, number];
  let yDomain: [number, number];
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of series) seriesExtent(s, xs, ys);
  if (opts.xDomain) xDomain = checkDomain(opts.xDomain, xKind, 'x axis');
  else xDomain = autoDomain([...xs, ...annotationValues(opts.vLines, opts.vBands)], xKind, { what: 'x axis' });
  if (opts.yDomain) yDomain = checkDomain(opts.yDomain, yKind, 'y axis');
  else yDomain = autoDomain([...ys, ...annotationValues(opts.hLines)], yKind, { what: 'y axis' });

  const legend: LegendEntry[] = [];
  series.forEach((s, i) => {
    const e = seriesLegendEntry(s, colors[i]);
    if (e) legend.push(e);
  });
  legend.push(...annotationLegend(opts.hLines, opts.vLines), ...(opts.extraLegend ?? []));

  return renderFrame({
    kind: 'line-plot',
    width,
    height,
    title: opts.title,
    ariaTitle: [opts.yLabel, opts.xLabel].filter(Boolean).join(' vs ') || undefined,
    description: opts.description,
    background: opts.background,
    fontFamily: opts.fontFamily,
    x: { scale: xKind, domain: xDomain, label: opts.xLabel, ticks: opts.xTicks, tickFormat: opts.xTickFormat },
    y: { scale: yKind, domain: yDomain, label: opts.yLabel, ticks: opts.yTicks, tickFormat: opts.yTickFormat },
    legend,
    placement: opts.legend ?? 'auto',
    under: (ctx) => drawAnnotationsUnder(ctx, opts.hLines, opts.vLines, opts.vBands),
    data: (ctx) => series.map((s, i) => drawSeries(s, colors[i], i, ctx)).join(''),
    over: (ctx) => drawAnnotationLabels(ctx, opts.hLines, opts.vLines, opts.vBands),
    obstacles: (ctx) => {
      const out: Obstacle[] = annotationObstacles(ctx, opts.hLines, opts.vLines, opts.vBands);
      for (const s of series) seriesObstacles(s, ctx, out);
      return out;
    },
  });
}
