/**
 * A small well-formedness checker for the SVG and HTML the report module writes (test helper, not a full parser):
 * balanced and properly nested tags, quoted attributes without duplicates, valid entity references, no stray `<`,
 * a single root element for XML. HTML mode knows void elements (`<meta>`, `<br>`, …), raw-text `<style>`, and
 * allows `/>` only inside inline SVG/MathML.
 */

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
const RAW = new Set(['style', 'script']);
const NAME = /[A-Za-z_:][-\w:.]*/y;
const ATTR = /\s+([A-Za-z_:][-\w:.]*)(\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/y;
const TAG_END = /\s*(\/?)>/y;
const ENTITY = /&(#\d+|#x[0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);/y;

function checkText(s: string, where: number, problems: string[]): void {
  for (let i = s.indexOf('&'); i >= 0; i = s.indexOf('&', i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(s)) problems.push(`bare '&' at ${where + i}: ${JSON.stringify(s.slice(i, i + 12))}`);
  }
}

/** Problems found in `markup` (empty when well-formed). */
export function wellFormedProblems(markup: string, opts: { html?: boolean } = {}): string[] {
  const html = !!opts.html;
  const problems: string[] = [];
  const stack: Array<{ name: string; at: number }> = [];
  let roots = 0;
  let i = 0;
  const n = markup.length;
  while (i < n && problems.length < 20) {
    const lt = markup.indexOf('<', i);
    const textEnd = lt < 0 ? n : lt;
    if (textEnd > i) {
      const t = markup.slice(i, textEnd);
      checkText(t, i, problems);
      if (stack.length === 0 && t.trim() !== '')
        problems.push(`text outside the root element at ${i}: ${JSON.stringify(t.slice(0, 20))}`);
    }
    if (lt < 0) break;
    i = lt;
    if (markup.startsWith('<!--', i)) {
      const e = markup.indexOf('-->', i + 4);
      if (e < 0) {
        problems.push(`unterminated comment at ${i}`);
        break;
      }
      i = e + 3;
      continue;
    }
    if (markup.startsWith('<?', i)) {
      const e = markup.indexOf('?>', i + 2);
      if (e < 0 || html) problems.push(`processing instruction at ${i}`);
      i = e < 0 ? n : e + 2;
      continue;
    }
    if (/^<!doctype/i.test(markup.slice(i, i + 9))) {
      const e = markup.indexOf('>', i);
      i = e < 0 ? n : e + 1;
      continue;
    }
    if (markup.startsWith('</', i)) {
      NAME.lastIndex = i + 2;
      const m = NAME.exec(markup);
      if (!m) {
        problems.push(`bad end tag at ${i}`);
        i += 2;
        continue;
      }
      let name = m[0];
      if (html) name = name.toLowerCase();
      TAG_END.lastIndex = i + 2 + m[0].length;
      const te = TAG_END.exec(markup);
      if (!te || te[1]) problems.push(`bad end tag </${name} at ${i}`);
      const top = stack.pop();
      if (!top) problems.push(`end tag </${name}> at ${i} without a start tag`);
      else if (top.name !== name) problems.push(`end tag </${name}> at ${i} closes <${top.name}> opened at ${top.at}`);
      i = te ? TAG_END.lastIndex : i + 2 + m[0].length;
      continue;
    }
    NAME.lastIndex = i + 1;
    const m = NAME.exec(markup);
    if (!m) {
      problems.push(`stray '<' at ${i}: ${JSON.stringify(markup.slice(i, i + 12))}`);
      i += 1;
      continue;
    }
    let name = m[0];
    if (html) name = name.toLowerCase();
    let j = i + 1 + m[0].length;
    const seen = new Set<string>();
    for (;;) {
      ATTR.lastIndex = j;
      const a = ATTR.exec(markup);
      if (!a) break;
      const an = html ? a[1].toLowerCase() : a[1];
      if (seen.has(an)) problems.push(`duplicate attribute ${an} on <${name}> at ${i}`);
      seen.add(an);
      if (a[2] === undefined && !html) problems.push(`attribute ${an} without a value on <${name}> at ${i}`);
      if (a[5] !== undefined) problems.push(`unquoted attribute ${an}=${a[5]} on <${name}> at ${i}`);
      const v = a[3] ?? a[4] ?? '';
      if (v.includes('<')) problems.push(`'<' in attribute ${an} on <${name}> at ${i}`);
      checkText(v, j, problems);
      j = ATTR.lastIndex;
    }
    TAG_END.lastIndex = j;
    const te = TAG_END.exec(markup);
    if (!te) {
      problems.push(`malformed start tag <${name} at ${i}: ${JSON.stringify(markup.slice(j, j + 20))}`);
      i = j + 1;
      continue;
    }
    i = TAG_END.lastIndex;
    if (stack.length === 0) roots++;
    const selfClosing = te[1] === '/';
    if (html && VOID.has(name)) continue;
    if (selfClosing) {
      // In HTML, `/>` only closes elements inside foreign content (SVG, MathML).
      const foreign = name === 'svg' || name === 'math' || stack.some((e) => e.name === 'svg' || e.name === 'math');
      if (html && !foreign) problems.push(`self-closing non-void <${name}/> in HTML at ${j}`);
      continue;
    }
    if (html && RAW.has(name)) {
      const close = markup.toLowerCase().indexOf(`</${name}`, i);
      if (close < 0) {
        problems.push(`unterminated <${name}>`);
        break;
      }
      i = close;
      stack.push({ name, at: j });
      continue;
    }
    stack.push({ name, at: j });
  }
  for (const s of stack) problems.push(`<${s.name}> opened at ${s.at} is never closed`);
  if (!html && roots !== 1) problems.push(`expected exactly one root element, found ${roots}`);
  return problems;
}

/** Throw with the list of problems unless `markup` is well-formed. */
export function assertWellFormed(markup: string, opts: { html?: boolean } = {}): void {
  const p = wellFormedProblems(markup, opts);
  if (p.length) throw new Error(`not well-formed (${opts.html ? 'HTML' : 'XML'}):\n  ${p.join('\n  ')}`);
}

/** Number of non-overlapping matches of `re` (global) in `s`. */
export function count(s: string, re: RegExp): number {
  return (s.match(new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g')) ?? []).length;
}
