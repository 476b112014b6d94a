/**
 * Theory overlay for a trained dilated-schedule autoencoder (docs/method.md §3, §5 item 1, §5.1).
 *
 * Ridge constants: the experiment's coupled weight decay l (PyTorch Adam `weight_decay`) adds (l/2)|theta|^2 to the
 * loss (1/(dT)) sum_j sum_mu |f_j − x1|^2. Per time step, in the theory's "sum over samples" units
 * (sum_mu |f − x1|^2 + lambda |theta|^2), that is lambda = l d T / 2 (docs/method.md §2.6). The paper's theory curves
 * were drawn with lambda_u = 50, lambda_w = 1 instead, while its experiment (l = 1e-5, d = 5000, T = 80) corresponds to
 * lambda = 2 for both: `lambdas: 'paper'` reproduces the figure, `'consistent'` uses the mapping, and
 * {@link matchedDecay} inverts it (the decay that makes a run match given theory constants).
 *
 * Distances (docs/method.md §5.1): per overlap k ∈ {c, m, ω, b}, RMS_k = sqrt( (1/N) Σ_j (|k_exp(t_j)| − k_th(t_j))² )
 * over the N grid times t_j where the theory is finite (ω and b: phase 1 only, t_j < 1), the theory linearly
 * interpolated at t_j. The branch-aware variant compares each phase-1 time with the phase-1 local minimum (the
 * degenerate corner ω = 0, b = ∞, or the interior branch) whose ω is nearest the measured |ω|.
 */
import { computeTheory, type TheoryReport } from '../theory/compute.js';
import { overlapSeries, type OverlapLine } from '../theory/figures.js';
import type { Phase1Selection } from '../theory/phase1.js';
import type { Overlaps } from './overlaps.js';

export type TheoryLambdas = 'paper' | 'consistent';

/** The four overlaps of the paper's figure. */
export const FIGURE_OVERLAPS = ['c', 'm', 'omega', 'b'] as const;
export type FigureOverlap = (typeof FIGURE_OVERLAPS)[number];

/** The ridge constants of the paper's theory curves (the notebook's L_u, L_w; docs/method.md §3.2). */
export const PAPER_RIDGE = { lambdaU: 50, lambdaW: 1 } as const;

export interface OverlayOptions {
  n: number;
  p: number;
  sigma: number;
  kappa: number;
  d: number;
  T: number;
  lU: number;
  lW: number;
  lambdas: TheoryLambdas;
  selection?: Phase1Selection;
}

/**
 * The theory's ridge constants for a run: the paper's (50, 1), or `'consistent'`: λ = l d T / 2 of the run's decays
 * (docs/method.md §2.6).
 */
export function ridgeConstants(o: Pick<OverlayOptions, 'd' | 'T' | 'lU' | 'lW' | 'lambdas'>): {
  lambdaU: number;
  lambdaW: number;
} {
  return o.lambdas === 'paper'
    ? { ...PAPER_RIDGE }
    : { lambdaU: (o.lU * o.d * o.T) / 2, lambdaW: (o.lW * o.d * o.T) / 2 };
}

/**
 * The coupled weight decays that make a run at (d, T) correspond to the ridge constants (λ_u, λ_w):
 * l = 2 λ / (d T), the inverse of λ = l d T / 2 (docs/method.md §2.6, §5.1). For the paper's constants (50, 1) at
 * d = 5000, T = 80: l_u = 2.5e-4, l_w = 5e-6 (the paper trained with 1e-5 for both).
 */
export function matchedDecay(o: { d: number; T: number; lambdaU: number; lambdaW: number }): {
  lU: number;
  lW: number;
} {
  for (const [k, v] of Object.entries(o)) {
    if (!Number.isFinite(v) || v < 0 || ((k === 'd' || k === 'T') && v <= 0))
      throw new RangeError(
        `matchedDecay: ${k} must be a ${k === 'd' || k === 'T' ? 'positive' : 'non-negative'} number, got ${v}`,
      );
  }
  return { lU: (2 * o.lambdaU) / (o.d * o.T), lW: (2 * o.lambdaW) / (o.d * o.T) };
}

export interface TheoryComparison {
  /** RMS of (|experiment| − finite-n theory) over the grid times where the theory predicts the overlap. */
  rmsFinite: Record<FigureOverlap, number | null>;
  rmsInfinite: Record<FigureOverlap, number | null>;
  points: Record<FigureOverlap, number>;
  /**
   * Branch-aware RMS against the finite-n theory: each phase-1 time compared with the phase-1 local minimum nearest
   * in ω (docs/method.md §5.1); phase 2 as `rmsFinite`.
   */
  rmsBranch: Record<FigureOverlap, number | null>;
  pointsBranch: Record<FigureOverlap, number>;
  /** Phase-1 grid times where the nearest local minimum is not the selected one (the network sits on another branch). */
  offBranch: number[];
  /** Phase-1 grid times compared (t < 1). */
  phase1Times: number;
}

