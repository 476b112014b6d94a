/**
 * Fully connected layer (torch.nn.Linear): y = x W^T + b with x (N, in) -> y (N, out); any input whose trailing
 * dimensions multiply to `in` is read as (N, in) (e.g. a flattened NCHW feature map).
 * Backward: dW += dy^T x, db += sum_n dy, dx = dy W. Parameters `weight` (out, in), `bias` (out).
 */
import { NONE, type Backend } from '../kernels/backend.js';
import { numel, shapeStr, tensor, type Tensor } from '../tensor.js';
import { Module, fanInBound, type Param } from './module.js';

export interface LinearOptions {
  in: number;
  out: number;
  bias?: boolean;
  inputGrad?: boolean;
}

export class Linear extends Module {
  readonly weight: Param;
  readonly bias: Param | null;
  readonly nIn: number;
  readonly nOut: number;
  inputGrad: boolean;
  private x: Tensor | null = null;

  constructor(be: Backend, o: LinearOptions) {
    super(be);
    this.nIn = o.in;
    this.nOut = o.out;
    this.inputGrad = o.inputGrad ?? true;
    this.weight = this.param('weight', [o.out, o.in], fanInBound(o.in));
    this.bias = (o.bias ?? true) ? this.param('bias', [o.out], fanInBound(o.in)) : null;
  }

  forward(x: Tensor): Tensor {
    const N = x.shape[0];
    if (numel(x.shape) !== N * this.nIn) throw new Error(`Linear: expected (N, ${this.nIn}), got ${shapeStr(x.shape)}`);
    const y = this.ws('y', N * this.nOut);
    this.be.gemm(false, true, N, this.nOut, this.nIn, 1, x.ptr, this.nIn, this.weight.ptr, this.nIn, 0, y, this.nOut);
    if (this.bias) this.be.addNC(y, this.bias.ptr, N, this.nOut, 1, 0); // y[n, j] += b[j]
    this.x = x;
    return tensor([N, this.nOut], y);
  }

  backward(dy: Tensor): Tensor {
    const x = this.x;
    if (!x) throw new Error('Linear.backward before forward');
    const N = x.shape[0];
    this.be.gemm(
      true,
      false,
      this.nOut,
      this.nIn,
      N,
      1,
      dy.ptr,
      this.nOut,
      x.ptr,
      this.nIn,
      1,
      this.weight.grad,
      this.nIn,
    );
    if (this.bias) this.be.sumNC(dy.ptr, this.bias.grad, N, this.nOut, 1, 0); // db[j] += sum_n dy[n, j]
    if (!this.inputGrad) return tensor(x.shape, NONE);
    const dx = this.ws('dx', N * this.nIn);
    this.be.gemm(
      false,
      false,
      N,
      this.nIn,
      this.nOut,
      1,
      dy.ptr,
      this.nOut,
      this.weight.ptr,
      this.nIn,
      0,
      dx,
      this.nIn,
    );
    return tensor(x.shape, dx);
  }
}
