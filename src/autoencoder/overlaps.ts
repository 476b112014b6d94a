/**
 * Order-one summary statistics ("overlaps") of the learned parameters per time step (docs/method.md §2.8), mu = 1_d:
 *   c,   m = <u, mu>/d,   omega = <w, mu>/d,   b,   sqrtQ = |u|/sqrt(d),   sqrtR = |w|/sqrt(d).
 *
 * Sign symmetry: (u, w, b) -> (−u, −w, −b) leaves f_j unchanged, so training lands on either copy independently at
 * each time step. We make it canonical by flipping each step so that the decoder points along +mu (m >= 0; when
 * m = 0 exactly, omega >= 0). This keeps the relative signs of m, omega and b, which the paper's |.| plot discards;
 * `abs: true` gives the paper's absolute values.
 */
import type { AeParams } from './generate.js';

export interface Overlaps {
  t: number[];
  c: number[];
  m: number[];
  omega: number[];
  b: number[];
  sqrtQ: number[];
  sqrtR: number[];
}

export function computeOverlaps(p: AeParams, tEnd: number, opts: { abs?: boolean } = {}): Overlaps {
  const { T, d } = p;
  const o: Overlaps = { t: [], c: [], m: [], omega: [], b: [], sqrtQ: [], sqrtR: [] };
  for (let j = 0; j < T; j++) {
    let su = 0,
      sw = 0,
      qu = 0,
      qw = 0;
    for (let i = 0; i < d; i++) {
      const u = p.u[j * d + i];
      const w = p.w[j * d + i];
      su += u;
      sw += w;
      qu += u * u;
      qw += w * w;
    }
    let m = su / d,
      omega = sw / d,
      b = p.b[j];
    const flip = m < 0 || (m === 0 && omega < 0);
    if (flip) {
      m = -m;
      omega = -omega;
      b = -b;
    }
    const f = opts.abs ? Math.abs : (x: number) => x;
    o.t.push((j * tEnd) / T);
    o.c.push(f(p.c[j]));
    o.m.push(f(m));
    o.omega.push(f(omega));
    o.b.push(f(b));
    o.sqrtQ.push(Math.sqrt(qu / d));
    o.sqrtR.push(Math.sqrt(qw / d));
  }
  return o;
}
