/**
 * The one orchestration of the real-data experiment (docs/method.md §4), used by `phaseflow mnist` and by the
 * real-data stages of `phaseflow reproduce` alike:
 *
 *   oracle ─► U-Turn (uniform model, curves, window) ─► retraining comparison (window) ─► interval scan (window)
 *
 * Each step runs its stage (compute, cache, report: `stageCache.ts`) and returns a `StepOutput`: the result, its
 * claims-table rows (`verdicts.ts`), its figures (`figures.ts`) and notes. One rule supplies the window: the
 * retraining arm takes `--window lo,hi` or the paper's window when asked, and otherwise the U-Turn result — the one
 * given (`--window FILE`, an earlier stage of `reproduce`) or else the U-Turn stage, computed or reused from its cache;
 * the scan is always compared with that U-Turn result. So `mnist` and `reproduce` run the same stages on the same
 * inputs and print the same verdicts.
 *
 * Cluster use: `runRealDataShard` runs shard i of k of the retraining runs and of the scan cells (as `retrain` and
 * `scan --shard`) and writes `<out>/pipeline-shard-i-of-k.json`; `mergePipelineShards` recombines them into the
 * pipeline's result and report.
 */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic.js';
import { runMeta } from '../io/meta.js';
import type { FigureFile } from '../report/figure.js';
import { fmt } from '../report/format.js';
import { htmlReport } from '../report/html.js';
import type { Shard } from '../sweep/shard.js';
import type { RealDataContext } from './context.js';
import { pipelineSections, retrainFigures, scanFigures, uturnFigures, writeStageReport } from './figures.js';
import { mergeRetrainShards, runRetrainShard, runRetrainStage, type RetrainShardFile } from './retrain.js';
import type {
  ClassifierStageResult,
  PipelineResult,
  RetrainStageResult,
  ScanStageResult,
  UTurnStageOptions,
  UTurnStageResult,
} from './results.js';
import { mergeScanShards, runScanShard, runScanStage, type ScanShardFile } from './scan.js';
import { runClassifierStage } from './stages.js';
import { hashOf } from './store.js';
import { runUTurnStage } from './uturnImages.js';
import { pipelineClaims, retrainClaims, scanClaim, uturnClaims, type ClaimRow } from './verdicts.js';
import { realDataCodeVersion } from './versions.js';

export type RealDataStep = 'uturn' | 'retrain' | 'scan';
export const REAL_DATA_STEPS: readonly RealDataStep[] = ['uturn', 'retrain', 'scan'];

/** What a step gives its callers: the stage result, its claims, figures (as in its folder) and notes. */
export interface StepOutput<R> {
  result: R;
  claims: ClaimRow[];
  figures: FigureFile[];
  notes: string[];
}

/** Where the comparisons take the window from (see the module comment for the rule). */
export interface WindowSource {
  /** A U-Turn result to use instead of computing one. */
  uturn?: UTurnStageResult;
  /** A window for the phase-aware arm instead of the U-Turn's. */
  window?: [number, number];
  /** The paper's window [0.2, 0.6] for the phase-aware arm. */
  paperWindow?: boolean;
  /** Options of the U-Turn stage when it has to be computed. */
  uturnOptions?: UTurnStageOptions;
}

/**
 * The U-Turn result the comparisons use: the one given, else the U-Turn stage's (computed, or reused from
 * `<out>/uturn`). A dependency, not the stage being forced: a `force` of the calling stage does not recompute it.
 */
export async function uturnFor(
  ctx: RealDataContext,
  given?: UTurnStageResult,
  o?: UTurnStageOptions,
): Promise<UTurnStageResult> {
  if (given) return given;
  const force = ctx.force;
  ctx.force = false;
  try {
    return await runUTurnStage(ctx, o);
  } finally {
    ctx.force = force;
  }
}

const pct = (x: number) => `${fmt(100 * x, 3)} %`;

