// Window / piecewise samplers: the paper's MNIST splits (converted from code time s = 1 − t), gaps, validation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random/rng.js';
import { paperMnistSampler, piecewiseSampler, windowSampler, windowsSampler } from '../../src/sampler/index.js';
import { assertRangeError } from './helpers.js';

const close = (a: number, b: number, tol = 1e-14) => assert.ok(Math.abs(a - b) <= tol, `expected ${b}, got ${a}`);

test('paper-mnist resolved: 1/3, 1/2, 1/6 on code-time [0,.4), [.4,.8], (.8,1] = 1/6, 1/2, 1/3 on t = 1 − s', () => {
  const p = paperMnistSampler();
  assert.equal(p.name, 'paper-mnist');
  assert.deepEqual(
    p.segments.map((s) => [s.lo, s.hi]),
    [
      [0, 0.2],
      [0.2, 0.6],
      [0.6, 1],
    ],
  );
  close(p.cdf(0.2), 1 / 6);
  close(p.cdf(0.6), 2 / 3);
  close(p.pdf(0.1), 5 / 6);
  close(p.pdf(0.4), 5 / 4);
  close(p.pdf(0.9), 5 / 6);
  // P(code time s ∈ [0.4, 0.8]) = P(t ∈ [0.2, 0.6]) = ½ and P(s < 0.4) = P(t > 0.6) = 1/3
  close(p.cdf(1 - 0.4) - p.cdf(1 - 0.8), 1 / 2);
  close(1 - p.cdf(1 - 0.4), 1 / 3);
  // same distribution as the generic window sampler with half the mass inside [0.2, 0.6]
  const w = windowSampler({ window: [0.2, 0.6], massInside: 0.5 });
  for (let t = 0; t <= 1; t += 0.01) close(p.cdf(t), w.cdf(t));
  const xs = p.sample(Rng.seeded(5), 40000);
  const inside = xs.filter((t) => t >= 0.2 && t <= 0.6).length / xs.length;
  assert.ok(Math.abs(inside - 0.5) < 4 * Math.sqrt(0.25 / xs.length), `fraction in window ${inside}`);
});

test('paper-mnist literal: 1/8, 1/2, 3/8 on code-time [0,.2), [.2,.4), [.4,1] = 3/8, 1/2, 1/8 on t', () => {
  const p = paperMnistSampler('literal');
  assert.deepEqual(
    p.segments.map((s) => [s.lo, s.hi, s.mass]),
    [
      [0, 0.6, 3 / 8],
      [0.6, 0.8, 1 / 2],
      [0.8, 1, 1 / 8],
    ],
  );
  close(p.cdf(0.6), 3 / 8);
  close(p.cdf(0.8), 7 / 8);
  close(p.pdf(0.3), 5 / 8);
  close(p.pdf(0.7), 5 / 2);
  close(p.pdf(0.9), 5 / 8);
  // the authors' batch 32 → 4 + 16 + 12 in code-time bins [0,.2), [.2,.4), [.4,1]
  close(32 * (1 - p.cdf(0.8)), 4);
  close(32 * (p.cdf(0.8) - p.cdf(0.6)), 16);
  close(32 * p.cdf(0.6), 12);
  assert.deepEqual(p.params.codeTimeSegments, [
    { lo: 0, hi: 0.2, mass: 1 / 8 },
    { lo: 0.2, hi: 0.4, mass: 1 / 2 },
    { lo: 0.4, hi: 1, mass: 3 / 8 },
  ]);
  assertRangeError(
    () => paperMnistSampler('other' as 'literal'),
    /^paper-mnist: variant must be "resolved" or "literal"/,
  );
});

