/**
 * Tick generation: "nice" 1-2-5 steps for linear axes, decades (10^k) for log axes.
 */
import { formatTicks, formatValue, pow10Label } from './format.js';

/** One axis tick: data value, its label (empty for unlabelled minor ticks) and whether it is a major tick. */
export interface Tick {
  value: number;
  label: string;
  major: boolean;
}

const E10 = Math.sqrt(50);
const E5 = Math.sqrt(10);
const E2 = Math.sqrt(2);

/** Round away float noise such as 0.30000000000000004 (keeps 12 significant digits). */
function clean(v: number): number {
  const r = Number(v.toPrecision(12));
  return r === 0 ? 0 : r;
}

/**
 * The 1-2-5 step (1, 2 or 5 times a power of ten) that splits `span` into about `target` intervals.
 * Throws a RangeError for a non-positive or non-finite span.
 */
export function niceStep(span: number, target = 5): number {
  if (!(span > 0) || !Number.isFinite(span))
    throw new RangeError(`niceStep: span must be a positive finite number, got ${span}`);
  const raw = span / Math.max(1, target);
  const e = Math.floor(Math.log10(raw));
  const f = raw / 10 ** e;
  const m = f >= E10 ? 10 : f >= E5 ? 5 : f >= E2 ? 2 : 1;
  return clean(m * 10 ** e);
}

/**
 * Tick values `k·step` covering [min(lo,hi), max(lo,hi)] with a 1-2-5 step chosen for about `target` intervals.
 * A degenerate interval (lo = hi) gives the single value. Values are float-cleaned (0.1·3 → 0.3).
 */
export function linearTickValues(lo: number, hi: number, target = 5): { values: number[]; step: number } {
  if (!Number.isFinite(lo) || !Number.isFinite(hi))
    throw new RangeError(`linearTickValues: non-finite domain [${lo}, ${hi}]`);
  const a = Math.min(lo, hi);
  const b = Math.max(lo, hi);
  if (a === b) return { values: [a], step: 0 };
  const step = niceStep(b - a, target);
  const eps = step * 1e-9;
  const k0 = Math.ceil((a - eps) / step);
  const k1 = Math.floor((b + eps) / step);
  const values: number[] = [];
  for (let k = k0; k <= k1; k++) values.push(clean(k * step));
  return { values, step };
}

/** Labelled linear ticks (all major) for the domain, 1-2-5 steps, consistent decimals. */
export function linearTicks(lo: number, hi: number, target = 5): Tick[] {
  const { values, step } = linearTickValues(lo, hi, target);
  const labels = formatTicks(values, step || Math.abs(values[0] ?? 1) || 1);
  return values.map((value, i) => ({ value, label: labels[i], major: true }));
}

/**
 * Ticks for a log axis over [min(lo,hi), max(lo,hi)] (both must be > 0):
 *  - two or more decades in range: major ticks at 10^k labelled `10ᵏ` (every n-th decade when there are more than
 *    about `target`), with unlabelled minor ticks at 2..9·10^k (or at the skipped decades);
 *  - less than two decades: labelled ticks at 1, 2, 5 ·10^k, or plain linear ticks when those are too few.
 */
export function logTicks(lo: number, hi: number, target = 6): Tick[] {
  const a = Math.min(lo, hi);
  const b = Math.max(lo, hi);
  if (!(a > 0) || !Number.isFinite(a) || !Number.isFinite(b)) {
    throw new RangeError(`logTicks: a log axis needs a positive finite domain, got [${lo}, ${hi}]`);
  }
  const la = Math.log10(a);
  const lb = Math.log10(b);
  const k0 = Math.ceil(la - 1e-9);
  const k1 = Math.floor(lb + 1e-9);
  const inRange = (v: number): boolean => v >= a * (1 - 1e-9) && v <= b * (1 + 1e-9);
  if (k1 - k0 + 1 >= 2) {
    const stride = Math.max(1, Math.ceil((k1 - k0 + 1) / Math.max(1, target)));
    const ticks: Tick[] = [];
    for (let k = k0; k <= k1; k++) {
      if (k % stride === 0) ticks.push({ value: clean(10 ** k), label: pow10Label(k), major: true });
      else ticks.push({ value: clean(10 ** k), label: '', major: false });
    }
    if (stride === 1 && k1 - k0 <= 8) {
      for (let k = k0 - 1; k <= k1; k++) {
        for (let m = 2; m <= 9; m++) {
          const v = clean(m * 10 ** k);
          if (inRange(v)) ticks.push({ value: v, label: '', major: false });
        }
      }
    }
    return ticks.sort((p, q) => p.value - q.value);
  }
  const cand: number[] = [];
  for (let k = Math.floor(la) - 1; k <= Math.ceil(lb); k++) {
    for (const m of [1, 2, 5]) {
      const v = clean(m * 10 ** k);
      if (inRange(v)) cand.push(v);
    }
  }
  if (cand.length >= 3) return cand.map((value) => ({ value, label: formatValue(value), major: true }));
  return linearTicks(a, b, Math.min(5, target)).filter((t) => t.value > 0);
}
