import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, type KernelPool } from '../../src/kernels/pool.js';
import { WasmAeKernel } from '../../src/autoencoder/wasmBackend.js';
import { WebGpuAeKernel } from '../../src/autoencoder/webgpuBackend.js';
import { aeLossAndGrad } from '../../src/autoencoder/reference.js';
import { makeGrid, initParams, cloneParams, type AeParams } from '../../src/autoencoder/model.js';
import { adamInit, adamStep } from '../../src/autoencoder/adam.js';
import { createAeTrainer } from '../../src/autoencoder/trainer.js';
import { runGmm, type GmmConfig } from '../../src/autoencoder/experiment.js';
import { makeInterpolant } from '../../src/interpolant/index.js';
import { Rng } from '../../src/random/rng.js';
import { gpuForTests } from '../helpers/gpu.js';

// The WGSL autoencoder step (src/autoencoder/webgpuBackend.ts) against the float64 reference on the same explicit
// noise, and against the wasm kernel on generated noise (the same counter-based streams). Float32 on the device;
// the tolerances are those of docs/gpu.md. Sizes are small: CI runs this on Mesa's software adapter.

const gpu = await gpuForTests();
const skip = gpu.skip;
let pool: KernelPool;
before(async () => {
  if (!skip) pool = await createPool({ threads: 1 });
});
after(async () => {
  await pool?.close();
  await gpu.host?.close();
});

const f32 = (a: Float64Array) => a.map(Math.fround);
const KEY = Uint32Array.of(1, 2, 3, 4);
const adam = { lr: 1e-3, lU: 1e-3, lW: 2e-3 };

function problem(schedule: 'linear' | 've' | 'dilated', d: number, n: number, T: number, seed: number) {
  const grid = makeGrid(makeInterpolant(schedule, { d, kappa: 2 }), d, T);
  const rng = Rng.seeded(seed);
  const p0 = initParams(rng.split(0), d, T);
  const p: AeParams = { T, d, c: f32(p0.c), b: f32(p0.b), u: f32(p0.u), w: f32(p0.w) };
  const x1 = f32(rng.split(1).fillNormal(new Float64Array(n * d), 1, 1));
  const noise = f32(rng.split(2).fillNormal(new Float64Array(T * n * d)));
  return { grid, p, x1, noise };
}

