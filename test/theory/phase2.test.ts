import { test } from 'node:test';
import assert from 'node:assert/strict';
import { phase2At, phase2Infinite, phase2Curve, phase2Constants, PHASE2_VARIANTS } from '../../src/theory/phase2.js';

test('infinite n: c(τ) peaks at τ = 1/√2 with value (1 + √2)/2, and c(1) = 1', () => {
  // golden-section search for the maximum of c on [0, 1]
  let a = 0;
  let b = 1;
  const r = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 100; i++) {
    const x1 = b - r * (b - a);
    const x2 = a + r * (b - a);
    if (phase2Infinite(x1).c > phase2Infinite(x2).c) b = x2;
    else a = x1;
  }
  const tau = (a + b) / 2;
  assert.ok(Math.abs(tau - Math.SQRT1_2) < 1e-7, `argmax ${tau}`);
  assert.ok(Math.abs(phase2Infinite(tau).c - (1 + Math.SQRT2) / 2) < 1e-12);
  assert.ok(Math.abs(phase2Infinite(1).c - 1) < 1e-15);
  assert.equal(phase2Infinite(0).c, 0);
  // m = 1 − cτ = (1−τ)²/((1−τ)² + τ²), √q = m
  const q = phase2Infinite(0.3);
  assert.ok(Math.abs(q.m - 0.49 / (0.49 + 0.09)) < 1e-15);
  assert.equal(q.sqrtQ, q.m);
});

test('general σ at infinite n: c = τσ²/((1−τ)² + τ²σ²)', () => {
  for (const sigma of [0.5, 2]) {
    const tau = 0.4;
    const want = (tau * sigma ** 2) / (0.36 + tau * tau * sigma ** 2);
    assert.ok(Math.abs(phase2Infinite(tau, sigma).c - want) < 1e-15);
  }
});

test("the notebook variant equals the authors' raw expression", () => {
  const n = 128;
  const lambda = 50;
  for (const tau of [0, 0.1, 0.37, 0.7, 0.99, 1]) {
    const raw =
      (2 * tau * (lambda + n) - tau * (1 + n)) /
      ((lambda + n) * (1 - 2 * tau + 3 * tau * tau) + (1 - 2 * tau - n * tau * tau));
    assert.ok(Math.abs(phase2At(tau, { n, lambda }).c - raw) < 1e-14, `τ=${tau}`);
  }
});

test('Cui et al. general-σ form and the ridge identities m = n q_η, q_ξ = c(1−τ)/(λ+n)', () => {
  const n = 64;
  const lambda = 7;
  const sigma = 1.7;
  const s2 = sigma * sigma;
  for (const tau of [0.2, 0.6]) {
    const q = phase2At(tau, { n, lambda, sigma, variant: 'cui' });
    const num = tau * (lambda * (1 + s2) + (n - 1) * s2);
    const cui = num / ((1 - tau) ** 2 * (lambda + n - 1) + tau * num);
    assert.ok(Math.abs(q.c - cui) < 1e-14);
    assert.ok(Math.abs(q.m - n * q.qEta) < 1e-14);
    assert.ok(Math.abs(q.qXi - (q.c * (1 - tau)) / (lambda + n)) < 1e-15);
    assert.ok(Math.abs(q.sqrtQ - Math.sqrt(q.m ** 2 + n * q.qXi ** 2 + n * s2 * q.qEta ** 2)) < 1e-14);
  }
  assert.equal(phase2At(0.5, { n, lambda, variant: 'fresh' }).qXi, 0);
});

test('the three finite-n variants differ by < 0.01 at n = 128, λ = 50 and all tend to infinite n', () => {
  const taus = Array.from({ length: 201 }, (_, i) => i / 200);
  let spread = 0;
  for (const tau of taus) {
    const cs = PHASE2_VARIANTS.map((variant) => phase2At(tau, { n: 128, lambda: 50, variant }).c);
    spread = Math.max(spread, Math.max(...cs) - Math.min(...cs));
  }
  assert.ok(spread < 0.01 && spread > 0, `spread ${spread}`);
  for (const variant of PHASE2_VARIANTS) {
    const errAt = (n: number) =>
      Math.max(
        ...taus.map((tau) => {
          const q = phase2At(tau, { n, lambda: 50, variant });
          const inf = phase2Infinite(tau);
          return Math.max(Math.abs(q.c - inf.c), Math.abs(q.m - inf.m), Math.abs(q.sqrtQ - inf.sqrtQ));
        }),
      );
    const e = [1e2, 1e4, 1e6].map(errAt);
    assert.ok(e[0] > e[1] && e[1] > e[2] && e[2] < 1e-3, `${variant}: ${e.join(', ')}`);
    assert.ok(Math.abs(phase2At(1, { n: 128, lambda: 50, variant }).c - 1) < 1e-15);
  }
});

test('γ = (c − 1)/(1 − τ) is finite at τ = 1 and is ½ d/dτ log D', () => {
  const cfg = { n: 128, lambda: 50 };
  const { K, L } = phase2Constants(cfg);
  const D = (t: number) => t * t * K + (1 - t) * (1 - t) * L;
  for (const tau of [0.1, 0.5, 0.9]) {
    const q = phase2At(tau, cfg);
    assert.ok(Math.abs(q.gamma - (q.c - 1) / (1 - tau)) < 1e-12);
    const h = 1e-5;
    assert.ok(Math.abs(q.gamma - (Math.log(D(tau + h)) - Math.log(D(tau - h))) / (4 * h)) < 1e-8);
  }
  assert.ok(Math.abs(phase2At(1, cfg).gamma - 1) < 1e-14);
  const curve = phase2Curve([1, 1.5, 2], cfg);
  assert.deepEqual(curve.tau, [0, 0.5, 1]);
  assert.equal(curve.infinite.c[2], 1);
  assert.throws(() => phase2At(0.5, { n: 0, lambda: 1 }), RangeError);
});
