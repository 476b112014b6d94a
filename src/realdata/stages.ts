/**
 * The remaining stage entry points and the whole pipeline:
 *   runClassifierStage   train (or load / reuse) the oracle and report its held-out accuracy
 *   runDenoiseStage      train one U-Net with any time sampler, save it, generate and evaluate (class fraction, FD)
 *   runRealDataPipeline  oracle -> uniform U-Net -> U-Turn (window) -> retraining comparison -> interval scan,
 *                        with a combined index.html; every stage reuses what an earlier run left in `out`.
 * All return plain JSON-able objects.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { runMeta } from '../io/meta.js';
import { saveModel } from '../nn/io/weights.js';
import { htmlReport } from '../report/html.js';
import { parseSampler } from '../sampler/parse.js';
import { ensureOracle, ensureRun, evaluateSnapshot, oracleSummary, type RealDataContext } from './context.js';
import { describeDataset } from './dataset.js';
import { loadSnapshotNet, runSpec } from './denoiser.js';
import { generateImages } from './generate.js';
import { imageGridSvg } from './png.js';
import { runRetrainStage, type RetrainStageOptions, type RetrainStageResult } from './retrain.js';
import { runScanStage, type ScanStageResult } from './scan.js';
import { runUTurnStage, type UTurnStageOptions, type UTurnStageResult } from './uturnImages.js';
import { stageSections } from './figures.js';
import { fmt } from '../report/format.js';
import { streamSeed } from '../random/streams.js';

export interface ClassifierStageResult {
  stage: 'classify';
  oracle: ReturnType<typeof oracleSummary>;
  data: ReturnType<typeof describeDataset>;
  /** Folder holding the oracle (reusable with --classifier), when there is an output folder. */
  dir: string | null;
  seconds: number;
}

export async function runClassifierStage(ctx: RealDataContext): Promise<ClassifierStageResult> {
  const t0 = performance.now();
  await ensureOracle(ctx);
  const dir = ctx.classifierDir ?? (ctx.out ? join(ctx.out, 'classifier') : null);
  return {
    stage: 'classify',
    oracle: oracleSummary(ctx),
    data: describeDataset(ctx.data, ctx.config.data),
    dir,
    seconds: (performance.now() - t0) / 1000,
  };
}

export interface DenoiseStageOptions {
  /** Time-sampler spec (`parseSampler`), default 'uniform'. */
  sampler?: string;
  seed?: number;
  /** Steps (default: the config's denoiser steps). */
  steps?: number;
  /** Images generated for the evaluation (0 = skip). */
  genSamples?: number;
  /** Images in the preview picture. */
  preview?: number;
}

export interface DenoiseStageResult {
  stage: 'denoise';
  sampler: { spec: string; name: string; params: Record<string, unknown> };
  seed: number;
  steps: number;
  run: { key: string; startedAt: number; msPerStep: number | null; trainSeconds: number; losses: [number, number][] };
  unet: { channels: number[]; blocksPerLevel: number; params: number };
  /** Folder of the saved model (loadable with --model). */
  modelDir: string | null;
  evaluation: (Awaited<ReturnType<typeof evaluateSnapshot>> & { oracle: ReturnType<typeof oracleSummary> }) | null;
  data: ReturnType<typeof describeDataset>;
  seconds: number;
}

export async function runDenoiseStage(ctx: RealDataContext, o: DenoiseStageOptions = {}): Promise<DenoiseStageResult> {
  const t0 = performance.now();
  const c = ctx.config;
  const sampler = parseSampler(o.sampler ?? 'uniform');
  if (!sampler.spec) throw new RangeError(`--sampler: ${sampler.name} has no canonical spec`);
  if (sampler.support && (sampler.support[0] !== 0 || sampler.support[1] !== 1))
    throw new RangeError('--sampler: the VP-SDE runs on t in [0, 1]; drop the @tEnd suffix');
  const seed = o.seed ?? c.retrain.seeds[0];
  const steps = o.steps ?? c.denoiser.steps;
  const label = `${sampler.name}-s${seed}`;
  const run = await ensureRun(ctx, {
    label,
    sampler: sampler.spec,
    seed,
    steps,
    scheduleSteps: steps,
    snapshots: [steps],
  });
  const spec = runSpec({
    data: ctx.dataKey,
    size: ctx.data.size,
    denoiser: c.denoiser,
    sampler: sampler.spec,
    seed,
    scheduleSteps: steps,
  });
  let modelDir: string | null = null;
  const net = loadSnapshotNet(ctx.be, ctx.store, run.key, spec, steps);
  const params = net.paramCount();
  let previewSvg: string | null = null;
  try {
    if (ctx.out) {
      modelDir = join(ctx.out, 'denoise', 'model');
      saveModel(modelDir, net, {
        metadata: {
          sampler: sampler.spec,
          seed: String(seed),
          steps: String(steps),
          weights: c.denoiser.emaDecay > 0 ? 'ema' : 'live',
        },
      });
    }
    const np = o.preview ?? c.uturn.previewSamples;
    if (np > 0) {
      const imgs = await generateImages({
        net,
        n: np,
        method: c.sampling.method,
        eta: c.sampling.eta,
        stepsPerUnit: c.sampling.stepsPerUnit,
        batch: c.sampling.batch,
        seed: streamSeed(seed, 'trainPreview'),
      });
      previewSvg = imageGridSvg(imgs, np, ctx.data.size, { title: `Generated after ${steps} steps (${sampler.spec})` });
    }
  } finally {
    net.dispose();
  }
  const n = o.genSamples ?? c.retrain.genSamples;
  const evaluation =
    n > 0
      ? {
          ...(await evaluateSnapshot(ctx, {
            key: run.key,
            spec,
            step: steps,
            n,
            seed: streamSeed(seed, 'evaluation'),
            label,
          })),
          oracle: oracleSummary(ctx),
        }
      : null;
  const result: DenoiseStageResult = {
    stage: 'denoise',
    sampler: { spec: sampler.spec, name: sampler.name, params: sampler.params },
    seed,
    steps,
    run: {
      key: run.key,
      startedAt: run.startedAt,
      msPerStep: run.msPerStep,
      trainSeconds: run.trainMs / 1000,
      losses: run.losses,
    },
    unet: { channels: c.denoiser.channels, blocksPerLevel: c.denoiser.blocksPerLevel, params },
    modelDir,
    evaluation,
    data: describeDataset(ctx.data, c.data),
    seconds: (performance.now() - t0) / 1000,
  };
  if (ctx.out) {
    const dir = join(ctx.out, 'denoise');
    writeJsonAtomic(join(dir, 'result.json'), result);
    if (previewSvg) writeFileAtomic(join(dir, 'samples.svg'), previewSvg + '\n');
    const ev = result.evaluation;
    writeFileAtomic(
      join(dir, 'index.html'),
      htmlReport({
        title: 'phaseflow — U-Net denoiser on two-class images',
        subtitle: `${sampler.spec}, seed ${seed}, ${steps} steps, channels ${c.denoiser.channels.join('/')}`,
        sections: [
          {
            heading: 'Evaluation',
            text: ev
              ? `Generated fraction of class A ${fmt(ev.fractionA.value, 4)} [${fmt(ev.fractionA.low, 3)}, ${fmt(ev.fractionA.high, 3)}] from ${ev.n} images (target ${fmt(ev.target, 4)}): class error ${fmt(ev.classError, 3)}; FD ${ev.fd === null ? '—' : fmt(ev.fd, 4)}. Oracle held-out accuracy ${fmt(100 * ev.oracle.accuracy.value, 4)} %.`
              : 'No evaluation (--gen-samples 0).',
          },
          ...(previewSvg ? [{ heading: 'Samples', figures: [{ svg: previewSvg, file: 'samples.svg' }] }] : []),
          { heading: 'Configuration', code: JSON.stringify({ config: c, run: result.run.key }, null, 2) },
        ],
      }),
    );
  }
  return result;
}

