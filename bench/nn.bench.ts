/**
 * nn engine benchmarks, each beside the same model in PyTorch (CPU) measured in the same run (bench/torch_nn.py):
 *   conv-net step (docs/engines.md): input 64x1x28x28; conv3x3 1->32 same, ReLU; conv3x3 32->64 stride 2, ReLU;
 *     conv3x3 64->64 same; dense 12544->784; MSE; Adam.
 *   U-Net cases (`unetCases`): the networks the real-data experiment trains, and a wider one:
 *     quick-16      16x16, channels 8/16/32, one block per level, no attention (the quick scale)
 *     paper-32      32x32, channels 16/32/64, one block per level, attention at 8x8 and in the middle (the paper scale)
 *     paper-32-noattn  the same without attention
 *     wide-32       32x32, channels 32/64/128, two blocks per level, attention at 8x8 and in the middle
 *   For each: the training step (forward, eps-MSE, backward, gradient clip 1, AdamW; batch 32) and inference
 *   (forward only, batch 500: UNet.predict in chunks of 64 here, torch.no_grad over the whole batch in PyTorch),
 *   medians over timed repetitions after warm-up, and the wasm memory of each (a fresh pool per measurement, so the
 *   figure is that workload's high-water mark: the wasm memory never shrinks).
 * Figures: convStepMs, convStepTorchMs, convRatio, unetCases[{ name, resolution, channels, attention, params,
 *   paramsTorch, trainMs, trainTorchMs, trainRatio, trainRatioRange, inferMs, inferTorchMs, inferRatio,
 *   inferRatioRange, rounds, inferBatch, wasmBytes: { train, infer } }], nnSimd (the SIMD build measured), torchBlas (the BLAS library PyTorch loaded: Debian's torch
 *   uses the system libblas.so.3, which must be OpenBLAS — libopenblas0-pthread — not the reference BLAS, or every
 *   ratio with a matmul is flattered; the run warns). Torch figures are null when /usr/bin/python3 cannot import torch.
 *   Ratio = ours / torch (below 1: faster than PyTorch).
 * Rounds: each U-Net case is measured NN_BENCH_ROUNDS times (default 3), alternating ours and PyTorch's, and reported
 *   as medians over the rounds with the spread of the per-round ratios (trainRatioRange, inferRatioRange): on a shared
 *   machine one pass can land in a slow phase for one side only (seen here: the same ratio 1.0 in one pass, 1.2 in
 *   the next).
 * Vector width: WebAssembly SIMD is 128 bits wide on every host, while PyTorch's oneDNN and ATen kernels use the widest
 *   the CPU has (AVX-512 where present: measured here, capping it at AVX2 makes PyTorch's wide-32 step 1.5x slower).
 *   So the ratios depend on the host: `hostVectorIsa` records its widest x86 vector extension (from /proc/cpuinfo),
 *   and NN_BENCH_TORCH_ISA=avx2 caps PyTorch at AVX2 (DNNL_MAX_CPU_ISA, ATEN_CPU_CAPABILITY) to measure the same
 *   models against PyTorch on an AVX2-class CPU (`torchIsa`: "default" or the cap). The headline ratios are those
 *   against PyTorch as it runs by default.
 * Environment: NN_BENCH_THREADS (default 2), NN_BENCH_STEPS (default 10), NN_BENCH_ROUNDS (default 3),
 *   NN_BENCH_ONLY=conv|unet, NN_BENCH_TORCH_ISA=avx2|avx512 (default: uncapped),
 *   NN_BENCH_CASES=name,name (a subset), PHASEFLOW_SIMD=plain|relaxed.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createPool } from '../src/kernels/pool.js';
import { WasmBackend } from '../src/nn/kernels/wasm.js';
import type { Backend } from '../src/nn/kernels/backend.js';
import { benchConvNet } from '../src/nn/models/convnet.js';
import { UNet, unetConfig, type UNetConfig } from '../src/nn/models/unet.js';
import { mseLoss } from '../src/nn/loss.js';
import { Adam, AdamW, clipGradNorm } from '../src/nn/optim/index.js';
import { numel, tensor, type Tensor } from '../src/nn/tensor.js';
import { Rng } from '../src/random/rng.js';

export const name = 'nn';
/** `--backend webgpu`: the U-Net cases on WebGpuBackend (`unetCasesWebgpu`); the wasm path is unchanged. */
export const backends = ['wasm', 'webgpu'];

