import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  symmetricEigen,
  sqrtPsd,
  gaussianFit,
  frechetDistance,
  meanCI,
  ratioOfMeans,
} from '../../src/metrics/index.js';
import { Rng } from '../../src/random/rng.js';

test('Jacobi eigen-decomposition reconstructs a random symmetric matrix and sqrtPsd squares back', () => {
  const n = 7,
    rng = Rng.seeded(1);
  const b = rng.fillNormal(new Float64Array(n * n));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) for (let k = 0; k < n; k++) a[i * n + j] += b[i * n + k] * b[j * n + k];
  const { values, vectors: V } = symmetricEigen(a, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += V[i * n + k] * values[k] * V[j * n + k];
      assert.ok(Math.abs(s - a[i * n + j]) < 1e-10);
    }
  const r = sqrtPsd(a, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += r[i * n + k] * r[k * n + j];
      assert.ok(Math.abs(s - a[i * n + j]) < 1e-9);
    }
});

test('Fréchet distance: zero for identical fits, closed form for commuting (diagonal) covariances', () => {
  const fit = (mean: number[], diag: number[]) => {
    const n = mean.length;
    const cov = new Float64Array(n * n);
    diag.forEach((v, i) => (cov[i * n + i] = v));
    return { dim: n, mean: Float64Array.from(mean), cov, n: 100 };
  };
  const a = fit([0, 1, 2], [1, 4, 9]);
  const b = fit([1, 1, 0], [4, 4, 1]);
  assert.ok(Math.abs(frechetDistance(a, a)) < 1e-10);
  // |dmu|^2 + sum (sqrt(s1) - sqrt(s2))^2 = (1 + 0 + 4) + ((1-2)^2 + 0 + (3-1)^2)
  assert.ok(Math.abs(frechetDistance(a, b) - 10) < 1e-9);
  assert.ok(Math.abs(frechetDistance(a, b) - frechetDistance(b, a)) < 1e-9);
});

test('gaussianFit recovers the mean and covariance of samples', () => {
  const rng = Rng.seeded(2),
    n = 20000;
  const x = new Float64Array(n * 2);
  for (let k = 0; k < n; k++) {
    const z1 = rng.normal(),
      z2 = rng.normal();
    x[2 * k] = 1 + z1;
    x[2 * k + 1] = -2 + 0.5 * z1 + z2;
  }
  const f = gaussianFit(x, 2);
  assert.ok(Math.abs(f.mean[0] - 1) < 0.03 && Math.abs(f.mean[1] + 2) < 0.03);
  assert.ok(Math.abs(f.cov[0] - 1) < 0.05 && Math.abs(f.cov[1] - 0.5) < 0.05 && Math.abs(f.cov[3] - 1.25) < 0.05);
});

test('meanCI uses Student t and the bootstrap ratio interval contains the ratio', () => {
  const c = meanCI([1, 2, 3]);
  assert.equal(c.mean, 2);
  assert.ok(Math.abs(c.high - (2 + (4.303 * 1) / Math.sqrt(3))) < 1e-9);
  const r = ratioOfMeans([0.01, 0.02, 0.015], [0.08, 0.1, 0.09], 3);
  assert.ok(Math.abs(r.ratio - 0.015 / 0.09) < 1e-12);
  assert.ok(r.low < r.ratio && r.ratio < r.high && r.high < 0.3);
});
