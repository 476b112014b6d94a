/**
 * Concrete interpolants (docs/method.md §2.3, §4.2). All follow `x_t = alpha(t) x0 + beta(t) x1`, noise at t = 0.
 */
import { Interpolant, type Coefficients } from './interpolant.js';

function requirePositive(name: string, v: number): void {
  if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number, got ${v}`);
}

/** Linear interpolant, the paper's "VP": alpha = 1 - t, beta = t on [0, 1] (rectified flow / CondOT path). */
export class LinearInterpolant extends Interpolant {
  readonly name = 'linear';
  readonly tEnd = 1;
  readonly params = {};
  at(t: number): Coefficients {
    return { alpha: 1 - t, beta: t, dAlpha: -1, dBeta: 1 };
  }
}

/** Variance-exploding linear path of the paper: alpha = sqrt(d) (1 - t), beta = t on [0, 1] (noise of variance d). */
export class VeInterpolant extends Interpolant {
  readonly name = 've';
  readonly tEnd = 1;
  readonly params: { d: number };
  private readonly s: number;
  constructor(d: number) {
    super();
    requirePositive('d', d);
    this.params = { d };
    this.s = Math.sqrt(d);
  }
  at(t: number): Coefficients {
    return { alpha: this.s * (1 - t), beta: t, dAlpha: -this.s, dBeta: 1 };
  }
}

/** Trigonometric (cosine) path: alpha = cos(pi t / 2), beta = sin(pi t / 2); variance preserving. */
export class CosineInterpolant extends Interpolant {
  readonly name = 'cosine';
  readonly tEnd = 1;
  readonly params = {};
  at(t: number): Coefficients {
    const w = Math.PI / 2;
    return { alpha: Math.cos(w * t), beta: Math.sin(w * t), dAlpha: -w * Math.sin(w * t), dBeta: w * Math.cos(w * t) };
  }
}

/**
 * VP-SDE of Song et al. with the linear noise rate `beta(s) = betaMin + (betaMax - betaMin) s` in the diffusion's
 * own time s (s = 0 data, s = 1 noise), converted to our direction by t = 1 - s (docs/method.md §4.2):
 *
 *   signal  beta_t  = tau(1 - t),  tau(s) = exp(-(betaMin s + (betaMax - betaMin) s^2 / 2) / 2)
 *   noise   alpha_t = sqrt(1 - tau^2)
 *   d beta/dt = (rate(s) / 2) tau,   d alpha/dt = -beta (d beta/dt) / alpha     (s = 1 - t)
 *
 * At t = 0 a residual signal tau(1) remains (0.0066 for the defaults); at t = 1, alpha = 0 and dAlpha = -Infinity.
 */
export class VpSdeInterpolant extends Interpolant {
  readonly name = 'vpsde';
  readonly tEnd = 1;
  readonly params: { betaMin: number; betaMax: number };
  constructor(
    readonly betaMin = 0.1,
    readonly betaMax = 20,
  ) {
    super();
    if (!(betaMin >= 0 && betaMax > betaMin))
      throw new RangeError(`VP-SDE needs 0 <= betaMin < betaMax, got ${betaMin}, ${betaMax}`);
    this.params = { betaMin, betaMax };
  }
  /** Noise rate beta(s) in diffusion time s = 1 - t. */
  rate(s: number): number {
    return this.betaMin + (this.betaMax - this.betaMin) * s;
  }
  at(t: number): Coefficients {
    const s = 1 - t;
    const tau = Math.exp(-(this.betaMin * s + ((this.betaMax - this.betaMin) * s * s) / 2) / 2);
    const alpha = Math.sqrt(Math.max(0, 1 - tau * tau));
    const dBeta = (this.rate(s) / 2) * tau;
    const dAlpha = alpha > 0 ? (-tau * dBeta) / alpha : -Infinity;
    return { alpha, beta: tau, dAlpha, dBeta };
  }
}

/**
 * Any interpolant run on a new clock: `x_t = base(tau(t))` with `tau` piecewise linear through the knots
 * `(times[k], taus[k])`. Derivatives follow the chain rule, `d alpha/dt = alpha'(tau) tau'(t)`; at a knot the slope of
 * the segment on the right is used (the last knot takes the slope on its left), matching the paper's `t < 1 / t >= 1`.
 */
export class ReclockedInterpolant extends Interpolant {
  readonly name: string;
  readonly tEnd: number;
  readonly params: Record<string, number | string>;
  constructor(
    readonly base: Interpolant,
    readonly times: readonly number[],
    readonly taus: readonly number[],
    name = `reclocked-${base.name}`,
    params: Record<string, number | string> = {},
  ) {
    super();
    if (times.length < 2 || times.length !== taus.length)
      throw new RangeError('reclock needs >= 2 knots with matching times and taus');
    for (let k = 1; k < times.length; k++) {
      if (!(times[k] > times[k - 1])) throw new RangeError('reclock knot times must increase strictly');
      if (!(taus[k] > taus[k - 1])) throw new RangeError('reclock knot taus must increase strictly');
    }
    if (times[0] !== 0) throw new RangeError('reclock knot times must start at 0');
    this.name = name;
    this.tEnd = times[times.length - 1];
    this.params = { base: base.name, ...params };
  }
  private segment(t: number): number {
    const n = this.times.length;
    let k = 0;
    while (k < n - 2 && t >= this.times[k + 1]) k++;
    return k;
  }
  /** The clock tau(t). */
  tau(t: number): number {
    const k = this.segment(t);
    const slope = (this.taus[k + 1] - this.taus[k]) / (this.times[k + 1] - this.times[k]);
    return this.taus[k] + slope * (t - this.times[k]);
  }
  at(t: number): Coefficients {
    const k = this.segment(t);
    const slope = (this.taus[k + 1] - this.taus[k]) / (this.times[k + 1] - this.times[k]);
    const c = this.base.at(this.taus[k] + slope * (t - this.times[k]));
    return { alpha: c.alpha, beta: c.beta, dAlpha: c.dAlpha * slope, dBeta: c.dBeta * slope };
  }
}

/**
 * The paper's dilated VP ("dVP", docs/method.md §2.3) on [0, 2]: the linear interpolant on the clock
 *   tau(t) = kappa t / sqrt(d)                          for t in [0, 1)   (phase 1: the mode weight window)
 *   tau(t) = kappa / sqrt(d) + (1 - kappa/sqrt(d))(t-1)  for t in [1, 2]   (phase 2: the variance)
 * so alpha = 1 - tau, beta = tau. Requires kappa < sqrt(d).
 */
export function dilatedInterpolant(d: number, kappa = 2): ReclockedInterpolant {
  requirePositive('d', d);
  requirePositive('kappa', kappa);
  const edge = kappa / Math.sqrt(d);
  if (!(edge < 1)) throw new RangeError(`dilated schedule needs kappa < sqrt(d) (kappa=${kappa}, d=${d})`);
  return new ReclockedInterpolant(new LinearInterpolant(), [0, 1, 2], [0, edge, 1], 'dilated', { d, kappa });
}

export interface TimeDilationOptions {
  /** Window in the base interpolant's own time [tauLo, tauHi]. Give this or `logSnrWindow`. */
  timeWindow?: [number, number];
  /** Window as a log-SNR range [lo, hi] (log(beta^2/alpha^2)); converted to base time by bisection. */
  logSnrWindow?: [number, number];
  /** Fraction of the new time axis given to the window, in (0, 1). */
  share: number;
  /** End of the new time axis (default: the base's tEnd). */
  tEnd?: number;
}

/**
 * Time dilation of any interpolant: re-clock it piecewise linearly so that the chosen window takes the fraction
 * `share` of the new time axis [0, tEnd]; the time outside the window is split in proportion to its base length.
 * `timeDilate(linear, { timeWindow: [0, kappa/sqrt(d)], share: 0.5, tEnd: 2 })` is the paper's dVP.
 */
export function timeDilate(base: Interpolant, opts: TimeDilationOptions): ReclockedInterpolant {
  const { share } = opts;
  if (!(share > 0 && share < 1)) throw new RangeError(`share must lie in (0, 1), got ${share}`);
  const tEnd = opts.tEnd ?? base.tEnd;
  requirePositive('tEnd', tEnd);
  let lo: number, hi: number;
  if (opts.timeWindow) [lo, hi] = opts.timeWindow;
  else if (opts.logSnrWindow) [lo, hi] = opts.logSnrWindow.map((v) => base.timeAtLogSnr(v)) as [number, number];
  else throw new RangeError('timeDilate needs timeWindow or logSnrWindow');
  lo = Math.max(0, lo);
  hi = Math.min(base.tEnd, hi);
  if (!(hi > lo)) throw new RangeError(`dilation window is empty: [${lo}, ${hi}]`);
  const before = lo;
  const after = base.tEnd - hi;
  const outside = before + after;
  const inWindow = outside > 0 ? share * tEnd : tEnd;
  const times = [0];
  const taus = [0];
  if (before > 0) {
    times.push(((1 - share) * tEnd * before) / outside);
    taus.push(lo);
  }
  times.push(times[times.length - 1] + inWindow);
  taus.push(hi);
  if (after > 0) {
    times.push(tEnd);
    taus.push(base.tEnd);
  }
  times[times.length - 1] = tEnd;
  return new ReclockedInterpolant(base, times, taus, `dilated-${base.name}`, { share, windowLo: lo, windowHi: hi });
}

export type ScheduleName = 'linear' | 've' | 'dilated' | 'cosine' | 'vpsde';
export const SCHEDULE_NAMES: readonly ScheduleName[] = ['linear', 've', 'dilated', 'cosine', 'vpsde'];

export interface ScheduleOptions {
  d?: number;
  kappa?: number;
  betaMin?: number;
  betaMax?: number;
}

/** Build a named schedule (`linear` is the paper's VP, `dilated` its dVP). */
export function makeInterpolant(name: ScheduleName, opts: ScheduleOptions = {}): Interpolant {
  switch (name) {
    case 'linear':
      return new LinearInterpolant();
    case 've':
      return new VeInterpolant(opts.d ?? 1);
    case 'dilated':
      return dilatedInterpolant(opts.d ?? 1, opts.kappa ?? 2);
    case 'cosine':
      return new CosineInterpolant();
    case 'vpsde':
      return new VpSdeInterpolant(opts.betaMin ?? 0.1, opts.betaMax ?? 20);
    default:
      throw new RangeError(`unknown schedule "${name as string}"; expected one of ${SCHEDULE_NAMES.join(', ')}`);
  }
}
