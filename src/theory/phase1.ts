/**
 * Phase 1 of the dilated schedule (t ∈ [0, 1], docs/method.md §3.2): the finite-n prediction of the encoder overlap ω_t
 * and bias b_t of the two-layer autoencoder, and the decoder overlaps that follow from them.
 *
 * With φ = tanh(b + κ t ω s + ω g), g ~ N(0, 1), and ⟨F⟩ = p E_g[F(s = +1)] + (1 − p) E_g[F(s = −1)]:
 *
 *   (ω_t, b_t) = argmin_{ω ≥ 0, b ≥ 0}  E(ω, b) = − N(ω, b) / (λ_u + n⟨φ²⟩) + λ_w ω²
 *   numerator N:  'notebook'  n(n+1)⟨φs⟩²              (authors' overlaps.ipynb; default, docs/method.md §7 item 5)
 *                 'fixed'     n²⟨φs⟩² + σ² n⟨φ²⟩         (fixed per-sample noise derivation)
 *                 'old'       (n⟨φs⟩)² + n⟨φ⟩²          (solve_saddle_eq.ipynb, Sept 2024)
 *   m_t = n⟨φs⟩ / (λ_u + n⟨φ²⟩),   q_η = ⟨φs⟩ / (λ_u + n⟨φ²⟩),   √q = sqrt(m² + n σ² q_η²),   √r = ω,   c = 0
 *
 * (q_η is the coefficient of u on σ Σ_μ s^μ η^μ, so the memorised-noise part of ‖u‖²/d is n σ² q_η²; σ = 1 gives
 * the notebook's sqrt(m² + n q_η²).)
 *
 * Degenerate branch: at ω = 0 the objective decreases monotonically in b, so its minimum is b = +∞ (φ ≡ 1), with
 * m = n(2p − 1)/(λ_u + n). It is represented with `b = Infinity`. (For p < ½ everything is mirrored to b ≤ 0, using
 * E_{1−p}(b, ω) = E_p(−b, ω): the corner is b = −∞ and m = n|2p − 1|/(λ_u + n).) For small t this corner is the
 * global minimiser; at a switching time t* (≈ 0.150 for n = 128, λ_u = 50, λ_w = 1, κ = 2, p = 0.8) an interior minimum
 * with ω ≈ 0.8 takes over: a first-order jump. That interior minimum exists from the spinodal t ≈ 0.134 on, and the
 * authors' local descent from (κt, h) lands on it from t ≈ 0.135 (0.138 on their 160-point grid), which is where the
 * paper's curves jump (`Phase1Selection`, docs/method.md §3.2). Both minima are reported where they coexist.
 *
 * Infinite n (λ fixed): E/n² → −⟨φs⟩²/⟨φ²⟩, maximised by φ = E[s | y] (Cauchy–Schwarz), i.e.
 *   ω = κ t, b = h = artanh(2p − 1), m = 1, √q = 1, √r = κ t, c = 0.
 *
 * Numerics: Gaussian expectations by Gauss–Hermite quadrature (`GaussianSmoother`), minimisation by a coarse scan of
 * the box [0, ω_max] × [0, 1] in (ω, u = b/(1 + b)) (u = 1 is b = ∞, so the degenerate corner is a point of the box)
 * listing all discrete local minima, each refined by a bounded Nelder–Mead.
 */
import { GaussianSmoother } from './quadrature.js';
import { gridLocalMinima2d, nelderMeadBox } from './optimize.js';

export type Phase1Numerator = 'notebook' | 'fixed' | 'old';
export const PHASE1_NUMERATORS: readonly Phase1Numerator[] = ['notebook', 'fixed', 'old'];

export interface Phase1Config {
  /** Number of training samples n (≥ 1). */
  n: number;
  /** Ridge on the decoder u, λ_u ≥ 0 (sum-over-samples units). */
  lambdaU: number;
  /** Ridge on the encoder w, λ_w ≥ 0. */
  lambdaW: number;
  /** Dilation constant κ > 0. */
  kappa: number;
  /** Weight of the +μ mode, p ∈ (0, 1). */
  p: number;
  /** Per-coordinate std of each mode (enters the 'fixed' numerator and √q). Default 1. */
  sigma?: number;
  /** Objective numerator variant (default 'notebook'). */
  numerator?: Phase1Numerator;
  /** Gauss–Hermite nodes (default 128). */
  nodes?: number;
  /** Upper bound of the ω search box (default max(4, 3κ)). */
  omegaMax?: number;
}

