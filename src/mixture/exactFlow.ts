/**
 * Sampling the Gaussian mixture by integrating its exact velocity field (no learning), and the generated-sample
 * statistics the paper reports: pHat, per-mode mean of <x, mu>/d, per-mode variance orthogonal to mu.
 *
 * **Exact reduction.** The exact field is v(t, x) = A(t) x + B(t, <x, mu>) mu with
 *   A = (alpha alpha' + beta beta' sigma^2)/V   (the same for every sample)
 *   B = alpha (alpha beta' − alpha' beta)/V · tanh(h + beta <x, mu>/V),   V = alpha^2 + beta^2 sigma^2.
 * Write x = y mu/|mu| + x_perp with y = <x, mu>/|mu|. Then
 *   dy/dt = A y + B(t, |mu| y) |mu|        (one scalar per sample)
 *   dx_perp/dt = A(t) x_perp               (linear, sample-independent)
 * so x_perp(t) = G(t) x_perp(0) with the scalar gain dG/dt = A G, G(0) = 1. Any Runge–Kutta scheme applied to the
 * full state acts the same way on (y, G), because it is linear in x_perp with coefficients that depend on y only.
 * Hence the reduced integration of (y_1..y_N, G) reproduces the full d-dimensional one exactly, for any d (10^6 in
 * milliseconds), with |x_perp(0)|^2 = c0^2 chi^2_{d−1} drawn per sample. `--full` integrates all d coordinates.
 */
import type { Interpolant } from '../interpolant/interpolant.js';
import { GaussianMixture } from './gaussianMixture.js';
import { Rng } from '../random/rng.js';
import { integrateOde, type OdeMethod } from '../solver/ode.js';

export interface ExactFlowOptions {
  interp: Interpolant;
  mixture: GaussianMixture;
  /** Time grid to integrate through (e.g. `paperGrid(interp.tEnd, T)`). */
  grid: ArrayLike<number>;
  samples: number;
  seed: number;
  method?: OdeMethod;
  /** Integrate all d coordinates instead of the exact reduction. */
  full?: boolean;
}

/** Per-sample end state in reduced form: y = <x, mu>/|mu| and |x_perp|^2. */
export interface FlowSamples {
  y: Float64Array;
  perp2: Float64Array;
}

export interface GeneratedStats {
  /** Fraction of samples with <x, mu> > 0 (the generated weight of the +mu mode). */
  pHat: number;
  /** Binomial standard error of pHat. */
  pHatStdErr: number;
  counts: { plus: number; minus: number };
  /** Mean of <x, mu>/d over the samples of each mode (null for an empty mode). */
  modeMean: { plus: number | null; minus: number | null };
  /** Mean over the samples of each mode of |x_perp|^2/(d − 1): the per-coordinate variance orthogonal to mu. */
  variance: { plus: number | null; minus: number | null };
}

/** Statistics of generated samples given in reduced form. */
export function generatedStats(s: FlowSamples, mixture: GaussianMixture): GeneratedStats {
  const { d } = mixture;
  const muNorm = Math.sqrt(mixture.muNorm2);
  let np = 0,
    nm = 0,
    mp = 0,
    mm = 0,
    vp = 0,
    vm = 0;
  for (let k = 0; k < s.y.length; k++) {
    const proj = (s.y[k] * muNorm) / d;
    const v = d > 1 ? s.perp2[k] / (d - 1) : NaN;
    if (s.y[k] > 0) {
      np++;
      mp += proj;
      vp += v;
    } else {
      nm++;
      mm += proj;
      vm += v;
    }
  }
  const n = s.y.length;
  const pHat = np / n;
  const fin = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    pHat,
    pHatStdErr: Math.sqrt((pHat * (1 - pHat)) / n),
    counts: { plus: np, minus: nm },
    modeMean: { plus: np ? mp / np : null, minus: nm ? mm / nm : null },
    variance: { plus: np ? fin(vp / np) : null, minus: nm ? fin(vm / nm) : null },
  };
}

/**
 * Integrate the reduced flow from given starting projections y0 and orthogonal norms perp2_0 (|x_perp(0)|^2).
 * Returns the end state (y, |x_perp|^2).
 */
