/**
 * Few-step samplers for noise predictors, written in the log-SNR of any interpolant x = alpha x0 + beta x1
 * (x0 ~ N(0, I) the noise, x1 the data; generation runs forward in t):
 *
 *   half log-SNR     lambda(t) = log(beta / alpha)        (increasing in t; diffusers' log(alpha_t / sigma_t))
 *   noise pred.      eps = eps(x, t) ≈ E[x0 | x_t = x]
 *   data pred.       xhat = (x − alpha eps) / beta         (≈ E[x1 | x_t = x])
 *
 * One step goes from s = t_k to t = t_{k+1} (s < t, alpha_s > 0, beta_s > 0), with h = lambda_t − lambda_s > 0 and
 * e^{−h} = (alpha_t beta_s) / (alpha_s beta_t), computed from the ratio so that it is exactly 0 when alpha_t = 0.
 *
 * **DDIM(eta)** (Song, Meng & Ermon 2021, "Denoising Diffusion Implicit Models", eq. 12 and 16):
 *
 *   x_t = beta_t xhat + sqrt(alpha_t^2 − sigma_t^2) eps + sigma_t xi,   xi ~ N(0, I)
 *   sigma_t = eta alpha_t sqrt(1 − e^{−2h}),   eta in [0, 1].
 *
 * sigma_t^2 = alpha_t^2 (1 − e^{−2h}) (eta = 1) is the variance of the forward process's posterior
 * q(x_t | x_s, x1) for the Markov noising kernel x_s = (beta_s/beta_t) x_t + N(0, alpha_s^2 − (beta_s/beta_t)^2 alpha_t^2):
 * eta = 1 is ancestral sampling (DDPM with the posterior variance beta-tilde, Ho et al. 2020), eta = 0 the
 * deterministic DDIM, which equals the first-order DPM-Solver(++) and is a first-order method for the
 * probability-flow ODE. For the VP case (alpha^2 + beta^2 = 1, alphā = beta^2) the formula is Song et al.'s
 * sigma = eta sqrt((1 − alphā_prev)/(1 − alphā_t)) sqrt(1 − alphā_t/alphā_prev) and that of diffusers' DDIMScheduler.
 *
 * **DPM-Solver++(2M)** (Lu, Zhou, Bao, Chen, Li & Zhu 2022, "DPM-Solver++: Fast Solver for Guided Sampling of
 * Diffusion Probabilistic Models", Algorithm 2), the multistep second-order exponential integrator of the
 * probability-flow ODE in data prediction, as diffusers' DPMSolverMultistepScheduler with
 * `algorithm_type="dpmsolver++"`, `solver_order=2`, `solver_type="midpoint"`, `lower_order_final=True`,
 * `final_sigmas_type="zero"`, no thresholding. With m_k = xhat(x_k, t_k), h_k = lambda_{k+1} − lambda_k and
 * r_k = h_{k−1} / h_k:
 *
 *   first order (k = 0, or the final step, see below):
 *     x_{k+1} = (alpha_{k+1}/alpha_k) x_k + beta_{k+1} (1 − e^{−h_k}) m_k
 *   second order (midpoint form):
 *     D0 = m_k,  D1 = (m_k − m_{k−1}) / r_k
 *     x_{k+1} = (alpha_{k+1}/alpha_k) x_k + beta_{k+1} (1 − e^{−h_k}) (D0 + D1 / 2)
 *
 * **The data end.** When the grid ends where alpha = 0 (t = tEnd on the linear, dilated and VP-SDE paths; alpha below
 * 1e-8 alpha(grid[0]) counts as 0, which covers the cosine path's cos(pi/2) ≈ 6e-17) lambda = +∞ and e^{−h} = 0: the
 * final step of both methods is x = beta_end xhat, the jump to the data prediction (diffusers' `final_sigmas_type="zero"`;
 * DDIM's `set_alpha_to_one=True`). DPM-Solver++(2M) takes that step, and, as `lower_order_final` does, its final step
 * on grids of fewer than 15 steps, at first order. The step to alpha = 0 costs an error of order
 * (alpha/beta)^2 at the last interior time: O(1/N^2) on paths where alpha vanishes linearly (linear, cosine, dilated)
 * on a uniform grid of N steps, but O(1/N) (with a small constant, betaMin/2) on the VP-SDE, where alpha ~ sqrt(betaMin (1 − t)).
 *
 * **The noise end.** Both need beta > 0 where the model is evaluated (xhat divides by beta). Paths with beta(0) = 0
 * (linear, cosine, VE, dilated) must start at some t > 0 (`fewStepGrid`'s `start`); the VP-SDE has beta(0) = 0.0066 > 0.
 *
 * Shapes: x is a row-major (n, dim) batch, integrated in place; the model is called once per step with one time per row.
 * The only randomness is xi (DDIM with eta > 0), drawn from `rng.split(k)` at step k.
 */
