import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPool, type KernelModule, type KernelPool } from '../../src/kernels/pool.js';
import { programUrl } from '../../src/gpu/protocol.js';
import type { GpuProgramHandle } from '../../src/gpu/host.js';
import { gpuForTests } from '../helpers/gpu.js';

// The WGSL normal generator (src/gpu/normals.ts) against the wasm one (assembly/_normal.ts, through the gmm module's
// `normals` export): the same streams, equal up to the last bits of WGSL's f32 division and square root; and its
// values do not depend on the dispatch layout.

const gpu = await gpuForTests();
const skip = gpu.skip;
let pool: KernelPool;
let gmm: KernelModule;
let prog: GpuProgramHandle;
before(async () => {
  if (skip) return;
  pool = await createPool({ threads: 1 });
  gmm = await pool.load('gmm');
  prog = await gpu.host!.program(programUrl(import.meta.url, 'normalsProgram'), null);
});
after(async () => {
  await pool?.close();
  await gpu.host?.close();
});

const KEY = [0x9e3779b9, 7, 0xffffffff, 12345];

function wasmRow(len: number, a: number, b: number, c: number): Float32Array {
  const out = gmm.alloc(4 * len);
  const st = gmm.alloc(64);
  gmm.exports.normals(out, len, st, KEY[0], KEY[1], KEY[2], KEY[3], a, b, c);
  const z = gmm.f32(out, len).slice();
  gmm.free(out);
  gmm.free(st);
  return z;
}

test('WGSL normals equal the wasm generator stream by stream (|difference| < 2e-6)', { skip }, async () => {
  const len = 1000;
  const counters = [
    [0, 0, 0],
    [1, 2, 3],
    [0xffffffff, 0, 7],
    [39999, 79, 127],
    [5, 0xfffffffe, 0xffffffff],
  ];
  const order = counters.map((_, i) => i);
  const g = await prog.call<Float32Array>('draw', KEY, counters, len, 64, order);
  let worst = 0;
  let exact = 0;
  for (const [r, [a, b, c]] of counters.entries()) {
    const w = wasmRow(len, a, b, c);
    for (let i = 0; i < len; i++) {
      const e = Math.abs(g[r * len + i] - w[i]);
      worst = Math.max(worst, e);
      if (e === 0) exact++;
    }
  }
  assert.ok(worst < 2e-6, `largest difference ${worst}`);
  assert.ok(exact > 0.5 * len * counters.length, `${exact} of ${len * counters.length} values bit-identical`);
});

test('the values do not depend on the workgroup size or the order the rows are dispatched in', { skip }, async () => {
  const len = 64;
  const counters = Array.from({ length: 37 }, (_, r) => [r % 5, Math.floor(r / 5), 11]);
  const fwd = counters.map((_, i) => i);
  const a = await prog.call<Float32Array>('draw', KEY, counters, len, 64, fwd);
  const b = await prog.call<Float32Array>('draw', KEY, counters, len, 4, [...fwd].reverse());
  const c = await prog.call<Float32Array>('draw', KEY, counters, len, 256, [...fwd.slice(20), ...fwd.slice(0, 20)]);
  assert.deepEqual(b, a);
  assert.deepEqual(c, a);
  let m = 0;
  let v = 0;
  for (const x of a) {
    m += x / a.length;
    v += (x * x) / a.length;
  }
  assert.ok(Math.abs(m) < 0.1 && Math.abs(v - 1) < 0.1, `mean ${m}, second moment ${v}`);
});
