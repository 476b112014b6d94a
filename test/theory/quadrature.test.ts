import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gaussHermite, gaussExpect, GaussianSmoother, integrateAdaptive } from '../../src/theory/quadrature.js';
import { normalPdf } from '../../src/sampler/special.js';

/** E[g^k] for g ~ N(0, 1): (k − 1)!! for even k, 0 for odd k. */
function normalMoment(k: number): number {
  if (k % 2 === 1) return 0;
  let m = 1;
  for (let j = k - 1; j > 1; j -= 2) m *= j;
  return m;
}

test('Gauss–Hermite rules integrate polynomials of degree <= 2n-1 exactly', () => {
  for (const n of [1, 2, 5, 12, 20]) {
    const { nodes, weights } = gaussHermite(n);
    for (let k = 0; k <= 2 * n - 1; k++) {
      let s = 0;
      let scale = 0; // Σ w |g|^k: the size of the terms that cancel for odd k
      for (let i = 0; i < n; i++) {
        s += weights[i] * nodes[i] ** k;
        scale += weights[i] * Math.abs(nodes[i]) ** k;
      }
      const want = normalMoment(k);
      assert.ok(Math.abs(s - want) <= 1e-13 * Math.max(1, scale), `n=${n} k=${k}: ${s} vs ${want}`);
    }
  }
  // the big rules used by the theory: moments up to degree 40 to 1e-12 relative
  for (const n of [64, 128, 256]) {
    for (let k = 0; k <= 40; k += 2) {
      const s = gaussExpect((g) => g ** k, n);
      assert.ok(Math.abs(s / normalMoment(k) - 1) < 1e-12, `n=${n} k=${k}`);
    }
  }
});

test('Gauss–Hermite rules are symmetric, ascending and of unit mass', () => {
  for (const n of [7, 64, 128]) {
    const { nodes, weights } = gaussHermite(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += weights[i];
      assert.ok(weights[i] > 0);
      if (i > 0) assert.ok(nodes[i] > nodes[i - 1]);
      assert.ok(nodes[i] === -nodes[n - 1 - i]);
    }
    assert.ok(Math.abs(total - 1) < 1e-14);
  }
  assert.throws(() => gaussHermite(0), RangeError);
});

test('E[tanh(a + b g)] matches adaptive Gauss–Kronrod quadrature', () => {
  const smoother = new GaussianSmoother(128);
  for (const a of [0, 0.7, -1.3, 3]) {
    for (const b of [0.1, 0.5, 1, 1.5, 3, 10]) {
      const ref = integrateAdaptive((g) => Math.tanh(a + b * g) * normalPdf(g), -40, 40, 1e-14);
      const viaSmoother = smoother.expect(Math.tanh, a, b);
      assert.ok(Math.abs(viaSmoother - ref) < 1e-11, `a=${a} b=${b}: ${viaSmoother} vs ${ref}`);
      if (b <= 1.5) {
        const gh = gaussExpect((g) => Math.tanh(a + b * g), 128);
        assert.ok(Math.abs(gh - ref) < 1e-9, `GH a=${a} b=${b}`);
      }
    }
  }
});

test('integrateAdaptive reaches its tolerance on smooth and peaked integrands', () => {
  assert.ok(Math.abs(integrateAdaptive(Math.sin, 0, Math.PI) - 2) < 1e-13);
  assert.ok(Math.abs(integrateAdaptive((x) => 1 / (1e-4 + x * x), -1, 1, 1e-10) - 2e2 * Math.atan(1e2)) < 1e-8);
});
