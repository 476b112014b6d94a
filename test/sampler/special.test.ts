// Special functions against reference values computed with SciPy 1.17 (scipy.special.gammaln, betainc,
// scipy.stats.norm.cdf/ppf, scipy.stats.beta.ppf).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  erf,
  erfc,
  logGamma,
  logit,
  normalCdf,
  normalQuantile,
  normalSf,
  regIncBeta,
  sigmoid,
} from '../../src/sampler/special.js';
import { solveIncreasing } from '../../src/sampler/solve.js';

function close(actual: number, expected: number, rel: number, abs = 0): void {
  const tol = Math.max(abs, rel * Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected}, got ${actual} (tol ${tol})`);
}

test('logGamma matches reference values (Lanczos)', () => {
  const cases: [number, number][] = [
    [0.5, 0.5723649429247],
    [1, 0],
    [2, 0],
    [3, 0.6931471805599453],
    [5.5, 3.9578139676187165],
    [10, 12.801827480081469],
    [100, 359.1342053695754],
    [1e-5, 11.512919692895826],
    [0.1, 2.252712651734206],
  ];
  for (const [x, y] of cases) close(logGamma(x), y, 1e-13, 1e-14);
  assert.equal(logGamma(0), Infinity);
  assert.equal(logGamma(-3), Infinity);
  close(logGamma(-0.5), Math.log(2 * Math.sqrt(Math.PI)), 1e-13); // |Γ(−½)| = 2√π
});

test('normalCdf / normalSf match reference values in both tails', () => {
  const cases: [number, number][] = [
    [-10, 7.61985302416047e-24],
    [-5, 2.866515718791933e-7],
    [-1.5, 0.06680720126885807],
    [-0.3, 0.3820885778110474],
    [0, 0.5],
    [0.7, 0.758036347776927],
    [1.9, 0.9712834401839981],
    [2.1, 0.9821355794371834],
    [4, 0.9999683287581669],
  ];
  for (const [x, y] of cases) {
    close(normalCdf(x), y, 1e-13);
    close(normalSf(-x), y, 1e-13);
  }
  close(erf(0.5) + erfc(0.5), 1, 1e-15);
  close(erf(3), 1 - erfc(3), 1e-15);
  close(erfc(3), 2.209049699858544e-5, 1e-13);
});

test('normalQuantile matches reference values and inverts normalCdf', () => {
  const cases: [number, number][] = [
    [1e-300, -37.0470962993612],
    [1e-20, -9.262340089798409],
    [1e-8, -5.612001244174789],
    [0.01, -2.3263478740408408],
    [0.3, -0.5244005127080409],
    [0.5, 0],
    [0.9, 1.2815515655446004],
    [0.999999, 4.753424308817087],
  ];
  for (const [u, z] of cases) close(normalQuantile(u), z, 1e-12, 1e-15);
  for (let u = 0.001; u < 1; u += 0.0371) close(normalCdf(normalQuantile(u)), u, 1e-13);
  assert.equal(normalQuantile(0), -Infinity);
  assert.equal(normalQuantile(1), Infinity);
  assert.ok(Number.isNaN(normalQuantile(1.5)));
});

test('regIncBeta matches reference values and its symmetry', () => {
  const cases: [number, number, number, number][] = [
    [0.3, 0.5, 0.5, 0.36901011956554536],
    [0.1, 2, 5, 0.11426500000000002],
    [0.9, 2, 5, 0.999945],
    [0.5, 200, 300, 0.9999964565197356],
    [0.01, 0.3, 0.8, 0.2288141077975646],
    [0.999, 0.3, 0.8, 0.998640284175394],
  ];
  for (const [x, a, b, y] of cases) close(regIncBeta(x, a, b), y, 1e-12);
  for (const [x, a, b] of [
    [0.2, 3, 0.7],
    [0.65, 1.5, 4],
  ] as const)
    close(regIncBeta(x, a, b), 1 - regIncBeta(1 - x, b, a), 1e-13);
  assert.equal(regIncBeta(0, 2, 3), 0);
  assert.equal(regIncBeta(1, 2, 3), 1);
});

test('sigmoid/logit are inverse and stable at extreme arguments', () => {
  for (const z of [-700, -40, -3, 0, 2.5, 40, 700]) {
    const s = sigmoid(z);
    assert.ok(s >= 0 && s <= 1 && Number.isFinite(s));
    if (Math.abs(z) < 30) close(logit(s), z, 1e-12, 1e-12);
  }
  assert.equal(logit(0), -Infinity);
  assert.equal(logit(1), Infinity);
});

test('solveIncreasing: converges with a useless derivative, a zero derivative, and a tiny root', () => {
  const cube = (x: number) => x * x * x;
  close(
    solveIncreasing(cube, () => NaN, 0.125, 0, 1),
    0.5,
    1e-15,
  ); // pure bisection
  close(
    solveIncreasing(cube, (x) => 3 * x * x, 0, -1, 1, { x0: 0.7 }),
    0,
    0,
    1e-50,
  ); // triple root, f'(root) = 0
  close(
    solveIncreasing(
      (x) => Math.sqrt(x),
      (x) => 0.5 / Math.sqrt(x),
      1e-9,
      0,
      1,
    ),
    1e-18,
    1e-12,
  );
});
