/**
 * `phaseflow retrain`: phase-aware vs uniform training with the same budget, seeds and generator (docs/method.md §4.7).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineCommand } from '../command.js';
import { UsageError, defineFlags, type Values } from '../args.js';
import { aliasesFor, seedList } from '../flags.js';
import {
  COMMON_FLAGS,
  DENOISER_FLAGS,
  ORACLE_FLAGS,
  SHARD_FLAGS,
  byScale,
  configFromFlags,
  contextFromFlags,
  emit,
  guarded,
  mergeOrFail,
  readShardFiles,
  shardFromFlag,
} from '../../realdata/cliOptions.js';
import type { RetrainConfig } from '../../realdata/config.js';
import {
  mergeRetrainShards,
  runRetrainShard,
  runRetrainStage,
  shardFileName,
  type RetrainShardFile,
  type RetrainStageResult,
} from '../../realdata/retrain.js';
import { retrainVerdictLines } from '../../realdata/verdicts.js';
import { runUTurnStage, type UTurnStageResult } from '../../realdata/uturnImages.js';
import { UTURN_FLAGS, uturnOverrides } from './uturn.js';

export const RETRAIN_FLAGS = defineFlags({
  budgets: {
    type: 'ints',
    min: 1,
    metavar: 'INT,INT,...',
    presetDefaults: byScale((c) => c.retrain.budgets),
    help: 'training budgets (steps) evaluated for both arms',
  },
  'retrain-seeds': {
    ...seedList('seeds, identical for both arms (at least 3 for intervals)'),
    presetDefaults: byScale((c) => c.retrain.seeds),
  },
  'curve-steps': {
    type: 'ints',
    min: 1,
    metavar: 'INT,INT,...',
    presetDefaults: byScale((c) => c.retrain.curveSteps),
    help: 'further steps both arms are evaluated at for the learning curve (not compared)',
  },
  'mass-inside': {
    type: 'number',
    gt: 0,
    max: 1,
    presetDefaults: byScale((c) => c.retrain.massInside),
    help: 'mass of the phase-aware sampler inside the window',
  },
});

/** Applies the retraining flags to the overrides. */
export function retrainOverrides(v: Partial<Values<typeof RETRAIN_FLAGS>>): Partial<RetrainConfig> {
  const r: Partial<RetrainConfig> = {};
  if (v.budgets !== undefined) r.budgets = v.budgets;
  if (v['retrain-seeds'] !== undefined) r.seeds = v['retrain-seeds'];
  if (v['curve-steps'] !== undefined) r.curveSteps = v['curve-steps'];
  if (v['mass-inside'] !== undefined) r.massInside = v['mass-inside'];
  return r;
}

/** The window flag: "lo,hi", or a U-Turn result.json to take it from. */
export function windowFrom(w: string | undefined): { window?: [number, number]; uturn?: UTurnStageResult } {
  if (w === undefined) return {};
  if (/^\s*[-+.\d]+\s*,\s*[-+.\d]+\s*$/.test(w)) {
    const [lo, hi] = w.split(',').map(Number);
    if (!(lo >= 0 && hi <= 1 && lo < hi))
      throw new UsageError(`--window: expected lo,hi with 0 <= lo < hi <= 1, got "${w}"`);
    return { window: [lo, hi] };
  }
  const path = existsSync(join(w, 'result.json')) ? join(w, 'result.json') : w;
  if (!existsSync(path))
    throw new UsageError(`--window: expected lo,hi or a U-Turn result.json (or its folder), got "${w}"`);
  try {
    const r = JSON.parse(readFileSync(path, 'utf8')) as UTurnStageResult;
    if (r.stage !== 'uturn' || !r.window) throw new Error('not a U-Turn result');
    return { uturn: r };
  } catch (e) {
    throw new UsageError(`--window: ${path}: ${(e as Error).message}`);
  }
}

