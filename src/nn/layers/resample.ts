/**
 * Resolution changes for NCHW feature maps (H and W even where halved):
 *   AvgPool2    y[i,j] = mean x[2i..2i+1, 2j..2j+1]                         (N,C,H,W) -> (N,C,H/2,W/2)
 *   Upsample2   y[i,j] = x[floor(i/2), floor(j/2)]  (nearest)               (N,C,H,W) -> (N,C,2H,2W)
 *   Downsample  3x3 convolution with stride 2, padding 1 (diffusers' Downsample2D with use_conv), child `conv`
 *   Upsample    nearest 2x then 3x3 convolution (diffusers' Upsample2D with use_conv), child `conv`
 */
import type { Backend } from '../kernels/backend.js';
import { expectNCHW, numel, tensor, type Tensor } from '../tensor.js';
import { Conv2d } from './conv2d.js';
import { Module } from './module.js';

export class AvgPool2 extends Module {
  private xShape: readonly number[] | null = null;
  constructor(be: Backend) {
    super(be);
  }
  forward(x: Tensor): Tensor {
    const [N, C, H, W] = expectNCHW(x, undefined, 'AvgPool2');
    if (H % 2 || W % 2) throw new Error(`AvgPool2: spatial size ${H}x${W} is not even`);
    const shape = [N, C, H / 2, W / 2];
    const y = this.ws('y', numel(shape));
    this.be.avgPool2Forward(x.ptr, y, N * C, H, W);
    this.xShape = x.shape;
    return tensor(shape, y);
  }
  backward(dy: Tensor): Tensor {
    if (!this.xShape) throw new Error('AvgPool2.backward before forward');
    const [N, C, H, W] = this.xShape;
    const dx = this.ws('dx', N * C * H * W);
    this.be.avgPool2Backward(dy.ptr, dx, N * C, H, W);
    return tensor(this.xShape, dx);
  }
}

export class Upsample2 extends Module {
  private xShape: readonly number[] | null = null;
  constructor(be: Backend) {
    super(be);
  }
  forward(x: Tensor): Tensor {
    const [N, C, H, W] = expectNCHW(x, undefined, 'Upsample2');
    const shape = [N, C, 2 * H, 2 * W];
    const y = this.ws('y', numel(shape));
    this.be.upsample2Forward(x.ptr, y, N * C, H, W);
    this.xShape = x.shape;
    return tensor(shape, y);
  }
  backward(dy: Tensor): Tensor {
    if (!this.xShape) throw new Error('Upsample2.backward before forward');
    const [N, C, H, W] = this.xShape;
    const dx = this.ws('dx', N * C * H * W);
    this.be.upsample2Backward(dy.ptr, dx, N * C, H, W);
    return tensor(this.xShape, dx);
  }
}

export class Downsample extends Module {
  readonly conv: Conv2d;
  constructor(be: Backend, channels: number) {
    super(be);
    this.conv = this.child('conv', new Conv2d(be, { cin: channels, cout: channels, kernel: 3, stride: 2, padding: 1 }));
  }
  forward(x: Tensor): Tensor {
    return this.conv.forward(x);
  }
  backward(dy: Tensor): Tensor {
    return this.conv.backward(dy);
  }
}

export class Upsample extends Module {
  readonly up: Upsample2;
  readonly conv: Conv2d;
  constructor(be: Backend, channels: number) {
    super(be);
    this.up = this.child('up', new Upsample2(be));
    this.conv = this.child('conv', new Conv2d(be, { cin: channels, cout: channels, kernel: 3 }));
  }
  forward(x: Tensor): Tensor {
    return this.conv.forward(this.up.forward(x));
  }
  backward(dy: Tensor): Tensor {
    return this.up.backward(this.conv.backward(dy));
  }
}
