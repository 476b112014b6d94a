/**
 * Generation with a trained per-time-step autoencoder (docs/method.md §2.7) and the statistics of what it generates.
 *
 * On the training grid t_j = j tEnd/T the learned denoiser f_j(x) = c_j x + u_j tanh(b_j + <w_j, x>/(sqrt(d) c0))
 * gives the velocity v_j(x) = (alpha'/alpha)(t_j) x + (beta' − alpha' beta/alpha)(t_j) f_j(x). Euler:
 *   x_{j+1} = x_j + dt v_j(x_j),  j = 0..T−2,   x_0 ~ N(0, c0^2 I_d),  dt = tEnd/T
 * (the last grid point is never stepped from; no final denoising). Heun uses v_{j+1} at the predictor.
 *
 * Shapes: c, b are (T); u, w are (T, d) row-major (u[j d + i]); samples are (G, d) row-major.
 */
import type { Interpolant } from '../interpolant/interpolant.js';
import { GaussianMixture } from '../mixture/gaussianMixture.js';
import { generatedStats, reduce, type GeneratedStats } from '../mixture/exactFlow.js';
import { Rng } from '../random/rng.js';

export interface AeParams {
  T: number;
  d: number;
  c: Float64Array;
  b: Float64Array;
  u: Float64Array;
  w: Float64Array;
}

export interface GenerateOptions {
  params: AeParams;
  interp: Interpolant;
  samples: number;
  seed: number;
  method?: 'euler' | 'heun';
  /** Starting noise (samples, d); drawn from N(0, c0^2 I) with the seed when absent. */
  x0?: Float64Array;
}

/** Velocity of step j applied to one sample row x (length d) into out. */
function velocityRow(
  p: AeParams,
  j: number,
  gx: number,
  zeta: number,
  scale: number,
  x: Float64Array,
  off: number,
  out: Float64Array,
): void {
  const { d } = p;
  const wj = j * d;
  let dot = 0;
  for (let i = 0; i < d; i++) dot += p.w[wj + i] * x[off + i];
  const th = Math.tanh(p.b[j] + dot * scale);
  const cx = gx + zeta * p.c[j];
  const cu = zeta * th;
  for (let i = 0; i < d; i++) out[i] = cx * x[off + i] + cu * p.u[wj + i];
}

/** Generated samples, row-major (samples, d). */
export function generateSamples(opts: GenerateOptions): Float64Array {
  const { params: p, interp, samples } = opts;
  const { d, T } = p;
  const c0 = interp.initStd;
  const scale = 1 / (Math.sqrt(d) * c0);
  const dt = interp.tEnd / T;
  const x = opts.x0
    ? Float64Array.from(opts.x0)
    : Rng.seeded(opts.seed)
        .split(11)
        .fillNormal(new Float64Array(samples * d), 0, c0);
  const v1 = new Float64Array(d);
  const v2 = new Float64Array(d);
  const tmp = new Float64Array(d);
  const coef = (j: number) => {
    const c = interp.at((j * interp.tEnd) / T);
    return { gx: c.dAlpha / c.alpha, zeta: c.dBeta - (c.dAlpha * c.beta) / c.alpha };
  };
  for (let j = 0; j + 1 < T; j++) {
    const k1 = coef(j);
    const k2 = opts.method === 'heun' ? coef(j + 1) : k1;
    for (let s = 0; s < samples; s++) {
      const off = s * d;
      velocityRow(p, j, k1.gx, k1.zeta, scale, x, off, v1);
      if (opts.method === 'heun') {
        for (let i = 0; i < d; i++) tmp[i] = x[off + i] + dt * v1[i];
        velocityRow(p, j + 1, k2.gx, k2.zeta, scale, tmp, 0, v2);
        for (let i = 0; i < d; i++) x[off + i] += 0.5 * dt * (v1[i] + v2[i]);
      } else {
        for (let i = 0; i < d; i++) x[off + i] += dt * v1[i];
      }
    }
  }
  return x;
}

/** Generate and measure: pHat, per-mode mean of <x, mu>/d, per-mode variance orthogonal to mu (mu = 1_d). */
export function generateAndMeasure(
  opts: GenerateOptions & { p: number; sigma?: number },
): GeneratedStats & { projections: Float64Array } {
  const x = generateSamples(opts);
  const mixture = new GaussianMixture({ d: opts.params.d, p: opts.p, sigma: opts.sigma ?? 1 });
  const red = reduce(x, mixture);
  const scale = Math.sqrt(mixture.muNorm2) / mixture.d;
  return { ...generatedStats(red, mixture), projections: red.y.map((y) => y * scale) };
}
