/**
 * Exponential moving average of the weights (the copy usually sampled from):
 *   shadow = d shadow + (1 - d) params   after every optimiser step,
 * with d = decay, or with warm-up d_t = min(decay, (1 + t) / (10 + t)) (diffusers' EMAModel), t = updates so far.
 * `swap()` exchanges shadow and live weights (call it again to swap back), e.g. around evaluation or saving.
 */
import type { Backend, Ptr } from '../kernels/backend.js';
import type { Module } from '../layers/module.js';

export interface EmaOptions {
  decay?: number;
  warmup?: boolean;
}

export class Ema {
  readonly decay: number;
  readonly warmup: boolean;
  updates = 0;
  readonly shadow: Ptr;
  private readonly be: Backend;
  private readonly n: number;

  constructor(
    private readonly model: Module,
    o: EmaOptions = {},
  ) {
    this.be = model.be;
    this.decay = o.decay ?? 0.999;
    this.warmup = o.warmup ?? true;
    this.n = model.params.size;
    this.shadow = this.be.alloc(this.n);
    this.be.copy(model.params.values, this.shadow, this.n);
  }

  /** Decay used by the next update. */
  currentDecay(): number {
    return this.warmup ? Math.min(this.decay, (1 + this.updates) / (10 + this.updates)) : this.decay;
  }

  update(): void {
    this.be.emaUpdate(this.shadow, this.model.params.values, this.n, this.currentDecay());
    this.updates++;
  }

  swap(): void {
    const tmp = this.be.alloc(this.n);
    const { values } = this.model.params;
    this.be.copy(values, tmp, this.n);
    this.be.copy(this.shadow, values, this.n);
    this.be.copy(tmp, this.shadow, this.n);
    this.be.free(tmp);
  }

  values(): Float32Array {
    return Float32Array.from(this.be.read(this.shadow, this.n));
  }

  load(v: ArrayLike<number>): void {
    if (v.length !== this.n) throw new Error(`EMA state has ${v.length} values, the model ${this.n}`);
    this.be.write(this.shadow, v);
  }

  dispose(): void {
    this.be.free(this.shadow);
  }
}
