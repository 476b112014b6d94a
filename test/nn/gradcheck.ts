// Finite-difference gradient checking on the float64 reference backend.
import assert from 'node:assert/strict';
import { Rng } from '../../src/random/rng.js';
import type { Backend, Ptr } from '../../src/nn/kernels/backend.js';
import type { Module } from '../../src/nn/layers/module.js';
import { numel, tensor, type Tensor } from '../../src/nn/tensor.js';

export interface GradCase {
  module: Module;
  /** Input shapes; each input gets random values in [-1, 1). */
  inputs: number[][];
  /** Runs the forward pass on the inputs. */
  forward: (xs: Tensor[]) => Tensor;
  /** Runs the backward pass from dy; returns the input gradients to check (null = not checked). */
  backward: (dy: Tensor) => (Tensor | null)[];
  /** Max coordinates checked per tensor (random subset beyond that). */
  maxCoords?: number;
  tol?: number;
}

/**
 * Checks d/dtheta and d/dx of L = sum(y * r) (r random) by central differences, h = 1e-5 in float64.
 * Parameters are re-drawn at random first (so norms get gamma != 1 etc.). Error measured relative to the largest
 * gradient entry of the tensor: |fd - analytic| <= tol * max(max |analytic|, 1e-4).
 */
export function gradCheck(be: Backend, c: GradCase, seed = 7): void {
  const rng = Rng.seeded(seed);
  const m = c.module;
  m.materialize(rng);
  for (const [, p] of m.namedParams()) {
    const v = new Float64Array(p.size);
    for (let i = 0; i < p.size; i++)
      v[i] = (2 * rng.uniform() - 1) * 0.8 + (p.init.kind === 'const' && p.init.value === 1 ? 1 : 0);
    be.write(p.ptr, v);
  }
  const xs: Tensor[] = c.inputs.map((shape) => {
    const p = be.alloc(numel(shape));
    const v = new Float64Array(numel(shape));
    for (let i = 0; i < v.length; i++) v[i] = 2 * rng.uniform() - 1;
    be.write(p, v);
    return tensor(shape, p);
  });
  const y0 = c.forward(xs);
  const ny = numel(y0.shape);
  const r = be.alloc(ny);
  const rv = new Float64Array(ny);
  for (let i = 0; i < ny; i++) rv[i] = 2 * rng.uniform() - 1;
  be.write(r, rv);
  const loss = (): number => {
    const y = c.forward(xs);
    let s = 0;
    for (let i = 0; i < ny; i++) s += be.heap[y.ptr + i] * be.heap[r + i];
    return s;
  };
  m.zeroGrad();
  c.forward(xs);
  const dxs = c.backward(tensor(y0.shape, r)).map((d, i) => (d ? be.read(d.ptr, numel(c.inputs[i])) : null));
  const targets: { name: string; ptr: Ptr; n: number; grad: Float64Array }[] = [];
  for (const [name, p] of m.namedParams()) targets.push({ name, ptr: p.ptr, n: p.size, grad: be.read(p.grad, p.size) });
  xs.forEach((x, i) => {
    const g = dxs[i];
    if (g) targets.push({ name: `input ${i}`, ptr: x.ptr, n: g.length, grad: g });
  });
  const h = 1e-5,
    tol = c.tol ?? 1e-6,
    maxCoords = c.maxCoords ?? 40;
  for (const t of targets) {
    let scale = 1e-4; // floor: a gradient that is exactly 0 (e.g. a bias followed by a norm) vs FD round-off
    for (const v of t.grad) scale = Math.max(scale, Math.abs(v));
    const coords = t.n <= maxCoords ? [...Array(t.n).keys()] : Array.from({ length: maxCoords }, () => rng.int(t.n));
    for (const i of coords) {
      const old = be.heap[t.ptr + i];
      be.heap[t.ptr + i] = old + h;
      const lp = loss();
      be.heap[t.ptr + i] = old - h;
      const lm = loss();
      be.heap[t.ptr + i] = old;
      const fd = (lp - lm) / (2 * h);
      const err = Math.abs(fd - t.grad[i]) / scale;
      assert.ok(err <= tol, `${t.name}[${i}]: finite difference ${fd} vs analytic ${t.grad[i]} (rel ${err})`);
    }
  }
  for (const x of xs) be.free(x.ptr);
  be.free(r);
  m.dispose();
}
