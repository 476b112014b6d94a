// Checks of each family against facts derived independently of its implementation: SD3's own formulas (sampled
// literally and converted t = 1 − t_SD3), closed forms, known special cases, moments, and exact samplers of `Rng`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random/rng.js';
import {
  MODE_SCALE_MAX,
  MODE_SCALE_MIN,
  betaSampler,
  cosmapSampler,
  edmSampler,
  logitNormalSampler,
  modeSampler,
} from '../../src/sampler/index.js';
import { KS_CRITICAL_0_001, assertRangeError, derivative, integrate, ksScaled } from './helpers.js';

const N = 20000;
const GRID = [0.001, 0.02, 0.1, 0.25, 0.4, 0.5, 0.63, 0.8, 0.95, 0.999];
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

function draws(n: number, seed: number, draw: (rng: Rng) => number): Float64Array {
  const rng = Rng.seeded(seed);
  return Float64Array.from({ length: n }, () => draw(rng));
}

test('logit-normal: median sigmoid(m), pdf = d cdf/dt, agrees with sigmoid(m + s·Z) from the ziggurat', () => {
  for (const [m, s] of [
    [0, 1],
    [0.7, 0.5],
    [-1.3, 1.6],
  ]) {
    const ln = logitNormalSampler(m, s);
    assert.ok(Math.abs(ln.quantile(0.5) - sigmoid(m)) < 1e-15);
    assert.ok(Math.abs(ln.cdf(sigmoid(m)) - 0.5) < 1e-15);
    for (const t of GRID) {
      const num = derivative((x) => ln.cdf(x), t, 1e-6 * Math.min(t, 1 - t));
      assert.ok(Math.abs(num - ln.pdf(t)) < 1e-6 * Math.max(1, ln.pdf(t)), `m=${m} s=${s} t=${t}`);
    }
    const xs = draws(N, 11, (rng) => sigmoid(m + s * rng.normal()));
    assert.ok(ksScaled(xs, (t) => ln.cdf(t)) < KS_CRITICAL_0_001);
  }
  // symmetry: logit-normal(m, s) of 1 − t is logit-normal(−m, s) — the SD3 direction conversion
  const a = logitNormalSampler(0.8, 1.1);
  const b = logitNormalSampler(-0.8, 1.1);
  for (const t of GRID) assert.ok(Math.abs(a.cdf(t) - (1 - b.cdf(1 - t))) < 1e-14);
});

test('edm: equals logit-normal(−Pmean, Pstd) and matches ln σ ~ N(Pmean, Pstd²) mapped by t = 1/(1+σ)', () => {
  const e = edmSampler();
  assert.deepEqual(e.params, { pMean: -1.2, pStd: 1.2 });
  const ln = logitNormalSampler(1.2, 1.2);
  for (const t of GRID) {
    assert.ok(Math.abs(e.cdf(t) - ln.cdf(t)) < 1e-15);
    assert.ok(Math.abs(e.pdf(t) - ln.pdf(t)) < 1e-12 * Math.max(1, ln.pdf(t)));
  }
  assert.ok(Math.abs(e.quantile(0.5) - 1 / (1 + Math.exp(-1.2))) < 1e-15); // median σ = e^{Pmean}
  const xs = draws(N, 12, (rng) => 1 / (1 + Math.exp(-1.2 + 1.2 * rng.normal())));
  assert.ok(ksScaled(xs, (t) => e.cdf(t)) < KS_CRITICAL_0_001);
  // P(σ > 1) = P(t < ½) = Φ(1.2/1.2·(−1))… = 1 − Φ((0 − Pmean)/Pstd) = 1 − Φ(1) = 0.15865525393145707
  assert.ok(Math.abs(e.cdf(0.5) - 0.15865525393145707) < 1e-14);
});

