/**
 * The learning curve of the uniform U-Net (issue 11 items 1 and 4): class error |pHat_A − p|, Fréchet distance and
 * the confidently classified and typical fractions (the quality gate) against training steps, mean over seeds with Student-t 95 %
 * bands, so that the budgets of the comparison can be chosen where both arms draw recognisable digits.
 *
 * Each seed is one uniform run trained to the largest step count with a snapshot at every step count (the learning
 * rate schedule spans the largest count, as in the retraining comparison; with the same largest budget the runs are
 * the comparison's uniform runs and are reused from the same folder). Every snapshot is evaluated with the same
 * number of images and the same generation noise per seed. `pass` marks the steps whose mean confident fraction
 * reaches the gate.
 */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { meanCI } from '../metrics/summary.js';
import { curveFigure } from './figures.js';
import type { LearningCurvePoint } from './results.js';
import { ensureOracle, ensureRun, evaluateSnapshot, oracleSummary, type RealDataContext } from './context.js';
import { runKey, runSpec } from './denoiser.js';
import { CONFIDENT_GATE } from './verdicts.js';
import { streamSeed } from '../random/streams.js';

export interface LearningCurveOptions {
  /** Step counts to evaluate (sorted, distinct). */
  steps: number[];
  seeds: number[];
  /** Images per evaluation (default: the config's retrain.genSamples). */
  genSamples?: number;
}

export type { LearningCurvePoint } from './results.js';

export interface LearningCurveResult {
  stage: 'learning-curve';
  scale: string;
  sampler: 'uniform';
  seeds: number[];
  genSamples: number;
  points: LearningCurvePoint[];
  /** Per seed and step. */
  runs: {
    seed: number;
    step: number;
    classError: number;
    fd: number | null;
    confident: number;
    typical: number | null;
  }[];
  /** The first step count whose mean confident fraction passes the gate (null: none). */
  firstPassing: number | null;
  oracle: ReturnType<typeof oracleSummary>;
  seconds: number;
}

export async function runLearningCurve(ctx: RealDataContext, o: LearningCurveOptions): Promise<LearningCurveResult> {
  const t0 = performance.now();
  const c = ctx.config;
  const steps = [...new Set(o.steps)].sort((a, b) => a - b);
  if (!steps.length || steps.some((s) => !(Number.isInteger(s) && s >= 1)))
    throw new RangeError('learning curve: steps must be positive integers');
  const maxS = steps[steps.length - 1];
  const n = o.genSamples ?? c.retrain.genSamples;
  await ensureOracle(ctx);
  const runs: LearningCurveResult['runs'] = [];
  for (const seed of o.seeds) {
    const label = `uniform-s${seed}`;
    await ensureRun(ctx, { label, sampler: 'uniform', seed, steps: maxS, scheduleSteps: maxS, snapshots: steps });
    const spec = runSpec({
      data: ctx.dataKey,
      size: ctx.data.size,
      denoiser: c.denoiser,
      sampler: 'uniform',
      seed,
      scheduleSteps: maxS,
    });
    const key = runKey(spec, label);
    for (const step of steps) {
      // The comparison's generation noise (stream 'evaluation'), so the points match its uniform arm at equal budgets.
      const ev = await evaluateSnapshot(ctx, { key, spec, step, n, seed: streamSeed(seed, 'evaluation'), label });
      runs.push({
        seed,
        step,
        classError: ev.classError,
        fd: ev.fd,
        confident: ev.confident.value,
        typical: ev.typical?.value ?? null,
      });
      ctx.reporter.log(
        `learning curve ${label} @${step}: class error ${ev.classError.toFixed(3)}, FD ${ev.fd?.toFixed(2) ?? '-'}, confident ${(100 * ev.confident.value).toFixed(1)} %, typical ${ev.typical ? (100 * ev.typical.value).toFixed(1) : '-'} %`,
      );
    }
  }
  const points = steps.map((step): LearningCurvePoint => {
    const at = runs.filter((r) => r.step === step);
    const confident = meanCI(at.map((r) => r.confident));
    const typical = meanCI(at.map((r) => r.typical ?? NaN));
    return {
      step,
      classError: meanCI(at.map((r) => r.classError)),
      fd: meanCI(at.map((r) => r.fd ?? NaN)),
      confident,
      typical,
      pass: confident.mean >= CONFIDENT_GATE && typical.mean >= CONFIDENT_GATE,
    };
  });
  const result: LearningCurveResult = {
    stage: 'learning-curve',
    scale: c.scale,
    sampler: 'uniform',
    seeds: [...o.seeds],
    genSamples: n,
    points,
    runs,
    firstPassing: points.find((p) => p.pass)?.step ?? null,
    oracle: oracleSummary(ctx),
    seconds: (performance.now() - t0) / 1000,
  };
  if (ctx.out) {
    const dir = join(ctx.out, 'learning-curve');
    writeJsonAtomic(join(dir, 'result.json'), result);
    writeFileAtomic(join(dir, 'learning-curve.svg'), learningCurveFigure(result) + '\n');
  }
  return result;
}

/** Three panels against steps: class error, FD, confident and typical fractions (mean over seeds, 95 % bands). */
export function learningCurveFigure(r: LearningCurveResult): string {
  return curveFigure([{ name: `uniform, ${r.seeds.length} seeds`, color: 'C0', points: r.points }], {
    title: `Learning curve of the uniform U-Net (${r.scale}, ${r.genSamples} images per point)`,
  });
}
