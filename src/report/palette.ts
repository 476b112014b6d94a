/**
 * Colour palettes. The default is matplotlib's `tab10` (Tableau 10) in its usual order, so `C0..C9` match the
 * paper's figures: in the overlap figure c = C0 (blue), m = C1 (orange), ω = C2 (green), b = C3 (red).
 */

/** matplotlib `tab10`: C0 blue, C1 orange, C2 green, C3 red, C4 purple, C5 brown, C6 pink, C7 grey, C8 olive, C9 cyan. */
export const TAB10: readonly string[] = Object.freeze([
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
]);

/** Okabe–Ito palette (colour-blind safe): orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple, black. */
export const OKABE_ITO: readonly string[] = Object.freeze([
  '#E69F00',
  '#56B4E9',
  '#009E73',
  '#F0E442',
  '#0072B2',
  '#D55E00',
  '#CC79A7',
  '#000000',
]);

/** Named tab10 colours, `C.C0` … `C.C9`, as in matplotlib's `'C0'` colour strings. */
export const C = Object.freeze({
  C0: TAB10[0],
  C1: TAB10[1],
  C2: TAB10[2],
  C3: TAB10[3],
  C4: TAB10[4],
  C5: TAB10[5],
  C6: TAB10[6],
  C7: TAB10[7],
  C8: TAB10[8],
  C9: TAB10[9],
});

/** Colours for the paper's overlap figure: c, m, ω (omega), b. */
export const OVERLAP_COLORS = Object.freeze({ c: C.C0, m: C.C1, omega: C.C2, b: C.C3 });

/**
 * Resolve a colour: `'C0'..'C9'` → tab10, anything else (hex, CSS name, rgb()) is returned as is; `undefined`
 * takes entry `index` of `palette` (cycling).
 */
export function resolveColor(color: string | undefined, index: number, palette: readonly string[] = TAB10): string {
  if (color !== undefined && color !== '') {
    const m = /^C(\d)$/.exec(color);
    return m ? TAB10[Number(m[1])] : color;
  }
  const p = palette.length > 0 ? palette : TAB10;
  return p[((index % p.length) + p.length) % p.length];
}
