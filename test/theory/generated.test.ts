import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  finiteReduced,
  flowMapEuler,
  flowMapOde,
  infiniteReduced,
  modeLockingProbability,
  pHatInfinite,
  pHatOf,
  pHatSignLocking,
  sigmaHat2,
  sigmaHat2Euler,
  sigmaHat2Infinite,
  sigmaHat2Numeric,
  transportedMoments,
} from '../../src/theory/generated.js';
import { biasConstant, linspace, Phase1Path, Phase1Solver } from '../../src/theory/phase1.js';
import { normalCdf, normalQuantile } from '../../src/sampler/special.js';
import { PHASE2_VARIANTS } from '../../src/theory/phase2.js';

test('p̂ at infinite n: closed form 0.8022 for κ = 2, p = 0.8, equal to the ODE transport', () => {
  assert.ok(Math.abs(pHatInfinite(2, 0.8) - 0.8022) < 5e-5);
  for (const [kappa, p] of [
    [2, 0.8],
    [1, 0.8],
    [3, 0.6],
    [0.7, 0.3],
  ] as const) {
    const ode = pHatOf(infiniteReduced(kappa, p), 'ode', { steps: 256 });
    assert.ok(Math.abs(ode - pHatInfinite(kappa, p)) < 1e-8, `κ=${kappa} p=${p}: ${ode} vs ${pHatInfinite(kappa, p)}`);
  }
  // p̂ → p as κ grows; sign-at-zero locking would give pΦ(κ) + (1−p)Φ(−κ) = 0.786 instead
  assert.ok(Math.abs(pHatInfinite(8, 0.8) - 0.8) < 1e-12);
  assert.ok(Math.abs(pHatSignLocking(2, 0.8) - 0.7863) < 1e-4);
});

test("Euler on the paper's 40-point phase-1 grid gives p̂ ≈ 0.805 and converges to the ODE", () => {
  const model = infiniteReduced(2, 0.8);
  assert.ok(Math.abs(pHatOf(model, 'euler', { points: 40 }) - 0.805) < 1e-3);
  const errs = [40, 400, 4000].map((points) => Math.abs(pHatOf(model, 'euler', { points }) - pHatInfinite(2, 0.8)));
  assert.ok(errs[0] > errs[1] && errs[1] > errs[2] && errs[2] < 1e-4, errs.join(', '));
});

test('the infinite-n 1-D flow maps N(0,1) to p N(κ,1) + (1−p) N(−κ,1) at t = 1', () => {
  for (const [kappa, p] of [
    [2, 0.8],
    [1.3, 0.35],
  ] as const) {
    const map = flowMapOde(infiniteReduced(kappa, p), 256);
    const { mean, variance } = transportedMoments(map, 128);
    assert.ok(Math.abs(mean - kappa * (2 * p - 1)) < 5e-3, `mean ${mean}`);
    assert.ok(Math.abs(variance - (1 + 4 * kappa * kappa * p * (1 - p))) < 2e-2, `variance ${variance}`);
    // exact check of the law through the monotone map: P(y1 <= map(y0)) = Φ(y0)
    for (const q of [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99]) {
      const y1 = map(normalQuantile(q));
      const mixtureCdf = p * normalCdf(y1 - kappa) + (1 - p) * normalCdf(y1 + kappa);
      assert.ok(Math.abs(mixtureCdf - q) < 1e-7, `κ=${kappa} p=${p} q=${q}: ${mixtureCdf}`);
    }
  }
});

test('mode locking uses the bias: b = ∞ or ω = 0 are handled explicitly', () => {
  const id = (y: number) => y;
  assert.equal(modeLockingProbability(id, 1, Infinity), 1);
  assert.equal(modeLockingProbability(id, 0, 0.5), 1);
  assert.equal(modeLockingProbability(id, 0, 0), 0.5);
  assert.ok(Math.abs(modeLockingProbability(id, 2, 1) - normalCdf(0.5)) < 1e-12);
  const h = biasConstant(0.8);
  const euler = flowMapEuler(infiniteReduced(2, 0.8), 40);
  assert.ok(euler(1) > euler(0.5));
  assert.ok(Math.abs(modeLockingProbability(euler, 2, h) - pHatOf(infiniteReduced(2, 0.8), 'euler')) < 1e-15);
});

test('σ̂² = σ² exactly at infinite n, for several σ', () => {
  for (const sigma of [0.3, 1, 2.5]) {
    assert.equal(sigmaHat2Infinite(sigma), sigma * sigma);
    assert.ok(Math.abs(sigmaHat2Numeric(null, sigma) / (sigma * sigma) - 1) < 1e-10, `σ=${sigma}`);
  }
});

test('σ̂² at finite n: closed form K/L equals the integral, exceeds 1 at the paper constants, → σ² as n grows', () => {
  for (const variant of PHASE2_VARIANTS) {
    const cfg = { n: 128, lambda: 50, variant };
    assert.ok(Math.abs(sigmaHat2(cfg) - sigmaHat2Numeric(cfg)) < 1e-10);
    assert.ok(sigmaHat2(cfg) > 1);
  }
  assert.ok(Math.abs(sigmaHat2({ n: 128, lambda: 50 }) - 227 / 179) < 1e-15);
  for (const sigma of [0.5, 2]) {
    const far = sigmaHat2({ n: 1e8, lambda: 50, sigma });
    assert.ok(Math.abs(far - sigma * sigma) < 1e-5 * sigma * sigma);
  }
  // the generator's Euler product converges to the continuous value (it stops at τ = 1 − 1/points)
  const cfg = { n: 128, lambda: 50 };
  const errs = [40, 400, 40000].map((points) => Math.abs(sigmaHat2Euler(cfg, points) - sigmaHat2(cfg)));
  assert.ok(errs[0] > errs[1] && errs[1] > errs[2] && errs[2] < 1e-3, errs.join(', '));
});

test('p̂ is symmetric under p → 1 − p (finite-n reduced model for p = 0.2 and 0.8)', () => {
  const ph = (p: number) => {
    const s = new Phase1Solver({ n: 128, lambdaU: 50, lambdaW: 1, kappa: 2, p });
    const c = s.curve(linspace(0, 1, 6), 'global', { transition: false });
    return pHatOf(finiteReduced(new Phase1Path(s, c)), 'ode', { steps: 24 });
  };
  const hi = ph(0.8);
  const lo = ph(0.2);
  assert.ok(Math.abs(hi + lo - 1) < 1e-6, `${hi} + ${lo}`);
  assert.ok(Math.abs(hi - 0.8035) < 5e-4, `${hi}`);
});
