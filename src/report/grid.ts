/**
 * Multi-panel figures: several chart SVGs arranged in a grid inside one SVG.
 */
import { svgDocument, text, textWidth } from './svg.js';

/** Options of {@link gridOfPlots}. */
export interface GridOptions {
  /** Panels per row (default: min(2, number of panels)). */
  columns?: number;
  /** Space between panels in px (default 8). */
  gap?: number;
  /** Overall title above the panels (also the accessible name). */
  title?: string;
  /** Panel letters "(a)", "(b)", … in each panel's top-left corner (default false). */
  letters?: boolean;
  description?: string;
  background?: string;
}

const ROOT_TAG = /^\s*(?:<\?xml[^>]*\?>\s*)?<svg\b([^>]*)>/;

/** Width and height (px) of a standalone SVG string, from its root `width`/`height` or `viewBox`. */
export function svgSize(svg: string): { width: number; height: number } {
  const m = ROOT_TAG.exec(svg);
  if (!m) throw new TypeError('gridOfPlots: each panel must be an SVG string starting with <svg …>');
  const attr = (name: string): number => {
    const a = new RegExp(`\\s${name}="([0-9.]+)(?:px)?"`).exec(m[1]);
    return a ? Number(a[1]) : NaN;
  };
  let width = attr('width');
  let height = attr('height');
  if (!(width > 0) || !(height > 0)) {
    const vb = /\sviewBox="\s*[-0-9.]+[\s,]+[-0-9.]+[\s,]+([0-9.]+)[\s,]+([0-9.]+)\s*"/.exec(m[1]);
    if (!vb) throw new TypeError('gridOfPlots: a panel SVG has no width/height or viewBox');
    width = Number(vb[1]);
    height = Number(vb[2]);
  }
  return { width, height };
}

/**
 * Arrange chart SVGs (from {@link linePlot}, {@link histogram}, …) row by row in a grid with `columns` columns and
 * return one SVG. Each panel keeps its size; column widths and row heights are the largest of their panels, and a
 * smaller panel is centred in its cell. Panels are nested `<svg>` elements, so their own titles remain.
 */
export function gridOfPlots(panels: readonly string[], opts: GridOptions = {}): string {
  if (panels.length === 0) throw new RangeError('gridOfPlots: no panels');
  const cols = Math.max(1, Math.min(panels.length, Math.floor(opts.columns ?? Math.min(2, panels.length))));
  const gap = opts.gap ?? 8;
  const sizes = panels.map(svgSize);
  const rows = Math.ceil(panels.length / cols);
  const colW = new Array<number>(cols).fill(0);
  const rowH = new Array<number>(rows).fill(0);
  sizes.forEach((s, i) => {
    colW[i % cols] = Math.max(colW[i % cols], s.width);
    rowH[Math.floor(i / cols)] = Math.max(rowH[Math.floor(i / cols)], s.height);
  });
  const titleFs = 17;
  const top = opts.title ? titleFs + 20 : 0;
  const width = colW.reduce((a, b) => a + b, 0) + gap * (cols + 1);
  const height = top + rowH.reduce((a, b) => a + b, 0) + gap * (rows + 1);
  const parts: string[] = [];
  if (opts.title) {
    const fs = Math.max(10, Math.min(titleFs, (titleFs * (width - 20)) / Math.max(1, textWidth(opts.title, titleFs))));
    parts.push(
      text(width / 2, 8 + fs, opts.title, {
        class: 'title',
        'text-anchor': 'middle',
        'font-size': Math.round(fs * 100) / 100,
        'font-weight': 600,
        fill: '#111111',
      }),
    );
  }
  let y = top + gap;
  for (let r = 0; r < rows; r++) {
    let x = gap;
    for (let c = 0; c < cols; c++) {
      const i = r * cols + c;
      if (i >= panels.length) break;
      const s = sizes[i];
      const px = x + (colW[c] - s.width) / 2;
      const py = y + (rowH[r] - s.height) / 2;
      const inner = panels[i].replace(
        ROOT_TAG,
        (_all, a: string) => `<svg x="${round2(px)}" y="${round2(py)}"${a.replace(/\s(x|y)="[^"]*"/g, '')}>`,
      );
      parts.push(`<g class="panel panel-${i}">${inner}</g>`);
      if (opts.letters) {
        parts.push(
          text(px + 6, py + 16, `(${String.fromCharCode(97 + (i % 26))})`, {
            class: 'panel-letter',
            'font-size': 13,
            'font-weight': 600,
            fill: '#111111',
          }),
        );
      }
      x += colW[c] + gap;
    }
    y += rowH[r] + gap;
  }
  return svgDocument({
    width,
    height,
    title: opts.title || `${panels.length} panels`,
    description: opts.description,
    className: 'grid-of-plots',
    background: opts.background,
    body: parts.join(''),
  });
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
