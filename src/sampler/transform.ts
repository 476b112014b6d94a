/**
 * Wrappers and helpers around time samplers: rescaling to [0, tEnd], importance weights, stratified draws.
 */
import type { Rng } from '../random/rng.js';
import { type TimeSampler, checkCount, checkProbability, fmt } from './base.js';

function supportOf(s: TimeSampler): readonly [number, number] {
  return s.support ?? [0, 1];
}

/**
 * A sampler on [0, 1] stretched to [0, tEnd] (the paper's dilated schedule runs on t ∈ [0, 2], docs/method.md §2.3):
 * T = tEnd · t, so
 *
 *   pdf_T(x) = pdf(x / tEnd) / tEnd,    cdf_T(x) = cdf(x / tEnd),    quantile_T(u) = tEnd · quantile(u).
 *
 * The description is `{ name: 'scaled', params: { tEnd, base: { name, params } } }`, spec `<base spec>@<tEnd>`.
 */
export class ScaledSampler implements TimeSampler {
  readonly name = 'scaled';
  readonly params: Record<string, unknown>;
  readonly spec?: string;
  readonly support: readonly [number, number];
  constructor(
    readonly base: TimeSampler,
    readonly tEnd: number,
  ) {
    if (!(Number.isFinite(tEnd) && tEnd > 0)) throw new RangeError(`scaled: tEnd must be finite and > 0, got ${tEnd}`);
    const [a, b] = supportOf(base);
    this.support = [a * tEnd, b * tEnd];
    this.params = { tEnd, base: { name: base.name, params: base.params } };
    this.spec = base.spec ? `${base.spec}@${fmt(tEnd)}` : undefined;
  }
  pdf(t: number): number {
    return this.base.pdf(t / this.tEnd) / this.tEnd;
  }
  cdf(t: number): number {
    return this.base.cdf(t / this.tEnd);
  }
  quantile(u: number): number {
    checkProbability(this.name, u);
    return this.tEnd * this.base.quantile(u);
  }
  sample(rng: Rng, n: number): Float64Array {
    checkCount(this.name, n);
    const out = this.base.sample(rng, n);
    for (let i = 0; i < n; i++) out[i] *= this.tEnd;
    return out;
  }
}

/** `sampler` mapped from [0, 1] to [0, tEnd] (pdf, cdf and quantile adjusted). */
export function scaleToInterval(sampler: TimeSampler, tEnd: number): ScaledSampler {
  return new ScaledSampler(sampler, tEnd);
}

export interface ImportanceWeightOptions {
  /**
   * Clip weights at this value (variance control). Clipping makes the weighted loss biased towards `sampler`
   * wherever the cap binds. Default: no clipping.
   */
  maxWeight?: number;
  /** Number of grid points used to check that `target` has no mass where `sampler` has none; default 1000. */
  checkPoints?: number;
}

/**
 * Importance weight w(t) = target.pdf(t) / sampler.pdf(t).
 *
 * Two ways to use a non-uniform time sampler p (docs/method.md §6.1):
 * - **emphasis** (SD3/diffusers semantics): draw t ~ p and use the plain per-sample loss. The training objective
 *   becomes ∫ p(t) L(t) dt — the sampler *changes what is optimised*, weighting the chosen phase more. This is what
 *   the paper's phase-aware schedule does.
 * - **unbiased** (iDDPM / Kingma–Gao importance-sampling semantics): draw t ~ p and multiply each loss by w(t).
 *   Since E_p[w(T) L(T)] = ∫ q(t) L(t) dt, the objective is the *target's* (e.g. uniform), unchanged; only the
 *   Monte-Carlo variance of the gradient changes (lower when p ∝ q·|L|).
 *
 * Unbiasedness needs q ≪ p (no target mass where the sampler has none). This is checked on a grid over the target's
 * support: a RangeError names a time where q > 0 = p. w(t) = 0 where q(t) = 0, and +∞ where only p(t) = 0 (such t
 * has sampler probability 0).
 */
export function importanceWeight(
  sampler: TimeSampler,
  target: TimeSampler,
  options: ImportanceWeightOptions = {},
): (t: number) => number {
  const maxWeight = options.maxWeight ?? Infinity;
  if (!(maxWeight > 0)) throw new RangeError(`importanceWeight: maxWeight must be > 0, got ${maxWeight}`);
  const points = options.checkPoints ?? 1000;
  if (!(Number.isInteger(points) && points >= 0)) {
    throw new RangeError(`importanceWeight: checkPoints must be a non-negative integer, got ${points}`);
  }
  const [a, b] = supportOf(target);
  for (let i = 0; i < points; i++) {
    // Interior grid (the midpoints of `points` equal cells) so that isolated endpoint values do not matter.
    const t = a + ((i + 0.5) / points) * (b - a);
    if (target.pdf(t) > 0 && !(sampler.pdf(t) > 0)) {
      throw new RangeError(
        `importanceWeight: target "${target.name}" has density at t = ${+t.toPrecision(6)} where sampler "${sampler.name}" has none; the weighted loss cannot be unbiased`,
      );
    }
  }
  return (t: number) => {
    const q = target.pdf(t);
    if (q === 0) return 0;
    const p = sampler.pdf(t);
    return Math.min(maxWeight, q / p);
  };
}

/** Weights w(t_i) for a batch of times (see `importanceWeight`). */
export function importanceWeights(
  sampler: TimeSampler,
  target: TimeSampler,
  ts: ArrayLike<number>,
  options: ImportanceWeightOptions = {},
): Float64Array {
  const w = importanceWeight(sampler, target, options);
  const out = new Float64Array(ts.length);
  for (let i = 0; i < ts.length; i++) out[i] = w(ts[i]);
  return out;
}

/**
 * Stratified draws: t_i = quantile((i + u_i) / n), u_i ~ U(0, 1), i = 0 … n − 1 — one draw per probability stratum,
 * returned in increasing order. Each t_i has the sampler's distribution marginally when i is picked at random, the
 * batch mean of any loss is unbiased, and its variance is never larger than with i.i.d. draws (a batch of
 * 32 from the paper's MNIST schedule gets 16 ± 1 window times instead of Binomial(32, ½)). Consumes n uniforms.
 */
export function sampleStratified(sampler: TimeSampler, rng: Rng, n: number): Float64Array {
  checkCount(sampler.name, n);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = sampler.quantile(Math.min(1, (i + rng.uniform()) / n));
  return out;
}
