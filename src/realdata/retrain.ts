/**
 * Phase-aware retraining against uniform training (docs/method.md §4.7, §7 items 9-10), with everything else equal:
 *
 *   arms       'uniform'      t ~ U(0, 1)
 *              'phase-aware'  windowSampler({ window: [t_lo, t_hi], massInside }) — mass `massInside` (default 1/2)
 *                             uniform in the measured decision window, the rest uniform outside it
 *   identical  seeds (hence initial weights, image order, noise and the uniforms the times are drawn from), steps,
 *              batch, optimiser, learning-rate schedule (its length is the largest budget), EMA, and the generator
 *              (method, steps, number of images and the generation noise of each seed)
 *   budgets    each run is evaluated at every budget B (the sampling weights after B steps of the run) and at the
 *              learning-curve steps. The schedule spans the largest budget, so smaller budgets are evaluated before the
 *              decay ends — identically for both arms.
 *
 * Per budget and arm: class error |pHat_A - p| and Fréchet distance (mean over seeds, Student-t 95 % interval);
 * between arms: ratio of mean errors uniform / phase-aware with a percentile-bootstrap 95 % interval (> 1 means the
 * phase-aware arm is better; the paper claims > 5 after a short budget), and the paired per-seed difference.
 * The verdict is computed from those intervals, whatever they show. The learning curve of each arm (the same
 * measures at every evaluated step, seed bands) and a grid of the first `gridImages` generated images of the first
 * seed per arm and step come with the result, for the report.
 *
 * The stage is computed (`computeRetrain`: runs, parts, summaries), cached (`<out>/retrain/result.json`, and each
 * evaluation in `<out>/retrain/parts/`) and reported (`figures.ts`) apart; `--shard i/k` computes a subset of the
 * runs and `mergeRetrainShards` summarises the union.
 */
import { join } from 'node:path';
import { meanCI, ratioOfMeans } from '../metrics/summary.js';
import { mergeIndexedShards, shardCells, type Shard } from '../sweep/shard.js';
import { windowSampler } from '../sampler/piecewise.js';
import { ensureOracle, ensureRun, evaluateSnapshot, oracleSummary, type RealDataContext } from './context.js';
import { runKey, runSpec } from './denoiser.js';
import { retrainFigures } from './figures.js';
import { imageGrid } from './png.js';
import { hashOf, readCached, writeCached } from './store.js';
import { reuseStage, stageDir, storeStage } from './stageCache.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { uniformFullStates, uniformKeeps } from './uturnImages.js';
import { PAPER_UTURN } from './config.js';
import { budgetStatement, CONFIDENT_GATE, judgeBudget, powerOf } from './verdicts.js';
import { streamSeed } from '../random/streams.js';
import type {
  ArmName,
  ArmRecord,
  ArmSummary,
  BudgetSummary,
  LearningCurvePoint,
  RetrainPart,
  RetrainStageOptions,
  RetrainStageResult,
  WindowChoice,
} from './results.js';

export type {
  ArmName,
  ArmRecord,
  ArmSummary,
  BudgetSummary,
  RetrainPart,
  RetrainStageOptions,
  RetrainStageResult,
  WindowChoice,
} from './results.js';

export const ARMS: readonly ArmName[] = ['uniform', 'phase-aware'];

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

export function retrainHash(ctx: RealDataContext, w: WindowChoice): string {
  const c = ctx.config;
  return hashOf({
    stage: 'retrain',
    data: c.data,
    oracle: ctx.classifierDir ?? c.oracle,
    denoiser: c.denoiser,
    sampling: c.sampling,
    retrain: c.retrain,
    window: [w.lo, w.hi],
    summary: RETRAIN_SUMMARY_VERSION,
  });
}

/** Version of the budget summaries (2: confident fractions, quality gate, power, unified verdicts; 3: curve). */
const RETRAIN_SUMMARY_VERSION = 3;
/** Version of a part's evaluation (2: the confidently classified fraction; 3: the first seed's image grid). */
const PART_VERSION = 3;

/** A shard's unit of work: one training run (arm x seed), evaluated at every step (one part per step). */
export interface RetrainRunCell {
  index: number;
  arm: ArmName;
  seed: number;
}

