/**
 * `phaseflow scan`: which training-time intervals improve the class fraction most, checked directly.
 */
import type { Command } from '../command.js';
import { UsageError } from '../args.js';
import { COMMON_FLAGS, DENOISER_FLAGS, ORACLE_FLAGS, configFromFlags, contextFromFlags, emit, guarded, parseIntervals } from '../../realdata/cliOptions.js';
import { runScanStage } from '../../realdata/scan.js';
import { runUTurnStage } from '../../realdata/uturnImages.js';
import { UTURN_FLAGS, uturnOverrides } from './uturn.js';
import { RETRAIN_FLAGS, retrainOverrides } from './retrain.js';

export const scanCommand: Command = {
  name: 'scan',
  summary: 'Interval scan: continue a partly trained model with times restricted to each interval; class-error change',
  description: [
    "The paper's method, checked directly: \"for a given feature, find the intervals of time where training improves",
    'accuracy the most on that feature". From the uniform model at --base-steps, continue --extra-steps steps with',
    'training times uniform on each of the k intervals (and a uniform control), then measure the change of the class',
    'error |pHat_A - p| (same generation noise before and after; mean over --seeds with 95 % CIs). Shown beside the',
    'U-Turn curves and window (the U-Turn runs first unless --no-uturn).',
    '',
    'Examples:',
    '  phaseflow scan --scale quick --out runs/mnist',
    '  phaseflow scan --intervals 0,0.2,0.4,0.6,0.8,1 --base-steps 1000 --extra-steps 200 --seeds 0,1,2',
  ].join('\n'),
  flags: {
    ...COMMON_FLAGS,
    ...DENOISER_FLAGS,
    ...ORACLE_FLAGS,
    ...UTURN_FLAGS,
    budgets: RETRAIN_FLAGS.budgets,
    intervals: { type: 'string', metavar: 'K|E,E,...', help: 'number of equal intervals, or increasing edges in [0, 1]' },
    'base-steps': { type: 'int', min: 1, help: 'steps of the partly trained uniform base model' },
    'extra-steps': { type: 'int', min: 1, help: 'extra steps per interval (the same for every interval and the control)' },
    seeds: { type: 'numbers', min: 0, metavar: 'INT,INT,...', help: 'scan seeds' },
    uturn: { type: 'bool', default: true, help: 'run (or reuse) the U-Turn to compare with its window (--no-uturn to skip)' },
  },
  async run(v, { io }) {
    const config = configFromFlags(v, (o) => {
      Object.assign(o.uturn!, uturnOverrides(v));
      if (v.budgets !== undefined) Object.assign(o.retrain!, retrainOverrides({ budgets: v.budgets }));
      if (v.intervals !== undefined) o.scan!.edges = parseIntervals(v.intervals as string);
      if (v['base-steps'] !== undefined) o.scan!.baseSteps = v['base-steps'] as number;
      if (v['extra-steps'] !== undefined) o.scan!.extraSteps = v['extra-steps'] as number;
      if (v.seeds !== undefined) {
        const s = v.seeds as number[];
        if (s.some((x) => !Number.isInteger(x))) throw new UsageError(`--seeds: expected integers, got ${s.join(',')}`);
        if (new Set(s).size !== s.length) throw new UsageError('--seeds: seeds must be distinct');
        o.scan!.seeds = s;
      }
    });
    const ctx = await contextFromFlags(v, config, io);
    const r = await guarded(async () => {
      const uturn = v.uturn ? await runUTurnStage(ctx) : undefined;
      return runScanStage(ctx, { uturn });
    });
    const f = (m: { mean: number; low: number; high: number }) => `${m.mean.toFixed(3)} [${m.low.toFixed(3)}, ${m.high.toFixed(3)}]`;
    emit(io, v, r, [
      `interval            improvement of |pHat_A - p| (mean, 95 % CI)   inside U-Turn window`,
      ...[...r.intervals, r.control].map((s) => `${s.label.padEnd(18)}  ${f(s.improvement).padEnd(44)}  ${s.insideWindow === null ? '-' : `${Math.round(100 * s.insideWindow)} %`}`),
      r.comparison.verdict,
      `base ${r.baseSteps} steps + ${r.extraSteps} per interval, ${r.seeds.length} seeds, ${r.genSamples} images per evaluation; oracle accuracy ${(100 * r.oracle.accuracy.value).toFixed(2)} %; ${r.timing.seconds.toFixed(1)} s`,
    ]);
    return 0;
  },
};
