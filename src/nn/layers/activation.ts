/**
 * Pointwise activations, any shape:
 *   ReLU  y = max(x, 0),          dy/dx = [x > 0]
 *   SiLU  y = x sigmoid(x),       dy/dx = s (1 + x (1 - s)),  s = sigmoid(x)   (a.k.a. swish; diffusers' default)
 */
import type { Backend, Ptr } from '../kernels/backend.js';
import { numel, tensor, type Tensor } from '../tensor.js';
import { Module } from './module.js';

abstract class Pointwise extends Module {
  private x: Tensor | null = null;
  protected abstract fwd(x: Ptr, y: Ptr, n: number): void;
  protected abstract bwd(x: Ptr, dy: Ptr, dx: Ptr, n: number): void;

  forward(x: Tensor): Tensor {
    const n = numel(x.shape);
    const y = this.ws('y', n);
    this.fwd(x.ptr, y, n);
    this.x = x;
    return tensor(x.shape, y);
  }

  backward(dy: Tensor): Tensor {
    const x = this.x;
    if (!x) throw new Error('activation backward before forward');
    const n = numel(x.shape);
    const dx = this.ws('dx', n);
    this.bwd(x.ptr, dy.ptr, dx, n);
    return tensor(x.shape, dx);
  }
}

export class ReLU extends Pointwise {
  constructor(be: Backend) {
    super(be);
  }
  protected fwd(x: Ptr, y: Ptr, n: number): void {
    this.be.reluForward(x, y, n);
  }
  protected bwd(x: Ptr, dy: Ptr, dx: Ptr, n: number): void {
    this.be.reluBackward(x, dy, dx, n);
  }
}

export class SiLU extends Pointwise {
  constructor(be: Backend) {
    super(be);
  }
  protected fwd(x: Ptr, y: Ptr, n: number): void {
    this.be.siluForward(x, y, n);
  }
  protected bwd(x: Ptr, dy: Ptr, dx: Ptr, n: number): void {
    this.be.siluBackward(x, dy, dx, n);
  }
}
