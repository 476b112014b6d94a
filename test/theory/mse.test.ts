import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bayesMse,
  labelUncertainty,
  mseCurve,
  mseDilatedCurve,
  mseDilatedPhase1,
  mseDilatedPhase2,
} from '../../src/theory/mse.js';
import { LinearInterpolant, dilatedInterpolant } from '../../src/interpolant/index.js';

test('phase-1 Bayes MSE of the dilated schedule: 1.64, 1.539, 1.325, 1.148, 1.053 at t = 0, .25, .5, .75, 1', () => {
  const want = [1.64, 1.539, 1.325, 1.148, 1.053];
  [0, 0.25, 0.5, 0.75, 1].forEach((t, i) => {
    const v = mseDilatedPhase1(t, 2, 0.8);
    assert.ok(Math.abs(v - want[i]) < 2e-3, `t=${t}: ${v}`);
  });
  assert.ok(Math.abs(mseDilatedPhase1(0, 2, 0.8) - (1 + 4 * 0.8 * 0.2)) < 1e-14);
  // label uncertainty: 4p(1−p) at ρ = 0, vanishing as ρ grows
  assert.ok(Math.abs(labelUncertainty(0, 0.3) - 0.84) < 1e-14);
  assert.ok(labelUncertainty(8, 0.8) < 1e-12);
});

test('phase-2 Bayes MSE is a²/(a² + b²) at σ = 1 and σ²a²/(a² + b²σ²) in general', () => {
  for (const tau of [0, 0.3, 0.8, 1]) {
    const a = 1 - tau;
    assert.ok(Math.abs(mseDilatedPhase2(tau) - (a * a) / (a * a + tau * tau)) < 1e-15);
    assert.ok(Math.abs(mseDilatedPhase2(tau, 2) - (4 * a * a) / (a * a + 4 * tau * tau)) < 1e-15);
  }
  const curve = mseDilatedCurve([0, 0.5, 1, 1.5, 2], 2, 0.8);
  assert.equal(curve.length, 5);
  assert.equal(curve[4], 0);
});

test('the exact finite-d MSE on the dilated schedule converges to the d → ∞ curves', () => {
  const d = 1e8;
  const sch = dilatedInterpolant(d, 2);
  const ts = [0, 0.3, 0.7, 0.99, 1.2, 1.6];
  const exact = mseCurve(sch, ts, d, 0.8);
  const limit = mseDilatedCurve(ts, 2, 0.8);
  ts.forEach((t, i) => assert.ok(Math.abs(exact[i] - limit[i]) < 1e-3, `t=${t}: ${exact[i]} vs ${limit[i]}`));
});

test('undilated VP: the MSE jumps from σ² + 4p(1−p) at t = 0 to ≈ σ² for 1/√d ≪ t ≪ 1', () => {
  const lin = new LinearInterpolant();
  for (const sigma of [1, 0.5]) {
    const s2 = sigma * sigma;
    for (const d of [1e4, 1e6]) {
      const [at0, mid] = mseCurve(lin, [0, 50 / Math.sqrt(d)], d, 0.8, sigma);
      assert.ok(Math.abs(at0 - (s2 + 0.64)) < 1e-14);
      const t = 50 / Math.sqrt(d);
      const gaussianPart = (s2 * (1 - t) ** 2) / ((1 - t) ** 2 + t * t * s2);
      assert.ok(Math.abs(mid - gaussianPart) < 1e-10, `d=${d}: ${mid}`);
      assert.ok(Math.abs(mid - s2) < 0.01 * s2 + 2 * t);
    }
  }
  assert.equal(bayesMse(0, 1, 100, 0.8), 0);
});
