/**
 * Training-loop helpers that take host arrays, for callers that do not want to manage engine buffers:
 *   DenoiserTrainer    one optimiser step of a U-Net regression (noise / velocity prediction):
 *                      L = mean (f(x_t, t) - target)^2, backward, clip ||g|| <= clip, Adam(W) at schedule(step),
 *                      EMA update
 *   ClassifierTrainer  one step of softmax cross-entropy on a classifier
 * Inputs are copied into buffers owned by the trainer (reused every step); outputs are copied back on request.
 */
import type { Ptr } from './kernels/backend.js';
import type { Module } from './layers/module.js';
import { crossEntropyLoss, mseLoss } from './loss.js';
import type { Classifier } from './models/classifier.js';
import type { UNet } from './models/unet.js';
import type { Adam } from './optim/adam.js';
import { clipGradNorm, gradNorm } from './optim/clip.js';
import type { Ema } from './optim/ema.js';
import type { LrSchedule } from './optim/schedule.js';
import { numel, shapeStr, tensor, type Tensor } from './tensor.js';

export interface TrainerOptions {
  /** Gradient-norm clipping threshold (default: none). */
  clip?: number;
  /** Learning rate per step index (default: the optimiser's lr). */
  schedule?: LrSchedule;
  /** EMA updated after every step. */
  ema?: Ema;
}

export interface StepResult {
  loss: number;
  /** Gradient norm before clipping. */
  gradNorm: number;
  lr: number;
}

/** Buffers keyed by role, grown on demand and freed by `dispose`. */
class Buffers {
  private readonly bufs = new Map<string, { ptr: Ptr; n: number }>();
  constructor(private readonly model: Module) {}
  get(key: string, n: number): Ptr {
    const b = this.bufs.get(key);
    if (b && b.n >= n) return b.ptr;
    if (b) this.model.be.free(b.ptr);
    const ptr = this.model.be.alloc(n);
    this.bufs.set(key, { ptr, n });
    return ptr;
  }
  /** Copies host data into the buffer `key` and returns it as a tensor of `shape`. */
  put(key: string, shape: readonly number[], data: ArrayLike<number>): Tensor {
    const n = numel(shape);
    if (data.length !== n)
      throw new Error(`${key}: expected ${n} values for shape ${shapeStr(shape)}, got ${data.length}`);
    const p = this.get(key, n);
    this.model.be.write(p, data);
    return tensor(shape, p);
  }
  dispose(): void {
    for (const { ptr } of this.bufs.values()) this.model.be.free(ptr);
    this.bufs.clear();
  }
}

abstract class TrainerBase {
  /** Optimiser steps taken by this trainer. */
  steps = 0;
  protected readonly bufs: Buffers;
  constructor(
    protected readonly model: Module,
    protected readonly opt: Adam,
    protected readonly o: TrainerOptions,
  ) {
    this.bufs = new Buffers(model);
  }
  protected finish(loss: number): StepResult {
    const norm = this.o.clip !== undefined ? clipGradNorm(this.model, this.o.clip) : gradNorm(this.model);
    const lr = this.o.schedule ? this.o.schedule(this.steps) : this.opt.lr;
    this.opt.step(lr);
    this.o.ema?.update();
    this.steps++;
    return { loss, gradNorm: norm, lr };
  }
  dispose(): void {
    this.bufs.dispose();
  }
}

export class DenoiserTrainer extends TrainerBase {
  constructor(
    readonly net: UNet,
    opt: Adam,
    o: TrainerOptions = {},
  ) {
    super(net, opt, o);
  }

  /** One step on x_t (N x C x H x W values, NCHW), times t (N) and the regression target (same size as x_t). */
  step(xt: ArrayLike<number>, t: ArrayLike<number>, target: ArrayLike<number>, shape: readonly number[]): StepResult {
    const x = this.bufs.put('x', shape, xt);
    const y = this.bufs.put('target', shape, target);
    this.net.zeroGrad();
    const out = this.net.forward(x, t);
    const g = this.bufs.get('grad', numel(out.shape));
    const loss = mseLoss(this.net.be, out, y.ptr, g);
    this.net.backward(tensor(out.shape, g));
    return this.finish(loss);
  }

  /** The network's prediction for x_t at times t (no gradients kept). */
  predict(xt: ArrayLike<number>, t: ArrayLike<number>, shape: readonly number[]): Float32Array {
    const out = this.net.forward(this.bufs.put('x', shape, xt), t);
    return Float32Array.from(this.net.be.read(out.ptr, numel(out.shape)));
  }
}

export class ClassifierTrainer extends TrainerBase {
  constructor(
    readonly net: Classifier,
    opt: Adam,
    o: TrainerOptions = {},
  ) {
    super(net, opt, o);
  }

  /** One step of cross-entropy on images (NCHW values) with integer labels; returns loss and batch accuracy. */
  step(x: ArrayLike<number>, labels: ArrayLike<number>, shape: readonly number[]): StepResult & { accuracy: number } {
    this.net.zeroGrad();
    const logits = this.net.forward(this.bufs.put('x', shape, x));
    const g = this.bufs.get('grad', numel(logits.shape));
    const { loss, correct } = crossEntropyLoss(this.net.be, logits, labels, g);
    this.net.backward(tensor(logits.shape, g));
    return { ...this.finish(loss), accuracy: correct / labels.length };
  }

  /** Logits (N x classes, row-major). */
  logits(x: ArrayLike<number>, shape: readonly number[]): Float32Array {
    const out = this.net.forward(this.bufs.put('x', shape, x));
    return Float32Array.from(this.net.be.read(out.ptr, numel(out.shape)));
  }

  /** argmax class per image. */
  predict(x: ArrayLike<number>, shape: readonly number[]): Int32Array {
    const z = this.logits(x, shape);
    const K = this.net.config.classes,
      N = shape[0];
    const out = new Int32Array(N);
    for (let n = 0; n < N; n++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (z[n * K + k] > z[n * K + best]) best = k;
      out[n] = best;
    }
    return out;
  }
}
