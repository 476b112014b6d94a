/**
 * One call that evaluates the whole asymptotic theory of docs/method.md §3 for a set of hyper-parameters and returns
 * plain arrays on the dilated time axis t ∈ [0, 2] (phase 1 on [0, 1], phase 2 on [1, 2]), ready to serialise or to
 * overlay on an experiment. `b = Infinity` (degenerate phase-1 branch) stays Infinity here; JSON writers turn it into
 * null.
 */
import { LinearInterpolant } from '../interpolant/schedules.js';
import { VERSION } from '../version.js';
import {
  finiteReduced,
  infiniteReduced,
  pHatInfinite,
  pHatOf,
  pHatSignLocking,
  sigmaHat2,
  sigmaHat2Euler,
  sigmaHat2Infinite,
} from './generated.js';
import { kappaStudy, type KappaStudy } from './kappa.js';
import { mseCurve, mseDilatedPhase1, mseDilatedPhase2 } from './mse.js';
import {
  Phase1Path,
  Phase1Solver,
  linspace,
  type Phase1Curve,
  type Phase1Jump,
  type Phase1Numerator,
  type Phase1Selection,
} from './phase1.js';
import { phase2Curve, type Phase2Curve, type Phase2Variant } from './phase2.js';

export interface TheoryOptions {
  n: number;
  lambdaU: number;
  lambdaW: number;
  kappa: number;
  p: number;
  sigma: number;
  /** Points per phase (inclusive grids on [0, 1] and [1, 2]). */
  grid: number;
  variant: Phase2Variant;
  numerator: Phase1Numerator;
  selection: Phase1Selection;
  /** Gauss–Hermite nodes. */
  nodes: number;
  /** Phase-1 (and phase-2) points of the generator's Euler grid, T/2 (the paper: 40). */
  eulerPoints: number;
  /** RK4 steps per smooth segment of the reduced phase-1 ODE. */
  odeSteps: number;
  /** κ values of the dilation study (empty: skip). */
  kappas: readonly number[];
  /** Dimension for the phase-1 window in VP time (κ/√d). */
  d: number;
  /** Dimensions of the undilated VP MSE curves. */
  mseDims: readonly number[];
}

export const DEFAULT_THEORY_OPTIONS: TheoryOptions = {
  n: 128,
  lambdaU: 50,
  lambdaW: 1,
  kappa: 2,
  p: 0.8,
  sigma: 1,
  grid: 81,
  variant: 'notebook',
  numerator: 'notebook',
  selection: 'global',
  nodes: 128,
  eulerPoints: 40,
  odeSteps: 64,
  kappas: [0.5, 1, 1.5, 2, 3, 4, 6],
  d: 5000,
  mseDims: [1e2, 1e3, 1e4, 1e5, 1e6],
};

export interface TheoryReport {
  config: TheoryOptions & { version: string; h: number };
  phase1: Phase1Curve & { jump: Phase1Jump | null };
  phase2: Phase2Curve;
  pHat: {
    p: number;
    /** Finite n, continuous-time reduced ODE (RK4). */
    finite: number;
    /** Finite n, Euler on the eulerPoints-point phase-1 grid. */
    finiteEuler: number;
    /** Infinite n, closed form pΦ(κ + h/κ) + (1 − p)Φ(h/κ − κ). */
    infinite: number;
    /** Infinite n by transporting through the ODE (must equal the closed form). */
    infiniteOde: number;
    infiniteEuler: number;
    /** Reference: locking by sign(y_1) alone, pΦ(κ) + (1 − p)Φ(−κ). */
    signLocking: number;
    eulerPoints: number;
  };
  sigmaHat2: { sigma2: number; finite: number; infinite: number; finiteEuler: number; infiniteEuler: number };
  mse: {
    /** d → ∞ Bayes MSE of the dilated schedule on [0, 2] (phase-1 grid then phase-2 grid). */
    t: number[];
    dilated: number[];
    /** Undilated linear (VP) schedule at finite d: curves over t (log-spaced, t > 0) for each d. */
    vp: { t: number[]; d: number[]; mse: number[][]; atZero: number; plateau: number };
  };
  kappaStudy: KappaStudy | null;
}

/** Evaluate everything. Typical cost: ~2–4 s for the phase-1 solve and ~1 s per κ of the study (finite n). */
/** Algorithm version of `computeTheory` (cache key of the reproduce stage; bump when its numbers change). */
export const THEORY_ALGORITHM_VERSION = 1;

