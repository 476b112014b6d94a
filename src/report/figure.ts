/** The one figure type of phaseflow's domains: an SVG, the file name it is written to beside a report, a caption. */
export interface FigureFile {
  /** Relative file name (e.g. `overlaps.svg`). */
  file: string;
  /** The SVG document (inlined into reports). */
  svg: string;
  caption: string;
}