import type { Interpolant } from '../interpolant/interpolant.js';
import type { Rng } from '../random/rng.js';
import { checkGrid } from './grid.js';
import type { NoisePredictor } from './sample.js';

export type FewStepMethod = 'ddim' | 'dpm++2m';
export const FEW_STEP_METHODS: readonly FewStepMethod[] = ['ddim', 'dpm++2m'];

/** alpha below this fraction of alpha(grid[0]) counts as the data end (alpha = 0). */
export const ZERO_ALPHA = 1e-8;

/** diffusers' `lower_order_final` applies below this many steps. */
export const LOWER_ORDER_FINAL_BELOW = 15;

export interface FewStepOptions {
  interp: Interpolant;
  model: NoisePredictor;
  /** Row-major (n, dim) start state at grid[0]; integrated in place. */
  x: Float64Array;
  /** Increasing times; beta > 0 at every point, alpha > 0 at all but possibly the last. */
  grid: ArrayLike<number>;
  method: FewStepMethod;
  /** DDIM's eta in [0, 1] (0 deterministic, 1 ancestral); ignored by dpm++2m. Default 0. */
  eta?: number;
  /** DPM-Solver++(2M): final step at first order on grids of fewer than 15 steps (default true, as diffusers). */
  lowerOrderFinal?: boolean;
  rng: Rng;
  onStep?: (k: number, steps: number) => void;
}

/** Whether a step to this alpha lands on the data end (lambda = +∞). */
function atDataEnd(alpha: number, alpha0: number): boolean {
  return !(alpha > ZERO_ALPHA * alpha0);
}

/** Checks eta in [0, 1]; returns it. */
export function checkEta(eta: number): number {
  if (!(Number.isFinite(eta) && eta >= 0 && eta <= 1)) throw new RangeError(`eta must lie in [0, 1], got ${eta}`);
  return eta;
}

/**
 * DDIM(eta) or DPM-Solver++(2M) through the grid (formulas above); returns x, modified in place.
 * Costs one model evaluation per step (grid.length − 1 in all), never at the last grid point.
 */