/** Gaussian moments of the hidden unit: ⟨φ s⟩, ⟨φ²⟩, ⟨φ⟩. */
export interface Phase1Moments {
  phiS: number;
  phi2: number;
  phi: number;
}

export type Phase1Branch = 'degenerate' | 'interior';

/** One stationary point of the phase-1 problem and the overlaps it implies. */
export interface Phase1Point {
  t: number;
  omega: number;
  /** Bias; `Infinity` (`-Infinity` for p < ½) on the degenerate branch. */
  b: number;
  m: number;
  qEta: number;
  sqrtQ: number;
  sqrtR: number;
  c: number;
  /** Objective value E(ω, b). */
  energy: number;
  branch: Phase1Branch;
}

/** Infinite-n overlaps at time t (Bayes-optimal network μ·tanh(h + κ t ⟨x, μ⟩/√d)). */
export interface Phase1Infinite {
  omega: number;
  b: number;
  m: number;
  sqrtQ: number;
  sqrtR: number;
  c: number;
}

/** h = artanh(2p − 1) = ½ log(p/(1 − p)). */
export function biasConstant(p: number): number {
  return 0.5 * Math.log(p / (1 - p));
}

export function phase1Infinite(t: number, kappa: number, p: number): Phase1Infinite {
  return { omega: kappa * t, b: biasConstant(p), m: 1, sqrtQ: 1, sqrtR: kappa * t, c: 0 };
}

/** Map between the bias b ∈ [0, ∞] and the search coordinate u = b/(1 + b) ∈ [0, 1]. */
export function biasToU(b: number): number {
  return b === Infinity ? 1 : b / (1 + b);
}
export function uToBias(u: number): number {
  return u >= 1 ? Infinity : u / (1 - u);
}

function validate(cfg: Phase1Config): void {
  if (!(Number.isInteger(cfg.n) && cfg.n >= 1)) throw new RangeError(`n must be an integer >= 1, got ${cfg.n}`);
  if (!(cfg.lambdaU >= 0 && Number.isFinite(cfg.lambdaU)))
    throw new RangeError(`lambdaU must be >= 0, got ${cfg.lambdaU}`);
  if (!(cfg.lambdaW >= 0 && Number.isFinite(cfg.lambdaW)))
    throw new RangeError(`lambdaW must be >= 0, got ${cfg.lambdaW}`);
  if (!(cfg.kappa > 0 && Number.isFinite(cfg.kappa))) throw new RangeError(`kappa must be > 0, got ${cfg.kappa}`);
  if (!(cfg.p > 0 && cfg.p < 1)) throw new RangeError(`p must lie in (0, 1), got ${cfg.p}`);
  const sigma = cfg.sigma ?? 1;
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new RangeError(`sigma must be > 0, got ${sigma}`);
  if (cfg.numerator !== undefined && !PHASE1_NUMERATORS.includes(cfg.numerator))
    throw new RangeError(`unknown numerator "${cfg.numerator}"`);
}

/**
 * First-order switch of the global minimiser between branches at time `t`.
 * `before`/`after` are the winning minima just below/above t (both evaluated at t: they have equal energy there).
 */
export interface Phase1Jump {
  t: number;
  before: Phase1Point;
  after: Phase1Point;
}

/**
 * Which minimum is "the" prediction: 'global' = the global minimiser of E (default); 'notebook' = the authors'
 * local descent from the infinite-n guess (κt, h), which reproduces the paper's solid curves (its jump sits at the
 * spinodal, t ≈ 0.135 for the paper's constants, seen as 0.138 on the notebook's 160-point grid).
 */
export type Phase1Selection = 'global' | 'notebook';
export const PHASE1_SELECTIONS: readonly Phase1Selection[] = ['global', 'notebook'];

/** Anatomy of the first-order transition from the corner (ω = 0, b = ∞) to the interior branch. */
export interface Phase1Transition {
  /** Where the interior minimum becomes the global one (equal energies). */
  globalSwitch: Phase1Jump;
  /** Where the interior local minimum is born (saddle-node); null if it exists down to t = 0. */
  spinodal: { t: number; point: Phase1Point } | null;
  /** Where a descent from (κt, h) starts landing on the interior branch (the notebook's jump); null if not found. */
  notebookSwitch: Phase1Jump | null;
}