export function computeTheory(options: Partial<TheoryOptions> = {}): TheoryReport {
  const o: TheoryOptions = { ...DEFAULT_THEORY_OPTIONS, ...options };
  const { n, lambdaU, lambdaW, kappa, p, sigma } = o;
  const solver = new Phase1Solver({ n, lambdaU, lambdaW, kappa, p, sigma, numerator: o.numerator, nodes: o.nodes });
  const t1 = linspace(0, 1, o.grid);
  const curve1 = solver.curve(t1, o.selection);
  const path = new Phase1Path(solver, curve1);
  const finite = finiteReduced(path);
  const infinite = infiniteReduced(kappa, p);
  const t2 = linspace(1, 2, o.grid);
  const p2cfg = { n, lambda: lambdaU, sigma, variant: o.variant };
  const curve2 = phase2Curve(t2, p2cfg);

  const tVp = [...linspace(-4, 0, 81).map((e) => 10 ** e)];
  const lin = new LinearInterpolant();
  const s2 = sigma * sigma;

  return {
    config: { ...o, kappas: [...o.kappas], mseDims: [...o.mseDims], version: VERSION, h: 0.5 * Math.log(p / (1 - p)) },
    phase1: { ...curve1, jump: curve1.jumps[0] ?? null },
    phase2: curve2,
    pHat: {
      p,
      finite: pHatOf(finite, 'ode', { steps: o.odeSteps }),
      finiteEuler: pHatOf(finite, 'euler', { points: o.eulerPoints }),
      infinite: pHatInfinite(kappa, p),
      infiniteOde: pHatOf(infinite, 'ode', { steps: Math.max(o.odeSteps, 256) }),
      infiniteEuler: pHatOf(infinite, 'euler', { points: o.eulerPoints }),
      signLocking: pHatSignLocking(kappa, p),
      eulerPoints: o.eulerPoints,
    },
    sigmaHat2: {
      sigma2: s2,
      finite: sigmaHat2(p2cfg),
      infinite: sigmaHat2Infinite(sigma),
      finiteEuler: sigmaHat2Euler(p2cfg, o.eulerPoints),
      infiniteEuler: sigmaHat2Euler(null, o.eulerPoints, sigma),
    },
    mse: {
      t: [...t1, ...t2],
      dilated: [
        ...t1.map((t) => mseDilatedPhase1(t, kappa, p, sigma)),
        ...t2.map((t) => mseDilatedPhase2(t - 1, sigma)),
      ],
      vp: {
        t: tVp,
        d: [...o.mseDims],
        mse: o.mseDims.map((d) => mseCurve(lin, tVp, d, p, sigma)),
        atZero: s2 + 4 * p * (1 - p),
        plateau: s2,
      },
    },
    kappaStudy:
      o.kappas.length > 0
        ? kappaStudy(p, {
            kappas: o.kappas,
            d: o.d,
            eulerPoints: o.eulerPoints,
            selection: o.selection,
            exact: { samples: 20000, seed: 0, sigma },
            finite: { n, lambdaU, lambdaW, p, sigma, numerator: o.numerator, nodes: o.nodes },
          })
        : null,
  };
}

function f4(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  return Number.isFinite(x) ? x.toFixed(4) : String(x);
}

/** Human-readable summary of a report (a few lines). */
export function summarizeTheory(r: TheoryReport): string {
  const c = r.config;
  const lines: string[] = [];
  lines.push(
    `phaseflow theory ${c.version}: n=${c.n} λ_u=${c.lambdaU} λ_w=${c.lambdaW} κ=${c.kappa} p=${c.p} σ=${c.sigma} (phase 2: ${c.variant}, numerator: ${c.numerator}, selection: ${c.selection})`,
  );
  const tr = r.phase1.transition;
  if (tr) {
    const g = tr.globalSwitch;
    lines.push(
      `phase 1: global minimiser jumps at t=${f4(g.t)} from (ω=0, b=${f4(g.before.b)}, m=${f4(g.before.m)}) to (ω=${f4(g.after.omega)}, b=${f4(g.after.b)}, m=${f4(g.after.m)})`,
    );
    if (tr.spinodal)
      lines.push(
        `         interior minimum born at t=${f4(tr.spinodal.t)} (ω=${f4(tr.spinodal.point.omega)}); notebook descent switches at t=${f4(tr.notebookSwitch?.t)}`,
      );
  } else lines.push('phase 1: no first-order jump on the grid');
  if (c.selection !== 'global' && r.phase1.jump)
    lines.push(
      `         selected (${c.selection}) minimiser jumps at t=${f4(r.phase1.jump.t)} to ω=${f4(r.phase1.jump.after.omega)}`,
    );
  const last = r.phase1.t.length - 1;
  lines.push(
    `phase 1 at t=1: ω=${f4(r.phase1.omega[last])} b=${f4(r.phase1.b[last])} m=${f4(r.phase1.m[last])} √q=${f4(r.phase1.sqrtQ[last])} (infinite n: ω=${f4(c.kappa)} b=${f4(c.h)} m=1)`,
  );
  const cmax = Math.max(...r.phase2.c);
  lines.push(
    `phase 2: max c=${f4(cmax)} (infinite n: ${f4(Math.max(...r.phase2.infinite.c))}), c(τ=1)=${f4(r.phase2.c[r.phase2.c.length - 1])}`,
  );
  lines.push(
    `p̂: finite n ${f4(r.pHat.finite)} (Euler ${c.eulerPoints} pts: ${f4(r.pHat.finiteEuler)}), infinite n ${f4(r.pHat.infinite)} (ODE ${f4(r.pHat.infiniteOde)}, Euler ${f4(r.pHat.infiniteEuler)}), true p=${c.p}`,
  );
  lines.push(
    `σ̂²: finite n ${f4(r.sigmaHat2.finite)} (Euler ${f4(r.sigmaHat2.finiteEuler)}), infinite n ${f4(r.sigmaHat2.infinite)}, true σ²=${f4(r.sigmaHat2.sigma2)}`,
  );
  for (const w of r.phase1.warnings) lines.push(`warning: ${w}`);
  const k = r.kappaStudy;
  if (k) {
    lines.push('κ study:   κ   p̂∞       p̂ finite  jump t');
    k.kappa.forEach((kv, i) =>
      lines.push(
        `  ${String(kv).padStart(9)}   ${f4(k.pHatInfinite[i])}   ${f4(k.pHatFinite[i])}    ${f4(k.jumpTime[i])}`,
      ),
    );
  }
  return lines.join('\n');
}