/** Runs in a fixed order (seed-major, then arm), the order `--shard i/k` splits (index modulo k, as `sweep`). */
export function retrainCells(seeds: readonly number[]): RetrainRunCell[] {
  return seeds.flatMap((seed, i) => ARMS.map((arm, a) => ({ index: 2 * i + a, arm, seed })));
}

/** The parts of `arm` at `step`, one per seed in seed order (throws when one is missing). */
function partsAt(parts: readonly RetrainPart[], seeds: readonly number[], arm: ArmName, step: number): RetrainPart[] {
  return seeds.map((s) => {
    const p = parts.find((q) => q.arm === arm && q.seed === s && q.budget === step);
    if (!p) throw new Error(`retrain: no result for ${arm}, seed ${s}, budget ${step}`);
    return p;
  });
}

/** Mean over seeds (Student-t 95 %) of every measure of an arm's parts at one step. */
function armSummary(ps: readonly RetrainPart[]): ArmSummary {
  return {
    classError: meanCI(ps.map((p) => p.classError)),
    confident: meanCI(ps.map((p) => p.confident)),
    typical: meanCI(ps.map((p) => p.typical ?? NaN)),
    fd: meanCI(ps.map((p) => p.fd ?? NaN)),
    fractionA: meanCI(ps.map((p) => p.fractionA.value)),
  };
}

/** Per-budget summaries of a complete set of parts (every arm x seed x budget), with verdicts. */
export function summariseBudgets(
  parts: readonly RetrainPart[],
  seeds: readonly number[],
  budgets: readonly number[],
  scale: string,
): BudgetSummary[] {
  return budgets.map((b) => {
    const U = partsAt(parts, seeds, 'uniform', b),
      P = partsAt(parts, seeds, 'phase-aware', b);
    const arms = { uniform: armSummary(U), 'phase-aware': armSummary(P) };
    const errorRatio = ratioOfMeans(
      U.map((p) => p.classError),
      P.map((p) => p.classError),
      b,
    );
    const errorDiff = meanCI(U.map((p, i) => p.classError - P[i].classError));
    const j = judgeBudget({ arms, errorDiff, errorRatio });
    const s: Omit<BudgetSummary, 'statement' | 'resolve'> = {
      budget: b,
      arms,
      errorRatio,
      fdRatio: ratioOfMeans(
        U.map((p) => p.fd ?? NaN),
        P.map((p) => p.fd ?? NaN),
        b + 1,
      ),
      errorDiff,
      fdDiff: meanCI(U.map((p, i) => (p.fd ?? NaN) - (P[i].fd ?? NaN))),
      power: powerOf(errorDiff),
      gate: j.gate,
      judgements: { difference: j.difference, ratio: j.ratio },
      verdict: j.difference.verdict,
    };
    const st = budgetStatement(s, scale, [...seeds]);
    return { ...s, statement: st.text, resolve: st.resolve };
  });
}

/**
 * The learning curve of each arm: at every evaluated step (curve steps and budgets, ascending), the mean over seeds
 * with Student-t 95 % intervals of class error, FD, confident and typical fractions, and whether the gate passes.
 */
export function summariseCurve(
  parts: readonly RetrainPart[],
  seeds: readonly number[],
  steps: readonly number[],
): RetrainStageResult['curve'] {
  const point = (arm: ArmName, step: number): LearningCurvePoint => {
    const a = armSummary(partsAt(parts, seeds, arm, step));
    return {
      step,
      classError: a.classError,
      fd: a.fd,
      confident: a.confident,
      typical: a.typical,
      pass: a.confident.mean >= CONFIDENT_GATE && a.typical.mean >= CONFIDENT_GATE,
    };
  };
  const sorted = [...steps].sort((x, y) => x - y);
  return {
    steps: sorted,
    arms: {
      uniform: sorted.map((st) => point('uniform', st)),
      'phase-aware': sorted.map((st) => point('phase-aware', st)),
    },
  };
}