/** Phase-1 prediction on a grid of times, ready to plot against t ∈ [0, 1]. */
export interface Phase1Curve {
  t: number[];
  selection: Phase1Selection;
  /** Global minimiser. `b` holds `Infinity` where the degenerate branch wins. */
  omega: number[];
  b: number[];
  m: number[];
  qEta: number[];
  sqrtQ: number[];
  sqrtR: number[];
  c: number[];
  energy: number[];
  branch: Phase1Branch[];
  /** Every local minimum per time: the interior branch (null where absent) and whether the degenerate corner is one. */
  branches: {
    interior: { omega: (number | null)[]; b: (number | null)[]; m: (number | null)[]; energy: (number | null)[] };
    degenerate: { isLocalMin: boolean[]; energy: number; m: number };
  };
  /** Switches of the selected minimiser (located to ~1e-9 in t by bisection); usually exactly one. */
  jumps: Phase1Jump[];
  /** Global switch, spinodal and notebook switch of the first corner → interior transition (null if none on the grid). */
  transition: Phase1Transition | null;
  /** Grid range of t where both branches are local minima (metastability window), or null. */
  coexistence: [number, number] | null;
  /** Numerical caveats (e.g. a minimiser on the ω_max edge of the search box). */
  warnings: string[];
  infinite: { omega: number[]; b: number[]; m: number[]; sqrtQ: number[]; sqrtR: number[]; c: number[] };
}

/** Solver for the phase-1 problem at fixed hyper-parameters (caches the quadrature rule). */
export class Phase1Solver {
  readonly cfg: Required<Phase1Config>;
  readonly smoother: GaussianSmoother;

  constructor(cfg: Phase1Config) {
    validate(cfg);
    this.cfg = {
      n: cfg.n,
      lambdaU: cfg.lambdaU,
      lambdaW: cfg.lambdaW,
      kappa: cfg.kappa,
      p: cfg.p,
      sigma: cfg.sigma ?? 1,
      numerator: cfg.numerator ?? 'notebook',
      nodes: cfg.nodes ?? 128,
      // generous: the finite-n ω stays below the infinite-n κt (shrinkage by λ_w); hitting the bound is reported
      omegaMax: cfg.omegaMax ?? Math.max(4, 3 * cfg.kappa),
    };
    if (!(this.cfg.omegaMax > 0)) throw new RangeError(`omegaMax must be > 0, got ${this.cfg.omegaMax}`);
    this.smoother = new GaussianSmoother(this.cfg.nodes);
  }

  /** ⟨φs⟩, ⟨φ²⟩, ⟨φ⟩ at (t, ω, b). */
  moments(t: number, omega: number, b: number): Phase1Moments {
    const { kappa, p } = this.cfg;
    // b = ±∞: φ ≡ ±1
    if (!Number.isFinite(b)) {
      const sgn = b > 0 ? 1 : -1;
      return { phiS: sgn * (2 * p - 1), phi2: 1, phi: sgn };
    }
    let phiS = 0;
    let phi2 = 0;
    let phi = 0;
    const { nodes, weights } = this.smoother.rule;
    const direct = omega <= this.smoother.sdSwitch;
    for (const s of [1, -1]) {
      const ps = s === 1 ? p : 1 - p;
      const mean = b + kappa * t * omega * s;
      let e1 = 0;
      let e2 = 0;
      if (direct) {
        // hot path of the minimiser: Gauss–Hermite inline (no callback)
        for (let i = 0; i < nodes.length; i++) {
          const th = Math.tanh(mean + omega * nodes[i]);
          const w = weights[i];
          e1 += w * th;
          e2 += w * th * th;
        }
      } else {
        this.smoother.forEach(mean, omega, (z, w) => {
          const th = Math.tanh(z);
          e1 += w * th;
          e2 += w * th * th;
        });
      }
      phiS += ps * s * e1;
      phi2 += ps * e2;
      phi += ps * e1;
    }
    return { phiS, phi2, phi };
  }

