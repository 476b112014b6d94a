import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GaussianMixture } from '../../src/mixture/gaussianMixture.js';
import { CosineInterpolant, LinearInterpolant, dilatedInterpolant } from '../../src/interpolant/index.js';
import { Rng } from '../../src/random/rng.js';
import { mean, variance } from '../helpers/stats.js';

test('samples have the mixture weight, means and variance', () => {
  const g = new GaussianMixture({ d: 4, p: 0.7, sigma: 0.5 });
  const { x, s } = g.sample(Rng.seeded(1), 20000);
  const plus = Array.from(s).filter((v) => v === 1).length / s.length;
  assert.ok(Math.abs(plus - 0.7) < 4 * Math.sqrt(0.21 / 20000));
  const resid: number[] = [];
  for (let k = 0; k < s.length; k++) for (let i = 0; i < 4; i++) resid.push(x[k * 4 + i] - s[k]);
  assert.ok(Math.abs(mean(resid)) < 0.01);
  assert.ok(Math.abs(variance(resid) - 0.25) < 0.01);
});

test('Bayes denoiser E[x1 | x_t] matches self-normalised Monte Carlo', () => {
  const rng = Rng.seeded(2);
  const mu = Float64Array.of(1, -0.5, 0.8);
  const g = new GaussianMixture({ d: 3, p: 0.8, sigma: 0.7, mu });
  for (const [it, t] of [
    [new LinearInterpolant(), 0.3],
    [new CosineInterpolant(), 0.6],
    [dilatedInterpolant(9, 2), 1.2],
  ] as const) {
    const c = it.at(t);
    const x = Float64Array.of(0.4, -0.2, 0.9);
    const exact = g.denoise(c, x);
    // E[x1 | x] = sum_k w_k x1_k / sum_k w_k, x1_k ~ rho, w_k = N(x; beta x1_k, alpha^2 I)
    const N = 300000;
    const { x: x1 } = g.sample(rng, N);
    const num = new Float64Array(3);
    let den = 0,
      den2 = 0;
    for (let k = 0; k < N; k++) {
      let r2 = 0;
      for (let i = 0; i < 3; i++) r2 += (x[i] - c.beta * x1[3 * k + i]) ** 2;
      const w = Math.exp(-r2 / (2 * c.alpha * c.alpha));
      den += w;
      den2 += w * w;
      for (let i = 0; i < 3; i++) num[i] += w * x1[3 * k + i];
    }
    const ess = (den * den) / den2;
    for (let i = 0; i < 3; i++) {
      const mc = num[i] / den;
      assert.ok(
        Math.abs(mc - exact[i]) < 6 / Math.sqrt(ess),
        `${it.name} t=${t} coord ${i}: MC ${mc} vs exact ${exact[i]} (ess ${ess.toFixed(0)})`,
      );
    }
  }
});

test('score equals the gradient of the exact log-density (finite differences)', () => {
  const g = new GaussianMixture({ d: 5, p: 0.3, sigma: 1.3 });
  const rng = Rng.seeded(3);
  const it = new CosineInterpolant();
  for (const t of [0.2, 0.5, 0.9]) {
    const c = it.at(t);
    const x = rng.fillNormal(new Float64Array(5));
    const s = g.score(c, x);
    for (let i = 0; i < 5; i++) {
      const h = 1e-5;
      const xp = Float64Array.from(x),
        xm = Float64Array.from(x);
      xp[i] += h;
      xm[i] -= h;
      const fd = (g.logDensity(c, xp) - g.logDensity(c, xm)) / (2 * h);
      assert.ok(Math.abs(fd - s[i]) < 1e-6 * (1 + Math.abs(fd)), `t=${t} i=${i}: ${fd} vs ${s[i]}`);
    }
  }
});

test("velocity = alpha' E[x0|x] + beta' E[x1|x], finite at the data end", () => {
  const g = new GaussianMixture({ d: 3, p: 0.6, sigma: 0.9 });
  const it = new LinearInterpolant();
  const x = Float64Array.of(0.3, 1.1, -0.4);
  for (const t of [0.05, 0.5, 0.95]) {
    const c = it.at(t);
    const x1 = g.denoise(c, x);
    const v = g.velocity(c, x);
    for (let i = 0; i < 3; i++) {
      const x0 = (x[i] - c.beta * x1[i]) / c.alpha;
      assert.ok(Math.abs(v[i] - (c.dAlpha * x0 + c.dBeta * x1[i])) < 1e-12);
    }
  }
  const vEnd = g.velocity(it.at(1), x);
  assert.ok(vEnd.every(Number.isFinite));
});

test('continuity equation: d/dt log p_t + div v + v . grad log p_t = 0', () => {
  // The exact field must transport the exact marginals: check the PDE pointwise with finite differences.
  const g = new GaussianMixture({ d: 2, p: 0.75, sigma: 0.8 });
  const it = new CosineInterpolant();
  const x = Float64Array.of(0.3, -0.6);
  const t = 0.55,
    h = 1e-5;
  const dlogp = (g.logDensity(it.at(t + h), x) - g.logDensity(it.at(t - h), x)) / (2 * h);
  const c = it.at(t);
  const v = g.velocity(c, x);
  const s = g.score(c, x);
  let div = 0;
  for (let i = 0; i < 2; i++) {
    const xp = Float64Array.from(x),
      xm = Float64Array.from(x);
    xp[i] += h;
    xm[i] -= h;
    div += (g.velocity(c, xp)[i] - g.velocity(c, xm)[i]) / (2 * h);
  }
  const resid = dlogp + div + v[0] * s[0] + v[1] * s[1];
  assert.ok(Math.abs(resid) < 1e-6, `residual ${resid}`);
});

test('rejects bad parameters with clear messages', () => {
  assert.throws(() => new GaussianMixture({ d: 0 }), /d must be an integer >= 1/);
  assert.throws(() => new GaussianMixture({ d: 3, p: 1 }), /p must lie in \(0, 1\)/);
  assert.throws(() => new GaussianMixture({ d: 3, sigma: 0 }), /sigma must be > 0/);
});