/** The steps a comparison evaluates: its budgets and the learning-curve steps up to the largest budget. */
export function evaluatedSteps(r: { budgets: readonly number[]; curveSteps: readonly number[] }): {
  budgets: number[];
  curveSteps: number[];
  all: number[];
} {
  const budgets = [...new Set(r.budgets)].sort((a, b) => a - b);
  const maxB = budgets[budgets.length - 1];
  const curveSteps = [...new Set(r.curveSteps)].filter((s) => s <= maxB && !budgets.includes(s)).sort((a, b) => a - b);
  return { budgets, curveSteps, all: [...new Set([...budgets, ...curveSteps])].sort((a, b) => a - b) };
}

/** Run (or reuse) the retraining comparison: compute, cache and report. */
export async function runRetrainStage(ctx: RealDataContext, o: RetrainStageOptions = {}): Promise<RetrainStageResult> {
  const w = chooseWindow(o);
  const hash = retrainHash(ctx, w);
  const cached = reuseStage<RetrainStageResult>(ctx, 'retrain', hash);
  if (cached) return cached;
  const r = await computeRetrain(ctx, w);
  return storeStage(stageDir(ctx, 'retrain'), 'retrain', hash, r, retrainFigures(r));
}

/** The comparison's result for window `w` (trains or reuses the runs and parts; no stage cache, no report). */
export async function computeRetrain(ctx: RealDataContext, w: WindowChoice): Promise<RetrainStageResult> {
  const t0 = performance.now();
  const run = await retrainParts(ctx, w, stageDir(ctx, 'retrain'), retrainCells(ctx.config.retrain.seeds));
  const timing = {
    seconds: (performance.now() - t0) / 1000,
    trainSeconds: run.trainSeconds,
    evalSeconds: run.evalSeconds,
    msPerStep: run.stepN ? run.stepMs / run.stepN : null,
  };
  return summariseRetrain(run.header, run.parts, ctx.config.scale, timing);
}

