/**
 * What the trained network generates (docs/method.md §3.4), from the reduced dynamics of the d → ∞ limit.
 *
 * Phase 1: the coordinate y = ⟨x, μ⟩/√d of a sample follows the one-dimensional flow
 *   dy/dt = κ m_t tanh(b_t + ω_t y),   y(0) ~ N(0, 1),   t ∈ [0, 1]
 * (infinite n: m = 1, b = h, ω = κt, i.e. dy/dt = κ tanh(h + κ t y), which transports N(0, 1) exactly to
 * p N(κ, 1) + (1 − p) N(−κ, 1) at t = 1). The first phase-2 step then moves y by O(√d Δτ) in the direction of
 * sign(b_1 + ω_1 y_1) and the mode is locked, so the generated weight of the +μ mode is
 *   p̂ = P(b_1 + ω_1 y_1 > 0).
 * A one-dimensional flow map is increasing in y(0) (an Euler step y + Δt κ m tanh(b + ω y) too, since κ m ω ≥ 0), so
 * p̂ = 1 − Φ(y0*) where y0* solves b_1 + ω_1 y_1(y0*) = 0: found by bisection, no sampling and no quadrature error.
 * Infinite n in closed form: p̂ = p Φ(κ + h/κ) + (1 − p) Φ(h/κ − κ) (0.8022 for κ = 2, p = 0.8).
 *
 * Phase 2: the per-mode variance of generated samples is σ̂² = exp(2 ∫₀¹ γ dτ), γ = (c − 1)/(1 − τ) (see phase2.ts):
 * K/L at finite n, σ² at infinite n. The Euler version multiplies (1 + Δτ γ(τ_j))² over the grid steps actually taken.
 */
import { normalCdf } from '../sampler/special.js';
import { gaussHermite, integrateAdaptive } from './quadrature.js';
import { biasConstant, type Phase1Path } from './phase1.js';
import { phase2At, phase2Constants, phase2Infinite, type Phase2Config } from './phase2.js';

/** Phase-1 parameters seen by the reduced flow at time t. */
export interface ReducedParams {
  omega: number;
  b: number;
  m: number;
}

/** A reduced phase-1 model: its parameters over t ∈ [0, 1] and the times where they jump. */
export interface ReducedPhase1 {
  kappa: number;
  params(t: number): ReducedParams;
  /** Discontinuities of the parameters in (0, 1); ODE integrators never step across them. */
  breakpoints: readonly number[];
}

/** Infinite-n model: ω = κt, b = h, m = 1. */
export function infiniteReduced(kappa: number, p: number): ReducedPhase1 {
  const h = biasConstant(p);
  return { kappa, params: (t) => ({ omega: kappa * t, b: h, m: 1 }), breakpoints: [] };
}

/** Finite-n model following a solved phase-1 path (its jumps become breakpoints). */
export function finiteReduced(path: Phase1Path): ReducedPhase1 {
  const kappa = path.solver.cfg.kappa;
  return {
    kappa,
    params: (t) => {
      const q = path.at(t);
      return { omega: q.omega, b: q.b, m: q.m };
    },
    breakpoints: path.breakpoints.filter((t) => t > 0 && t < 1),
  };
}

/** Velocity κ m tanh(b + ω y) of the reduced flow (b = ±∞ gives ±κ m). */
export function reducedVelocity(kappa: number, q: ReducedParams, y: number): number {
  return kappa * q.m * (Number.isFinite(q.b) ? Math.tanh(q.b + q.omega * y) : Math.sign(q.b));
}

/**
 * Flow map y(0) ↦ y(1) of the continuous-time reduced ODE by classical RK4 with `stepsPerSegment` steps on each
 * interval between breakpoints (parameters are queried at t, t + h/2, t + h of every step).
 */
export function flowMapOde(model: ReducedPhase1, stepsPerSegment = 64): (y0: number) => number {
  const knots = [0, ...model.breakpoints, 1];
  // Precompute the parameter schedule once; the map is then cheap to evaluate for many starting points.
  const sched: { h: number; q: [ReducedParams, ReducedParams, ReducedParams] }[] = [];
  for (let k = 0; k + 1 < knots.length; k++) {
    const a = knots[k];
    const b = knots[k + 1];
    if (!(b > a)) continue;
    const h = (b - a) / stepsPerSegment;
    for (let i = 0; i < stepsPerSegment; i++) {
      const t = a + i * h;
      // the right end of a segment is evaluated just inside it (the parameters jump at the breakpoint)
      const tEnd = i === stepsPerSegment - 1 ? b - 1e-12 * (b - a) : t + h;
      const start = i === 0 ? a + 1e-12 * (b - a) : t;
      sched.push({ h, q: [model.params(start), model.params(t + h / 2), model.params(tEnd)] });
    }
  }
  const { kappa } = model;
  return (y0: number) => {
    let y = y0;
    for (const { h, q } of sched) {
      const k1 = reducedVelocity(kappa, q[0], y);
      const k2 = reducedVelocity(kappa, q[1], y + (h / 2) * k1);
      const k3 = reducedVelocity(kappa, q[1], y + (h / 2) * k2);
      const k4 = reducedVelocity(kappa, q[2], y + h * k3);
      y += (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4);
    }
    return y;
  };
}

