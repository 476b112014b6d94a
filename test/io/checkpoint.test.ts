import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, saveCheckpoint, loadCheckpoint, encodeCheckpoint, decodeCheckpoint } from '../../src/io/checkpoint.js';

test('crc32 of "123456789" is the standard check value 0xCBF43926', () => {
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('checkpoints round-trip arrays and metadata, and leave no temporary files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-ck-'));
  const path = join(dir, 'ck.bin');
  const arrays = {
    a: Float64Array.of(1.5, -2, Math.PI),
    b: Float32Array.of(0.25, 7),
    s: Uint32Array.of(1, 2, 3, 0xffffffff),
    e: new Float64Array(0),
  };
  saveCheckpoint(path, { meta: { epoch: 12, note: 'x' }, arrays });
  const back = loadCheckpoint<{ epoch: number }>(path);
  assert.equal(back.meta.epoch, 12);
  for (const k of Object.keys(arrays))
    assert.deepEqual(Array.from(back.arrays[k]), Array.from(arrays[k as keyof typeof arrays]));
  assert.ok(back.arrays.b instanceof Float32Array);
  assert.deepEqual(readdirSync(dir), ['ck.bin']);
});

test('corrupt, truncated and foreign files are refused with a clear message', () => {
  const bytes = encodeCheckpoint({ meta: {}, arrays: { a: new Float64Array(10).fill(1) } });
  const flipped = Uint8Array.from(bytes);
  flipped[40] ^= 1;
  assert.throws(() => decodeCheckpoint(flipped), /corrupt or truncated/);
  assert.throws(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 9)), /corrupt or truncated/);
  assert.throws(() => decodeCheckpoint(Buffer.from('{"json": true}')), /not a phaseflow checkpoint/);
  const dir = mkdtempSync(join(tmpdir(), 'pf-ck-'));
  writeFileSync(join(dir, 'x'), 'hello world, not a checkpoint');
  assert.throws(() => loadCheckpoint(join(dir, 'x')), /bad magic/);
  assert.throws(() => loadCheckpoint(join(dir, 'missing')), /no checkpoint/);
  void readFileSync;
});
