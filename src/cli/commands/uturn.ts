/**
 * `phaseflow uturn`: the U-Turn on real images (docs/method.md §4.5) — decision curves, generated class fraction and
 * the automatic decision window.
 */
import { defineCommand } from '../command.js';
import { UsageError, defineFlags, withoutDefault, type Values } from '../args.js';
import { FLAGS, aliasesFor } from '../flags.js';
import {
  COMMON_FLAGS,
  DENOISER_FLAGS,
  ORACLE_FLAGS,
  byScale,
  configFromFlags,
  contextFromFlags,
  emit,
  guarded,
  modelDirRule,
  pctCI,
} from '../../realdata/cliOptions.js';
import type { UTurnConfig } from '../../realdata/config.js';
import { runUTurnStage } from '../../realdata/uturnImages.js';
import { STOCHASTIC_METHODS } from '../../solver/sample.js';

export const UTURN_FLAGS = defineFlags({
  'turn-times': {
    type: 'numbers',
    gt: 0,
    lt: 1,
    metavar: 'T,T,...',
    presetDefaults: byScale((c) => c.uturn.turnTimes),
    help: 'turn times t0 (0 = noise, 1 = data)',
  },
  starts: {
    type: 'int',
    min: 1,
    max: 1000000,
    presetDefaults: byScale((c) => c.uturn.startsPerClass),
    help: 'trajectories per start class and turn time',
  },
  reference: {
    type: 'int',
    min: 0,
    max: 1000000,
    presetDefaults: byScale((c) => c.uturn.referenceSamples),
    help: 'images generated from noise for the generated-fraction line',
  },
  forward: {
    type: 'enum',
    choices: ['exact', 'sde'],
    presetDefaults: byScale((c) => c.uturn.forward),
    help: "noising: exact draw of x_t0, or the noising SDE as the paper's code",
  },
  'uturn-method': {
    type: 'enum',
    choices: STOCHASTIC_METHODS,
    presetDefaults: byScale((c) => c.uturn.method),
    help: 'regeneration, always stochastic: sde (the paper) or ddim with --sample-eta > 0',
  },
  'uturn-steps': {
    type: 'int',
    min: 2,
    max: 100000,
    presetDefaults: byScale((c) => c.uturn.stepsPerUnit),
    help: 'regeneration steps per unit time (the paper: 1000)',
  },
  'window-rule': {
    type: 'numbers',
    min: 0,
    max: 1,
    metavar: 'LO,HI',
    presetDefaults: byScale((c) => [c.uturn.windowLo, c.uturn.windowHi]),
    help: 'class-memory thresholds of the decision window',
  },
  preview: {
    type: 'int',
    min: 0,
    max: 1024,
    presetDefaults: byScale((c) => c.uturn.previewSamples),
    help: 'generated images shown in the report',
  },
});

/** Applies the U-Turn flags to the overrides. */
export function uturnOverrides(v: Partial<Values<typeof UTURN_FLAGS>>): Partial<UTurnConfig> {
  const u: Partial<UTurnConfig> = {};
  if (v['turn-times'] !== undefined) u.turnTimes = v['turn-times'];
  if (v.starts !== undefined) u.startsPerClass = v.starts;
  if (v.reference !== undefined) u.referenceSamples = v.reference;
  if (v.forward !== undefined) u.forward = v.forward;
  if (v['uturn-method'] !== undefined) u.method = v['uturn-method'];
  if (v['uturn-steps'] !== undefined) u.stepsPerUnit = v['uturn-steps'];
  if (v.preview !== undefined) u.previewSamples = v.preview;
  if (v['window-rule'] !== undefined) {
    const w = v['window-rule'];
    if (w.length !== 2 || !(w[0] < w[1]))
      throw new UsageError(`--window-rule: expected LO,HI with 0 <= LO < HI <= 1, got ${w.join(',')}`);
    [u.windowLo, u.windowHi] = w;
  }
  return u;
}

export const uturnCommand = defineCommand({
  name: 'uturn',
  stoppable: true,
  summary: 'U-Turn on real images: decision curves, generated class fraction, automatic decision window',
  description: [
    'Trains (or loads with --model) a uniform U-Net, noises held-out images of each class to each turn time t0,',
    'regenerates them with the reverse SDE and classifies them with the oracle. Window rule: with the class memory',
    'D(t0) = f_A(t0) - f_B(t0) (fraction ending as class A from each start) normalised by its maximum, the window is',
    "[last t0 with D <= 0.1, first t0 with D >= 0.9]. The paper's Figure 2 is drawn faintly for comparison.",
    '',
    'Examples:',
    '  phaseflow uturn --scale quick --out runs/uturn',
    '  phaseflow uturn --model runs/den/denoise/model --turn-times 0.2,0.3,0.4,0.5,0.6 --starts 200 --json',
  ].join('\n'),
  aliases: aliasesFor('uturn'),
  flags: {
    ...COMMON_FLAGS,
    ...DENOISER_FLAGS,
    ...ORACLE_FLAGS,
    ...UTURN_FLAGS,
    model: {
      type: 'path',
      metavar: 'DIR',
      path: modelDirRule('unet', 'model'),
      help: 'a saved U-Net folder (`phaseflow denoise --out`: DIR/denoise/model) instead of training one',
    },
    seed: {
      ...withoutDefault(FLAGS.seed),
      defaultText: 'the first retraining seed',
      help: 'seed of the uniform model',
    },
  },
  async run(v, { io }) {
    const config = configFromFlags(v, (o) => Object.assign(o.uturn!, uturnOverrides(v)));
    const ctx = await contextFromFlags(v, config, io);
    const r = await guarded(() => runUTurnStage(ctx, { modelDir: v.model, seed: v.seed }));
    const [a, b] = r.curves;
    emit(io, v, r, [
      ` t0     ends as A from A        ends as A from B`,
      ...r.turnTimes.map((t, j) => `${t.toFixed(3).padStart(6)}  ${pctCI(a.toA[j]).padEnd(22)}  ${pctCI(b.toA[j])}`),
      `generated fraction of class A ${r.reference ? pctCI(r.reference) : '-'} (training ${(100 * r.trueFractionA).toFixed(1)} %)`,
      `decision window [${r.window.lo.toFixed(3)}, ${r.window.hi.toFixed(3)}] (paper: [0.2, 0.6]); oracle accuracy ${pctCI(r.oracle.accuracy)}; ${r.timing.seconds.toFixed(1)} s`,
    ]);
    return 0;
  },
});