test('mode: SD3 formula sampled literally (t = 1 − t_SD3) matches the cdf; closed-form special cases', () => {
  for (const scale of [1.29, 0.5, -0.7]) {
    const m = modeSampler(scale);
    const sd3 = (u: number) => 1 - u - scale * (Math.cos((Math.PI * u) / 2) ** 2 - 1 + u);
    const xs = draws(N, 13, (rng) => 1 - sd3(rng.uniform()));
    assert.ok(ksScaled(xs, (t) => m.cdf(t)) < KS_CRITICAL_0_001, `scale ${scale}`);
    // density at the centre: g(½) = ½, g'(½) = 1 + s(1 − π/2)
    assert.ok(Math.abs(m.pdf(0.5) - 1 / (1 + scale * (1 - Math.PI / 2))) < 1e-12);
    for (const t of GRID) {
      assert.ok(Math.abs(m.cdf(1 - t) - (1 - m.cdf(t))) < 1e-14, 'symmetric about ½');
      const num = derivative((x) => m.cdf(x), t, 1e-6 * Math.min(t, 1 - t));
      assert.ok(Math.abs(num - m.pdf(t)) < 1e-6 * Math.max(1, m.pdf(t)), `pdf vs d cdf at ${t}`);
    }
  }
  // scale 0 is uniform; scale −1 is g(u) = sin²(πu/2), the arcsine law = Beta(½, ½)
  const zero = modeSampler(0);
  const arcsine = modeSampler(-1);
  const beta = betaSampler(0.5, 0.5);
  for (const t of GRID) {
    assert.ok(Math.abs(zero.cdf(t) - t) < 1e-15);
    const exact = (2 / Math.PI) * Math.asin(Math.sqrt(t));
    assert.ok(Math.abs(arcsine.cdf(t) - exact) < 1e-12, `arcsine cdf at ${t}`);
    assert.ok(Math.abs(beta.cdf(t) - exact) < 1e-12, `Beta(½,½) cdf at ${t}`);
  }
  // the monotone range of SD3's map is exactly [−1, 2/(π − 2)]
  assert.equal(MODE_SCALE_MIN, -1);
  assert.ok(Math.abs(MODE_SCALE_MAX - 1.7519383938) < 1e-9);
  // At the upper edge g'(½) = g''(½) = 0, so g(u) − ½ ∝ (u − ½)³: the density is infinite (integrably, like
  // |t − ½|^{−2/3}) at ½ and u = g⁻¹(t) is only resolved to about (ulp)^{1/3} ≈ 1e-5 there.
  const edge = modeSampler(MODE_SCALE_MAX);
  assert.ok(edge.pdf(0.5) > 1e6);
  assert.ok(Math.abs(edge.cdf(0.5) - 0.5) < 1e-5);
  assert.ok(Math.abs(integrate((t) => edge.pdf(t), 0, 0.4) - edge.cdf(0.4)) < 1e-8);
  assert.ok(Math.abs(edge.cdf(0.3) + edge.cdf(0.7) - 1) < 1e-14);
  for (const bad of [-1.01, 1.76, NaN, Infinity]) {
    assertRangeError(() => modeSampler(bad), /^mode: scale must be in \[-1, 2\/\(π-2\)/);
  }
});

test('cosmap: closed-form pdf equals the numerical derivative of the cdf; SD3 formula sampled literally', () => {
  const c = cosmapSampler();
  for (const t of GRID) {
    const num = derivative((x) => c.cdf(x), t, 1e-6 * Math.min(t, 1 - t));
    assert.ok(Math.abs(num - c.pdf(t)) < 1e-7, `t=${t}`);
    assert.ok(Math.abs(c.pdf(t) - 2 / (Math.PI - 2 * Math.PI * t + 2 * Math.PI * t * t)) < 1e-14); // SD3's π_CosMap
  }
  assert.ok(Math.abs(c.pdf(0.5) - 4 / Math.PI) < 1e-15);
  assert.ok(Math.abs(c.pdf(0) - 2 / Math.PI) < 1e-15);
  assert.equal(c.cdf(0.5), 0.5);
  const xs = draws(N, 14, (rng) => 1 - (1 - 1 / (Math.tan((Math.PI * rng.uniform()) / 2) + 1)));
  assert.ok(ksScaled(xs, (t) => c.cdf(t)) < KS_CRITICAL_0_001);
});

test('beta: mean a/(a+b), closed-form special cases, agrees with the gamma-ratio sampler of Rng', () => {
  for (const [a, b] of [
    [2, 2],
    [2, 5],
    [0.5, 0.5],
    [0.3, 0.8],
    [7, 1.5],
  ]) {
    const s = betaSampler(a, b);
    // E[T] = ∫₀¹ (1 − F(t)) dt
    const mean = integrate((t) => 1 - s.cdf(t), 0, 1, [1e-6, 1e-3, 0.5, 1 - 1e-3, 1 - 1e-6], 128);
    assert.ok(Math.abs(mean - a / (a + b)) < 1e-6, `Beta(${a},${b}) mean ${mean}`);
    const xs = s.sample(Rng.seeded(15), N);
    const sampleMean = xs.reduce((acc, x) => acc + x, 0) / N;
    const sd = Math.sqrt((a * b) / ((a + b) ** 2 * (a + b + 1)));
    assert.ok(Math.abs(sampleMean - a / (a + b)) < 4 * (sd / Math.sqrt(N)), `sample mean ${sampleMean}`);
    const ys = draws(N, 16, (rng) => rng.beta(a, b));
    assert.ok(ksScaled(ys, (t) => s.cdf(t)) < KS_CRITICAL_0_001, `Rng.beta(${a},${b}) vs cdf`);
  }
  for (const t of GRID) {
    assert.ok(Math.abs(betaSampler(1, 1).cdf(t) - t) < 1e-14);
    assert.ok(Math.abs(betaSampler(2.5, 1).cdf(t) - t ** 2.5) < 1e-13);
    assert.ok(Math.abs(betaSampler(1, 3.5).cdf(t) - (1 - (1 - t) ** 3.5)) < 1e-13);
    assert.ok(Math.abs(betaSampler(2, 2).pdf(t) - 6 * t * (1 - t)) < 1e-12);
  }
  assert.equal(betaSampler(0.5, 2).pdf(0), Infinity);
  assert.ok(Math.abs(betaSampler(1, 3).pdf(0) - 3) < 1e-14);
  assert.equal(betaSampler(2, 3).pdf(1), 0);
  for (const [a, b] of [
    [0, 1],
    [1, -2],
    [NaN, 1],
    [1, Infinity],
  ]) {
    assertRangeError(() => betaSampler(a, b), /^beta: a and b must be finite and > 0/);
  }
});