export interface UNetCase {
  name: string;
  resolution: number;
  config: Partial<UNetConfig>;
}

/** The four networks of the engine benchmark (mirrored by UNet in bench/torch_nn.py). */
export const UNET_CASES: UNetCase[] = [
  {
    name: 'quick-16',
    resolution: 16,
    config: {
      channels: [8, 16, 32],
      blocksPerLevel: 1,
      attentionLevels: [],
      midAttention: false,
      groups: 4,
      headDim: 8,
    },
  },
  {
    name: 'paper-32',
    resolution: 32,
    config: {
      channels: [16, 32, 64],
      blocksPerLevel: 1,
      attentionLevels: [2],
      midAttention: true,
      groups: 8,
      headDim: 8,
    },
  },
  {
    name: 'paper-32-noattn',
    resolution: 32,
    config: {
      channels: [16, 32, 64],
      blocksPerLevel: 1,
      attentionLevels: [],
      midAttention: false,
      groups: 8,
      headDim: 8,
    },
  },
  {
    name: 'wide-32',
    resolution: 32,
    config: {
      channels: [32, 64, 128],
      blocksPerLevel: 2,
      attentionLevels: [2],
      midAttention: true,
      groups: 8,
      headDim: 32,
    },
  },
];

const TRAIN_BATCH = 32;
const INFER_BATCH = 500;

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
  const x = randn(be, [64, 1, 28, 28], rng),
    y = randn(be, [64, 784], rng);
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

/** Median ms of one U-Net training step (batch 32) on `be`, and the parameter count. */
export function unetTrainStep(be: Backend, c: UNetCase, steps: number): { ms: number; params: number } {
  const rng = Rng.seeded(0);
  const net = new UNet(be, c.config, rng);
  const opt = new AdamW(net, { lr: 1e-4 });
  const shape = [TRAIN_BATCH, 1, c.resolution, c.resolution];
  const x = randn(be, shape, rng),
    eps = randn(be, shape, rng);
  const t = Array.from({ length: TRAIN_BATCH }, () => rng.uniform());
  const g = be.alloc(numel(shape));
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

/** Median ms of forward-only inference at batch 500 (UNet.predict). */
export function unetInfer(be: Backend, c: UNetCase, reps: number): number {
  const rng = Rng.seeded(1);
  const net = new UNet(be, c.config, rng);
  const shape = [INFER_BATCH, 1, c.resolution, c.resolution];
  const x = randn(be, shape, rng);
  const t = Array.from({ length: INFER_BATCH }, () => rng.uniform());
  const out = be.alloc(numel(shape));
  const ms = timeSteps(() => net.predict(x, t, out), 1, reps);
  be.free(x.ptr);
  be.free(out);
  net.dispose();
  return ms;
}

/** The vector-ISA caps NN_BENCH_TORCH_ISA accepts, as oneDNN (DNNL_MAX_CPU_ISA) and ATen (ATEN_CPU_CAPABILITY) name them. */
const TORCH_ISA_CAPS: Record<string, { dnnl: string; aten: string }> = {
  avx2: { dnnl: 'AVX2', aten: 'avx2' },
  avx512: { dnnl: 'AVX512_CORE', aten: 'avx512' },
};

/** NN_BENCH_TORCH_ISA, checked: a key of TORCH_ISA_CAPS, or 'default' when unset. */
export function torchIsaCap(env: NodeJS.ProcessEnv = process.env): string {
  const v = env.NN_BENCH_TORCH_ISA?.trim().toLowerCase();
  if (!v) return 'default';
  if (!(v in TORCH_ISA_CAPS)) {
    throw new Error(`NN_BENCH_TORCH_ISA: expected ${Object.keys(TORCH_ISA_CAPS).join(' or ')}, got "${v}"`);
  }
  return v;
}

/** The widest x86 vector extension of this host from /proc/cpuinfo ('avx512', 'avx2', 'sse'), or null elsewhere. */
export function hostVectorIsa(cpuinfo?: string): string | null {
  let text = cpuinfo;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return null;
    }
  }
  const flags = /^flags\s*:(.*)$/m.exec(text)?.[1].split(/\s+/) ?? [];
  if (flags.includes('avx512f')) return 'avx512';
  if (flags.includes('avx2')) return 'avx2';
  return flags.includes('sse2') ? 'sse' : null;
}

