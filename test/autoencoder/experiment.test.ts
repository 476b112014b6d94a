import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  runGmm,
  checkpointPath,
  readGmmCheckpoint,
  type GmmConfig,
  type GmmResult,
} from '../../src/autoencoder/experiment.js';
import { CheckpointError } from '../../src/io/checkpoint.js';

const base: GmmConfig = {
  schedule: 'dilated',
  d: 64,
  n: 16,
  T: 8,
  p: 0.8,
  sigma: 1,
  kappa: 2,
  lr: 3e-3,
  lU: 1e-5,
  lW: 1e-5,
  seed: 5,
  backend: 'wasm',
  epochs: 60,
  genSamples: 200,
  genMethod: 'euler',
  logEvery: 5,
};

async function finish(cfg: GmmConfig, dir?: string, resume = false): Promise<GmmResult> {
  const r = await runGmm({ config: cfg, dir, resume, checkpointEvery: 7, threads: 2 });
  assert.equal(r.status, 'done');
  return (r as { result: GmmResult }).result;
}

for (const backend of ['wasm', 'reference'] as const) {
  test(`resuming from a checkpoint ends at the same result as an uninterrupted run (${backend})`, async () => {
    const cfg = { ...base, backend };
    const whole = await finish(cfg);
    const dir = mkdtempSync(join(tmpdir(), 'pf-gmm-'));
    const part = await runGmm({ config: cfg, dir, checkpointEvery: 7, threads: 2, maxEpochsThisCall: 23 });
    assert.deepEqual(part, { status: 'interrupted', epoch: 23, checkpoint: checkpointPath(dir) });
    const resumed = await finish(cfg, dir, true);
    assert.deepEqual(resumed.overlaps, whole.overlaps);
    assert.equal(resumed.pHat, whole.pHat);
    assert.deepEqual(resumed.loss.values, whole.loss.values);
    assert.deepEqual(resumed.loss.epochs, whole.loss.epochs);
  });
}

test('a checkpoint of another configuration, or a corrupt one, is refused with a clear message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-gmm-'));
  await runGmm({ config: base, dir, checkpointEvery: 5, threads: 1, maxEpochsThisCall: 10 });
  await assert.rejects(
    runGmm({ config: { ...base, lr: 1e-3 }, dir, resume: true, threads: 1 }),
    (e: unknown) => e instanceof CheckpointError && /differs in lr/.test(e.message),
  );
  const bytes = readFileSync(checkpointPath(dir));
  bytes[100] ^= 0xff;
  writeFileSync(checkpointPath(dir), bytes);
  await assert.rejects(runGmm({ config: base, dir, resume: true, threads: 1 }), /corrupt or truncated/);
  await assert.rejects(
    runGmm({ config: base, dir: mkdtempSync(join(tmpdir(), 'pf-gmm-')), resume: true, threads: 1 }),
    /no checkpoint/,
  );
});

test('a diverging run stops with a clear message and keeps the last good checkpoint', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-gmm-'));
  // Adam moves every parameter by about lr per step: with lr = 1e200 the squared residual overflows to Infinity
  const cfg: GmmConfig = { ...base, lr: 1e200, epochs: 400, backend: 'reference' };
  let epochAtFailure = -1;
  await assert.rejects(runGmm({ config: cfg, dir, checkpointEvery: 1, threads: 1 }), (e: unknown) => {
    const m = /loss became non-finite at epoch (\d+); the last good checkpoint \(epoch (\d+)\) is kept/.exec(
      (e as Error).message,
    );
    if (m) epochAtFailure = Number(m[2]);
    return m !== null;
  });
  const ck = readGmmCheckpoint(dir);
  assert.equal(ck.meta.trainer.epoch, epochAtFailure);
  for (const a of Object.values(ck.state.arrays)) assert.ok(a.every(Number.isFinite));
});

test('the training set p is reported and pHat is a proper fraction', async () => {
  const r = await finish({ ...base, epochs: 20 });
  assert.ok(r.trainP > 0 && r.trainP < 1);
  assert.equal(r.counts.plus + r.counts.minus, base.genSamples);
  assert.equal(r.overlaps.t.length, base.T);
});
