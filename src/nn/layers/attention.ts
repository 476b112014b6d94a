/**
 * Self-attention over the pixels of a (low-resolution) feature map, with a residual connection, as diffusers'
 * attention block of the U-Net (group norm, q/k/v projections, multi-head softmax attention, output projection):
 *   h = GroupNorm(x);  [q; k; v] = W_qkv h + b  (a 1x1 convolution to 3C channels)
 *   per head (d = C / heads channels):  A = softmax(q^T k / sqrt(d)) over keys,  o = v A^T
 *   y = x + W_out o + b_out
 * x (N, C, H, W) -> y (N, C, H, W); tokens are the P = H W positions. Memory O(N heads P^2): use at low resolution.
 * Children: `group_norm`, `to_qkv` (Conv2d 1x1, C -> 3C), `to_out` (Conv2d 1x1, C -> C).
 */
import type { Backend } from '../kernels/backend.js';
import { expectNCHW, numel, tensor, type Tensor } from '../tensor.js';
import { Conv2d } from './conv2d.js';
import { GroupNorm } from './groupnorm.js';
import { Module } from './module.js';

export interface AttentionOptions {
  channels: number;
  /** Number of heads; must divide channels. Default: channels / 8 heads of 8 (diffusers' attention_head_dim = 8). */
  heads?: number;
  groups: number;
}

export class SelfAttention2d extends Module {
  readonly norm: GroupNorm;
  readonly toQkv: Conv2d;
  readonly toOut: Conv2d;
  readonly channels: number;
  readonly heads: number;
  private shape: readonly number[] | null = null;
  private qkv: Tensor | null = null;

  constructor(be: Backend, o: AttentionOptions) {
    super(be);
    this.channels = o.channels;
    this.heads = o.heads ?? Math.max(1, Math.floor(o.channels / 8));
    if (o.channels % this.heads !== 0) throw new Error(`attention: ${this.heads} heads do not divide ${o.channels}`);
    this.norm = this.child('group_norm', new GroupNorm(be, { groups: o.groups, channels: o.channels }));
    this.toQkv = this.child('to_qkv', new Conv2d(be, { cin: o.channels, cout: 3 * o.channels, kernel: 1 }));
    this.toOut = this.child('to_out', new Conv2d(be, { cin: o.channels, cout: o.channels, kernel: 1 }));
  }

  private get scale(): number {
    return 1 / Math.sqrt(this.channels / this.heads);
  }

  forward(x: Tensor): Tensor {
    const [N, C, H, W] = expectNCHW(x, this.channels, 'SelfAttention2d');
    const P = H * W,
      n = numel(x.shape);
    const qkv = this.toQkv.forward(this.norm.forward(x));
    const o = this.ws('o', n);
    const probs = this.ws('probs', N * this.heads * P * P);
    this.be.attentionForward(qkv.ptr, o, probs, N, C, P, this.heads, this.scale);
    const out = this.toOut.forward(tensor(x.shape, o));
    const y = this.ws('y', n);
    this.be.add(x.ptr, out.ptr, y, n);
    this.shape = x.shape;
    this.qkv = qkv;
    return tensor(x.shape, y);
  }

  backward(dy: Tensor): Tensor {
    const shape = this.shape,
      qkv = this.qkv;
    if (!shape || !qkv) throw new Error('SelfAttention2d.backward before forward');
    const [N, C, H, W] = shape;
    const P = H * W,
      n = numel(shape);
    const dO = this.toOut.backward(dy);
    const dqkv = this.ws('dqkv', 3 * n);
    this.be.attentionBackward(
      qkv.ptr,
      this.ws('probs', N * this.heads * P * P),
      dO.ptr,
      dqkv,
      N,
      C,
      P,
      this.heads,
      this.scale,
    );
    const dxn = this.norm.backward(this.toQkv.backward(tensor(qkv.shape, dqkv)));
    const dx = this.ws('dx', n);
    this.be.add(dy.ptr, dxn.ptr, dx, n);
    return tensor(shape, dx);
  }
}
