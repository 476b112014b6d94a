/**
 * Phase-aware retraining against uniform training (docs/method.md §4.7, §7 items 9-10), with everything else equal:
 *
 *   arms       'uniform'      t ~ U(0, 1)
 *              'phase-aware'  windowSampler({ window: [t_lo, t_hi], massInside }) — mass `massInside` (default 1/2)
 *                             uniform in the measured decision window, the rest uniform outside it
 *   identical  seeds (hence initial weights, image order, noise and the uniforms the times are drawn from), steps,
 *              batch, optimiser, learning-rate schedule (its length is the largest budget), EMA, and the generator
 *              (method, steps, number of images and the generation noise of each seed)
 *   budgets    each run is evaluated at every budget B (the sampling weights after B steps of the run): a learning
 *              curve. The schedule spans the largest budget, so smaller budgets are evaluated before the decay ends —
 *              identically for both arms.
 *
 * Per budget and arm: class error |pHat_A - p| and Fréchet distance (mean over seeds, Student-t 95 % interval);
 * between arms: ratio of mean errors uniform / phase-aware with a percentile-bootstrap 95 % interval (> 1 means the
 * phase-aware arm is better; the paper claims > 5 after a short budget), and the paired per-seed difference.
 * The verdict is computed from those intervals, whatever they show.
 */
import { join } from 'node:path';
import { meanCI, ratioOfMeans, type MeanCI, type RatioCI } from '../metrics/summary.js';
import { windowSampler } from '../sampler/piecewise.js';
import type { Proportion } from '../uturn/binomial.js';
import { ensureOracle, ensureRun, evaluateSnapshot, oracleSummary, type RealDataContext } from './context.js';
import { runKey, runSpec } from './denoiser.js';
import { retrainFigures, writeStageReport } from './figures.js';
import { hashOf, readCached, writeCached } from './store.js';
import { uniformKeeps, type UTurnStageResult } from './uturnImages.js';
import { PAPER_UTURN } from './config.js';

export type ArmName = 'uniform' | 'phase-aware';
export const ARMS: readonly ArmName[] = ['uniform', 'phase-aware'];

export interface WindowChoice {
  lo: number;
  hi: number;
  source: 'uturn' | 'given' | 'paper';
  /** Set when the window had to be widened (a degenerate measured window). */
  note?: string;
}

export interface RetrainStageOptions {
  /** Window [lo, hi] in our time; default: the U-Turn result's window. */
  window?: [number, number];
  /** The U-Turn result the window comes from (when `window` is absent). */
  uturn?: UTurnStageResult;
  /** Use the paper's hand-picked window [0.2, 0.6] instead of a measured one. */
  paperWindow?: boolean;
}

export interface ArmRecord {
  name: ArmName;
  sampler: string;
  seeds: number[];
  budgets: number[];
  steps: number;
  scheduleSteps: number;
  optim: { batch: number; lr: number; warmup: number; weightDecay: number; clip: number; emaDecay: number; schedule: string };
  generation: { method: string; stepsPerUnit: number; images: number; seeds: number[] };
  runKeys: string[];
}

export interface RetrainPart {
  arm: ArmName;
  seed: number;
  budget: number;
  key: string;
  fractionA: Proportion;
  classError: number;
  fd: number | null;
  genSeconds: number;
}

export interface ArmSummary {
  classError: MeanCI;
  fd: MeanCI;
  fractionA: MeanCI;
}

export interface BudgetSummary {
  budget: number;
  arms: Record<ArmName, ArmSummary>;
  /** mean error (uniform) / mean error (phase-aware); > 1: phase-aware better. */
  errorRatio: RatioCI;
  fdRatio: RatioCI;
  /** Paired per-seed differences uniform - phase-aware (> 0: phase-aware better). */
  errorDiff: MeanCI;
  fdDiff: MeanCI;
  verdict: string;
}

export interface RetrainStageResult {
  stage: 'retrain';
  window: WindowChoice;
  massInside: number;
  targetFractionA: number;
  arms: ArmRecord[];
  parts: RetrainPart[];
  budgets: BudgetSummary[];
  paperClaim: { statement: string; ratio: number; paperWindow: [number, number]; uniformGeneratedFractionA: number };
  oracle: ReturnType<typeof oracleSummary>;
  timing: { seconds: number; trainSeconds: number; evalSeconds: number; msPerStep: number | null };
  figures: string[];
}

