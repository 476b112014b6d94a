/**
 * `phaseflow scan`: which training-time intervals improve the class fraction most, checked directly.
 */
import { defineCommand } from '../command.js';
import { aliasesFor } from '../flags.js';
import { COMMON_FLAGS, DENOISER_FLAGS, ORACLE_FLAGS, SCAN_FLAGS, configFromFlags, contextFromFlags, emit, guarded, scanOverrides } from '../../realdata/cliOptions.js';
import { runScanStage } from '../../realdata/scan.js';
import { runUTurnStage } from '../../realdata/uturnImages.js';
import { UTURN_FLAGS, uturnOverrides } from './uturn.js';
import { RETRAIN_FLAGS, retrainOverrides } from './retrain.js';

export const scanCommand = defineCommand({
  name: 'scan',
  summary: 'Interval scan: continue a partly trained model with times restricted to each interval; class-error change',
  description: [
    "The paper's method, checked directly: \"for a given feature, find the intervals of time where training improves",
    'accuracy the most on that feature". From the uniform model at --base-steps, continue --extra-steps steps with',
    'training times uniform on each of the k intervals (and a uniform control), then measure the change of the class',
    'error |pHat_A - p| (same generation noise before and after; mean over --scan-seeds with 95 % CIs). Shown beside the',
    'U-Turn curves and window (the U-Turn runs first unless --no-uturn).',
    '',
    'Examples:',
    '  phaseflow scan --scale quick --out runs/mnist',
    '  phaseflow scan --intervals 0,0.2,0.4,0.6,0.8,1 --base-steps 1000 --extra-steps 200 --scan-seeds 0,1,2',
  ].join('\n'),
  aliases: aliasesFor('scan'),
  flags: {
    ...COMMON_FLAGS,
    ...DENOISER_FLAGS,
    ...ORACLE_FLAGS,
    ...UTURN_FLAGS,
    budgets: RETRAIN_FLAGS.budgets,
    ...SCAN_FLAGS,
    uturn: { type: 'bool', default: true, help: 'run (or reuse) the U-Turn to compare with its window (--no-uturn to skip)' },
  },
  async run(v, { io }) {
    const config = configFromFlags(v, (o) => {
      Object.assign(o.uturn!, uturnOverrides(v));
      Object.assign(o.retrain!, retrainOverrides({ budgets: v.budgets }));
      Object.assign(o.scan!, scanOverrides(v));
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
});
