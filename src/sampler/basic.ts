/**
 * Uniform, logit-normal, EDM log-normal and Beta time samplers on [0, 1] (t = 0 noise, t = 1 data).
 */
import { UnitIntervalSampler, fmt } from './base.js';
import { logBeta, logit, normalCdf, normalPdf, normalQuantile, regIncBeta, sigmoid } from './special.js';
import { solveIncreasing } from './solve.js';

/** U(0, 1): pdf 1, cdf t, quantile u. The flow-matching default (Lipman et al.; the paper's baseline). */
export class UniformSampler extends UnitIntervalSampler {
  readonly name = 'uniform';
  readonly params: Record<string, unknown> = {};
  readonly spec = 'uniform';
  protected density(): number {
    return 1;
  }
  protected distribution(t: number): number {
    return t;
  }
  protected inverse(u: number): number {
    return u;
  }
}

/** U(0, 1). */
export function uniformSampler(): UniformSampler {
  return new UniformSampler();
}

function checkLogitNormal(who: string, loc: number, scale: number, locName: string, scaleName: string): void {
  if (!Number.isFinite(loc)) throw new RangeError(`${who}: ${locName} must be a finite number, got ${loc}`);
  if (!(Number.isFinite(scale) && scale > 0))
    throw new RangeError(`${who}: ${scaleName} must be finite and > 0, got ${scale}`);
}

/**
 * Logit-normal(m, s): t = σ(m + s·Z), Z ~ N(0, 1), σ the logistic function (SD3's "lognorm").
 *
 *   pdf(t)      = φ((logit t − m)/s) / (s · t · (1 − t))
 *   cdf(t)      = Φ((logit t − m)/s)
 *   quantile(u) = σ(m + s·Φ⁻¹(u)),     median σ(m)
 *
 * Direction: m is stated in this project's time (t = 1 data), so m > 0 favours the data side. SD3 writes the same
 * density for its noise-level time t_SD3 = 1 − t, and logit(1 − t) = −logit t, so SD3's lognorm(m, s) is
 * logit-normal(−m, s) here. SD3's default lognorm(0, 1) is symmetric and identical in both conventions.
 * (Check how a given training script uses its draw: diffusers' SD3 scripts use u as an index into a descending
 * timestep table, σ ≈ 1 − u, which already runs in this project's direction.)
 */
export class LogitNormalSampler extends UnitIntervalSampler {
  readonly name = 'logit-normal';
  readonly params: Record<string, unknown>;
  readonly spec: string;
  constructor(
    readonly m = 0,
    readonly s = 1,
  ) {
    super();
    checkLogitNormal('logit-normal', m, s, 'm', 's');
    this.params = { m, s };
    this.spec = `logit-normal:${fmt(m)},${fmt(s)}`;
  }
  protected density(t: number): number {
    if (t <= 0 || t >= 1) return 0;
    const z = (logit(t) - this.m) / this.s;
    return normalPdf(z) / (this.s * t * (1 - t));
  }
  protected distribution(t: number): number {
    if (t <= 0) return 0;
    return normalCdf((logit(t) - this.m) / this.s);
  }
  protected inverse(u: number): number {
    return sigmoid(this.m + this.s * normalQuantile(u));
  }
}

/** Logit-normal(m, s) in project time; SD3's lognorm(m, s) is `logitNormalSampler(-m, s)`. */
export function logitNormalSampler(m = 0, s = 1): LogitNormalSampler {
  return new LogitNormalSampler(m, s);
}

/**
 * EDM training noise levels (Karras et al. 2022): ln σ ~ N(P_mean, P_std²), defaults P_mean = −1.2, P_std = 1.2,
 * mapped to t through the noise-to-signal ratio of the linear interpolant x_t = (1 − t) x0 + t x1:
 * x_t / t = x1 + ((1 − t)/t) x0, so σ = (1 − t)/t and t = 1/(1 + σ).
 *
 * Since logit t = ln(t/(1 − t)) = −ln σ, this is exactly logit-normal(−P_mean, P_std):
 *
 *   pdf(t)      = φ((logit t + P_mean)/P_std) / (P_std · t · (1 − t))
 *   cdf(t)      = P(σ ≥ (1 − t)/t) = Φ((logit t + P_mean)/P_std)
 *   quantile(u) = σ(P_std·Φ⁻¹(u) − P_mean) = 1 / (1 + exp(P_mean − P_std·Φ⁻¹(u)))
 *
 * With the defaults the median is t = σ(1.2) ≈ 0.769 (σ = e^{−1.2} ≈ 0.30), i.e. EDM's emphasis on low noise.
 * (For other interpolants σ(t) differs; map through their own α/β.)
 */