/** Runs bench/torch_nn.py with the given arguments; the last stdout line is JSON (null when torch is missing). */
function torch(args: string[], threads: number, log: (l: string) => void): Record<string, unknown> | null {
  const script = fileURLToPath(new URL('./torch_nn.py', import.meta.url));
  const cap = TORCH_ISA_CAPS[torchIsaCap()];
  const isaEnv = cap ? { DNNL_MAX_CPU_ISA: cap.dnnl, ONEDNN_MAX_CPU_ISA: cap.dnnl, ATEN_CPU_CAPABILITY: cap.aten } : {};
  const r = spawnSync('/usr/bin/python3', [script, ...args, '--threads', String(threads)], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: String(threads), ...isaEnv },
    timeout: 900_000,
  });
  if (r.status !== 0) {
    log(`torch reference unavailable: ${(r.stderr || r.error?.message || '').trim().split('\n').pop()}`);
    return null;
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
}

/** A case in the JSON form bench/torch_nn.py reads (the full U-Net config, defaults filled in). */
function torchCase(c: UNetCase): Record<string, unknown> {
  return {
    name: c.name,
    resolution: c.resolution,
    trainBatch: TRAIN_BATCH,
    inferBatch: INFER_BATCH,
    config: unetConfig(c.config),
  };
}

async function withBackend<T>(
  threads: number,
  f: (be: WasmBackend) => T,
): Promise<{ value: T; bytes: number; simd: string }> {
  const pool = await createPool({ threads });
  const be = await WasmBackend.create({ pool });
  try {
    const value = f(be);
    return { value, bytes: be.heapBytes(), simd: be.simd };
  } finally {
    await be.dispose();
    await pool.close();
  }
}

/** Median of the numbers among xs (null when there are none). */
function medianOf(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? median(v) : null;
}

/** [min, max] of the numbers among xs (null when there are none). */
function spread(xs: (number | null)[]): [number, number] | null {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.length ? [Math.min(...v), Math.max(...v)] : null;
}

const rangeText = (r: [number, number] | null): string => (r ? `(rounds ${r[0].toFixed(2)}-${r[1].toFixed(2)})` : '');

const ratio = (a: unknown, b: unknown): number | null =>
  typeof a === 'number' && typeof b === 'number' && b > 0 ? a / b : null;

function fmt(v: unknown, digits = 1): string {
  return typeof v === 'number' ? v.toFixed(digits) : 'n/a';
}

/**
 * `--backend webgpu`: median ms of `unetTrainStep` (its loss and gradient norm read back every step) and of
 * inference at batch INFER_BATCH, each ended by a read-back so the device has run the work, on one WebGPU device.
 * On a software adapter (llvmpipe) only quick-16 runs unless NN_BENCH_CASES names others: the paper's U-Net takes
 * minutes per step there. NN_BENCH_STEPS defaults to 3.
 */
