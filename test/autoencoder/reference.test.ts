import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aeLossAndGrad } from '../../src/autoencoder/reference.js';
import { makeGrid, initParams, cloneParams, type AeParams } from '../../src/autoencoder/model.js';
import { adamInit, adamStep } from '../../src/autoencoder/adam.js';
import { makeInterpolant } from '../../src/interpolant/index.js';
import { Rng } from '../../src/random/rng.js';

function problem(schedule: 'linear' | 've' | 'dilated', d: number, n: number, T: number, seed = 3) {
  const grid = makeGrid(makeInterpolant(schedule, { d, kappa: 2 }), d, T);
  const rng = Rng.seeded(seed);
  const p = initParams(rng.split(0), d, T);
  const x1 = rng.split(1).fillNormal(new Float64Array(n * d), 0.5, 1);
  const noise = rng.split(2).fillNormal(new Float64Array(T * n * d));
  return { grid, p, x1, noise };
}

/** The loss straight from the definition: n * mean over (d, n, T) of (f - x1)^2. */
function naiveLoss(
  grid: ReturnType<typeof makeGrid>,
  p: AeParams,
  x1: Float64Array,
  n: number,
  noise: Float64Array,
): number {
  const { d, T, c0 } = grid;
  let s = 0;
  for (let j = 0; j < T; j++) {
    for (let mu = 0; mu < n; mu++) {
      const x = new Float64Array(d);
      let dot = 0;
      for (let i = 0; i < d; i++) {
        x[i] = grid.alpha[j] * noise[(j * n + mu) * d + i] + grid.beta[j] * x1[mu * d + i];
        dot += p.w[j * d + i] * x[i];
      }
      const h = Math.tanh(p.b[j] + dot / (Math.sqrt(d) * c0));
      for (let i = 0; i < d; i++) {
        const f = p.c[j] * x[i] + p.u[j * d + i] * h;
        s += (f - x1[mu * d + i]) ** 2;
      }
    }
  }
  return (n * s) / (d * n * T);
}

test('loss equals n * MSE over all d n T entries (every schedule)', () => {
  for (const schedule of ['linear', 've', 'dilated'] as const) {
    const { grid, p, x1, noise } = problem(schedule, 9, 5, 4);
    const r = aeLossAndGrad(grid, p, x1, 5, noise);
    const want = naiveLoss(grid, p, x1, 5, noise);
    assert.ok(Math.abs(r.loss - want) < 1e-12 * want, `${schedule}: ${r.loss} vs ${want}`);
    assert.ok(Math.abs(r.lossPerTime.reduce((a, b) => a + b, 0) - r.loss) < 1e-12 * r.loss);
  }
});

test('gradients match central finite differences (float64)', () => {
  for (const schedule of ['linear', 've', 'dilated'] as const) {
    const d = 6,
      n = 4,
      T = 3;
    const { grid, p, x1, noise } = problem(schedule, d, n, T, 7);
    const g = aeLossAndGrad(grid, p, x1, n, noise).grad;
    const h = 1e-6;
    let worst = 0;
    for (const key of ['c', 'b', 'u', 'w'] as const) {
      for (let k = 0; k < p[key].length; k++) {
        const plus = cloneParams(p);
        const minus = cloneParams(p);
        plus[key][k] += h;
        minus[key][k] -= h;
        const fd =
          (aeLossAndGrad(grid, plus, x1, n, noise).loss - aeLossAndGrad(grid, minus, x1, n, noise).loss) / (2 * h);
        const err = Math.abs(fd - g[key][k]) / Math.max(1e-3, Math.abs(fd));
        worst = Math.max(worst, err);
        assert.ok(err < 1e-6, `${schedule} d${key}[${k}]: analytic ${g[key][k]} vs fd ${fd}`);
      }
    }
    assert.ok(worst < 1e-6);
  }
});

test('noise may come from a row callback (same result as the dense tensor)', () => {
  const d = 5,
    n = 3,
    T = 2;
  const { grid, p, x1, noise } = problem('dilated', d, n, T);
  const order: string[] = [];
  const fromFn = aeLossAndGrad(grid, p, x1, n, (j, mu, out) => {
    order.push(`${j}:${mu}`);
    out.set(noise.subarray((j * n + mu) * d, (j * n + mu + 1) * d));
  });
  const dense = aeLossAndGrad(grid, p, x1, n, noise);
  assert.equal(fromFn.loss, dense.loss);
  assert.deepEqual(fromFn.grad.w, dense.grad.w);
  assert.deepEqual(order, ['0:0', '0:1', '0:2', '1:0', '1:1', '1:2']);
});

test('Adam follows torch.optim.Adam: bias correction, coupled weight decay on u and w only', () => {
  const d = 3,
    T = 2;
  const p = initParams(Rng.seeded(1).split(0), d, T);
  const g = initParams(Rng.seeded(2).split(0), d, T);
  const opts = { lr: 0.01, lU: 0.1, lW: 0.2 };
  const st = adamInit(d, T);
  const q = cloneParams(p);
  adamStep(q, g, st, opts);
  adamStep(q, g, st, opts);
  assert.equal(st.t, 2);
  // textbook form with explicit m-hat and v-hat, two steps with the same raw gradient
  const check = (theta0: number, g0: number, wd: number) => {
    let th = theta0,
      m = 0,
      v = 0;
    for (let t = 1; t <= 2; t++) {
      const gt = g0 + wd * th;
      m = 0.9 * m + 0.1 * gt;
      v = 0.999 * v + 0.001 * gt * gt;
      const mh = m / (1 - 0.9 ** t);
      const vh = v / (1 - 0.999 ** t);
      th -= (0.01 * mh) / (Math.sqrt(vh) + 1e-8 * 1);
    }
    return th;
  };
  for (let k = 0; k < d * T; k++) {
    assert.ok(Math.abs(q.u[k] - check(p.u[k], g.u[k], 0.1)) < 1e-10);
    assert.ok(Math.abs(q.w[k] - check(p.w[k], g.w[k], 0.2)) < 1e-10);
  }
  for (let j = 0; j < T; j++) {
    assert.ok(Math.abs(q.b[j] - check(p.b[j], g.b[j], 0)) < 1e-10);
    assert.ok(Math.abs(q.c[j] - check(p.c[j], g.c[j], 0)) < 1e-10);
  }
});
