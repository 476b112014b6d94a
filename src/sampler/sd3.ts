/**
 * The two non-Gaussian SD3 timestep densities (Esser et al. 2024, "Scaling Rectified Flow Transformers", §3.1),
 * converted to this project's time (t = 0 noise, t = 1 data). SD3's time t_SD3 is the noise level (t_SD3 = 1 noise),
 * so t = 1 − t_SD3. Both densities are symmetric about ½, so the *distributions* are the same in either direction;
 * the conversion only changes which uniform draw maps to which time.
 */
import { UnitIntervalSampler, fmt } from './base.js';
import { solveIncreasing } from './solve.js';

const HALF_PI = Math.PI / 2;

/** Smallest scale for which SD3's mode map is monotone. */
export const MODE_SCALE_MIN = -1;
/** Largest scale for which SD3's mode map is monotone: 2/(π − 2) ≈ 1.7519. */
export const MODE_SCALE_MAX = 2 / (Math.PI - 2);
/** Default mode scale of the SD3 training scripts in diffusers (`mode_scale = 1.29`). */
export const MODE_SCALE_DEFAULT = 1.29;

/**
 * SD3 "mode sampling with heavy tails". SD3 draws u ~ U(0, 1) and sets
 *   t_SD3 = f(u) = 1 − u − s·(cos²(πu/2) − 1 + u).
 * Here t = 1 − f(u) = g(u) with the increasing map
 *   g(u) = u + s·(u − sin²(πu/2)) = (1 + s) u − s sin²(πu/2),    g'(u) = 1 + s·(1 − (π/2) sin(πu)),
 * and g(0) = 0, g(1) = 1. g' ≥ 0 on [0, 1] iff −1 ≤ s ≤ 2/(π − 2) (the range SD3 states); outside it g folds back
 * and t would leave the unit interval's ordering, so those scales are rejected.
 *
 *   quantile(u) = g(u)                 (closed form; sampling is exact)
 *   cdf(t)      = g⁻¹(t)               (safeguarded Newton/bisection on g(u) = t)
 *   pdf(t)      = 1 / g'(g⁻¹(t))
 *
 * Because g(1 − u) = 1 − g(u), the density is symmetric about ½, with pdf(½) = 1/(1 + s(1 − π/2)): s > 0 puts a
 * mode at ½, s < 0 pushes mass to both ends (s = −1 gives g(u) = sin²(πu/2): the arcsine law Beta(½, ½)); s = 0 is
 * uniform. At s = 2/(π − 2) the density is infinite (integrably) at ½.
 */
export class ModeSampler extends UnitIntervalSampler {
  readonly name = 'mode';
  readonly params: Record<string, unknown>;
  readonly spec: string;
  constructor(readonly scale = MODE_SCALE_DEFAULT) {
    super();
    if (!(scale >= MODE_SCALE_MIN && scale <= MODE_SCALE_MAX)) {
      throw new RangeError(
        `mode: scale must be in [-1, 2/(π-2) ≈ ${MODE_SCALE_MAX.toFixed(4)}] (where SD3's map is monotone), got ${scale}`,
      );
    }
    this.params = { scale };
    this.spec = `mode:${fmt(scale)}`;
  }
  /** g(u) = (1 + s) u − s sin²(πu/2): project-time value of SD3's mode map at the uniform draw u. */
  map(u: number): number {
    const sn = Math.sin(HALF_PI * u);
    return (1 + this.scale) * u - this.scale * sn * sn;
  }
  /** g'(u) = 1 + s (1 − (π/2) sin(πu)). */
  mapDerivative(u: number): number {
    return 1 + this.scale * (1 - HALF_PI * Math.sin(Math.PI * u));
  }
  protected density(t: number): number {
    return 1 / this.mapDerivative(this.distribution(t));
  }
  protected distribution(t: number): number {
    if (t <= 0) return 0;
    if (t >= 1) return 1;
    if (this.scale === 0) return t;
    return solveIncreasing(
      (u) => this.map(u),
      (u) => this.mapDerivative(u),
      t,
      0,
      1,
      { x0: t },
    );
  }
  protected inverse(u: number): number {
    return this.map(u);
  }
}

/** SD3 mode(scale), −1 ≤ scale ≤ 2/(π − 2); default 1.29. */
export function modeSampler(scale = MODE_SCALE_DEFAULT): ModeSampler {
  return new ModeSampler(scale);
}

/**
 * SD3 "CosMap": SD3 draws u ~ U(0, 1) and sets t_SD3 = 1 − 1/(tan(πu/2) + 1), the time whose rectified-flow
 * log-SNR matches the cosine schedule's. Here t = 1 − t_SD3; using the symmetry u ↦ 1 − u (tan(π(1−u)/2) = 1/tan(πu/2))
 * the increasing quantile is the same expression:
 *
 *   quantile(u) = 1 − 1/(tan(πu/2) + 1) = sin(πu/2) / (sin(πu/2) + cos(πu/2))
 *   cdf(t)      = (2/π) · atan(t / (1 − t))
 *   pdf(t)      = 2 / (π · (t² + (1 − t)²)) = 2 / (π − 2πt + 2πt²)        (SD3 eq. for π_CosMap)
 *
 * Symmetric about ½, pdf(½) = 4/π, pdf(0) = pdf(1) = 2/π.
 */
export class CosmapSampler extends UnitIntervalSampler {
  readonly name = 'cosmap';
  readonly params: Record<string, unknown> = {};
  readonly spec = 'cosmap';
  protected density(t: number): number {
    return 2 / (Math.PI * (t * t + (1 - t) * (1 - t)));
  }
  protected distribution(t: number): number {
    return (2 / Math.PI) * Math.atan2(t, 1 - t);
  }
  protected inverse(u: number): number {
    const sn = Math.sin(HALF_PI * u);
    const cs = Math.cos(HALF_PI * u);
    return sn / (sn + cs);
  }
}

/** SD3 CosMap. */
export function cosmapSampler(): CosmapSampler {
  return new CosmapSampler();
}