export interface PipelineOptions {
  uturn?: UTurnStageOptions;
  retrain?: Omit<RetrainStageOptions, 'uturn'>;
  /** Stages to run (default all). */
  stages?: ('uturn' | 'retrain' | 'scan')[];
}

export interface PipelineResult {
  stage: 'pipeline';
  scale: string;
  classifier: ClassifierStageResult;
  uturn: UTurnStageResult | null;
  retrain: RetrainStageResult | null;
  scan: ScanStageResult | null;
  config: RealDataContext['config'];
  meta: ReturnType<typeof runMeta>;
  timing: { seconds: number; stages: Record<string, number> };
}

/** The whole real-data experiment; writes `<out>/result.json` and `<out>/index.html` (stage folders below). */
export async function runRealDataPipeline(ctx: RealDataContext, o: PipelineOptions = {}): Promise<PipelineResult> {
  const t0 = performance.now();
  const want = new Set(o.stages ?? ['uturn', 'retrain', 'scan']);
  const timing: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    const r = await f();
    timing[name] = (performance.now() - s) / 1000;
    return r;
  };
  const classifier = await timed('classifier', () => runClassifierStage(ctx));
  const uturn =
    want.has('uturn') || (want.has('retrain') && !o.retrain?.window && !o.retrain?.paperWindow)
      ? await timed('uturn', () => runUTurnStage(ctx, o.uturn))
      : null;
  const retrain = want.has('retrain')
    ? await timed('retrain', () => runRetrainStage(ctx, { ...o.retrain, uturn: uturn ?? undefined }))
    : null;
  const scan = want.has('scan') ? await timed('scan', () => runScanStage(ctx, { uturn: uturn ?? undefined })) : null;
  const result: PipelineResult = {
    stage: 'pipeline',
    scale: ctx.config.scale,
    classifier,
    uturn,
    retrain,
    scan,
    config: ctx.config,
    meta: runMeta(),
    timing: { seconds: (performance.now() - t0) / 1000, stages: timing },
  };
  if (ctx.out) {
    writeJsonAtomic(join(ctx.out, 'result.json'), result);
    writeFileAtomic(
      join(ctx.out, 'index.html'),
      htmlReport({
        title: 'phaseflow — phase-aware training on two-class images',
        subtitle: `scale ${ctx.config.scale}; ${classifier.data.source}, classes ${classifier.data.classA} (${fmt(100 * classifier.data.fraction, 3)} %) vs ${classifier.data.classB}; ${fmt(result.timing.seconds, 3)} s`,
        sections: [
          ...stageSections({ uturn: uturn ?? undefined, retrain: retrain ?? undefined, scan: scan ?? undefined }),
          ...(existsSync(join(ctx.out, 'uturn', 'samples.svg'))
            ? [
                {
                  heading: 'Generated images',
                  figures: [
                    {
                      svg: readFileSync(join(ctx.out, 'uturn', 'samples.svg'), 'utf8'),
                      caption: 'Images generated by the U-Turn (uniform) model.',
                      file: 'uturn/samples.svg',
                    },
                  ],
                },
              ]
            : []),
          {
            heading: 'Configuration',
            code: JSON.stringify({ config: ctx.config, timing: result.timing, meta: result.meta }, null, 2),
          },
        ],
      }),
    );
  }
  return result;
}
