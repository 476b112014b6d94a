// The U-Net adapter's time mapping, checked where the answer is closed-form: data x1 ~ N(m, sigma^2 I), so the exact
// noise predictor is E[x0 | x_t] = alpha (x_t - beta m) / (alpha^2 + beta^2 sigma^2). A stand-in network that is
// handed the adapter's time input s (and must recover t = 1 - s to compute it) drives the generators through the
// adapter: the generated moments match the data only if the adapter maps t to s = 1 - t.
import { NONE } from '../../src/nn/kernels/backend.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefBackend } from '../../src/nn/kernels/ref.js';
import { tensor, numel, type Tensor } from '../../src/nn/tensor.js';
import { Rng } from '../../src/random/rng.js';
import { reverseSample } from '../../src/solver/sample.js';
import { uniformGrid } from '../../src/solver/grid.js';
import { VP_SDE } from '../../src/realdata/denoiser.js';
import { networkTime, unetPredictor, type TimeConditionedNet } from '../../src/realdata/predictor.js';

const m = 0.3,
  sigma = 0.5,
  size = 4;

/** Exact eps for Gaussian data, as a function of the network time input s (t = 1 - s). */
function gaussianNet(be: RefBackend, timeOf: (s: number) => number): TimeConditionedNet & { seen: number[] } {
  let out = NONE;
  const seen: number[] = [];
  return {
    be,
    seen,
    config: { inChannels: 1, sampleSize: size },
    forward(x: Tensor, s: ArrayLike<number>): Tensor {
      const n = x.shape[0],
        P = numel(x.shape) / n;
      if (out) be.free(out);
      out = be.alloc(n * P);
      for (let k = 0; k < n; k++) {
        seen.push(s[k]);
        const { alpha, beta } = VP_SDE.at(timeOf(s[k]));
        const g = alpha / (alpha * alpha + beta * beta * sigma * sigma);
        for (let i = 0; i < P; i++) be.heap[out + k * P + i] = g * (be.heap[x.ptr + k * P + i] - beta * m);
      }
      return tensor(x.shape, out);
    },
  };
}

async function generatedMoments(timeOf: (s: number) => number, method: 'sde' | 'ode') {
  const be = new RefBackend();
  const net = gaussianNet(be, timeOf);
  const pred = unetPredictor(net, { batch: 64 });
  const n = 400,
    dim = size * size;
  const rng = Rng.seeded(3);
  const x = rng.split(0).fillNormal(new Float64Array(n * dim), 0, VP_SDE.at(0).alpha);
  await reverseSample({ interp: VP_SDE, model: pred, x, grid: uniformGrid(0, 1, 201), method, rng: rng.split(1) });
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  const sd = Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length);
  pred.dispose();
  return { mean, sd, seen: net.seen };
}

test('networkTime is the paper code time s = 1 - t', () => {
  assert.equal(networkTime(0), 1);
  assert.equal(networkTime(1), 0);
  assert.equal(networkTime(0.25), 0.75);
});

for (const method of ['sde', 'ode'] as const) {
  test(`${method}: the adapter feeds s = 1 - t, and exact eps generates the data moments`, async () => {
    const ok = await generatedMoments((s) => 1 - s, method);
    assert.ok(Math.abs(ok.mean - m) < 0.03, `mean ${ok.mean}`);
    assert.ok(Math.abs(ok.sd - sigma) < 0.03, `sd ${ok.sd}`);
    assert.ok(
      ok.seen.every((s) => s > 0 && s <= 1),
      'network times in (0, 1]',
    );
    // A stand-in that (wrongly) reads its input as our t does not reproduce the data: the mapping matters.
    const wrong = await generatedMoments((s) => s, method);
    assert.ok(
      Math.abs(wrong.mean - m) > 0.05 || Math.abs(wrong.sd - sigma) > 0.05,
      `wrong mapping gave ${wrong.mean}, ${wrong.sd}`,
    );
  });
}

test('the adapter batches: results do not depend on the batch size', async () => {
  const be = new RefBackend();
  const net = gaussianNet(be, (s) => 1 - s);
  const x = Rng.seeded(1).fillNormal(new Float64Array(10 * size * size));
  const t = Float64Array.from({ length: 10 }, (_, i) => i / 10);
  const a = new Float64Array(x.length),
    b = new Float64Array(x.length);
  const p1 = unetPredictor(net, { batch: 3 }),
    p2 = unetPredictor(net, { batch: 64 });
  await p1.predict(x, t, a);
  await p2.predict(x, t, b);
  assert.deepEqual(a, b);
  assert.throws(() => p1.predict(x.subarray(1), t, a), /values/);
});
