import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAeTrainer, type AeTrainerOptions } from '../../src/autoencoder/trainer.js';
import { initParams, makeGrid } from '../../src/autoencoder/model.js';
import { aeLossAndGrad } from '../../src/autoencoder/reference.js';
import { GaussianMixture } from '../../src/mixture/gaussianMixture.js';
import { makeInterpolant } from '../../src/interpolant/index.js';
import { Rng } from '../../src/random/rng.js';

const base: AeTrainerOptions = { schedule: 'dilated', d: 48, n: 12, T: 4, seed: 5, lr: 1e-2, threads: 2 };

test('parameters and training set are reconstructible from the seed', async () => {
  for (const backend of ['wasm', 'reference'] as const) {
    const tr = await createAeTrainer({ ...base, backend });
    try {
      const root = Rng.seeded(base.seed);
      assert.deepEqual(tr.params(), initParams(root.split(0), base.d, base.T));
      const want = new GaussianMixture({ d: base.d, p: 0.8 }).sample(root.split(1), base.n);
      assert.deepEqual(tr.trainSet(), { x1: want.x, s: want.s });
      assert.equal(tr.epoch, 0);
      assert.equal(tr.config.lU, 1e-5);
      assert.equal(tr.config.backend, backend);
    } finally {
      await tr.close();
    }
  }
});

test('reference backend: epoch e uses noise stream split(2).split(e).split(j)', async () => {
  const tr = await createAeTrainer({ ...base, backend: 'reference' });
  const root = Rng.seeded(base.seed);
  const p0 = tr.params();
  const loss0 = tr.step();
  const grid = makeGrid(makeInterpolant('dilated', { d: base.d, kappa: 2 }), base.d, base.T);
  const noise = new Float64Array(base.T * base.n * base.d);
  for (let j = 0; j < base.T; j++)
    root
      .split(2)
      .split(0)
      .split(j)
      .fillNormal(noise.subarray(j * base.n * base.d, (j + 1) * base.n * base.d));
  const want = aeLossAndGrad(grid, p0, tr.trainSet().x1, base.n, noise);
  assert.equal(loss0, want.loss);
  assert.deepEqual(tr.lossPerTime(), want.lossPerTime);
  assert.equal(tr.epoch, 1);
  await tr.close();
  assert.throws(() => tr.step(), /closed/);
});

test('checkpoint and resume reproduce an uninterrupted run exactly (both backends)', async () => {
  for (const backend of ['wasm', 'reference'] as const) {
    const full = await createAeTrainer({ ...base, backend });
    const lossesFull = [0, 1, 2, 3, 4, 5].map(() => full.step());
    const a = await createAeTrainer({ ...base, backend, threads: 1 });
    const lossesA = [0, 1, 2].map(() => a.step());
    const state = a.exportState();
    await a.close();
    assert.equal(state.meta.epoch, 3);
    assert.equal(state.arrays['v.w'].length, base.T * base.d);
    const b = await createAeTrainer({ ...base, backend });
    b.importState(state);
    assert.equal(b.epoch, 3);
    const lossesB = [0, 1, 2].map(() => b.step());
    assert.deepEqual([...lossesA, ...lossesB], lossesFull, backend);
    assert.deepEqual(b.params(), full.params(), backend);
    await b.close();
    await full.close();
  }
});

test('wasm resume is exact where |u|^2 summation order matters (d 1000)', async () => {
  // A sequential |u_j|^2 after importState differed in the last bits from the Adam step's two-lane sum (issue 12).
  const o: AeTrainerOptions = {
    schedule: 'dilated',
    d: 1000,
    n: 128,
    T: 20,
    seed: 1,
    lr: 4e-3,
    threads: 2,
    backend: 'wasm',
  };
  const full = await createAeTrainer(o);
  for (let e = 0; e < 26; e++) full.step();
  const a = await createAeTrainer(o);
  for (let e = 0; e < 13; e++) a.step();
  const state = a.exportState();
  await a.close();
  const b = await createAeTrainer(o);
  b.importState(state);
  for (let e = 0; e < 13; e++) b.step();
  assert.deepEqual(b.params(), full.params());
  await b.close();
  await full.close();
});

test('importState refuses a state from other settings', async () => {
  const a = await createAeTrainer({ ...base, backend: 'reference' });
  const s = a.exportState();
  const other = await createAeTrainer({ ...base, backend: 'reference', seed: 6 });
  assert.throws(() => other.importState(s), /seed/);
  const other2 = await createAeTrainer({ ...base, backend: 'reference', lr: 0.5 });
  assert.throws(() => other2.importState(s), /lr/);
  const broken = { meta: s.meta, arrays: { ...s.arrays, u: new Float64Array(3) } };
  assert.throws(() => a.importState(broken), /"u"/);
  await Promise.all([a.close(), other.close(), other2.close()]);
});

test('training lowers the loss, and the two backends learn alike', async () => {
  const opts: AeTrainerOptions = { schedule: 'linear', d: 32, n: 16, T: 3, seed: 2, lr: 0.05, lU: 0, lW: 0 };
  const finals: number[] = [];
  for (const backend of ['wasm', 'reference'] as const) {
    const tr = await createAeTrainer({ ...opts, backend, threads: 2 });
    const first = tr.step();
    let last = 0;
    for (let e = 0; e < 150; e++) last += tr.step() / 150; // average over the noise
    for (let e = 0; e < 50; e++) tr.step();
    let end = 0;
    for (let e = 0; e < 50; e++) end += tr.step() / 50;
    assert.ok(end < 0.7 * first, `${backend}: loss ${first} -> ${end}`);
    assert.ok(end <= last, `${backend}: still decreasing`);
    finals.push(end);
    await tr.close();
  }
  assert.ok(Math.abs(finals[0] - finals[1]) < 0.05 * finals[1], `wasm ${finals[0]} vs reference ${finals[1]}`);
});
