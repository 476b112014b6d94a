/**
 * Training the U-Net noise predictor with the paper's VP-SDE (docs/method.md §4.2-4.3), for any time sampler:
 *
 *   per step: a batch x1 (B, 1, 32, 32) from seeded epoch permutations of the training images,
 *             t_i ~ sampler (our time, 0 = noise), eps ~ N(0, I),
 *             x_t = alpha(t) eps + beta(t) x1          (VpSdeInterpolant(0.1, 20): beta = exp(-1/2 int_0^s rate), s = 1 - t)
 *             loss = mean (eps_hat(x_t, s = 1 - t) - eps)^2,   backward,  clip ||g|| <= clip,
 *             AdamW (weight decay 0.01) at lr(step) (cosine with linear warm-up, or constant), EMA of the weights.
 *
 * Reproducibility: all randomness of step k comes from a stream split off the run seed by k (times, noise) and from
 * the epoch permutations, so (a) a run resumed from a checkpoint takes exactly the steps of an uninterrupted run, and
 * (b) two runs with the same seed but different time samplers see the same images, the same noise and the same
 * initial weights, and their times come from the same uniforms (samplers draw by inversion): common random numbers
 * for the uniform vs phase-aware comparison.
 *
 * A run is identified by a hash of its `RunSpec` (data, network, optimiser, sampler spec, seed, starting point) —
 * not of its length: asking for more steps continues it (the learning-rate schedule is fixed by `scheduleSteps`).
 */
import type { BinarySplit } from '../data/binary.js';
import { VpSdeInterpolant } from '../interpolant/schedules.js';
import type { Backend } from '../nn/kernels/backend.js';
import { UNet, unetConfig, type UNetConfig } from '../nn/models/unet.js';
import { AdamW } from '../nn/optim/adam.js';
import { Ema } from '../nn/optim/ema.js';
import { cosineWithWarmup, type LrSchedule } from '../nn/optim/schedule.js';
import { saveModel } from '../nn/io/weights.js';
import { DenoiserTrainer } from '../nn/train.js';
import { Rng } from '../random/rng.js';
import { parseSampler } from '../sampler/parse.js';
import { EpochBatches, gather } from './classifier.js';
import type { DenoiserConfig } from './config.js';
import { networkTime } from './predictor.js';
import { hashOf, type RunStore, type TrainState } from './store.js';
import { versionsOf } from './versions.js';
import { join } from 'node:path';
import { pollStop, StopError, stopSignal } from '../io/stop.js';

/** The interpolant of every real-data experiment: the paper's VP-SDE, betaMin 0.1, betaMax 20. */
export const VP_SDE = new VpSdeInterpolant(0.1, 20);

/** Everything that determines a training run except its length. */
export interface RunSpec {
  /** Identity of the training images (hash of the data config and set size). */
  data: string;
  unet: UNetConfig;
  optim: Pick<DenoiserConfig, 'batch' | 'lr' | 'warmup' | 'weightDecay' | 'clip' | 'emaDecay' | 'schedule'> & {
    /** Length of the learning-rate schedule (the cosine reaches 0 there), counted from `scheduleStart`. */
    scheduleSteps: number;
    /**
     * Step at which the schedule starts (absent = 0): a continuation from a full state at step `start` with its own
     * schedule has lr(step) = schedule(step − start), warm-up included (the interval scan, docs/method.md §6.4).
     */
    scheduleStart?: number;
  };
  /** Canonical `parseSampler` spec of the training-time distribution. */
  sampler: string;
  seed: number;
  /** Start from the full state of another run at a step (continuations of the interval scan). */
  init?: { key: string; step: number };
}

/** The U-Net config of a denoiser config (epsilon prediction, time scale 1000, 1 channel, side `size`). */
export function unetOf(d: DenoiserConfig, size: number): UNetConfig {
  return unetConfig({
    inChannels: 1,
    outChannels: 1,
    channels: d.channels,
    blocksPerLevel: d.blocksPerLevel,
    attentionLevels: d.attentionLevels,
    midAttention: d.midAttention,
    groups: d.groups,
    headDim: d.headDim,
    timeScale: 1000,
    prediction: 'epsilon',
    sampleSize: size,
  });
}

