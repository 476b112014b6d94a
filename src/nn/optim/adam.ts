/**
 * Adam and AdamW over the parameter arena of a materialised module (one kernel call per step).
 *   m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2,  p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * Adam adds weight decay to the gradient (L2, torch.optim.Adam); AdamW decays the weights directly,
 * p -= lr wd p, before the update (torch.optim.AdamW; default wd 0.01 as in torch).
 */
import type { Backend, Ptr } from '../kernels/backend.js';
import type { Module } from '../layers/module.js';

export interface AdamOptions {
  lr?: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
}

/** Serializable optimiser state (moments as float arrays in arena order). */
export interface AdamState {
  t: number;
  m: Float32Array;
  v: Float32Array;
}

export class Adam {
  lr: number;
  readonly b1: number;
  readonly b2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Steps taken. */
  t = 0;
  private readonly be: Backend;
  private readonly m: Ptr;
  private readonly v: Ptr;
  private readonly n: number;

  constructor(
    private readonly model: Module,
    o: AdamOptions = {},
    private readonly decoupled = false,
  ) {
    this.be = model.be;
    this.lr = o.lr ?? 1e-3;
    [this.b1, this.b2] = o.betas ?? [0.9, 0.999];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? (decoupled ? 0.01 : 0);
    this.n = model.params.size;
    this.m = this.be.alloc(this.n);
    this.v = this.be.alloc(this.n);
    this.be.fill(this.m, this.n, 0);
    this.be.fill(this.v, this.n, 0);
  }

  /** One update from the accumulated gradients; `lr` overrides the current rate (e.g. from a schedule). */
  step(lr = this.lr): void {
    this.t++;
    const { values, grads } = this.model.params;
    this.be.adamStep(values, grads, this.m, this.v, this.n, {
      lr,
      b1: this.b1,
      b2: this.b2,
      eps: this.eps,
      weightDecay: this.weightDecay,
      decoupled: this.decoupled,
      c1: 1 - this.b1 ** this.t,
      c2: 1 - this.b2 ** this.t,
    });
  }

  state(): AdamState {
    return {
      t: this.t,
      m: Float32Array.from(this.be.read(this.m, this.n)),
      v: Float32Array.from(this.be.read(this.v, this.n)),
    };
  }

  loadState(s: AdamState): void {
    if (s.m.length !== this.n || s.v.length !== this.n) {
      throw new Error(`optimiser state has ${s.m.length} moments, the model ${this.n} parameters`);
    }
    this.t = s.t;
    this.be.write(this.m, s.m);
    this.be.write(this.v, s.v);
  }

  dispose(): void {
    this.be.free(this.m);
    this.be.free(this.v);
  }
}

export class AdamW extends Adam {
  constructor(model: Module, o: AdamOptions = {}) {
    super(model, o, true);
  }
}
