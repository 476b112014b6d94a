import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LinearInterpolant,
  VeInterpolant,
  CosineInterpolant,
  VpSdeInterpolant,
  dilatedInterpolant,
  timeDilate,
  makeInterpolant,
  type Interpolant,
} from '../../src/interpolant/index.js';

const close = (a: number, b: number, tol: number, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);

const all: Interpolant[] = [
  new LinearInterpolant(),
  new VeInterpolant(500),
  new CosineInterpolant(),
  new VpSdeInterpolant(0.1, 20),
  dilatedInterpolant(5000, 2),
  timeDilate(new CosineInterpolant(), { logSnrWindow: [-4, 0], share: 0.6, tEnd: 3 }),
];

test('derivatives match central finite differences away from knots', () => {
  for (const it of all) {
    for (let k = 1; k < 40; k++) {
      const t = (k / 40) * it.tEnd * 0.98 + 0.003 * it.tEnd;
      const h = 1e-6;
      const fdA = (it.alpha(t + h) - it.alpha(t - h)) / (2 * h);
      const fdB = (it.beta(t + h) - it.beta(t - h)) / (2 * h);
      // skip points within h of a reclock knot (the derivative jumps there by design)
      if (Math.abs(it.dAlpha(t + h) - it.dAlpha(t - h)) > 1e-3 * (1 + Math.abs(fdA))) continue;
      close(it.dAlpha(t), fdA, 1e-5 * (1 + Math.abs(fdA)), `${it.name} dAlpha(${t})`);
      close(it.dBeta(t), fdB, 1e-5 * (1 + Math.abs(fdB)), `${it.name} dBeta(${t})`);
    }
  }
});

test('boundary values: noise at t = 0, data at t = tEnd', () => {
  for (const it of [new LinearInterpolant(), new CosineInterpolant(), dilatedInterpolant(100, 2)]) {
    close(it.alpha(0), 1, 1e-15, it.name);
    close(it.beta(0), 0, 1e-15, it.name);
    close(it.alpha(it.tEnd), 0, 1e-15, it.name);
    close(it.beta(it.tEnd), 1, 1e-15, it.name);
  }
  const ve = new VeInterpolant(400);
  close(ve.alpha(0), 20, 1e-12);
  close(ve.initStd, 20, 1e-12);
  close(ve.beta(1), 1, 0);
  const vp = new VpSdeInterpolant();
  close(vp.beta(1), 1, 1e-15);
  close(vp.alpha(1), 0, 1e-15);
  assert.equal(vp.dAlpha(1), -Infinity);
});

test('VP-SDE signal coefficient matches docs/method.md §4.2 at s = 0.2..1.0', () => {
  const vp = new VpSdeInterpolant(0.1, 20);
  const table: [number, number][] = [
    [0.2, 0.811],
    [0.4, 0.442],
    [0.6, 0.162],
    [0.8, 0.04],
    [1.0, 0.0066],
  ];
  for (const [s, b] of table) close(vp.beta(1 - s), b, 0.0006, `s=${s}`);
  for (const t of [0.1, 0.5, 0.9]) close(vp.alpha(t) ** 2 + vp.beta(t) ** 2, 1, 1e-14);
});

test('dilated schedule equals the explicit formula of docs/method.md §2.3 and is continuous at t = 1', () => {
  for (const [d, kappa] of [
    [5000, 2],
    [100, 3],
  ]) {
    const it = dilatedInterpolant(d, kappa);
    const e = kappa / Math.sqrt(d);
    for (let k = 0; k <= 80; k++) {
      const t = (2 * k) / 80;
      const a = t < 1 ? 1 - e * t : (2 - t) * (1 - e);
      const b = t < 1 ? e * t : e + (1 - e) * (t - 1);
      const da = t < 1 ? -e : -(1 - e);
      const db = t < 1 ? e : 1 - e;
      close(it.alpha(t), a, 1e-14, `alpha(${t})`);
      close(it.beta(t), b, 1e-14, `beta(${t})`);
      close(it.dAlpha(t), da, 1e-14);
      close(it.dBeta(t), db, 1e-14);
      close(it.alpha(t) + it.beta(t), 1, 1e-14);
    }
    // continuity of the path (not of its derivative) at the phase boundary
    close(it.alpha(1 - 1e-12), it.alpha(1), 1e-11);
    close(it.beta(1 - 1e-12), it.beta(1), 1e-11);
  }
  assert.throws(() => dilatedInterpolant(4, 2), /kappa < sqrt\(d\)/);
});

test('timeDilate of the linear path reproduces the paper dVP', () => {
  const d = 5000,
    kappa = 2;
  const ref = dilatedInterpolant(d, kappa);
  const it = timeDilate(new LinearInterpolant(), { timeWindow: [0, kappa / Math.sqrt(d)], share: 0.5, tEnd: 2 });
  for (let k = 0; k <= 40; k++) {
    const t = k / 20;
    close(it.alpha(t), ref.alpha(t), 1e-14);
    close(it.dBeta(t), ref.dBeta(t), 1e-12);
  }
});

test('timeDilate gives the log-SNR window the requested share of time', () => {
  const base = new CosineInterpolant();
  const it = timeDilate(base, { logSnrWindow: [-6, -2], share: 0.7, tEnd: 1 });
  const tLo = it.timeAtLogSnr(-6),
    tHi = it.timeAtLogSnr(-2);
  close(tHi - tLo, 0.7, 1e-9);
  close(it.logSnr(tLo), -6, 1e-9);
  // the path as a set is unchanged: same (alpha, beta) pairs at matching log-SNR
  close(it.alpha(0.5) ** 2 + it.beta(0.5) ** 2, 1, 1e-12);
  close(it.beta(1), 1, 1e-12);
  assert.throws(() => timeDilate(base, { share: 1.2, timeWindow: [0, 0.5] }), /share/);
});

test('logSnr increases and timeAtLogSnr inverts it', () => {
  for (const it of all) {
    let prev = -Infinity;
    for (let k = 1; k < 50; k++) {
      const t = (k / 50) * it.tEnd;
      const l = it.logSnr(t);
      assert.ok(l > prev, `${it.name} logSnr not increasing at ${t}`);
      prev = l;
      close(it.timeAtLogSnr(l), t, 1e-9 * it.tEnd, `${it.name} inverse at ${t}`);
    }
  }
});

test('makeInterpolant builds every named schedule and rejects unknown names', () => {
  assert.equal(makeInterpolant('dilated', { d: 100, kappa: 2 }).tEnd, 2);
  assert.equal(makeInterpolant('ve', { d: 9 }).initStd, 3);
  assert.throws(() => makeInterpolant('foo' as never), /unknown schedule/);
});
