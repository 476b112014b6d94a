/**
 * Number formatting for tables, captions and axis tick labels.
 */

const SUPERSCRIPT: Record<string, string> = {
  '0': '\u2070',
  '1': '\u00B9',
  '2': '\u00B2',
  '3': '\u00B3',
  '4': '\u2074',
  '5': '\u2075',
  '6': '\u2076',
  '7': '\u2077',
  '8': '\u2078',
  '9': '\u2079',
  '-': '\u207B',
  '+': '',
};

/** The typographic minus sign used in figure text (U+2212). */
export const MINUS = '\u2212';

/** Integer exponent written with Unicode superscript digits, e.g. `-3` → `⁻³`. */
export function superscript(k: number): string {
  return String(Math.trunc(k))
    .split('')
    .map((c) => SUPERSCRIPT[c] ?? c)
    .join('');
}

/** `10^k` with a superscript exponent, e.g. `pow10Label(-3)` → `10⁻³`. */
export function pow10Label(k: number): string {
  return `10${superscript(k)}`;
}

/**
 * Format a number for a report (tables, captions, legends) with `digits` significant digits (default 4).
 * Integers below 1e15 in magnitude are printed in full; magnitudes ≥ 1e6 or < 1e-4 use exponent notation
 * (`1.235e-5`); otherwise fixed notation without trailing zeros (`0.882`, `12.35`). Non-finite values read
 * `NaN`, `Infinity`, `-Infinity`; `null`/`undefined` read `—`.
 */
export function fmt(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '\u2014';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  const d = Math.min(21, Math.max(1, Math.round(digits)));
  if (x === 0) return '0';
  const ax = Math.abs(x);
  if (Number.isInteger(x) && ax < 1e15) return String(x);
  if (ax >= 1e6 || ax < 1e-4) {
    const [m, e] = x.toExponential(d - 1).split('e') as [string, string];
    return `${stripZeros(m)}e${e.replace('+', '')}`;
  }
  return String(Number(x.toPrecision(d)));
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

function withMinus(s: string): string {
  return s.startsWith('-') ? MINUS + s.slice(1) : s;
}

/**
 * Labels for evenly spaced tick values `values` with spacing `step` (a 1-2-5 step). All labels get the same
 * number of decimals (`0.0, 0.5, 1.0`). Ticks spanning large (≥ 1e5) or tiny (step < 1e-4) magnitudes are written
 * as `m×10ᵏ` (`2×10⁻⁵`, `10⁶`). Negative numbers use the typographic minus.
 */
export function formatTicks(values: readonly number[], step: number): string[] {
  const maxAbs = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const stepExp = step > 0 && Number.isFinite(step) ? Math.floor(Math.log10(step) + 1e-9) : 0;
  if (maxAbs >= 1e5 || stepExp < -4) return values.map((v) => sciLabel(v, stepExp));
  const decimals = Math.min(
    20,
    Math.max(0, -stepExp + (isMultipleOfTen(step, stepExp) ? 0 : fractionalDigits(step, stepExp))),
  );
  return values.map((v) => withMinus((v === 0 ? 0 : v).toFixed(decimals)));
}

/** True when `step` is exactly 1, 2 or 5 times `10^stepExp` (the usual case: no extra decimals needed). */
function isMultipleOfTen(step: number, stepExp: number): boolean {
  const m = step / 10 ** stepExp;
  return Math.abs(m - Math.round(m)) < 1e-9;
}

/** Extra decimals for non-1-2-5 steps such as 2.5 (explicit tick lists). */
function fractionalDigits(step: number, stepExp: number): number {
  const m = step / 10 ** stepExp;
  for (let k = 1; k <= 6; k++) if (Math.abs(m * 10 ** k - Math.round(m * 10 ** k)) < 1e-6) return k;
  return 6;
}

/** `m×10ᵏ` label with enough mantissa digits to resolve `10^stepExp`. */
function sciLabel(v: number, stepExp: number): string {
  if (v === 0) return '0';
  const e0 = Math.floor(Math.log10(Math.abs(v)));
  const d = Math.min(6, Math.max(0, e0 - stepExp));
  const [mRaw, eRaw] = v.toExponential(d).split('e') as [string, string];
  const m = stripZeros(mRaw);
  const e = Number(eRaw);
  if (m === '1') return pow10Label(e);
  if (m === '-1') return MINUS + pow10Label(e);
  return `${withMinus(m)}\u00D710${superscript(e)}`;
}

/**
 * A short, self-contained label for a single value (explicit ticks, log-scale fallback ticks, bar value labels):
 * up to `digits` significant digits, exponent form `m×10ᵏ` outside [1e-4, 1e5).
 */
export function formatValue(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? '\u221E' : MINUS + '\u221E';
  if (v === 0) return '0';
  const av = Math.abs(v);
  if (av >= 1e5 || av < 1e-4) {
    const [mRaw, eRaw] = v.toExponential(Math.max(0, digits - 1)).split('e') as [string, string];
    const m = stripZeros(mRaw);
    const e = Number(eRaw);
    if (m === '1') return pow10Label(e);
    if (m === '-1') return MINUS + pow10Label(e);
    return `${withMinus(m)}\u00D710${superscript(e)}`;
  }
  return withMinus(String(Number(v.toPrecision(Math.max(1, digits)))));
}
