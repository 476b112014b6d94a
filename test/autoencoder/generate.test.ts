import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSamples, generateAndMeasure } from '../../src/autoencoder/generate.js';
import { bayesOptimalParams } from '../../src/autoencoder/bayes.js';
import { computeOverlaps } from '../../src/autoencoder/overlaps.js';
import { GaussianMixture } from '../../src/mixture/gaussianMixture.js';
import { integrateFull, reduce, sampleExactFlow } from '../../src/mixture/exactFlow.js';
import { makeInterpolant } from '../../src/interpolant/index.js';
import { paperGrid } from '../../src/solver/grid.js';
import { Rng } from '../../src/random/rng.js';

test('generation with the Bayes-optimal parameters reproduces the exact field (Euler and Heun)', () => {
  for (const method of ['euler', 'heun'] as const) {
    for (const schedule of ['dilated', 'linear', 've'] as const) {
      const d = 40,
        T = 16,
        G = 30;
      const interp = makeInterpolant(schedule, { d, kappa: 2 });
      const mixture = new GaussianMixture({ d, p: 0.8, sigma: 0.8 });
      const params = bayesOptimalParams(interp, mixture, T);
      const x0 = Rng.seeded(1).fillNormal(new Float64Array(G * d), 0, interp.initStd);
      const gen = reduce(generateSamples({ params, interp, samples: G, seed: 0, method, x0 }), mixture);
      const ref = integrateFull({ interp, mixture, grid: paperGrid(interp.tEnd, T), method, x0 });
      for (let k = 0; k < G; k++) {
        assert.ok(Math.abs(gen.y[k] - ref.y[k]) < 1e-9 * (1 + Math.abs(ref.y[k])), `${method} ${schedule} y`);
        assert.ok(Math.abs(gen.perp2[k] - ref.perp2[k]) < 1e-9 * (1 + ref.perp2[k]), `${method} ${schedule} perp`);
      }
    }
  }
});

test('Bayes-optimal dVP model generates pHat near 0.805 at d = 2000 (docs/method.md §3.4)', () => {
  const d = 2000,
    T = 80;
  const interp = makeInterpolant('dilated', { d, kappa: 2 });
  const mixture = new GaussianMixture({ d, p: 0.8 });
  const r = generateAndMeasure({
    params: bayesOptimalParams(interp, mixture, T),
    interp,
    samples: 1500,
    seed: 2,
    p: 0.8,
  });
  const exact = sampleExactFlow({ interp, mixture, grid: paperGrid(2, T), samples: 20000, seed: 3 });
  assert.ok(
    Math.abs(r.pHat - exact.pHat) < 4 * Math.hypot(r.pHatStdErr, exact.pHatStdErr),
    `${r.pHat} vs ${exact.pHat}`,
  );
  assert.equal(r.projections.length, 1500);
});

test('overlaps of the Bayes-optimal model match the closed forms, and the sign symmetry is made canonical', () => {
  const d = 500,
    T = 20;
  const interp = makeInterpolant('dilated', { d, kappa: 2 });
  const mixture = new GaussianMixture({ d, p: 0.8 });
  const params = bayesOptimalParams(interp, mixture, T);
  // flip the symmetric copy at odd steps: the canonical overlaps must not change
  for (let j = 1; j < T; j += 2) {
    params.b[j] = -params.b[j];
    for (let i = 0; i < d; i++) {
      params.u[j * d + i] *= -1;
      params.w[j * d + i] *= -1;
    }
  }
  const o = computeOverlaps(params, interp.tEnd);
  for (let j = 0; j < T; j++) {
    const { alpha, beta } = interp.at(o.t[j]);
    const D = alpha * alpha + beta * beta;
    assert.ok(Math.abs(o.m[j] - (alpha * alpha) / D) < 1e-12);
    assert.ok(Math.abs(o.omega[j] - (Math.sqrt(d) * beta) / D) < 1e-9);
    assert.ok(Math.abs(o.b[j] - mixture.h) < 1e-12);
    assert.ok(Math.abs(o.sqrtQ[j] - o.m[j]) < 1e-12);
    // in phase 1 the infinite-n theory says omega = kappa t (docs/method.md §3.2): the Bayes model has omega = sqrt(d)
    // beta/D up to O(kappa/sqrt(d)) corrections
    if (o.t[j] < 1) assert.ok(Math.abs(o.omega[j] - 2 * o.t[j]) <= (2 * o.t[j] * (3 * 2)) / Math.sqrt(d) + 1e-12);
  }
});
