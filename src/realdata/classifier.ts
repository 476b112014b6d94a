/**
 * The feature oracle of the real-data experiments (docs/method.md §4.5, §7 item 12): a small CNN (`Classifier`, two
 * classes: 0 = class A, 1 = class B) trained by phaseflow on the balanced two-class set of `oracleDataset`, with
 *
 *   classify(x)  argmax of the logits, after clamping pixels to [-1, 1] (generated images overshoot a little; the
 *                real ones are already in range);
 *   features(x)  the penultimate activations (after the hidden ReLU), the feature space of the Fréchet distance;
 *   accuracy     on the held-out split, with a Wilson 95 % interval, reported with every result that uses the oracle.
 *
 * Training: softmax cross-entropy, Adam with a cosine decay to 0, batches from seeded epoch permutations.
 * Weights are saved as `<dir>/model.safetensors` + `config.json` (saveModel) and the evaluation as `oracle.json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BinaryDataset, BinarySplit } from '../data/binary.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { NONE, type Backend, type Ptr } from '../nn/kernels/backend.js';
import { Classifier, type ClassifierConfig } from '../nn/models/classifier.js';
import { Adam } from '../nn/optim/adam.js';
import { cosineWithWarmup } from '../nn/optim/schedule.js';
import { loadModel, saveModel } from '../nn/io/weights.js';
import { ClassifierTrainer } from '../nn/train.js';
import { tensor } from '../nn/tensor.js';
import { Rng } from '../random/rng.js';
import { wilson, type Proportion } from '../uturn/binomial.js';
import type { OracleConfig } from './config.js';
import { splitDim } from './dataset.js';
import { pollStop, StopError, stopSignal } from '../io/stop.js';

export interface OracleInfo {
  /** Held-out accuracy (Wilson 95 % interval) and per class. */
  accuracy: Proportion;
  accuracyA: Proportion;
  accuracyB: Proportion;
  /** What the accuracy was measured on. */
  heldOut: { n: number; source: string; classA: number; classB: number };
  config: OracleConfig | null;
  /** Training steps taken (null for a loaded oracle without record). */
  steps: number | null;
  trainSeconds: number | null;
  params: number;
  featureDim: number;
}

/** Deterministic mini-batch order: epoch e is a permutation drawn from rng.split(e). */
export class EpochBatches {
  private epoch = -1;
  private perm: Int32Array = new Int32Array(0);
  constructor(
    private readonly n: number,
    private readonly batch: number,
    private readonly rng: Rng,
  ) {
    if (n < 1) throw new RangeError('no training images');
  }
  /** Indices of the images in step `step` (0-based); a batch may straddle two epochs. */
  indices(step: number): Int32Array {
    const out = new Int32Array(this.batch);
    for (let j = 0; j < this.batch; j++) {
      const pos = step * this.batch + j;
      const e = Math.floor(pos / this.n);
      if (e !== this.epoch) this.shuffle(e);
      out[j] = this.perm[pos % this.n];
    }
    return out;
  }
  private shuffle(e: number): void {
    const r = this.rng.split(e);
    const p = Int32Array.from({ length: this.n }, (_, i) => i);
    for (let i = p.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    this.perm = p;
    this.epoch = e;
  }
}

/** Gather rows `idx` of a split into `x` (float32) and labels into `y`. */
export function gather(split: BinarySplit, idx: ArrayLike<number>, x: Float32Array, y?: Int32Array): void {
  const dim = splitDim(split);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    x.set(split.x.subarray(i * dim, (i + 1) * dim), k * dim);
    if (y) y[k] = split.y[i];
  }
}

export class Oracle {
  info!: OracleInfo;
  private buf: Ptr = NONE;
  private cap = 0;
  constructor(readonly net: Classifier) {}

  get featureDim(): number {
    return this.net.config.hidden;
  }

  /** Image side the oracle takes. */
  get size(): number {
    return this.net.config.size;
  }

