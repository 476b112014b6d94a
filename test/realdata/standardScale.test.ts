// The `standard` scale (issue 11 item 2): its sizes meet the minima, its network is the bench's paper-32
// U-Net, `--scale standard` parses on mnist and reproduce, and its time estimate from the measured rates fits the
// 90-minute target (docs/method.md §6.7). The scale itself is far too slow for a unit test and is not run here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  callsPerImage,
  estimateStudySeconds,
  resolveConfig,
  SCALE_NAMES,
  studyWork,
} from '../../src/realdata/config.js';
import { isStochastic } from '../../src/solver/sample.js';
import { unetOf } from '../../src/realdata/denoiser.js';
import { parseArgs } from '../../src/cli/args.js';
import { configFromFlags } from '../../src/realdata/cliOptions.js';
import { mnistCommand } from '../../src/cli/commands/mnist.js';
import { reproduceCommand } from '../../src/cli/commands/reproduce.js';
import { SCALES, theoryScale } from '../../src/reproduce/stage.js';

/**
 * Rates of an idle 2-core machine (docs/method.md §6.7): the nn bench's paper-32 training step at batch 32 on 2
 * threads (180-200 ms) and its inference (about 1 s per 500 images per network call), and the oracle step measured in
 * the standard learning-curve probe (1000 steps in 56.7 s on a shared machine).
 */
export const STANDARD_RATES = { stepSeconds: 0.19, imageCallSeconds: 2e-3, oracleStepSeconds: 0.057 };

test('standard scale: 32 x 32, the paper-32 U-Net, AdamW with cosine warm-up and clip 1, sizes at the issue minima', () => {
  assert.ok(SCALE_NAMES.includes('standard'));
  const c = resolveConfig('standard');
  assert.equal(c.data.resolution, 32);
  const d = c.denoiser;
  assert.deepEqual(d.channels, [16, 32, 64]);
  assert.deepEqual(d.attentionLevels, [2], 'attention at the third level: 32 / 4 = 8 x 8');
  assert.equal(32 / 2 ** d.attentionLevels[0], 8);
  assert.equal(d.midAttention, true);
  assert.equal(d.blocksPerLevel, 1);
  assert.equal(d.schedule, 'cosine');
  assert.ok(d.warmup > 0 && d.warmup < Math.min(...c.retrain.budgets));
  assert.equal(d.clip, 1);
  assert.ok(d.weightDecay > 0, 'AdamW (decoupled weight decay)');
  assert.equal(d.batch, 32);
  const net = unetOf(d, c.data.resolution);
  assert.equal(net.sampleSize, 32);
  // U-Turn: >= 150 starts per class, >= 8 turn times, a stochastic sampler; its model is the longest uniform run.
  assert.ok(c.uturn.startsPerClass >= 150);
  assert.ok(c.uturn.turnTimes.length >= 8);
  assert.ok(isStochastic(c.uturn.method, c.sampling.eta ?? 0));
  assert.equal(d.steps, Math.max(...c.retrain.budgets));
  // Retraining: >= 3 budgets, >= 5 seeds, >= 500 images per evaluation.
  assert.ok(c.retrain.budgets.length >= 3);
  assert.ok(c.retrain.seeds.length >= 5);
  assert.ok(c.retrain.genSamples >= 500);
  // Scan: >= 5 intervals (the uniform control is always added), >= 3 seeds, from the gated longest uniform runs.
  assert.ok(c.scan.edges.length - 1 >= 5);
  assert.ok(c.scan.seeds.length >= 3);
  assert.ok(c.scan.seeds.every((s) => c.retrain.seeds.includes(s)));
  assert.equal(c.scan.baseSteps, Math.max(...c.retrain.budgets));
  assert.ok(c.scan.genSamples >= 500);
  // Evaluations by a stochastic sampler (the reverse SDE's law, README sampler table).
  assert.ok(isStochastic(c.sampling.method, c.sampling.eta ?? 0));
});

test('standard scale: the counted work and the time estimate from the measured rates fit 90 minutes on 2 cores', () => {
  const c = resolveConfig('standard');
  const w = studyWork(c);
  assert.equal(w.retrainSteps, 2 * 5 * 2000, 'ten runs of 2000 steps; the U-Turn model and scan bases among them');
  assert.equal(w.scanSteps, 6 * 3 * 150);
  assert.equal(w.evaluations, 2 * 5 * 3 + 6 * 3 + 3);
  assert.equal(callsPerImage('ddim', 10), 10);
  assert.equal(callsPerImage('ode', 25), 49);
  const t = estimateStudySeconds(w, STANDARD_RATES);
  assert.ok(t.total <= 90 * 60, `estimate ${(t.total / 60).toFixed(1)} min`);
  // Each further seed: two runs of the longest budget and their evaluations.
  const more = estimateStudySeconds(
    studyWork(resolveConfig('standard', { retrain: { seeds: [0, 1, 2, 3, 4, 5] } })),
    STANDARD_RATES,
  );
  const perSeed = more.total - t.total;
  assert.ok(perSeed > 2 * 2000 * STANDARD_RATES.stepSeconds && perSeed < 20 * 60, `${perSeed} s per seed`);
});

test('--scale standard parses on mnist and reproduce; reproduce runs the GMM stages at quick size there', () => {
  const m = parseArgs(['--scale', 'standard'], mnistCommand.flags);
  assert.equal(m.values.scale, 'standard');
  const c = configFromFlags(m.values);
  assert.equal(c.scale, 'standard');
  assert.equal(c.data.resolution, 32);
  const r = parseArgs(['--scale', 'standard'], reproduceCommand.flags);
  assert.equal(r.values.scale, 'standard');
  assert.ok(SCALES.includes('standard'));
  assert.equal(theoryScale('standard'), 'quick');
  assert.equal(theoryScale('paper'), 'paper');
  assert.throws(() => parseArgs(['--scale', 'big'], reproduceCommand.flags), /--scale/);
});
