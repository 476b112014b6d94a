import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareOverlaps,
  interpLine,
  matchedDecay,
  overlapRms,
  ridgeConstants,
  type PhaseOneBranches,
} from '../../src/autoencoder/theoryOverlay.js';
import type { OverlapLine } from '../../src/theory/figures.js';
import type { Overlaps } from '../../src/autoencoder/overlaps.js';

const grid = (n: number, end: number) => Array.from({ length: n + 1 }, (_, i) => (i * end) / n);

test('overlapRms: a linear theory and known offsets give sqrt(mean offset²), on absolute measured values', () => {
  const x = grid(40, 2);
  const theory = { x, y: x.map((t) => 0.5 + 2 * t) }; // exact under linear interpolation
  const t = grid(19, 1.9); // off the theory's nodes
  const delta = t.map((_, j) => 0.01 * (j + 1) * (j % 2 ? 1 : -1));
  // measured values with the sign symmetry applied to half of them: |y| is compared
  const y = t.map((tj, j) => (j % 3 === 0 ? -1 : 1) * (0.5 + 2 * tj + delta[j]));
  const want = Math.sqrt(delta.reduce((s, d) => s + d * d, 0) / delta.length);
  const got = overlapRms(theory, t, y);
  assert.equal(got.n, t.length);
  assert.ok(Math.abs(got.rms! - want) < 1e-12, `${got.rms} vs ${want}`);
  // phase 1 only: the times t < 1
  const p1 = t.map((tj, j) => [tj, delta[j]] as const).filter(([tj]) => tj < 1);
  const want1 = Math.sqrt(p1.reduce((s, [, d]) => s + d * d, 0) / p1.length);
  const got1 = overlapRms(theory, t, y, { phase1Only: true });
  assert.equal(got1.n, p1.length);
  assert.ok(Math.abs(got1.rms! - want1) < 1e-12);
});

test('overlapRms skips times where the theory is not finite (a gap of the curve) and is null without points', () => {
  const theory = { x: [0, 1, 2], y: [1, NaN, 1] };
  assert.equal(interpLine(theory, 0.5), null);
  assert.equal(interpLine(theory, 3), null, 'outside the range');
  const r = overlapRms(theory, [0, 0.5, 1.5, 2], [1.5, 9, 9, 0.5]);
  assert.equal(r.n, 2);
  assert.ok(Math.abs(r.rms! - 0.5) < 1e-15);
  assert.deepEqual(overlapRms(theory, [0.5], [1]), { rms: null, n: 0 });
  assert.throws(() => overlapRms(theory, [0, 1], [1]), RangeError);
});

test('matchedDecay inverts λ = l d T / 2 (docs/method.md §2.6) and rejects bad input', () => {
  for (const [d, T, lambdaU, lambdaW] of [
    [5000, 80, 50, 1],
    [1000, 20, 2, 0.5],
    [100, 10, 0, 3],
  ]) {
    const l = matchedDecay({ d, T, lambdaU, lambdaW });
    const back = ridgeConstants({ d, T, lU: l.lU, lW: l.lW, lambdas: 'consistent' });
    assert.ok(Math.abs(back.lambdaU - lambdaU) <= 1e-12 * Math.max(1, lambdaU));
    assert.ok(Math.abs(back.lambdaW - lambdaW) <= 1e-12 * Math.max(1, lambdaW));
    // the closed form l = 2λ/(dT)
    assert.ok(Math.abs(l.lU * d * T - 2 * lambdaU) < 1e-9);
  }
  // the paper's run: l = 1e-5 at d 5000, T 80 is λ = 2, not the curves' 50 and 1
  const paper = ridgeConstants({ d: 5000, T: 80, lU: 1e-5, lW: 1e-5, lambdas: 'consistent' });
  assert.ok(Math.abs(paper.lambdaU - 2) < 1e-12 && Math.abs(paper.lambdaW - 2) < 1e-12);
  assert.deepEqual(ridgeConstants({ d: 5000, T: 80, lU: 1e-5, lW: 1e-5, lambdas: 'paper' }), {
    lambdaU: 50,
    lambdaW: 1,
  });
  assert.throws(() => matchedDecay({ d: 0, T: 80, lambdaU: 50, lambdaW: 1 }), /d must be a positive number/);
  assert.throws(() => matchedDecay({ d: 10, T: 80, lambdaU: -1, lambdaW: 1 }), /lambdaU must be a non-negative/);
  assert.throws(() => matchedDecay({ d: 10, T: NaN, lambdaU: 1, lambdaW: 1 }), RangeError);
});