/** The window the phase-aware arm uses: given, the paper's, or the U-Turn's (widened to >= 0.05 if degenerate). */
export function chooseWindow(o: RetrainStageOptions): WindowChoice {
  let w: WindowChoice;
  if (o.paperWindow) w = { lo: PAPER_UTURN.window[0], hi: PAPER_UTURN.window[1], source: 'paper' };
  else if (o.window) w = { lo: o.window[0], hi: o.window[1], source: 'given' };
  else if (o.uturn) w = { lo: o.uturn.window.lo, hi: o.uturn.window.hi, source: 'uturn' };
  else throw new RangeError('retrain: need a window (from the U-Turn stage, --window lo,hi or --paper-window)');
  // Rounded so the sampler spec (and the run hash) does not depend on the last digits of a measured window.
  w.lo = Math.max(0, Math.round(w.lo * 1000) / 1000);
  w.hi = Math.min(1, Math.round(w.hi * 1000) / 1000);
  const minWidth = 0.05;
  if (!(w.hi - w.lo >= minWidth)) {
    const mid = Math.min(1 - minWidth / 2, Math.max(minWidth / 2, (w.lo + w.hi) / 2));
    w.note = `measured window [${w.lo}, ${w.hi}] is narrower than ${minWidth}; widened to ${minWidth} around its centre`;
    w.lo = Math.round((mid - minWidth / 2) * 1000) / 1000;
    w.hi = Math.round((mid + minWidth / 2) * 1000) / 1000;
  }
  return w;
}

/** Sampler spec of an arm. */
export function armSampler(arm: ArmName, w: WindowChoice, massInside: number): string {
  if (arm === 'uniform') return 'uniform';
  // A window covering [0, 1] leaves no outside: all mass inside, i.e. uniform.
  const m = w.lo <= 0 && w.hi >= 1 ? 1 : massInside;
  return windowSampler({ window: [w.lo, w.hi], massInside: m }).spec;
}

function verdict(b: Omit<BudgetSummary, 'verdict'>): string {
  const r = b.errorRatio, d = b.errorDiff;
  const dir =
    d.n < 2 || !Number.isFinite(d.low)
      ? 'too few seeds for an interval'
      : d.low > 0
        ? 'phase-aware has a lower class error (paired 95 % interval excludes 0)'
        : d.high < 0
          ? 'uniform has a lower class error (paired 95 % interval excludes 0)'
          : 'no significant difference in class error (paired 95 % interval contains 0)';
  const claim = !Number.isFinite(r.low) ? 'ratio interval undefined' : r.low > 5 ? 'the >5x claim holds here' : r.high < 5 ? 'the >5x claim is not reproduced here' : 'inconclusive about the >5x claim';
  return `${dir}; error ratio uniform/phase-aware ${r.ratio.toFixed(2)} [${r.low.toFixed(2)}, ${r.high.toFixed(2)}]: ${claim}`;
}

export function retrainHash(ctx: RealDataContext, w: WindowChoice): string {
  const c = ctx.config;
  return hashOf({ stage: 'retrain', data: c.data, oracle: ctx.classifierDir ?? c.oracle, denoiser: c.denoiser, sampling: c.sampling, retrain: c.retrain, window: [w.lo, w.hi] });
}