async function runWebgpu(log: (line: string) => void): Promise<Record<string, unknown>> {
  const { WebGpuBackend } = await import('../src/nn/kernels/webgpu.js');
  const be = await WebGpuBackend.create();
  const out: Record<string, unknown> = {};
  try {
    const a = be.adapter;
    out.nnAdapter = {
      description: a.description,
      vendor: a.vendor,
      architecture: a.architecture,
      software: a.software,
    };
    log(`WebGPU adapter: ${a.description}`);
    const steps = Number(process.env.NN_BENCH_STEPS ?? 3);
    const pick = process.env.NN_BENCH_CASES?.split(',').map((s) => s.trim()) ?? (a.software ? ['quick-16'] : null);
    const rows: Record<string, unknown>[] = [];
    for (const c of UNET_CASES.filter((x) => !pick || pick.includes(x.name))) {
      const tr = unetTrainStep(be, c, steps);
      const rng = Rng.seeded(1);
      const net = new UNet(be, c.config, rng);
      const shape = [INFER_BATCH, 1, c.resolution, c.resolution];
      const x = randn(be, shape, rng);
      const t = Array.from({ length: INFER_BATCH }, () => rng.uniform());
      const y = be.alloc(numel(shape));
      const inferMs = timeSteps(
        () => {
          net.predict(x, t, y);
          be.read(y, 1); // waits for the device (finish() only submits)
        },
        1,
        Math.max(2, Math.floor(steps / 2)),
      );
      be.free(x.ptr);
      be.free(y);
      net.dispose();
      const cfg = unetConfig(c.config);
      rows.push({
        name: c.name,
        resolution: c.resolution,
        channels: cfg.channels,
        params: tr.params,
        trainBatch: TRAIN_BATCH,
        trainMs: tr.ms,
        inferBatch: INFER_BATCH,
        inferMs,
        steps,
      });
      log(
        `U-Net ${c.name} on WebGPU: train ${fmt(tr.ms)} ms/step (batch ${TRAIN_BATCH}), infer(${INFER_BATCH}) ${fmt(inferMs)} ms`,
      );
    }
    out.unetCasesWebgpu = rows;
  } finally {
    await be.dispose();
  }
  return out;
}

