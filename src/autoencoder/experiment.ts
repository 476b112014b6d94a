/**
 * The paper's central experiment as one resumable run (docs/method.md §2, §5 item 1): train the per-time-step
 * autoencoder on the Gaussian mixture, generate with the learned velocity, and measure pHat, the training set's own p,
 * per-mode means and variances and the overlaps per time step.
 *
 * Fault tolerance: every `checkpointEvery` epochs (and on request, e.g. at SIGINT) the trainer state — parameters,
 * Adam moments, epoch, noise key — and the loss history are written atomically to `<dir>/checkpoint.bin`. The noise of
 * epoch e depends only on (seed, e), so resuming from a checkpoint ends at the same final result as an uninterrupted
 * run. A non-finite loss stops the run and leaves the last good checkpoint in place.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { createAeTrainer, type AeTrainerConfig, type AeTrainerState } from './trainer.js';
import { generateAndMeasure } from './generate.js';
import { computeOverlaps, type Overlaps } from './overlaps.js';
import { makeInterpolant } from '../interpolant/schedules.js';
import { saveCheckpoint, loadCheckpoint, CheckpointError } from '../io/checkpoint.js';
import { pollStop, stopRequested } from '../io/stop.js';
import type { GeneratedStats } from '../mixture/exactFlow.js';
import type { MemoryEstimate } from '../io/memory.js';
import { isGpuRunFailure } from '../gpu/errors.js';

/**
 * Everything that determines the result: the trainer's settings (threads excluded — results do not depend on the
 * thread count) plus the run length, generation and logging.
 */
export interface GmmConfig extends Omit<AeTrainerConfig, 'threads'> {
  epochs: number;
  /** Generated samples for pHat and the histograms (the paper: bs_te = 256). */
  genSamples: number;
  genMethod: 'euler' | 'heun';
  /** Record the loss every this many epochs. */
  logEvery: number;
}

export const GMM_PRESETS = {
  /** docs/method.md §2.6: the overlap figure's settings (hours on a laptop CPU, see `npm run bench`). */
  paper: {
    schedule: 'dilated',
    d: 5000,
    n: 128,
    T: 80,
    epochs: 40000,
    lr: 1e-4,
    lU: 1e-5,
    lW: 1e-5,
    kappa: 2,
    p: 0.8,
    sigma: 1,
    genSamples: 256,
  },
  /**
   * About half a minute on 2 cores. d 1000 with a coarse grid (T 20) keeps the effect of the dilation visible:
   * the exact field on this grid gives pHat 0.91 without dilation and 0.81 with it (phaseflow exact --grid-points 20
   * --sweep-d 1000); a learning rate of 4e-3 converges in 4000 epochs where the paper's 1e-4 needs tens of thousands.
   */
  quick: {
    schedule: 'dilated',
    d: 1000,
    n: 128,
    T: 20,
    epochs: 4000,
    lr: 4e-3,
    lU: 1e-5,
    lW: 1e-5,
    kappa: 2,
    p: 0.8,
    sigma: 1,
    genSamples: 2000,
  },
} as const satisfies Record<string, Partial<GmmConfig>>;

export type GmmPreset = keyof typeof GMM_PRESETS;

/**
 * Algorithm version of the gmm training run (trainer, both backends, generation, measurements): recorded in every
 * checkpoint and part of the cache keys of sweeps and reproduce stages. Bump it with any change that alters the
 * numbers (docs/architecture.md, "Caches"); a checkpoint of another version is not resumed (it could not continue
 * bit-identically). 2: the wasm |u|^2 after setParams is summed in the Adam step's order.
 */
export const GMM_ALGORITHM_VERSION = 2;

export interface CheckpointMeta {
  format: 'phaseflow.gmm-checkpoint';
  version: 1;
  /** GMM_ALGORITHM_VERSION of the code that wrote it (absent: 1). */
  algorithm?: number;
  config: GmmConfig;
  trainer: AeTrainerState['meta'];
  /** Training wall time so far (ms), summed over resumed segments. */
  trainMs: number;
}

export interface GmmResult extends GeneratedStats {
  /** Fraction of +1 labels in the fixed training set. */
  trainP: number;
  overlaps: Overlaps;
  msPerEpoch: number;
  loss: { final: number; epochs: number[]; values: number[]; perTime: number[] };
  projections: Float64Array;
  config: GmmConfig;
}

export type GmmOutcome =
  { status: 'done'; result: GmmResult } | { status: 'interrupted'; epoch: number; checkpoint: string };

export class NonFiniteLossError extends Error {
  constructor(
    readonly epoch: number,
    readonly checkpointEpoch: number | null,
    readonly checkpoint: string | null,
  ) {
    super(
      `loss became non-finite at epoch ${epoch}` +
        (checkpoint
          ? `; the last good checkpoint (epoch ${checkpointEpoch}) is kept at ${checkpoint}`
          : '; no checkpoint was written') +
        '; try a smaller --lr',
    );
    this.name = 'NonFiniteLossError';
  }
}