/** The U-Turn step: the stage (honouring `force`), its three claims, figures and the protocol note. */
export async function uturnStep(
  ctx: RealDataContext,
  o: UTurnStageOptions = {},
): Promise<StepOutput<UTurnStageResult>> {
  return uturnOutput(await runUTurnStage(ctx, o));
}

function uturnOutput(r: UTurnStageResult): StepOutput<UTurnStageResult> {
  return {
    result: r,
    claims: uturnClaims(r),
    figures: uturnFigures(r),
    notes: [
      `U-Turn protocol: ${JSON.stringify(r.protocol)}; model ${JSON.stringify({ channels: r.model.channels, params: r.model.params, steps: r.model.steps })}.`,
    ],
  };
}

/** Does the retraining arm need the U-Turn for its window? */
function needsUTurn(o: WindowSource): boolean {
  return !o.window && !o.paperWindow;
}

/** The retraining step: the window by the rule, the comparison, two claims per budget, figures and notes. */
export async function retrainStep(ctx: RealDataContext, o: WindowSource = {}): Promise<StepOutput<RetrainStageResult>> {
  const uturn = needsUTurn(o) ? await uturnFor(ctx, o.uturn, o.uturnOptions) : undefined;
  const r = await runRetrainStage(ctx, { window: o.window, paperWindow: o.paperWindow, uturn });
  return retrainOutput(r);
}

function retrainOutput(r: RetrainStageResult): StepOutput<RetrainStageResult> {
  return {
    result: r,
    claims: retrainClaims(r),
    figures: retrainFigures(r),
    notes: [
      `Window used by the phase-aware arm: [${r.window.lo}, ${r.window.hi}] (${r.window.source}${r.window.note ? `; ${r.window.note}` : ''}), ${pct(r.massInside)} of the time samples inside. Same seeds, steps and generation sampler in both arms; learning curve at ${r.curve.steps.join(', ')} steps.`,
      ...r.budgets.map((b) => `Budget ${b.budget}: ${b.statement}.`),
    ],
  };
}

/** The scan step, compared with the U-Turn result (given or computed): its claim, the answer, figures. */
export async function scanStep(
  ctx: RealDataContext,
  o: Pick<WindowSource, 'uturn' | 'uturnOptions'> = {},
): Promise<StepOutput<ScanStageResult>> {
  const uturn = await uturnFor(ctx, o.uturn, o.uturnOptions);
  return scanOutput(await runScanStage(ctx, { uturn }), uturn);
}

function scanOutput(r: ScanStageResult, uturn: UTurnStageResult | undefined): StepOutput<ScanStageResult> {
  return {
    result: r,
    claims: [scanClaim(r)],
    figures: scanFigures(r, uturn),
    notes: [
      `${r.comparison.answer}.`,
      `Base: the uniform model at ${r.baseSteps} steps; each interval continues it for ${r.extraSteps} steps on its own schedule (warm-up ${r.schedule.warmup} steps to lr ${r.schedule.lr}, cosine to 0).`,
    ],
  };
}

export interface PipelineOptions extends WindowSource {
  /** Stages to run (default all). */
  stages?: readonly RealDataStep[];
}

/** Runs `f`, recording its wall time under `name`. */
function timer(timing: Record<string, number>) {
  return async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const s = performance.now();
    const r = await f();
    timing[name] = (performance.now() - s) / 1000;
    return r;
  };
}

/** Which U-Turn result the wanted stages need, and whether to report it. */
function wantsUTurn(want: Set<RealDataStep>, o: WindowSource): boolean {
  return want.has('uturn') || want.has('scan') || (want.has('retrain') && needsUTurn(o));
}