export interface TheoryOverlay {
  lambdaU: number;
  lambdaW: number;
  lambdas: TheoryLambdas;
  selection: Phase1Selection;
  note: string;
  lines: { finite: OverlapLine[]; infinite: OverlapLine[] };
  /** The phase-1 local minima on the theory's grid (for branch-aware comparisons of further runs). */
  branches: PhaseOneBranches;
  pHat: TheoryReport['pHat'];
  sigmaHat2: TheoryReport['sigmaHat2'];
  comparison: TheoryComparison;
}

/**
 * Phase-1 local minima of the finite-n theory on its grid t ∈ [0, 1]: the degenerate corner (ω = 0, b = ∞, m fixed)
 * and the interior branch (NaN where it does not exist).
 */
export interface PhaseOneBranches {
  t: number[];
  corner: { m: number };
  interior: { omega: number[]; b: number[]; m: number[] };
}

/**
 * Linear interpolation of a polyline at x: null outside its range, or where the interpolated value is not finite (a
 * gap of the curve, e.g. b = ∞ on the degenerate branch).
 */
export function interpLine(line: Pick<OverlapLine, 'x' | 'y'>, x: number): number | null {
  const xs = line.x,
    ys = line.y;
  // On a node: its value (the last of equal nodes: at t = 1 the phase-2 start, at a jump the value after it), so a
  // gap next to the node does not hide it.
  for (let i = xs.length - 1; i >= 0; i--) if (xs[i] === x && Number.isFinite(ys[i])) return ys[i];
  for (let i = 0; i + 1 < xs.length; i++) {
    if (x >= xs[i] && x <= xs[i + 1]) {
      if (xs[i + 1] === xs[i]) return Number.isFinite(ys[i + 1]) ? ys[i + 1] : null;
      const v = ys[i] + ((x - xs[i]) / (xs[i + 1] - xs[i])) * (ys[i + 1] - ys[i]);
      return Number.isFinite(v) ? v : null;
    }
  }
  return null;
}

/**
 * RMS distance between measured values and a theory curve: sqrt((1/N) Σ_j (|y_j| − θ(t_j))²) over the N times t_j
 * where θ (the polyline, linearly interpolated) is finite, and only t_j < 1 when `phase1Only`. Absolute values of the
 * measurements, as the paper's figure plots them (the sign symmetry of docs/method.md §2.5). `rms` is null when N = 0.
 * Shapes: `t` and `y` of equal length (one value per grid time).
 */
export function overlapRms(
  theory: Pick<OverlapLine, 'x' | 'y'>,
  t: readonly number[],
  y: readonly number[],
  opts: { phase1Only?: boolean } = {},
): { rms: number | null; n: number } {
  if (t.length !== y.length) throw new RangeError(`overlapRms: t has ${t.length} values but y has ${y.length}`);
  let s = 0,
    n = 0;
  for (let j = 0; j < t.length; j++) {
    if (opts.phase1Only && t[j] >= 1) continue;
    const th = interpLine(theory, t[j]);
    if (th === null || !Number.isFinite(y[j])) continue;
    s += (Math.abs(y[j]) - th) ** 2;
    n++;
  }
  return { rms: n ? Math.sqrt(s / n) : null, n };
}

/** ω and b are predicted in phase 1 only (the boundary point t = 1, where the model switches phase, is excluded). */
const PHASE1_ONLY: Record<FigureOverlap, boolean> = { c: false, m: false, omega: true, b: true };

function lineOf(lines: OverlapLine[], k: FigureOverlap): OverlapLine {
  return lines.find((l) => l.name === k)!;
}

export function phaseOneBranches(report: TheoryReport): PhaseOneBranches {
  const p1 = report.phase1;
  const nan = (v: number | null) => (v === null || !Number.isFinite(v) ? NaN : v);
  return {
    t: [...p1.t],
    corner: { m: p1.branches.degenerate.m },
    interior: {
      omega: p1.branches.interior.omega.map(nan),
      b: p1.branches.interior.b.map(nan),
      m: p1.branches.interior.m.map(nan),
    },
  };
}

/**
 * Compare measured overlaps with the theory's curves (finite and infinite n) and, branch-aware, with its phase-1
 * local minima (docs/method.md §5.1). Phase-1 branch choice at t_j < 1: the interior branch where it exists at t_j
 * and |ω_exp − ω_int(t_j)| < |ω_exp| (the corner's ω is 0), else the corner (ω 0, m the corner's, b = ∞: no b
 * point); c is 0 on both. `offBranch` lists the t_j whose chosen branch differs from the selected curve's.
 */
