// Every layer's backward pass against central finite differences in float64 (reference backend).
import { NONE } from '../../src/nn/kernels/backend.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefBackend } from '../../src/nn/kernels/ref.js';
import {
  AvgPool2,
  ConcatChannels,
  Conv2d,
  Downsample,
  GroupNorm,
  Linear,
  ReLU,
  ResBlock,
  SelfAttention2d,
  SiLU,
  TimeEmbedding,
  Upsample,
  Upsample2,
  sinusoidalEmbedding,
} from '../../src/nn/layers/index.js';
import { numel, tensor } from '../../src/nn/tensor.js';
import { Rng } from '../../src/random/rng.js';
import { gradCheck } from './gradcheck.js';

const be = new RefBackend();

test('Conv2d 3x3 same, 3x3 stride 2, 1x1, 4x4 stride 2 pad 1 (weights, bias, input)', () => {
  for (const [cin, cout, k, s, p, H, W] of [
    [2, 3, 3, 1, 1, 5, 6],
    [3, 2, 3, 2, 1, 7, 6],
    [3, 4, 1, 1, 0, 4, 3],
    [2, 2, 4, 2, 1, 6, 6],
  ]) {
    const m = new Conv2d(be, { cin, cout, kernel: k, stride: s, padding: p });
    gradCheck(be, {
      module: m,
      inputs: [[2, cin, H, W]],
      forward: ([x]) => m.forward(x),
      backward: (dy) => [m.backward(dy)],
    });
  }
});

test('Conv2d without bias and without input gradient', () => {
  const m = new Conv2d(be, { cin: 2, cout: 2, kernel: 3, bias: false, inputGrad: false });
  assert.equal(m.namedParams().length, 1);
  gradCheck(be, {
    module: m,
    inputs: [[1, 2, 4, 4]],
    forward: ([x]) => m.forward(x),
    backward: (dy) => (m.backward(dy), [null]),
  });
});

test('Linear (and flattening of NCHW input)', () => {
  const m = new Linear(be, { in: 12, out: 5 });
  gradCheck(be, { module: m, inputs: [[3, 12]], forward: ([x]) => m.forward(x), backward: (dy) => [m.backward(dy)] });
  const f = new Linear(be, { in: 2 * 2 * 3, out: 4 });
  gradCheck(be, {
    module: f,
    inputs: [[2, 3, 2, 2]],
    forward: ([x]) => f.forward(x),
    backward: (dy) => [f.backward(dy)],
  });
});

test('GroupNorm on (N, C, H, W) and (N, C)', () => {
  const m = new GroupNorm(be, { groups: 2, channels: 4 });
  gradCheck(be, {
    module: m,
    inputs: [[2, 4, 3, 3]],
    forward: ([x]) => m.forward(x),
    backward: (dy) => [m.backward(dy)],
  });
  const m1 = new GroupNorm(be, { groups: 3, channels: 6 });
  gradCheck(be, { module: m1, inputs: [[3, 6]], forward: ([x]) => m1.forward(x), backward: (dy) => [m1.backward(dy)] });
  assert.throws(() => new GroupNorm(be, { groups: 3, channels: 4 }), /not divisible/);
});

test('SiLU and ReLU', () => {
  for (const m of [new SiLU(be), new ReLU(be)]) {
    gradCheck(be, {
      module: m,
      inputs: [[2, 3, 4, 5]],
      forward: ([x]) => m.forward(x),
      backward: (dy) => [m.backward(dy)],
    });
  }
});

test('AvgPool2, Upsample2, Downsample (strided conv), Upsample (nearest + conv)', () => {
  const a = new AvgPool2(be);
  gradCheck(be, {
    module: a,
    inputs: [[2, 3, 4, 6]],
    forward: ([x]) => a.forward(x),
    backward: (dy) => [a.backward(dy)],
  });
  const u = new Upsample2(be);
  gradCheck(be, {
    module: u,
    inputs: [[2, 2, 3, 2]],
    forward: ([x]) => u.forward(x),
    backward: (dy) => [u.backward(dy)],
  });
  const d = new Downsample(be, 3);
  gradCheck(be, {
    module: d,
    inputs: [[2, 3, 6, 6]],
    forward: ([x]) => d.forward(x),
    backward: (dy) => [d.backward(dy)],
  });
  const up = new Upsample(be, 2);
  gradCheck(be, {
    module: up,
    inputs: [[1, 2, 3, 3]],
    forward: ([x]) => up.forward(x),
    backward: (dy) => [up.backward(dy)],
  });
  assert.deepEqual(
    up.namedParams().map(([n]) => n),
    ['conv.weight', 'conv.bias'],
  );
});

