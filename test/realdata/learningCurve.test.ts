// The learning curve at the tiny scale: one point per step count, seed bands from the per-seed evaluations, the gate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realDataContext, type Reporter } from '../../src/realdata/context.js';
import { learningCurveFigure, runLearningCurve } from '../../src/realdata/learningCurve.js';

const bar = { start() {}, update() {}, done() {}, stopped() {} };
const quiet: Reporter = { progress: () => bar, log() {} };

test('learning curve: points per step, means of the per-seed runs, gate flags and the figure', async () => {
  const ctx = await realDataContext({ scale: 'tiny', threads: 1, reporter: quiet });
  const r = await runLearningCurve(ctx, { steps: [8, 4], seeds: [0, 1], genSamples: 12 });
  assert.deepEqual(
    r.points.map((p) => p.step),
    [4, 8],
  );
  assert.equal(r.runs.length, 4);
  for (const p of r.points) {
    const at = r.runs.filter((x) => x.step === p.step);
    assert.equal(p.classError.n, 2);
    assert.ok(Math.abs(p.confident.mean - (at[0].confident + at[1].confident) / 2) < 1e-12);
    assert.equal(p.pass, p.confident.mean >= 0.9 && p.typical.mean >= 0.9);
  }
  assert.equal(r.firstPassing, r.points.find((p) => p.pass)?.step ?? null);
  assert.match(learningCurveFigure(r), /^<svg[^>]*xmlns/);
  await assert.rejects(runLearningCurve(ctx, { steps: [0], seeds: [0] }), /positive integers/);
});