export async function fewStepSample(opts: FewStepOptions): Promise<Float64Array> {
  const { interp, model, x, grid, method, rng } = opts;
  const eta = checkEta(opts.eta ?? 0);
  const lowerOrderFinal = opts.lowerOrderFinal ?? true;
  checkGrid(grid);
  if (!(grid[grid.length - 1] > grid[0])) throw new RangeError(`${method} needs an increasing time grid`);
  const dim = model.dim;
  const n = x.length / dim;
  if (!Number.isInteger(n))
    throw new RangeError(`state length ${x.length} is not a multiple of the model dimension ${dim}`);
  const steps = grid.length - 1;
  const alpha0 = interp.at(grid[0]).alpha;
  for (let k = 0; k < steps; k++) {
    const c = interp.at(grid[k]);
    if (!(c.alpha > 0 && c.beta > 0) || (k > 0 && atDataEnd(c.alpha, alpha0))) {
      throw new RangeError(
        `${method}: the model is evaluated at t = ${grid[k]}, where alpha = ${c.alpha} and beta = ${c.beta}; both must be > 0 (start paths with beta(0) = 0 at some t > 0)`,
      );
    }
  }
  const tBuf = new Float64Array(n);
  const eps = new Float64Array(x.length);
  const m = new Float64Array(x.length); // data prediction at the current step
  const mPrev = method === 'dpm++2m' ? new Float64Array(x.length) : null;
  let hPrev = NaN;
  for (let k = 0; k < steps; k++) {
    const cs = interp.at(grid[k]);
    const ct = interp.at(grid[k + 1]);
    const end = atDataEnd(ct.alpha, alpha0);
    const alphaT = end ? 0 : ct.alpha;
    tBuf.fill(grid[k]);
    await model.predict(x, tBuf, eps);
    for (let i = 0; i < x.length; i++) m[i] = (x[i] - cs.alpha * eps[i]) / cs.beta;
    // e^{-h} from the ratio (exactly 0 at the data end); 1 − e^{−h} via expm1 when h is small.
    const h = end ? Infinity : Math.log(ct.beta / alphaT) - Math.log(cs.beta / cs.alpha);
    const emh = end ? 0 : (alphaT * cs.beta) / (cs.alpha * ct.beta);
    const oneMinus = end ? 1 : -Math.expm1(-h);
    if (method === 'ddim') {
      // sigma^2 = eta^2 alpha_t^2 (1 − e^{−2h});  coefficient of eps sqrt(alpha_t^2 − sigma^2).
      const sigma = eta * alphaT * Math.sqrt(Math.max(0, 1 - emh * emh));
      const ce = alphaT * Math.sqrt(Math.max(0, 1 - eta * eta * (1 - emh * emh)));
      const noise = sigma > 0 ? rng.split(k) : null;
      for (let i = 0; i < x.length; i++) x[i] = ct.beta * m[i] + ce * eps[i] + (noise ? sigma * noise.normal() : 0);
    } else {
      const ratio = alphaT / cs.alpha;
      const cm = ct.beta * oneMinus;
      const firstOrder = k === 0 || end || (lowerOrderFinal && k === steps - 1 && steps < LOWER_ORDER_FINAL_BELOW);
      if (firstOrder) {
        for (let i = 0; i < x.length; i++) x[i] = ratio * x[i] + cm * m[i];
      } else {
        const half = (0.5 * h) / hPrev; // D1 / 2 = (m − mPrev) h / (2 h_prev)
        for (let i = 0; i < x.length; i++) x[i] = ratio * x[i] + cm * (m[i] + half * (m[i] - mPrev![i]));
      }
      mPrev!.set(m);
      hPrev = h;
    }
    opts.onStep?.(k + 1, steps);
  }
  return x;
}

export type GridSpacing = 'uniform' | 'logsnr' | 'karras';
export const GRID_SPACINGS: readonly GridSpacing[] = ['uniform', 'logsnr', 'karras'];

/** Karras et al.'s rho (their eq. 5 and diffusers' `use_karras_sigmas`). */
export const KARRAS_RHO = 7;

export interface FewStepGridOptions {
  /** 'uniform' (default): equal steps in t; 'logsnr': equal steps in lambda = log(beta/alpha); 'karras': rho = 7. */
  spacing?: GridSpacing;
  /** First time (default 0; must have beta > 0 for ddim / dpm++2m). */
  start?: number;
  /** Last time (default interp.tEnd). */
  end?: number;
  /**
   * 'karras' when `end` is the data end: the smallest noise-to-signal ratio sigma = alpha/beta before the final jump.
   * Default sigma(end − (end − start)/1000), the last time of a 1000-step training discretisation (diffusers' sigma at
   * timestep 0: 0.0105 on the VP-SDE, where diffusers' DDPM schedule gives 0.0100).
   */
  sigmaMin?: number;
}

