/**
 * Per-dimension Bayes (minimum) mean-squared error of the denoiser E[x1 | x_t] along a schedule: the signature of the
 * phase transition (docs/method.md §3.4, last bullet).
 *
 * For x_t = α x0 + β x1, x1 = s μ + σ η, |μ|² = d, V = α² + β²σ², the error splits into the Gaussian part (every
 * coordinate) and the label part (along μ only):
 *   MSE/d = σ² α²/V + (α²/V)² · U(ρ),   ρ² = β² d / V,
 *   U(ρ) = E[(s − E[s | x_t])²] = E_{s,g}[(s − tanh(h + ρ² s + ρ g))²]     (label uncertainty, g ~ N(0, 1)).
 * Dilated schedule as d → ∞: phase 1 (β = κt/√d, α → 1): σ² + U(κt)  (1.640, 1.541, 1.326, 1.148, 1.053 at
 * t = 0, .25, .5, .75, 1 for κ = 2, p = 0.8, σ = 1); phase 2 (label known): σ²(1 − τ)²/((1 − τ)² + τ²σ²).
 * Undilated linear (VP) schedule at finite d: jumps from σ² + 4p(1 − p) at t = 0 to ≈ σ² as soon as t ≫ 1/√d.
 */
import type { Interpolant } from '../interpolant/interpolant.js';
import { GaussianSmoother } from './quadrature.js';
import { biasConstant } from './phase1.js';

const smoother = new GaussianSmoother(128);

/** Label uncertainty U(ρ) = E[(s − tanh(h + ρ²s + ρg))²] for P(s = +1) = p. */
export function labelUncertainty(rho: number, p: number): number {
  const h = biasConstant(p);
  let u = 0;
  for (const s of [1, -1]) {
    const ps = s === 1 ? p : 1 - p;
    u += ps * smoother.expect((z) => (s - Math.tanh(z)) ** 2, h + rho * rho * s, Math.abs(rho));
  }
  return u;
}

/** Exact per-dimension Bayes MSE at schedule values (α, β) in dimension d. */
export function bayesMse(alpha: number, beta: number, d: number, p: number, sigma = 1): number {
  const s2 = sigma * sigma;
  const V = alpha * alpha + beta * beta * s2;
  if (V === 0) return 0;
  const a2v = (alpha * alpha) / V;
  const rho = Math.abs(beta) * Math.sqrt(d / V);
  return s2 * a2v + a2v * a2v * labelUncertainty(rho, p);
}

/** d → ∞ phase-1 MSE of the dilated schedule at t ∈ [0, 1]: σ² + U(κt). */
export function mseDilatedPhase1(t: number, kappa: number, p: number, sigma = 1): number {
  return sigma * sigma + labelUncertainty(kappa * t, p);
}

/** d → ∞ phase-2 MSE at VP time τ ∈ [0, 1]: σ²(1 − τ)²/((1 − τ)² + τ²σ²). */
export function mseDilatedPhase2(tau: number, sigma = 1): number {
  const s2 = sigma * sigma;
  const a2 = (1 - tau) * (1 - tau);
  const D = a2 + tau * tau * s2;
  return D > 0 ? (s2 * a2) / D : 0;
}

/** d → ∞ MSE curve of the dilated schedule at times ts ⊂ [0, 2] (phase 1 on [0, 1), phase 2 on [1, 2]). */
export function mseDilatedCurve(ts: readonly number[], kappa: number, p: number, sigma = 1): number[] {
  return ts.map((t) => (t < 1 ? mseDilatedPhase1(t, kappa, p, sigma) : mseDilatedPhase2(t - 1, sigma)));
}

/** Exact finite-d MSE along any interpolant at times ts. */
export function mseCurve(schedule: Interpolant, ts: readonly number[], d: number, p: number, sigma = 1): number[] {
  return ts.map((t) => {
    const c = schedule.at(t);
    return bayesMse(c.alpha, c.beta, d, p, sigma);
  });
}
