import { test } from 'node:test';
import assert from 'node:assert/strict';
import { niceStep, linearTickValues, linearTicks, logTicks } from '../../src/report/ticks.js';
import { fmt, formatTicks, formatValue, pow10Label, superscript } from '../../src/report/format.js';

function isOneTwoFive(step: number): boolean {
  const e = Math.floor(Math.log10(step) + 1e-12);
  const m = Math.round((step / 10 ** e) * 1e9) / 1e9;
  return m === 1 || m === 2 || m === 5 || m === 10;
}

test('niceStep gives 1-2-5 steps close to the requested count', () => {
  assert.equal(niceStep(1, 5), 0.2);
  assert.equal(niceStep(10, 5), 2);
  assert.equal(niceStep(100, 10), 10);
  assert.equal(niceStep(7, 5), 1);
  assert.equal(niceStep(2.1, 5), 0.5);
  for (const span of [1e-9, 3.3e-5, 0.07, 1, 7.7, 123, 4.5e6, 9.9e12]) {
    for (const target of [2, 5, 8]) {
      const s = niceStep(span, target);
      assert.ok(isOneTwoFive(s), `step ${s} for span ${span}`);
      const intervals = span / s;
      assert.ok(
        intervals >= target / 3 && intervals <= target * 3,
        `span ${span} target ${target}: ${intervals} intervals`,
      );
    }
  }
  assert.throws(() => niceStep(0), RangeError);
  assert.throws(() => niceStep(NaN), RangeError);
});

test('linear ticks cover the domain with evenly spaced, float-clean values', () => {
  for (const [lo, hi] of [
    [0, 1],
    [-0.05, 2.1],
    [0.2, 0.65],
    [-3.7, 12.2],
    [1e-6, 5e-6],
    [100, 1e6],
    [5, -5],
  ] as const) {
    const { values, step } = linearTickValues(lo, hi, 5);
    const a = Math.min(lo, hi);
    const b = Math.max(lo, hi);
    assert.ok(values.length >= 2 && values.length <= 13, `${lo}..${hi}: ${values.join(', ')}`);
    assert.ok(isOneTwoFive(step));
    for (const v of values) assert.ok(v >= a - step * 1e-9 && v <= b + step * 1e-9, `${v} inside ${a}..${b}`);
    // The ticks reach within one step of both ends: they cover the domain.
    assert.ok(values[0] - a < step + 1e-12 && b - values[values.length - 1] < step + 1e-12);
    for (let i = 1; i < values.length; i++) assert.ok(Math.abs(values[i] - values[i - 1] - step) < step * 1e-9);
  }
  assert.deepEqual(linearTickValues(0, 1, 5).values, [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(linearTickValues(0.1, 0.35, 5).values, [0.1, 0.15, 0.2, 0.25, 0.3, 0.35]);
  assert.deepEqual(linearTickValues(2, 2).values, [2]);
});

test('linear tick labels use consistent decimals, a real minus sign and exponents for extreme magnitudes', () => {
  assert.deepEqual(
    linearTicks(0, 1, 5).map((t) => t.label),
    ['0.0', '0.2', '0.4', '0.6', '0.8', '1.0'],
  );
  assert.deepEqual(
    linearTicks(-10, 10, 4).map((t) => t.label),
    ['\u221210', '\u22125', '0', '5', '10'],
  );
  assert.deepEqual(formatTicks([0, 0.05, 0.1], 0.05), ['0.00', '0.05', '0.10']);
  assert.deepEqual(formatTicks([0, 200000, 400000], 200000), ['0', '2\u00D710\u2075', '4\u00D710\u2075']);
  assert.deepEqual(formatTicks([1e-5, 2e-5], 1e-5), ['10\u207B\u2075', '2\u00D710\u207B\u2075']);
  assert.deepEqual(formatTicks([1000, 1500], 500), ['1000', '1500']);
  assert.deepEqual(formatTicks([0, 2.5, 5], 2.5), ['0.0', '2.5', '5.0']);
  for (const t of linearTicks(1e-9, 9e-9, 5)) assert.match(t.label, /10/);
});

test('log ticks are decades labelled 10^k, with minor ticks, and fall back sensibly on narrow ranges', () => {
  const t = logTicks(1e-3, 1e2, 8);
  const major = t.filter((x) => x.major);
  assert.deepEqual(
    major.map((x) => x.value),
    [1e-3, 1e-2, 1e-1, 1, 10, 100],
  );
  assert.deepEqual(
    major.map((x) => x.label),
    ['10\u207B\u00B3', '10\u207B\u00B2', '10\u207B\u00B9', '10\u2070', '10\u00B9', '10\u00B2'],
  );
  assert.ok(
    t.some((x) => !x.major && x.value === 0.002),
    'minor ticks at 2·10^k',
  );
  for (let i = 1; i < t.length; i++) assert.ok(t[i].value > t[i - 1].value);
  // Many decades: every n-th decade labelled.
  const wide = logTicks(1e-20, 1e20, 6).filter((x) => x.major);
  assert.ok(wide.length >= 4 && wide.length <= 8, `${wide.length} labelled decades`);
  for (const x of wide) assert.ok(Number.isInteger(Math.round(Math.log10(x.value) * 1e9) / 1e9));
  // Less than two decades: 1-2-5 ticks or linear ones, all inside and positive.
  for (const [a, b] of [
    [2, 30],
    [0.3, 0.9],
    [1.1, 1.3],
  ] as const) {
    const n = logTicks(a, b).filter((x) => x.major);
    assert.ok(n.length >= 2, `${a}..${b}: ${n.map((x) => x.value).join(', ')}`);
    for (const x of n) assert.ok(x.value >= a && x.value <= b && x.label !== '');
  }
  assert.throws(() => logTicks(0, 10), /positive/);
  assert.throws(() => logTicks(-1, 10), /positive/);
});

test('fmt: significant digits, integers in full, exponents for extremes, non-finite spelled out', () => {
  assert.equal(fmt(0.88234, 3), '0.882');
  assert.equal(fmt(0.8, 4), '0.8');
  assert.equal(fmt(123.456, 4), '123.5');
  assert.equal(fmt(123.456, 2), '120');
  assert.equal(fmt(5000, 3), '5000');
  assert.equal(fmt(-2.5e-7, 3), '-2.5e-7');
  assert.equal(fmt(123456789.5, 3), '1.23e8');
  assert.equal(fmt(123456789, 3), '123456789');
  assert.equal(fmt(0), '0');
  assert.equal(fmt(NaN), 'NaN');
  assert.equal(fmt(Infinity), 'Infinity');
  assert.equal(fmt(-Infinity), '-Infinity');
  assert.equal(fmt(null), '\u2014');
  assert.equal(formatValue(0.03, 3), '0.03');
  assert.equal(formatValue(-0.01, 3), '\u22120.01');
  assert.equal(formatValue(1e6), '10\u2076');
  assert.equal(pow10Label(-12), '10\u207B\u00B9\u00B2');
  assert.equal(superscript(305), '\u00B3\u2070\u2075');
});