  /** Objective E(ω, b) from its moments. */
  energyFromMoments(mo: Phase1Moments, omega: number): number {
    const { n, lambdaU, lambdaW, sigma, numerator } = this.cfg;
    let num: number;
    switch (numerator) {
      case 'notebook':
        num = n * (n + 1) * mo.phiS * mo.phiS;
        break;
      case 'fixed':
        num = n * n * mo.phiS * mo.phiS + sigma * sigma * n * mo.phi2;
        break;
      case 'old':
        num = n * n * mo.phiS * mo.phiS + n * mo.phi * mo.phi;
        break;
    }
    const den = lambdaU + n * mo.phi2;
    // den = 0 only when φ ≡ 0, where the numerator vanishes as well: no fit, zero gain.
    const gain = den > 0 ? num / den : 0;
    return -gain + lambdaW * omega * omega;
  }

  energy(t: number, omega: number, b: number): number {
    return this.energyFromMoments(this.moments(t, omega, b), omega);
  }

  /** Overlaps implied by (ω, b) at time t. */
  point(t: number, omega: number, b: number, branch?: Phase1Branch): Phase1Point {
    const { n, lambdaU, sigma } = this.cfg;
    const mo = this.moments(t, omega, b);
    const den = lambdaU + n * mo.phi2;
    const qEta = den > 0 ? mo.phiS / den : 0;
    const m = n * qEta;
    return {
      t,
      omega,
      b,
      m,
      qEta,
      sqrtQ: Math.sqrt(m * m + n * sigma * sigma * qEta * qEta),
      sqrtR: omega,
      c: 0,
      energy: this.energyFromMoments(mo, omega),
      branch: branch ?? (Number.isFinite(b) ? 'interior' : 'degenerate'),
    };
  }

  /** The degenerate corner ω = 0, b = ∞ (its energy does not depend on t). */
  degenerate(t: number): Phase1Point {
    return this.point(t, 0, this.side * Infinity, 'degenerate');
  }

  /**
   * Sign of the bias the search is restricted to: the notebook's b ≥ 0 for p ≥ ½. The objective satisfies
   * E_{1−p}(b, ω) = E_p(−b, ω) (and m is unchanged), so for p < ½ the same problem is solved on b ≤ 0, where the
   * infinite-n solution b = h < 0 lives; the degenerate corner is then b = −∞.
   */
  get side(): 1 | -1 {
    return this.cfg.p >= 0.5 ? 1 : -1;
  }
  private bOf(u: number): number {
    return this.side * uToBias(u);
  }
  private uOf(b: number): number {
    return biasToU(this.side * b);
  }

  private box() {
    return { lo: [0, 0], hi: [this.cfg.omegaMax, 1] };
  }

  private snap(t: number, x: number[]): Phase1Point {
    // On the face ω = 0 the objective decreases strictly in b, so a minimiser with ω ≈ 0 is the corner b = ∞; the
    // simplex stalls short of it only because E is flat to 1e-16 once tanh(b) rounds to 1.
    if (x[0] < 1e-6) return this.degenerate(t);
    return this.point(t, x[0], this.bOf(x[1]));
  }

  /** Local refinement (bounded Nelder–Mead in (ω, u)) from a starting point. */
  refine(t: number, omega: number, b: number): Phase1Point {
    const f = (x: number[]) => this.energy(t, x[0], this.bOf(x[1]));
    const res = nelderMeadBox(f, [omega, this.uOf(b)], this.box(), {
      step: [0.02 * this.cfg.omegaMax, 0.02],
      xTol: 1e-10,
      fTol: 1e-14,
      maxEvaluations: 3000,
    });
    return this.snap(t, res.x);
  }

  /**
   * All local minima at time t, lowest energy first: grid scan of the (ω, u) box (`gridSize`² points), Nelder–Mead
   * refinement of every discrete local minimum, of the infinite-n point (κt, h) and of the optional `seeds` (e.g.
   * the minima at a neighbouring time, for continuation), de-duplication.
   */
  localMinima(t: number, gridSize = 15, seeds: readonly Phase1Point[] = []): Phase1Point[] {
    const { omegaMax } = this.cfg;
    // ω axis denser near 0, where the branches separate
    const ax = Array.from({ length: gridSize }, (_, i) => omegaMax * (i / (gridSize - 1)) ** 1.5);
    const ay = Array.from({ length: gridSize }, (_, j) => j / (gridSize - 1));
    const starts = gridLocalMinima2d((x) => this.energy(t, x[0], this.bOf(x[1])), [ax, ay])
      .slice(0, 4)
      .map((g) => ({ omega: g.x[0], b: this.bOf(g.x[1]) }));
    for (const q of seeds) if (q.branch === 'interior') starts.push({ omega: q.omega, b: q.b });
    // the infinite-n solution also seeds a descent: it finds small interior basins (near the spinodal) that the
    // coarse scan can step over
    starts.push({ omega: this.cfg.kappa * t, b: biasConstant(this.cfg.p) });
    const found: Phase1Point[] = [];
    for (const s of starts) {
      const pt = this.refine(t, s.omega, s.b);
      const dup = found.some(
        (q) =>
          q.branch === pt.branch &&
          Math.abs(q.omega - pt.omega) < 1e-4 &&
          Math.abs(this.uOf(q.b) - this.uOf(pt.b)) < 1e-4,
      );
      if (!dup) found.push(pt);
    }
    return found.sort((a, b) => a.energy - b.energy);
  }

