/**
 * The two-mode Gaussian mixture of the paper (docs/method.md §2.1) and its exact (Bayes) flow oracle (§2.4):
 *
 *   rho = p N(mu, sigma^2 I_d) + (1 - p) N(-mu, sigma^2 I_d),   x1 = s mu + sigma eta,  P(s = +1) = p
 *
 * For an interpolant x = alpha x0 + beta x1 (x0 ~ N(0, I)), with V = alpha^2 + beta^2 sigma^2 and h = artanh(2p - 1):
 *
 *   E[s | x]   = tanh(h + beta <x, mu> / V)
 *   E[x1 | x]  = (beta sigma^2 / V) x + (alpha^2 / V) mu E[s | x]                      (Bayes denoiser)
 *   v(t, x)    = alpha' E[x0|x] + beta' E[x1|x]
 *              = ((alpha alpha' + beta beta' sigma^2) / V) x + (alpha (alpha beta' - alpha' beta) / V) mu E[s | x]
 *
 * The last form has no 1/alpha and so stays finite at the data end. Because the field is linear in x apart from a
 * term along mu that depends only on <x, mu>, the flow reduces exactly to one coordinate along mu plus a linear
 * (sample-independent) gain orthogonal to it — see `exactFlow.ts`.
 */
import type { Coefficients } from '../interpolant/interpolant.js';
import type { Rng } from '../random/rng.js';

export interface MixtureOptions {
  /** Dimension d (>= 1). */
  d: number;
  /** Weight of the +mu mode, in (0, 1). Default 0.8. */
  p?: number;
  /** Per-coordinate standard deviation of each mode, > 0. Default 1. */
  sigma?: number;
  /** Mode centre; default the all-ones vector (|mu|^2 = d). */
  mu?: Float64Array;
}

export class GaussianMixture {
  readonly d: number;
  readonly p: number;
  readonly sigma: number;
  readonly mu: Float64Array;
  /** |mu|^2 */
  readonly muNorm2: number;
  /** h = artanh(2p - 1) = log(p / (1 - p)) / 2 */
  readonly h: number;

