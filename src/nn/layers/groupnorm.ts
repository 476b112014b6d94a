/**
 * Group normalisation (torch.nn.GroupNorm): for each sample and each of G groups of C/G channels,
 *   y = (x - mean) / sqrt(var + eps) * weight[c] + bias[c]   (biased variance over the group's (C/G) H W values).
 * x (N, C, H, W) or (N, C) -> same shape. Parameters `weight` = 1, `bias` = 0 initially.
 * With `activation: 'silu'` the layer returns SiLU(y) from one fused kernel (y is never stored; the backward pass
 * recomputes it from x and the saved statistics): the norm + activation pair of every residual block and of the
 * U-Net's output head, with the same parameters and state-dict names as a GroupNorm followed by a SiLU. The backward
 * pass reads the forward output again (the sigmoid is recovered from it), so the output must not be modified in place
 * between forward and backward.
 */
import { at, type Backend, type Ptr } from '../kernels/backend.js';
import { numel, shapeStr, tensor, type Tensor } from '../tensor.js';
import { Module, type Param } from './module.js';

export interface GroupNormOptions {
  groups: number;
  channels: number;
  eps?: number;
  /** Apply SiLU to the output, fused into the normalisation kernel. */
  activation?: 'none' | 'silu';
}

export class GroupNorm extends Module {
  readonly weight: Param;
  readonly bias: Param;
  readonly groups: number;
  readonly channels: number;
  readonly eps: number;
  readonly silu: boolean;
  private x: Tensor | null = null;

  constructor(be: Backend, o: GroupNormOptions) {
    super(be);
    if (o.channels % o.groups !== 0) {
      throw new Error(`GroupNorm: ${o.channels} channels are not divisible into ${o.groups} groups`);
    }
    this.groups = o.groups;
    this.channels = o.channels;
    this.eps = o.eps ?? 1e-5;
    this.silu = o.activation === 'silu';
    this.weight = this.param('weight', [o.channels], { kind: 'const', value: 1 });
    this.bias = this.param('bias', [o.channels], { kind: 'const', value: 0 });
  }

  forward(x: Tensor): Tensor {
    if (x.shape.length < 2 || x.shape[1] !== this.channels) {
      throw new Error(`GroupNorm: expected (N, ${this.channels}, ...), got ${shapeStr(x.shape)}`);
    }
    const N = x.shape[0],
      n = numel(x.shape),
      P = n / (N * this.channels);
    const y = this.ws('y', n);
    const stats = this.ws('stats', 2 * N * this.groups);
    const args = [
      x.ptr,
      this.weight.ptr,
      this.bias.ptr,
      y,
      stats,
      at(stats, N * this.groups),
      N,
      this.channels,
      P,
      this.groups,
      this.eps,
    ] as const;
    if (this.silu) this.be.groupNormSiluForward(...args);
    else this.be.groupNormForward(...args);
    this.x = x;
    return tensor(x.shape, y);
  }

  /** `into`: a buffer of the caller (at least numel(x) elements) for dx instead of the layer's own workspace. */
  backward(dy: Tensor, into?: Ptr): Tensor {
    const x = this.x;
    if (!x) throw new Error('GroupNorm.backward before forward');
    const N = x.shape[0],
      n = numel(x.shape),
      P = n / (N * this.channels);
    const stats = this.ws('stats', 2 * N * this.groups);
    const dx = into ?? this.ws('dx', n);
    if (this.silu) {
      // z: this layer's forward output, still in its workspace (the next layer's input, kept for its backward)
      this.be.groupNormSiluBackward(
        x.ptr,
        this.weight.ptr,
        this.bias.ptr,
        stats,
        at(stats, N * this.groups),
        this.ws('y', n),
        dy.ptr,
        dx,
        this.weight.grad,
        this.bias.grad,
        N,
        this.channels,
        P,
        this.groups,
      );
    } else {
      this.be.groupNormBackward(
        x.ptr,
        this.weight.ptr,
        stats,
        at(stats, N * this.groups),
        dy.ptr,
        dx,
        this.weight.grad,
        this.bias.grad,
        N,
        this.channels,
        P,
        this.groups,
      );
    }
    return tensor(x.shape, dx);
  }
}
