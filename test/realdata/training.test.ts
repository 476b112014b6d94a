// Training pieces at the tiny scale: the oracle's held-out accuracy, exact resumption of denoiser checkpoints, the
// continuations' own learning-rate schedule, and the stages' recorded configuration (both retraining arms share
// seeds, steps, optimiser and generator; learning curve and image grids; the scan's base and schedule).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realDataBackend } from '../../src/realdata/backend.js';
import { resolveConfig } from '../../src/realdata/config.js';
import { generativeDataset, oracleDataset } from '../../src/realdata/dataset.js';
import { loadOracle, saveOracle, trainOracle } from '../../src/realdata/classifier.js';
import { loadSnapshotNet, lrSchedule, runKey, runSpec, trainDenoiser } from '../../src/realdata/denoiser.js';
import { dirStore, memoryStore, type TrainState } from '../../src/realdata/store.js';
import { realDataContext, streamReporter } from '../../src/realdata/context.js';
import { runRetrainStage } from '../../src/realdata/retrain.js';
import { runScanStage } from '../../src/realdata/scan.js';
import { runUTurnStage } from '../../src/realdata/uturnImages.js';
import { parseSampler } from '../../src/sampler/parse.js';

const be = await realDataBackend(1);
const quiet = streamReporter(null);

for (const resolution of [16, 32] as const) {
  test(`the oracle separates 0 from 1 with >= 99 % held-out accuracy at ${resolution} x ${resolution} (tiny scale)`, async () => {
    const c = resolveConfig('tiny', { data: { resolution } });
    const data = oracleDataset(c.data);
    const o = await trainOracle({ be, config: c.oracle, data });
    assert.equal(o.info.heldOut.n, data.test.n);
    assert.ok(data.test.n >= 150, `${data.test.n} held-out images`);
    assert.ok(o.info.accuracy.value >= 0.99, `accuracy ${o.info.accuracy.value}`);
    const side = data.size;
    assert.equal(o.features(data.test.x.subarray(0, 3 * side * side), 3).length, 3 * c.oracle.hidden);
    // Saved and loaded, the oracle classifies identically and re-measures the same accuracy.
    const dir = mkdtempSync(join(tmpdir(), 'pf-oracle-'));
    saveOracle(dir, o);
    const back = loadOracle(dir, be, data);
    assert.deepEqual(back.classify(data.test.x, data.test.n), o.classify(data.test.x, data.test.n));
    assert.equal(back.info.accuracy.value, o.info.accuracy.value);
    back.dispose();
    o.dispose();
  });
}

function sameState(a: TrainState, b: TrainState): void {
  assert.equal(a.step, b.step);
  assert.deepEqual(a.weights, b.weights);
  assert.deepEqual(a.ema, b.ema);
  assert.equal(a.emaUpdates, b.emaUpdates);
  assert.equal(a.adam.t, b.adam.t);
  assert.deepEqual(a.adam.m, b.adam.m);
  assert.deepEqual(a.adam.v, b.adam.v);
  assert.deepEqual(a.losses, b.losses, 'the loss log (running window means) survives the resume');
  assert.deepEqual(a.lossWindow, b.lossWindow);
}

test('a denoiser resumed from a checkpoint (on disk, or after a stop) ends with the weights of an uninterrupted run', async () => {
  const c = resolveConfig('tiny');
  const data = generativeDataset(c.data);
  const spec = runSpec({
    data: 'test',
    size: data.size,
    denoiser: c.denoiser,
    sampler: 'window:0.2,0.6,0.5',
    seed: 5,
    scheduleSteps: 10,
  });
  const whole = memoryStore();
  const a = await trainDenoiser({
    be,
    store: whole,
    spec,
    steps: 10,
    data: data.train,
    snapshots: [4, 10],
    logEvery: 4,
  });
  assert.equal(a.step, 10);
  assert.equal(a.startedAt, 0);
  const ref = whole.loadState(a.key)!;

  const dir = mkdtempSync(join(tmpdir(), 'pf-den-'));
  const disk = dirStore(dir);
  let calls = 0;
  const b1 = await trainDenoiser({
    be,
    store: disk,
    spec,
    steps: 10,
    data: data.train,
    snapshots: [4, 10],
    checkpointEvery: 2,
    logEvery: 4,
    shouldStop: () => ++calls === 3,
  });
  assert.equal(b1.stopped, true);
  assert.equal(disk.loadState(b1.key)!.step, 3);
  const b2 = await trainDenoiser({
    be,
    store: disk,
    spec,
    steps: 10,
    data: data.train,
    snapshots: [4, 10],
    checkpointEvery: 2,
    logEvery: 4,
  });
  assert.equal(b2.startedAt, 3);
  sameState(disk.loadState(b2.key)!, ref);
  assert.deepEqual(disk.loadSnapshot(b2.key, 4), whole.loadSnapshot(a.key, 4));
  assert.ok(existsSync(join(dir, b2.key, 'step-10', 'model.safetensors')), 'snapshots are loadable model folders');
  // Asking again is free: nothing is trained.
  const b3 = await trainDenoiser({ be, store: disk, spec, steps: 10, data: data.train, snapshots: [4, 10] });
  assert.equal(b3.msPerStep, null);
  // The sampling weights load into a network of the spec.
  const net = loadSnapshotNet(be, disk, b2.key, spec, 10);
  assert.equal(net.params.size, ref.weights.length);
  net.dispose();
  // The key identifies the run, not its length; other samplers or seeds are other runs.
  assert.equal(runKey(spec), runKey({ ...spec }));
  assert.notEqual(runKey(spec), runKey({ ...spec, sampler: 'uniform' }));
  assert.notEqual(runKey(spec), runKey({ ...spec, seed: 6 }));
});