  /** Runs the network on rows of x (n x side^2) in batches; `head` false stops before the last Linear. */
  private run(x: ArrayLike<number>, n: number, head: boolean, width: number): Float64Array {
    const be = this.net.be;
    const S = this.size,
      IMAGE_DIM = S * S;
    if (x.length !== n * IMAGE_DIM) throw new RangeError(`oracle: ${x.length} values for ${n} images of ${S} x ${S}`);
    const batch = 256;
    const out = new Float64Array(n * width);
    const layers = this.net.layers;
    const stop = head ? layers.length : layers.length - 1;
    const clamp = new Float32Array(Math.min(n, batch) * IMAGE_DIM);
    for (let s = 0; s < n; s += batch) {
      const m = Math.min(batch, n - s);
      if (m * IMAGE_DIM > this.cap) {
        if (this.buf) be.free(this.buf);
        this.cap = m * IMAGE_DIM;
        this.buf = be.alloc(this.cap);
      }
      for (let i = 0; i < m * IMAGE_DIM; i++) {
        const v = x[s * IMAGE_DIM + i];
        clamp[i] = v > 1 ? 1 : v < -1 ? -1 : v;
      }
      be.write(this.buf, clamp.subarray(0, m * IMAGE_DIM));
      let h = tensor([m, 1, S, S], this.buf);
      for (let l = 0; l < stop; l++) h = layers[l].forward(h);
      out.set(be.read(h.ptr, m * width), s * width);
    }
    return out;
  }

  /** Logits (n x 2). */
  logits(x: ArrayLike<number>, n: number): Float64Array {
    return this.run(x, n, true, this.net.config.classes);
  }

  /** Predicted label per image: 0 = class A, 1 = class B. */
  classify(x: ArrayLike<number>, n: number): Int32Array {
    const z = this.logits(x, n);
    const K = this.net.config.classes;
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (z[i * K + k] > z[i * K + best]) best = k;
      out[i] = best;
    }
    return out;
  }

  /** Penultimate-layer features (n x hidden). */
  features(x: ArrayLike<number>, n: number): Float64Array {
    return this.run(x, n, false, this.featureDim);
  }

  /** Accuracy on a labelled split, overall and per class. */
  evaluate(split: BinarySplit): { accuracy: Proportion; accuracyA: Proportion; accuracyB: Proportion } {
    const pred = this.classify(split.x, split.n);
    let ok = 0,
      okA = 0,
      nA = 0,
      okB = 0;
    for (let i = 0; i < split.n; i++) {
      const hit = pred[i] === split.y[i] ? 1 : 0;
      ok += hit;
      if (split.y[i] === 0) {
        nA++;
        okA += hit;
      } else okB += hit;
    }
    return { accuracy: wilson(ok, split.n), accuracyA: wilson(okA, nA), accuracyB: wilson(okB, split.n - nA) };
  }

  dispose(): void {
    if (this.buf) this.net.be.free(this.buf);
    this.buf = NONE;
    this.cap = 0;
    this.net.dispose();
  }
}

export interface TrainOracleOptions {
  be: Backend;
  config: OracleConfig;
  data: BinaryDataset;
  onProgress?: (step: number, total: number, loss: number) => void;
}

function classifierConfigOf(c: OracleConfig, size: number): Partial<ClassifierConfig> {
  return { inChannels: 1, size, channels: c.channels, hidden: c.hidden, classes: 2 };
}

/**
 * Train the oracle on `data.train` and measure it on `data.test`. Polls the stop flag between steps (io/stop.ts): a
 * stopped oracle is not kept (it is cheap next to the denoisers), and `StopError` says so.
 */
