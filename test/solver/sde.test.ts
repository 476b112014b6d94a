import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integrateSde, noisingSde, reverseSde, noisingDiffusion2 } from '../../src/solver/sde.js';
import { uniformGrid } from '../../src/solver/grid.js';
import { VpSdeInterpolant, CosineInterpolant, LinearInterpolant } from '../../src/interpolant/index.js';
import { GaussianMixture } from '../../src/mixture/gaussianMixture.js';
import { Rng } from '../../src/random/rng.js';
import { mean, variance } from '../helpers/stats.js';

test('VP-SDE noising diffusion g^2 equals the noise rate beta(s)', () => {
  const vp = new VpSdeInterpolant(0.1, 20);
  for (const t of [0.1, 0.4, 0.8]) assert.ok(Math.abs(noisingDiffusion2(vp, t) - vp.rate(1 - t)) < 1e-9);
});

test('forward noising SDE from data at tEnd reaches N(beta x1, alpha^2) at t', () => {
  for (const [interp, tStop] of [
    [new VpSdeInterpolant(), 0.4],
    [new CosineInterpolant(), 0.3],
    [new LinearInterpolant(), 0.5],
  ] as const) {
    const n = 20000;
    const x1 = 1.5;
    const start = interp.tEnd - 1e-3; // the SDE coefficients are singular exactly at the data end for some paths
    const c0 = interp.at(start);
    const rng = Rng.seeded(10);
    const x = new Float64Array(n).map(() => c0.beta * x1 + c0.alpha * rng.normal());
    const sde = noisingSde(interp);
    integrateSde({ ...sde, x0: x, grid: uniformGrid(start, tStop, 600), rng });
    const c = interp.at(tStop);
    assert.ok(Math.abs(mean(x) - c.beta * x1) < 0.03, `${interp.name} mean ${mean(x)} vs ${c.beta * x1}`);
    assert.ok(
      Math.abs(variance(x) / (c.alpha * c.alpha) - 1) < 0.05,
      `${interp.name} var ${variance(x)} vs ${c.alpha ** 2}`,
    );
  }
});

test('reverse SDE with the exact mixture score generates the mixture (VP-SDE, as in docs/method.md §4.4)', () => {
  const interp = new VpSdeInterpolant();
  const g = new GaussianMixture({ d: 2, p: 0.8, sigma: 0.3 });
  const n = 4000;
  const rng = Rng.seeded(12);
  const x = rng.fillNormal(new Float64Array(n * 2));
  const sde = reverseSde(
    interp,
    (t, xs, out) => g.velocity(interp.at(t), xs, out),
    (t, xs, out) => g.score(interp.at(t), xs, out),
  );
  integrateSde({ ...sde, x0: x, grid: uniformGrid(0, 1 - 1e-3, 1000), rng });
  let plus = 0;
  for (let k = 0; k < n; k++) if (x[2 * k] + x[2 * k + 1] > 0) plus++;
  const pHat = plus / n;
  assert.ok(Math.abs(pHat - 0.8) < 4 * Math.sqrt(0.16 / n), `pHat ${pHat}`);
});