/** The parts of the given runs (trained, resumed or reused from `dir/parts`), with the result's header. */
async function retrainParts(ctx: RealDataContext, w: WindowChoice, dir: string | undefined, cells: RetrainRunCell[]) {
  const c = ctx.config;
  const r = c.retrain;
  await ensureOracle(ctx);
  const { budgets, curveSteps, all: steps } = evaluatedSteps(r);
  const maxB = budgets[budgets.length - 1];
  const keeps = [...new Set([...uniformKeeps(c), ...steps])].filter((s) => s <= maxB).sort((a, b) => a - b);
  const fullStates = uniformFullStates(c).filter((s) => s <= maxB);
  const genSeed = (seed: number) => streamSeed(seed, 'evaluation');
  const parts: RetrainPart[] = [];
  const arms: ArmRecord[] = [];
  let trainSeconds = 0,
    evalSeconds = 0,
    stepMs = 0,
    stepN = 0;
  for (const arm of ARMS) {
    const sampler = armSampler(arm, w, r.massInside);
    arms.push({
      name: arm,
      sampler,
      seeds: [...r.seeds],
      budgets,
      curveSteps,
      steps: maxB,
      scheduleSteps: maxB,
      optim: {
        batch: c.denoiser.batch,
        lr: c.denoiser.lr,
        warmup: c.denoiser.warmup,
        weightDecay: c.denoiser.weightDecay,
        clip: c.denoiser.clip,
        emaDecay: c.denoiser.emaDecay,
        schedule: c.denoiser.schedule,
      },
      generation: {
        method: c.sampling.method,
        stepsPerUnit: c.sampling.stepsPerUnit,
        images: r.genSamples,
        seeds: r.seeds.map(genSeed),
      },
      runKeys: [],
    });
  }
  for (const { arm, seed } of cells) {
    const rec = arms[ARMS.indexOf(arm)];
    const spec = runSpec({
      data: ctx.dataKey,
      size: ctx.data.size,
      denoiser: c.denoiser,
      sampler: rec.sampler,
      seed,
      scheduleSteps: maxB,
    });
    const label = `${arm}-s${seed}`;
    const key = runKey(spec, label);
    // The first seed of each arm keeps its first images for the report's grids.
    const keep = seed === r.seeds[0] ? Math.min(r.gridImages, r.genSamples) : 0;
    const partPath = (b: number) => (dir ? join(dir, 'parts', `${label}-b${b}.json`) : '');
    const partHash = (b: number) =>
      hashOf({
        key,
        b,
        gen: rec.generation,
        n: r.genSamples,
        keep,
        oracle: ctx.classifierDir ?? c.oracle,
        data: c.data,
        v: PART_VERSION,
      });
    const cachedParts = steps.map((b) =>
      dir ? readCached<RetrainPart>(partPath(b), partHash(b), { force: ctx.force }) : null,
    );
    if (cachedParts.every((p) => p)) {
      for (const p of cachedParts) parts.push(p!);
      continue;
    }
    const tt = performance.now();
    const run = await ensureRun(ctx, {
      label,
      sampler: rec.sampler,
      seed,
      steps: maxB,
      scheduleSteps: maxB,
      // Uniform runs keep what the U-Turn and the scan also ask of them, so that every stage can share them.
      snapshots: arm === 'uniform' ? keeps : steps,
      fullStates: arm === 'uniform' ? fullStates : [],
    });
    trainSeconds += (performance.now() - tt) / 1000;
    if (run.msPerStep !== null) {
      stepMs += run.msPerStep * (run.step - run.startedAt);
      stepN += run.step - run.startedAt;
    }
    for (const [bi, b] of steps.entries()) {
      if (cachedParts[bi]) {
        parts.push(cachedParts[bi]);
        continue;
      }
      const ev = await evaluateSnapshot(ctx, { key, spec, step: b, n: r.genSamples, seed: genSeed(seed), label, keep });
      evalSeconds += ev.seconds;
      const part: RetrainPart = {
        arm,
        seed,
        budget: b,
        key,
        fractionA: ev.fractionA,
        classError: ev.classError,
        confident: ev.confident.value,
        typical: ev.typical?.value ?? null,
        fd: ev.fd,
        genSeconds: ev.seconds,
        ...(ev.images ? { grid: imageGrid(ev.images, keep, ctx.data.size) } : {}),
      };
      parts.push(dir ? writeCached(partPath(b), partHash(b), part) : part);
      ctx.reporter.log(
        `retrain ${label} @${b}: pHat_A ${ev.fractionA.value.toFixed(3)}, class error ${ev.classError.toFixed(3)}, confident ${(100 * ev.confident.value).toFixed(1)} %, typical ${ev.typical ? (100 * ev.typical.value).toFixed(1) : '-'} %, FD ${ev.fd?.toFixed(2) ?? '-'}`,
      );
    }
  }
  const header: RetrainHeader = {
    stage: 'retrain',
    window: w,
    massInside: r.massInside,
    targetFractionA: ctx.data.trainFractionA,
    arms,
    paperClaim: {
      statement:
        'phase-aware retraining (half of the training times in the U-Turn window) gives a more than 5x lower class error after a short budget (README of aranguri/diffusion; metric and budget not published, docs/method.md §7 item 10)',
      ratio: 5,
      paperWindow: PAPER_UTURN.window,
      uniformGeneratedFractionA: PAPER_UTURN.generatedFractionA,
    },
    oracle: oracleSummary(ctx),
  };
  return { header, parts, trainSeconds, evalSeconds, stepMs, stepN };
}

type RetrainHeader = Omit<RetrainStageResult, 'parts' | 'budgets' | 'curve' | 'timing' | 'figures'>;

/** The result from a complete set of parts (pure): run keys, budget summaries with verdicts, the learning curve. */
export function summariseRetrain(
  header: RetrainHeader,
  parts: RetrainPart[],
  scale: string,
  timing: RetrainStageResult['timing'],
): RetrainStageResult {
  const seeds = header.arms[0].seeds,
    budgets = header.arms[0].budgets;
  const steps = [...new Set([...budgets, ...header.arms[0].curveSteps])].sort((a, b) => a - b);
  // Parts in the unsharded order (seed, arm, step), whichever shard computed them.
  const order = (p: RetrainPart) =>
    (seeds.indexOf(p.seed) * ARMS.length + ARMS.indexOf(p.arm)) * steps.length + steps.indexOf(p.budget);
  const sorted = [...parts].sort((a, b) => order(a) - order(b));
  const arms = header.arms.map((a) => ({
    ...a,
    runKeys: seeds.map((s) => sorted.find((p) => p.arm === a.name && p.seed === s)?.key ?? ''),
  }));
  return {
    ...header,
    arms,
    parts: sorted,
    budgets: summariseBudgets(sorted, seeds, budgets, scale),
    curve: summariseCurve(sorted, seeds, steps),
    timing,
    figures: [],
  };
}

