/**
 * "Figure 1, quantitatively" (issue 11 item 7; docs/method.md §5.1): the overlap figure as numbers. The dilated GMM
 * stage trains two networks that differ only in the weight decay — the paper's (l_u = l_w = 1e-5, which maps to
 * λ = l d T / 2, not to the theory's constants) and the decay matched to the theory's ridge constants
 * (l = 2 λ / (d T) for λ_u = 50, λ_w = 1) — and measures, per overlap k ∈ {c, m, ω, b}, the RMS distance of each
 * run's |k| over the time grid from the same finite-n theory curves:
 *
 *   RMS_k = sqrt( (1/N_k) Σ_j (|k_exp(t_j)| − k_th(t_j))² )          (ω, b: phase-1 times t_j < 1 only)
 *
 * plain (against the selected theory curve) and branch-aware (each phase-1 time against the phase-1 local minimum
 * nearest in ω: near the first-order jump of ω a gradient-trained network can sit a grid step longer on the
 * degenerate corner, and one such point dominates the plain RMS of b).
 *
 * Criterion (per overlap): the matched run's branch-aware RMS is at most `FIGURE1_THRESHOLDS[k]`, and for m, ω and b
 * it is below the paper-decay run's (c carries no decay, and the measured matched runs show no gain on it). A fifth
 * row asks that the matched run sit on the theory's selected phase-1 branch at all but at most
 * `OFF_BRANCH_MAX_FRACTION` of the phase-1 grid times. The thresholds are measured: see `FIGURE1_THRESHOLDS`.
 */
import type { GmmConfig } from '../autoencoder/experiment.js';
import {
  FIGURE_OVERLAPS,
  PAPER_RIDGE,
  matchedDecay,
  ridgeConstants,
  type FigureOverlap,
  type TheoryComparison,
} from '../autoencoder/theoryOverlay.js';
import { fmt } from '../report/format.js';
import type { Claim, StageOutput } from './stage.js';

/** Version of the Figure-1 comparison (part of the dilated stage's cache key). */
export const FIGURE1_VERSION = 1;

/**
 * Upper bounds on the matched run's branch-aware RMS, per overlap: 1.5 times the largest value over seeds 0–9 at the
 * quick scale (d 1000, n 128, T 20, 4000 epochs, lr 4e-3), rounded to two decimals. Measured there (matched decay,
 * branch-aware): c 0.066–0.069, m 0.024–0.035, ω 0.14–0.185, b 0.016–0.283; the paper's decay, same seeds: c 0.041–0.042,
 * m 0.271–0.297, ω 0.377–0.398, b 0.354–0.589 (docs/method.md §5.1).
 */
export const FIGURE1_THRESHOLDS: Readonly<Record<FigureOverlap, number>> = Object.freeze({
  c: 0.1,
  m: 0.05,
  omega: 0.28,
  b: 0.42,
});

/**
 * The most phase-1 grid times (as a fraction of them) at which the matched run may sit on another local minimum
 * than the theory's selected one: one in ten (measured at the quick scale over seeds 0–9: 0 of 10 for five seeds, 1 of
 * 10 — t = 0.2, one grid step after the theory's jump at 0.135 — for the other five).
 */
export const OFF_BRANCH_MAX_FRACTION = 0.1;

const LABEL: Record<FigureOverlap, string> = { c: 'c', m: 'm', omega: 'ω', b: 'b' };

/**
 * The run with the paper's settings except the weight decay: l_u = 2 λ_u / (d T), l_w = 2 λ_w / (d T) (default: the
 * theory's constants λ_u = 50, λ_w = 1). Same seed, hence the same training set, initialisation and noise: the two
 * runs differ in the decay alone (common random numbers, so their RMS difference is the decay's effect).
 */
export function matchedConfig(cfg: GmmConfig, ridge: { lambdaU: number; lambdaW: number } = PAPER_RIDGE): GmmConfig {
  const { lU, lW } = matchedDecay({ d: cfg.d, T: cfg.T, lambdaU: ridge.lambdaU, lambdaW: ridge.lambdaW });
  return { ...cfg, lU, lW };
}

/** One run's distances from the theory, with the decay it trained with and the λ that decay maps to. */
export interface Figure1Run {
  lU: number;
  lW: number;
  /** λ = l d T / 2 of the run's decays. */
  lambdaU: number;
  lambdaW: number;
  comparison: TheoryComparison;
}

export interface Figure1Result {
  /** The theory curves' ridge constants (both runs are compared with the same curves). */
  theory: { lambdaU: number; lambdaW: number; n: number; selection: string };
  paper: Figure1Run;
  matched: Figure1Run;
  /** The paper-decay run against the theory at its own λ = l d T / 2 (the other way to remove the mismatch). */
  paperOwnLambda: TheoryComparison | null;
  thresholds: Record<FigureOverlap, number>;
  offBranchMaxFraction: number;
}

export function figure1Run(cfg: Pick<GmmConfig, 'd' | 'T' | 'lU' | 'lW'>, comparison: TheoryComparison): Figure1Run {
  const { lambdaU, lambdaW } = ridgeConstants({ ...cfg, lambdas: 'consistent' });
  return { lU: cfg.lU, lW: cfg.lW, lambdaU, lambdaW, comparison };
}

