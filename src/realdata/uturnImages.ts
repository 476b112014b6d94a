/**
 * The U-Turn on images (docs/method.md §4.5): start from real held-out images of class A and of class B, noise each to
 * a turn time t0 (exactly, x_t0 = alpha eps + beta x1, or along the noising SDE as the paper's code), regenerate from
 * t0 to t = 1 with the trained uniform U-Net (reverse SDE by default), and let the oracle classify the result.
 *
 * Output per start class: the fraction that ends as class A against t0 (the paper's "proportion that end up being 0",
 * Figure 2) with Wilson 95 % intervals; the fraction of class A among images generated from pure noise (the
 * reference line); and the decision window of `uturn/window.ts`: with the class memory
 *   D(t0) = R_A(t0) + R_B(t0) - 1 = f_A(t0) - f_B(t0)  (R = retention, f_X = fraction ending as A from X),
 * normalised by its maximum, the window is [last t0 with D <= 0.1, first t0 with D >= 0.9] (thresholds configurable).
 * The paper's numbers (§4.6) travel with the result for comparison.
 *
 * Start images: the held-out split has few images of the minority class (25 ones from the npm digits), so each
 * image is used for ceil(starts / available) trajectories with independent noise; the result records how many
 * distinct images were used. The Wilson intervals treat trajectories as independent, which is optimistic when
 * images are reused.
 */
import { uTurn, type UTurnCurve } from '../uturn/uturn.js';
import type { DecisionWindow } from '../uturn/window.js';
import { wilson, type Proportion } from '../uturn/binomial.js';
import { loadModel } from '../nn/io/weights.js';
import { UNet } from '../nn/models/unet.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PAPER_UTURN, type RealDataConfig } from './config.js';
import { ensureOracle, ensureRun, oracleSummary, type RealDataContext } from './context.js';
import { imagesOfLabel, splitDim } from './dataset.js';
import { loadSnapshotNet, runSpec, VP_SDE, type RunSpec } from './denoiser.js';
import { featureDistances, generateImages, labelsWithConfidence } from './generate.js';
import { CONFIDENT_GATE } from './verdicts.js';
import { unetPredictor } from './predictor.js';
import { hashOf, readCached, writeCached } from './store.js';
import { uturnFigures, writeStageReport, type FigureFile } from './figures.js';
import { streamSeed } from '../random/streams.js';

/** Steps at which every uniform run keeps snapshots and full states, so the stages can share runs. */
export function uniformKeeps(c: RealDataConfig): number[] {
  return [...new Set([...c.retrain.budgets, c.scan.baseSteps])].sort((a, b) => a - b);
}

/** Label, sampler, seed and length of the uniform model shared by the U-Turn, retraining and scan stages. */
export function uniformRunPlan(c: RealDataConfig, seed = c.retrain.seeds[0]) {
  // The retraining stage trains its uniform arm with scheduleSteps = max(budgets): when that equals the model's
  // length (as in every scale), the U-Turn model is the same run as the uniform arm of the first seed.
  return {
    label: `uniform-s${seed}`,
    sampler: 'uniform',
    seed,
    steps: c.denoiser.steps,
    scheduleSteps: c.denoiser.steps,
  };
}

export interface UTurnStageOptions {
  /** A saved U-Net folder (model.safetensors + config.json; ema.safetensors preferred) instead of training one. */
  modelDir?: string;
  /** Seed of the uniform model (default: the first retraining seed, so the retraining stage reuses the run). */
  seed?: number;
}

export interface UTurnStageCurve {
  start: 'A' | 'B';
  startLabel: number;
  /** Fraction ending as class A per turn time (Wilson 95 %). */
  toA: Proportion[];
  /** Fraction ending in the start class per turn time. */
  retention: Proportion[];
  trajectories: number;
  distinctImages: number;
}

export interface UTurnStageResult {
  stage: 'uturn';
  classes: { A: number; B: number };
  turnTimes: number[];
  curves: UTurnStageCurve[];
  /** Fraction of class A among images generated from noise. */
  reference: Proportion | null;
  /**
   * The quality gate of the comparisons applied to the model the window comes from, on the same images as the
   * reference: confidently classified (p >= 0.9) and typical (real-like oracle features) fractions; `passed` when
   * both are >= 0.9 (verdicts.ts). Null without reference samples.
   */
  quality: { confident: Proportion; typical: Proportion | null; passed: boolean } | null;
  /** Fraction of class A in the training set (the truth the reference should match). */
  trueFractionA: number;
  window: DecisionWindow;
  paper: typeof PAPER_UTURN;
  model: {
    origin: 'trained' | 'loaded';
    key: string | null;
    dir: string | null;
    steps: number | null;
    sampler: string | null;
    seed: number | null;
    channels: number[];
    params: number;
    msPerStep: number | null;
    losses: [number, number][];
  };
  oracle: ReturnType<typeof oracleSummary>;
  protocol: {
    method: string;
    stepsPerUnit: number;
    forward: string;
    startsPerClass: number;
    referenceSamples: number;
    seed: number;
    windowRule: { lo: number; hi: number };
  };
  preview: { n: number; method: string; stepsPerUnit: number; size: number } | null;
  timing: { trainSeconds: number; uturnSeconds: number; seconds: number };
  figures: string[];
}