  /** Global minimiser at time t. */
  minimise(t: number): Phase1Point {
    return this.localMinima(t)[0];
  }

  /**
   * The authors' protocol (overlaps.ipynb): a local descent started from the infinite-n solution (κt, h). It lands
   * on the interior branch as soon as that minimum exists and its basin holds the start, i.e. at the spinodal rather
   * than at the global switch.
   */
  notebookMinimise(t: number): Phase1Point {
    return this.refine(t, this.cfg.kappa * t, biasConstant(this.cfg.p));
  }

  /** The minimiser chosen by `selection`. */
  select(t: number, selection: Phase1Selection): Phase1Point {
    return selection === 'global' ? this.minimise(t) : this.notebookMinimise(t);
  }

  /**
   * Bisection for the boundary of a monotone predicate on (lo, hi): `pred(lo)` false, `pred(hi)` true.
   * Returns the boundary and the last value computed on the true side.
   */
  private bisect<T>(
    lo: number,
    hi: number,
    pred: (t: number) => { ok: boolean; value: T },
    hiValue: T,
    tol = 1e-9,
  ): { t: number; value: T } {
    let value = hiValue;
    for (let it = 0; it < 60 && hi - lo > tol; it++) {
      const mid = 0.5 * (lo + hi);
      const r = pred(mid);
      if (r.ok) {
        hi = mid;
        value = r.value;
      } else lo = mid;
    }
    return { t: 0.5 * (lo + hi), value };
  }

  /** Interior minimum at t tracked from `seed` (null when the refinement falls into the corner: the branch is gone). */
  private trackInterior(t: number, seed: Phase1Point): Phase1Point | null {
    const pt = this.refine(t, seed.omega, seed.b);
    return pt.branch === 'interior' ? pt : null;
  }

  /**
   * Characterise the first-order transition between grid times where the interior branch is absent/losing (tLo) and
   * winning (tHi), from an interior minimum `seed` found at or after tHi:
   *  - global switch: E_interior(t) = E_corner (the degenerate energy does not depend on t);
   *  - spinodal: the interior local minimum first exists (searched below the global switch);
   *  - notebook switch: where the descent from (κt, h) starts landing on the interior branch.
   */
  transition(tLo: number, tHi: number, seed: Phase1Point, full = true): Phase1Transition {
    const e0 = this.degenerate(0).energy;
    let track = seed;
    const sw = this.bisect(
      tLo,
      tHi,
      (t) => {
        const pt = this.trackInterior(t, track);
        const ok = pt !== null && pt.energy < e0;
        if (ok) track = pt!;
        return { ok, value: pt! };
      },
      seed,
    );
    const atSwitch = this.trackInterior(sw.t, sw.value) ?? sw.value;
    const globalSwitch: Phase1Jump = { t: sw.t, before: this.degenerate(sw.t), after: atSwitch };
    if (!full) return { globalSwitch, spinodal: null, notebookSwitch: null };
    // the interior branch exists at the switch; walk down to find where it is born
    let lo = tLo;
    let seedLo = atSwitch;
    if (this.trackInterior(lo, seedLo) !== null) {
      // it may exist all the way down to tLo (or below): step down until it disappears or t = 0
      let step = Math.max(1e-3, sw.t - tLo);
      let probe = lo;
      let last: Phase1Point | null = this.trackInterior(lo, seedLo);
      while (last !== null && probe > 0) {
        seedLo = last;
        probe = Math.max(0, probe - step);
        step *= 2;
        last = this.trackInterior(probe, seedLo);
      }
      lo = last === null ? probe : 0;
    }
    let spinodal: { t: number; point: Phase1Point } | null = null;
    if (this.trackInterior(lo, seedLo) === null) {
      let tr = seedLo;
      const sp = this.bisect(
        lo,
        sw.t,
        (t) => {
          const pt = this.trackInterior(t, tr);
          if (pt) tr = pt;
          return { ok: pt !== null, value: pt! };
        },
        seedLo,
      );
      spinodal = { t: sp.t, point: sp.value };
    }
    // notebook protocol: descent from (κt, h); search below the global switch if the start is already captured there
    let notebookSwitch: Phase1Jump | null = null;
    const nbHi = this.notebookMinimise(sw.t).branch === 'interior' ? sw.t : tHi;
    const nbLo = spinodal ? spinodal.t - 1e-6 : 0;
    if (
      this.notebookMinimise(nbHi).branch === 'interior' &&
      this.notebookMinimise(Math.max(0, nbLo)).branch !== 'interior'
    ) {
      const nb = this.bisect(
        Math.max(0, nbLo),
        nbHi,
        (t) => {
          const pt = this.notebookMinimise(t);
          return { ok: pt.branch === 'interior', value: pt };
        },
        this.notebookMinimise(nbHi),
      );
      notebookSwitch = { t: nb.t, before: this.degenerate(nb.t), after: nb.value };
    }
    return { globalSwitch, spinodal, notebookSwitch };
  }

