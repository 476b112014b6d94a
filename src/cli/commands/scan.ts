/**
 * `phaseflow scan`: which training-time intervals improve the class fraction most, checked directly.
 */
import { defineCommand } from '../command.js';
import { aliasesFor } from '../flags.js';
import { UsageError } from '../args.js';
import {
  COMMON_FLAGS,
  DENOISER_FLAGS,
  ORACLE_FLAGS,
  SCAN_FLAGS,
  SHARD_FLAGS,
  configFromFlags,
  contextFromFlags,
  emit,
  guarded,
  mergeOrFail,
  readShardFiles,
  scanOverrides,
  shardFromFlag,
} from '../../realdata/cliOptions.js';
import {
  mergeScanShards,
  runScanShard,
  runScanStage,
  type ScanShardFile,
  type ScanStageResult,
} from '../../realdata/scan.js';
import { runUTurnStage } from '../../realdata/uturnImages.js';
import { UTURN_FLAGS, uturnOverrides } from './uturn.js';
import { RETRAIN_FLAGS, retrainOverrides, windowFrom } from './retrain.js';

export const scanCommand = defineCommand({
  name: 'scan',
  stoppable: true,
  summary: 'Interval scan: continue a partly trained model with times restricted to each interval; class-error change',
  description: [
    'The paper\'s method, checked directly: "for a given feature, find the intervals of time where training improves',
    'accuracy the most on that feature". From the uniform model at --base-steps, continue --extra-steps steps with',
    'training times uniform on each of the k intervals (and a uniform control), then measure the change of the class',
    'error |pHat_A - p| (same generation noise before and after; mean over --scan-seeds with 95 % CIs). Shown beside the',
    'U-Turn curves and window (the U-Turn runs first unless --no-uturn).',
    '',
    'Examples:',
    '  phaseflow scan --scale quick --out runs/mnist',
    '  phaseflow scan --intervals 0,0.2,0.4,0.6,0.8,1 --base-steps 1000 --extra-steps 200 --scan-seeds 0,1,2',
    '',
    'Cluster use: the cells (seed x interval, the control included) split with --shard i/k as in phaseflow sweep; each',
    'shard trains the base run of every seed it touches. One --out per shard, then merge (the merged report compares',
    'with the window the shards used):',
    '  phaseflow scan --scan-seeds 0,...,9 --shard $SLURM_ARRAY_TASK_ID/8 --out runs/scan/shard-$SLURM_ARRAY_TASK_ID',
    '  phaseflow scan --merge runs/scan/shard-* --out runs/scan/merged',
  ].join('\n'),
  aliases: aliasesFor('scan'),
  positionals: true,
  flags: {
    ...COMMON_FLAGS,
    ...DENOISER_FLAGS,
    ...ORACLE_FLAGS,
    ...UTURN_FLAGS,
    budgets: RETRAIN_FLAGS.budgets,
    ...SCAN_FLAGS,
    uturn: {
      type: 'bool',
      default: true,
      help: 'run (or reuse) the U-Turn to compare with its window (--no-uturn to skip)',
    },
    window: {
      type: 'string',
      metavar: 'FILE',
      help: 'compare with the window of this U-Turn result.json (or its folder) instead of running the U-Turn (e.g. in shards)',
    },
    ...SHARD_FLAGS,
  },
  async run(v, { io, positionals }) {
    if (v.merge) {
      if (v.shard !== undefined) throw new UsageError('--shard: give either --shard or --merge');
      if (!v.out) throw new UsageError('--out: required with --merge (the folder of the merged result)');
      const files = readShardFiles<ScanShardFile>(positionals, 'scan');
      const r = mergeOrFail(() => mergeScanShards(files, v.out));
      emit(io, v, r, [`merged ${files.length} shard files (${r.parts.length} cells)`, ...scanLines(r)]);
      return 0;
    }
    if (positionals.length)
      throw new UsageError(`unexpected argument "${positionals[0]}" (folders are only taken with --merge)`);
    const shard = shardFromFlag(v.shard);
    if (shard && !v.out) throw new UsageError('--out: required with --shard (the folder of this shard)');
    const config = configFromFlags(v, (o) => {
      Object.assign(o.uturn!, uturnOverrides(v));
      Object.assign(o.retrain!, retrainOverrides({ budgets: v.budgets }));
      Object.assign(o.scan!, scanOverrides(v));
    });
    const ctx = await contextFromFlags(v, config, io);
    const given = windowFrom(v.window);
    if (given.window)
      throw new UsageError(
        '--window: scan compares with a U-Turn result (its curves and window): give its result.json or folder',
      );
    const uturn = async () => given.uturn ?? (v.uturn ? await runUTurnStage(ctx) : undefined);
    if (shard) {
      const s = await guarded(async () => runScanShard(ctx, { uturn: await uturn() }, shard));
      emit(io, v, s, [
        `shard ${shard.index}/${shard.count}: ${s.cells.length} cells in ${v.out}/scan/shard-${shard.index}-of-${shard.count}.json`,
        'merge with: phaseflow scan --merge <the shard folders> --out <folder>',
      ]);
      return 0;
    }
    const r = await guarded(async () => runScanStage(ctx, { uturn: await uturn() }));
    emit(io, v, r, scanLines(r));
    return 0;
  },
});

function scanLines(r: ScanStageResult): string[] {
  const f = (m: { mean: number; low: number; high: number }) =>
    `${m.mean.toFixed(3)} [${m.low.toFixed(3)}, ${m.high.toFixed(3)}]`;
  return [
    `interval            improvement of |pHat_A - p| (mean, 95 % CI)   confident / typical after   inside U-Turn window`,
    ...[...r.intervals, r.control].map(
      (s) =>
        `${s.label.padEnd(18)}  ${f(s.improvement).padEnd(44)}  ${`${(100 * s.confident.mean).toFixed(0)} % / ${(100 * s.typical.mean).toFixed(0)} %${s.passes ? '' : ' (fails)'}`.padEnd(26)}  ${s.insideWindow === null ? '-' : `${Math.round(100 * s.insideWindow)} %`}`,
    ),
    `scan: ${r.comparison.answer}`,
    `scan: ${r.comparison.statement}`,
    `base ${r.baseSteps} steps + ${r.extraSteps} per interval, ${r.seeds.length} seeds, ${r.genSamples} images per evaluation; oracle accuracy ${(100 * r.oracle.accuracy.value).toFixed(2)} %; ${r.timing.seconds.toFixed(1)} s`,
  ];
}