export function compareOverlaps(
  lines: { finite: OverlapLine[]; infinite: OverlapLine[] },
  branches: PhaseOneBranches,
  measured: Overlaps,
): TheoryComparison {
  const cmp: TheoryComparison = {
    rmsFinite: {} as TheoryComparison['rmsFinite'],
    rmsInfinite: {} as TheoryComparison['rmsInfinite'],
    points: {} as TheoryComparison['points'],
    rmsBranch: {} as TheoryComparison['rmsBranch'],
    pointsBranch: {} as TheoryComparison['pointsBranch'],
    offBranch: [],
    phase1Times: 0,
  };
  for (const k of FIGURE_OVERLAPS) {
    const f = overlapRms(lineOf(lines.finite, k), measured.t, measured[k], { phase1Only: PHASE1_ONLY[k] });
    cmp.rmsFinite[k] = f.rms;
    cmp.points[k] = f.n;
    cmp.rmsInfinite[k] = overlapRms(lineOf(lines.infinite, k), measured.t, measured[k], {
      phase1Only: PHASE1_ONLY[k],
    }).rms;
  }
  // Branch-aware: the theory value per grid time, chosen branch by branch in phase 1.
  const sums: Record<FigureOverlap, { s: number; n: number }> = {
    c: { s: 0, n: 0 },
    m: { s: 0, n: 0 },
    omega: { s: 0, n: 0 },
    b: { s: 0, n: 0 },
  };
  const add = (k: FigureOverlap, exp: number, th: number | null) => {
    if (th === null || !Number.isFinite(th) || !Number.isFinite(exp)) return;
    sums[k].s += (Math.abs(exp) - th) ** 2;
    sums[k].n++;
  };
  const selOmega = lineOf(lines.finite, 'omega');
  const intOmega = { x: branches.t, y: branches.interior.omega };
  for (let j = 0; j < measured.t.length; j++) {
    const t = measured.t[j];
    if (t >= 1) {
      add('c', measured.c[j], interpLine(lineOf(lines.finite, 'c'), t));
      add('m', measured.m[j], interpLine(lineOf(lines.finite, 'm'), t));
      continue;
    }
    cmp.phase1Times++;
    const w = Math.abs(measured.omega[j]);
    const wInt = interpLine(intOmega, t);
    const interior = wInt !== null && Math.abs(w - wInt) < w;
    const wSel = interpLine(selOmega, t);
    const selectedInterior = wSel !== null && wSel > 0;
    if (wSel !== null && interior !== selectedInterior) cmp.offBranch.push(t);
    add('c', measured.c[j], 0);
    if (interior) {
      add('omega', measured.omega[j], wInt);
      add('b', measured.b[j], interpLine({ x: branches.t, y: branches.interior.b }, t));
      add('m', measured.m[j], interpLine({ x: branches.t, y: branches.interior.m }, t));
    } else {
      add('omega', measured.omega[j], 0);
      add('m', measured.m[j], branches.corner.m);
    }
  }
  for (const k of FIGURE_OVERLAPS) {
    cmp.rmsBranch[k] = sums[k].n ? Math.sqrt(sums[k].s / sums[k].n) : null;
    cmp.pointsBranch[k] = sums[k].n;
  }
  return cmp;
}

export function theoryOverlay(opts: OverlayOptions, measured: Overlaps): TheoryOverlay {
  const { lambdaU, lambdaW } = ridgeConstants(opts);
  const selection = opts.selection ?? 'notebook';
  const report = computeTheory({
    n: opts.n,
    p: opts.p,
    sigma: opts.sigma,
    kappa: opts.kappa,
    lambdaU,
    lambdaW,
    kappas: [],
    mseDims: [],
    selection,
    d: opts.d,
  });
  const lines = overlapSeries(report);
  const branches = phaseOneBranches(report);
  const consistent = ridgeConstants({ ...opts, lambdas: 'consistent' });
  return {
    lambdaU,
    lambdaW,
    lambdas: opts.lambdas,
    selection,
    note:
      `theory ridge constants lambda_u = ${lambdaU}, lambda_w = ${lambdaW} (${opts.lambdas === 'paper' ? "the paper's" : 'lambda = l d T / 2'}); ` +
      `this run's weight decay maps to lambda_u = ${consistent.lambdaU.toPrecision(3)}, lambda_w = ${consistent.lambdaW.toPrecision(3)}. ` +
      "The paper's figure used 50 and 1 while its experiment corresponds to 2 and 2 (docs/method.md §7 item 3).",
    lines,
    branches,
    pHat: report.pHat,
    sigmaHat2: report.sigmaHat2,
    comparison: compareOverlaps(lines, branches, measured),
  };
}