/** max |a - b| / max |b| */
function relErr(a: Float64Array, b: Float64Array): number {
  let e = 0,
    s = 0;
  for (let i = 0; i < a.length; i++) {
    e = Math.max(e, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return e / s;
}

const kernel = (o: Omit<Parameters<typeof WebGpuAeKernel.create>[0], 'host'>) =>
  WebGpuAeKernel.create({ ...o, host: gpu.host! });

test('loss and gradients match the float64 reference on the same noise (relative error < 2e-6)', { skip }, async () => {
  const cases: [schedule: 'linear' | 've' | 'dilated', d: number, n: number, T: number][] = [
    ['dilated', 37, 11, 5],
    ['linear', 64, 9, 3],
    ['ve', 50, 16, 4],
    ['dilated', 300, 24, 3],
    ['linear', 8, 1, 1],
  ];
  for (const [schedule, d, n, T] of cases) {
    const { grid, p, x1, noise } = problem(schedule, d, n, T, d + n);
    const ref = aeLossAndGrad(grid, p, x1, n, noise);
    const k = await kernel({ grid, x1, n, noiseKey: KEY, adam });
    try {
      k.setParams(p);
      k.setExplicitNoise(noise);
      const loss = k.step(0, { adam: false });
      const g = k.grads();
      const tag = `${schedule} d=${d} n=${n} T=${T}`;
      assert.ok(Math.abs(loss - ref.loss) < 2e-6 * ref.loss, `${tag}: loss ${loss} vs ${ref.loss}`);
      assert.ok(relErr(k.lossPerTime(), ref.lossPerTime) < 2e-6, `${tag}: per-time loss`);
      for (const key of ['c', 'b', 'u', 'w'] as const) {
        const e = relErr(g[key], ref.grad[key]);
        assert.ok(e < 2e-6, `${tag}: d${key} relative error ${e}`);
      }
      assert.deepEqual(k.getParams(), p, 'no update without adam');
    } finally {
      await k.close();
    }
  }
});

test(
  'generated noise: a few Adam steps follow the wasm kernel (losses and parameters within 1e-5)',
  { skip },
  async () => {
    const d = 100,
      n = 20,
      T = 6;
    const { grid, p, x1 } = problem('dilated', d, n, T, 9);
    const w = await WasmAeKernel.create({ pool, grid, x1, n, noiseKey: KEY, adam });
    const g = await kernel({ grid, x1, n, noiseKey: KEY, adam });
    try {
      w.setParams(p);
      g.setParams(p);
      for (let e = 0; e < 5; e++) {
        const lw = w.step(e);
        const lg = g.step(e);
        assert.ok(Math.abs(lg - lw) < 1e-5 * lw, `epoch ${e}: loss ${lg} vs wasm ${lw}`);
      }
      const pw = w.getParams();
      const pg = g.getParams();
      for (const key of ['c', 'b', 'u', 'w'] as const) {
        const e = relErr(pg[key], pw[key]);
        assert.ok(e < 1e-5, `${key} relative difference ${e}`);
      }
      const gw = w.grads();
      const gg = g.grads();
      for (const key of ['c', 'b', 'u', 'w'] as const) assert.ok(relErr(gg[key], gw[key]) < 1e-4, `gradient ${key}`);
    } finally {
      w.close();
      await g.close();
    }
  },
);

test('the Adam update is the TypeScript one applied to the device gradient, in float32', { skip }, async () => {
  const d = 29,
    n = 7,
    T = 4;
  const { grid, p, x1, noise } = problem('dilated', d, n, T, 5);
  const k = await kernel({ grid, x1, n, noiseKey: KEY, adam });
  try {
    k.setParams(p);
    k.setExplicitNoise(noise);
    const q = cloneParams(p);
    const st = adamInit(d, T);
    for (let step = 0; step < 3; step++) {
      k.step(step);
      adamStep(q, k.grads(), st, adam);
      const got = k.getParams();
      // one float32 rounding of each update: |difference| <= a few ulp of the parameter
      for (const key of ['c', 'b', 'u', 'w'] as const)
        assert.ok(relErr(got[key], q[key]) < 1e-6, `${key} after step ${step + 1}: ${relErr(got[key], q[key])}`);
    }
    assert.equal(k.getAdam().t, 3);
  } finally {
    await k.close();
  }
});

test('splitting the time steps into noise groups changes nothing, bit for bit', { skip }, async () => {
  const d = 40,
    n = 10,
    T = 5;
  const { grid, p, x1 } = problem('linear', d, n, T, 2);
  const run = async (maxNoiseBytes?: number) => {
    const k = await kernel({ grid, x1, n, noiseKey: KEY, adam, maxNoiseBytes });
    k.setParams(p);
    const losses = [0, 1, 2].map((e) => k.step(e));
    const out = { losses, params: k.getParams(), groups: k.info.groups };
    await k.close();
    return out;
  };
  const one = await run();
  const many = await run(4 * n * 40 * 2); // two time steps per group: 3 groups
  assert.equal(one.groups, 1);
  assert.equal(many.groups, 3);
  assert.deepEqual(many.losses, one.losses);
  assert.deepEqual(many.params, one.params);
});

test(
  'trainer: export after k epochs, import in a new trainer, continue: identical to an uninterrupted run',
  { skip },
  async () => {
    const cfg = { schedule: 'dilated' as const, d: 48, n: 12, T: 4, seed: 7, lr: 3e-3, backend: 'webgpu' as const };
    const a = await createAeTrainer(cfg);
    const la: number[] = [];
    for (let e = 0; e < 6; e++) la.push(a.step());
    const pa = a.params();
    await a.close();
    const b = await createAeTrainer(cfg);
    const lb: number[] = [];
    for (let e = 0; e < 3; e++) lb.push(b.step());
    const state = b.exportState();
    await b.close();
    const c = await createAeTrainer(cfg);
    c.importState(state);
    for (let e = 0; e < 3; e++) lb.push((await c.stepAsync(() => false))!);
    assert.deepEqual(lb, la);
    assert.deepEqual(c.params(), pa);
    await c.close();
  },
);

test(
  'a tiny gmm run: the same pHat as the wasm backend, and a checkpointed resume ends at the same result',
  { skip },
  async () => {
    const base: GmmConfig = {
      schedule: 'dilated',
      d: 64,
      n: 32,
      T: 6,
      p: 0.8,
      sigma: 1,
      kappa: 2,
      lr: 5e-3,
      lU: 1e-5,
      lW: 1e-5,
      seed: 3,
      backend: 'wasm',
      epochs: 60,
      genSamples: 400,
      genMethod: 'euler',
      logEvery: 10,
    };
    const w = await runGmm({ config: base, threads: 1 });
    const g = await runGmm({ config: { ...base, backend: 'webgpu' } });
    assert.equal(w.status, 'done');
    assert.equal(g.status, 'done');
    if (w.status !== 'done' || g.status !== 'done') return;
    assert.ok(
      Math.abs(g.result.pHat - w.result.pHat) <= 2 / base.genSamples,
      `pHat ${g.result.pHat} vs ${w.result.pHat}`,
    );
    assert.ok(Math.abs(g.result.loss.final - w.result.loss.final) < 1e-4 * w.result.loss.final);
    const dir = mkdtempSync(join(tmpdir(), 'pf-gpu-gmm-'));
    try {
      const cfg = { ...base, backend: 'webgpu' as const };
      const first = await runGmm({ config: cfg, dir, checkpointEvery: 20, maxEpochsThisCall: 25 });
      assert.equal(first.status, 'interrupted');
      const rest = await runGmm({ config: cfg, dir, resume: true, checkpointEvery: 20 });
      assert.equal(rest.status, 'done');
      if (rest.status === 'done') {
        assert.equal(rest.result.pHat, g.result.pHat);
        assert.deepEqual(rest.result.loss.values, g.result.loss.values);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
