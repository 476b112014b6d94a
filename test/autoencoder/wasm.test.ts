import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPool, type KernelPool } from '../../src/kernels/pool.js';
import { WasmAeKernel } from '../../src/autoencoder/wasmBackend.js';
import { aeLossAndGrad } from '../../src/autoencoder/reference.js';
import { makeGrid, initParams, cloneParams, type AeParams } from '../../src/autoencoder/model.js';
import { adamInit, adamStep } from '../../src/autoencoder/adam.js';
import { makeInterpolant } from '../../src/interpolant/index.js';
import { Rng } from '../../src/random/rng.js';

// The fused f32 wasm kernel against the float64 reference on the same noise (the kernel's explicit-noise test
// mode). Inputs are rounded to f32 first, so the only differences are f32 accumulation errors.

let pool1: KernelPool;
let pool3: KernelPool;
before(async () => {
  pool1 = await createPool({ threads: 1 });
  pool3 = await createPool({ threads: 3 });
});
after(async () => {
  await pool1.close();
  await pool3.close();
});

const f32 = (a: Float64Array) => a.map(Math.fround);

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

const adam = { lr: 1e-3, lU: 1e-3, lW: 2e-3 };

test('wasm loss and gradients match the float64 reference on the same noise', async () => {
  const cases: [
    schedule: 'linear' | 've' | 'dilated',
    d: number,
    n: number,
    T: number,
    chunks?: number,
    block?: number,
  ][] = [
    ['dilated', 37, 11, 5],
    ['linear', 64, 9, 3, 2, 3],
    ['ve', 50, 16, 4, 16, 1],
    ['dilated', 200, 24, 6, 3, 16],
    ['linear', 8, 1, 1],
  ];
  for (const [schedule, d, n, T, chunks, block] of cases) {
    const { grid, p, x1, noise } = problem(schedule, d, n, T, d + n);
    const ref = aeLossAndGrad(grid, p, x1, n, noise);
    for (const pool of [pool1, pool3]) {
      const k = await WasmAeKernel.create({
        pool,
        grid,
        x1,
        n,
        noiseKey: Uint32Array.of(1, 2, 3, 4),
        adam,
        chunks,
        block,
      });
      try {
        k.setParams(p);
        k.setExplicitNoise(noise);
        const loss = k.step(0, { adam: false });
        const g = k.grads();
        const tag = `${schedule} d=${d} n=${n} T=${T} threads=${pool.size}`;
        assert.ok(Math.abs(loss - ref.loss) < 2e-6 * ref.loss, `${tag}: loss ${loss} vs ${ref.loss}`);
        assert.ok(relErr(k.lossPerTime(), ref.lossPerTime) < 2e-6, `${tag}: per-time loss`);
        for (const key of ['c', 'b', 'u', 'w'] as const) {
          const e = relErr(g[key], ref.grad[key]);
          assert.ok(e < 5e-6, `${tag}: d${key} relative error ${e}`); // measured <= 2.4e-7
        }
        assert.deepEqual(k.getParams(), p, 'no update without adam');
      } finally {
        k.close();
      }
    }
  }
});

test('the wasm Adam update equals the TypeScript one applied to the wasm gradient, bit for bit', async () => {
  const d = 29,
    n = 7,
    T = 4;
  const { grid, p, x1, noise } = problem('dilated', d, n, T, 5);
  const k = await WasmAeKernel.create({ pool: pool3, grid, x1, n, noiseKey: Uint32Array.of(5, 6, 7, 8), adam });
  try {
    k.setParams(p);
    k.setExplicitNoise(noise);
    const q = cloneParams(p);
    const st = adamInit(d, T);
    for (let step = 0; step < 3; step++) {
      k.step(step);
      adamStep(q, k.grads(), st, adam);
      assert.deepEqual(k.getParams(), q, `params after step ${step + 1}`);
    }
    assert.deepEqual(k.getAdam(), st);
    // a fresh kernel continues identically from an exported optimiser state
    const k2 = await WasmAeKernel.create({ pool: pool1, grid, x1, n, noiseKey: Uint32Array.of(5, 6, 7, 8), adam });
    k2.setParams(k.getParams());
    k2.setAdam(k.getAdam());
    k2.setExplicitNoise(noise);
    k.step(3);
    k2.step(3);
    assert.deepEqual(k2.getParams(), k.getParams());
    k2.close();
  } finally {
    k.close();
  }
});