  /**
   * Minimisers on the grid `ts` (ascending, within [0, 1]) with every local minimum, the jumps of the selected
   * minimiser, the transition details and the infinite-n curves.
   */
  curve(
    ts: readonly number[],
    selection: Phase1Selection = 'global',
    opts: { transition?: boolean } = {},
  ): Phase1Curve {
    const full = opts.transition ?? true;
    const { kappa, p } = this.cfg;
    const all: Phase1Point[][] = [];
    for (let i = 0; i < ts.length; i++) all.push(this.localMinima(ts[i], 15, i > 0 ? all[i - 1] : []));
    const chosen = selection === 'global' ? all.map((mins) => mins[0]) : ts.map((t) => this.notebookMinimise(t));
    const corner = this.degenerate(0);
    const interiorAt = all.map((mins) => mins.find((q) => q.branch === 'interior') ?? null);
    const cornerIsMin = all.map((mins) => mins.some((q) => q.branch === 'degenerate'));
    let transition: Phase1Transition | null = null;
    const jumps: Phase1Jump[] = [];
    for (let i = 1; i < ts.length; i++) {
      const a = chosen[i - 1].branch;
      const b = chosen[i].branch;
      if (a === b) continue;
      if (a === 'degenerate' && b === 'interior') {
        const tr = this.transition(ts[i - 1], ts[i], chosen[i], full || selection === 'notebook');
        transition ??= tr;
        const j = selection === 'global' ? tr.globalSwitch : tr.notebookSwitch;
        if (j) {
          jumps.push(j);
          continue;
        }
      }
      // a switch back to the corner (or one the transition analysis could not pin down): bisect the selection itself
      const r = this.bisect(
        ts[i - 1],
        ts[i],
        (t) => {
          const pt = this.select(t, selection);
          return { ok: pt.branch === b, value: pt };
        },
        chosen[i],
      );
      const other = this.select(r.t - 1e-9, selection);
      jumps.push({ t: r.t, before: other, after: r.value });
    }
    if (!transition) {
      // the selected minimiser never switched on the grid; still describe a transition of the global minimiser
      const k = all.findIndex((mins) => mins[0].branch === 'interior');
      if (k > 0 && all[k - 1][0].branch === 'degenerate')
        transition = this.transition(ts[k - 1], ts[k], all[k][0], full);
    }
    let coexistence: [number, number] | null = null;
    for (let i = 0; i < ts.length; i++) {
      if (interiorAt[i] && cornerIsMin[i]) coexistence = coexistence ? [coexistence[0], ts[i]] : [ts[i], ts[i]];
    }
    const inf = ts.map((t) => phase1Infinite(t, kappa, p));
    const warnings: string[] = [];
    const edge = chosen.filter((q) => q.omega >= this.cfg.omegaMax * (1 - 1e-6));
    if (edge.length > 0)
      warnings.push(
        `phase-1 minimiser on the search bound ω = ${this.cfg.omegaMax} at ${edge.length} time(s) (first t = ${edge[0].t}); raise omegaMax`,
      );
    return {
      t: [...ts],
      selection,
      warnings,
      omega: chosen.map((q) => q.omega),
      b: chosen.map((q) => q.b),
      m: chosen.map((q) => q.m),
      qEta: chosen.map((q) => q.qEta),
      sqrtQ: chosen.map((q) => q.sqrtQ),
      sqrtR: chosen.map((q) => q.sqrtR),
      c: chosen.map(() => 0),
      energy: chosen.map((q) => q.energy),
      branch: chosen.map((q) => q.branch),
      branches: {
        interior: {
          omega: interiorAt.map((q) => q?.omega ?? null),
          b: interiorAt.map((q) => q?.b ?? null),
          m: interiorAt.map((q) => q?.m ?? null),
          energy: interiorAt.map((q) => q?.energy ?? null),
        },
        degenerate: { isLocalMin: cornerIsMin, energy: corner.energy, m: corner.m },
      },
      jumps,
      transition,
      coexistence,
      infinite: {
        omega: inf.map((q) => q.omega),
        b: inf.map((q) => q.b),
        m: inf.map((q) => q.m),
        sqrtQ: inf.map((q) => q.sqrtQ),
        sqrtR: inf.map((q) => q.sqrtR),
        c: inf.map((q) => q.c),
      },
    };
  }
}

