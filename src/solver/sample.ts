/**
 * Generation with a learned (or exact) noise predictor eps(x_t, t) ≈ E[x0 | x_t], batch-wise and asynchronous (a
 * network may run on worker threads). From eps the sampler forms, for the interpolant x = alpha x0 + beta x1,
 *
 *   score    s = −eps/alpha
 *   velocity v = (beta'/beta) x + (alpha' − beta' alpha/beta) eps
 *
 * and integrates, on an increasing grid t_0 < ... < t_K (the drift is never evaluated at t_K):
 *   'sde' (Euler–Maruyama on the reverse SDE):  x += h [v + (g^2/2) s] + g sqrt(h) xi,  g^2 = 2 alpha (alpha beta' − alpha' beta)/beta
 *   'ode' (Heun on the probability-flow ODE):   the predictor–corrector of `solver/ode.ts`; 'euler' for plain Euler.
 * For the VP-SDE this is exactly the paper's sampler of docs/method.md §4.4:
 *   x += [rate/2 x − rate eps/alpha] dt + sqrt(rate dt) xi,   rate = beta(s) at s = 1 − t.
 * Where g^2 is infinite (t = 0 on paths with beta(0) = 0) that step is taken without noise.
 *
 * The few-step samplers of `fewStep.ts` work in the log-SNR lambda = log(beta/alpha) instead and take one model
 * evaluation per step (formulas, papers and the endpoint rules there):
 *   'ddim'     DDIM(eta) (Song et al. 2021): eta = 0 deterministic, eta = 1 ancestral (DDPM posterior variance);
 *   'dpm++2m'  DPM-Solver++(2M) (Lu et al. 2022), as diffusers' DPMSolverMultistepScheduler (dpmsolver++, order 2,
 *              midpoint, lower_order_final, final sigma zero).
 * All five methods integrate through the caller's grid; the real-data commands use `fewStepGrid(.., 'uniform')`
 * (equal steps in t from 0 to 1), diffusers' "linspace" spacing for the VP-SDE. Evaluations per image: 'ode' 2K − 1,
 * the others K (K = grid.length − 1).
 */
import type { Interpolant } from '../interpolant/interpolant.js';
import type { Rng } from '../random/rng.js';
import { noisingDiffusion2 } from './sde.js';
import { checkGrid } from './grid.js';
import { fewStepSample } from './fewStep.js';

/** eps(x, t): writes E[x0 | x_t] for a row-major (n, dim) batch; `t` holds one time per sample. */
export interface NoisePredictor {
  readonly dim: number;
  predict(x: Float64Array, t: Float64Array, out: Float64Array): void | Promise<void>;
}

export type GenerativeMethod = 'sde' | 'ode' | 'euler' | 'ddim' | 'dpm++2m';
export const GENERATIVE_METHODS: readonly GenerativeMethod[] = ['sde', 'ode', 'euler', 'ddim', 'dpm++2m'];

/** The methods that can draw fresh noise while generating (the U-Turn accepts only these). */
export const STOCHASTIC_METHODS: readonly GenerativeMethod[] = ['sde', 'ddim'];

/** Whether the method draws fresh noise while generating: 'sde', and 'ddim' with eta > 0. */
export function isStochastic(method: GenerativeMethod, eta = 0): boolean {
  return method === 'sde' || (method === 'ddim' && eta > 0);
}

/** Model evaluations per sample for a grid of `steps` steps. */
export function evaluationsPerSample(method: GenerativeMethod, steps: number): number {
  return method === 'ode' ? 2 * steps - 1 : steps;
}

export interface ReverseSampleOptions {
  interp: Interpolant;
  model: NoisePredictor;
  /** Row-major (n, dim) start state at grid[0]; integrated in place. */
  x: Float64Array;
  grid: ArrayLike<number>;
  method?: GenerativeMethod;
  /** DDIM's eta in [0, 1] (0 deterministic, 1 ancestral); only 'ddim' reads it. Default 0. */
  eta?: number;
  /** DPM-Solver++(2M): first-order final step on grids of fewer than 15 steps (default true, as diffusers). */
  lowerOrderFinal?: boolean;
  rng: Rng;
  onStep?: (k: number, steps: number) => void;
}

