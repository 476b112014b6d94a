/**
 * Euler–Maruyama for SDEs dx = f(t, x) dt + g(t) dW on a fixed grid (increasing or decreasing):
 *
 *   x_{k+1} = x_k + h f(t_k, x_k) + g(t_k) sqrt(|h|) xi,   h = t_{k+1} − t_k,  xi ~ N(0, I)
 *
 * and the two SDEs built from an interpolant x_t = alpha x0 + beta x1 (noise at t = 0, data at t = tEnd):
 *
 * Forward noising SDE (runs t downwards, data → noise; needed by the U-Turn). With
 *   f(t, x) = (beta'/beta) x,   g^2(t) = 2 alpha (alpha beta' − alpha' beta) / beta,
 * the law of x_t given x_{tEnd} = x1 is N(beta x1, alpha^2 I) at every t (mean scales as beta; the variance
 * a^2 obeys d(alpha^2)/dt = 2 (beta'/beta) alpha^2 − g^2). For the VP-SDE this is g^2 = rate(s), the familiar
 * dx = −rate/2 x ds + sqrt(rate) dW in diffusion time s = 1 − t (docs/method.md §4.5).
 *
 * Reverse (generative) SDE (runs t upwards) with the same g: f(t, x) = v(t, x) + (g^2 / 2) score(t, x), where v is
 * the probability-flow velocity and score = grad log p_t = −E[x0 | x]/alpha; it has the same marginals as the ODE.
 * For the VP-SDE it is the paper's sampler of §4.4.
 */
import type { Interpolant } from '../interpolant/interpolant.js';
import type { Rng } from '../random/rng.js';
import { checkGrid } from './grid.js';
import type { VectorField } from './ode.js';

export interface SdeOptions {
  drift: VectorField;
  /** Diffusion coefficient g(t) (not squared). */
  diffusion: (t: number) => number;
  x0: Float64Array;
  grid: ArrayLike<number>;
  rng: Rng;
  copy?: boolean;
  /** Add noise on the last step (the paper's sampler does; default true). */
  noiseOnLastStep?: boolean;
  onStep?: (k: number, t: number, x: Float64Array) => void;
}

export function integrateSde(opts: SdeOptions): Float64Array {
  const { drift, diffusion, grid, rng } = opts;
  checkGrid(grid);
  const x = opts.copy ? Float64Array.from(opts.x0) : opts.x0;
  const f = new Float64Array(x.length);
  const last = grid.length - 2;
  for (let k = 0; k + 1 < grid.length; k++) {
    const t = grid[k];
    const h = grid[k + 1] - t;
    drift(t, x, f);
    const noisy = k < last || opts.noiseOnLastStep !== false;
    const s = noisy ? diffusion(t) * Math.sqrt(Math.abs(h)) : 0;
    if (s !== 0) for (let i = 0; i < x.length; i++) x[i] += h * f[i] + s * rng.normal();
    else for (let i = 0; i < x.length; i++) x[i] += h * f[i];
    opts.onStep?.(k, grid[k + 1], x);
  }
  return x;
}

/** g^2(t) = 2 alpha (alpha beta' − alpha' beta) / beta of the noising SDE that matches the interpolant. */
export function noisingDiffusion2(interp: Interpolant, t: number): number {
  const c = interp.at(t);
  return (2 * c.alpha * (c.alpha * c.dBeta - c.dAlpha * c.beta)) / c.beta;
}

/** Drift (beta'/beta) x and diffusion of the forward noising SDE; integrate it on a decreasing grid. */
export function noisingSde(interp: Interpolant): { drift: VectorField; diffusion: (t: number) => number } {
  return {
    drift: (t, x, out) => {
      const c = interp.at(t);
      const r = c.dBeta / c.beta;
      for (let i = 0; i < x.length; i++) out[i] = r * x[i];
    },
    diffusion: (t) => Math.sqrt(Math.max(0, noisingDiffusion2(interp, t))),
  };
}

/**
 * Reverse SDE drift v + (g^2/2) score from a velocity field and a score field (both (t, x, out) => void),
 * with g^2 from `noisingDiffusion2` unless given.
 */
export function reverseSde(
  interp: Interpolant,
  velocity: VectorField,
  score: VectorField,
  diffusion2: (t: number) => number = (t) => noisingDiffusion2(interp, t),
): { drift: VectorField; diffusion: (t: number) => number } {
  let tmp = new Float64Array(0);
  return {
    drift: (t, x, out) => {
      if (tmp.length !== x.length) tmp = new Float64Array(x.length);
      velocity(t, x, out);
      score(t, x, tmp);
      const g2 = diffusion2(t);
      for (let i = 0; i < x.length; i++) out[i] += 0.5 * g2 * tmp[i];
    },
    diffusion: (t) => Math.sqrt(Math.max(0, diffusion2(t))),
  };
}
