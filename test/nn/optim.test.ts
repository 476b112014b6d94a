// Optimisers, clipping, schedules and EMA on both backends.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random/rng.js';
import { RefBackend } from '../../src/nn/kernels/ref.js';
import { WasmBackend } from '../../src/nn/kernels/wasm.js';
import type { Backend } from '../../src/nn/kernels/backend.js';
import { Linear } from '../../src/nn/layers/linear.js';
import { Adam, AdamW, clipGradNorm, cosineWithWarmup, Ema, gradNorm } from '../../src/nn/optim/index.js';

const wasm = await WasmBackend.create();
after(() => wasm.dispose());
const backends: Backend[] = [new RefBackend(), wasm];

function setParams(m: Linear, w: number[], b: number[]): void {
  m.be.write(m.weight.ptr, w);
  m.be.write(m.bias!.ptr, b);
}

test('Adam and AdamW reproduce hand-computed torch updates', () => {
  for (const be of backends) {
    const m = new Linear(be, { in: 2, out: 1 });
    m.materialize(Rng.seeded(1));
    setParams(m, [1, -2], [0.5]);
    const opt = new Adam(m, { lr: 0.1 });
    be.write(m.weight.grad, [0.3, -0.4]);
    be.write(m.bias!.grad, [0]);
    opt.step();
    // First step: m/(1-b1) = g, v/(1-b2) = g^2, so p -= lr * g / (|g| + eps) = lr * sign(g).
    const w = be.read(m.weight.ptr, 2);
    assert.ok(Math.abs(w[0] - 0.9) < 1e-6 && Math.abs(w[1] + 1.9) < 1e-6, `adam ${be.kind}: ${w.join(',')}`);
    assert.ok(Math.abs(be.read(m.bias!.ptr, 1)[0] - 0.5) < 1e-7, 'zero gradient leaves the bias');
    opt.dispose();

    setParams(m, [1, -2], [0.5]);
    const adamw = new AdamW(m, { lr: 0.1, weightDecay: 0.5 });
    adamw.step();
    const w2 = be.read(m.weight.ptr, 2);
    // p = p (1 - lr wd) - lr sign(g)
    assert.ok(
      Math.abs(w2[0] - (1 * 0.95 - 0.1)) < 1e-6 && Math.abs(w2[1] - (-2 * 0.95 + 0.1)) < 1e-6,
      `adamw ${w2.join(',')}`,
    );
    adamw.dispose();

    setParams(m, [1, -2], [0.5]);
    const l2 = new Adam(m, { lr: 0.1, weightDecay: 10 });
    be.write(m.weight.grad, [0.3, -0.4]);
    l2.step(); // g' = g + 10 p = [10.3, -20.4]: signs unchanged, so the same step as plain Adam
    const w3 = be.read(m.weight.ptr, 2);
    assert.ok(Math.abs(w3[0] - 0.9) < 1e-6 && Math.abs(w3[1] + 1.9) < 1e-6);
    l2.dispose();
    m.dispose();
  }
});

test('Adam minimises a least-squares problem; state round-trips', () => {
  for (const be of backends) {
    // y = 3 x0 - x1 + 2 from 8 samples; the Linear layer's own forward/backward supply the gradient.
    const m = new Linear(be, { in: 2, out: 1 });
    m.materialize(Rng.seeded(2));
    const rng = Rng.seeded(3);
    const N = 8,
      xs = new Float64Array(N * 2),
      ys = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      xs[2 * n] = rng.normal();
      xs[2 * n + 1] = rng.normal();
      ys[n] = 3 * xs[2 * n] - xs[2 * n + 1] + 2;
    }
    const x = { shape: [N, 2], ptr: be.alloc(2 * N) },
      t = be.alloc(N),
      g = be.alloc(N);
    be.write(x.ptr, xs);
    be.write(t, ys);
    const opt = new Adam(m, { lr: 0.05 });
    let loss = Infinity;
    for (let s = 0; s < 600; s++) {
      m.zeroGrad();
      const y = m.forward(x);
      loss = be.sqErr(y.ptr, t, g, N, 2 / N) / N;
      m.backward({ shape: [N, 1], ptr: g });
      opt.step();
    }
    assert.ok(loss < 1e-6, `${be.kind} loss ${loss}`);
    const st = opt.state();
    const opt2 = new Adam(m, { lr: 0.05 });
    opt2.loadState(st);
    assert.equal(opt2.t, 600);
    assert.deepEqual(opt2.state().m, st.m);
    for (const p of [x.ptr, t, g]) be.free(p);
    opt.dispose();
    opt2.dispose();
    m.dispose();
  }
});

test('gradient-norm clipping', () => {
  for (const be of backends) {
    const m = new Linear(be, { in: 2, out: 1 });
    m.materialize(Rng.seeded(1));
    be.write(m.weight.grad, [3, 0]);
    be.write(m.bias!.grad, [4]);
    assert.ok(Math.abs(gradNorm(m) - 5) < 1e-6);
    assert.ok(Math.abs(clipGradNorm(m, 10) - 5) < 1e-6);
    assert.ok(Math.abs(be.read(m.weight.grad, 1)[0] - 3) < 1e-6, 'no clipping below the threshold');
    assert.ok(Math.abs(clipGradNorm(m, 1) - 5) < 1e-6);
    assert.ok(Math.abs(gradNorm(m) - 1) < 1e-5);
    assert.ok(Math.abs(be.read(m.bias!.grad, 1)[0] - 0.8) < 1e-5);
    m.dispose();
  }
});

test('cosine schedule with warm-up (diffusers get_cosine_schedule_with_warmup)', () => {
  const f = cosineWithWarmup({ base: 1e-4, warmupSteps: 500, totalSteps: 3480 });
  assert.equal(f(0), 0);
  assert.ok(Math.abs(f(250) - 5e-5) < 1e-15);
  assert.ok(Math.abs(f(500) - 1e-4) < 1e-15);
  assert.ok(Math.abs(f(500 + 1490) - 5e-5) < 1e-12);
  assert.ok(f(3480) < 1e-15 && f(5000) === 0);
  const g = cosineWithWarmup({ base: 1, warmupSteps: 0, totalSteps: 10, min: 0.1 });
  assert.equal(g(0), 1);
  assert.ok(Math.abs(g(10) - 0.1) < 1e-12);
});

test('EMA: warm-up decay, update, swap', () => {
  for (const be of backends) {
    const m = new Linear(be, { in: 1, out: 1 });
    m.materialize(Rng.seeded(1));
    setParams(m, [1], [0]);
    const ema = new Ema(m, { decay: 0.9 });
    assert.ok(Math.abs(ema.currentDecay() - 0.1) < 1e-12); // (1 + 0) / (10 + 0)
    setParams(m, [2], [0]);
    ema.update(); // 0.1 * 1 + 0.9 * 2
    assert.ok(Math.abs(ema.values()[0] - 1.9) < 1e-6);
    const fixed = new Ema(m, { decay: 0.5, warmup: false });
    setParams(m, [4], [0]);
    fixed.update(); // 0.5 * 2 + 0.5 * 4
    assert.ok(Math.abs(fixed.values()[0] - 3) < 1e-6);
    fixed.swap();
    assert.ok(Math.abs(be.read(m.weight.ptr, 1)[0] - 3) < 1e-6 && Math.abs(fixed.values()[0] - 4) < 1e-6);
    fixed.swap();
    assert.ok(Math.abs(be.read(m.weight.ptr, 1)[0] - 4) < 1e-6);
    ema.dispose();
    fixed.dispose();
    m.dispose();
  }
});
