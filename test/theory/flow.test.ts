import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GaussianMixture } from '../../src/mixture/gaussianMixture.js';
import { dilatedInterpolant } from '../../src/interpolant/index.js';
import { infiniteReduced, reducedVelocity } from '../../src/theory/generated.js';

test('the reduced 1-D phase-1 field κ tanh(h + κ t y) is the projection of the exact d-dimensional GMM velocity', () => {
  const d = 10_000;
  const kappa = 2;
  const p = 0.8;
  const gm = new GaussianMixture({ d, p });
  const schedule = dilatedInterpolant(d, kappa);
  const model = infiniteReduced(kappa, p);
  const sqrtD = Math.sqrt(d);
  for (const t of [0.05, 0.3, 0.6, 0.95]) {
    for (const y of [-2.5, -0.5, 0, 1, 3]) {
      // a point with <x, μ>/√d = y plus a component orthogonal to μ = 1_d (alternating signs, d even)
      const x = new Float64Array(d);
      for (let i = 0; i < d; i++) x[i] = y / sqrtD + (i % 2 === 0 ? 0.7 : -0.7);
      const v = gm.velocity(schedule.at(t), x);
      let proj = 0;
      for (let i = 0; i < d; i++) proj += v[i];
      proj /= sqrtD;
      const reduced = reducedVelocity(kappa, model.params(t), y);
      assert.ok(Math.abs(reduced - kappa * Math.tanh(gm.h + kappa * t * y)) < 1e-15);
      // corrections are O(κ/√d) (the α ≈ 1, V ≈ 1 approximations and the −κ y/√d drift)
      const tol = (3 * kappa * (1 + Math.abs(y))) / sqrtD;
      assert.ok(Math.abs(proj - reduced) < tol, `t=${t} y=${y}: ${proj} vs ${reduced}`);
    }
  }
});
