/**
 * Residual block with time-embedding injection (diffusers' ResnetBlock2D, default settings, no dropout):
 *   h = conv1(SiLU(norm1(x)))                             3x3, cin -> cout  (norm + SiLU fused: GroupNorm 'silu')
 *   h = h + time_emb_proj(a)[:, :, None, None]            a = SiLU(temb), computed once by the caller
 *   h = conv2(SiLU(norm2(h)))                             3x3, cout -> cout
 *   y = shortcut(x) + h                                   shortcut = identity, or conv_shortcut (1x1) if cin != cout
 * x (N, cin, H, W), a (N, tdim) -> y (N, cout, H, W).
 */
import type { Backend, Ptr } from '../kernels/backend.js';
import { expectNCHW, numel, tensor, type Tensor } from '../tensor.js';
import { Conv2d } from './conv2d.js';
import { GroupNorm } from './groupnorm.js';
import { Linear } from './linear.js';
import { Module } from './module.js';

export interface ResBlockOptions {
  cin: number;
  cout: number;
  /** Width of the (activated) time embedding; 0 = no time input. */
  tdim: number;
  groups: number;
}

export class ResBlock extends Module {
  readonly norm1: GroupNorm;
  readonly conv1: Conv2d;
  readonly timeProj: Linear | null;
  readonly norm2: GroupNorm;
  readonly conv2: Conv2d;
  readonly shortcut: Conv2d | null;
  readonly cin: number;
  readonly cout: number;
  private xShape: readonly number[] | null = null;

  constructor(be: Backend, o: ResBlockOptions) {
    super(be);
    this.cin = o.cin;
    this.cout = o.cout;
    this.norm1 = this.child('norm1', new GroupNorm(be, { groups: o.groups, channels: o.cin, activation: 'silu' }));
    this.conv1 = this.child('conv1', new Conv2d(be, { cin: o.cin, cout: o.cout, kernel: 3 }));
    this.timeProj = o.tdim > 0 ? this.child('time_emb_proj', new Linear(be, { in: o.tdim, out: o.cout })) : null;
    this.norm2 = this.child('norm2', new GroupNorm(be, { groups: o.groups, channels: o.cout, activation: 'silu' }));
    this.conv2 = this.child('conv2', new Conv2d(be, { cin: o.cout, cout: o.cout, kernel: 3 }));
    this.shortcut =
      o.cin !== o.cout ? this.child('conv_shortcut', new Conv2d(be, { cin: o.cin, cout: o.cout, kernel: 1 })) : null;
  }

  /** `a` is SiLU(temb) (N, tdim), or null when the block has no time input. */
  forward(x: Tensor, a: Tensor | null): Tensor {
    const [N, , H, W] = expectNCHW(x, this.cin, 'ResBlock');
    const P = H * W;
    const h = this.conv1.forward(this.norm1.forward(x));
    if (this.timeProj) {
      if (!a) throw new Error('ResBlock: this block needs a time embedding');
      const tp = this.timeProj.forward(a);
      this.be.addNC(h.ptr, tp.ptr, N, this.cout, P, this.cout); // in place on conv1's output
    }
    // y = shortcut(x) + conv2(...): the addition happens inside conv2's output pass
    const s = this.shortcut ? this.shortcut.forward(x) : x;
    const y = this.conv2.forward(this.norm2.forward(h), s);
    this.xShape = x.shape;
    return y;
  }

  /**
   * Returns dx; adds d(loss)/d(a) into `da` (N x tdim) when the block has a time input. The gradients inside the
   * block live in two ping-pong buffers of the block (each intermediate dies as soon as the next layer has read it):
   * conv2 -> A, norm2 -> B, conv1 -> A, norm1 -> B, shortcut -> A, dx = B + A.
   */
  backward(dy: Tensor, da: Ptr): Tensor {
    const xs = this.xShape;
    if (!xs) throw new Error('ResBlock.backward before forward');
    const [N, , H, W] = xs;
    const P = H * W;
    const big = N * Math.max(this.cin, this.cout) * P;
    const bufA = this.ws('gradA', big),
      bufB = this.ws('gradB', big);
    const dh = this.norm2.backward(this.conv2.backward(dy, bufA), bufB);
    if (this.timeProj) {
      const dtp = this.ws('dtp', N * this.cout);
      this.be.fill(dtp, N * this.cout, 0);
      this.be.sumNC(dh.ptr, dtp, N, this.cout, P, this.cout);
      const dai = this.timeProj.backward(tensor([N, this.cout], dtp));
      this.be.axpy(N * this.timeProj.nIn, 1, dai.ptr, da);
    }
    const dx1 = this.norm1.backward(this.conv1.backward(dh, this.ws('gradA', big)), this.ws('gradB', big));
    const ds = this.shortcut ? this.shortcut.backward(dy, this.ws('gradA', big)) : dy;
    const n = numel(xs);
    const dx = this.ws('dx', n);
    this.be.add(dx1.ptr, ds.ptr, dx, n);
    return tensor(xs, dx);
  }
}
