/**
 * Time conditioning of the U-Net (diffusers' `Timesteps` + `TimestepEmbedding`, flip_sin_to_cos = true, shift 0):
 *   s = timeScale * t,  f_i = exp(-ln(10000) i / (dim/2)), i < dim/2
 *   e(t) = [cos(s f_0) .. cos(s f_{dim/2-1}), sin(s f_0) .. sin(s f_{dim/2-1})]        (N, dim)
 *   temb = linear_2(SiLU(linear_1(e)))                                                  (N, hidden)
 * One time per sample. The sinusoid is computed on the host in float64; t gets no gradient.
 */
import type { Backend } from '../kernels/backend.js';
import { tensor, type Tensor } from '../tensor.js';
import { SiLU } from './activation.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

/** The sinusoidal features of times t (already scaled), row-major (N, dim); dim even. */
export function sinusoidalEmbedding(t: ArrayLike<number>, dim: number): Float64Array {
  if (dim % 2) throw new Error(`time embedding dimension ${dim} must be even`);
  const half = dim / 2;
  const out = new Float64Array(t.length * dim);
  for (let n = 0; n < t.length; n++) {
    for (let i = 0; i < half; i++) {
      const a = t[n] * Math.exp((-Math.log(10000) * i) / half);
      out[n * dim + i] = Math.cos(a);
      out[n * dim + half + i] = Math.sin(a);
    }
  }
  return out;
}

export interface TimeEmbeddingOptions {
  dim: number;
  hidden: number;
  /** Multiplier applied to t before the sinusoid (1000 for times in [0, 1], as the paper's `s * 1000`). */
  timeScale?: number;
}

export class TimeEmbedding extends Module {
  readonly linear1: Linear;
  readonly act: SiLU;
  readonly linear2: Linear;
  readonly dim: number;
  readonly timeScale: number;

  constructor(be: Backend, o: TimeEmbeddingOptions) {
    super(be);
    this.dim = o.dim;
    this.timeScale = o.timeScale ?? 1000;
    this.linear1 = this.child('linear_1', new Linear(be, { in: o.dim, out: o.hidden, inputGrad: false }));
    this.act = this.child('act', new SiLU(be));
    this.linear2 = this.child('linear_2', new Linear(be, { in: o.hidden, out: o.hidden }));
  }

  /** t: one time per sample. */
  forward(t: ArrayLike<number>): Tensor {
    const N = t.length;
    const scaled = Array.from(t, (v) => v * this.timeScale);
    const e = this.ws('e', N * this.dim);
    this.be.write(e, sinusoidalEmbedding(scaled, this.dim));
    return this.linear2.forward(this.act.forward(this.linear1.forward(tensor([N, this.dim], e))));
  }

  backward(dtemb: Tensor): void {
    this.linear1.backward(this.act.backward(this.linear2.backward(dtemb)));
  }
}