/** The whole real-data experiment; writes `<out>/result.json` and `<out>/index.html` (stage folders below). */
export async function runRealDataPipeline(ctx: RealDataContext, o: PipelineOptions = {}): Promise<PipelineResult> {
  const t0 = performance.now();
  const want = new Set(o.stages ?? REAL_DATA_STEPS);
  const timing: Record<string, number> = {};
  const timed = timer(timing);
  const classifier = await timed('classifier', () => runClassifierStage(ctx));
  const uturn = wantsUTurn(want, o)
    ? await timed('uturn', async () => o.uturn ?? (await runUTurnStage(ctx, o.uturnOptions)))
    : undefined;
  const retrain = want.has('retrain') ? (await timed('retrain', () => retrainStep(ctx, { ...o, uturn }))).result : null;
  const scan = want.has('scan') ? (await timed('scan', () => scanStep(ctx, { uturn }))).result : null;
  const result = pipelineResult(ctx, classifier, uturn ?? null, retrain, scan, {
    seconds: (performance.now() - t0) / 1000,
    stages: timing,
  });
  if (ctx.out) writePipelineReport(ctx.out, result);
  return result;
}

function pipelineResult(
  ctx: Pick<RealDataContext, 'config'>,
  classifier: ClassifierStageResult,
  uturn: UTurnStageResult | null,
  retrain: RetrainStageResult | null,
  scan: ScanStageResult | null,
  timing: PipelineResult['timing'],
): PipelineResult {
  return {
    stage: 'pipeline',
    scale: ctx.config.scale,
    classifier,
    uturn,
    retrain,
    scan,
    claims: pipelineClaims({ uturn, retrain, scan }),
    config: ctx.config,
    codeVersion: realDataCodeVersion(),
    meta: runMeta(),
    timing,
  };
}

/** `<out>/result.json` and the main report `<out>/index.html` of a pipeline result. */
export function writePipelineReport(out: string, r: PipelineResult): void {
  writeJsonAtomic(join(out, 'result.json'), r);
  const d = r.classifier.data;
  writeFileAtomic(
    join(out, 'index.html'),
    htmlReport({
      title: 'phaseflow — phase-aware training on two-class images',
      subtitle: `scale ${r.scale}; ${d.source}, classes ${d.classA} (${fmt(100 * d.fraction, 3)} %) vs ${d.classB}; ${fmt(r.timing.seconds, 3)} s${r.merged ? `; merged from ${r.merged.files.length} shards` : ''}`,
      sections: [
        ...pipelineSections({
          uturn: r.uturn ?? undefined,
          retrain: r.retrain ?? undefined,
          scan: r.scan ?? undefined,
          claims: r.claims,
        }),
        {
          heading: 'Configuration',
          code: JSON.stringify(
            { config: r.config, codeVersion: r.codeVersion, timing: r.timing, meta: r.meta, merged: r.merged },
            null,
            2,
          ),
        },
      ],
    }),
  );
}

// ------------------------------------------------------------------------------------------------------- shards

export const PIPELINE_SHARD_FORMAT = 'phaseflow.pipeline-shard';

/** A shard of the whole pipeline (`phaseflow mnist --shard i/k`), merged by `mergePipelineShards`. */
export interface PipelineShardFile {
  format: typeof PIPELINE_SHARD_FORMAT;
  version: 1;
  /** Hash of the config and of the retraining and scan studies: shards of one study agree on it. */
  configHash: string;
  shard: Shard;
  scale: string;
  config: RealDataContext['config'];
  classifier: ClassifierStageResult;
  /** The U-Turn result every comparison of the shard used (null when neither comparison ran). */
  uturn: UTurnStageResult | null;
  retrain: RetrainShardFile | null;
  scan: ScanShardFile | null;
  timing: PipelineResult['timing'];
}

/** File name of pipeline shard i of k in its output folder. */
export function pipelineShardFileName(shard: Shard): string {
  return `pipeline-shard-${shard.index}-of-${shard.count}.json`;
}

