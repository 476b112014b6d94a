/**
 * The real-data stages of `phaseflow reproduce` (docs/method.md §4): the U-Turn on digits (feature oracle + uniformly
 * trained U-Net + decision curves and window), the uniform-versus-phase-aware retraining comparison, and the interval
 * scan. Each is one step of the orchestration `phaseflow mnist` runs (`realdata/pipeline.ts`): the same stages, the
 * same window rule, the same claims and verdicts (`realdata/verdicts.ts`) and the same figures. All three share one
 * `realdata` folder beside the stages' work folders, so trained models and the oracle are reused, and a rerun resumes
 * where training stopped.
 */
import { join } from 'node:path';
import { realDataContext, streamReporter, type RealDataContext } from '../realdata/context.js';
import { resolveConfig } from '../realdata/config.js';
import { retrainStep, scanStep, uturnStep, type StepOutput } from '../realdata/pipeline.js';
import type { UTurnStageResult } from '../realdata/results.js';
import { realDataCodeVersion } from '../realdata/versions.js';
import type { Scale, Stage, StageContext, StageOutput } from './stage.js';

function sharedDir(ctx: StageContext): string {
  return join(ctx.dir, '..', 'realdata');
}

async function context(ctx: StageContext): Promise<RealDataContext> {
  // --seed picks the data split; the model seeds are the scale's.
  const config = resolveConfig(ctx.scale, { data: { seed: ctx.seed } });
  return realDataContext({
    config,
    out: sharedDir(ctx),
    threads: ctx.threads,
    backend: ctx.backend,
    reporter: streamReporter(process.stderr, ctx.quiet),
    force: ctx.force,
  });
}

/** The U-Turn result of this run (or an earlier one), if that stage succeeded; else the step obtains it itself. */
function previousUTurn(ctx: StageContext): UTurnStageResult | undefined {
  const prev = ctx.previous['uturn'];
  return prev?.status === 'done' ? (prev.summary as unknown as UTurnStageResult) : undefined;
}

function settingsOf(scale: Scale): Record<string, unknown> {
  const c = resolveConfig(scale);
  return { data: c.data, oracle: c.oracle, denoiser: c.denoiser, uturn: c.uturn, retrain: c.retrain, scan: c.scan };
}

/** A step's output as a reproduce stage's output (the result is the summary). */
function stageOutput<R>(s: StepOutput<R>): StageOutput {
  return {
    summary: s.result as unknown as Record<string, unknown>,
    figures: s.figures,
    claims: s.claims,
    notes: s.notes,
  };
}

export const uturnStage: Stage = {
  name: 'uturn',
  title: 'U-Turn on digits: where the class is decided',
  version: `realdata.${realDataCodeVersion()}`,
  settings: (s) => settingsOf(s),
  async run(ctx) {
    return stageOutput(await uturnStep(await context(ctx)));
  },
};

export const retrainStage: Stage = {
  name: 'retrain',
  title: 'Phase-aware retraining against uniform time sampling',
  version: `realdata.${realDataCodeVersion()}`,
  settings: (s) => settingsOf(s).retrain as Record<string, unknown>,
  async run(ctx) {
    return stageOutput(await retrainStep(await context(ctx), { uturn: previousUTurn(ctx) }));
  },
};

export const scanStage: Stage = {
  name: 'scan',
  title: 'Interval scan: which interval of training time improves the class fraction most',
  version: `realdata.${realDataCodeVersion()}`,
  settings: (s) => settingsOf(s).scan as Record<string, unknown>,
  async run(ctx) {
    return stageOutput(await scanStep(await context(ctx), { uturn: previousUTurn(ctx) }));
  },
};
