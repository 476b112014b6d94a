/**
 * Interpolants `x_t = alpha(t) x0 + beta(t) x1` between noise `x0 ~ N(0, I)` (at t = 0) and data `x1` (at t = tEnd).
 *
 * This is the stochastic-interpolant convention of Albergo & Vanden-Eijnden and of the paper's GMM code
 * (docs/method.md §2.2: `a ≡ alpha` multiplies the noise, `b ≡ beta` the data). Generation runs from t = 0 to t = tEnd.
 *
 * SNR convention: `snr(t) = beta(t)^2 / alpha(t)^2` (signal-to-noise power ratio, as in VDM), `logSnr = log snr`.
 * It increases with t for every interpolant here.
 */

/** Values of the schedule at one time. */
export interface Coefficients {
  alpha: number;
  beta: number;
  dAlpha: number;
  dBeta: number;
}

export abstract class Interpolant {
  /** Short identifier, e.g. "linear", "dilated". */
  abstract readonly name: string;
  /** End time (data). Noise sits at t = 0. */
  abstract readonly tEnd: number;
  /** Parameters that define the schedule (recorded in result files). */
  abstract readonly params: Record<string, number | string>;

  /** alpha, beta and their time derivatives at t. */
  abstract at(t: number): Coefficients;

  alpha(t: number): number {
    return this.at(t).alpha;
  }
  beta(t: number): number {
    return this.at(t).beta;
  }
  dAlpha(t: number): number {
    return this.at(t).dAlpha;
  }
  dBeta(t: number): number {
    return this.at(t).dBeta;
  }
  /** Signal-to-noise power ratio beta^2 / alpha^2 (Infinity at the data end). */
  snr(t: number): number {
    const { alpha, beta } = this.at(t);
    return (beta * beta) / (alpha * alpha);
  }
  /** log(beta^2 / alpha^2). */
  logSnr(t: number): number {
    const { alpha, beta } = this.at(t);
    return 2 * (Math.log(Math.abs(beta)) - Math.log(Math.abs(alpha)));
  }
  /**
   * Standard deviation of the generator's starting noise, `alpha(0)` (the paper's `c0`: 1 for VP and dVP,
   * sqrt(d) for VE, docs/method.md §2.3). It is also the extra tanh scale of the paper's autoencoder.
   */
  get initStd(): number {
    return this.at(0).alpha;
  }
  /**
   * Time at which `logSnr(t) = target`, by bisection on [lo, hi] (logSnr is increasing).
   * Returns lo or hi when the target lies outside the range.
   */
  timeAtLogSnr(target: number, lo = 0, hi = this.tEnd): number {
    let a = lo;
    let b = hi;
    const f = (t: number) => this.logSnr(t);
    if (!(f(a) < target)) return a;
    if (!(f(b) > target)) return b;
    for (let i = 0; i < 200 && b - a > 1e-15 * Math.max(1, Math.abs(b)); i++) {
      const m = 0.5 * (a + b);
      if (f(m) < target) a = m;
      else b = m;
    }
    return 0.5 * (a + b);
  }
  /** JSON description for configs and result files. */
  describe(): { name: string; tEnd: number } & Record<string, number | string> {
    return { name: this.name, tEnd: this.tEnd, ...this.params };
  }
}