  constructor(opts: MixtureOptions) {
    const { d } = opts;
    const p = opts.p ?? 0.8;
    const sigma = opts.sigma ?? 1;
    if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`d must be an integer >= 1, got ${d}`);
    if (!(p > 0 && p < 1)) throw new RangeError(`p must lie in (0, 1), got ${p}`);
    if (!(sigma > 0 && Number.isFinite(sigma))) throw new RangeError(`sigma must be > 0, got ${sigma}`);
    this.d = d;
    this.p = p;
    this.sigma = sigma;
    if (opts.mu && opts.mu.length !== d) throw new RangeError(`mu has length ${opts.mu.length}, expected d = ${d}`);
    this.mu = opts.mu ?? new Float64Array(d).fill(1);
    let s = 0;
    for (let i = 0; i < d; i++) s += this.mu[i] * this.mu[i];
    this.muNorm2 = s;
    this.h = 0.5 * Math.log(p / (1 - p));
  }

  /**
   * Draw n samples into a row-major (n, d) array; returns the samples and their labels s in {+1, -1}.
   */
  sample(rng: Rng, n: number): { x: Float64Array; s: Int8Array } {
    const { d, mu, sigma } = this;
    const x = new Float64Array(n * d);
    const s = new Int8Array(n);
    for (let k = 0; k < n; k++) {
      const sk = rng.uniform() < this.p ? 1 : -1;
      s[k] = sk;
      const row = k * d;
      for (let i = 0; i < d; i++) x[row + i] = sk * mu[i] + sigma * rng.normal();
    }
    return { x, s };
  }

  /** Posterior mean of the label, E[s | x_t = x], given <x, mu>. */
  posteriorSign(c: Coefficients, xDotMu: number): number {
    const V = c.alpha * c.alpha + c.beta * c.beta * this.sigma * this.sigma;
    return Math.tanh(this.h + (c.beta * xDotMu) / V);
  }

  /** Coefficients (cx, cmu) with E[x1 | x] = cx x + cmu mu, for one sample with <x, mu> = xDotMu. */
  denoiserCoefficients(c: Coefficients, xDotMu: number): { cx: number; cmu: number } {
    const s2 = this.sigma * this.sigma;
    const V = c.alpha * c.alpha + c.beta * c.beta * s2;
    return { cx: (c.beta * s2) / V, cmu: ((c.alpha * c.alpha) / V) * Math.tanh(this.h + (c.beta * xDotMu) / V) };
  }

  /** Coefficients (cx, cmu) with v(t, x) = cx x + cmu mu. */
  velocityCoefficients(c: Coefficients, xDotMu: number): { cx: number; cmu: number } {
    const s2 = this.sigma * this.sigma;
    const V = c.alpha * c.alpha + c.beta * c.beta * s2;
    const es = Math.tanh(this.h + (c.beta * xDotMu) / V);
    return {
      cx: (c.alpha * c.dAlpha + c.beta * c.dBeta * s2) / V,
      cmu: ((c.alpha * (c.alpha * c.dBeta - c.dAlpha * c.beta)) / V) * es,
    };
  }

  private apply(xs: Float64Array, out: Float64Array, coef: (dot: number) => { cx: number; cmu: number }): Float64Array {
    const { d, mu } = this;
    const n = xs.length / d;
    if (!Number.isInteger(n)) throw new RangeError(`array length ${xs.length} is not a multiple of d = ${d}`);
    for (let k = 0; k < n; k++) {
      const row = k * d;
      let dot = 0;
      for (let i = 0; i < d; i++) dot += xs[row + i] * mu[i];
      const { cx, cmu } = coef(dot);
      for (let i = 0; i < d; i++) out[row + i] = cx * xs[row + i] + cmu * mu[i];
    }
    return out;
  }

  /** Bayes denoiser E[x1 | x_t] for a row-major (n, d) batch. */
  denoise(c: Coefficients, xs: Float64Array, out: Float64Array = new Float64Array(xs.length)): Float64Array {
    return this.apply(xs, out, (dot) => this.denoiserCoefficients(c, dot));
  }

  /** Exact probability-flow velocity v(t, x) for a row-major (n, d) batch. */
  velocity(c: Coefficients, xs: Float64Array, out: Float64Array = new Float64Array(xs.length)): Float64Array {
    return this.apply(xs, out, (dot) => this.velocityCoefficients(c, dot));
  }

  /** Score grad log p_t(x) = (beta E[x1|x] - x) / alpha^2 for a row-major (n, d) batch. */
  score(c: Coefficients, xs: Float64Array, out: Float64Array = new Float64Array(xs.length)): Float64Array {
    const a2 = c.alpha * c.alpha;
    return this.apply(xs, out, (dot) => {
      const { cx, cmu } = this.denoiserCoefficients(c, dot);
      return { cx: (c.beta * cx - 1) / a2, cmu: (c.beta * cmu) / a2 };
    });
  }

  /** Marginal log-density of x_t (up to nothing: exact), for tests and likelihoods. */
  logDensity(c: Coefficients, x: Float64Array): number {
    const { d, mu } = this;
    const V = c.alpha * c.alpha + c.beta * c.beta * this.sigma * this.sigma;
    let r2p = 0,
      r2m = 0;
    for (let i = 0; i < d; i++) {
      const ep = x[i] - c.beta * mu[i];
      const em = x[i] + c.beta * mu[i];
      r2p += ep * ep;
      r2m += em * em;
    }
    const lp = Math.log(this.p) - r2p / (2 * V);
    const lm = Math.log(1 - this.p) - r2m / (2 * V);
    const top = Math.max(lp, lm);
    return top + Math.log(Math.exp(lp - top) + Math.exp(lm - top)) - (d / 2) * Math.log(2 * Math.PI * V);
  }

  describe(): { d: number; p: number; sigma: number; muNorm2: number } {
    return { d: this.d, p: this.p, sigma: this.sigma, muNorm2: this.muNorm2 };
  }
}
