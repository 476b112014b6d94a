/**
 * Memory check of the nn engine: a full U-Net training loop (fresh times and noise every step, forward, MSE, backward,
 * gradient clipping, AdamW with a cosine schedule, EMA, a safetensors checkpoint every 2,500 steps) for 10,000 steps,
 * printing resident memory at intervals. Run once, by hand (not part of `npm run bench`):
 *   node --import tsx bench/nn-memory.ts [--steps 10000] [--every 1000] [--threads 2]
 * Prints one line per interval and a final JSON summary on stdout: RSS, V8 heap, wasm memory and engine allocations
 * at the first and last interval, and their growth. The model is small (channels 8/16/32 at 16x16, batch 8) so the
 * loop exercises every layer type quickly; leaks, if any, scale with steps, not with model size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool } from '../src/kernels/pool.js';
import { WasmBackend } from '../src/nn/kernels/wasm.js';
import { UNet } from '../src/nn/models/unet.js';
import { mseLoss } from '../src/nn/loss.js';
import { AdamW, clipGradNorm, cosineWithWarmup, Ema } from '../src/nn/optim/index.js';
import { saveModel } from '../src/nn/io/weights.js';
import { tensor } from '../src/nn/tensor.js';
import { Rng } from '../src/random/rng.js';

const argv = process.argv.slice(2);
const arg = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const steps = arg('steps', 10_000),
  every = arg('every', 1000),
  threads = arg('threads', 2);

const pool = await createPool({ threads });
const be = await WasmBackend.create({ pool });
const rng = Rng.seeded(1);
const net = new UNet(
  be,
  { channels: [8, 16, 32], blocksPerLevel: 1, attentionLevels: [2], groups: 4, headDim: 8 },
  rng,
);
const opt = new AdamW(net, { lr: 1e-3 });
const ema = new Ema(net, { decay: 0.999 });
const lr = cosineWithWarmup({ base: 1e-3, warmupSteps: 100, totalSteps: steps });
const N = 8,
  shape = [N, 1, 16, 16],
  n = N * 256;
const x0 = be.alloc(n),
  noise = be.alloc(n),
  xt = be.alloc(n),
  grad = be.alloc(n);
const data = new Float32Array(n);
for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37) > 0 ? 1 : -1; // a fixed "image" batch
be.write(x0, data);
const dir = mkdtempSync(join(tmpdir(), 'phaseflow-nn-mem-'));

interface Sample {
  step: number;
  rssMiB: number;
  heapUsedMiB: number;
  heapTotalMiB: number;
  externalMiB: number;
  arrayBuffersMiB: number;
  wasmMiB: number;
  engineMiB: number;
  loss: number;
}
const samples: Sample[] = [];
const mib = (b: number): number => Math.round((b / 1048576) * 10) / 10;
const t0 = performance.now();
let loss = 0;
const xs = new Float32Array(n),
  eps = new Float32Array(n);
for (let step = 1; step <= steps; step++) {
  // x_t = a(t) eps + b(t) x0 with a VP-like schedule; the target is eps.
  const times = Array.from({ length: N }, () => rng.uniform());
  for (let b = 0; b < N; b++) {
    const bt = Math.exp(-5 * times[b] * times[b]),
      at = Math.sqrt(1 - bt * bt);
    for (let i = 0; i < 256; i++) {
      const e = rng.normal();
      eps[b * 256 + i] = e;
      xs[b * 256 + i] = at * e + bt * data[b * 256 + i];
    }
  }
  be.write(noise, eps);
  be.write(xt, xs);
  net.zeroGrad();
  const y = net.forward(tensor(shape, xt), times);
  loss = mseLoss(be, y, noise, grad);
  net.backward(tensor(shape, grad));
  clipGradNorm(net, 1);
  opt.step(lr(step - 1));
  ema.update();
  if (step % 2500 === 0) saveModel(join(dir, 'ckpt'), net, { ema: ema.values() });
  if (step % every === 0 || step === 1) {
    if (global.gc) global.gc();
    const m = process.memoryUsage();
    const s: Sample = {
      step,
      rssMiB: mib(m.rss),
      heapUsedMiB: mib(m.heapUsed),
      heapTotalMiB: mib(m.heapTotal),
      externalMiB: mib(m.external),
      arrayBuffersMiB: mib(m.arrayBuffers),
      wasmMiB: mib(be.heapBytes()),
      engineMiB: mib(be.allocated() * 4),
      loss: Math.round(loss * 1e4) / 1e4,
    };
    samples.push(s);
    process.stderr.write(
      `step ${step}: rss ${s.rssMiB} MiB, V8 heap ${s.heapUsedMiB} / ${s.heapTotalMiB} MiB, wasm ${s.wasmMiB} MiB, ` +
        `engine buffers ${s.engineMiB} MiB, loss ${s.loss}, ${((performance.now() - t0) / step).toFixed(1)} ms/step\n`,
    );
  }
}
const first = samples.find((s) => s.step >= every) ?? samples[0];
const last = samples[samples.length - 1];
const summary = {
  steps,
  threads,
  msPerStep: (performance.now() - t0) / steps,
  first,
  last,
  rssGrowthMiB: Math.round((last.rssMiB - first.rssMiB) * 10) / 10,
  heapGrowthMiB: Math.round((last.heapUsedMiB - first.heapUsedMiB) * 10) / 10,
  wasmGrowthMiB: Math.round((last.wasmMiB - first.wasmMiB) * 10) / 10,
  engineGrowthMiB: Math.round((last.engineMiB - first.engineMiB) * 10) / 10,
  samples,
};
process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
rmSync(dir, { recursive: true, force: true });
opt.dispose();
ema.dispose();
net.dispose();
await be.dispose();
await pool.close();