/** The verdict of one overlap's row (criterion in the module docstring). */
export function overlapVerdict(f: Figure1Result, k: FigureOverlap): Claim['verdict'] {
  const mat = f.matched.comparison.rmsBranch[k];
  const pap = f.paper.comparison.rmsBranch[k];
  if (mat === null || (k !== 'c' && pap === null)) return 'not comparable';
  const below = mat <= f.thresholds[k];
  const better = k === 'c' || mat < pap!;
  return below && better ? 'agrees' : 'differs';
}

/** Maximum number of off-branch phase-1 times allowed for `phase1Times` compared times. */
export function offBranchAllowed(phase1Times: number, fraction = OFF_BRANCH_MAX_FRACTION): number {
  return Math.floor(fraction * phase1Times + 1e-9);
}

function lambdaText(r: { lambdaU: number; lambdaW: number }): string {
  return `λ_u = ${fmt(r.lambdaU, 3)}, λ_w = ${fmt(r.lambdaW, 3)}`;
}

function decayText(r: Figure1Run): string {
  const l = r.lU === r.lW ? `l = ${fmt(r.lU, 3)}` : `l_u = ${fmt(r.lU, 3)}, l_w = ${fmt(r.lW, 3)}`;
  const lam = r.lambdaU === r.lambdaW ? `λ = ${fmt(r.lambdaU, 3)}` : lambdaText(r);
  return `${l} ↔ ${lam}`;
}

/** The claims-table rows: one per overlap, and the phase-1 branch. */
export function figure1Claims(f: Figure1Result): Claim[] {
  const th = lambdaText(f.theory);
  const claims: Claim[] = FIGURE_OVERLAPS.map((k) => {
    const m = f.matched.comparison,
      p = f.paper.comparison;
    return {
      claim: `Overlap ${LABEL[k]} of the trained network follows the finite-n theory once the weight decay matches its ridge constants`,
      paper:
        `the overlap figure, dots on the solid lines (docs/method.md §5 item 1); theory ${th}, while the paper's ` +
        'decay l = 1e-5 maps to λ = l d T / 2 = 2 at its d = 5000, T = 80 (docs/method.md §5.1)',
      measured:
        `RMS over ${m.points[k]} grid times, plain (branch-aware): matched decay (${decayText(f.matched)}) ` +
        `${fmt(m.rmsFinite[k], 3)} (${fmt(m.rmsBranch[k], 3)}); paper's decay (${decayText(f.paper)}) ` +
        `${fmt(p.rmsFinite[k], 3)} (${fmt(p.rmsBranch[k], 3)})` +
        (f.paperOwnLambda
          ? `; paper's decay against the theory at its own λ ${fmt(f.paperOwnLambda.rmsFinite[k], 3)}`
          : ''),
      verdict: overlapVerdict(f, k),
      criterion:
        `matched branch-aware RMS ≤ ${f.thresholds[k]}` +
        (k === 'c'
          ? ' (c carries no decay and the matched runs measured no gain on it, so none is asked)'
          : " and below the paper's-decay run's") +
        '; the bound is 1.5× the largest of seeds 0–9 at the quick scale (docs/method.md §5.1)',
    };
  });
  const m = f.matched.comparison,
    p = f.paper.comparison;
  const allowed = offBranchAllowed(m.phase1Times, f.offBranchMaxFraction);
  const where = (c: TheoryComparison) =>
    c.offBranch.length ? `t = ${c.offBranch.map((t) => fmt(t, 3)).join(', ')}` : 'none';
  claims.push({
    claim:
      "With matched decay the network sits on the theory's phase-1 minimum (the jump of ω where the theory has it)",
    paper:
      'first-order jump of ω from the corner (ω = 0, b = ∞) to the interior branch at t ≈ 0.135 (docs/method.md §3.2)',
    measured:
      `phase-1 grid times on another local minimum than the theory's: matched ${m.offBranch.length} of ${m.phase1Times} ` +
      `(${where(m)}), paper's decay ${p.offBranch.length} of ${p.phase1Times} (${where(p)})`,
    verdict: m.phase1Times === 0 ? 'not comparable' : m.offBranch.length <= allowed ? 'agrees' : 'differs',
    criterion: `at most ${Math.round(100 * f.offBranchMaxFraction)} % of the matched run's phase-1 grid times (here ${allowed}) off the selected branch (docs/method.md §5.1)`,
  });
  return claims;
}

/** The table of the stage: every RMS beside the threshold. */
export function figure1Table(f: Figure1Result): NonNullable<StageOutput['tables']>[number] {
  return {
    heading: `Figure 1, quantitatively: RMS of |overlap| against the finite-n theory (${lambdaText(f.theory)}, n = ${f.theory.n})`,
    columns: [
      'overlap',
      'matched decay',
      'matched, branch-aware',
      "paper's decay",
      "paper's decay, branch-aware",
      "paper's decay vs theory at its own λ",
      'bound (matched, branch-aware)',
      'grid times',
    ],
    rows: FIGURE_OVERLAPS.map((k) => [
      LABEL[k],
      fmt(f.matched.comparison.rmsFinite[k], 3),
      fmt(f.matched.comparison.rmsBranch[k], 3),
      fmt(f.paper.comparison.rmsFinite[k], 3),
      fmt(f.paper.comparison.rmsBranch[k], 3),
      fmt(f.paperOwnLambda?.rmsFinite[k] ?? null, 3),
      f.thresholds[k],
      f.matched.comparison.points[k],
    ]),
  };
}