/** A shard of the retraining comparison (`phaseflow retrain --shard i/k`), merged by `mergeRetrainShards`. */
export interface RetrainShardFile {
  format: 'phaseflow.retrain-shard';
  version: 1;
  /** The retraining stage's settings hash (`retrainHash`): shards of one study agree on it. */
  configHash: string;
  shard: Shard | null;
  scale: string;
  header: RetrainHeader;
  cells: Array<RetrainRunCell & { parts: RetrainPart[] }>;
  timing: RetrainStageResult['timing'];
}

export const RETRAIN_SHARD_FORMAT = 'phaseflow.retrain-shard';

/** File name of shard i of k in the stage folder. */
export function shardFileName(shard: Shard): string {
  return `shard-${shard.index}-of-${shard.count}.json`;
}

/**
 * Runs shard `shard` of the comparison: the runs (arm x seed, every budget) whose index is congruent to i − 1 modulo
 * k, as `phaseflow sweep` splits its cells; writes `<out>/retrain/shard-i-of-k.json` (resumable: finished parts are
 * reused from `<out>/retrain/parts`).
 */
export async function runRetrainShard(
  ctx: RealDataContext,
  o: RetrainStageOptions,
  shard: Shard,
): Promise<RetrainShardFile> {
  const c = ctx.config;
  const w = chooseWindow(o);
  const dir = stageDir(ctx, 'retrain');
  const t0 = performance.now();
  const mine = shardCells(retrainCells(c.retrain.seeds), shard);
  const run = await retrainParts(ctx, w, dir, mine);
  const file: RetrainShardFile = {
    format: RETRAIN_SHARD_FORMAT,
    version: 1,
    configHash: retrainHash(ctx, w),
    shard,
    scale: c.scale,
    header: run.header,
    cells: mine.map((cell) => ({
      ...cell,
      parts: run.parts.filter((p) => p.arm === cell.arm && p.seed === cell.seed),
    })),
    timing: {
      seconds: (performance.now() - t0) / 1000,
      trainSeconds: run.trainSeconds,
      evalSeconds: run.evalSeconds,
      msPerStep: run.stepN ? run.stepMs / run.stepN : null,
    },
  };
  if (dir) writeJsonAtomic(join(dir, shardFileName(shard)), file);
  return file;
}

/**
 * Merges shard files into the comparison's result (written to `out/retrain` when given): refuses files of another
 * format or study (settings hash), duplicated runs and missing ones (naming the shards to rerun).
 */
export function mergeRetrainShards(
  files: Array<{ name: string; data: RetrainShardFile }>,
  out?: string,
): RetrainStageResult {
  const { first, cells } = mergeIndexedShards<RetrainShardFile['cells'][number], RetrainShardFile>(files, {
    format: RETRAIN_SHARD_FORMAT,
    what: 'retrain',
    expected: (f) => retrainCells(f.header.arms[0].seeds),
  });
  const parts = cells.flatMap((c) => c.parts);
  const sum = (k: 'seconds' | 'trainSeconds' | 'evalSeconds') => files.reduce((s, f) => s + f.data.timing[k], 0);
  const ms = files.map((f) => f.data.timing.msPerStep).filter((x): x is number => x !== null);
  const timing = {
    seconds: sum('seconds'),
    trainSeconds: sum('trainSeconds'),
    evalSeconds: sum('evalSeconds'),
    msPerStep: ms.length ? ms.reduce((a, b) => a + b, 0) / ms.length : null,
  };
  const r = summariseRetrain(first.header, parts, first.scale, timing);
  return storeStage(out ? join(out, 'retrain') : undefined, 'retrain', first.configHash, r, retrainFigures(r));
}
