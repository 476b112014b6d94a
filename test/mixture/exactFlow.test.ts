import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GaussianMixture } from '../../src/mixture/gaussianMixture.js';
import { sampleExactFlow, integrateReduced, integrateFull, reduce } from '../../src/mixture/exactFlow.js';
import {
  LinearInterpolant,
  CosineInterpolant,
  dilatedInterpolant,
  makeInterpolant,
} from '../../src/interpolant/index.js';
import { paperGrid, uniformGrid } from '../../src/solver/grid.js';
import { Rng } from '../../src/random/rng.js';

test('reduced flow reproduces the full d-dimensional integration sample by sample', () => {
  for (const method of ['euler', 'heun', 'rk4'] as const) {
    for (const [name, d] of [
      ['dilated', 64],
      ['linear', 30],
      ['ve', 20],
    ] as const) {
      const interp = makeInterpolant(name, { d, kappa: 2 });
      const mixture = new GaussianMixture({ d, p: 0.8, sigma: 0.9 });
      const grid = paperGrid(interp.tEnd, 20);
      const n = 50;
      const x0 = Rng.seeded(4).fillNormal(new Float64Array(n * d), 0, interp.initStd);
      const full = integrateFull({ interp, mixture, grid, method, x0 });
      const start = reduce(x0, mixture);
      const red = integrateReduced({ interp, mixture, grid, method, y0: start.y, perp2_0: start.perp2 });
      for (let k = 0; k < n; k++) {
        assert.ok(Math.abs(full.y[k] - red.y[k]) < 1e-9 * (1 + Math.abs(full.y[k])), `${method} ${name} y[${k}]`);
        assert.ok(Math.abs(full.perp2[k] - red.perp2[k]) < 1e-8 * (1 + full.perp2[k]), `${method} ${name} perp2[${k}]`);
      }
    }
  }
});

test('a fine RK4 integration of the exact field transports noise to the target mixture', () => {
  for (const interp of [new LinearInterpolant(), new CosineInterpolant()]) {
    const mixture = new GaussianMixture({ d: 50, p: 0.7, sigma: 0.6 });
    const r = sampleExactFlow({
      interp,
      mixture,
      grid: uniformGrid(0, 1, 400),
      samples: 20000,
      seed: 5,
      method: 'rk4',
    });
    assert.ok(Math.abs(r.pHat - 0.7) < 4 * r.pHatStdErr, `${interp.name} pHat ${r.pHat}`);
    // <x, mu>/d has mean ±1 and the orthogonal per-coordinate variance is sigma^2
    assert.ok(
      Math.abs(r.modeMean.plus! - 1) < 0.01 && Math.abs(r.modeMean.minus! + 1) < 0.01,
      JSON.stringify(r.modeMean),
    );
    assert.ok(
      Math.abs(r.variance.plus! - 0.36) < 0.01 && Math.abs(r.variance.minus! - 0.36) < 0.01,
      JSON.stringify(r.variance),
    );
  }
});

test('paper protocol: dilation keeps pHat near p while the linear schedule drifts to the majority mode', () => {
  const row = (schedule: 'linear' | 'dilated', d: number) => {
    const interp = makeInterpolant(schedule, { d, kappa: 2 });
    return sampleExactFlow({
      interp,
      mixture: new GaussianMixture({ d, p: 0.8 }),
      grid: paperGrid(interp.tEnd, 80),
      samples: 20000,
      seed: 6,
    });
  };
  const dil = [1e2, 1e4, 1e6].map((d) => row('dilated', d).pHat);
  const lin = [1e2, 1e4, 1e6].map((d) => row('linear', d).pHat);
  // docs/method.md §3.4: Euler on the 40-point phase-1 grid gives about 0.805 independently of d
  for (const p of dil) assert.ok(Math.abs(p - 0.804) < 0.012, `dilated pHat ${p}`);
  assert.ok(lin[0] < lin[1] && lin[1] < lin[2], `linear pHat should grow with d: ${lin.join(', ')}`);
  assert.ok(lin[2] > 0.99, `linear pHat at d = 1e6: ${lin[2]}`);
});

test('same seed, same result; --full guard', () => {
  const interp = dilatedInterpolant(1000, 2);
  const mixture = new GaussianMixture({ d: 1000 });
  const a = sampleExactFlow({ interp, mixture, grid: paperGrid(2, 40), samples: 500, seed: 3 });
  const b = sampleExactFlow({ interp, mixture, grid: paperGrid(2, 40), samples: 500, seed: 3 });
  assert.deepEqual(Array.from(a.samples.y), Array.from(b.samples.y));
  assert.throws(
    () =>
      sampleExactFlow({
        interp: dilatedInterpolant(1e6, 2),
        mixture: new GaussianMixture({ d: 1e6 }),
        grid: paperGrid(2, 10),
        samples: 1000,
        seed: 1,
        full: true,
      }),
    /drop --full/,
  );
});
