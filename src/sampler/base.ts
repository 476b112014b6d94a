/**
 * The time-sampler interface and the shared base class.
 *
 * Time convention (whole project): t ∈ [0, 1], t = 0 is pure noise, t = 1 is data (x_t = α(t) x0 + β(t) x1 with
 * x0 ~ N(0, I) the noise). SD3 (Esser et al. 2024) and diffusers run the other way (their t or σ is the noise level,
 * 1 = noise): a draw t_SD3 becomes t = 1 − t_SD3 here. Every sampler below states how its formula was converted.
 */
import type { Rng } from '../random/rng.js';

/**
 * A distribution of training times with exact density, cdf and inverse cdf.
 *
 * `pdf` is 0 outside the support, `cdf` is 0 below and 1 above it, `quantile(u) = inf{t : cdf(t) ≥ u}` for
 * u ∈ (0, 1] and the lower end of the support for u = 0 (a RangeError for u outside [0, 1]). `sample(rng, n)` returns
 * n i.i.d. draws.
 *
 * Precision note: doubles near t = 1 are 1.1e-16 apart, so a density with an integrable singularity at 1 (Beta with
 * b < 1, mode(−1)) cannot resolve its extreme upper tail: cdf(quantile(u)) = u holds to 1e-9 except where the cdf
 * rises by more than that across one spacing.
 */
export interface TimeSampler {
  readonly name: string;
  /** JSON description for result files (plain numbers/strings/arrays only). */
  readonly params: Record<string, unknown>;
  /** Interval that carries the distribution; [0, 1] when absent (a `scaleToInterval` wrapper has [0, tEnd]). */
  readonly support?: readonly [number, number];
  /** Canonical `parseSampler` string that rebuilds this sampler, when there is one. */
  readonly spec?: string;
  /** n i.i.d. draws. */
  sample(rng: Rng, n: number): Float64Array;
  /** Density (0 outside the support). */
  pdf(t: number): number;
  /** Distribution function P(T ≤ t). */
  cdf(t: number): number;
  /** Inverse cdf on [0, 1]. */
  quantile(u: number): number;
}

/** Throws unless n is a non-negative safe integer. */
export function checkCount(who: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new RangeError(`${who}.sample: n must be a non-negative integer, got ${n}`);
}

/** Throws unless u ∈ [0, 1]. */
export function checkProbability(who: string, u: number): void {
  if (!(u >= 0 && u <= 1)) throw new RangeError(`${who}.quantile: u must be in [0, 1], got ${u}`);
}

/** Shortest decimal that round-trips (used in spec strings). */
export function fmt(x: number): string {
  return String(x);
}

/**
 * Base for samplers on [0, 1]: subclasses supply the density, distribution function and inverse on the unit interval;
 * this class handles arguments outside [0, 1], NaN, validation of `u`, and sampling by inversion.
 *
 * Sampling is by inversion, t_i = quantile(u_i) with u_i ~ U(0, 1) from `rng.uniformOpen()`: exactly one uniform per
 * draw, so the stream position after `sample(rng, n)` is the same for every sampler (samplers can be swapped without
 * shifting the rest of a seeded run) and the map u ↦ t is monotone (common random numbers across samplers).
 */
export abstract class UnitIntervalSampler implements TimeSampler {
  abstract readonly name: string;
  abstract readonly params: Record<string, unknown>;
  abstract readonly spec: string;
  readonly support: readonly [number, number] = [0, 1];

  /** Density at t ∈ [0, 1]. */
  protected abstract density(t: number): number;
  /** P(T ≤ t) for t ∈ [0, 1]. */
  protected abstract distribution(t: number): number;
  /** Inverse cdf for u ∈ [0, 1]. */
  protected abstract inverse(u: number): number;

  pdf(t: number): number {
    if (Number.isNaN(t)) return NaN;
    if (t < 0 || t > 1) return 0;
    return this.density(t);
  }

  cdf(t: number): number {
    if (Number.isNaN(t)) return NaN;
    if (t < 0) return 0;
    if (t >= 1) return 1;
    return Math.min(1, Math.max(0, this.distribution(t)));
  }

  quantile(u: number): number {
    checkProbability(this.name, u);
    return Math.min(1, Math.max(0, this.inverse(u)));
  }

  sample(rng: Rng, n: number): Float64Array {
    checkCount(this.name, n);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.quantile(rng.uniformOpen());
    return out;
  }
}
