/**
 * Reference forward + backward of the autoencoder loss in float64, written for reading (it is the test oracle of the
 * wasm kernel). Formulas in model.ts; per time step j and sample mu:
 *
 *   x   = alpha_j z + beta_j x1                  (z: one row of the (T, n, d) noise)
 *   pre = b_j + s <w_j, x>,  h = tanh(pre),  s = 1/(sqrt(d) c0)
 *   r   = c_j x + u_j h - x1
 *   L  += K |r|^2,  K = 1/(d T)
 *   dL/du_j += 2K h r,   dL/dc_j += 2K <x, r>,   g = 2K (1 - h^2) <u_j, r>,   dL/db_j += g,   dL/dw_j += s g x
 */
import type { AeGrid, AeParams } from './model.js';
import { zeroParams } from './model.js';

/**
 * Noise for one epoch: a (T, n, d) row-major array, or a function that writes row (j, mu) (length d) into `out`
 * (rows are requested in the order j = 0..T-1, mu = 0..n-1).
 */
export type NoiseSource = Float64Array | ((j: number, mu: number, out: Float64Array) => void);

export interface LossAndGrad {
  /** L (as above). */
  loss: number;
  /** Contribution of each time step, K sum_mu |r|^2; sums to `loss`. */
  lossPerTime: Float64Array;
  /** dL/d(params), same layout as the parameters (no weight decay). */
  grad: AeParams;
}

/**
 * Loss and gradient for training data `x1` ((n, d) row-major) and the given noise.
 * `out` (optional) receives the gradient (overwritten).
 */
export function aeLossAndGrad(
  grid: AeGrid,
  p: AeParams,
  x1: Float64Array,
  n: number,
  noise: NoiseSource,
  out?: AeParams,
): LossAndGrad {
  const it = aeLossAndGradChunks(grid, p, x1, n, noise, out);
  for (;;) {
    const r = it.next();
    if (r.done) return r.value;
  }
}

/**
 * `aeLossAndGrad` in chunks: the generator yields after every few rows (about 2e5 coordinates of work) and returns
 * the same result, bit for bit. A caller can stop between chunks (to honour a signal inside a long step) and drop
 * the partial gradient; nothing else is modified.
 */
export function* aeLossAndGradChunks(
  grid: AeGrid,
  p: AeParams,
  x1: Float64Array,
  n: number,
  noise: NoiseSource,
  out?: AeParams,
): Generator<void, LossAndGrad> {
  const { d, T } = grid;
  if (p.d !== d || p.T !== T) throw new RangeError(`params are (T=${p.T}, d=${p.d}), grid is (T=${T}, d=${d})`);
  if (x1.length !== n * d) throw new RangeError(`x1 has ${x1.length} entries, expected n*d = ${n * d}`);
  if (noise instanceof Float64Array && noise.length !== T * n * d) {
    throw new RangeError(`noise has ${noise.length} entries, expected T*n*d = ${T * n * d}`);
  }
  const grad = out ?? zeroParams(d, T);
  grad.c.fill(0);
  grad.b.fill(0);
  grad.u.fill(0);
  grad.w.fill(0);
  const K = 1 / (d * T);
  const s = 1 / (Math.sqrt(d) * grid.c0);
  const lossPerTime = new Float64Array(T);
  const z = new Float64Array(d);
  const x = new Float64Array(d);
  const r = new Float64Array(d);
  const rowsPerChunk = Math.max(1, Math.floor(2e5 / d));
  let rows = 0;
  for (let j = 0; j < T; j++) {
    const a = grid.alpha[j];
    const be = grid.beta[j];
    const c = p.c[j];
    const b = p.b[j];
    const off = j * d;
    let lossJ = 0;
    for (let mu = 0; mu < n; mu++) {
      if (noise instanceof Float64Array) z.set(noise.subarray((j * n + mu) * d, (j * n + mu + 1) * d));
      else noise(j, mu, z);
      const xo = mu * d;
      let wx = 0;
      for (let i = 0; i < d; i++) {
        x[i] = a * z[i] + be * x1[xo + i];
        wx += p.w[off + i] * x[i];
      }
      const h = Math.tanh(b + s * wx);
      let rr = 0;
      let ur = 0;
      let xr = 0;
      for (let i = 0; i < d; i++) {
        r[i] = c * x[i] + p.u[off + i] * h - x1[xo + i];
        rr += r[i] * r[i];
        ur += p.u[off + i] * r[i];
        xr += x[i] * r[i];
      }
      lossJ += K * rr;
      const g = 2 * K * (1 - h * h) * ur;
      grad.b[j] += g;
      grad.c[j] += 2 * K * xr;
      for (let i = 0; i < d; i++) {
        grad.u[off + i] += 2 * K * h * r[i];
        grad.w[off + i] += s * g * x[i];
      }
      if (++rows >= rowsPerChunk) {
        rows = 0;
        yield;
      }
    }
    lossPerTime[j] = lossJ;
  }
  let loss = 0;
  for (let j = 0; j < T; j++) loss += lossPerTime[j];
  return { loss, lossPerTime, grad };
}
