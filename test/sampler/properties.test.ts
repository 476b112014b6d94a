// Properties every sampler must have: normalised pdf, cdf = ∫ pdf, quantile ∘ cdf round trips, KS goodness of fit
// of `sample` at a fixed seed, determinism, behaviour outside [0, 1], JSON params and spec round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random/rng.js';
import {
  type TimeSampler,
  betaSampler,
  cosmapSampler,
  edmSampler,
  logitNormalSampler,
  modeSampler,
  paperMnistSampler,
  parseSampler,
  piecewiseSampler,
  uniformSampler,
  windowSampler,
  windowsSampler,
} from '../../src/sampler/index.js';
import { KS_CRITICAL_0_001, integrate, ksScaled } from './helpers.js';

interface Case {
  sampler: TimeSampler;
  /** Points where the pdf jumps or is singular (quadrature splits there). */
  breaks?: number[];
}

const CASES: Case[] = [
  { sampler: uniformSampler() },
  { sampler: logitNormalSampler(0, 1) },
  { sampler: logitNormalSampler(0.5, 0.8) },
  { sampler: logitNormalSampler(-1, 2) }, // bimodal-looking, heavy mass near both ends
  { sampler: modeSampler(1.29) },
  { sampler: modeSampler(-0.5) },
  { sampler: cosmapSampler() },
  { sampler: edmSampler() },
  { sampler: betaSampler(2, 2) },
  { sampler: betaSampler(2, 5) },
  { sampler: betaSampler(0.5, 0.5) }, // integrable singularities at both ends
  { sampler: betaSampler(1, 3) },
  { sampler: windowSampler({ window: [0.2, 0.6], massInside: 0.5 }), breaks: [0.2, 0.6] },
  { sampler: paperMnistSampler('resolved'), breaks: [0.2, 0.6] },
  { sampler: paperMnistSampler('literal'), breaks: [0.6, 0.8] },
  {
    sampler: piecewiseSampler([
      { lo: 0, hi: 0.2, mass: 0.1 },
      { lo: 0.2, hi: 0.6, mass: 0.5 },
      { lo: 0.6, hi: 1, mass: 0.4 },
    ]),
    breaks: [0.2, 0.6],
  },
  {
    sampler: piecewiseSampler([
      { lo: 0.1, hi: 0.3, mass: 0.25 },
      { lo: 0.5, hi: 0.9, mass: 0.75 },
    ]),
    breaks: [0.1, 0.3, 0.5, 0.9],
  }, // gaps
  {
    sampler: windowsSampler([
      { lo: 0.05, hi: 0.15, mass: 0.3 },
      { lo: 0.7, hi: 0.75, mass: 0.2 },
    ]),
    breaks: [0.05, 0.15, 0.7, 0.75],
  },
];

const N = 20000;
/** Extra quadrature break points that resolve slowly decaying tails (e.g. logit-normal with large s). */
const TAIL_BREAKS = [1e-8, 1e-6, 1e-4, 1e-2, 1 - 1e-2, 1 - 1e-4, 1 - 1e-6, 1 - 1e-8];
const breaksOf = (c: Case) => [...(c.breaks ?? []), ...TAIL_BREAKS];
const label = (c: Case) => c.sampler.spec ?? c.sampler.name;