/** The GPU failed mid-run (device lost, out of device memory): the last checkpoint on disk is kept. */
export class DeviceFailureError extends Error {
  constructor(
    cause: Error,
    readonly epoch: number,
    readonly checkpointEpoch: number | null,
    readonly checkpoint: string | null,
  ) {
    super(
      `${cause.message} at epoch ${epoch}` +
        (checkpoint
          ? `; the last checkpoint (epoch ${checkpointEpoch}) is kept at ${checkpoint}`
          : '; no checkpoint was written'),
    );
    this.name = 'DeviceFailureError';
  }
}

export interface RunGmmOptions {
  config: GmmConfig;
  /** Folder for checkpoint.bin (no checkpoints without it). */
  dir?: string;
  /** Continue from `<dir>/checkpoint.bin`. */
  resume?: boolean;
  checkpointEvery?: number;
  threads?: number;
  /**
   * Polled between epochs and between work chunks of a long step (default: a SIGINT/SIGTERM was received, see
   * io/stop.ts); when true the run checkpoints at the last completed epoch and returns 'interrupted'.
   */
  shouldStop?: () => boolean;
  onProgress?: (epoch: number, loss: number) => void;
  /** Stop after this many epochs of this call (tests of resumption); the run is then 'interrupted'. */
  maxEpochsThisCall?: number;
}

/**
 * The memory a gmm run needs (the fixed training set in float64, the parameters, Adam moments and gradients, the
 * wasm kernel's float32 copies and per-unit gradient slots, the generated samples), for `checkMemory`.
 */
export function gmmMemory(cfg: Pick<GmmConfig, 'd' | 'n' | 'T' | 'genSamples' | 'backend'>): MemoryEstimate {
  const { d, n, T, genSamples } = cfg;
  const dp = Math.ceil(d / 8) * 8;
  const units = T * Math.max(1, Math.min(n, Math.ceil(64 / T)));
  const host = 8 * n * d + 8 * T * d * 12 + 16 * genSamples * d; // data, params/moments/exports, samples
  const wasm = cfg.backend === 'wasm' ? 4 * n * dp + 8 * T * dp * 11 + 4 * T * dp * 2 + 8 * units * dp : 0;
  const reference = cfg.backend === 'reference' ? 8 * T * d * 7 : 0;
  // webgpu: the host keeps float32 staging copies of the parameters and moments (the rest lives on the device)
  const webgpu = cfg.backend === 'webgpu' ? 4 * T * dp * 6 + 4 * n * dp : 0;
  return { bytes: host + wasm + reference + webgpu, largest: Math.max(n * d, genSamples * d, T * dp), wasm };
}

export function checkpointPath(dir: string): string {
  return join(dir, 'checkpoint.bin');
}

/** Read a GMM checkpoint, refusing foreign or corrupt files with a one-line message. */
export function readGmmCheckpoint(dir: string): {
  meta: CheckpointMeta;
  state: AeTrainerState;
  loss: { epochs: number[]; values: number[] };
} {
  const path = checkpointPath(dir);
  const ck = loadCheckpoint<CheckpointMeta>(path);
  if (!ck.meta || ck.meta.format !== 'phaseflow.gmm-checkpoint' || ck.meta.version !== 1) {
    throw new CheckpointError(`${path} is not a phaseflow gmm checkpoint`);
  }
  const { lossEpochs, lossValues, ...rest } = ck.arrays;
  const arrays: Record<string, Float64Array> = {};
  for (const [k, v] of Object.entries(rest)) {
    if (!(v instanceof Float64Array)) throw new CheckpointError(`${path}: array "${k}" has the wrong type`);
    arrays[k] = v;
  }
  return {
    meta: ck.meta,
    state: { meta: ck.meta.trainer, arrays },
    loss: { epochs: Array.from(lossEpochs ?? []), values: Array.from(lossValues ?? []) },
  };
}

/** Names of the fields where two configs differ. */
export function configDiff(a: GmmConfig, b: GmmConfig): string[] {
  return (Object.keys(a) as (keyof GmmConfig)[]).filter((k) => a[k] !== b[k]);
}