test('generated-noise steps are deterministic and independent of the thread count', async () => {
  const d = 100,
    n = 20,
    T = 6;
  const { grid, p, x1 } = problem('linear', d, n, T, 9);
  const run = async (pool: KernelPool, key: number) => {
    const k = await WasmAeKernel.create({ pool, grid, x1, n, noiseKey: Uint32Array.of(key, 2, 3, 4), adam });
    k.setParams(p);
    const losses = [0, 1, 2].map((e) => k.step(e));
    const out = { losses, params: k.getParams() };
    k.close();
    return out;
  };
  const a = await run(pool1, 1);
  const b = await run(pool3, 1);
  const c = await run(pool3, 2);
  assert.deepEqual(b, a, 'same key: identical across 1 and 3 threads');
  assert.notDeepEqual(c.params, a.params, 'another key gives other noise');
  // chunking only changes the rounding of the sums
  const k = await WasmAeKernel.create({
    pool: pool3,
    grid,
    x1,
    n,
    noiseKey: Uint32Array.of(1, 2, 3, 4),
    adam,
    chunks: 5,
    block: 3,
  });
  k.setParams(p);
  const l0 = k.step(0);
  k.close();
  assert.ok(Math.abs(l0 - a.losses[0]) < 1e-5 * a.losses[0]);
});

test('generated noise has the right scale: the mean loss matches the reference with its own noise', async () => {
  // E[L] over the noise is the same for both generators; compare averages over a few noise draws.
  const d = 64,
    n = 16,
    T = 4;
  const { grid, p, x1 } = problem('dilated', d, n, T, 11);
  const k = await WasmAeKernel.create({ pool: pool3, grid, x1, n, noiseKey: Uint32Array.of(3, 1, 4, 1), adam });
  k.setParams(p);
  let lw = 0,
    lr = 0;
  const E = 20;
  for (let e = 0; e < E; e++) {
    lw += k.step(e, { adam: false }) / E;
    const z = Rng.seeded(100 + e).fillNormal(new Float64Array(T * n * d));
    lr += aeLossAndGrad(grid, p, x1, n, z).loss / E;
  }
  k.close();
  assert.ok(Math.abs(lw - lr) < 0.03 * lr, `mean loss wasm ${lw} vs reference ${lr}`);
});

test('stepAsync (calling thread idle, so a stop is seen mid-step) equals step bit for bit', async () => {
  const { grid, p, x1 } = problem('dilated', 120, 40, 6, 3);
  const make = async () => {
    const k = await WasmAeKernel.create({ pool: pool3, grid, x1, n: 40, noiseKey: Uint32Array.of(5, 6, 7, 8), adam });
    k.setParams(p);
    return k;
  };
  const a = await make();
  const sync = [0, 1, 2, 3].map((e) => a.step(e));
  const pa = a.getParams();
  a.close();
  const b = await make();
  const losses: (number | null)[] = [];
  for (let e = 0; e < 4; e++) losses.push(await b.stepAsync(e, () => false));
  assert.deepEqual(losses, sync);
  assert.deepEqual(b.getParams(), pa);
  b.close();
});

test('stepAsync withdrawn mid-step: the state at the start of the step comes back, and the step taken again is exact', async () => {
  // Long enough a step (about 0.2 s on 2 idle cores, more under load) that the stop, asked every 20 ms, arrives while
  // work units remain: with d = 2000 an idle machine finished the step before the first poll.
  const { grid, p, x1 } = problem('dilated', 8000, 128, 64, 4);
  const make = async () => {
    const k = await WasmAeKernel.create({ pool: pool3, grid, x1, n: 128, noiseKey: Uint32Array.of(5, 6, 7, 8), adam });
    k.setParams(p);
    return k;
  };
  const a = await make();
  const want = [a.step(0), a.step(1)];
  const pa = a.getParams();
  a.close();
  const b = await make();
  assert.equal(await b.stepAsync(0, () => false), want[0]);
  const before = { p: b.getParams(), a: b.getAdam() };
  const t0 = performance.now();
  assert.equal(await b.stepAsync(1, () => true), null);
  const ms = performance.now() - t0;
  assert.deepEqual(b.getParams(), before.p);
  assert.deepEqual(b.getAdam(), before.a);
  assert.equal(await b.stepAsync(1, () => false), want[1]);
  assert.deepEqual(b.getParams(), pa);
  b.close();
  assert.ok(ms < 2000, `withdrawn after ${ms.toFixed(0)} ms`);
});
