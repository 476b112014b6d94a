// Content validation through the CLI (issue 12, item 5): unusable weights, degenerate images, data sets too small for
// the split and sizes that would not fit in memory are refused with exit status 2 and one line naming the flag and
// the reason, before any work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, cpSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSrc } from './cli.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'pf-content-'));
const tiny = ['--scale', 'tiny', '--threads', '1', '--quiet'];

function refused(
  r: { status: number | null; stdout: string; stderr: string; ms: number },
  flag: string,
  re: RegExp,
): void {
  assert.equal(r.status, 2, `status ${r.status}: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], new RegExp(`^phaseflow \\w+: --${flag}: `), lines[0]);
  assert.match(lines[0], re);
  assert.doesNotMatch(r.stderr, /internal error|oracle /);
  assert.equal(r.stdout, '');
}

/** An IDX file: zero bytes, type 0x08, the dimension count, big-endian sizes, then the bytes. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  const v = new DataView(head.buffer);
  dims.forEach((n, i) => v.setUint32(4 + 4 * i, n, false));
  const out = new Uint8Array(head.length + data.length);
  out.set(head);
  out.set(data, head.length);
  return out;
}

function idxFolder(images: { n: number; rows: number; cols: number }, labels: number[]): string {
  const dir = fresh();
  const { n, rows, cols } = images;
  const px = new Uint8Array(n * rows * cols);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37) % 256;
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idx([n, rows, cols], px));
  writeFileSync(join(dir, 'train-labels-idx1-ubyte'), idx([labels.length], Uint8Array.from(labels)));
  return dir;
}

test('uturn --model with weights full of NaN: refused before any work', () => {
  const D = fresh();
  const r = runSrc(['denoise', ...tiny, '--train-steps', '2', '--gen-samples', '2', '--out', D]);
  assert.equal(r.status, 0, r.stderr);
  const M = join(fresh(), 'model');
  mkdirSync(M);
  cpSync(join(D, 'denoise', 'model'), M, { recursive: true });
  const file = join(M, 'model.safetensors');
  const bytes = new Uint8Array(readFileSync(file));
  const headerLen = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  bytes.fill(0xff, 8 + headerLen); // every float32 becomes NaN
  writeFileSync(file, bytes);
  refused(
    runSrc(['uturn', ...tiny, '--model', M]),
    'model',
    /non-finite weight \(NaN at index 0\); the model is unusable/,
  );
});

test('IDX images of size 0 x 0 and a 4-image data set: refused with the reason', () => {
  const empty = idxFolder({ n: 4, rows: 0, cols: 0 }, [0, 0, 1, 1]);
  refused(
    runSrc(['classify', ...tiny, '--data', empty]),
    'data',
    /empty or degenerate images \(4 images of 0 x 0 pixels\)/,
  );
  const four = idxFolder({ n: 4, rows: 28, cols: 28 }, [0, 0, 1, 1]);
  refused(
    runSrc(['classify', ...tiny, '--data', four]),
    'data',
    /the data set is too small for the split: 2 images of class 0 and 2 of class 1 give 2 \+ 0 training and 0 \+ 0 held-out images/,
  );
});

test('sizes that would not fit in memory are refused at once with the estimate', () => {
  const e = runSrc(['exact', '--d', '5e9']);
  refused(e, 'd', /exact with d = 5000000000, 10000 samples needs (about [\d.]+ GiB of memory|one array of)/);
  assert.ok(e.ms < 20000, `${e.ms} ms`);
  const g = runSrc(['gmm', '--d', '1e6', '--n', '1e4', '--out', join(fresh(), 'g')]);
  refused(
    g,
    'd',
    /gmm with d = 1000000, n = 10000, T = 20 needs about [\d.]+ GiB of memory, more than this machine has/,
  );
});

test('gmm --resume with a corrupt checkpoint or one of another algorithm version: exit 2, one line, before any work', async () => {
  const { decodeCheckpoint, encodeCheckpoint } = await import('../../src/io/checkpoint.js');
  const dir = join(fresh(), 'g');
  const r = runSrc([
    'gmm',
    '--d',
    '50',
    '--n',
    '16',
    '--grid-points',
    '5',
    '--epochs',
    '20',
    '--gen-samples',
    '50',
    '--threads',
    '1',
    '--quiet',
    '--out',
    dir,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const file = join(dir, 'checkpoint.bin');
  const good = new Uint8Array(readFileSync(file));
  const ck = decodeCheckpoint<Record<string, unknown>>(good);
  writeFileSync(file, encodeCheckpoint({ meta: { ...ck.meta, algorithm: 1 }, arrays: ck.arrays }));
  refused(
    runSrc(['gmm', '--resume', dir]),
    'resume',
    /was written by gmm algorithm version 1, this phaseflow has \d+; the run cannot continue exactly: start a new run/,
  );
  const bad = good.slice();
  bad[100] ^= 0xff;
  writeFileSync(file, bad);
  refused(runSrc(['gmm', '--resume', dir]), 'resume', /corrupt or truncated \(checksum mismatch\)/);
});