test('window sampler: densities, massInside = length is uniform, massInside = 1 only the window, floor form', () => {
  const w = windowSampler({ window: [0.3, 0.5], massInside: 0.6 });
  close(w.pdf(0.4), 0.6 / 0.2, 1e-12);
  close(w.pdf(0.1), 0.4 / 0.8, 1e-12);
  close(w.pdf(0.9), 0.4 / 0.8, 1e-12);
  assert.deepEqual(w.params, { lo: 0.3, hi: 0.5, massInside: 0.6 });
  assert.equal(w.spec, 'window:0.3,0.5,0.6');
  const flat = windowSampler({ window: [0.3, 0.5], massInside: 0.2 });
  for (const t of [0.1, 0.3, 0.42, 0.77]) close(flat.cdf(t), t, 1e-12);
  const only = windowSampler({ window: [0.3, 0.5], massInside: 1 });
  assert.equal(only.pdf(0.2), 0);
  assert.equal(only.quantile(0), 0.3);
  assert.equal(only.quantile(1), 0.5);
  assert.ok(only.sample(Rng.seeded(2), 1000).every((t) => t >= 0.3 && t <= 0.5));
  // λ·U(0,1) + (1 − λ)·U(window) has massInside = 1 − λ + λ·(hi − lo)
  const floor = windowSampler({ window: [0.3, 0.5], floor: 0.5 });
  const equiv = windowSampler({ window: [0.3, 0.5], massInside: 0.6 });
  for (const t of [0.1, 0.35, 0.5, 0.8]) close(floor.cdf(t), equiv.cdf(t), 1e-14);
  // edge windows
  const left = windowSampler({ window: [0, 0.4], massInside: 0.5 });
  assert.deepEqual(
    left.segments.map((s) => [s.lo, s.hi]),
    [
      [0, 0.4],
      [0.4, 1],
    ],
  );
  assert.ok(left.pdf(1) > 0 && left.pdf(0) > 0);
});

test('window sampler validation', () => {
  const bad: [unknown, RegExp][] = [
    [{ window: [0.6, 0.2], massInside: 0.5 }, /^window: window \[0\.6, 0\.2\] must satisfy 0 <= lo < hi <= 1/],
    [{ window: [-0.1, 0.2], massInside: 0.5 }, /^window: .*0 <= lo < hi <= 1/],
    [{ window: [0.2, 0.6], massInside: 0 }, /^window: massInside must be in \(0, 1\]/],
    [{ window: [0.2, 0.6], massInside: 1.2 }, /^window: massInside must be in \(0, 1\]/],
    [{ window: [0, 1], massInside: 0.5 }, /^window: the windows cover \[0, 1\], so their masses must sum to 1/],
    [{ window: [0.2, 0.6] }, /^window: massInside .* or floor .* is required/],
    [{ window: [0.2, 0.6], massInside: 0.5, floor: 0.1 }, /^window: give either massInside or floor/],
    [{ window: [0.2, 0.6], floor: 1 }, /^window: floor must be in \[0, 1\)/],
    [{ window: [0.2] as unknown, massInside: 0.5 }, /^window: expected window: \[lo, hi\]/],
  ];
  for (const [opts, re] of bad) {
    assertRangeError(() => windowSampler(opts as Parameters<typeof windowSampler>[0]), re, JSON.stringify(opts));
  }
  assert.ok(windowSampler({ window: [0, 1], massInside: 1 }).cdf(0.3) - 0.3 < 1e-15);
});

