// Shared helpers for the nn tests.
import { Rng } from '../../src/random/rng.js';
import type { Backend, Ptr } from '../../src/nn/kernels/backend.js';

/** Allocates n elements filled with uniform values in [-scale, scale). */
export function randomBuf(be: Backend, n: number, rng: Rng, scale = 1): Ptr {
  const p = be.alloc(n);
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = (2 * rng.uniform() - 1) * scale;
  be.write(p, v);
  return p;
}

/** Copies n elements of buffer p of backend a into a new buffer of backend b. */
export function mirror(a: Backend, p: Ptr, b: Backend, n: number): Ptr {
  const q = b.alloc(n);
  b.write(q, a.read(p, n));
  return q;
}
