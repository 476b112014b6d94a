/**
 * Containers. `Sequential` chains single-input layers (children named 0, 1, ... as torch.nn.Sequential);
 * `ModuleList` only groups children under numeric names for the state dict (`resnets.0.conv1.weight`).
 */
import type { Backend } from '../kernels/backend.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

/** A layer with one input and one output. */
export interface Layer extends Module {
  forward(x: Tensor): Tensor;
  backward(dy: Tensor): Tensor;
}

export class Sequential extends Module implements Layer {
  readonly layers: Layer[];
  constructor(be: Backend, layers: Layer[]) {
    super(be);
    this.layers = layers;
    layers.forEach((l, i) => this.child(String(i), l));
  }
  forward(x: Tensor): Tensor {
    for (const l of this.layers) x = l.forward(x);
    return x;
  }
  backward(dy: Tensor): Tensor {
    for (let i = this.layers.length - 1; i >= 0; i--) dy = this.layers[i].backward(dy);
    return dy;
  }
}

export class ModuleList<T extends Module> extends Module {
  readonly items: T[] = [];
  constructor(be: Backend) {
    super(be);
  }
  push(m: T): T {
    this.child(String(this.items.length), m);
    this.items.push(m);
    return m;
  }
  get length(): number {
    return this.items.length;
  }
}