export async function runGmm(opts: RunGmmOptions): Promise<GmmOutcome> {
  const cfg = opts.config;
  const { epochs: _e, genSamples: _g, genMethod: _m, logEvery: _l, ...trainerCfg } = cfg;
  const trainer = await createAeTrainer({ ...trainerCfg, threads: opts.threads });
  const lossEpochs: number[] = [];
  const lossValues: number[] = [];
  let trainMs = 0;
  let lastCheckpointEpoch: number | null = null;
  const ckPath = opts.dir ? checkpointPath(opts.dir) : null;
  try {
    if (opts.resume) {
      if (!opts.dir || !existsSync(checkpointPath(opts.dir)))
        throw new CheckpointError(`no checkpoint to resume in ${opts.dir ?? '(no directory)'}`);
      const ck = readGmmCheckpoint(opts.dir);
      const algorithm = ck.meta.algorithm ?? 1;
      if (algorithm !== GMM_ALGORITHM_VERSION) {
        throw new CheckpointError(
          `${checkpointPath(opts.dir)} was written by gmm algorithm version ${algorithm}, this phaseflow has ${GMM_ALGORITHM_VERSION}; the run cannot continue exactly: start a new run`,
        );
      }
      const diff = configDiff(ck.meta.config, cfg);
      if (diff.length) throw new CheckpointError(`checkpoint config differs in ${diff.join(', ')}`);
      try {
        trainer.importState(ck.state);
      } catch (err) {
        throw new CheckpointError(`checkpoint does not match this run: ${(err as Error).message}`);
      }
      lossEpochs.push(...ck.loss.epochs);
      lossValues.push(...ck.loss.values);
      trainMs = ck.meta.trainMs;
      lastCheckpointEpoch = trainer.epoch;
    }
    const writeCheckpoint = () => {
      if (!ckPath) return;
      const state = trainer.exportState();
      for (const a of Object.values(state.arrays))
        for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return; // never save a broken state
      const meta: CheckpointMeta = {
        format: 'phaseflow.gmm-checkpoint',
        version: 1,
        algorithm: GMM_ALGORITHM_VERSION,
        config: cfg,
        trainer: state.meta,
        trainMs,
      };
      saveCheckpoint(ckPath, {
        meta,
        arrays: {
          ...state.arrays,
          lossEpochs: Float64Array.from(lossEpochs),
          lossValues: Float64Array.from(lossValues),
        },
      });
      lastCheckpointEpoch = trainer.epoch;
    };
    const every = opts.checkpointEvery ?? 0;
    const startEpoch = trainer.epoch;
    const shouldStop = opts.shouldStop ?? stopRequested;
    let segStart = performance.now();
    let lossNow = NaN;
    while (trainer.epoch < cfg.epochs) {
      if (opts.maxEpochsThisCall !== undefined && trainer.epoch - startEpoch >= opts.maxEpochsThisCall) break;
      // Let signal handlers run between epochs (the kernel step is synchronous) and inside a long reference step.
      if ((await pollStop()) || shouldStop()) break;
      const e = trainer.epoch;
      let loss: number | null;
      try {
        loss = await trainer.stepAsync(shouldStop);
      } catch (err) {
        if (isGpuRunFailure(err))
          throw new DeviceFailureError(err, e, lastCheckpointEpoch, lastCheckpointEpoch === null ? null : ckPath);
        throw err;
      }
      if (loss === null) break; // stopped inside the step: the state is that of epoch e
      lossNow = loss;
      if (!Number.isFinite(lossNow))
        throw new NonFiniteLossError(e, lastCheckpointEpoch, lastCheckpointEpoch === null ? null : ckPath);
      if (e % cfg.logEvery === 0 || trainer.epoch === cfg.epochs) {
        lossEpochs.push(e);
        lossValues.push(lossNow);
      }
      opts.onProgress?.(trainer.epoch, lossNow);
      if (every > 0 && trainer.epoch % every === 0 && trainer.epoch < cfg.epochs) {
        trainMs += performance.now() - segStart;
        segStart = performance.now();
        writeCheckpoint();
      }
    }
    trainMs += performance.now() - segStart;
    if (trainer.epoch < cfg.epochs) {
      writeCheckpoint();
      return { status: 'interrupted', epoch: trainer.epoch, checkpoint: ckPath ?? '' };
    }
    writeCheckpoint();
    const params = trainer.params();
    const perTime = Array.from(trainer.lossPerTime());
    const ts = trainer.trainSet();
    const interp = makeInterpolant(cfg.schedule, { d: cfg.d, kappa: cfg.kappa });
    const gen = generateAndMeasure({
      params,
      interp,
      samples: cfg.genSamples,
      seed: cfg.seed,
      method: cfg.genMethod,
      p: cfg.p,
      sigma: cfg.sigma,
    });
    let plus = 0;
    for (const s of ts.s) if (s > 0) plus++;
    const { projections, ...stats } = gen;
    return {
      status: 'done',
      result: {
        ...stats,
        trainP: plus / ts.s.length,
        overlaps: computeOverlaps(params, interp.tEnd),
        msPerEpoch: trainMs / Math.max(1, cfg.epochs),
        loss: { final: lossValues[lossValues.length - 1] ?? lossNow, epochs: lossEpochs, values: lossValues, perTime },
        projections,
        config: cfg,
      },
    };
  } finally {
    await trainer.close();
  }
}