export async function run({
  log,
  backend,
}: {
  json: boolean;
  log: (line: string) => void;
  backend?: string;
}): Promise<Record<string, unknown>> {
  if (backend === 'webgpu') return runWebgpu(log);
  const threads = Number(process.env.NN_BENCH_THREADS ?? Math.min(2, availableParallelism()));
  const steps = Number(process.env.NN_BENCH_STEPS ?? 10);
  const only = process.env.NN_BENCH_ONLY ?? 'all';
  const pick = process.env.NN_BENCH_CASES?.split(',').map((s) => s.trim());
  const rounds = Math.max(1, Number(process.env.NN_BENCH_ROUNDS ?? 3));
  const out: Record<string, unknown> = { nnThreads: threads, hostVectorIsa: hostVectorIsa(), torchIsa: torchIsaCap() };
  // Each of our measurements is followed directly by PyTorch's on the same model, so both see similar machine load
  // (the machine is shared; the ratio is the figure to compare).
  if (only !== 'unet') {
    const r = await withBackend(threads, (be) => convStep(be, steps));
    out.convStepMs = r.value;
    out.nnSimd = r.simd;
    log(`conv-net step: ${r.value.toFixed(1)} ms (wasm ${r.simd} SIMD, ${threads} threads)`);
    const t = torch(['conv', '--steps', String(steps)], threads, log);
    out.convStepTorchMs = t?.convStepTorchMs ?? null;
    out.convRatio = ratio(out.convStepMs, out.convStepTorchMs);
    log(`  PyTorch ${fmt(out.convStepTorchMs)} ms, ratio ${fmt(out.convRatio, 2)}`);
  }
  if (only !== 'conv') {
    const cases = UNET_CASES.filter((c) => !pick || pick.includes(c.name));
    const rows: Record<string, unknown>[] = [];
    for (const c of cases) {
      // Rounds alternate ours and PyTorch's measurement of the same model, so slow phases of a shared machine fall on
      // both; the figures are medians over the rounds, and the spread of the per-round ratios is reported with them.
      const ours: { train: number; infer: number; params: number; bytes: { train: number; infer: number } }[] = [];
      const theirs: { train: number | null; infer: number | null; params: number | null }[] = [];
      for (let round = 0; round < rounds; round++) {
        const tr = await withBackend(threads, (be) => unetTrainStep(be, c, steps));
        const inf = await withBackend(threads, (be) => unetInfer(be, c, Math.max(3, Math.floor(steps / 2))));
        out.nnSimd = tr.simd;
        ours.push({
          train: tr.value.ms,
          infer: inf.value,
          params: tr.value.params,
          bytes: { train: tr.bytes, infer: inf.bytes },
        });
        const t = torch(['cases', JSON.stringify([torchCase(c)]), '--steps', String(steps)], threads, log);
        const tc = (t?.cases as Record<string, Record<string, number>> | undefined)?.[c.name];
        if (t && typeof t.torchBlas === 'string') out.torchBlas = t.torchBlas;
        if (round === 0 && t && typeof t.torchBlas === 'string' && !/openblas|mkl|blis/i.test(t.torchBlas)) {
          log(
            `warning: PyTorch's matrix products run on ${t.torchBlas} (the reference BLAS?): install libopenblas0-pthread, or the ratios are flattered`,
          );
        }
        theirs.push({
          train: tc?.trainTorchMs ?? null,
          infer: tc?.inferTorchMs ?? null,
          params: tc?.paramsTorch ?? null,
        });
      }
      const cfg = unetConfig(c.config);
      const trainMs = medianOf(ours.map((o) => o.train));
      const inferMs = medianOf(ours.map((o) => o.infer));
      const trainTorchMs = medianOf(theirs.map((o) => o.train));
      const inferTorchMs = medianOf(theirs.map((o) => o.infer));
      const row = {
        name: c.name,
        resolution: c.resolution,
        channels: cfg.channels,
        blocksPerLevel: cfg.blocksPerLevel,
        attention: { levels: cfg.attentionLevels, middle: cfg.midAttention },
        params: ours[0].params,
        paramsTorch: theirs[0].params,
        trainMs,
        trainTorchMs,
        trainRatio: ratio(trainMs, trainTorchMs),
        trainRatioRange: spread(ours.map((o, i) => ratio(o.train, theirs[i].train))),
        inferBatch: INFER_BATCH,
        inferMs,
        inferTorchMs,
        inferRatio: ratio(inferMs, inferTorchMs),
        inferRatioRange: spread(ours.map((o, i) => ratio(o.infer, theirs[i].infer))),
        rounds,
        wasmBytes: {
          train: Math.max(...ours.map((o) => o.bytes.train)),
          infer: Math.max(...ours.map((o) => o.bytes.infer)),
        },
      };
      rows.push(row);
      log(
        `U-Net ${c.name} (${row.params} parameters${row.paramsTorch === row.params ? ', = torch' : `, torch ${row.paramsTorch}`}): ` +
          `train ${fmt(row.trainMs)} / ${fmt(row.trainTorchMs)} ms = ${fmt(row.trainRatio, 2)}x ${rangeText(row.trainRatioRange)}, ` +
          `infer(${INFER_BATCH}) ${fmt(row.inferMs)} / ${fmt(row.inferTorchMs)} ms = ${fmt(row.inferRatio, 2)}x ${rangeText(row.inferRatioRange)}, ` +
          `wasm ${(row.wasmBytes.train / 2 ** 20).toFixed(0)} MiB train, ${(row.wasmBytes.infer / 2 ** 20).toFixed(0)} MiB infer` +
          ` (medians of ${rounds} alternating rounds)`,
      );
    }
    out.unetCases = rows;
  }
  return out;
}