test('compareOverlaps: a network still on the corner one grid step after the jump is off-branch, compared with the corner', () => {
  // Theory: phase 1 on [0, 1], the selected minimiser jumps from the corner to the interior branch at t = 0.15;
  // the interior branch exists from t = 0.1 (ω = 1 + t, b = 2 − t, m = 0.5 + 0.1 t); corner m = 0.4.
  const bt = grid(20, 1);
  const branches: PhaseOneBranches = {
    t: bt,
    corner: { m: 0.4 },
    interior: {
      omega: bt.map((t) => (t >= 0.1 ? 1 + t : NaN)),
      b: bt.map((t) => (t >= 0.1 ? 2 - t : NaN)),
      m: bt.map((t) => (t >= 0.1 ? 0.5 + 0.1 * t : NaN)),
    },
  };
  const x1 = [...bt.filter((t) => t < 0.15), 0.15, 0.15, ...bt.filter((t) => t > 0.15)];
  const sel = (t: number, i: number) => t < 0.15 || (t === 0.15 && i === x1.indexOf(0.15));
  const omega = x1.map((t, i) => (sel(t, i) ? 0 : 1 + t));
  const b = x1.map((t, i) => (sel(t, i) ? NaN : 2 - t));
  const m1 = x1.map((t, i) => (sel(t, i) ? 0.4 : 0.5 + 0.1 * t));
  const p2 = grid(20, 1).map((t) => 1 + t);
  const finite: OverlapLine[] = [
    { name: 'c', x: [...x1, ...p2], y: [...x1.map(() => 0), ...p2.map((t) => t - 1)] },
    { name: 'm', x: [...x1, ...p2], y: [...m1, ...p2.map(() => 0.3)] },
    { name: 'omega', x: x1, y: omega },
    { name: 'b', x: x1, y: b },
  ];
  const lines = { finite, infinite: finite };
  // Measured on the grid t = 0, 0.2, ..., 1.8: exactly the theory except at t = 0.2, still on the corner
  // (ω = 0.05, b = 3, m = 0.41); phase-2 c off by 0.1 everywhere.
  const t = grid(9, 1.8);
  const meas: Overlaps = {
    t,
    c: t.map((tj) => (tj < 1 ? 0 : tj - 1 + 0.1)),
    m: t.map((tj) => (tj < 1 ? (tj === 0 ? 0.4 : 0.5 + 0.1 * tj) : 0.3)),
    omega: t.map((tj) => (tj < 1 ? (tj === 0 ? 0 : 1 + tj) : 0)),
    b: t.map((tj) => (tj < 1 ? (tj === 0 ? 5 : 2 - tj) : 0)),
    sqrtQ: t.map(() => 1),
    sqrtR: t.map(() => 1),
  };
  const j = t.indexOf(0.2);
  meas.omega[j] = -0.05; // the sign symmetry: |ω| is compared
  meas.b[j] = 3;
  meas.m[j] = 0.41;
  const cmp = compareOverlaps(lines, branches, meas);
  assert.deepEqual(cmp.offBranch, [0.2]);
  assert.equal(cmp.phase1Times, 5);
  // plain: at t = 0.2 the selected curve is interior (ω 1.2, b 1.8, m 0.52)
  const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  close(cmp.rmsFinite.omega, Math.sqrt((1.2 - 0.05) ** 2 / 5));
  close(cmp.rmsFinite.b, Math.sqrt((3 - 1.8) ** 2 / 4)); // t = 0: b = ∞ in the theory, no point
  // branch-aware: t = 0.2 against the corner (ω 0, m 0.4, no b point)
  close(cmp.rmsBranch.omega, Math.sqrt(0.05 ** 2 / 5));
  assert.equal(cmp.pointsBranch.b, 3);
  close(cmp.rmsBranch.b, 0);
  close(cmp.rmsBranch.m, Math.sqrt(0.01 ** 2 / t.length));
  // c: 0 in phase 1, off by 0.1 at the phase-2 times, the same in both comparisons
  const n2 = t.filter((tj) => tj >= 1).length;
  close(cmp.rmsBranch.c, Math.sqrt((n2 * 0.01) / t.length));
  close(cmp.rmsFinite.c, Math.sqrt((n2 * 0.01) / t.length));
});