/** Run (or reuse) the retraining comparison. */
export async function runRetrainStage(ctx: RealDataContext, o: RetrainStageOptions = {}): Promise<RetrainStageResult> {
  const c = ctx.config;
  const r = c.retrain;
  const w = chooseWindow(o);
  const hash = retrainHash(ctx, w);
  const dir = ctx.out ? join(ctx.out, 'retrain') : undefined;
  if (dir) {
    const cached = readCached<RetrainStageResult>(join(dir, 'result.json'), hash, { force: ctx.force });
    if (cached) {
      ctx.reporter.log(`retrain: reusing ${join(dir, 'result.json')}`);
      return cached;
    }
  }
  const t0 = performance.now();
  await ensureOracle(ctx);
  const budgets = [...new Set(r.budgets)].sort((a, b) => a - b);
  const maxB = budgets[budgets.length - 1];
  const keeps = uniformKeeps(c).filter((s) => s <= maxB);
  const genSeed = (seed: number) => 7000 + seed;
  const parts: RetrainPart[] = [];
  const arms: ArmRecord[] = [];
  let trainSeconds = 0, evalSeconds = 0, stepMs = 0, stepN = 0;
  for (const arm of ARMS) {
    const sampler = armSampler(arm, w, r.massInside);
    arms.push({
      name: arm, sampler, seeds: [...r.seeds], budgets, steps: maxB, scheduleSteps: maxB,
      optim: { batch: c.denoiser.batch, lr: c.denoiser.lr, warmup: c.denoiser.warmup, weightDecay: c.denoiser.weightDecay, clip: c.denoiser.clip, emaDecay: c.denoiser.emaDecay, schedule: c.denoiser.schedule },
      generation: { method: c.sampling.method, stepsPerUnit: c.sampling.stepsPerUnit, images: r.genSamples, seeds: r.seeds.map(genSeed) },
      runKeys: [],
    });
  }
  for (const seed of r.seeds) {
    for (const [ai, arm] of ARMS.entries()) {
      const rec = arms[ai];
      const spec = runSpec({ data: ctx.dataKey, size: ctx.data.size, denoiser: c.denoiser, sampler: rec.sampler, seed, scheduleSteps: maxB });
      const label = `${arm}-s${seed}`;
      const key = runKey(spec, label);
      rec.runKeys.push(key);
      const partPath = (b: number) => (dir ? join(dir, 'parts', `${label}-b${b}.json`) : '');
      const partHash = (b: number) => hashOf({ key, b, gen: rec.generation, n: r.genSamples, oracle: ctx.classifierDir ?? c.oracle, data: c.data });
      const cachedParts = budgets.map((b) => (dir ? readCached<RetrainPart>(partPath(b), partHash(b), { force: ctx.force }) : null));
      if (cachedParts.every((p) => p)) {
        for (const p of cachedParts) parts.push(p!);
        continue;
      }
      const tt = performance.now();
      const run = await ensureRun(ctx, {
        label, sampler: rec.sampler, seed, steps: maxB, scheduleSteps: maxB, snapshots: budgets, fullStates: arm === 'uniform' ? keeps : [],
      });
      trainSeconds += (performance.now() - tt) / 1000;
      if (run.msPerStep !== null) {
        stepMs += run.msPerStep * (run.step - run.startedAt);
        stepN += run.step - run.startedAt;
      }
      for (const [bi, b] of budgets.entries()) {
        if (cachedParts[bi]) {
          parts.push(cachedParts[bi]!);
          continue;
        }
        const ev = await evaluateSnapshot(ctx, { key, spec, step: b, n: r.genSamples, seed: genSeed(seed), label });
        evalSeconds += ev.seconds;
        const part: RetrainPart = { arm, seed, budget: b, key, fractionA: ev.fractionA, classError: ev.classError, fd: ev.fd, genSeconds: ev.seconds };
        parts.push(dir ? writeCached(partPath(b), partHash(b), part) : part);
        ctx.reporter.log(`retrain ${label} @${b}: pHat_A ${ev.fractionA.value.toFixed(3)}, class error ${ev.classError.toFixed(3)}, FD ${ev.fd?.toFixed(2) ?? '-'}`);
      }
    }
  }
  const summaries: BudgetSummary[] = budgets.map((b) => {
    const of = (arm: ArmName) => r.seeds.map((s) => parts.find((p) => p.arm === arm && p.seed === s && p.budget === b)!);
    const U = of('uniform'), P = of('phase-aware');
    const summary = (ps: RetrainPart[]): ArmSummary => ({
      classError: meanCI(ps.map((p) => p.classError)),
      fd: meanCI(ps.map((p) => p.fd ?? NaN)),
      fractionA: meanCI(ps.map((p) => p.fractionA.value)),
    });
    const s: Omit<BudgetSummary, 'verdict'> = {
      budget: b,
      arms: { uniform: summary(U), 'phase-aware': summary(P) },
      errorRatio: ratioOfMeans(U.map((p) => p.classError), P.map((p) => p.classError), b),
      fdRatio: ratioOfMeans(U.map((p) => p.fd ?? NaN), P.map((p) => p.fd ?? NaN), b + 1),
      errorDiff: meanCI(U.map((p, i) => p.classError - P[i].classError)),
      fdDiff: meanCI(U.map((p, i) => (p.fd ?? NaN) - (P[i].fd ?? NaN))),
    };
    return { ...s, verdict: verdict(s) };
  });
  const result: RetrainStageResult = {
    stage: 'retrain',
    window: w,
    massInside: r.massInside,
    targetFractionA: ctx.data.trainFractionA,
    arms,
    parts,
    budgets: summaries,
    paperClaim: {
      statement: 'phase-aware retraining (half of the training times in the U-Turn window) gives a more than 5x lower class error after a short budget (README of aranguri/diffusion; metric and budget not published, docs/method.md §7 item 10)',
      ratio: 5, paperWindow: PAPER_UTURN.window, uniformGeneratedFractionA: PAPER_UTURN.generatedFractionA,
    },
    oracle: oracleSummary(ctx),
    timing: { seconds: (performance.now() - t0) / 1000, trainSeconds, evalSeconds, msPerStep: stepN ? stepMs / stepN : null },
    figures: [],
  };
  const figs = retrainFigures(result);
  result.figures = figs.map((f) => f.file);
  if (dir) {
    writeStageReport(dir, 'retrain', result, figs);
    return writeCached(join(dir, 'result.json'), hash, result);
  }
  return { ...result, configHash: hash } as RetrainStageResult;
}