export const retrainCommand = defineCommand({
  name: 'retrain',
  stoppable: true,
  summary: 'Phase-aware vs uniform retraining: class-fraction error and Fréchet distance per budget, with CIs',
  description: [
    'Both arms train from scratch with the same seeds (initial weights, images, noise), steps, optimiser and',
    'schedule; only the training-time sampler differs: uniform, or mass --mass-inside in the decision window and the',
    'rest uniform outside it. Each run is evaluated at every budget with the same generator and generation noise:',
    'class error |pHat_A - p| and FD (mean over seeds, 95 % CI), their ratio uniform/phase-aware (bootstrap CI) and',
    'the paired difference. The window comes from --window lo,hi, --window <U-Turn result>, --paper-window, or a',
    'U-Turn run (done first, reused from --out when present).',
    '',
    'Examples:',
    '  phaseflow retrain --scale quick --out runs/mnist',
    '  phaseflow retrain --window 0.2,0.6 --budgets 500,1000,2000 --retrain-seeds 0,1,2,3,4 --out runs/retrain',
    '',
    'Cluster use: the runs (arm x seed, each evaluated at every budget) split with --shard i/k as in phaseflow sweep;',
    'give every shard its own --out and the same --window (a U-Turn result) and --classifier, then merge:',
    '  phaseflow retrain --window runs/uturn/uturn --classifier runs/oracle/classifier --retrain-seeds 0,...,19 \\',
    '    --shard $SLURM_ARRAY_TASK_ID/8 --out runs/study/shard-$SLURM_ARRAY_TASK_ID',
    '  phaseflow retrain --merge runs/study/shard-* --out runs/study/merged',
  ].join('\n'),
  aliases: aliasesFor('retrain'),
  positionals: true,
  flags: {
    ...COMMON_FLAGS,
    ...DENOISER_FLAGS,
    ...ORACLE_FLAGS,
    ...UTURN_FLAGS,
    ...RETRAIN_FLAGS,
    window: {
      type: 'string',
      metavar: 'LO,HI|FILE',
      help: 'decision window, or a U-Turn result.json to take it from (default: run the U-Turn)',
    },
    'paper-window': { type: 'bool', help: "use the paper's hand-picked window [0.2, 0.6]" },
    ...SHARD_FLAGS,
  },
  async run(v, { io, positionals }) {
    if (v.merge) {
      if (v.shard !== undefined) throw new UsageError('--shard: give either --shard or --merge');
      if (!v.out) throw new UsageError('--out: required with --merge (the folder of the merged result)');
      const files = readShardFiles<RetrainShardFile>(positionals, 'retrain');
      const r = mergeOrFail(() => mergeRetrainShards(files, v.out));
      emit(io, v, r, [`merged ${files.length} shard files (${r.parts.length} evaluations)`, ...retrainLines(r)]);
      return 0;
    }
    if (positionals.length)
      throw new UsageError(`unexpected argument "${positionals[0]}" (folders are only taken with --merge)`);
    const shard = shardFromFlag(v.shard);
    if (shard && !v.out) throw new UsageError('--out: required with --shard (the folder of this shard)');
    if (v.window !== undefined && v['paper-window'])
      throw new UsageError('--window: give either --window or --paper-window');
    const config = configFromFlags(v, (o) => {
      Object.assign(o.uturn!, uturnOverrides(v));
      Object.assign(o.retrain!, retrainOverrides(v));
    });
    const w = windowFrom(v.window);
    const ctx = await contextFromFlags(v, config, io);
    const opts = async () => {
      const uturn = w.uturn ?? (w.window || v['paper-window'] ? undefined : await runUTurnStage(ctx));
      return { window: w.window, uturn, paperWindow: v['paper-window'] };
    };
    if (shard) {
      const s = await guarded(async () => runRetrainShard(ctx, await opts(), shard));
      const parts = s.cells.reduce((n, c) => n + c.parts.length, 0);
      emit(io, v, s, [
        `shard ${shard.index}/${shard.count}: ${s.cells.length} runs (${s.cells.map((c) => `${c.arm} seed ${c.seed}`).join(', ') || 'none'}), ${parts} evaluations in ${v.out}/retrain/${shardFileName(shard)}`,
        `merge with: phaseflow retrain --merge <the shard folders> --out <folder>`,
      ]);
      return 0;
    }
    const r = await guarded(async () => runRetrainStage(ctx, await opts()));
    emit(io, v, r, retrainLines(r));
    return 0;
  },
});

/** The CLI summary of a comparison: the table, the verdict of every budget with its power, the totals. */
function retrainLines(r: RetrainStageResult): string[] {
  const f = (m: { mean: number; low: number; high: number }) =>
    `${m.mean.toFixed(3)} [${m.low.toFixed(3)}, ${m.high.toFixed(3)}]`;
  return [
    `window [${r.window.lo}, ${r.window.hi}] (${r.window.source}), ${r.massInside} of the training times inside; target p = ${r.targetFractionA.toFixed(4)}`,
    `budget  class error uniform     class error phase-aware  ratio u/p              confident u/p    FD uniform         FD phase-aware`,
    ...r.budgets.map(
      (b) =>
        `${String(b.budget).padStart(6)}  ${f(b.arms.uniform.classError).padEnd(22)}  ${f(b.arms['phase-aware'].classError).padEnd(23)}  ${`${b.errorRatio.ratio.toFixed(2)} [${b.errorRatio.low.toFixed(2)}, ${b.errorRatio.high.toFixed(2)}]`.padEnd(21)}  ${`${(100 * b.arms.uniform.confident.mean).toFixed(0)} % / ${(100 * b.arms['phase-aware'].confident.mean).toFixed(0)} %`.padEnd(15)}  ${f(b.arms.uniform.fd).padEnd(17)}  ${f(b.arms['phase-aware'].fd)}`,
    ),
    ...retrainVerdictLines(r),
    `${r.arms[0].seeds.length} seeds per arm; oracle accuracy ${(100 * r.oracle.accuracy.value).toFixed(2)} %; ${r.timing.seconds.toFixed(1)} s`,
  ];
}
