/**
 * 2-D convolution (cross-correlation, as torch.nn.Conv2d), NCHW:
 *   y[n,o,i,j] = b[o] + sum_{c,a,b} w[o,c,a,b] x[n, c, i s - p + a, j s - p + b],  zero padding.
 * x (N, Cin, H, W) -> y (N, Cout, Ho, Wo),  Ho = floor((H + 2p - k) / s) + 1.
 * Parameters `weight` (Cout, Cin, k, k) and `bias` (Cout), initialised as PyTorch (uniform +-1/sqrt(Cin k^2)).
 */
import { convGeom, NONE, type Backend, type ConvGeom, type Ptr } from '../kernels/backend.js';
import { expectNCHW, numel, shapeStr, tensor, type Tensor } from '../tensor.js';
import { Module, fanInBound, type Param } from './module.js';

export interface Conv2dOptions {
  cin: number;
  cout: number;
  kernel: number;
  stride?: number;
  /** Zero padding on every side; default (kernel - 1) / 2 ("same" for odd kernels at stride 1). */
  padding?: number;
  bias?: boolean;
  /** false for a first layer whose input needs no gradient: backward then skips the data pass and returns null. */
  inputGrad?: boolean;
}

export class Conv2d extends Module {
  readonly weight: Param;
  readonly bias: Param | null;
  readonly cin: number;
  readonly cout: number;
  readonly kernel: number;
  readonly stride: number;
  readonly padding: number;
  inputGrad: boolean;
  private x: Tensor | null = null;
  private g: ConvGeom | null = null;

  constructor(be: Backend, o: Conv2dOptions) {
    super(be);
    this.cin = o.cin;
    this.cout = o.cout;
    this.kernel = o.kernel;
    this.stride = o.stride ?? 1;
    this.padding = o.padding ?? Math.floor((o.kernel - 1) / 2);
    this.inputGrad = o.inputGrad ?? true;
    const fan = o.cin * o.kernel * o.kernel;
    this.weight = this.param('weight', [o.cout, o.cin, o.kernel, o.kernel], fanInBound(fan));
    this.bias = (o.bias ?? true) ? this.param('bias', [o.cout], fanInBound(fan)) : null;
  }

  /** Output spatial size for an input of H x W. */
  outSize(H: number, W: number): [number, number] {
    const g = convGeom(1, this.cin, H, W, this.cout, this.kernel, this.stride, this.padding);
    return [g.Ho, g.Wo];
  }

  /** `residual`: a tensor of the output's shape added to it in the same pass (a skip connection; its gradient is dy). */
  forward(x: Tensor, residual?: Tensor): Tensor {
    const [N, , H, W] = expectNCHW(x, this.cin, 'Conv2d');
    const g = convGeom(N, this.cin, H, W, this.cout, this.kernel, this.stride, this.padding);
    const shape = [N, this.cout, g.Ho, g.Wo];
    if (residual && (residual.shape.length !== 4 || residual.shape.some((d, i) => d !== shape[i]))) {
      throw new Error(`Conv2d: residual ${shapeStr(residual.shape)} does not match the output ${shapeStr(shape)}`);
    }
    const y = this.ws('y', numel(shape));
    this.be.conv2dForward(
      g,
      x.ptr,
      this.weight.ptr,
      this.bias ? this.bias.ptr : NONE,
      y,
      residual ? residual.ptr : NONE,
    );
    this.x = x;
    this.g = g;
    return tensor(shape, y);
  }

  /** `into`: a buffer of the caller (at least numel(x) elements) for dx instead of the layer's own workspace. */
  backward(dy: Tensor, into?: Ptr): Tensor {
    const g = this.g,
      x = this.x;
    if (!g || !x) throw new Error('Conv2d.backward before forward');
    this.be.conv2dBackwardWeight(g, x.ptr, dy.ptr, this.weight.grad, this.bias ? this.bias.grad : NONE);
    if (!this.inputGrad) return tensor(x.shape, NONE);
    const dx = into ?? this.ws('dx', numel(x.shape));
    this.be.conv2dBackwardData(g, this.weight.ptr, dy.ptr, dx);
    return tensor(x.shape, dx);
  }
}
