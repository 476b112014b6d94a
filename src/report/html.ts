/**
 * Self-contained HTML reports: one page with inline CSS and inline SVG figures, no scripts, no network.
 */
import { escapeHtml } from './escape.js';
import { fmt } from './format.js';

export { escapeHtml } from './escape.js';
export { fmt } from './format.js';

/** A table of a report section. Numbers are formatted with `fmt(x, digits)`; `null`/`undefined` show as `—`. */
export interface ReportTable {
  columns: readonly string[];
  rows: ReadonlyArray<ReadonlyArray<string | number | null | undefined>>;
  caption?: string;
  /** Significant digits for numeric cells (default 4). */
  digits?: number;
  /** CSS class of the `<table>` (default `claims`). */
  className?: string;
}

/** A figure: an SVG string (inlined), optional caption, and optional file name of the same SVG written beside the page. */
export interface ReportFigure {
  svg: string;
  caption?: string;
  /** Relative file name (e.g. `overlaps.svg`); the caption links to it, and `writeReport` writes it. */
  file?: string;
}

/** One section of a report; the parts are rendered in the order html/text, table(s), figures, code. */
export interface ReportSection {
  heading: string;
  /** Trusted HTML inserted as is. */
  html?: string;
  /** Plain text (escaped); blank lines separate paragraphs. */
  text?: string;
  table?: ReportTable;
  tables?: readonly ReportTable[];
  figures?: readonly ReportFigure[];
  /** Preformatted text (escaped), e.g. a JSON configuration. */
  code?: string;
  /** Anchor id (default: from the heading). */
  id?: string;
}

/** Options of {@link htmlReport}. */
export interface HtmlReportOptions {
  title: string;
  subtitle?: string;
  sections: readonly ReportSection[];
  /** Footer text (escaped). */
  footer?: string;
  /** Footer as trusted HTML (after `footer`). */
  footerHtml?: string;
  /** Table of contents; default: when there are 3 or more sections. */
  toc?: boolean;
  /** `lang` attribute (default `en`). */
  lang?: string;
}

const CSS = `
:root { color-scheme: light; --fg: #1d1d1f; --muted: #5f6368; --line: #d9dce1; --accent: #1f77b4; --bg-alt: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 16px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 2rem 1.25rem 3rem; }
header h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .35rem; }
header .subtitle { color: var(--muted); margin: 0 0 1.25rem; }
h2 { font-size: 1.3rem; margin: 2.25rem 0 .75rem; padding-bottom: .3rem; border-bottom: 1px solid var(--line); }
p, li { max-width: 75ch; }
a { color: var(--accent); }
nav.toc { background: var(--bg-alt); border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; display: inline-block; }
nav.toc ol { margin: .2rem 0; padding-left: 1.3rem; }
.table-wrap { overflow-x: auto; margin: .75rem 0 1.25rem; }
table { border-collapse: collapse; font-size: .92rem; min-width: 50%; }
caption { caption-side: top; text-align: left; color: var(--muted); padding-bottom: .4rem; }
th, td { padding: .38rem .7rem; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #b9bec6; background: var(--bg-alt); font-weight: 600; }
tbody tr:nth-child(even) td { background: #fbfbfc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.good { color: #17612a; font-weight: 600; }
td.bad { color: #a3161b; font-weight: 600; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 440px), 1fr)); gap: 1.25rem; margin: 1rem 0; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: .6rem; background: #fff; }
figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .45rem; }
pre { background: var(--bg-alt); border: 1px solid var(--line); border-radius: 6px; padding: .8rem 1rem; overflow-x: auto; font-size: .85rem; line-height: 1.45; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
footer { margin-top: 3rem; padding-top: .8rem; border-top: 1px solid var(--line); color: var(--muted); font-size: .88rem; }
@media print { main { max-width: none; padding: 0; } figure { break-inside: avoid; } nav.toc { display: none; } }
`.trim();

const NUMERIC = /^[-+\u2212]?(\d[\d,]*\.?\d*|\.\d+)(e[-+]?\d+)?\s*%?$|^[-+\u2212]?(Infinity|NaN|\u221E)$|^\u2014$/i;
const GOOD = /^(pass|passed|ok|yes|reproduced|agrees|\u2713|\u2714)$/i;
const BAD = /^(fail|failed|no|not reproduced|disagrees|\u2717|\u2718)$/i;

/** Anchor-safe slug of a heading. */
function slug(s: string): string {
  const t = s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return t || 'section';
}

/** An SVG string ready to inline in HTML (XML declaration and doctype removed). */
function inlineSvg(svg: string): string {
  return svg.replace(/^\s*<\?xml[^>]*\?>\s*/, '').replace(/^\s*<!DOCTYPE[^>]*>\s*/i, '');
}