export class EdmSampler extends UnitIntervalSampler {
  readonly name = 'edm';
  readonly params: Record<string, unknown>;
  readonly spec: string;
  constructor(
    readonly pMean = -1.2,
    readonly pStd = 1.2,
  ) {
    super();
    checkLogitNormal('edm', pMean, pStd, 'pMean', 'pStd');
    this.params = { pMean, pStd };
    this.spec = `edm:${fmt(pMean)},${fmt(pStd)}`;
  }
  protected density(t: number): number {
    if (t <= 0 || t >= 1) return 0;
    const z = (logit(t) + this.pMean) / this.pStd;
    return normalPdf(z) / (this.pStd * t * (1 - t));
  }
  protected distribution(t: number): number {
    if (t <= 0) return 0;
    return normalCdf((logit(t) + this.pMean) / this.pStd);
  }
  protected inverse(u: number): number {
    return sigmoid(this.pStd * normalQuantile(u) - this.pMean);
  }
}

/** EDM log-normal σ mapped to t = 1/(1 + σ); defaults P_mean = −1.2, P_std = 1.2. */
export function edmSampler(pMean = -1.2, pStd = 1.2): EdmSampler {
  return new EdmSampler(pMean, pStd);
}

/**
 * Beta(a, b) on [0, 1]:
 *
 *   pdf(t)      = t^{a−1} (1 − t)^{b−1} / B(a, b)
 *   cdf(t)      = I_t(a, b)  (regularised incomplete beta; continued fraction, Lentz)
 *   quantile(u) : solves I_t(a, b) = u by safeguarded Newton/bisection
 *   mean a/(a + b); a = b < 1 is U-shaped (both ends emphasised), a = b = ½ is the arcsine law.
 *
 * Direction: Beta(a, b) of the noise-level time 1 − t is Beta(b, a) here.
 */
export class BetaSampler extends UnitIntervalSampler {
  readonly name = 'beta';
  readonly params: Record<string, unknown>;
  readonly spec: string;
  private readonly logB: number;
  constructor(
    readonly a: number,
    readonly b: number,
  ) {
    super();
    if (!(Number.isFinite(a) && a > 0 && Number.isFinite(b) && b > 0)) {
      throw new RangeError(`beta: a and b must be finite and > 0, got a = ${a}, b = ${b}`);
    }
    this.logB = logBeta(a, b);
    this.params = { a, b };
    this.spec = `beta:${fmt(a)},${fmt(b)}`;
  }
  protected density(t: number): number {
    const { a, b } = this;
    if (t === 0) return a < 1 ? Infinity : a === 1 ? Math.exp(-this.logB) : 0;
    if (t === 1) return b < 1 ? Infinity : b === 1 ? Math.exp(-this.logB) : 0;
    return Math.exp((a - 1) * Math.log(t) + (b - 1) * Math.log1p(-t) - this.logB);
  }
  protected distribution(t: number): number {
    return regIncBeta(t, this.a, this.b);
  }
  protected inverse(u: number): number {
    if (u === 0) return 0;
    if (u === 1) return 1;
    const { a, b } = this;
    const mean = a / (a + b);
    // Start from the leading tail terms I_t ≈ t^a / (a B) near 0 and 1 − I_t ≈ (1 − t)^b / (b B) near 1.
    let x0: number;
    if (u < 0.5) x0 = Math.min(mean, Math.exp((Math.log(u) + Math.log(a) + this.logB) / a));
    else x0 = Math.max(mean, 1 - Math.exp((Math.log1p(-u) + Math.log(b) + this.logB) / b));
    if (!(x0 > 0 && x0 < 1)) x0 = mean;
    return solveIncreasing(
      (t) => regIncBeta(t, a, b),
      (t) => this.density(t),
      u,
      0,
      1,
      { x0 },
    );
  }
}

/** Beta(a, b), a, b > 0. */
export function betaSampler(a: number, b: number): BetaSampler {
  return new BetaSampler(a, b);
}
