// A small U-Net on the WebGPU backend (src/nn/kernels/webgpu.ts) against the float64 reference backend: output and
// every parameter gradient, then a few AdamW training steps against the wasm backend. Small sizes: CI runs this on
// Mesa's software adapter.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random/rng.js';
import { RefBackend } from '../../src/nn/kernels/ref.js';
import { WasmBackend } from '../../src/nn/kernels/wasm.js';
import { WebGpuBackend } from '../../src/nn/kernels/webgpu.js';
import type { Backend } from '../../src/nn/kernels/backend.js';
import { UNet, type UNetConfig } from '../../src/nn/models/unet.js';
import { AdamW } from '../../src/nn/optim/adam.js';
import { mseLoss } from '../../src/nn/loss.js';
import { numel, tensor, type Tensor } from '../../src/nn/tensor.js';
import { gpuForTests } from '../helpers/gpu.js';

const gpu = await gpuForTests();
const skip = gpu.skip;
const dev = skip ? null : await WebGpuBackend.create({ host: gpu.host! });
after(async () => {
  await dev?.dispose();
  await gpu.host?.close();
});

const cfg: Partial<UNetConfig> = { channels: [8, 16], blocksPerLevel: 1, attentionLevels: [1], groups: 4, headDim: 8 };
const shape = [3, 1, 8, 8];
const times = [0.1, 0.5, 0.9];

function randomInput(be: Backend, seed: number): Tensor {
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

/** `steps` AdamW steps on a fixed batch; the losses, then the output, gradients and parameters at the end. */
function train(be: Backend, steps: number) {
  const net = new UNet(be, cfg, Rng.seeded(11));
  const opt = new AdamW(net, { lr: 1e-3 });
  const x = randomInput(be, 12);
  const target = randomInput(be, 13);
  const g = be.alloc(numel(shape));
  const losses: number[] = [];
  let out: Float64Array = new Float64Array(0);
  for (let s = 0; s <= steps; s++) {
    const y = net.forward(x, times);
    out = be.read(y.ptr, numel(y.shape));
    losses.push(mseLoss(be, y, target.ptr, g));
    net.zeroGrad();
    net.backward(tensor(shape, g));
    if (s < steps) opt.step();
  }
  const grads = be.read(net.params.grads, net.params.size);
  const params = be.read(net.params.values, net.params.size);
  for (const p of [x.ptr, target.ptr, g]) be.free(p);
  net.dispose();
  return { losses, out, grads, params };
}

test('U-Net on WebGPU matches the float64 reference: output and all parameter gradients', { skip }, () => {
  const r = train(new RefBackend(), 0);
  const d = train(dev!, 0);
  assert.ok(maxRel(d.out, r.out) < 1e-4, `output rel error ${maxRel(d.out, r.out)}`);
  assert.ok(maxRel(d.grads, r.grads) < 1e-3, `gradient rel error ${maxRel(d.grads, r.grads)}`);
});

test('three AdamW training steps of the U-Net follow the wasm backend', { skip }, async () => {
  const wasm = await WasmBackend.create({ threads: 1 });
  try {
    const w = train(wasm, 3);
    const d = train(dev!, 3);
    for (let s = 0; s < w.losses.length; s++)
      assert.ok(
        Math.abs(d.losses[s] - w.losses[s]) < 1e-4 * w.losses[s],
        `loss ${s}: ${d.losses[s]} vs ${w.losses[s]}`,
      );
    // Adam moves a parameter by about lr per step whatever its gradient's size, so where a gradient is at rounding
    // level the two backends may step in different directions: at most 2 lr per step apart (measured 8e-5 relative)
    let worst = 0;
    for (let i = 0; i < w.params.length; i++) worst = Math.max(worst, Math.abs(d.params[i] - w.params[i]));
    assert.ok(worst <= 2 * 1e-3 * 3, `largest parameter difference ${worst}`);
  } finally {
    await wasm.dispose();
  }
});

test('the WebGPU backend has no host heap: indexing it says so', { skip }, () => {
  assert.throws(() => dev!.heap, /heap on the device: use read\(\) and write\(\)/);
});