export async function trainOracle(o: TrainOracleOptions): Promise<Oracle> {
  const { be, config: c, data } = o;
  const t0 = performance.now();
  const root = Rng.seeded(c.seed).split(0x0c1a);
  const S = data.size;
  const net = new Classifier(be, classifierConfigOf(c, S), root.split(0));
  const opt = new Adam(net, { lr: c.lr });
  const trainer = new ClassifierTrainer(net, opt, {
    schedule: cosineWithWarmup({ base: c.lr, warmupSteps: 0, totalSteps: c.steps }),
  });
  const batches = new EpochBatches(data.train.n, c.batch, root.split(1));
  const x = new Float32Array(c.batch * S * S);
  const y = new Int32Array(c.batch);
  try {
    for (let s = 0; s < c.steps; s++) {
      gather(data.train, batches.indices(s), x, y);
      const r = trainer.step(x, y, [c.batch, 1, S, S]);
      if (!Number.isFinite(r.loss)) throw new Error(`oracle training diverged at step ${s} (loss ${r.loss})`);
      o.onProgress?.(s + 1, c.steps, r.loss);
      if (await pollStop()) {
        net.dispose();
        throw new StopError(
          stopSignal(),
          `while training the oracle (step ${s + 1} of ${c.steps}; an unfinished oracle is not kept)`,
          null,
        );
      }
    }
  } finally {
    trainer.dispose();
    opt.dispose();
  }
  const oracle = new Oracle(net);
  oracle.info = {
    ...oracle.evaluate(data.test),
    heldOut: { n: data.test.n, source: data.source, classA: data.classA, classB: data.classB },
    config: c,
    steps: c.steps,
    trainSeconds: (performance.now() - t0) / 1000,
    params: net.paramCount(),
    featureDim: c.hidden,
  };
  return oracle;
}

/** Writes the weights (safetensors + config.json) and `oracle.json`. */
export function saveOracle(dir: string, oracle: Oracle, extra: Record<string, unknown> = {}): void {
  saveModel(dir, oracle.net, { metadata: { role: 'phaseflow feature oracle' } });
  writeJsonAtomic(join(dir, 'oracle.json'), { ...oracle.info, ...extra });
}

/**
 * Loads an oracle saved by `saveOracle` (or any two-class phaseflow classifier folder) and re-measures its accuracy
 * on `heldOut` when given (the number reported is always the one measured on the current data).
 */
export function loadOracle(dir: string, be: Backend, heldOut?: BinaryDataset): Oracle {
  const model = loadModel(dir, be);
  if (!(model instanceof Classifier)) {
    model.dispose();
    throw new Error(`${dir} holds a ${model.config.model}, not a classifier`);
  }
  const S = heldOut?.size ?? model.config.size;
  if (model.config.classes !== 2 || model.config.size !== S || model.config.inChannels !== 1) {
    model.dispose();
    throw new Error(
      `${dir}: the oracle must be a 2-class classifier of 1 x ${S} x ${S} images (found ${model.config.classes} classes, ${model.config.inChannels} x ${model.config.size} x ${model.config.size})`,
    );
  }
  const oracle = new Oracle(model);
  let saved: Partial<OracleInfo> = {};
  const infoPath = join(dir, 'oracle.json');
  if (existsSync(infoPath)) saved = JSON.parse(readFileSync(infoPath, 'utf8')) as Partial<OracleInfo>;
  const measured = heldOut ? oracle.evaluate(heldOut.test) : null;
  oracle.info = {
    accuracy: measured?.accuracy ?? saved.accuracy ?? wilson(0, 0),
    accuracyA: measured?.accuracyA ?? saved.accuracyA ?? wilson(0, 0),
    accuracyB: measured?.accuracyB ?? saved.accuracyB ?? wilson(0, 0),
    heldOut: heldOut
      ? { n: heldOut.test.n, source: heldOut.source, classA: heldOut.classA, classB: heldOut.classB }
      : (saved.heldOut ?? { n: 0, source: 'unknown', classA: -1, classB: -1 }),
    config: saved.config ?? null,
    steps: saved.steps ?? null,
    trainSeconds: saved.trainSeconds ?? null,
    params: model.paramCount(),
    featureDim: model.config.hidden,
  };
  return oracle;
}