/**
 * Shard `shard` of the pipeline: the oracle and the U-Turn (each shard computes or reuses them; give every shard the
 * same `--classifier` and U-Turn result to do that once), then shard i of k of the retraining runs and of the scan
 * cells. Writes `<out>/pipeline-shard-i-of-k.json` (and the stages' own shard files).
 */
export async function runRealDataShard(
  ctx: RealDataContext,
  o: PipelineOptions,
  shard: Shard,
): Promise<PipelineShardFile> {
  const t0 = performance.now();
  const want = new Set(o.stages ?? REAL_DATA_STEPS);
  const timing: Record<string, number> = {};
  const timed = timer(timing);
  const classifier = await timed('classifier', () => runClassifierStage(ctx));
  const uturn = wantsUTurn(want, o)
    ? await timed('uturn', async () => o.uturn ?? (await runUTurnStage(ctx, o.uturnOptions)))
    : undefined;
  const retrain = want.has('retrain')
    ? await timed('retrain', () =>
        runRetrainShard(
          ctx,
          { window: o.window, paperWindow: o.paperWindow, uturn: needsUTurn(o) ? uturn : undefined },
          shard,
        ),
      )
    : null;
  const scan = want.has('scan') ? await timed('scan', () => runScanShard(ctx, { uturn }, shard)) : null;
  const file: PipelineShardFile = {
    format: PIPELINE_SHARD_FORMAT,
    version: 1,
    configHash: hashOf({ config: ctx.config, retrain: retrain?.configHash ?? null, scan: scan?.configHash ?? null }),
    shard,
    scale: ctx.config.scale,
    config: ctx.config,
    classifier,
    uturn: uturn ?? null,
    retrain,
    scan,
    timing: { seconds: (performance.now() - t0) / 1000, stages: timing },
  };
  if (ctx.out) writeJsonAtomic(join(ctx.out, pipelineShardFileName(shard)), file);
  return file;
}

/**
 * Merges pipeline shard files (refusing other formats, other studies, duplicated and missing cells — the stages'
 * merges name the shards to rerun) into the pipeline's result; with `out`, writes the merged stage folders, the
 * result and the main report there.
 */
export function mergePipelineShards(
  files: Array<{ name: string; data: PipelineShardFile }>,
  out?: string,
): PipelineResult {
  if (files.length === 0) throw new Error('no shard files to merge');
  const first = files[0].data;
  for (const f of files) {
    if (f.data.format !== PIPELINE_SHARD_FORMAT) throw new Error(`${f.name} is not a phaseflow mnist shard`);
    if (f.data.configHash !== first.configHash)
      throw new Error(`${f.name} belongs to another study (config ${f.data.configHash}, expected ${first.configHash})`);
  }
  const uturn = first.uturn ?? undefined;
  const part = <T>(pick: (f: PipelineShardFile) => T | null) =>
    files.map((f) => ({ name: f.name, data: pick(f.data) })).filter((f): f is { name: string; data: T } => !!f.data);
  const retrain = first.retrain
    ? mergeRetrainShards(
        part((f) => f.retrain),
        out,
      )
    : null;
  const scan = first.scan
    ? mergeScanShards(
        part((f) => f.scan),
        out,
        uturn,
      )
    : null;
  if (out && uturn) {
    writeStageReport(join(out, 'uturn'), 'uturn', uturn, uturnFigures(uturn));
    writeJsonAtomic(join(out, 'uturn', 'result.json'), uturn);
  }
  const stages: Record<string, number> = {};
  for (const f of files) for (const [k, v] of Object.entries(f.data.timing.stages)) stages[k] = (stages[k] ?? 0) + v;
  const result: PipelineResult = {
    ...pipelineResult(first, first.classifier, uturn ?? null, retrain, scan, {
      seconds: files.reduce((s, f) => s + f.data.timing.seconds, 0),
      stages,
    }),
    merged: { files: files.map((f) => f.name) },
  };
  if (out) writePipelineReport(out, result);
  return result;
}