test('piecewise: validation of masses and intervals', () => {
  const bad: [Parameters<typeof piecewiseSampler>[0], RegExp][] = [
    [[], /^piecewise: need at least one interval/],
    [[{ lo: 0, hi: 0.5, mass: 0.5 }], /^piecewise: masses must sum to 1, got 0\.5/],
    [
      [
        { lo: 0, hi: 0.5, mass: 1.2 },
        { lo: 0.5, hi: 1, mass: -0.2 },
      ],
      /^piecewise: interval \[0\.5, 1\] \(mass -0\.2\) must have a finite mass > 0/,
    ],
    [
      [
        { lo: 0, hi: 0.5, mass: 1 },
        { lo: 0.5, hi: 1, mass: 0 },
      ],
      /must have a finite mass > 0/,
    ],
    [
      [
        { lo: 0, hi: 0.6, mass: 0.5 },
        { lo: 0.5, hi: 1, mass: 0.5 },
      ],
      /^piecewise: intervals \[0, 0\.6\] \(mass 0\.5\) and \[0\.5, 1\] \(mass 0\.5\) overlap/,
    ],
    [[{ lo: 0.5, hi: 0.5, mass: 1 }], /0 <= lo < hi <= 1/],
    [[{ lo: 0.5, hi: 1.5, mass: 1 }], /0 <= lo < hi <= 1/],
    [[{ lo: NaN, hi: 1, mass: 1 }], /0 <= lo < hi <= 1/],
  ];
  for (const [segs, re] of bad) {
    assertRangeError(() => piecewiseSampler(segs), re, JSON.stringify(segs));
  }
  // order of the input does not matter; masses within 1e-9 of 1 are renormalised exactly
  const p = piecewiseSampler([
    { lo: 0.5, hi: 1, mass: 0.5 + 4e-10 },
    { lo: 0, hi: 0.5, mass: 0.5 },
  ]);
  assert.deepEqual(
    p.segments.map((s) => s.lo),
    [0, 0.5],
  );
  assert.equal(p.cdf(1), 1);
  close(p.segments[0].mass + p.segments[1].mass, 1, 1e-16);
});

test('piecewise with gaps: zero density in gaps, left-most quantile, no draws in gaps', () => {
  const p = piecewiseSampler([
    { lo: 0.1, hi: 0.3, mass: 0.25 },
    { lo: 0.5, hi: 0.9, mass: 0.75 },
  ]);
  assert.equal(p.pdf(0.05), 0);
  assert.equal(p.pdf(0.4), 0);
  assert.equal(p.pdf(0.95), 0);
  assert.equal(p.pdf(0.3), 1.25); // right end of a piece followed by a gap belongs to the piece
  assert.equal(p.cdf(0.4), 0.25);
  assert.equal(p.quantile(0.25), 0.3); // inf{t : F(t) ≥ ¼}
  assert.equal(p.quantile(0), 0.1);
  assert.equal(p.quantile(1), 0.9);
  const xs = p.sample(Rng.seeded(4), 5000);
  assert.ok(xs.every((t) => (t >= 0.1 && t <= 0.3) || (t >= 0.5 && t <= 0.9)));
});

test('windowsSampler: several windows, the rest spread over the complement', () => {
  const w = windowsSampler([
    { lo: 0.7, hi: 0.75, mass: 0.2 },
    { lo: 0.05, hi: 0.15, mass: 0.3 },
  ]);
  assert.equal(w.name, 'windows');
  close(w.cdf(0.15) - w.cdf(0.05), 0.3);
  close(w.cdf(0.75) - w.cdf(0.7), 0.2);
  const rest = 0.5 / (1 - 0.1 - 0.05);
  for (const t of [0.01, 0.4, 0.9]) close(w.pdf(t), rest, 1e-12);
  assertRangeError(
    () =>
      windowsSampler([
        { lo: 0, hi: 0.5, mass: 0.7 },
        { lo: 0.4, hi: 0.6, mass: 0.1 },
      ]),
    /^windows: windows \[0, 0\.5\] and \[0\.4, 0\.6\] overlap/,
  );
  assertRangeError(
    () =>
      windowsSampler([
        { lo: 0, hi: 0.5, mass: 0.7 },
        { lo: 0.5, hi: 0.6, mass: 0.5 },
      ]),
    /^windows: window masses must sum to at most 1/,
  );
  // masses summing to 1 leave nothing for the complement
  const full = windowsSampler([
    { lo: 0.1, hi: 0.2, mass: 0.5 },
    { lo: 0.3, hi: 0.4, mass: 0.5 },
  ]);
  assert.equal(full.pdf(0.25), 0);
});