/** A run spec from a denoiser config; `scheduleSteps` defaults to `d.steps`. */
export function runSpec(o: {
  data: string;
  size: number;
  denoiser: DenoiserConfig;
  sampler: string;
  seed: number;
  scheduleSteps?: number;
  init?: RunSpec['init'];
  /**
   * A schedule of its own for a continuation (with `init`): peak `lr`, `warmup` steps, cosine to 0 after `steps`
   * steps, all counted from the start step `init.step`. Replaces the config's lr, warm-up, schedule and length.
   */
  ownSchedule?: { lr: number; warmup: number; steps: number };
}): RunSpec {
  const d = o.denoiser;
  const own = o.ownSchedule;
  if (own && !o.init) throw new RangeError('runSpec: a schedule of its own is for a continuation (init)');
  return {
    data: o.data,
    unet: unetOf(d, o.size),
    optim: {
      batch: d.batch,
      lr: own ? own.lr : d.lr,
      warmup: own ? own.warmup : d.warmup,
      weightDecay: d.weightDecay,
      clip: d.clip,
      emaDecay: d.emaDecay,
      schedule: own ? 'cosine' : d.schedule,
      scheduleSteps: own ? own.steps : (o.scheduleSteps ?? d.steps),
      ...(own ? { scheduleStart: o.init!.step } : {}),
    },
    sampler: o.sampler,
    seed: o.seed,
    ...(o.init ? { init: o.init } : {}),
  };
}

/** Store key of a run: a readable label plus the spec hash. */
export function runKey(spec: RunSpec, label = 'run'): string {
  return `${label.replace(/[^A-Za-z0-9_.-]+/g, '_')}-${hashOf({ ...spec, code: versionsOf('data', 'denoiser') })}`;
}

/**
 * The learning rate at each (absolute) step: with s = step − scheduleStart, a linear warm-up lr·s/warmup, then a
 * cosine lr·(1 + cos(π p))/2 with p = (s − warmup)/(scheduleSteps − warmup) clamped to [0, 1] (or constant lr).
 */
export function lrSchedule(o: RunSpec['optim']): LrSchedule {
  const start = o.scheduleStart ?? 0;
  const f: LrSchedule =
    o.schedule === 'cosine'
      ? cosineWithWarmup({ base: o.lr, warmupSteps: o.warmup, totalSteps: o.scheduleSteps })
      : (s) => (s < o.warmup ? (o.lr * s) / Math.max(1, o.warmup) : o.lr);
  return start ? (s) => f(s - start) : f;
}

export class DenoiserDivergedError extends Error {
  constructor(step: number, loss: number) {
    super(`denoiser training diverged at step ${step} (loss ${loss}); lower --lr`);
    this.name = 'DenoiserDivergedError';
  }
}

export interface TrainDenoiserOptions {
  be: Backend;
  store: RunStore;
  spec: RunSpec;
  /** Readable prefix of the run's store key. */
  label?: string;
  /** Train until this (absolute) step. */
  steps: number;
  data: BinarySplit;
  /** Steps at which the sampling weights (EMA, or live without EMA) are kept for evaluation. */
  snapshots?: number[];
  /** Steps at which a full state is kept (starting points of continuations). */
  fullStates?: number[];
  checkpointEvery?: number;
  /** Loss log window (default steps / 50). */
  logEvery?: number;
  onProgress?: (step: number, total: number, loss: number) => void;
  /**
   * Called between steps; returning true stops after writing a checkpoint (the run then reports `stopped`). A stop
   * asked for by a signal (io/stop.ts, polled between steps) also writes the checkpoint, then throws `StopError`.
   */
  shouldStop?: () => boolean;
  /** Ignore what the store holds for this run and train it again from its start (overwriting it). */
  fresh?: boolean;
  /** Called once before training starts: the step it starts from and whether that is a resumed checkpoint. */
  onStart?: (from: number, resumed: boolean) => void;
}

