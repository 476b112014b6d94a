/**
 * Converters between the three usual network targets for an interpolant `x = alpha x0 + beta x1`:
 *   denoiser  x1hat = E[x1 | x_t]
 *   noise     x0hat = E[x0 | x_t]   (the "epsilon" prediction)
 *   velocity  v     = alpha' x0hat + beta' x1hat
 * Exact for any interpolant (docs/method.md §2.4). Elementwise on arrays; `out` may alias an input.
 *
 *   x0hat = (x - beta x1hat) / alpha              x1hat = (x - alpha x0hat) / beta
 *   x1hat = (alpha v - alpha' x) / W              x0hat = (beta' x - beta v) / W,   W = alpha beta' - alpha' beta
 *   score = grad log p_t(x) = -x0hat / alpha
 */
import type { Coefficients } from './interpolant.js';

type Arr = Float64Array | Float32Array;

function target<A extends Arr>(like: A, out?: Arr): Arr {
  return out ?? new (like.constructor as { new (n: number): A })(like.length);
}

export function denoiserToNoise(c: Coefficients, x: Arr, x1hat: Arr, out?: Arr): Arr {
  const o = target(x, out);
  for (let i = 0; i < x.length; i++) o[i] = (x[i] - c.beta * x1hat[i]) / c.alpha;
  return o;
}

export function noiseToDenoiser(c: Coefficients, x: Arr, x0hat: Arr, out?: Arr): Arr {
  const o = target(x, out);
  for (let i = 0; i < x.length; i++) o[i] = (x[i] - c.alpha * x0hat[i]) / c.beta;
  return o;
}

/** v = (alpha'/alpha) x + (beta' - alpha' beta / alpha) x1hat — the form the paper's generator uses (§2.7). */
export function denoiserToVelocity(c: Coefficients, x: Arr, x1hat: Arr, out?: Arr): Arr {
  const o = target(x, out);
  const gx = c.dAlpha / c.alpha;
  const g1 = c.dBeta - (c.dAlpha * c.beta) / c.alpha;
  for (let i = 0; i < x.length; i++) o[i] = gx * x[i] + g1 * x1hat[i];
  return o;
}

/** v = (beta'/beta) x + (alpha' - beta' alpha / beta) x0hat. */
export function noiseToVelocity(c: Coefficients, x: Arr, x0hat: Arr, out?: Arr): Arr {
  const o = target(x, out);
  const gx = c.dBeta / c.beta;
  const g0 = c.dAlpha - (c.dBeta * c.alpha) / c.beta;
  for (let i = 0; i < x.length; i++) o[i] = gx * x[i] + g0 * x0hat[i];
  return o;
}

export function velocityToDenoiser(c: Coefficients, x: Arr, v: Arr, out?: Arr): Arr {
  const o = target(x, out);
  const w = c.alpha * c.dBeta - c.dAlpha * c.beta;
  for (let i = 0; i < x.length; i++) o[i] = (c.alpha * v[i] - c.dAlpha * x[i]) / w;
  return o;
}

export function velocityToNoise(c: Coefficients, x: Arr, v: Arr, out?: Arr): Arr {
  const o = target(x, out);
  const w = c.alpha * c.dBeta - c.dAlpha * c.beta;
  for (let i = 0; i < x.length; i++) o[i] = (c.dBeta * x[i] - c.beta * v[i]) / w;
  return o;
}

/** Score grad log p_t(x) = -E[x0 | x] / alpha. */
export function noiseToScore(c: Coefficients, x0hat: Arr, out?: Arr): Arr {
  const o = target(x0hat, out);
  for (let i = 0; i < x0hat.length; i++) o[i] = -x0hat[i] / c.alpha;
  return o;
}