export function integrateReduced(
  opts: Pick<ExactFlowOptions, 'interp' | 'mixture' | 'grid' | 'method'> & { y0: Float64Array; perp2_0: Float64Array },
): FlowSamples {
  const { interp, mixture } = opts;
  const n = opts.y0.length;
  const muNorm = Math.sqrt(mixture.muNorm2);
  const state = new Float64Array(n + 1);
  state.set(opts.y0);
  state[n] = 1; // the orthogonal gain G
  integrateOde({
    x0: state,
    grid: opts.grid,
    method: opts.method ?? 'euler',
    field: (t, x, out) => {
      const c = interp.at(t);
      for (let k = 0; k < n; k++) {
        const { cx, cmu } = mixture.velocityCoefficients(c, muNorm * x[k]);
        out[k] = cx * x[k] + cmu * muNorm;
      }
      const { cx } = mixture.velocityCoefficients(c, 0);
      out[n] = cx * x[n];
    },
  });
  const g2 = state[n] * state[n];
  const perp2 = new Float64Array(n);
  for (let k = 0; k < n; k++) perp2[k] = g2 * opts.perp2_0[k];
  return { y: state.subarray(0, n), perp2 };
}

/** Integrate all d coordinates of a row-major (n, d) batch with the exact velocity; returns its reduced form. */
export function integrateFull(
  opts: Pick<ExactFlowOptions, 'interp' | 'mixture' | 'grid' | 'method'> & { x0: Float64Array },
): FlowSamples {
  const { interp, mixture } = opts;
  const x = integrateOde({
    x0: Float64Array.from(opts.x0),
    grid: opts.grid,
    method: opts.method ?? 'euler',
    field: (t, xs, out) => {
      mixture.velocity(interp.at(t), xs, out);
    },
  });
  return reduce(x, mixture);
}

/** (y, |x_perp|^2) of each row of a row-major (n, d) batch. */
export function reduce(x: Float64Array, mixture: GaussianMixture): FlowSamples {
  const { d, mu } = mixture;
  const n = x.length / d;
  const muNorm = Math.sqrt(mixture.muNorm2);
  const y = new Float64Array(n);
  const perp2 = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let dot = 0,
      sq = 0;
    for (let i = 0; i < d; i++) {
      const v = x[k * d + i];
      dot += v * mu[i];
      sq += v * v;
    }
    y[k] = dot / muNorm;
    perp2[k] = Math.max(0, sq - y[k] * y[k]);
  }
  return { y, perp2 };
}

/** Above this many numbers (samples × d) `--full` refuses to run. */
export const FULL_MODE_LIMIT = 2e8;

/**
 * Sample the mixture with the exact velocity field and report the generated statistics.
 * Starting noise x(0) ~ N(0, c0^2 I_d), c0 = interp.initStd (as in the paper's generator).
 * Reduced mode draws y(0) ~ N(0, c0^2) and |x_perp(0)|^2 = c0^2 chi^2_{d-1} directly.
 */
export function sampleExactFlow(opts: ExactFlowOptions): GeneratedStats & { samples: FlowSamples } {
  const { interp, mixture, samples } = opts;
  const c0 = interp.initStd;
  const rng = Rng.seeded(opts.seed).split(7);
  let out: FlowSamples;
  if (opts.full) {
    if (samples * mixture.d > FULL_MODE_LIMIT) {
      throw new RangeError(
        `--full needs samples × d <= ${FULL_MODE_LIMIT} (got ${samples} × ${mixture.d}); drop --full to use the exact reduction`,
      );
    }
    const x0 = rng.fillNormal(new Float64Array(samples * mixture.d), 0, c0);
    out = integrateFull({ ...opts, x0 });
  } else {
    const yRng = rng.split(0);
    const pRng = rng.split(1);
    const y0 = yRng.fillNormal(new Float64Array(samples), 0, c0);
    const perp2_0 = new Float64Array(samples);
    if (mixture.d > 1) for (let k = 0; k < samples; k++) perp2_0[k] = c0 * c0 * pRng.chiSquared(mixture.d - 1);
    out = integrateReduced({ ...opts, y0, perp2_0 });
  }
  return { ...generatedStats(out, mixture), samples: out };
}
