/**
 * The Bayes-optimal parameters of the paper's autoencoder (docs/method.md §2.4, §7b): at grid time t_j with
 * V = alpha^2 + beta^2 sigma^2, the exact denoiser E[x1 | x] = (beta sigma^2/V) x + (alpha^2/V) mu tanh(h + beta <x, mu>/V)
 * is f_j exactly when
 *   c_j = beta sigma^2 / V,   u_j = (alpha^2 / V) mu,   w_j = sqrt(d) c0 (beta / V) mu,   b_j = h = artanh(2p − 1).
 * Generating with these parameters must reproduce the exact field's Euler flow — the check that the generator is right
 * before anything is trained.
 */
import type { Interpolant } from '../interpolant/interpolant.js';
import type { GaussianMixture } from '../mixture/gaussianMixture.js';
import type { AeParams } from './generate.js';

export function bayesOptimalParams(interp: Interpolant, mixture: GaussianMixture, T: number): AeParams {
  const { d, mu, sigma, h } = mixture;
  const c0 = interp.initStd;
  const p: AeParams = {
    T,
    d,
    c: new Float64Array(T),
    b: new Float64Array(T),
    u: new Float64Array(T * d),
    w: new Float64Array(T * d),
  };
  for (let j = 0; j < T; j++) {
    const { alpha, beta } = interp.at((j * interp.tEnd) / T);
    const V = alpha * alpha + beta * beta * sigma * sigma;
    p.c[j] = (beta * sigma * sigma) / V;
    p.b[j] = h;
    for (let i = 0; i < d; i++) {
      p.u[j * d + i] = ((alpha * alpha) / V) * mu[i];
      p.w[j * d + i] = Math.sqrt(d) * c0 * (beta / V) * mu[i];
    }
  }
  return p;
}
