/**
 * nn engine benchmarks, each beside the same model in PyTorch (CPU) measured in the same run:
 *   conv-net step (ENGINES.md): input 64x1x28x28; conv3x3 1->32 same, ReLU; conv3x3 32->64 stride 2, ReLU;
 *     conv3x3 64->64 same; dense 12544->784; MSE; Adam.
 *   U-Net step: 32x32x1 input, batch 32, channels 32/64/128, 2 blocks per level, attention at 8x8 and in the middle,
 *     GroupNorm 8, head size 32; eps-MSE, backward, gradient clipping at 1, AdamW.
 * Figures: convStepMs, convStepTorchMs, convRatio, unetStepMs, unetStepTorchMs, unetRatio (ratio = ours / torch;
 * torch figures are null when /usr/bin/python3 cannot import torch). Medians over timed steps after warm-up.
 * Environment: NN_BENCH_THREADS (default 2), NN_BENCH_STEPS (default 10), NN_BENCH_ONLY=conv|unet.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createPool } from '../src/kernels/pool.js';
import { WasmBackend } from '../src/nn/kernels/wasm.js';
import type { Backend } from '../src/nn/kernels/backend.js';
import { benchConvNet } from '../src/nn/models/convnet.js';
import { UNet, type UNetConfig } from '../src/nn/models/unet.js';
import { mseLoss } from '../src/nn/loss.js';
import { Adam, AdamW, clipGradNorm } from '../src/nn/optim/index.js';
import { numel, tensor, type Tensor } from '../src/nn/tensor.js';
import { Rng } from '../src/random/rng.js';

export const name = 'nn';

/** The U-Net of the benchmark (mirrored by UNet in bench/torch_nn.py). */
export const benchUNetConfig: Partial<UNetConfig> = {
  channels: [32, 64, 128], blocksPerLevel: 2, attentionLevels: [2], midAttention: true, groups: 8, headDim: 32,
};

function randn(be: Backend, shape: number[], rng: Rng): Tensor {
  const n = numel(shape);
  const p = be.alloc(n);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal();
  be.write(p, v);
  return tensor(shape, p);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeSteps(step: () => void, warmup: number, steps: number): number {
  for (let i = 0; i < warmup; i++) step();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** Median ms of one conv-net training step on `be`. */
export function convStep(be: Backend, steps: number): number {
  const rng = Rng.seeded(0);
  const net = benchConvNet(be, rng);
  const opt = new Adam(net, { lr: 1e-3 });
  const x = randn(be, [64, 1, 28, 28], rng), y = randn(be, [64, 784], rng);
  const g = be.alloc(64 * 784);
  const step = (): void => {
    net.zeroGrad();
    const out = net.forward(x);
    mseLoss(be, out, y.ptr, g);
    net.backward(tensor(out.shape, g));
    opt.step();
  };
  const ms = timeSteps(step, 3, steps);
  for (const p of [x.ptr, y.ptr, g]) be.free(p);
  opt.dispose();
  net.dispose();
  return ms;
}

/** Median ms of one U-Net training step on `be` (batch 32, 32x32), and the parameter count. */
export function unetStep(be: Backend, steps: number): { ms: number; params: number } {
  const rng = Rng.seeded(0);
  const net = new UNet(be, benchUNetConfig, rng);
  const opt = new AdamW(net, { lr: 1e-4 });
  const x = randn(be, [32, 1, 32, 32], rng), eps = randn(be, [32, 1, 32, 32], rng);
  const t = Array.from({ length: 32 }, () => rng.uniform());
  const g = be.alloc(32 * 1024);
  const step = (): void => {
    net.zeroGrad();
    const out = net.forward(x, t);
    mseLoss(be, out, eps.ptr, g);
    net.backward(tensor(out.shape, g));
    clipGradNorm(net, 1);
    opt.step();
  };
  const ms = timeSteps(step, 2, steps);
  const params = net.paramCount();
  for (const p of [x.ptr, eps.ptr, g]) be.free(p);
  opt.dispose();
  net.dispose();
  return { ms, params };
}

/** PyTorch timings from bench/torch_nn.py, or nulls when torch is unavailable. */
function torchFigures(which: string, threads: number, steps: number, log: (l: string) => void): Record<string, number | null> {
  const script = fileURLToPath(new URL('./torch_nn.py', import.meta.url));
  const r = spawnSync('/usr/bin/python3', [script, which, '--threads', String(threads), '--steps', String(steps)], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: String(threads) },
    timeout: 600_000,
  });
  if (r.status !== 0) {
    log(`torch reference unavailable: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
    return { convStepTorchMs: null, unetStepTorchMs: null };
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

export async function run({ log }: { json: boolean; log: (line: string) => void }): Promise<Record<string, unknown>> {
  const threads = Number(process.env.NN_BENCH_THREADS ?? Math.min(2, availableParallelism()));
  const steps = Number(process.env.NN_BENCH_STEPS ?? 10);
  const only = process.env.NN_BENCH_ONLY ?? 'all';
  const out: Record<string, unknown> = { nnThreads: threads };
  // Each of our measurements is followed directly by PyTorch's on the same model, so both see similar machine load
  // (the machine is shared; the ratio is the figure to compare).
  const pool = await createPool({ threads });
  const be = await WasmBackend.create({ pool });
  try {
    if (only !== 'unet') {
      out.convStepMs = convStep(be, steps);
      log(`conv-net step: ${(out.convStepMs as number).toFixed(1)} ms (wasm SIMD, ${threads} threads)`);
      out.convStepTorchMs = torchFigures('conv', threads, steps, log).convStepTorchMs ?? null;
    }
    if (only !== 'conv') {
      const u = unetStep(be, steps);
      out.unetStepMs = u.ms;
      out.unetParams = u.params;
      log(`U-Net step: ${u.ms.toFixed(1)} ms, ${u.params} parameters`);
      const t = torchFigures('unet', threads, steps, log);
      out.unetStepTorchMs = t.unetStepTorchMs ?? null;
      if ('unetParamsTorch' in t) out.unetParamsTorch = t.unetParamsTorch;
    }
  } finally {
    await be.dispose();
    await pool.close();
  }
  const ratio = (a: unknown, b: unknown): number | null =>
    typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;
  out.convRatio = ratio(out.convStepMs, out.convStepTorchMs);
  out.unetRatio = ratio(out.unetStepMs, out.unetStepTorchMs);
  log(`PyTorch: conv ${fmt(out.convStepTorchMs)} ms (ratio ${fmt(out.convRatio, 2)}), U-Net ${fmt(out.unetStepTorchMs)} ms (ratio ${fmt(out.unetRatio, 2)})`);
  return out;
}

function fmt(v: unknown, digits = 1): string {
  return typeof v === 'number' ? v.toFixed(digits) : 'n/a';
}