for (const c of CASES) {
  const s = c.sampler;
  test(`${label(c)}: pdf integrates to 1`, () => {
    const total = integrate((t) => s.pdf(t), 0, 1, breaksOf(c));
    assert.ok(Math.abs(total - 1) < 1e-8, `∫pdf = ${total}`);
  });

  test(`${label(c)}: cdf(t) = ∫₀ᵗ pdf`, () => {
    for (const t of [0.013, 0.05, 0.2, 0.37, 0.5, 0.6, 0.71, 0.8, 0.93, 0.999]) {
      const area = integrate((x) => s.pdf(x), 0, t, breaksOf(c));
      assert.ok(Math.abs(area - s.cdf(t)) < 1e-8, `t = ${t}: ∫pdf = ${area}, cdf = ${s.cdf(t)}`);
    }
  });

  test(`${label(c)}: cdf(quantile(u)) = u to 1e-9, and quantile is monotone`, () => {
    const us = [0, 1e-12, 1e-9, 1e-6, 1e-3, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1 - 1e-6, 1 - 1e-9, 1];
    let prev = -Infinity;
    for (const u of us) {
      const t = s.quantile(u);
      assert.ok(t >= 0 && t <= 1, `quantile(${u}) = ${t}`);
      assert.ok(t >= prev, `quantile not monotone at u = ${u}`);
      prev = t;
      // 1e-9, or the cdf's rise across ±2 ulp of t where that is larger (Beta(½,½) near t = 1: doubles there are
      // 1.1e-16 apart, and the cdf rises by (2/π)·√1.1e-16 ≈ 7e-9 over one spacing, so u = 1 − 1e-9 is not reachable)
      const h = 2.3e-16 * Math.max(t, 1e-300);
      const tol = Math.max(1e-9, s.cdf(Math.min(1, t + h)) - s.cdf(Math.max(0, t - h)));
      assert.ok(Math.abs(s.cdf(t) - u) <= tol, `u = ${u}: cdf(quantile(u)) = ${s.cdf(t)}`);
    }
    // and back: quantile(cdf(t)) = t wherever the density is positive
    for (const t of [0.03, 0.11, 0.27, 0.5, 0.64, 0.72, 0.88]) {
      if (!(s.pdf(t) > 0 && s.pdf(t - 1e-9) > 0)) continue; // inside the support (not at the end of a gap)
      const back = s.quantile(s.cdf(t));
      assert.ok(Math.abs(back - t) < 1e-9, `t = ${t}: quantile(cdf(t)) = ${back}`);
    }
  });

  test(`${label(c)}: samples pass a KS test at level 0.001 (n = ${N})`, () => {
    const xs = s.sample(Rng.seeded(20250101), N);
    assert.equal(xs.length, N);
    assert.ok(xs.every((x) => x >= 0 && x <= 1));
    const d = ksScaled(xs, (t) => s.cdf(t));
    assert.ok(d < KS_CRITICAL_0_001, `√n·D = ${d.toFixed(3)}`);
  });

  test(`${label(c)}: same seed gives the same samples, another seed different ones`, () => {
    const a = s.sample(Rng.seeded(7), 64);
    const b = s.sample(Rng.seeded(7), 64);
    const other = s.sample(Rng.seeded(8), 64);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, other);
    // one uniform per draw: the stream after sampling is where a uniform sampler leaves it
    const r1 = Rng.seeded(9);
    const r2 = Rng.seeded(9);
    s.sample(r1, 10);
    uniformSampler().sample(r2, 10);
    assert.equal(r1.uniform(), r2.uniform());
  });

  test(`${label(c)}: outside [0, 1] and argument checks`, () => {
    assert.equal(s.pdf(-0.1), 0);
    assert.equal(s.pdf(1.1), 0);
    assert.equal(s.cdf(-0.1), 0);
    assert.equal(s.cdf(1.1), 1);
    assert.equal(s.cdf(1), 1);
    assert.ok(Number.isNaN(s.pdf(NaN)));
    assert.throws(() => s.quantile(-0.01), RangeError);
    assert.throws(() => s.quantile(1.01), RangeError);
    assert.throws(() => s.quantile(NaN), RangeError);
    assert.throws(() => s.sample(Rng.seeded(1), -1), RangeError);
    assert.throws(() => s.sample(Rng.seeded(1), 1.5), RangeError);
    assert.equal(s.sample(Rng.seeded(1), 0).length, 0);
  });

  test(`${label(c)}: params are JSON and the spec rebuilds the same distribution`, () => {
    const json: unknown = JSON.parse(JSON.stringify({ name: s.name, params: s.params }));
    assert.deepEqual(json, { name: s.name, params: s.params });
    assert.ok(s.spec, 'has a spec');
    const again = parseSampler(s.spec);
    for (const t of [0.05, 0.3, 0.55, 0.61, 0.9]) assert.ok(Math.abs(again.cdf(t) - s.cdf(t)) < 1e-15);
  });
}

test('negative controls: the KS check rejects wrong distributions', () => {
  const rng = Rng.seeded(20250101);
  const ln = logitNormalSampler(0, 1).sample(rng, N);
  assert.ok(ksScaled(ln, (t) => t) > 10, 'logit-normal samples vs uniform cdf'); // gross mismatch
  const shifted = logitNormalSampler(0.1, 1);
  const d = ksScaled(ln, (t) => shifted.cdf(t)); // small shift: D ≈ 0.1·φ(0) ≈ 0.04, √n·D ≈ 5.6
  assert.ok(d > KS_CRITICAL_0_001, `√n·D = ${d}`);
  const win = windowSampler({ window: [0.2, 0.6], massInside: 0.5 }).sample(Rng.seeded(3), N);
  assert.ok(ksScaled(win, (t) => t) > KS_CRITICAL_0_001, 'window samples vs uniform cdf');
  const literal = paperMnistSampler('literal');
  assert.ok(ksScaled(win, (t) => literal.cdf(t)) > KS_CRITICAL_0_001, 'resolved vs literal paper split');
  const m = modeSampler(1.29).sample(Rng.seeded(4), N);
  assert.ok(ksScaled(m, (t) => cosmapSampler().cdf(t)) > KS_CRITICAL_0_001, 'mode(1.29) vs cosmap');
});
