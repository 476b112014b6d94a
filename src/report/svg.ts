/**
 * Low-level SVG writing: numbers (never NaN), attributes and elements with escaping, text width estimates, and the
 * root `<svg>` element every figure shares.
 */
import { escapeXml } from './escape.js';

/**
 * A pixel coordinate or length as SVG text: rounded to 0.01 px, no `-0`, no exponent. Throws on a non-finite
 * value, so a bug can never write `NaN` or `Infinity` into a figure (callers skip such points before this).
 */
export function num(v: number): string {
  if (!Number.isFinite(v))
    throw new Error(`report/svg: non-finite coordinate ${v} (internal error: points must be filtered first)`);
  const r = Math.round(v * 100) / 100;
  if (r === 0) return '0';
  if (Math.abs(r) >= 1e15) return r > 0 ? '1e15' : '-1e15';
  return String(r);
}

/** Attribute values: strings are escaped, numbers written with {@link num}; `undefined`, `null` and `false` are omitted. */
export type Attrs = Record<string, string | number | boolean | undefined | null>;

/** ` name="value"` pairs for `a`. */
export function attrs(a: Attrs): string {
  let s = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined || v === null || v === false) continue;
    const text = v === true ? k : typeof v === 'number' ? num(v) : escapeXml(v);
    s += ` ${k}="${text}"`;
  }
  return s;
}

/**
 * One element: `<tag attrs/>` when `children` is empty/undefined, else `<tag attrs>children</tag>`.
 * `children` is raw markup (already escaped); use {@link textNode} for plain text.
 */
export function el(tag: string, a: Attrs = {}, children?: string | readonly string[]): string {
  const inner = children === undefined ? '' : typeof children === 'string' ? children : children.join('');
  return inner === '' ? `<${tag}${attrs(a)}/>` : `<${tag}${attrs(a)}>${inner}</${tag}>`;
}

/** Escaped text content. */
export function textNode(s: string): string {
  return escapeXml(s);
}

/** A `<text>` element with escaped content. */
export function text(x: number, y: number, content: string, a: Attrs = {}): string {
  return `<text${attrs({ x, y, ...a })}>${escapeXml(content)}</text>`;
}

/** Pixels clamped to ±1e5 so a far-off point keeps the path small and finite (the plot area is clipped anyway). */
export function clampPx(v: number): number {
  return v > 1e5 ? 1e5 : v < -1e5 ? -1e5 : v;
}

// Approximate advance widths (in em) of a typical sans-serif font, for layout only.
const NARROW = new Set([...'iljtf.,:;|!\'"()[]{} 1`']);
const WIDE = new Set([...'mwMW@%\u00D7\u2212+=<>~']);

/** Estimated width in pixels of `s` set at `fontSize` in a sans-serif font (layout heuristic, ±10 %). */
export function textWidth(s: string, fontSize: number): number {
  let em = 0;
  for (const ch of s) {
    if (NARROW.has(ch)) em += 0.3;
    else if (WIDE.has(ch)) em += 0.85;
    else if (ch >= 'A' && ch <= 'Z') em += 0.68;
    else if (ch >= '0' && ch <= '9') em += 0.6;
    else if (/[\u00B9\u00B2\u00B3\u2070-\u207F]/.test(ch)) em += 0.4;
    else em += 0.56;
  }
  return em * fontSize;
}

/** Font stack used for all figure text. */
export const FONT_FAMILY =
  'system-ui, -apple-system, Segoe UI, Roboto, Helvetica Neue, Arial, Liberation Sans, DejaVu Sans, sans-serif';

/** FNV-1a hash of a string, base 36 (used for deterministic element ids). */
export function hashString(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** Placeholder replaced by {@link svgDocument} with an id derived from the figure content. */
export const ID_TOKEN = '\uE000pfid\uE000';

/** Options of {@link svgDocument}. */
export interface SvgDocumentOptions {
  width: number;
  height: number;
  /** Accessible name, written as the `<title>` element (required: every figure has one). */
  title: string;
  /** Longer accessible description (`<desc>`). */
  description?: string;
  /** Extra classes after `phaseflow-figure`, e.g. `line-plot`. */
  className?: string;
  /** Background fill; `'none'` for transparent. Default white. */
  background?: string;
  fontFamily?: string;
  /** Inner markup. Occurrences of {@link ID_TOKEN} become a content hash, so ids are stable and distinct per figure. */
  body: string;
}

/**
 * The root `<svg>` element: namespace, size, viewBox, `role="img"`, `<title>`/`<desc>` and a background rect.
 * Ids inside `body` written with {@link ID_TOKEN} are replaced by `pf<hash>`: identical figures get identical
 * ids (harmless when several are inlined in one page), different figures get different ones.
 */
export function svgDocument(o: SvgDocumentOptions): string {
  const w = Math.max(1, Math.round(o.width));
  const h = Math.max(1, Math.round(o.height));
  const bg = o.background ?? '#ffffff';
  const inner =
    el('title', {}, textNode(o.title)) +
    (o.description ? el('desc', {}, textNode(o.description)) : '') +
    (bg === 'none' ? '' : el('rect', { class: 'background', x: 0, y: 0, width: w, height: h, fill: bg })) +
    o.body;
  const id = `pf${hashString(inner)}`;
  const body = inner.split(ID_TOKEN).join(id);
  return (
    `<svg${attrs({
      xmlns: 'http://www.w3.org/2000/svg',
      class: `phaseflow-figure${o.className ? ' ' + o.className : ''}`,
      role: 'img',
      width: w,
      height: h,
      viewBox: `0 0 ${w} ${h}`,
      'font-family': o.fontFamily ?? FONT_FAMILY,
      'font-size': 12,
    })}>` +
    body +
    '</svg>'
  );
}
