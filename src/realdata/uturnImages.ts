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
import { imageGrid } from './png.js';
import { hashOf } from './store.js';
import { uturnFigures } from './figures.js';
import { reuseStage, stageDir, storeStage } from './stageCache.js';
import type { UTurnStageCurve, UTurnStageOptions, UTurnStageResult } from './results.js';
import { streamSeed } from '../random/streams.js';

export type { UTurnStageCurve, UTurnStageOptions, UTurnStageResult } from './results.js';

/**
 * Steps at which every uniform run keeps its sampling weights (the compared budgets, the learning-curve steps and
 * the scan's base), so the U-Turn, retraining and scan stages share runs.
 */
export function uniformKeeps(c: RealDataConfig): number[] {
  return [...new Set([...c.retrain.budgets, ...c.retrain.curveSteps, c.scan.baseSteps])].sort((a, b) => a - b);
}

/** Steps at which every uniform run keeps a full training state: the scan's base (its continuations start there). */
export function uniformFullStates(c: RealDataConfig): number[] {
  return [c.scan.baseSteps];
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

/** Run (or reuse from `<out>/uturn/result.json`) the U-Turn stage: compute, cache and report. */
export async function runUTurnStage(ctx: RealDataContext, o: UTurnStageOptions = {}): Promise<UTurnStageResult> {
  const hash = uturnHash(ctx, o);
  const cached = reuseStage<UTurnStageResult>(ctx, 'uturn', hash);
  if (cached) return cached;
  const r = await computeUTurn(ctx, o);
  return storeStage(stageDir(ctx, 'uturn'), 'uturn', hash, r, uturnFigures(r));
}

/** The U-Turn result (trains or loads the model; no cache, no report). */
export async function computeUTurn(ctx: RealDataContext, o: UTurnStageOptions = {}): Promise<UTurnStageResult> {
  const c = ctx.config;
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
    const run = await ensureRun(ctx, {
      ...plan,
      snapshots: [...keeps, plan.steps],
      fullStates: uniformFullStates(c).filter((s) => s <= plan.steps),
    });
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
      ? {
          n: u.previewSamples,
          method: c.sampling.method,
          stepsPerUnit: c.sampling.stepsPerUnit,
          size: ctx.data.size,
          grid: imageGrid(preview, u.previewSamples, ctx.data.size),
        }
      : null,
    timing: { trainSeconds, uturnSeconds: (performance.now() - tu) / 1000, seconds: (performance.now() - t0) / 1000 },
    figures: [],
  };
  return result;
}
