import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoDomain, checkDomain, linearScale, logScale, makeScale } from '../../src/report/scale.js';

test('linear scale: monotone, hits the range ends at the domain ends, NaN for non-finite input', () => {
  const s = linearScale([-2, 3], [40, 600]);
  assert.equal(s.map(-2), 40);
  assert.equal(s.map(3), 600);
  let prev = -Infinity;
  for (let v = -2; v <= 3; v += 0.01) {
    const p = s.map(v);
    assert.ok(p > prev);
    prev = p;
  }
  assert.ok(Number.isNaN(s.map(NaN)));
  assert.ok(Number.isNaN(s.map(Infinity)));
  // A y scale maps upwards: domain [0, 1] to pixels [bottom, top].
  const y = linearScale([0, 1], [350, 20]);
  assert.equal(y.map(0), 350);
  assert.equal(y.map(1), 20);
  assert.ok(y.map(0.3) > y.map(0.6));
});

test('log scale: monotone, ends exact, decades equally spaced, non-positive values unmappable', () => {
  const s = logScale([1e-3, 1e3], [0, 600]);
  assert.ok(Math.abs(s.map(1e-3) - 0) < 1e-9);
  assert.ok(Math.abs(s.map(1e3) - 600) < 1e-9);
  assert.ok(Math.abs(s.map(1) - 300) < 1e-9);
  assert.ok(Math.abs(s.map(10) - s.map(1) - (s.map(1) - s.map(0.1))) < 1e-9);
  let prev = -Infinity;
  for (let k = -3; k <= 3; k += 0.05) {
    const p = s.map(10 ** k);
    assert.ok(p > prev);
    prev = p;
  }
  assert.ok(Number.isNaN(s.map(0)));
  assert.ok(Number.isNaN(s.map(-5)));
});

test('log scale rejects non-positive domains with a clear error', () => {
  assert.throws(() => logScale([0, 10], [0, 1]), /log scale needs a positive domain/);
  assert.throws(() => logScale([-1, 10], [0, 1]), /positive domain.*-1/);
  assert.throws(() => makeScale('log', [1, -1], [0, 1]), RangeError);
  assert.throws(
    () => checkDomain([0, 1], 'log', 'y axis'),
    /^RangeError: y axis: a log scale needs a positive domain, got \[0, 1\]$/,
  );
  assert.throws(() => checkDomain([1, 1], 'linear'), /empty/);
  assert.throws(() => checkDomain([0, NaN], 'linear'), /finite/);
  assert.throws(() => autoDomain([-1, 0, -3], 'log', { what: 'y axis' }), /y axis: a log scale needs positive data/);
});

test('autoDomain pads the finite data, widens a single value and handles log data', () => {
  assert.deepEqual(autoDomain([0, 10, NaN, Infinity], 'linear'), [-0.5, 10.5]);
  assert.deepEqual(autoDomain([], 'linear'), [0, 1]);
  assert.deepEqual(autoDomain([5, 5], 'linear'), [4.5, 5.5]);
  assert.deepEqual(autoDomain([0], 'linear'), [-1, 1]);
  assert.deepEqual(autoDomain([2, 4], 'linear', { includeZero: true }), [0, 4.2]);
  assert.deepEqual(autoDomain([-4, -2], 'linear', { includeZero: true }), [-4.2, 0]);
  const [a, b] = autoDomain([1, 100, -3, 0], 'log');
  assert.ok(a < 1 && a > 0.7 && b > 100 && b < 140, `${a}, ${b}`);
  const [c, d] = autoDomain([7], 'log');
  assert.ok(Math.abs(Math.log10(d / c) - 1) < 1e-12);
  assert.deepEqual(autoDomain([], 'log'), [1, 10]);
});