test('ConcatChannels (skip connection)', () => {
  const c = new ConcatChannels(be);
  gradCheck(be, {
    module: c,
    inputs: [
      [2, 2, 3, 3],
      [2, 3, 3, 3],
    ],
    forward: ([a, b]) => c.forward(a, b),
    backward: (dy) => c.backward(dy),
  });
});

test('ResBlock with time injection: identity and 1x1 shortcut; time-embedding gradient', () => {
  for (const [cin, cout] of [
    [4, 4],
    [2, 4],
  ]) {
    const m = new ResBlock(be, { cin, cout, tdim: 5, groups: 2 });
    let da = NONE;
    gradCheck(be, {
      module: m,
      inputs: [
        [2, cin, 4, 4],
        [2, 5],
      ],
      forward: ([x, a]) => m.forward(x, a),
      backward: (dy) => {
        if (da) be.free(da);
        da = be.alloc(10);
        be.fill(da, 10, 0);
        const dx = m.backward(dy, da);
        return [dx, tensor([2, 5], da)];
      },
    });
    const names = m.namedParams().map(([n]) => n);
    assert.ok(names.includes('time_emb_proj.weight') && names.includes('conv1.weight'));
    assert.equal(names.includes('conv_shortcut.weight'), cin !== cout);
  }
});

test('SelfAttention2d, one and two heads', () => {
  for (const heads of [1, 2]) {
    const m = new SelfAttention2d(be, { channels: 4, heads, groups: 2 });
    gradCheck(be, {
      module: m,
      inputs: [[2, 4, 3, 3]],
      forward: ([x]) => m.forward(x),
      backward: (dy) => [m.backward(dy)],
    });
  }
});

test('TimeEmbedding: sinusoid values and MLP gradients', () => {
  const e = sinusoidalEmbedding([0, 2], 4);
  // dim 4: freqs 1, 0.01; cos first.
  assert.deepEqual(Array.from(e.slice(0, 4)), [1, 1, 0, 0]);
  assert.ok(Math.abs(e[4] - Math.cos(2)) < 1e-15 && Math.abs(e[5] - Math.cos(0.02)) < 1e-15);
  assert.ok(Math.abs(e[6] - Math.sin(2)) < 1e-15 && Math.abs(e[7] - Math.sin(0.02)) < 1e-15);
  const m = new TimeEmbedding(be, { dim: 6, hidden: 8, timeScale: 3 });
  const times = [0.1, 0.7, 0.35];
  gradCheck(be, { module: m, inputs: [], forward: () => m.forward(times), backward: (dy) => (m.backward(dy), []) });
});

test('layers reuse their buffers: repeated forward/backward allocates nothing; dispose frees everything', () => {
  const start = be.allocated();
  const m = new ResBlock(be, { cin: 2, cout: 4, tdim: 3, groups: 2 });
  m.materialize(Rng.seeded(1));
  const x = tensor([2, 2, 4, 4], be.alloc(64)),
    a = tensor([2, 3], be.alloc(6));
  const dy = tensor([2, 4, 4, 4], be.alloc(128)),
    da = be.alloc(6);
  for (const t of [x, a, dy]) be.fill(t.ptr, numel(t.shape), 0.5);
  let after1 = 0;
  for (let i = 0; i < 5; i++) {
    m.forward(x, a);
    m.backward(dy, da);
    if (i === 0) after1 = be.allocated();
  }
  assert.equal(be.allocated(), after1);
  m.dispose();
  for (const p of [x.ptr, a.ptr, dy.ptr, da]) be.free(p);
  assert.equal(be.allocated(), start);
});
