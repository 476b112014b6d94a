/**
 * Dilation-constant study (theory part, docs/method.md §3.1, §3.4, §7 item 7): how the generated mode weight p̂ and the
 * phase-1 window depend on κ. Phase 1 covers VP times τ ∈ [0, κ/√d]; the label is revealed there when κ ≫ 1, and
 * p̂ → p as κ → ∞ (infinite n: p̂ = p Φ(κ + h/κ) + (1 − p) Φ(h/κ − κ)).
 */
import { Phase1Path, Phase1Solver, linspace, type Phase1Config, type Phase1Selection } from './phase1.js';
import { finiteReduced, infiniteReduced, pHatInfinite, pHatOf, pHatSignLocking } from './generated.js';
import { labelUncertainty } from './mse.js';
import { runExact } from '../mixture/exactSweep.js';

export interface KappaStudyOptions {
  kappas: readonly number[];
  /** Finite-n hyper-parameters (κ is overridden per entry); omit to skip the finite-n columns. */
  finite?: Omit<Phase1Config, 'kappa'>;
  /** Dimension used to express the window in VP time, τ_end = κ/√d (default 5000, the paper's d). */
  d?: number;
  /** Phase-1 grid points per κ for the finite-n solve (default 11; the jump itself is located by bisection). */
  grid?: number;
  /** Euler grid of the generator (phase-1 points, default 40). */
  eulerPoints?: number;
  selection?: Phase1Selection;
  /**
   * Exact-field check: sample the mixture with the exact velocity of the dilated schedule at each dimension of `dims`
   * (default [d, 1e8]: the study's d and an effectively infinite one), Euler on the paper grid (2·eulerPoints points),
   * and report its pHat per κ. The theory is the d → ∞ limit, so the large-d row must match the infinite-n Euler
   * column. Omit to skip.
   */
  exact?: { samples: number; seed: number; sigma?: number; dims?: number[] };
}

export interface KappaStudy {
  kappa: number[];
  p: number;
  d: number;
  /** Infinite n: closed form, Euler on the grid, and the (wrong) sign-at-zero locking for reference. */
  pHatInfinite: number[];
  pHatInfiniteEuler: number[];
  pHatSignLocking: number[];
  /** Finite n (null when not requested): continuous ODE and grid Euler. */
  pHatFinite: (number | null)[];
  pHatFiniteEuler: (number | null)[];
  /** Time t ∈ [0, 1] of the first-order jump of the selected phase-1 minimiser (null if none). */
  jumpTime: (number | null)[];
  /** Window of phase 1 in VP time: [0, κ/√d] (null where κ ≥ √d: no valid dilation). */
  tauEnd: (number | null)[];
  /** log-SNR log(β²/α²) at the end of the window. */
  logSnrEnd: (number | null)[];
  /** Label uncertainty E[(s − E[s|x])²] left at the end of phase 1 (→ 0 as κ grows: the mode is decided in phase 1). */
  labelUncertaintyEnd: number[];
  /** Exact velocity field on the generator's Euler grid, one row per dimension (null where κ ≥ √d). */
  exactField: Array<{ d: number; pHat: (number | null)[]; stdErr: (number | null)[] }>;
}

export function kappaStudy(p: number, opts: KappaStudyOptions): KappaStudy {
  const d = opts.d ?? 5000;
  const eulerPoints = opts.eulerPoints ?? 40;
  const out: KappaStudy = {
    kappa: [...opts.kappas],
    p,
    d,
    pHatInfinite: [],
    pHatInfiniteEuler: [],
    pHatSignLocking: [],
    pHatFinite: [],
    pHatFiniteEuler: [],
    jumpTime: [],
    tauEnd: [],
    logSnrEnd: [],
    labelUncertaintyEnd: [],
    exactField: (opts.exact ? (opts.exact.dims ?? [d, 1e8]) : []).map((dim) => ({ d: dim, pHat: [], stdErr: [] })),
  };
  for (const kappa of opts.kappas) {
    if (!(kappa > 0)) throw new RangeError(`kappa must be > 0, got ${kappa}`);
    out.pHatInfinite.push(pHatInfinite(kappa, p));
    out.pHatInfiniteEuler.push(pHatOf(infiniteReduced(kappa, p), 'euler', { points: eulerPoints }));
    out.pHatSignLocking.push(pHatSignLocking(kappa, p));
    const tau = kappa / Math.sqrt(d);
    out.tauEnd.push(tau < 1 ? tau : null);
    out.logSnrEnd.push(tau < 1 ? 2 * Math.log(tau / (1 - tau)) : null);
    out.labelUncertaintyEnd.push(labelUncertainty(kappa, p));
    for (const row of out.exactField) {
      if (opts.exact && kappa < Math.sqrt(row.d)) {
        const r = runExact({
          schedule: 'dilated',
          d: row.d,
          steps: 2 * eulerPoints,
          samples: opts.exact.samples,
          p,
          kappa,
          sigma: opts.exact.sigma ?? 1,
          seed: opts.exact.seed,
          method: 'euler',
          grid: 'paper',
          full: false,
        });
        row.pHat.push(r.pHat);
        row.stdErr.push(r.pHatStdErr);
      } else {
        row.pHat.push(null);
        row.stdErr.push(null);
      }
    }
    if (opts.finite) {
      const solver = new Phase1Solver({ ...opts.finite, kappa, p });
      const curve = solver.curve(linspace(0, 1, opts.grid ?? 11), opts.selection ?? 'global', { transition: false });
      const model = finiteReduced(new Phase1Path(solver, curve));
      out.pHatFinite.push(pHatOf(model, 'ode', { steps: 32 }));
      out.pHatFiniteEuler.push(pHatOf(model, 'euler', { points: eulerPoints }));
      out.jumpTime.push(curve.jumps[0]?.t ?? null);
    } else {
      out.pHatFinite.push(null);
      out.pHatFiniteEuler.push(null);
      out.jumpTime.push(null);
    }
  }
  return out;
}
