/**
 * Escaping of text for XML (SVG) and HTML output. Both escape the five special characters, so the result is safe
 * in element content and in single- or double-quoted attribute values.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * Characters that XML 1.0 forbids outright (C0 controls other than tab, newline and carriage return, and lone
 * surrogates / U+FFFE / U+FFFF). They are dropped: a figure label is never worth an unparsable file.
 */
const FORBIDDEN =
  // eslint-disable-next-line no-control-regex -- matching the C0 control characters is this pattern's purpose
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** What the escapers accept: values whose `String()` is their text (`null` and `undefined` give ''). */
export type EscapableValue = string | number | boolean | bigint | null | undefined;

/** Escape `& < > " '` (and drop characters XML cannot carry) for SVG/XML text and attribute values. */
export function escapeXml(text: EscapableValue): string {
  return String(text ?? '')
    .replace(FORBIDDEN, '')
    .replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** Escape `& < > " '` for HTML text and attribute values (same rules as {@link escapeXml}). */
export function escapeHtml(text: EscapableValue): string {
  return escapeXml(text);
}