test("a continuation on its own schedule trains from a base whose cosine has ended; the base's schedule would not", async () => {
  const c = resolveConfig('tiny');
  const data = generativeDataset(c.data);
  const store = memoryStore();
  const base = runSpec({
    data: 'test',
    size: data.size,
    denoiser: c.denoiser,
    sampler: 'uniform',
    seed: 2,
    scheduleSteps: 8,
  });
  const b = await trainDenoiser({ be, store, spec: base, steps: 8, data: data.train, fullStates: [8], snapshots: [8] });
  const init = { key: b.key, step: 8 };
  // Own schedule: lr(8 + k) = lr k / warmup for k < warmup, then a cosine reaching 0 at k = steps.
  const own = runSpec({
    data: 'test',
    size: data.size,
    denoiser: c.denoiser,
    sampler: 'window:0,0.5,1',
    seed: 2,
    init,
    ownSchedule: { lr: 1e-3, warmup: 2, steps: 6 },
  });
  const f = lrSchedule(own.optim);
  assert.deepEqual([f(8), f(9), f(10)], [0, 5e-4, 1e-3]);
  assert.ok(Math.abs(f(12) - 1e-3 * 0.5 * (1 + Math.cos((Math.PI * 2) / 4))) < 1e-15);
  assert.equal(f(14), 0);
  // The base's own schedule has ended at step 8: continuing on it takes steps of lr 0.
  const old = runSpec({
    data: 'test',
    size: data.size,
    denoiser: c.denoiser,
    sampler: 'window:0,0.5,1',
    seed: 2,
    scheduleSteps: 8,
    init,
  });
  assert.equal(lrSchedule(old.optim)(9), 0);
  const move = async (spec: typeof own) => {
    const r = await trainDenoiser({ be, store, spec, steps: 14, data: data.train, snapshots: [14] });
    const w = store.loadState(r.key)!.weights;
    const w0 = store.loadFullState(b.key, 8)!.weights;
    return Math.sqrt(w.reduce((s, x, i) => s + (x - w0[i]) ** 2, 0));
  };
  assert.equal(await move(old), 0, 'lr 0: the live weights do not move');
  assert.ok((await move(own)) > 0, 'its own schedule trains');
  assert.throws(
    () =>
      runSpec({
        data: 'x',
        size: data.size,
        denoiser: c.denoiser,
        sampler: 'uniform',
        seed: 0,
        ownSchedule: { lr: 1, warmup: 0, steps: 1 },
      }),
    /continuation/,
  );
});

