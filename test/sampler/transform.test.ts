// scaleToInterval, importance weights (emphasis vs unbiased), stratified draws.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random/rng.js';
import {
  betaSampler,
  importanceWeight,
  importanceWeights,
  logitNormalSampler,
  paperMnistSampler,
  parseSampler,
  sampleStratified,
  scaleToInterval,
  uniformSampler,
  windowSampler,
} from '../../src/sampler/index.js';
import { KS_CRITICAL_0_001, assertRangeError, integrate, ksScaled } from './helpers.js';

test('scaleToInterval: pdf, cdf, quantile and samples live on [0, tEnd]', () => {
  const base = windowSampler({ window: [0.2, 0.6], massInside: 0.5 });
  const s = scaleToInterval(base, 2);
  assert.deepEqual(s.support, [0, 2]);
  assert.equal(s.spec, 'window:0.2,0.6,0.5@2');
  assert.deepEqual(s.params, { tEnd: 2, base: { name: 'window', params: { lo: 0.2, hi: 0.6, massInside: 0.5 } } });
  assert.ok(Math.abs(integrate((t) => s.pdf(t), 0, 2, [0.4, 1.2]) - 1) < 1e-12);
  for (const x of [0.1, 0.4, 0.9, 1.2, 1.7]) {
    assert.equal(s.cdf(x), base.cdf(x / 2));
    assert.equal(s.pdf(x), base.pdf(x / 2) / 2);
    assert.ok(Math.abs(integrate((t) => s.pdf(t), 0, x, [0.4, 1.2]) - s.cdf(x)) < 1e-12);
  }
  for (const u of [0, 0.1, 0.5, 0.99, 1]) {
    assert.equal(s.quantile(u), 2 * base.quantile(u));
    assert.ok(Math.abs(s.cdf(s.quantile(u)) - u) < 1e-12);
  }
  assert.equal(s.pdf(2.5), 0);
  assert.equal(s.cdf(2.5), 1);
  const xs = s.sample(Rng.seeded(21), 20000);
  assert.ok(xs.every((t) => t >= 0 && t <= 2));
  assert.ok(ksScaled(xs, (t) => s.cdf(t)) < KS_CRITICAL_0_001);
  assert.ok(ksScaled(xs, (t) => base.cdf(t)) > KS_CRITICAL_0_001, 'negative control: unscaled cdf');
  const again = parseSampler(s.spec);
  for (const x of [0.3, 1.1, 1.9]) assert.equal(again.cdf(x), s.cdf(x));
  assertRangeError(() => scaleToInterval(base, 0), /^scaled: tEnd must be finite and > 0, got 0/);
  assert.throws(() => s.quantile(2), RangeError);
});

test('importanceWeight: unbiased — E_p[w·h] = E_q[h] exactly and by Monte Carlo; emphasis differs', () => {
  const p = paperMnistSampler();
  const q = uniformSampler();
  const w = importanceWeight(p, q);
  const h = (t: number) => t * t;
  // exact: ∫ p·w·h = ∫ q·h = 1/3
  const exact = integrate((t) => p.pdf(t) * w(t) * h(t), 0, 1, [0.2, 0.6]);
  assert.ok(Math.abs(exact - 1 / 3) < 1e-12);
  assert.ok(Math.abs(w(0.4) - 4 / 5) < 1e-15);
  assert.ok(Math.abs(w(0.9) - 6 / 5) < 1e-15);
  const n = 20000;
  const ts = p.sample(Rng.seeded(31), n);
  const ws = importanceWeights(p, q, ts);
  let weighted = 0;
  let plain = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const v = ws[i] * h(ts[i]);
    weighted += v / n;
    sq += (v * v) / n;
    plain += h(ts[i]) / n;
  }
  const se = Math.sqrt((sq - weighted * weighted) / n);
  assert.ok(Math.abs(weighted - 1 / 3) < 4 * se, `weighted mean ${weighted} ± ${se}`);
  // emphasis: the plain mean estimates ∫ p·h instead
  const emphasis = integrate((t) => p.pdf(t) * h(t), 0, 1, [0.2, 0.6]);
  assert.ok(Math.abs(plain - emphasis) < 4 * se && Math.abs(emphasis - 1 / 3) > 10 * se);
});

test('importanceWeight: support check, zero target, clipping', () => {
  const only = windowSampler({ window: [0.2, 0.6], massInside: 1 });
  assertRangeError(
    () => importanceWeight(only, uniformSampler()),
    /^importanceWeight: target "uniform" has density at t = 0\.0005 where sampler "window" has none/,
  );
  const w = importanceWeight(uniformSampler(), only);
  assert.equal(w(0.1), 0);
  assert.equal(w(0.3), 2.5);
  const clipped = importanceWeight(logitNormalSampler(0, 1), uniformSampler(), { maxWeight: 10 });
  assert.equal(clipped(1e-6), 10);
  assert.ok(clipped(0.5) < 10);
  assertRangeError(
    () => importanceWeight(uniformSampler(), uniformSampler(), { maxWeight: 0 }),
    /^importanceWeight: maxWeight must be > 0/,
  );
  // sampler with a singular density: weight vanishes where p is infinite
  const wb = importanceWeight(betaSampler(0.5, 0.5), uniformSampler());
  assert.equal(wb(0), 0);
});

test('sampleStratified: one draw per probability stratum, same marginal', () => {
  const p = paperMnistSampler();
  const n = 32;
  const ts = sampleStratified(p, Rng.seeded(41), n);
  for (let i = 0; i < n; i++) {
    const u = p.cdf(ts[i]);
    assert.ok(u >= i / n - 1e-12 && u <= (i + 1) / n + 1e-12, `stratum ${i}: u = ${u}`);
  }
  for (let seed = 0; seed < 50; seed++) {
    const batch = sampleStratified(p, Rng.seeded(seed), n);
    const inside = batch.filter((t) => t >= 0.2 && t <= 0.6).length;
    assert.ok(inside >= 15 && inside <= 17, `window count ${inside}`);
  }
  // pooled over many batches the draws have the sampler's distribution
  const pooled = new Float64Array(20000);
  const rng = Rng.seeded(42);
  for (let b = 0; b < 625; b++) pooled.set(sampleStratified(p, rng, n), b * n);
  assert.ok(ksScaled(pooled, (t) => p.cdf(t)) < KS_CRITICAL_0_001);
});
