// Pure pieces of the real-data experiments: configuration and scales, the phase-aware sampler built from a window,
// class-fraction error and interval arithmetic, the Fréchet distance of identical sets, the stage cache, image
// pooling, batch order and the PNG encoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { Rng } from '../../src/random/rng.js';
import { parseSampler } from '../../src/sampler/parse.js';
import { frechetDistance, gaussianFit } from '../../src/metrics/frechet.js';
import { wilson } from '../../src/uturn/binomial.js';
import { crc32 } from '../../src/io/checkpoint.js';
import { ALGORITHM_VERSIONS } from '../../src/realdata/versions.js';
import { equalEdges, resolveConfig, scaleConfig, SCALE_NAMES, PAPER_UTURN } from '../../src/realdata/config.js';
import { armSampler, chooseWindow } from '../../src/realdata/retrain.js';
import { evaluateImages } from '../../src/realdata/generate.js';
import type { Oracle } from '../../src/realdata/classifier.js';
import { EpochBatches } from '../../src/realdata/classifier.js';
import { halve } from '../../src/realdata/dataset.js';
import { hashOf, readCached, writeCached, stableJson } from '../../src/realdata/store.js';
import { encodeGrayPng, gridSvg, imageGrid, imageGridSvg, tileImages } from '../../src/realdata/png.js';
import { uniformKeeps, uniformRunPlan } from '../../src/realdata/uturnImages.js';

