import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPool, type KernelModule, type KernelPool } from '../../src/kernels/pool.js';
import { normalCdf } from '../../src/sampler/special.js';

// The wasm SIMD normal generator (assembly/_normal.ts) through the gmm module's exports:
// normals(out, count, st, k0, k1, k2, k3, a, b, c) and normalsContinue(out, count, st).

let pool: KernelPool;
let gmm: KernelModule;
before(async () => {
  pool = await createPool({ threads: 1 });
  gmm = await pool.load('gmm');
});
after(() => pool.close());

function draw(count: number, a: number, b: number, c: number, key = [11, 22, 33, 44]): Float32Array {
  const out = gmm.alloc(4 * count);
  const st = gmm.alloc(64);
  gmm.exports.normals(out, count, st, key[0], key[1], key[2], key[3], a, b, c);
  const z = gmm.f32(out, count).slice();
  gmm.free(out);
  gmm.free(st);
  return z;
}

test('moments of 2^20 draws match N(0, 1)', () => {
  const N = 1 << 20;
  const z = draw(N, 1, 2, 3);
  let m1 = 0,
    m2 = 0,
    m3 = 0,
    m4 = 0,
    big = 0;
  for (const v of z) {
    m1 += v;
    m2 += v * v;
    m3 += v * v * v;
    m4 += v * v * v * v;
    if (Math.abs(v) > 4) big++;
  }
  m1 /= N;
  m2 /= N;
  m3 /= N;
  m4 /= N;
  // 5-sigma bands of the sampling error
  assert.ok(Math.abs(m1) < 5 / Math.sqrt(N), `mean ${m1}`);
  assert.ok(Math.abs(m2 - 1) < 5 * Math.sqrt(2 / N), `variance ${m2}`);
  assert.ok(Math.abs(m3) < 5 * Math.sqrt(15 / N), `third moment ${m3}`);
  assert.ok(Math.abs(m4 - 3) < 5 * Math.sqrt(96 / N), `fourth moment ${m4}`);
  // P(|z| > 4) = 6.33e-5: about 66 of 2^20, Poisson
  assert.ok(big > 66 - 5 * Math.sqrt(66) && big < 66 + 5 * Math.sqrt(66), `tail count ${big}`);
});

test('Kolmogorov–Smirnov against the normal cdf (2^18 draws, 0.1% level)', () => {
  const N = 1 << 18;
  const z = Float64Array.from(draw(N, 4, 5, 6)).sort();
  let D = 0;
  for (let i = 0; i < N; i++) {
    const F = normalCdf(z[i]);
    D = Math.max(D, (i + 1) / N - F, F - i / N);
  }
  assert.ok(D * Math.sqrt(N) < 1.949, `KS statistic sqrt(N) D = ${D * Math.sqrt(N)}`);
});

test('draws are uncorrelated along a stream and across streams', () => {
  const N = 1 << 18;
  const z = draw(N, 7, 0, 0);
  const w = draw(N, 7, 0, 1); // neighbouring counter
  for (const lag of [1, 2, 3, 4, 5, 8, 16]) {
    let s = 0;
    for (let i = 0; i + lag < N; i++) s += z[i] * z[i + lag];
    assert.ok(Math.abs(s / N) < 5 / Math.sqrt(N), `lag ${lag}: ${s / N}`);
  }
  let s = 0;
  for (let i = 0; i < N; i++) s += z[i] * w[i];
  assert.ok(Math.abs(s / N) < 5 / Math.sqrt(N), `cross-stream ${s / N}`);
});

test('a stream is a function of (key, counters) only; continuing equals drawing more at once', () => {
  const a = draw(64, 1, 2, 3);
  assert.deepEqual(draw(64, 1, 2, 3), a);
  assert.notDeepEqual(draw(64, 1, 2, 4), a);
  assert.notDeepEqual(draw(64, 1, 3, 3), a);
  assert.notDeepEqual(draw(64, 2, 2, 3), a);
  assert.notDeepEqual(draw(64, 1, 2, 3, [11, 22, 33, 45]), a);
  // the odd tail (count = 8 mod 16) and continuation give the same sequence
  const eight = draw(8, 1, 2, 3);
  assert.deepEqual(eight, a.subarray(0, 8));
  const out = gmm.alloc(4 * 64);
  const st = gmm.alloc(64);
  gmm.exports.normals(out, 24, st, 11, 22, 33, 44, 1, 2, 3);
  gmm.exports.normalsContinue(out + 4 * 24, 40, st);
  assert.deepEqual(gmm.f32(out, 64).slice(), a);
});