/** A `<table>` for a report table: header row, numeric cells right-aligned and formatted with `fmt`. */
export function htmlTable(t: ReportTable): string {
  const digits = t.digits ?? 4;
  const numericCol = t.columns.map(
    (_, j) =>
      t.rows.length > 0 &&
      t.rows.every((r) => typeof r[j] === 'number' || r[j] == null || NUMERIC.test(String(r[j]).trim())),
  );
  const head = t.columns
    .map((c, j) => `<th scope="col"${numericCol[j] ? ' class="num"' : ''}>${escapeHtml(c)}</th>`)
    .join('');
  const body = t.rows
    .map((r) => {
      const cells = t.columns.map((_, j) => {
        const v = r[j];
        const s = typeof v === 'number' ? fmt(v, digits) : v == null ? '\u2014' : String(v);
        const cls =
          typeof v === 'number' || NUMERIC.test(s.trim())
            ? 'num'
            : GOOD.test(s.trim())
              ? 'good'
              : BAD.test(s.trim())
                ? 'bad'
                : '';
        return `<td${cls ? ` class="${cls}"` : ''}>${escapeHtml(s)}</td>`;
      });
      return `<tr>${cells.join('')}</tr>`;
    })
    .join('\n');
  return (
    `<div class="table-wrap"><table class="${escapeHtml(t.className ?? 'claims')}">` +
    (t.caption ? `<caption>${escapeHtml(t.caption)}</caption>` : '') +
    `<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table></div>`
  );
}

function paragraphs(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p)}</p>`)
    .join('\n');
}

function figureHtml(f: ReportFigure): string {
  const link = f.file ? ` <a class="figure-file" href="${escapeHtml(f.file)}">(SVG)</a>` : '';
  const cap = f.caption || link ? `<figcaption>${f.caption ? escapeHtml(f.caption) : ''}${link}</figcaption>` : '';
  return `<figure>${inlineSvg(f.svg)}${cap}</figure>`;
}

/**
 * One self-contained HTML page: title, subtitle, optional table of contents, then for each section its heading,
 * HTML/text, tables (class `claims` by default), figures (inline SVG in a responsive grid, with captions) and
 * code blocks, then the footer. Inline CSS only; no scripts, no external resources. All text is escaped except
 * `section.html` and `footerHtml`.
 */
export function htmlReport(o: HtmlReportOptions): string {
  const used = new Set<string>();
  const ids = o.sections.map((s) => {
    const base = slug(s.id ?? s.heading);
    let id = base;
    for (let k = 2; used.has(id); k++) id = `${base}-${k}`;
    used.add(id);
    return id;
  });
  const showToc = o.toc ?? o.sections.length >= 3;
  const toc = showToc
    ? `<nav class="toc" aria-label="Contents"><ol>${o.sections.map((s, i) => `<li><a href="#${ids[i]}">${escapeHtml(s.heading)}</a></li>`).join('')}</ol></nav>`
    : '';
  const sections = o.sections
    .map((s, i) => {
      const parts: string[] = [`<h2>${escapeHtml(s.heading)}</h2>`];
      if (s.html) parts.push(s.html);
      if (s.text) parts.push(paragraphs(s.text));
      for (const t of [...(s.table ? [s.table] : []), ...(s.tables ?? [])]) parts.push(htmlTable(t));
      if (s.figures && s.figures.length)
        parts.push(`<div class="figures">\n${s.figures.map(figureHtml).join('\n')}\n</div>`);
      if (s.code !== undefined) parts.push(`<pre><code>${escapeHtml(s.code)}</code></pre>`);
      return `<section id="${ids[i]}">\n${parts.join('\n')}\n</section>`;
    })
    .join('\n');
  const footer =
    o.footer || o.footerHtml
      ? `<footer>${o.footer ? `<p>${escapeHtml(o.footer)}</p>` : ''}${o.footerHtml ?? ''}</footer>`
      : '';
  return (
    [
      '<!DOCTYPE html>',
      `<html lang="${escapeHtml(o.lang ?? 'en')}">`,
      '<head>',
      '<meta charset="utf-8">',
      '<meta name="viewport" content="width=device-width, initial-scale=1">',
      '<meta name="generator" content="phaseflow">',
      `<title>${escapeHtml(o.title)}</title>`,
      `<style>\n${CSS}\n</style>`,
      '</head>',
      '<body>',
      '<main>',
      `<header><h1>${escapeHtml(o.title)}</h1>${o.subtitle ? `<p class="subtitle">${escapeHtml(o.subtitle)}</p>` : ''}</header>`,
      toc,
      sections,
      footer,
      '</main>',
      '</body>',
      '</html>',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n') + '\n'
  );
}