test('every scale is valid; quick shares the U-Turn model with the first uniform arm; overrides are checked', () => {
  for (const s of SCALE_NAMES) {
    const c = resolveConfig(s);
    assert.ok(c.retrain.seeds.length >= 3, `${s}: at least 3 seeds`);
    assert.ok(c.retrain.budgets.length >= 2, `${s}: at least 2 budgets`);
    assert.equal(Math.max(...c.retrain.budgets), c.denoiser.steps, `${s}: U-Turn model = longest uniform run`);
    assert.ok(
      c.retrain.budgets.includes(c.scan.baseSteps) || c.scan.baseSteps <= Math.max(...c.retrain.budgets),
      `${s}: scan base within the uniform runs`,
    );
    assert.deepEqual(uniformRunPlan(c), {
      label: `uniform-s${c.retrain.seeds[0]}`,
      sampler: 'uniform',
      seed: c.retrain.seeds[0],
      steps: c.denoiser.steps,
      scheduleSteps: c.denoiser.steps,
    });
    assert.ok(uniformKeeps(c).includes(c.scan.baseSteps), `${s}: the scan base is kept`);
  }
  assert.equal(scaleConfig('paper').data.resolution, 32);
  assert.deepEqual(scaleConfig('paper').denoiser.channels, [16, 32, 64]);
  assert.equal(resolveConfig('quick', { retrain: { massInside: 0.7 } }).retrain.massInside, 0.7);
  assert.throws(() => resolveConfig('quick', { data: { classA: 3, classB: 3 } }), /data\.classes/);
  assert.throws(() => resolveConfig('quick', { data: { fraction: 1 } }), /data\.fraction/);
  assert.throws(() => resolveConfig('quick', { retrain: { seeds: [1, 1] } }), /retrain\.seeds/);
  assert.throws(() => resolveConfig('quick', { uturn: { turnTimes: [0, 0.5] } }), /uturn\.turnTimes/);
  assert.throws(() => resolveConfig('quick', { scan: { edges: [0, 0.6, 0.4, 1] } }), /scan\.edges/);
  assert.throws(() => scaleConfig('huge' as never), /scale: expected/);
  assert.deepEqual(equalEdges(5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  // Scales are copies: editing one does not leak into the next call.
  scaleConfig('quick').retrain.seeds.push(99);
  assert.deepEqual(scaleConfig('quick').retrain.seeds, [0, 1, 2, 3, 4]);
});

test('the phase-aware sampler puts the requested mass inside the window (exact cdf and empirical)', () => {
  for (const [lo, hi, mass] of [
    [0.274, 0.687, 0.5],
    [0.2, 0.6, 0.5],
    [0.1, 0.3, 0.8],
    [0.4, 0.45, 0.25],
  ] as const) {
    const s = parseSampler(armSampler('phase-aware', { lo, hi, source: 'given' }, mass));
    assert.ok(Math.abs(s.cdf(hi) - s.cdf(lo) - mass) < 1e-12, `cdf mass in [${lo}, ${hi}]`);
    const t = s.sample(Rng.seeded(4), 40000);
    const inside = t.filter((x) => x >= lo && x <= hi).length / t.length;
    assert.ok(
      Math.abs(inside - mass) < 4 * Math.sqrt((mass * (1 - mass)) / t.length) + 1e-9,
      `empirical ${inside} vs ${mass}`,
    );
    // Outside the window the density is flat: the rest of the mass spread uniformly.
    assert.ok(Math.abs(s.pdf(lo / 2) - (1 - mass) / (1 - (hi - lo))) < 1e-9, 'flat density outside the window');
  }
  assert.equal(armSampler('uniform', { lo: 0.2, hi: 0.6, source: 'given' }, 0.5), 'uniform');
  // A window covering everything leaves no outside: all mass inside = uniform.
  const all = parseSampler(armSampler('phase-aware', { lo: 0, hi: 1, source: 'given' }, 0.5));
  assert.ok(Math.abs(all.pdf(0.3) - 1) < 1e-12, 'uniform when the window is everything');
});

test('chooseWindow: measured, given or paper; rounded; a degenerate window is widened and says so', () => {
  const u = { window: { lo: 0.27428571, hi: 0.68666666 } } as never;
  assert.deepEqual(chooseWindow({ uturn: u }), { lo: 0.274, hi: 0.687, source: 'uturn' });
  assert.deepEqual(chooseWindow({ window: [0.2, 0.6] }), { lo: 0.2, hi: 0.6, source: 'given' });
  assert.deepEqual(chooseWindow({ paperWindow: true, uturn: u }), {
    lo: PAPER_UTURN.window[0],
    hi: PAPER_UTURN.window[1],
    source: 'paper',
  });
  const w = chooseWindow({ uturn: { window: { lo: 0.6, hi: 0.6 } } as never });
  assert.ok(w.hi - w.lo >= 0.05 - 1e-12 && w.lo <= 0.6 && w.hi >= 0.6, JSON.stringify(w));
  assert.match(w.note!, /widened/);
  const edge = chooseWindow({ uturn: { window: { lo: 1, hi: 1 } } as never });
  assert.ok(edge.hi <= 1 && edge.hi - edge.lo >= 0.05 - 1e-12, JSON.stringify(edge));
  assert.throws(() => chooseWindow({}), /need a window/);
});

test('class-fraction error and its Wilson interval; FD is 0 for identical feature sets', () => {
  // A stand-in oracle: class A when the mean pixel is negative; features = (mean, first pixel).
  const side = 2,
    n = 50;
  const fake = {
    size: side,
    featureDim: 2,
    classify: (x: ArrayLike<number>, m: number) =>
      Int32Array.from({ length: m }, (_, i) => (x[i * 4] + x[i * 4 + 1] + x[i * 4 + 2] + x[i * 4 + 3] < 0 ? 0 : 1)),
    // Logits with the same labels: a gap of 5 (softmax 0.993, confident) except for images with a mean pixel in
    // [0, 0.5) (gap 1, softmax 0.73: not confident).
    logits: (x: ArrayLike<number>, m: number) =>
      Float64Array.from({ length: 2 * m }, (_, k) => {
        const i = k >> 1,
          mean = (x[i * 4] + x[i * 4 + 1] + x[i * 4 + 2] + x[i * 4 + 3]) / 4;
        const label = mean < 0 ? 0 : 1,
          gap = mean >= 0 && mean < 0.5 ? 1 : 5;
        return (k & 1) === label ? gap : 0;
      }),
    features: (x: ArrayLike<number>, m: number) => {
      const f = new Float64Array(m * 2);
      for (let i = 0; i < m; i++) {
        f[2 * i] = (x[i * 4] + x[i * 4 + 1] + x[i * 4 + 2] + x[i * 4 + 3]) / 4;
        f[2 * i + 1] = x[i * 4];
      }
      return f;
    },
  } as unknown as Oracle;
  const rng = Rng.seeded(2);
  const images = new Float64Array(n * 4);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < 4; j++) images[i * 4 + j] = (i < 35 ? -0.5 : 0.5) + 0.1 * rng.normal();
  const ref = gaussianFit(fake.features(images, n), 2);
  const ev = evaluateImages({ oracle: fake, images, target: 0.8, reference: ref });
  assert.equal(ev.n, n);
  assert.deepEqual(ev.fractionA, wilson(35, 50));
  assert.ok(Math.abs(ev.classError - 0.1) < 1e-12, `class error ${ev.classError}`);
  let unsure = 0;
  for (let i = 35; i < n; i++) {
    const mean = (images[i * 4] + images[i * 4 + 1] + images[i * 4 + 2] + images[i * 4 + 3]) / 4;
    if (mean >= 0 && mean < 0.5) unsure++;
  }
  assert.ok(unsure > 0 && unsure < 15, `unsure ${unsure}`);
  assert.deepEqual(ev.confident, wilson(n - unsure, n), 'the confident fraction counts softmax >= 0.9');
  assert.ok(ev.fractionA.low < 0.7 && ev.fractionA.high > 0.7, JSON.stringify(ev.fractionA));
  assert.ok(Math.abs(ev.fd!) < 1e-9, `FD of a set with itself: ${ev.fd}`);
  assert.ok(Math.abs(frechetDistance(ref, ref)) < 1e-9, 'FD of a fit with itself');
  // Shifting every feature by d adds |d|^2 to the FD.
  const shifted = images.map((v) => v + 0.2);
  const ev2 = evaluateImages({ oracle: fake, images: shifted, target: 0.8, reference: ref });
  assert.ok(Math.abs(ev2.fd! - 2 * 0.2 ** 2) < 1e-9, `${ev2.fd}`);
  assert.equal(evaluateImages({ oracle: fake, images, target: 0.8, reference: null }).fd, null);
});

test('halve averages 2 x 2 blocks; EpochBatches visits every image once per epoch, deterministically', () => {
  const x = Float32Array.from({ length: 2 * 16 }, (_, i) => i);
  const h = halve(x, 2, 4);
  assert.deepEqual(Array.from(h.subarray(0, 4)), [2.5, 4.5, 10.5, 12.5]);
  assert.deepEqual(Array.from(h.subarray(4)), [18.5, 20.5, 26.5, 28.5]);
  const b = new EpochBatches(10, 4, Rng.seeded(1));
  const seen = [...b.indices(0), ...b.indices(1), ...Array.from(b.indices(2)).slice(0, 2)];
  assert.deepEqual(
    [...seen].sort((p, q) => p - q),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  const again = new EpochBatches(10, 4, Rng.seeded(1));
  assert.deepEqual(again.indices(7), b.indices(7));
  assert.deepEqual(again.indices(1), b.indices(1));
});

test('stage cache: a result is reused only under the same settings hash', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-rd-cache-'));
  const path = join(dir, 'result.json');
  assert.equal(hashOf({ a: 1, b: [2, 3] }), hashOf({ b: [2, 3], a: 1 }));
  assert.notEqual(hashOf({ a: 1 }), hashOf({ a: 2 }));
  assert.equal(stableJson({ b: 1, a: undefined, c: { y: 1, x: 2 } }), '{"b":1,"c":{"x":2,"y":1}}');
  assert.equal(readCached(path, 'h1'), null);
  const written = writeCached(path, 'h1', { value: 3 });
  assert.deepEqual(readCached(path, 'h1'), written);
  assert.equal(written.value, 3);
  assert.equal(readCached(path, 'h2'), null);
  assert.equal(readCached(path, 'h1', { force: true }), null, '--force recomputes');
  // The stored key also holds the algorithm versions of the real-data code: a result of other code is not reused.
  assert.notEqual(written.configHash, 'h1');
  assert.equal(written.configHash, hashOf({ settings: 'h1', code: ALGORITHM_VERSIONS }, 16));
  writeFileSync(
    path,
    JSON.stringify({ configHash: hashOf({ settings: 'h1', code: { ...ALGORITHM_VERSIONS, uturn: 0 } }, 16), value: 3 }),
  );
  assert.equal(readCached(path, 'h1'), null);
});

test('PNG: signature, chunk CRCs and pixels that inflate back', () => {
  const { pixels, width, height } = tileImages(
    Float64Array.from({ length: 2 * 4 }, (_, i) => (i % 2 ? 1 : -1)),
    2,
    2,
    2,
  );
  assert.equal(width, 2 * 3 + 1);
  assert.equal(height, 3 + 1);
  const png = encodeGrayPng(pixels, width, height);
  assert.deepEqual(Array.from(png.subarray(0, 8)), [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer);
  let off = 8;
  const types: string[] = [];
  let idat = new Uint8Array(0);
  while (off < png.length) {
    const len = view.getUint32(off);
    const type = Buffer.from(png.subarray(off + 4, off + 8)).toString('ascii');
    types.push(type);
    assert.equal(view.getUint32(off + 8 + len), crc32(png, off + 4, off + 8 + len), `${type} CRC`);
    if (type === 'IDAT') idat = png.slice(off + 8, off + 8 + len);
    off += 12 + len;
  }
  assert.deepEqual(types, ['IHDR', 'IDAT', 'IEND']);
  const raw = inflateSync(idat);
  assert.equal(raw.length, height * (width + 1));
  assert.equal(raw[1 * (width + 1) + 1 + 1], 0); // first image, top-left pixel: -1 -> 0
  assert.equal(raw[1 * (width + 1) + 1 + 2], 255); // its neighbour: +1 -> 255
  assert.throws(() => encodeGrayPng(new Uint8Array(3), 2, 2), /pixels/);
  // A stored grid (results keep images this way) is the same PNG in base 64, and its SVG shows it.
  const images = Float64Array.from({ length: 2 * 4 }, (_, i) => (i % 2 ? 1 : -1));
  const grid = imageGrid(images, 2, 2, 2);
  assert.deepEqual(
    { n: grid.n, size: grid.size, columns: grid.columns, width: grid.width, height: grid.height },
    { n: 2, size: 2, columns: 2, width, height },
  );
  assert.deepEqual(new Uint8Array(Buffer.from(grid.png, 'base64')), png);
  const svg = gridSvg(grid, { title: 'two images' });
  assert.ok(svg.includes(`data:image/png;base64,${grid.png}`));
  assert.equal(svg, imageGridSvg(images, 2, 2, { title: 'two images', columns: 2 }));
});