async function velocityAndScore(
  interp: Interpolant,
  model: NoisePredictor,
  t: number,
  x: Float64Array,
  tBuf: Float64Array,
  eps: Float64Array,
  outV: Float64Array,
  outDrift: Float64Array | null,
): Promise<number> {
  tBuf.fill(t);
  await model.predict(x, tBuf, eps);
  const c = interp.at(t);
  const gx = c.dBeta / c.beta;
  const ge = c.dAlpha - (c.dBeta * c.alpha) / c.beta;
  const g2 = outDrift ? noisingDiffusion2(interp, t) : 0;
  const noisy = outDrift !== null && Number.isFinite(g2);
  const se = noisy ? (0.5 * g2) / c.alpha : 0; // (g^2/2) * score = −(g^2/2) eps/alpha
  for (let i = 0; i < x.length; i++) {
    const v = gx * x[i] + ge * eps[i];
    outV[i] = v;
    if (outDrift) outDrift[i] = v - se * eps[i];
  }
  return noisy ? g2 : 0;
}

/** Integrate the generative dynamics through the grid; returns x (modified in place). */
export async function reverseSample(opts: ReverseSampleOptions): Promise<Float64Array> {
  const { interp, model, x, grid, rng } = opts;
  const method = opts.method ?? 'sde';
  if (method === 'ddim' || method === 'dpm++2m') {
    return fewStepSample({
      interp,
      model,
      x,
      grid,
      method,
      eta: opts.eta,
      lowerOrderFinal: opts.lowerOrderFinal,
      rng,
      onStep: opts.onStep,
    });
  }
  if (method !== 'sde' && method !== 'ode' && method !== 'euler') {
    throw new RangeError(
      `unknown generative method "${method as string}"; expected one of ${GENERATIVE_METHODS.join(', ')}`,
    );
  }
  checkGrid(grid);
  if (!(grid[grid.length - 1] > grid[0])) throw new RangeError('reverseSample needs an increasing time grid');
  const dim = model.dim;
  const n = x.length / dim;
  if (!Number.isInteger(n))
    throw new RangeError(`state length ${x.length} is not a multiple of the model dimension ${dim}`);
  const tBuf = new Float64Array(n);
  const eps = new Float64Array(x.length);
  const v1 = new Float64Array(x.length);
  const drift = method === 'sde' ? new Float64Array(x.length) : null;
  const v2 = method === 'ode' ? new Float64Array(x.length) : null;
  const tmp = method === 'ode' ? new Float64Array(x.length) : null;
  const steps = grid.length - 1;
  for (let k = 0; k < steps; k++) {
    const t = grid[k];
    const h = grid[k + 1] - t;
    const g2 = await velocityAndScore(interp, model, t, x, tBuf, eps, v1, drift);
    if (method === 'sde') {
      const s = g2 > 0 ? Math.sqrt(g2 * h) : 0;
      for (let i = 0; i < x.length; i++) x[i] += h * drift![i] + (s ? s * rng.normal() : 0);
    } else if (method === 'euler' || k === steps - 1) {
      // Heun's corrector would evaluate the model at the grid end (alpha = 0 for most paths): take an Euler step there.
      for (let i = 0; i < x.length; i++) x[i] += h * v1[i];
    } else {
      for (let i = 0; i < x.length; i++) tmp![i] = x[i] + h * v1[i];
      await velocityAndScore(interp, model, grid[k + 1], tmp!, tBuf, eps, v2!, null);
      for (let i = 0; i < x.length; i++) x[i] += 0.5 * h * (v1[i] + v2![i]);
    }
    opts.onStep?.(k + 1, steps);
  }
  return x;
}

/** Draw x_t = alpha(t) x0 + beta(t) x1 exactly (the law of the forward noising process at t given x1). */
export function noiseTo(interp: Interpolant, x1: Float64Array, t: number, rng: Rng): Float64Array {
  const { alpha, beta } = interp.at(t);
  const out = new Float64Array(x1.length);
  for (let i = 0; i < x1.length; i++) out[i] = beta * x1[i] + alpha * rng.normal();
  return out;
}
