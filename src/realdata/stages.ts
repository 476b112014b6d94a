/**
 * The stage entry points outside the U-Turn -> retrain -> scan chain (that one is `pipeline.ts`):
 *   runClassifierStage   train (or load / reuse) the oracle and report its held-out accuracy
 *   runDenoiseStage      train one U-Net with any time sampler, save it, generate and evaluate (class fraction, FD)
 * Both return plain JSON-able objects (`results.ts`).
 */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { saveModel } from '../nn/io/weights.js';
import { htmlReport } from '../report/html.js';
import { parseSampler } from '../sampler/parse.js';
import { ensureOracle, ensureRun, evaluateSnapshot, oracleSummary, type RealDataContext } from './context.js';
import { describeDataset } from './dataset.js';
import { loadSnapshotNet, runSpec } from './denoiser.js';
import { generateImages } from './generate.js';
import { imageGridSvg } from './png.js';
import type { ClassifierStageResult, DenoiseStageResult } from './results.js';
import { fmt } from '../report/format.js';
import { streamSeed } from '../random/streams.js';

export type { ClassifierStageResult, DenoiseStageResult } from './results.js';

export async function runClassifierStage(ctx: RealDataContext): Promise<ClassifierStageResult> {
  const t0 = performance.now();
  await ensureOracle(ctx);
  const dir = ctx.classifierDir ?? (ctx.out ? join(ctx.out, 'classifier') : null);
  return {
    stage: 'classify',
    oracle: oracleSummary(ctx),
    data: describeDataset(ctx.data, ctx.config.data),
    dir,
    backend: ctx.be.kind,
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
    backend: ctx.be.kind,
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
