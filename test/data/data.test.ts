import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIdx, loadEmbeddedMnist, loadIdxFolder, makeBinaryDataset, DataError } from '../../src/data/index.js';

function idx(dims: number[], data: number[]): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  head[2] = 8;
  head[3] = dims.length;
  const v = new DataView(head.buffer);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  return Uint8Array.from([...head, ...data]);
}

test('IDX: raw and gzip parse to the same array', () => {
  const raw = idx([2, 2, 3], [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  for (const buf of [raw, new Uint8Array(gzipSync(raw))]) {
    const a = parseIdx(buf);
    assert.deepEqual(a.dims, [2, 2, 3]);
    assert.deepEqual(Array.from(a.data), [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255]);
  }
});

test('IDX: wrong magic, truncated data, truncated gzip and bad element type are clear errors', () => {
  const good = idx([3], [1, 2, 3]);
  const bad = Uint8Array.from(good);
  bad[0] = 0x50;
  assert.throws(
    () => parseIdx(bad, 'x.idx'),
    (e: unknown) => e instanceof DataError && /x\.idx: wrong magic number/.test((e as Error).message),
  );
  assert.throws(
    () => parseIdx(good.subarray(0, good.length - 1), 'x.idx'),
    /x\.idx: truncated \(header promises 3 bytes of data, file has 2\)/,
  );
  const gz = new Uint8Array(gzipSync(good));
  assert.throws(() => parseIdx(gz.subarray(0, gz.length - 6), 'y.gz'), /y\.gz: corrupt or truncated gzip stream/);
  const f = Uint8Array.from(good);
  f[2] = 0x0d;
  assert.throws(() => parseIdx(f), /unsupported element type 0xd/);
});

test('IDX folder: image and label counts must agree; a missing folder is named', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-idx-'));
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx([2, 2, 2], [0, 255, 0, 255, 1, 2, 3, 4]));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([3], [1, 0, 1])));
  assert.throws(() => loadIdxFolder(dir), /2 images but 3 labels/);
  writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(idx([2], [1, 0])));
  const s = loadIdxFolder(dir);
  assert.equal(s.height, 2);
  assert.deepEqual(Array.from(s.images.subarray(0, 2)), [0, 1]);
  assert.throws(() => loadIdxFolder(join(dir, 'nope')), /no such folder/);
  assert.throws(() => loadIdxFolder(dir, 'test'), /has no t10k-images-idx3-ubyte/);
});

const FASHION = '/usr/share/datasets/fashion-mnist';
test(
  'Fashion-MNIST from Debian (dataset-fashion-mnist) loads through the IDX reader',
  { skip: !existsSync(FASHION) && !process.env.CI && 'dataset-fashion-mnist is not installed (.ci/run installs it)' },
  () => {
    const s = loadIdxFolder(FASHION);
    assert.equal(s.labels.length, 60000);
    assert.equal(s.height, 28);
    const counts = new Array(10).fill(0);
    for (const l of s.labels) counts[l]++;
    assert.ok(
      counts.every((c) => c === 6000),
      counts.join(','),
    );
    const t = loadIdxFolder(FASHION, 'test');
    assert.equal(t.labels.length, 10000);
  },
);

test('embedded MNIST: 10,000 digits of 28x28 in [0, 1]', () => {
  const s = loadEmbeddedMnist();
  assert.equal(s.labels.length, 10000);
  assert.equal(s.images.length, 10000 * 784);
  let lo = Infinity,
    hi = -Infinity;
  for (const v of s.images) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  assert.ok(lo >= 0 && hi <= 1 && hi > 0.9);
});

test('unbalanced two-class set: proportions, padding, scaling, disjoint held-out split, reproducible', () => {
  const s = loadEmbeddedMnist();
  const ds = makeBinaryDataset(s, { seed: 1, fraction: 0.8, heldOut: 0.1 });
  const fracA = (y: Int32Array) => y.filter((v) => v === 0).length / y.length;
  assert.ok(Math.abs(fracA(ds.train.y) - 0.8) < 0.01, `${fracA(ds.train.y)}`);
  assert.ok(Math.abs(fracA(ds.test.y) - 0.8) < 0.03);
  assert.equal(ds.train.x.length, ds.train.n * 32 * 32);
  // border rows are background (−1) and values lie in [−1, 1]
  for (let k = 0; k < 20; k++) for (let j = 0; j < 32; j++) assert.equal(ds.train.x[k * 1024 + j], -1);
  assert.ok(ds.train.x.every((v) => v >= -1 && v <= 1));
  // all of digit 0 (1001 images) is used: 1001 zeros and round(1001 / 4) = 250 ones
  assert.equal(ds.train.n + ds.test.n, 1001 + 250);
  // no image appears in both splits
  const key = (x: Float32Array, k: number) => x.subarray(k * 1024, (k + 1) * 1024).join(',');
  const trainKeys = new Set(Array.from({ length: ds.train.n }, (_, k) => key(ds.train.x, k)));
  for (let k = 0; k < ds.test.n; k++) assert.ok(!trainKeys.has(key(ds.test.x, k)));
  const again = makeBinaryDataset(s, { seed: 1, fraction: 0.8, heldOut: 0.1 });
  assert.deepEqual(Array.from(again.train.y), Array.from(ds.train.y));
  assert.throws(() => makeBinaryDataset(s, { seed: 1, fraction: 1 }), /data\.fraction: expected a number in \(0, 1\)/);
  assert.throws(() => makeBinaryDataset(s, { seed: 1, classA: 3, classB: 3 }), /must differ/);
});
