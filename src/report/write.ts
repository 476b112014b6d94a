/**
 * Writing a report folder (`--out DIR`): every figure as an SVG file plus `index.html` that inlines them.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { htmlReport, type HtmlReportOptions, type ReportFigure } from './html.js';

function safeName(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'figure'
  );
}

/**
 * Write `report` to folder `dir`: each figure to its `file` (figures without one get `fig-<n>-<caption>.svg`),
 * then `index.html` (figures inline, captions linking the files). Files are written atomically; the folder is
 * created if needed. Returns the paths written, `index.html` last. Rejects figure names with a path separator.
 */
export function writeReport(dir: string, report: HtmlReportOptions): string[] {
  const written: string[] = [];
  const names = new Set<string>();
  let n = 0;
  const sections = report.sections.map((s) => {
    if (!s.figures) return s;
    const figures: ReportFigure[] = s.figures.map((f) => {
      n++;
      let file = f.file ?? `fig-${String(n).padStart(2, '0')}-${safeName(f.caption ?? s.heading)}.svg`;
      if (/[\\/]/.test(file) || file === '.' || file === '..' || file === 'index.html')
        throw new RangeError(`writeReport: bad figure file name "${file}"`);
      if (names.has(file)) file = file.replace(/(\.svg)?$/, `-${n}.svg`);
      names.add(file);
      const path = join(dir, file);
      writeFileAtomic(path, f.svg.endsWith('\n') ? f.svg : f.svg + '\n');
      written.push(path);
      return { ...f, file };
    });
    return { ...s, figures };
  });
  const index = join(dir, 'index.html');
  writeFileAtomic(index, htmlReport({ ...report, sections }));
  written.push(index);
  return written;
}
