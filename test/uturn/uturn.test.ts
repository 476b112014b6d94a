import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  uTurn,
  mixtureNoisePredictor,
  mixtureModeOracle,
  decisionWindow,
  classMemory,
  wilson,
} from '../../src/uturn/index.js';
import { GaussianMixture } from '../../src/mixture/gaussianMixture.js';
import { VpSdeInterpolant, dilatedInterpolant } from '../../src/interpolant/index.js';
import { Rng } from '../../src/random/rng.js';

/** Exact U-Turn curve for the mixture with the exact reverse SDE: P(end in + | start in mode s, turn at t). */
function exactToPlus(
  g: GaussianMixture,
  interp: { at(t: number): { alpha: number; beta: number } },
  t: number,
  s: number,
): number {
  const { alpha, beta } = interp.at(t);
  const V = alpha * alpha + beta * beta * g.sigma * g.sigma;
  const m2 = g.muNorm2;
  // <x_t, mu> = s beta |mu|^2 + sqrt(V) |mu| z; the reverse SDE from x_t samples the posterior, so the end mode is + w.p. (1 + E[s|x_t])/2
  let acc = 0,
    wsum = 0;
  for (let i = -4000; i <= 4000; i++) {
    const z = i / 500;
    const w = Math.exp(-0.5 * z * z);
    const dot = s * beta * m2 + Math.sqrt(V * m2) * z;
    acc += w * 0.5 * (1 + Math.tanh(g.h + (beta * dot) / V));
    wsum += w;
  }
  return acc / wsum;
}

test('U-Turn with the exact mixture model matches the closed-form curves (VP-SDE, reverse SDE)', async () => {
  const d = 50;
  const g = new GaussianMixture({ d, p: 0.8 });
  const interp = new VpSdeInterpolant();
  const rng = Rng.seeded(1);
  const draw = (s: number, n: number) => {
    const x = new Float64Array(n * d);
    for (let k = 0; k < n; k++) for (let i = 0; i < d; i++) x[k * d + i] = s + rng.normal();
    return x;
  };
  const turnTimes = [0.3, 0.45, 0.6];
  const n = 300;
  const r = await uTurn({
    interp,
    model: mixtureNoisePredictor(g, interp),
    classify: mixtureModeOracle(g),
    starts: [
      { label: 0, x: draw(1, n) },
      { label: 1, x: draw(-1, n) },
    ],
    turnTimes,
    targetLabel: 0,
    stepsPerUnit: 200,
    seed: 2,
    referenceSamples: 300,
    referenceStart: 0,
  });
  for (const [ci, s] of [
    [0, 1],
    [1, -1],
  ] as const) {
    for (const [j, t] of turnTimes.entries()) {
      const want = exactToPlus(g, interp, t, s);
      const got = r.curves[ci].toTarget[j];
      // Wilson interval widened a little for the Euler–Maruyama discretisation
      assert.ok(
        want >= got.low - 0.04 && want <= got.high + 0.04,
        `start ${s} t=${t}: ${got.value} [${got.low}, ${got.high}] vs exact ${want}`,
      );
    }
  }
  assert.ok(r.reference && Math.abs(r.reference.value - 0.8) < 0.08, `reference ${r.reference?.value}`);
  assert.ok(r.window.lo < r.window.hi);
});

test('the decision window of the mode lies in phase 1 of the dilated schedule', async () => {
  const d = 400;
  const g = new GaussianMixture({ d, p: 0.8 });
  const interp = dilatedInterpolant(d, 2);
  const rng = Rng.seeded(3);
  const draw = (s: number, n: number) => Float64Array.from({ length: n * d }, () => s + rng.normal());
  const turnTimes = [0.05, 0.2, 0.4, 0.6, 0.8, 1.0, 1.3];
  const r = await uTurn({
    interp,
    model: mixtureNoisePredictor(g, interp),
    classify: mixtureModeOracle(g),
    starts: [
      { label: 0, x: draw(1, 150) },
      { label: 1, x: draw(-1, 150) },
    ],
    turnTimes,
    targetLabel: 0,
    stepsPerUnit: 60,
    method: 'ode',
    seed: 4,
  });
  assert.ok(r.window.hi <= 1.05 && r.window.lo >= 0, `window [${r.window.lo}, ${r.window.hi}]`);
});

test('decision window rule on the paper Figure 2 numbers (docs/method.md §4.6)', () => {
  const t0 = [0.65, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2];
  const from0 = [0.991, 0.996, 0.992, 0.973, 0.969, 0.954, 0.927, 0.929, 0.906, 0.886];
  const from1 = [0.003, 0.007, 0.024, 0.087, 0.207, 0.384, 0.643, 0.768, 0.832, 0.857];
  // retention: start 0 -> ends 0; start 1 -> ends 1 = 1 - fraction ending 0
  const D = classMemory([from0, from1.map((f) => 1 - f)]);
  for (let i = 0; i < t0.length; i++) assert.ok(Math.abs(D[i] - (from0[i] - from1[i])) < 1e-12);
  const w = decisionWindow(t0, D);
  assert.ok(w.bracketedLo && w.bracketedHi);
  assert.ok(w.lo > 0.2 && w.lo < 0.3 && w.hi > 0.45 && w.hi < 0.6, `[${w.lo}, ${w.hi}]`);
  const wide = decisionWindow(t0, D, { lo: 0.03, hi: 0.98 });
  assert.ok(wide.lo < w.lo && wide.hi > w.hi);
  assert.throws(() => decisionWindow(t0, D, { lo: 0.9, hi: 0.1 }), /0 <= lo < hi <= 1/);
});

test('Wilson interval: the ends solve |phat - p0| = z sqrt(p0 (1 - p0) / n) (score-test inversion)', () => {
  for (const [k, n] of [
    [81, 263],
    [3, 40],
    [390, 400],
  ]) {
    const w = wilson(k, n);
    const phat = k / n;
    for (const end of [w.low, w.high]) {
      const resid = Math.abs(phat - end) - 1.96 * Math.sqrt((end * (1 - end)) / n);
      assert.ok(Math.abs(resid) < 1e-12, `k=${k} n=${n} end=${end} resid=${resid}`);
    }
    assert.ok(w.low < phat && phat < w.high);
  }
  const all = wilson(40, 40);
  assert.equal(all.high, 1, 'k = n: the interval ends at 1 and contains the estimate');
  assert.ok(all.low < 1 && all.low > 0.9);
  const z = wilson(0, 50);
  assert.equal(z.low, 0);
  assert.ok(z.high > 0.05 && z.high < 0.09);
});
