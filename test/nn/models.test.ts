// U-Net and classifier: finite differences end to end (float64 reference), float32 wasm vs reference, names, configs.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random/rng.js';
import { RefBackend } from '../../src/nn/kernels/ref.js';
import { WasmBackend } from '../../src/nn/kernels/wasm.js';
import type { Backend } from '../../src/nn/kernels/backend.js';
import { UNet, unetConfig, type UNetConfig } from '../../src/nn/models/unet.js';
import { Classifier } from '../../src/nn/models/classifier.js';
import { crossEntropyLoss, mseLoss } from '../../src/nn/loss.js';
import { numel, tensor, type Tensor } from '../../src/nn/tensor.js';
import { gradCheck } from './gradcheck.js';

const ref = new RefBackend();
const wasm = await WasmBackend.create({ threads: 2 });
after(() => wasm.dispose());

const tiny: Partial<UNetConfig> = {
  channels: [4, 8],
  blocksPerLevel: 1,
  attentionLevels: [1],
  groups: 2,
  headDim: 4,
  timeScale: 10,
};

test('U-Net: gradients of every parameter against finite differences (float64)', () => {
  const net = new UNet(ref, tiny);
  const times = [0.3, 0.8];
  gradCheck(ref, {
    module: net,
    inputs: [[2, 1, 4, 4]],
    forward: ([x]) => net.forward(x, times),
    backward: (dy) => (net.backward(dy), [null]),
    maxCoords: 3,
  });
});

test('U-Net with two blocks per level and no attention: gradients', () => {
  const net = new UNet(ref, {
    ...tiny,
    blocksPerLevel: 2,
    attentionLevels: [],
    midAttention: false,
    channels: [2, 4, 4],
    groups: 1,
  });
  gradCheck(ref, {
    module: net,
    inputs: [[1, 1, 8, 4]],
    forward: ([x]) => net.forward(x, [0.5]),
    backward: (dy) => (net.backward(dy), [null]),
    maxCoords: 2,
  });
});

function randomInput(be: Backend, shape: number[], seed: number): Tensor {
  const rng = Rng.seeded(seed);
  const p = be.alloc(numel(shape));
  be.write(
    p,
    Float64Array.from({ length: numel(shape) }, () => rng.normal()),
  );
  return tensor(shape, p);
}

function maxRel(a: Float64Array, b: Float64Array): number {
  let scale = 1e-30,
    worst = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / scale;
}

test('U-Net in float32 wasm (2 threads) matches the float64 reference: output and all gradients', () => {
  const cfg: Partial<UNetConfig> = {
    channels: [8, 16],
    blocksPerLevel: 1,
    attentionLevels: [1],
    groups: 4,
    headDim: 8,
  };
  const shape = [3, 1, 8, 8];
  const times = [0.1, 0.5, 0.9];
  const outs: Float64Array[] = [],
    grads: Float64Array[] = [];
  for (const be of [ref, wasm] as Backend[]) {
    const net = new UNet(be, cfg, Rng.seeded(11));
    const x = randomInput(be, shape, 12);
    const y = net.forward(x, times);
    outs.push(be.read(y.ptr, numel(y.shape)));
    const target = randomInput(be, shape, 13);
    const g = be.alloc(numel(shape));
    mseLoss(be, y, target.ptr, g);
    net.zeroGrad();
    net.backward(tensor(shape, g));
    grads.push(be.read(net.params.grads, net.params.size));
    for (const p of [x.ptr, target.ptr, g]) be.free(p);
    net.dispose();
  }
  assert.ok(maxRel(outs[1], outs[0]) < 1e-4, `output rel error ${maxRel(outs[1], outs[0])}`);
  assert.ok(maxRel(grads[1], grads[0]) < 1e-3, `gradient rel error ${maxRel(grads[1], grads[0])}`);
});

test('U-Net parameter names follow diffusers UNet2DModel', () => {
  const net = new UNet(ref, { channels: [8, 16, 16], blocksPerLevel: 2, attentionLevels: [2], groups: 4, headDim: 8 });
  const names = new Set(net.namedParams().map(([n]) => n));
  for (const n of [
    'time_embedding.linear_1.weight',
    'time_embedding.linear_2.bias',
    'conv_in.weight',
    'down_blocks.0.resnets.1.conv1.weight',
    'down_blocks.0.downsamplers.0.conv.weight',
    'down_blocks.1.resnets.0.conv_shortcut.weight',
    'down_blocks.2.attentions.1.to_qkv.weight',
    'mid_block.resnets.1.time_emb_proj.weight',
    'mid_block.attentions.0.group_norm.weight',
    'up_blocks.0.resnets.2.norm1.weight',
    'up_blocks.0.attentions.0.to_out.bias',
    'up_blocks.1.upsamplers.0.conv.weight',
    'conv_norm_out.weight',
    'conv_out.bias',
  ]) {
    assert.ok(names.has(n), `missing ${n}`);
  }
  assert.ok(!names.has('up_blocks.2.upsamplers.0.conv.weight'));
  assert.ok(!names.has('down_blocks.2.downsamplers.0.conv.weight'));
});