export interface TrainedRun {
  key: string;
  spec: RunSpec;
  /** Step reached. */
  step: number;
  losses: [number, number][];
  trainMs: number;
  /** Mean wall-clock ms per step taken in this call (null when no step was taken). */
  msPerStep: number | null;
  /** Step this call started from (0 fresh, > 0 resumed or continued). */
  startedAt: number;
  stopped: boolean;
}

function readArena(net: UNet): Float32Array {
  return Float32Array.from(net.be.read(net.params.values, net.params.size));
}

/** The network a spec describes, initialised from the run seed (identical for every sampler). */
function buildNet(be: Backend, spec: RunSpec): UNet {
  return new UNet(be, spec.unet, Rng.seeded(spec.seed).split(0xd1ff).split(0));
}

/**
 * Train (or resume, or reuse) a run up to `steps`, keeping the requested snapshots. Returns without training when
 * the store already holds the run at `steps` with every requested snapshot.
 */
export async function trainDenoiser(o: TrainDenoiserOptions): Promise<TrainedRun> {
  const { be, store, spec, data } = o;
  const key = runKey(spec, o.label);
  const snapshots = new Set((o.snapshots ?? []).filter((s) => s <= o.steps));
  const fullStates = new Set((o.fullStates ?? []).filter((s) => s <= o.steps));
  const startStep = spec.init?.step ?? 0;
  for (const s of [...snapshots, ...fullStates]) {
    if (s <= startStep) throw new RangeError(`snapshot step ${s} is not after the run's start (${startStep})`);
  }
  let state = o.fresh ? null : store.loadState(key);
  const ownState = state;
  // A finished run whose missing snapshots lie in the past cannot provide them: start again from the beginning.
  if (state) {
    const missing = [...snapshots]
      .filter((s) => !store.loadSnapshot(key, s))
      .concat([...fullStates].filter((s) => !store.loadFullState(key, s)));
    const lost = missing.filter((s) => s < state!.step);
    if (lost.length) state = null;
    else if (state.step >= o.steps && missing.length === 0) {
      return {
        key,
        spec,
        step: state.step,
        losses: state.losses,
        trainMs: state.trainMs,
        msPerStep: null,
        startedAt: state.step,
        stopped: false,
      };
    }
  }
  if (!state && spec.init) {
    state = store.loadFullState(spec.init.key, spec.init.step);
    if (!state)
      throw new Error(`run ${key} starts from ${spec.init.key} at step ${spec.init.step}, which is not in the store`);
    state = { ...state, losses: [], lossWindow: [0, 0], trainMs: 0 };
  }
  const resumed = state !== null && state === ownState;
  const net = buildNet(be, spec);
  const opt = new AdamW(net, { lr: spec.optim.lr, weightDecay: spec.optim.weightDecay });
  if (state) {
    be.write(net.params.values, state.weights);
    opt.loadState(state.adam);
  }
  const ema = spec.optim.emaDecay > 0 ? new Ema(net, { decay: spec.optim.emaDecay, warmup: true }) : null;
  if (ema && state?.ema) {
    ema.load(state.ema);
    ema.updates = state.emaUpdates;
  }
  const trainer = new DenoiserTrainer(net, opt, {
    clip: spec.optim.clip,
    schedule: lrSchedule(spec.optim),
    ...(ema ? { ema } : {}),
  });
  const from = state?.step ?? 0;
  trainer.steps = from;
  const losses: [number, number][] = state ? [...state.losses] : [];
  let trainMs = state?.trainMs ?? 0;
  const B = spec.optim.batch;
  const root = Rng.seeded(spec.seed).split(0xd1ff);
  const batches = new EpochBatches(data.n, B, root.split(2));
  const stepRoot = root.split(1);
  const sampler = parseSampler(spec.sampler);
  const logEvery = o.logEvery ?? Math.max(1, Math.floor(o.steps / 50));
  const S = spec.unet.sampleSize,
    IMAGE_DIM = S * S;
  if (data.x.length !== data.n * IMAGE_DIM) throw new RangeError(`training images are not ${S} x ${S}`);
  const x1 = new Float32Array(B * IMAGE_DIM),
    eps = new Float32Array(B * IMAGE_DIM),
    xt = new Float32Array(B * IMAGE_DIM);
  const s = new Float64Array(B);
  const shape = [B, 1, S, S];
  const snapshotWeights = () => (ema ? ema.values() : readArena(net));
  const fullState = (step: number): TrainState => ({
    step,
    weights: readArena(net),
    ema: ema ? ema.values() : null,
    emaUpdates: ema?.updates ?? 0,
    adam: opt.state(),
    losses: [...losses],
    lossWindow: [acc, accN],
    trainMs,
  });
  // The running loss average of the current log window is part of the state, so a resumed run logs the same means.
  let [acc, accN] = state?.lossWindow ?? [0, 0];
  let stopped = false,
    stepMs = 0;
  o.onStart?.(from, resumed && from > 0 && from < o.steps);
  const saveSnapshot = (step: number) =>
    store.saveSnapshot(key, step, snapshotWeights(), (dir) =>
      saveModel(dir, net, {
        ...(ema ? { ema: ema.values() } : {}),
        metadata: { step: String(step), sampler: spec.sampler },
      }),
    );
  try {
    for (let step = from; step < o.steps; step++) {
      const t0 = performance.now();
      gather(data, batches.indices(step), x1);
      const r = stepRoot.split(step);
      const t = sampler.sample(r.split(0), B);
      r.split(1).fillNormal(eps);
      for (let n = 0; n < B; n++) {
        const c = VP_SDE.at(t[n]);
        s[n] = networkTime(t[n]);
        for (let i = n * IMAGE_DIM; i < (n + 1) * IMAGE_DIM; i++) xt[i] = c.alpha * eps[i] + c.beta * x1[i];
      }
      const res = trainer.step(xt, s, eps, shape);
      const dt = performance.now() - t0;
      trainMs += dt;
      stepMs += dt;
      if (!Number.isFinite(res.loss)) throw new DenoiserDivergedError(step, res.loss);
      acc += res.loss;
      accN++;
      const done = step + 1;
      if (done % logEvery === 0 || done === o.steps) {
        losses.push([done, acc / accN]);
        acc = accN = 0;
      }
      if (snapshots.has(done)) saveSnapshot(done);
      if (fullStates.has(done)) store.saveFullState(key, fullState(done));
      o.onProgress?.(done, o.steps, res.loss);
      const signalled = done < o.steps && (await pollStop());
      const stop = signalled || (o.shouldStop?.() ?? false);
      if (done === o.steps || stop || (o.checkpointEvery && done % o.checkpointEvery === 0))
        store.saveState(key, fullState(done));
      if (signalled) {
        const ck = store.runDir ? join(store.runDir(key), 'state.ckpt') : null;
        throw new StopError(stopSignal(), `at step ${done} of ${o.steps} of run ${key}`, ck);
      }
      if (stop && done < o.steps) {
        stopped = true;
        break;
      }
    }
    if (from >= o.steps) {
      // Reached already (only snapshots were missing at the current step): provide them from the current weights.
      if (snapshots.has(from) && !store.loadSnapshot(key, from)) saveSnapshot(from);
      if (fullStates.has(from) && !store.loadFullState(key, from)) store.saveFullState(key, fullState(from));
    }
  } finally {
    trainer.dispose();
    ema?.dispose();
    opt.dispose();
    net.dispose();
  }
  const taken = Math.max(0, Math.min(o.steps, trainer.steps) - from);
  return {
    key,
    spec,
    step: trainer.steps,
    losses,
    trainMs,
    msPerStep: taken > 0 ? stepMs / taken : null,
    startedAt: from,
    stopped,
  };
}

/** A U-Net holding the sampling weights of run `key` at `step` (dispose it after use). */
export function loadSnapshotNet(be: Backend, store: RunStore, key: string, spec: RunSpec, step: number): UNet {
  const w = store.loadSnapshot(key, step);
  if (!w) throw new Error(`no snapshot of run ${key} at step ${step}`);
  const net = buildNet(be, spec);
  if (w.length !== net.params.size) {
    net.dispose();
    throw new Error(`snapshot of ${key} has ${w.length} weights, the network ${net.params.size}`);
  }
  be.write(net.params.values, w);
  return net;
}