/** Rows of `images` repeated cyclically to n rows. */
function cycleRows(images: Float64Array, n: number, IMAGE_DIM: number): Float64Array {
  const have = images.length / IMAGE_DIM;
  const out = new Float64Array(n * IMAGE_DIM);
  for (let i = 0; i < n; i++)
    out.set(images.subarray((i % have) * IMAGE_DIM, ((i % have) + 1) * IMAGE_DIM), i * IMAGE_DIM);
  return out;
}

/** Hash of everything that determines the U-Turn result. */
export function uturnHash(ctx: RealDataContext, o: UTurnStageOptions): string {
  const c = ctx.config;
  return hashOf({
    stage: 'uturn',
    data: c.data,
    oracle: ctx.classifierDir ?? c.oracle,
    denoiser: c.denoiser,
    budgets: c.retrain.budgets,
    uturn: c.uturn,
    sampling: c.sampling,
    modelDir: o.modelDir ?? null,
    seed: o.seed ?? c.retrain.seeds[0],
  });
}

/** Run (or reuse from `<out>/uturn/result.json`) the U-Turn stage. */
export async function runUTurnStage(ctx: RealDataContext, o: UTurnStageOptions = {}): Promise<UTurnStageResult> {
  const c = ctx.config;
  const hash = uturnHash(ctx, o);
  const dir = ctx.out ? join(ctx.out, 'uturn') : undefined;
  if (dir) {
    const cached = readCached<UTurnStageResult>(join(dir, 'result.json'), hash, { force: ctx.force });
    if (cached) {
      ctx.reporter.log(`uturn: reusing ${join(dir, 'result.json')}`);
      return cached;
    }
  }
  const t0 = performance.now();
  const oracle = await ensureOracle(ctx);
  let net: UNet;
  let model: UTurnStageResult['model'];
  let trainSeconds = 0;
  if (o.modelDir) {
    const useEma = existsSync(join(o.modelDir, 'ema.safetensors'));
    const m = loadModel(o.modelDir, ctx.be, { ema: useEma });
    if (!(m instanceof UNet)) {
      m.dispose();
      throw new Error(`--model: ${o.modelDir} holds a ${m.config.model}, not a U-Net`);
    }
    net = m;
    model = {
      origin: 'loaded',
      key: null,
      dir: o.modelDir,
      steps: null,
      sampler: null,
      seed: null,
      channels: m.config.channels,
      params: m.paramCount(),
      msPerStep: null,
      losses: [],
    };
  } else {
    const plan = uniformRunPlan(c, o.seed);
    const keeps = uniformKeeps(c).filter((s) => s <= plan.steps);
    const tt = performance.now();
    const run = await ensureRun(ctx, { ...plan, snapshots: [...keeps, plan.steps], fullStates: keeps });
    trainSeconds = (performance.now() - tt) / 1000;
    const spec: RunSpec = runSpec({
      data: ctx.dataKey,
      size: ctx.data.size,
      denoiser: c.denoiser,
      sampler: plan.sampler,
      seed: plan.seed,
      scheduleSteps: plan.scheduleSteps,
    });
    net = loadSnapshotNet(ctx.be, ctx.store, run.key, spec, plan.steps);
    model = {
      origin: 'trained',
      key: run.key,
      dir: ctx.store.runDir ? join(ctx.store.runDir(run.key), `step-${plan.steps}`) : null,
      steps: plan.steps,
      sampler: plan.sampler,
      seed: plan.seed,
      channels: c.denoiser.channels,
      params: net.paramCount(),
      msPerStep: run.msPerStep ?? run.trainMs / Math.max(1, run.step),
      losses: run.losses,
    };
  }
  const u = c.uturn;
  const tu = performance.now();
  let preview: Float64Array | null = null;
  const pred = unetPredictor(net, { batch: c.sampling.batch });
  let curves: UTurnStageCurve[];
  let quality: UTurnStageResult['quality'] = null;
  let res;
  try {
    const starts = [0, 1].map((label) => {
      const imgs = imagesOfLabel(ctx.data.test, label);
      const dim = splitDim(ctx.data.test);
      const have = imgs.length / dim;
      if (have === 0)
        throw new Error(
          `the held-out split has no images of class ${label === 0 ? c.data.classA : c.data.classB}; raise --held-out`,
        );
      return { label, x: cycleRows(imgs, u.startsPerClass, dim), distinct: Math.min(have, u.startsPerClass) };
    });
    const total = 2 * u.startsPerClass * u.turnTimes.length + u.referenceSamples;
    const bar = ctx.reporter.progress('u-turn', total);
    // The reference images are the last ones uTurn classifies (after the curves): kept for the quality gate.
    let last: { x: ArrayLike<number>; n: number } | null = null;
    res = await uTurn({
      interp: VP_SDE,
      model: pred,
      classify: (x, n) => ((last = { x, n }), oracle.classify(x, n)),
      starts: starts.map((s) => ({ label: s.label, x: s.x })),
      turnTimes: u.turnTimes,
      targetLabel: 0,
      stepsPerUnit: u.stepsPerUnit,
      method: u.method,
      eta: c.sampling.eta,
      forward: u.forward,
      referenceSamples: u.referenceSamples,
      batchSize: c.sampling.batch,
      seed: streamSeed(c.data.seed, 'uturn'),
      window: { lo: u.windowLo, hi: u.windowHi },
      onProgress: (d) => bar.update(d),
    });
    bar.done();
    const ref = last as { x: ArrayLike<number>; n: number } | null;
    if (ref && u.referenceSamples > 0 && ref.n === u.referenceSamples) {
      const { confident } = labelsWithConfidence(oracle.logits(ref.x, ref.n), ref.n);
      let typical: Proportion | null = null;
      if (ctx.realism) {
        const d = featureDistances(ctx.realism, oracle.features(ref.x, ref.n), ref.n);
        typical = wilson(d.filter((v) => v <= ctx.realism!.threshold).length, ref.n);
      }
      const conf = wilson(confident, ref.n);
      quality = {
        confident: conf,
        typical,
        passed: conf.value >= CONFIDENT_GATE && (typical?.value ?? 0) >= CONFIDENT_GATE,
      };
    }
    curves = res.curves.map((cv: UTurnCurve, i) => ({
      start: i === 0 ? 'A' : 'B',
      startLabel: cv.startLabel,
      toA: cv.toTarget,
      retention: cv.retention,
      trajectories: u.startsPerClass,
      distinctImages: starts[i].distinct,
    }));
    if (u.previewSamples > 0) {
      const pb = ctx.reporter.progress('preview', u.previewSamples);
      preview = await generateImages({
        net,
        n: u.previewSamples,
        method: c.sampling.method,
        eta: c.sampling.eta,
        stepsPerUnit: c.sampling.stepsPerUnit,
        batch: c.sampling.batch,
        seed: streamSeed(c.data.seed, 'uturnPreview'),
        onProgress: (d) => pb.update(d),
      });
      pb.done();
    }
  } finally {
    pred.dispose();
    net.dispose();
  }
  const result: UTurnStageResult = {
    stage: 'uturn',
    classes: { A: c.data.classA, B: c.data.classB },
    turnTimes: res.turnTimes,
    curves,
    reference: res.reference,
    quality,
    trueFractionA: ctx.data.trainFractionA,
    window: res.window,
    paper: PAPER_UTURN,
    model,
    oracle: oracleSummary(ctx),
    protocol: {
      method: u.method,
      stepsPerUnit: u.stepsPerUnit,
      forward: u.forward,
      startsPerClass: u.startsPerClass,
      referenceSamples: u.referenceSamples,
      seed: streamSeed(c.data.seed, 'uturn'),
      windowRule: { lo: u.windowLo, hi: u.windowHi },
    },
    preview: preview
      ? { n: u.previewSamples, method: c.sampling.method, stepsPerUnit: c.sampling.stepsPerUnit, size: ctx.data.size }
      : null,
    timing: { trainSeconds, uturnSeconds: (performance.now() - tu) / 1000, seconds: (performance.now() - t0) / 1000 },
    figures: [],
  };
  const figs: FigureFile[] = uturnFigures(result, preview);
  result.figures = figs.map((f) => f.file);
  if (dir) {
    writeStageReport(dir, 'uturn', result, figs);
    return writeCached(join(dir, 'result.json'), hash, result);
  }
  return { ...result, configHash: hash } as UTurnStageResult;
}
