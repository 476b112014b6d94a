/**
 * Scales: map data values to pixel positions (linear or log10), and domain helpers (validation, auto domains).
 */
import { linearTicks, logTicks, type Tick } from './ticks.js';

export type ScaleKind = 'linear' | 'log';

/** A data → pixel mapping. `map` returns NaN for a value the scale cannot place (non-finite, or ≤ 0 on a log scale). */
export interface Scale {
  readonly kind: ScaleKind;
  /** Data values mapped to range[0] and range[1] (may be decreasing, for a reversed axis). */
  readonly domain: readonly [number, number];
  /** Pixel positions of domain[0] and domain[1] (for a y axis usually [bottom, top]). */
  readonly range: readonly [number, number];
  map(v: number): number;
  /** Tick marks for this scale, about `target` major intervals. */
  ticks(target?: number): Tick[];
}

/**
 * Check a domain for the given scale kind and return it as a tuple. Throws a RangeError with a clear message
 * for non-finite ends, an empty domain (ends equal) or, on a log scale, a non-positive end.
 */
export function checkDomain(domain: readonly number[], kind: ScaleKind, what = 'axis'): [number, number] {
  if (domain.length !== 2) throw new RangeError(`${what}: a domain needs exactly two values, got ${domain.length}`);
  const [d0, d1] = domain as [number, number];
  if (!Number.isFinite(d0) || !Number.isFinite(d1))
    throw new RangeError(`${what}: domain must be finite, got [${d0}, ${d1}]`);
  if (d0 === d1) throw new RangeError(`${what}: domain is empty ([${d0}, ${d1}])`);
  if (kind === 'log' && !(d0 > 0 && d1 > 0)) {
    throw new RangeError(`${what}: a log scale needs a positive domain, got [${d0}, ${d1}]`);
  }
  return [d0, d1];
}

/** Linear scale: domain[0] → range[0], domain[1] → range[1], straight line in between (and beyond). */
export function linearScale(domain: readonly number[], range: readonly [number, number]): Scale {
  const [d0, d1] = checkDomain(domain, 'linear', 'linear scale');
  const [r0, r1] = range;
  const k = (r1 - r0) / (d1 - d0);
  return {
    kind: 'linear',
    domain: [d0, d1],
    range: [r0, r1],
    map: (v) => (Number.isFinite(v) ? r0 + (v - d0) * k : NaN),
    ticks: (target = 5) => linearTicks(d0, d1, target),
  };
}

/** Log10 scale (positive domain only; throws otherwise). Non-positive values map to NaN. */
export function logScale(domain: readonly number[], range: readonly [number, number]): Scale {
  const [d0, d1] = checkDomain(domain, 'log', 'log scale');
  const [r0, r1] = range;
  const l0 = Math.log10(d0);
  const k = (r1 - r0) / (Math.log10(d1) - l0);
  return {
    kind: 'log',
    domain: [d0, d1],
    range: [r0, r1],
    map: (v) => (v > 0 && Number.isFinite(v) ? r0 + (Math.log10(v) - l0) * k : NaN),
    ticks: (target = 6) => logTicks(d0, d1, target),
  };
}

/** A linear or log scale by name. */
export function makeScale(kind: ScaleKind, domain: readonly number[], range: readonly [number, number]): Scale {
  return kind === 'log' ? logScale(domain, range) : linearScale(domain, range);
}

/** Options for {@link autoDomain}. */
export interface AutoDomainOptions {
  /** Fraction of the span added on each side (of the log span on a log scale). Default 0.05, as matplotlib. */
  pad?: number;
  /** Force the domain to contain 0 (bar charts, histograms); linear only. Padding is not added on the zero side. */
  includeZero?: boolean;
  /** Name used in error messages, e.g. "y axis". */
  what?: string;
}

/**
 * A domain covering the finite values in `values` (positive finite values on a log scale), padded on both sides.
 * Empty input gives [0, 1] (linear) or [1, 10] (log); a single distinct value is widened around itself.
 * A log scale with values but none positive throws a RangeError asking for an explicit domain.
 */
export function autoDomain(values: Iterable<number>, kind: ScaleKind, opts: AutoDomainOptions = {}): [number, number] {
  const pad = opts.pad ?? 0.05;
  const what = opts.what ?? 'axis';
  let lo = Infinity;
  let hi = -Infinity;
  let seen = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    seen++;
    if (kind === 'log' && !(v > 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (kind === 'log') {
    if (lo > hi) {
      if (seen > 0)
        throw new RangeError(
          `${what}: a log scale needs positive data, but no value is > 0; pass an explicit positive domain`,
        );
      return [1, 10];
    }
    let l0 = Math.log10(lo);
    let l1 = Math.log10(hi);
    if (l0 === l1) {
      l0 -= 0.5;
      l1 += 0.5;
    } else {
      const p = (l1 - l0) * pad;
      l0 -= p;
      l1 += p;
    }
    return [10 ** l0, 10 ** l1];
  }
  if (lo > hi) return [0, 1];
  if (opts.includeZero) {
    if (lo > 0) lo = 0;
    if (hi < 0) hi = 0;
  }
  if (lo === hi) {
    const w = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    return [lo - w, hi + w];
  }
  const p = (hi - lo) * pad;
  const zeroLo = opts.includeZero && lo === 0;
  const zeroHi = opts.includeZero && hi === 0;
  return [zeroLo ? 0 : lo - p, zeroHi ? 0 : hi + p];
}