/**
 * An increasing grid of `steps` steps (steps + 1 points) from `start` to `end` for the few-step samplers.
 *
 * 'uniform' (the default of every method): t_k = start + k (end − start)/steps. For the VP-SDE this is diffusers'
 *   `timestep_spacing="linspace"` (equal steps in the training timestep) with `final_sigmas_type="zero"`: the last
 *   step goes to the data end.
 * 'logsnr': equal steps in lambda, diffusers' `use_lu_lambdas=True` (the spacing the DPM-Solver papers recommend for
 *   small images). If alpha(end) > 0, lambda runs evenly from lambda(start) to lambda(end). If end is the data end
 *   (lambda = +∞), t_0..t_{steps−1} run evenly in lambda from lambda(start) to lambda(t*), t* = end − (end − start)/steps
 *   (the last interior point of the uniform grid, so both grids shrink the final step alike), and t_steps = end.
 * 'karras': Karras et al. (2022, "Elucidating the Design Space of Diffusion-Based Generative Models", eq. 5) in the
 *   noise-to-signal ratio sigma = alpha/beta = e^{−lambda}, diffusers' `use_karras_sigmas=True` ("DPM++ 2M Karras"):
 *   sigma_k = (sigmaMax^{1/rho} + k/(K−1) (sigmaMin^{1/rho} − sigmaMax^{1/rho}))^rho, k = 0..K−1, rho = 7, with
 *   sigmaMax = sigma(start). At a data end K = steps (the points run to `sigmaMin`, then one final step to `end`);
 *   otherwise K = steps + 1 and sigmaMin = sigma(end). Steps crowd towards the data end.
 */
export function fewStepGrid(interp: Interpolant, steps: number, opts: FewStepGridOptions = {}): Float64Array {
  if (!(Number.isInteger(steps) && steps >= 1))
    throw new RangeError(`a grid needs an integer number of steps >= 1, got ${steps}`);
  const start = opts.start ?? 0;
  const end = opts.end ?? interp.tEnd;
  if (!(end > start)) throw new RangeError(`grid end ${end} must exceed its start ${start}`);
  const spacing = opts.spacing ?? 'uniform';
  const g = new Float64Array(steps + 1);
  for (let k = 0; k <= steps; k++) g[k] = start + ((end - start) * k) / steps;
  g[steps] = end;
  if (spacing === 'uniform' || steps === 1) return g;
  if (spacing === 'karras') return karrasGrid(interp, steps, start, end, g, opts.sigmaMin);
  if (spacing !== 'logsnr')
    throw new RangeError(`unknown grid spacing "${spacing as string}"; expected ${GRID_SPACINGS.join(' or ')}`);
  const half = (t: number) => 0.5 * interp.logSnr(t);
  const lo = half(start);
  if (!Number.isFinite(lo))
    throw new RangeError(`logsnr spacing needs alpha > 0 and beta > 0 at the start t = ${start}`);
  const endFinite = Number.isFinite(half(end)) && !atDataEnd(interp.at(end).alpha, interp.at(start).alpha);
  const last = endFinite ? steps : steps - 1; // index of the last point placed evenly in lambda
  const hi = half(g[last]);
  for (let k = 1; k < last; k++) g[k] = interp.timeAtLogSnr(2 * (lo + ((hi - lo) * k) / last), start, g[last]);
  return g;
}

function karrasGrid(
  interp: Interpolant,
  steps: number,
  start: number,
  end: number,
  g: Float64Array,
  sigmaMinOpt?: number,
): Float64Array {
  const sigmaOf = (t: number) => interp.at(t).alpha / interp.at(t).beta;
  const sigmaMax = sigmaOf(start);
  if (!(Number.isFinite(sigmaMax) && sigmaMax > 0))
    throw new RangeError(`karras spacing needs alpha > 0 and beta > 0 at the start t = ${start}`);
  const dataEnd = atDataEnd(interp.at(end).alpha, interp.at(start).alpha);
  const sigmaMin = dataEnd ? (sigmaMinOpt ?? sigmaOf(end - (end - start) / 1000)) : sigmaOf(end);
  if (!(sigmaMin > 0 && sigmaMin < sigmaMax))
    throw new RangeError(`karras spacing needs 0 < sigmaMin < sigma(start) = ${sigmaMax}, got ${sigmaMin}`);
  const K = dataEnd ? steps : steps + 1;
  const a = sigmaMax ** (1 / KARRAS_RHO),
    b = sigmaMin ** (1 / KARRAS_RHO);
  for (let k = 1; k < K; k++) {
    const sigma = (a + (k / (K - 1)) * (b - a)) ** KARRAS_RHO;
    g[k] = interp.timeAtLogSnr(-2 * Math.log(sigma), start, end); // logSnr = log(beta^2/alpha^2) = -2 log sigma
  }
  g[steps] = end;
  return g;
}
