/**
 * The paper's per-time-step two-layer autoencoder (docs/method.md §2.5–2.6) — definitions shared by every backend.
 *
 * Grid: t_j = j tEnd / T, j = 0..T-1, with interpolant coefficients alpha_j = alpha(t_j) (noise), beta_j = beta(t_j)
 * (data) and c0 = alpha(0) (the interpolant's `initStd`: 1 for linear/dilated, sqrt(d) for VE).
 *
 * Model at time j, parameters c_j, b_j in R and u_j, w_j in R^d:
 *   f_j(x) = c_j x + u_j tanh(b_j + <w_j, x> / (sqrt(d) c0))
 *
 * Training data: n fixed samples x1^mu (shape (n, d), row-major). Every epoch draws fresh noise z of shape (T, n, d)
 * and forms x^{j,mu} = alpha_j z^{j,mu} + beta_j x1^mu. Loss (the paper's `n * MSELoss`, mean over d n T entries):
 *   L = (1 / (d T)) sum_j sum_mu | f_j(x^{j,mu}) - x1^mu |^2
 * Gradients with K = 1/(d T), s = 1/(sqrt(d) c0), h = tanh(pre), pre = b_j + s <w_j, x>, r = f_j(x) - x1:
 *   dL/du_j = 2K sum_mu h r                     dL/dc_j = 2K sum_mu <x, r>
 *   dL/db_j = sum_mu g,  g = 2K (1 - h^2) <u_j, r>      dL/dw_j = s sum_mu g x
 * Initialisation (per time step, independently): c_j, b_j ~ N(0, 1); u_j, w_j ~ N(0, I_d).
 *
 * Shapes: c, b are (T); u, w are (T, d) row-major (u[j d + i]) — the `AeParams` layout of generate.ts.
 */
import type { Interpolant } from '../interpolant/interpolant.js';
import type { Rng } from '../random/rng.js';
import type { AeParams } from './generate.js';

export type { AeParams } from './generate.js';

/** What a backend needs to know about the schedule on the training grid. */
export interface AeGrid {
  d: number;
  T: number;
  /** c0 = alpha(0): the tanh scale is 1/(sqrt(d) c0). */
  c0: number;
  /** alpha(t_j), j = 0..T-1 */
  alpha: Float64Array;
  /** beta(t_j) */
  beta: Float64Array;
  /** t_j = j tEnd / T */
  t: Float64Array;
}

/** Sample the interpolant on the training grid t_j = j tEnd / T. */
export function makeGrid(interp: Interpolant, d: number, T: number): AeGrid {
  if (!(Number.isInteger(d) && d >= 1)) throw new RangeError(`d must be an integer >= 1, got ${d}`);
  if (!(Number.isInteger(T) && T >= 1)) throw new RangeError(`T must be an integer >= 1, got ${T}`);
  const alpha = new Float64Array(T);
  const beta = new Float64Array(T);
  const t = new Float64Array(T);
  for (let j = 0; j < T; j++) {
    t[j] = (j * interp.tEnd) / T;
    const c = interp.at(t[j]);
    alpha[j] = c.alpha;
    beta[j] = c.beta;
  }
  return { d, T, c0: interp.initStd, alpha, beta, t };
}

/** Zero parameters of the given shape. */
export function zeroParams(d: number, T: number): AeParams {
  return {
    T,
    d,
    c: new Float64Array(T),
    b: new Float64Array(T),
    u: new Float64Array(T * d),
    w: new Float64Array(T * d),
  };
}

/** Deep copy. */
export function cloneParams(p: AeParams): AeParams {
  return { T: p.T, d: p.d, c: p.c.slice(), b: p.b.slice(), u: p.u.slice(), w: p.w.slice() };
}

/**
 * The paper's initialisation from `rng` (the trainer passes `Rng.seeded(seed).split(0)`): c ~ N(0,1) from
 * split(0), b from split(1), u from split(2), w from split(3) — each in time-step order.
 */
export function initParams(rng: Rng, d: number, T: number): AeParams {
  const p = zeroParams(d, T);
  rng.split(0).fillNormal(p.c);
  rng.split(1).fillNormal(p.b);
  rng.split(2).fillNormal(p.u);
  rng.split(3).fillNormal(p.w);
  return p;
}