test('U-Net config validation and input checks give clear messages', () => {
  assert.throws(() => unetConfig({ channels: [16, 30], groups: 8 }), /30 channels are not divisible into 8 groups/);
  assert.throws(() => unetConfig({ attentionLevels: [5] }), /attention level 5 does not exist/);
  const net = new UNet(ref, tiny, Rng.seeded(1));
  const x = randomInput(ref, [1, 1, 5, 4], 1);
  assert.throws(() => net.forward(x, [0.5]), /not divisible by 2/);
  const x2 = randomInput(ref, [2, 1, 4, 4], 1);
  assert.throws(() => net.forward(x2, [0.5]), /1 times for a batch of 2/);
  net.dispose();
});

test('classifier: finite differences, and it learns a toy two-class task in float32', () => {
  const c = new Classifier(ref, { size: 8, channels: [2, 3], hidden: 5, classes: 3 });
  gradCheck(ref, {
    module: c,
    inputs: [[2, 1, 8, 8]],
    forward: ([x]) => c.forward(x),
    backward: (dy) => (c.backward(dy), [null]), // the first conv computes no input gradient
    maxCoords: 6,
  });

  // Bright-left vs bright-right images; a few Adam steps must drive the loss down.
  const be = wasm;
  const net = new Classifier(be, { size: 16, channels: [4, 8], hidden: 16, classes: 2 }, Rng.seeded(3));
  const N = 16,
    rng = Rng.seeded(4);
  const xs = new Float64Array(N * 256),
    ys: number[] = [];
  for (let n = 0; n < N; n++) {
    const y = n % 2;
    ys.push(y);
    for (let i = 0; i < 16; i++)
      for (let j = 0; j < 16; j++)
        xs[n * 256 + i * 16 + j] = j < 8 === (y === 0) ? 1 + 0.1 * rng.normal() : 0.1 * rng.normal();
  }
  const x = tensor([N, 1, 16, 16], be.alloc(N * 256));
  be.write(x.ptr, xs);
  const grad = be.alloc(N * 2);
  const lr = 0.01;
  const m = new Float64Array(net.params.size),
    v = new Float64Array(net.params.size);
  let first = 0,
    last = 0,
    correct = 0;
  for (let step = 1; step <= 30; step++) {
    net.zeroGrad();
    const out = crossEntropyLoss(be, net.forward(x), ys, grad);
    net.backward(tensor([N, 2], grad));
    // plain Adam on the host, to keep this test independent of the optimiser module
    const p = be.read(net.params.values, net.params.size),
      gr = be.read(net.params.grads, net.params.size);
    for (let i = 0; i < p.length; i++) {
      m[i] = 0.9 * m[i] + 0.1 * gr[i];
      v[i] = 0.999 * v[i] + 0.001 * gr[i] ** 2;
      p[i] -= (lr * m[i]) / (1 - 0.9 ** step) / (Math.sqrt(v[i] / (1 - 0.999 ** step)) + 1e-8);
    }
    be.write(net.params.values, p);
    if (step === 1) first = out.loss;
    last = out.loss;
    correct = out.correct;
  }
  assert.ok(last < first * 0.2, `loss ${first} -> ${last}`);
  assert.equal(correct, N);
  be.free(x.ptr);
  be.free(grad);
  net.dispose();
});

test('U-Net predict: chunked forward-only inference equals the forward pass sample by sample, bitwise, for any chunk', () => {
  const rng = Rng.seeded(31);
  const net = new UNet(
    wasm,
    { channels: [8, 16], blocksPerLevel: 1, attentionLevels: [1], groups: 4, headDim: 8 },
    rng,
  );
  const N = 7,
    n = N * 16 * 16;
  const x = wasm.alloc(n);
  wasm.write(
    x,
    Float64Array.from({ length: n }, () => rng.normal()),
  );
  const t = Array.from({ length: N }, () => rng.uniform());
  const xt = tensor([N, 1, 16, 16], x);
  const full = wasm.read(net.forward(xt, t).ptr, n);
  for (const chunk of [1, 3, 7, undefined]) {
    const out = wasm.alloc(n);
    net.predict(xt, t, out, chunk);
    assert.deepEqual(wasm.read(out, n), full, `chunk ${chunk}`);
    wasm.free(out);
  }
  wasm.free(x);
  net.dispose();
});

test('U-Net forward is bitwise the same on 1 and 2 executors (each image runs on one executor)', async () => {
  const one = await WasmBackend.create({ threads: 1 });
  try {
    const cfg: Partial<UNetConfig> = {
      channels: [8, 16],
      blocksPerLevel: 1,
      attentionLevels: [1],
      groups: 4,
      headDim: 8,
    };
    const nets = [new UNet(one, cfg, Rng.seeded(5)), new UNet(wasm, cfg, Rng.seeded(5))];
    const N = 5,
      n = N * 16 * 16;
    const data = Float64Array.from({ length: n }, (_, i) => Math.sin(0.37 * i));
    const t = [0.1, 0.3, 0.5, 0.7, 0.9];
    const outs = nets.map((net) => {
      const x = net.be.alloc(n);
      net.be.write(x, data);
      const y = net.be.read(net.forward(tensor([N, 1, 16, 16], x), t).ptr, n);
      net.be.free(x);
      net.dispose();
      return y;
    });
    assert.equal(wasm.threads, 2);
    assert.deepEqual(outs[0], outs[1]);
  } finally {
    await one.dispose();
  }
});
