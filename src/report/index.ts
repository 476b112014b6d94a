/**
 * Figures and reports: dependency-free SVG charts (line plots, histograms, bar charts, panel grids) and
 * self-contained HTML report pages.
 */
export type { FigureFile } from './figure.js';
export { escapeXml, escapeHtml, type EscapableValue } from './escape.js';
export { fmt, formatTicks, formatValue, pow10Label, superscript, MINUS } from './format.js';
export { niceStep, linearTickValues, linearTicks, logTicks, type Tick } from './ticks.js';
export {
  linearScale,
  logScale,
  makeScale,
  autoDomain,
  checkDomain,
  type Scale,
  type ScaleKind,
  type AutoDomainOptions,
} from './scale.js';
export { TAB10, OKABE_ITO, C, OVERLAP_COLORS, resolveColor } from './palette.js';
export { svgDocument, textWidth, num, type SvgDocumentOptions } from './svg.js';
export type { LegendEntry, LegendPlacement, Rect } from './legend.js';
export type { MarkerShape } from './marks.js';
export type { PlotOptions } from './options.js';
export type { RefLine, ValueBand } from './annotations.js';
export type { LineSeries, SeriesStyle } from './series.js';
export { linePlot, type LinePlotOptions } from './linePlot.js';
export {
  histogram,
  computeHistogram,
  binEdges,
  type HistogramOptions,
  type HistogramDataset,
  type HistogramBins,
  type BinOptions,
} from './histogram.js';
export { barChart, type BarChartOptions } from './barChart.js';
export { gridOfPlots, svgSize, type GridOptions } from './grid.js';
export {
  htmlReport,
  htmlTable,
  type HtmlReportOptions,
  type ReportSection,
  type ReportTable,
  type ReportFigure,
} from './html.js';
export { writeReport } from './write.js';
