/**
 * Options shared by all chart functions.
 */
import type { LegendPlacement } from './legend.js';

/** Common chart options (all optional). */
export interface PlotOptions {
  /** Visible title; also the figure's accessible name (`<title>`). */
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Pixel width (default 640). */
  width?: number;
  /** Pixel height (default 400). */
  height?: number;
  /** Legend placement (default `'auto'`: an inside corner free of data, else below the plot). */
  legend?: LegendPlacement;
  /** Colour cycle for series without an explicit colour (default matplotlib tab10). */
  palette?: readonly string[];
  /** Longer accessible description (`<desc>`). */
  description?: string;
  /** Background colour (default white; `'none'` for transparent). */
  background?: string;
  /** Font stack for all text. */
  fontFamily?: string;
}

/** Validated figure size. */
export function figureSize(o: PlotOptions): { width: number; height: number } {
  const width = o.width ?? 640;
  const height = o.height ?? 400;
  for (const [k, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (!(Number.isFinite(v) && v >= 50 && v <= 20000))
      throw new RangeError(`${k} must be a number of pixels in [50, 20000], got ${v}`);
  }
  return { width, height };
}