test('stages at the tiny scale: U-Turn window, retraining arms identical but for the sampler, interval scan', async () => {
  const ctx = await realDataContext({ scale: 'tiny', threads: 1, reporter: quiet });
  const c = ctx.config;
  const u = await runUTurnStage(ctx);
  assert.deepEqual(u.turnTimes, c.uturn.turnTimes);
  assert.equal(u.curves.length, 2);
  for (const cv of u.curves) {
    assert.equal(cv.toA.length, c.uturn.turnTimes.length);
    // (Wilson bounds are clamped to [0, 1] and may sit one rounding step inside the estimate at 0 or 1.)
    for (const p of cv.toA)
      assert.ok(
        p.low <= p.value + 1e-12 && p.value <= p.high + 1e-12 && p.n === c.uturn.startsPerClass,
        JSON.stringify(p),
      );
  }
  assert.ok(
    u.window.lo >= Math.min(...u.turnTimes) && u.window.hi <= Math.max(...u.turnTimes),
    JSON.stringify(u.window),
  );
  assert.equal(u.paper.window[0], 0.2);
  assert.ok(u.oracle.accuracy.value >= 0.99, `oracle accuracy ${u.oracle.accuracy.value}`);
  assert.equal(u.model.steps, c.denoiser.steps);
  // The quality gate of the U-Turn model, on its reference images.
  assert.equal(u.quality!.confident.n, c.uturn.referenceSamples);
  assert.equal(u.quality!.passed, u.quality!.confident.value >= 0.9 && (u.quality!.typical?.value ?? 0) >= 0.9);

  const r = await runRetrainStage(ctx, { window: [0.2, 0.6] });
  const [U, P] = r.arms;
  assert.equal(U.name, 'uniform');
  assert.equal(P.name, 'phase-aware');
  const { sampler: su, runKeys: ku, name: _nu, ...restU } = U;
  const { sampler: sp, runKeys: kp, name: _np, ...restP } = P;
  assert.deepEqual(restU, restP, 'same seeds, budgets, steps, schedule, optimiser and generator');
  assert.equal(su, 'uniform');
  const ps = parseSampler(sp);
  assert.ok(Math.abs(ps.cdf(0.6) - ps.cdf(0.2) - c.retrain.massInside) < 1e-12, 'mass inside the window');
  assert.ok(
    ku.every((k, i) => k !== kp[i]),
    'different runs',
  );
  assert.deepEqual(U.seeds, c.retrain.seeds);
  assert.ok(U.seeds.length >= 3, 'at least 3 seeds');
  // Every run is evaluated at the budgets and at the learning-curve steps; the curve's points are the parts' means.
  const steps = [...new Set([...c.retrain.budgets, ...c.retrain.curveSteps])].sort((a, b) => a - b);
  assert.deepEqual(r.curve.steps, steps);
  assert.equal(r.parts.length, 2 * c.retrain.seeds.length * steps.length);
  for (const arm of ['uniform', 'phase-aware'] as const)
    for (const pt of r.curve.arms[arm]) {
      const at = r.parts.filter((p) => p.arm === arm && p.budget === pt.step);
      assert.equal(at.length, c.retrain.seeds.length);
      const m = at.reduce((x, p) => x + p.confident, 0) / at.length;
      assert.ok(Math.abs(pt.confident.mean - m) < 1e-12, `${arm} @${pt.step}: curve point = mean of the parts`);
      assert.equal(pt.pass, pt.confident.mean >= 0.9 && pt.typical.mean >= 0.9);
    }
  // Image grids of the first seed only, one per arm and step, with the images the evaluation generated.
  const gridded = r.parts.filter((p) => p.grid);
  assert.equal(gridded.length, 2 * steps.length);
  assert.ok(gridded.every((p) => p.seed === c.retrain.seeds[0]));
  assert.ok(gridded.every((p) => p.grid!.n === Math.min(c.retrain.gridImages, c.retrain.genSamples)));
  for (const b of r.budgets) {
    for (const arm of ['uniform', 'phase-aware'] as const)
      assert.equal(b.arms[arm].classError.n, c.retrain.seeds.length);
    const errs = (arm: string) =>
      r.parts.filter((p) => p.arm === arm && p.budget === b.budget).map((p) => p.classError);
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    assert.ok(Math.abs(b.arms.uniform.classError.mean - mean(errs('uniform'))) < 1e-12, 'mean of the parts');
    assert.match(b.statement, /ratio claim/);
    assert.ok(['agrees', 'differs', 'unresolved', 'not comparable'].includes(b.verdict), b.verdict);
    for (const arm of ['uniform', 'phase-aware'] as const)
      assert.ok(b.arms[arm].confident.mean >= 0 && b.arms[arm].confident.mean <= 1);
    assert.equal(b.power.seeds, c.retrain.seeds.length);
  }
  // The uniform arm of the first seed is the U-Turn model's run (trained once).
  assert.equal(U.runKeys[0], u.model.key);

  const s = await runScanStage(ctx, { uturn: u });
  assert.equal(s.intervals.length, c.scan.edges.length - 1);
  assert.equal(s.parts.length, c.scan.seeds.length * (s.intervals.length + 1));
  for (const iv of [...s.intervals, s.control]) {
    const d = s.parts.filter((p) => p.interval === iv.index).map((p) => p.after.classError - p.before.classError);
    assert.ok(Math.abs(iv.deltaError.mean - d.reduce((a, b) => a + b, 0) / d.length) < 1e-12, 'mean change');
    assert.equal(iv.improvement.mean, -iv.deltaError.mean);
  }
  assert.equal(s.control.sampler, 'uniform');
  assert.deepEqual(s.comparison.window, [u.window.lo, u.window.hi]);
  for (const b of s.base)
    assert.equal(b.key, r.arms[0].runKeys[c.retrain.seeds.indexOf(b.seed)], 'the scan starts from the uniform runs');
  // The base is the end of the uniform runs (the U-Turn model for the first seed); the continuations train on their
  // own schedule over the extra steps.
  assert.equal(s.baseSteps, c.denoiser.steps);
  assert.deepEqual(s.schedule, { lr: c.scan.lr, warmup: c.scan.warmup, steps: c.scan.extraSteps, kind: 'cosine' });
  assert.ok(s.comparison.answer.includes(s.comparison.bestInterval), s.comparison.answer);
});