/**
 * The selected phase-1 minimiser as a function of continuous t ∈ [0, 1] (what the reduced ODE of §3.4 needs), built
 * on a solved curve. For 'global' the winning branch between grid points is fixed by the located jumps and the
 * interior branch is followed by a warm-started local refinement from the nearest grid solution; for 'notebook' it is
 * the descent from (κt, h) itself. Results are cached per t.
 */
export class Phase1Path {
  private readonly cache = new Map<number, Phase1Point>();
  constructor(
    readonly solver: Phase1Solver,
    readonly curve: Phase1Curve,
  ) {}

  /** Switching times (ascending). Integrators should not step across them. */
  get breakpoints(): number[] {
    return this.curve.jumps.map((j) => j.t);
  }

  /** Which branch is global at t (constant between jumps). */
  branchAt(t: number): Phase1Branch {
    const { jumps, branch, t: ts } = this.curve;
    let k = 0;
    while (k < jumps.length && t >= jumps[k].t) k++;
    if (k > 0) return jumps[k - 1].after.branch;
    if (jumps.length > 0) return jumps[0].before.branch;
    // no jump: the branch at the nearest grid point
    let best = 0;
    for (let i = 1; i < ts.length; i++) if (Math.abs(ts[i] - t) < Math.abs(ts[best] - t)) best = i;
    return branch[best];
  }

  at(t: number): Phase1Point {
    const hit = this.cache.get(t);
    if (hit) return hit;
    const br = this.branchAt(t);
    let pt: Phase1Point;
    if (this.curve.selection === 'notebook') pt = this.solver.notebookMinimise(t);
    else if (br === 'degenerate') pt = this.solver.degenerate(t);
    else {
      // nearest interior solution: grid points of the interior branch and the jump points
      const cands: Phase1Point[] = [];
      const { t: ts, branches } = this.curve;
      for (let i = 0; i < ts.length; i++) {
        const om = branches.interior.omega[i];
        const bb = branches.interior.b[i];
        if (om !== null && bb !== null)
          cands.push({ ...this.solver.degenerate(ts[i]), omega: om, b: bb, branch: 'interior' });
      }
      for (const j of this.curve.jumps) for (const q of [j.before, j.after]) if (q.branch === 'interior') cands.push(q);
      if (cands.length === 0) pt = this.solver.minimise(t);
      else {
        let best = cands[0];
        for (const q of cands) if (Math.abs(q.t - t) < Math.abs(best.t - t)) best = q;
        pt = this.solver.refine(t, best.omega, best.b);
        if (pt.branch !== 'interior') pt = this.solver.minimise(t);
      }
    }
    this.cache.set(t, pt);
    return pt;
  }
}

/** Evenly spaced grid of `points` times on [lo, hi] (inclusive). */
export function linspace(lo: number, hi: number, points: number): number[] {
  if (!(Number.isInteger(points) && points >= 2))
    throw new RangeError(`linspace needs an integer number of points >= 2, got ${points}`);
  return Array.from({ length: points }, (_, i) => (i === points - 1 ? hi : lo + ((hi - lo) * i) / (points - 1)));
}
