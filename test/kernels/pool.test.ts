import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { createPool, sharedPool } from '../../src/kernels/pool.js';
import { wasmPath } from '../../src/kernels/wasm.js';
import { asBytes } from '../../src/kernels/addresses.js';

// The pool is generic; these tests drive it with the gmm module's `normals` export
// (out, count, state, k0..k3, a, b, c), which writes a deterministic stream of normals.
test('every executor runs its own share; results match the calling thread; run and runSync agree', async () => {
  const pool = await createPool({ threads: 3 });
  try {
    assert.equal(pool.size, 3);
    const gmm = await pool.load('gmm');
    assert.equal(await pool.load('gmm'), gmm, 'load is idempotent');
    const count = 256;
    const outs = [0, 1, 2].map(() => gmm.alloc(4 * count));
    const sts = [0, 1, 2].map(() => gmm.alloc(64));
    const args = [0, 1, 2].map((k) => [outs[k], count, sts[k], 9, 8, 7, 6, 5, k, 3]);
    pool.runSync('gmm', 'normals', args);
    const got = outs.map((p) => gmm.f32(p, count).slice());
    const ref = gmm.alloc(4 * count);
    const st = gmm.alloc(64);
    for (let k = 0; k < 3; k++) {
      gmm.exports.normals(ref, count, st, 9, 8, 7, 6, 5, k, 3);
      assert.deepEqual(got[k], gmm.f32(ref, count).slice(), `executor ${k}`);
    }
    assert.notDeepEqual(got[0], got[1]);
    for (const p of outs) gmm.f32(p, count).fill(0);
    await pool.run('gmm', 'normals', args);
    for (let k = 0; k < 3; k++) assert.deepEqual(gmm.f32(outs[k], count).slice(), got[k], `async executor ${k}`);
    // fewer shares than executors: the rest idle
    gmm.f32(outs[2], count).fill(0);
    pool.runSync('gmm', 'normals', args.slice(0, 2));
    assert.ok(gmm.f32(outs[2], count).every((v) => v === 0));
  } finally {
    await pool.close();
    await pool.close(); // idempotent
  }
});

test('a trap in a worker is reported by runSync and the pool stays usable', async () => {
  const pool = await createPool({ threads: 2 });
  try {
    const gmm = await pool.load('gmm');
    const out = gmm.alloc(128);
    const st = gmm.alloc(128);
    const bad = 0xfffff000; // far outside the memory
    assert.throws(
      () =>
        pool.runSync('gmm', 'normals', [
          [out, 16, st, 1, 2, 3, 4, 0, 0, 0],
          [bad, 16, st + 64, 1, 2, 3, 4, 0, 0, 0],
        ]),
      /executor 1/,
    );
    assert.throws(() => pool.runSync('gmm', 'noSuchExport', [[]]), /no exported function/);
    assert.throws(() => pool.runSync('nope', 'normals', [[]]), /not loaded/);
    pool.runSync('gmm', 'normals', [
      [out, 16, st, 1, 2, 3, 4, 0, 0, 0],
      [out + 64, 16, st + 64, 1, 2, 3, 4, 0, 0, 0],
    ]);
    assert.deepEqual(gmm.f32(asBytes(out + 64), 16).slice(), gmm.f32(out, 16).slice());
  } finally {
    await pool.close();
  }
  await assert.rejects(() => pool.load('gmm'), /closed/);
});

test('a single-executor pool runs synchronously without workers', async () => {
  const pool = await createPool({ threads: 1 });
  const gmm = await pool.load('gmm');
  const out = gmm.alloc(64);
  const st = gmm.alloc(64);
  pool.runSync('gmm', 'normals', [[out, 16, st, 1, 2, 3, 4, 0, 0, 0]]);
  assert.ok(gmm.f32(out, 16).some((v) => v !== 0));
  await pool.close();
});

test('runSync may run while an asynchronous load is in flight; modules have separate memories', async () => {
  const pool = await createPool({ threads: 2 });
  try {
    const gmm = await pool.load('gmm');
    const out = gmm.alloc(4 * 32);
    const st = gmm.alloc(64);
    const st1 = gmm.alloc(64);
    const pending = pool.load('gmm2', { path: wasmPath('gmm') });
    pool.runSync('gmm', 'normals', [
      [out, 16, st, 1, 2, 3, 4, 0, 0, 0],
      [out + 64, 16, st1, 1, 2, 3, 4, 0, 0, 1],
    ]);
    const second = await pending;
    assert.notEqual(second.memory, gmm.memory);
    const o2 = second.alloc(64);
    const s2 = second.alloc(64);
    pool.runSync('gmm2', 'normals', [[o2, 16, s2, 1, 2, 3, 4, 0, 0, 0]]);
    assert.deepEqual(second.f32(o2, 16).slice(), gmm.f32(out, 16).slice());
  } finally {
    await pool.close();
  }
});

test('a process with an unclosed pool exits on its own', () => {
  const pool = fileURLToPath(new URL('../../src/kernels/pool.ts', import.meta.url));
  const code = `import { createPool } from ${JSON.stringify(pool)};
const p = await createPool({ threads: 3 });
await p.load('gmm');
console.log('ok');`;
  const res = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    encoding: 'utf8',
    timeout: 20000,
  });
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stdout.trim(), 'ok');
});

test('sharedPool is one process-wide pool over all cores', async () => {
  const a = await sharedPool();
  const b = await sharedPool();
  assert.equal(a, b);
  assert.equal(a.size, availableParallelism());
  const gmm = await a.load('gmm');
  const out = gmm.alloc(64);
  const st = gmm.alloc(64);
  a.runSync('gmm', 'normals', [[out, 16, st, 1, 2, 3, 4, 0, 0, 0]]);
  assert.ok(gmm.f32(out, 16).some((v) => v !== 0));
});
