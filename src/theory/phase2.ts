/**
 * Phase 2 of the dilated schedule (t ∈ [1, 2], τ = t − 1 on the VP clock as d → ∞, docs/method.md §3.3): the label is
 * known (tanh saturated), the network is the linear denoiser c x + u s, and both c and u solve ridge problems.
 *
 * With x1 = s μ + σ η, x_t = (1 − τ) ξ + τ x1 and ridge λ on u, define
 *   K = λ(1 + σ²) + (n − 1)σ²,   L = λ + n + 1 ('notebook', the authors' overlaps.ipynb; default)
 *                                  L = λ + n − 1 ('cui', fixed noise per sample, Cui et al. Result 2.1, general σ)
 *                                  L = λ + n     ('fresh', noise resampled every epoch as in learnGMM.py)
 *   c(τ)  = τ K / (τ² K + (1 − τ)² L)
 *   m     = n (1 − cτ)/(λ + n),   q_η = (1 − cτ)/(λ + n)   (coefficient of u on σ Σ_μ s^μ η^μ)
 *   q_ξ   = c (1 − τ)/(λ + n)  ('notebook', 'cui': memorised training noise; 0 for 'fresh', docs/method.md §7 item 6)
 *   √q    = sqrt(m² + n q_ξ² + n σ² q_η²)
 * (Derivation: for fixed c the ridge solution is u = Σ_μ s^μ(x1^μ − c x^μ)/(λ + n); the remaining loss per dimension
 * is n/(λ+n)·[(1 − cτ)² K + c²(1 − τ)² L], minimised by the c above. σ = 1 gives K = 2λ + n − 1, the notebook's form.)
 *
 * Infinite n: c = τσ²/((1 − τ)² + τ²σ²), m = 1 − cτ, q_ξ = q_η = 0, √q = m. At σ = 1, c peaks at τ = 1/√2 with
 * value (1 + √2)/2, and c(1) = 1 (for every variant and n).
 *
 * Per-mode variance growth rate of generated samples along directions orthogonal to μ (§3.4, VP clock):
 *   γ(τ) = (c − 1)/(1 − τ) = (τK − (1 − τ)L)/(τ²K + (1 − τ)²L) = ½ d/dτ log D(τ),  D = τ²K + (1 − τ)²L,
 * finite at τ = 1, so σ̂² = exp(2∫₀¹ γ dτ) = D(1)/D(0) = K/L exactly (infinite n: σ²).
 */

export type Phase2Variant = 'notebook' | 'cui' | 'fresh';
export const PHASE2_VARIANTS: readonly Phase2Variant[] = ['notebook', 'cui', 'fresh'];

export interface Phase2Config {
  /** Number of training samples n ≥ 1. */
  n: number;
  /** Ridge λ on the decoder u (the paper's L_u), ≥ 0. */
  lambda: number;
  /** Per-coordinate std of each mode, > 0. Default 1. */
  sigma?: number;
  /** Denominator variant (default 'notebook'). */
  variant?: Phase2Variant;
}

export interface Phase2Point {
  tau: number;
  c: number;
  m: number;
  qXi: number;
  qEta: number;
  sqrtQ: number;
  /** Growth rate γ = (c − 1)/(1 − τ) of the orthogonal component of generated samples. */
  gamma: number;
}

export interface Phase2Infinite {
  tau: number;
  c: number;
  m: number;
  sqrtQ: number;
  gamma: number;
}

function check(cfg: Phase2Config): { n: number; lambda: number; sigma: number; variant: Phase2Variant } {
  const sigma = cfg.sigma ?? 1;
  const variant = cfg.variant ?? 'notebook';
  if (!(Number.isInteger(cfg.n) && cfg.n >= 1)) throw new RangeError(`n must be an integer >= 1, got ${cfg.n}`);
  if (!(cfg.lambda >= 0 && Number.isFinite(cfg.lambda))) throw new RangeError(`lambda must be >= 0, got ${cfg.lambda}`);
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new RangeError(`sigma must be > 0, got ${sigma}`);
  if (!PHASE2_VARIANTS.includes(variant)) throw new RangeError(`unknown phase-2 variant "${variant}"`);
  return { n: cfg.n, lambda: cfg.lambda, sigma, variant };
}

/** The constants (K, L) of the closed forms above. */
export function phase2Constants(cfg: Phase2Config): { K: number; L: number } {
  const { n, lambda, sigma, variant } = check(cfg);
  const s2 = sigma * sigma;
  const K = lambda * (1 + s2) + (n - 1) * s2;
  const L = variant === 'notebook' ? lambda + n + 1 : variant === 'cui' ? lambda + n - 1 : lambda + n;
  return { K, L };
}

/** Finite-n phase-2 overlaps at VP time τ ∈ [0, 1]. */
export function phase2At(tau: number, cfg: Phase2Config): Phase2Point {
  const { n, lambda, sigma, variant } = check(cfg);
  const { K, L } = phase2Constants(cfg);
  const D = tau * tau * K + (1 - tau) * (1 - tau) * L;
  // D = 0 only for λ = 0, n = 1, σ-free corner cases at τ = 0 (K = 0): no data, no fit.
  const c = D > 0 ? (tau * K) / D : 0;
  const gamma = D > 0 ? (tau * K - (1 - tau) * L) / D : -1 / Math.max(1e-300, 1 - tau);
  const A = 1 - c * tau;
  const m = (n * A) / (lambda + n);
  const qEta = A / (lambda + n);
  const qXi = variant === 'fresh' ? 0 : (c * (1 - tau)) / (lambda + n);
  const sqrtQ = Math.sqrt(m * m + n * qXi * qXi + n * sigma * sigma * qEta * qEta);
  return { tau, c, m, qXi, qEta, sqrtQ, gamma };
}

/** Infinite-n phase-2 overlaps (the Bayes-optimal linear denoiser given the label). */
export function phase2Infinite(tau: number, sigma = 1): Phase2Infinite {
  const s2 = sigma * sigma;
  const D = (1 - tau) * (1 - tau) + tau * tau * s2;
  const c = (tau * s2) / D;
  const m = 1 - c * tau;
  return { tau, c, m, sqrtQ: m, gamma: (tau * s2 - (1 - tau)) / D };
}

export interface Phase2Curve {
  /** Times on the dilated axis, t = 1 + τ. */
  t: number[];
  tau: number[];
  c: number[];
  m: number[];
  qXi: number[];
  qEta: number[];
  sqrtQ: number[];
  gamma: number[];
  infinite: { c: number[]; m: number[]; sqrtQ: number[]; gamma: number[] };
}

/** Phase-2 curves at dilated times `ts` ⊂ [1, 2] (τ = t − 1). */
export function phase2Curve(ts: readonly number[], cfg: Phase2Config): Phase2Curve {
  const sigma = cfg.sigma ?? 1;
  const pts = ts.map((t) => phase2At(t - 1, cfg));
  const inf = ts.map((t) => phase2Infinite(t - 1, sigma));
  return {
    t: [...ts],
    tau: ts.map((t) => t - 1),
    c: pts.map((q) => q.c),
    m: pts.map((q) => q.m),
    qXi: pts.map((q) => q.qXi),
    qEta: pts.map((q) => q.qEta),
    sqrtQ: pts.map((q) => q.sqrtQ),
    gamma: pts.map((q) => q.gamma),
    infinite: {
      c: inf.map((q) => q.c),
      m: inf.map((q) => q.m),
      sqrtQ: inf.map((q) => q.sqrtQ),
      gamma: inf.map((q) => q.gamma),
    },
  };
}
