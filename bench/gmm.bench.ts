/**
 * Gaussian-mixture autoencoder: one training step (fresh noise, forward, backward, Adam) at d 1000, n 128, T 40
 * (5.12 M normals per step), dilated schedule, through the trainer API:
 *   msRef      plain-TypeScript float64 reference (single thread)
 *   msWasm1    fused wasm SIMD kernel, 1 thread
 *   msWasmAll  the same on all cores (os.availableParallelism())
 *   msTorch    PyTorch, vectorised like the authors' code (bench/torch_ae_step.py: float32, 2 threads,
 *              OPENBLAS_NUM_THREADS=1), measured in the same run; null when /usr/bin/python3 cannot import torch
 *   ratio      msWasmAll / msTorch (target <= 0.15)
 * Medians over timed steps after warm-up (the two wasm trainers alternate step by step). Also prints the projected wall time of the paper's preset (d 5000, n 128,
 * T 80, 40000 epochs) from the all-core speed scaled by d n T.
 * Environment: GMM_BENCH_STEPS (default 15 timed wasm steps).
 *
 * With `--backend webgpu` (bench/run.ts): the same step on the WebGPU device (msWebgpu), then the paper's size
 * itself (msWebgpuPaper; GMM_BENCH_PAPER_STEPS timed steps, default 3), whose time x 40000 is the projected paper
 * preset: a GPU is far from saturated at the smaller size, so it is not scaled from there. Also the adapter.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createAeTrainer, type AeTrainer, type AeTrainerOptions } from '../src/autoencoder/trainer.js';
import { GpuHost } from '../src/gpu/host.js';

export const name = 'gmm';
export const backends = ['wasm', 'webgpu'];

const D = 1000,
  N = 128,
  T = 40;
const PAPER = { d: 5000, n: 128, T: 80, epochs: 40000 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function trainer(opts: Partial<AeTrainerOptions>): Promise<AeTrainer> {
  return createAeTrainer({ schedule: 'dilated', d: D, n: N, T, seed: 1, ...opts });
}

/**
 * Median ms per step of each trainer, after `warmup` steps each. The trainers take turns step by step, so that on a
 * shared machine they see the same background load.
 */
function medianStepMs(trainers: AeTrainer[], warmup: number, steps: number): number[] {
  for (const tr of trainers) for (let i = 0; i < warmup; i++) tr.step();
  const times = trainers.map(() => [] as number[]);
  for (let i = 0; i < steps; i++) {
    trainers.forEach((tr, k) => {
      const t0 = performance.now();
      tr.step();
      times[k].push(performance.now() - t0);
    });
  }
  return times.map(median);
}

/** Median ms per step of bench/torch_ae_step.py, or null without torch. */
function torchMs(log: (l: string) => void): number | null {
  const py = '/usr/bin/python3';
  const probe = spawnSync(py, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    log('torch: not available (/usr/bin/python3 -c "import torch" failed); msTorch = null');
    return null;
  }
  const script = fileURLToPath(new URL('./torch_ae_step.py', import.meta.url));
  const res = spawnSync(
    py,
    [script, '--d', String(D), '--n', String(N), '--T', String(T), '--threads', '2', '--warmup', '5', '--steps', '20'],
    {
      encoding: 'utf8',
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
    },
  );
  if (res.status !== 0) {
    log(`torch: script failed: ${res.stderr.trim().split('\n').pop()}`);
    return null;
  }
  const out = JSON.parse(res.stdout.trim().split('\n').pop() as string) as { msMedian: number; torch: string };
  log(`torch ${out.torch}: ${out.msMedian.toFixed(2)} ms/step`);
  return out.msMedian;
}

async function runWebgpu(log: (line: string) => void): Promise<Record<string, unknown>> {
  const host = await GpuHost.open();
  const adapter = host.adapter;
  await host.close();
  log(`WebGPU adapter: ${adapter.description}${adapter.software ? ' (software: correctness, not speed)' : ''}`);
  const steps = Number(process.env.GMM_BENCH_STEPS ?? 5);
  const small = await trainer({ backend: 'webgpu' });
  const [msWebgpu] = medianStepMs([small], 2, steps);
  await small.close();
  log(`AE step d=${D} n=${N} T=${T} (dilated) on WebGPU: ${msWebgpu.toFixed(2)} ms/step`);
  const paperSteps = Number(process.env.GMM_BENCH_PAPER_STEPS ?? 3);
  const paper = await createAeTrainer({
    schedule: 'dilated',
    d: PAPER.d,
    n: PAPER.n,
    T: PAPER.T,
    seed: 1,
    backend: 'webgpu',
  });
  const [msWebgpuPaper] = medianStepMs([paper], 1, paperSteps);
  await paper.close();
  const projS = (msWebgpuPaper * PAPER.epochs) / 1000;
  log(
    `paper preset (d ${PAPER.d}, n ${PAPER.n}, T ${PAPER.T}) on WebGPU: ${msWebgpuPaper.toFixed(1)} ms/epoch, ` +
      `projected ${PAPER.epochs} epochs: ${projS.toFixed(0)} s (${(projS / 60).toFixed(1)} min)`,
  );
  return {
    gmmWebgpuAdapter: adapter.description,
    gmmWebgpuSoftware: adapter.software,
    msWebgpu,
    msWebgpuPaper,
    gmmWebgpuPaperPresetProjectedS: projS,
  };
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
  const steps = Number(process.env.GMM_BENCH_STEPS ?? 15);
  const all = availableParallelism();
  log(`AE step d=${D} n=${N} T=${T} (dilated), ${all} cores`);
  const ref = await trainer({ backend: 'reference' });
  const [msRef] = medianStepMs([ref], 1, 3);
  await ref.close();
  log(`reference (TS float64, 1 thread): ${msRef.toFixed(1)} ms/step`);
  const msTorch = torchMs(log);
  const one = await trainer({ backend: 'wasm', threads: 1 });
  const many = await trainer({ backend: 'wasm', threads: all });
  const [msWasm1, msWasmAll] = medianStepMs([one, many], 5, steps);
  await one.close();
  await many.close();
  log(`wasm SIMD, 1 thread: ${msWasm1.toFixed(2)} ms/step`);
  log(`wasm SIMD, ${all} threads: ${msWasmAll.toFixed(2)} ms/step`);
  const ratio = msTorch === null ? null : msWasmAll / msTorch;
  if (ratio !== null) log(`ratio wasm(all cores) / torch = ${ratio.toFixed(3)} (target <= 0.15)`);
  const scale = (PAPER.d * PAPER.n * PAPER.T) / (D * N * T);
  const projS = (msWasmAll * scale * PAPER.epochs) / 1000;
  log(
    `projected paper preset (d ${PAPER.d}, n ${PAPER.n}, T ${PAPER.T}, ${PAPER.epochs} epochs) on ${all} cores: ` +
      `${(msWasmAll * scale).toFixed(1)} ms/epoch, ${(projS / 60).toFixed(1)} min`,
  );
  return { msRef, msWasm1, msWasmAll, msTorch, ratio, gmmThreads: all, gmmPaperPresetProjectedS: projS };
}