/**
 * Flow map of the generator's forward Euler on the phase-1 grid t_j = j/points, j = 0..points−1 (the paper's T/2 = 40
 * points, docs/method.md §2.7): y_{j+1} = y_j + (1/points) κ m_j tanh(b_j + ω_j y_j), ending at t = 1.
 */
export function flowMapEuler(model: ReducedPhase1, points = 40): (y0: number) => number {
  const dt = 1 / points;
  const qs = Array.from({ length: points }, (_, j) => model.params(j * dt));
  const { kappa } = model;
  return (y0: number) => {
    let y = y0;
    for (const q of qs) y += dt * reducedVelocity(kappa, q, y);
    return y;
  };
}

/**
 * Mode-locking rule p̂ = P(b_1 + ω_1 y_1 > 0) for y_1 = map(y_0), y_0 ~ N(0, 1), using the monotonicity of the map.
 */
export function modeLockingProbability(map: (y0: number) => number, omega1: number, b1: number): number {
  if (b1 === Infinity) return 1;
  if (b1 === -Infinity) return 0;
  if (!(omega1 > 0)) return b1 > 0 ? 1 : b1 < 0 ? 0 : 0.5;
  const F = (y0: number) => b1 + omega1 * map(y0);
  let lo = -40;
  let hi = 40;
  if (F(lo) > 0) return 1;
  if (F(hi) <= 0) return 0;
  for (let it = 0; it < 200 && hi - lo > 1e-13; it++) {
    const mid = 0.5 * (lo + hi);
    if (F(mid) > 0) hi = mid;
    else lo = mid;
  }
  return normalCdf(-0.5 * (lo + hi));
}

/** p̂ for a reduced model: ODE ('ode') or grid Euler ('euler'), locked with the parameters at t = 1. */
export function pHatOf(
  model: ReducedPhase1,
  method: 'ode' | 'euler' = 'ode',
  opts: { steps?: number; points?: number } = {},
): number {
  const map = method === 'ode' ? flowMapOde(model, opts.steps ?? 64) : flowMapEuler(model, opts.points ?? 40);
  const q1 = model.params(1);
  return modeLockingProbability(map, q1.omega, q1.b);
}

/** Infinite-n closed form p̂ = p Φ(κ + h/κ) + (1 − p) Φ(h/κ − κ). */
export function pHatInfinite(kappa: number, p: number): number {
  const h = biasConstant(p);
  return p * normalCdf(kappa + h / kappa) + (1 - p) * normalCdf(h / kappa - kappa);
}

/** p̂ if the mode were decided by the sign of y_1 alone (no bias at locking): p Φ(κ) + (1 − p) Φ(−κ). */
export function pHatSignLocking(kappa: number, p: number): number {
  return p * normalCdf(kappa) + (1 - p) * normalCdf(-kappa);
}

/** Mean and variance of map(y0), y0 ~ N(0, 1), by Gauss–Hermite transport of the nodes. */
export function transportedMoments(map: (y0: number) => number, nodes = 128): { mean: number; variance: number } {
  const rule = gaussHermite(nodes);
  let m1 = 0;
  let m2 = 0;
  for (let i = 0; i < rule.size; i++) {
    const y = map(rule.nodes[i]);
    m1 += rule.weights[i] * y;
    m2 += rule.weights[i] * y * y;
  }
  return { mean: m1, variance: m2 - m1 * m1 };
}

/** Generated per-mode variance at finite n, σ̂² = K/L (closed form of exp(2∫₀¹ γ dτ)). */
export function sigmaHat2(cfg: Phase2Config): number {
  const { K, L } = phase2Constants(cfg);
  return K / L;
}

/** Infinite n: σ̂² = σ². */
export function sigmaHat2Infinite(sigma = 1): number {
  return sigma * sigma;
}

/** exp(2∫₀¹ γ dτ) by adaptive quadrature of γ (a check of the closed forms). `cfg = null` means infinite n. */
export function sigmaHat2Numeric(cfg: Phase2Config | null, sigma = cfg?.sigma ?? 1): number {
  const gamma = (tau: number) => (cfg ? phase2At(tau, cfg).gamma : phase2Infinite(tau, sigma).gamma);
  return Math.exp(2 * integrateAdaptive(gamma, 0, 1, 1e-13));
}

/**
 * σ̂² of the generator's Euler scheme on the phase-2 grid τ_j = j/points, j = 0..points−2 (the last grid point is
 * never stepped from, so sampling stops at τ = 1 − 1/points, docs/method.md §2.7): Π_j (1 + Δτ γ(τ_j))².
 */
export function sigmaHat2Euler(cfg: Phase2Config | null, points = 40, sigma = cfg?.sigma ?? 1): number {
  const dt = 1 / points;
  let g = 1;
  for (let j = 0; j <= points - 2; j++) {
    const tau = j * dt;
    const gamma = cfg ? phase2At(tau, cfg).gamma : phase2Infinite(tau, sigma).gamma;
    g *= 1 + dt * gamma;
  }
  return g * g;
}
