/**
 * Generation with a trained U-Net and the two numbers measured on generated images:
 *
 *   class fraction  pHat_A = #{oracle says class A} / n, Wilson 95 % interval; class error |pHat_A - p| with p the
 *                   fraction of class A in the training set (docs/method.md §4.7, §7 item 10);
 *   Fréchet distance between Gaussian fits of the oracle's penultimate features of the generated images and of the
 *                   real training images (FID recipe in the oracle's feature space; it is biased upwards at small n,
 *                   equally for every model evaluated with the same n, so compare only at equal n).
 *
 * Generation starts from x ~ N(0, alpha(0)^2 I) at t = 0 and integrates to t = 1 with `reverseSample` (reverse SDE
 * by Euler-Maruyama, probability-flow ODE by Heun or Euler, DDIM(eta), DPM-Solver++(2M)) on a grid of
 * ceil(stepsPerUnit) steps, uniform in t by default (diffusers' "linspace" spacing; the last step lands on the data
 * end, where the few-step samplers jump to the data prediction). Batch b draws
 * its start and its noise from streams split off `seed` by b, so two models generated with the same seed get the
 * same noise (paired comparisons).
 */
import type { BinarySplit } from '../data/binary.js';
import { frechetDistance, gaussianFit, type GaussianFit } from '../metrics/frechet.js';
import { symmetricEigen } from '../metrics/linalg.js';
import { Rng } from '../random/rng.js';
import { pollStop, StopError, stopSignal } from '../io/stop.js';
import { evaluationsPerSample, reverseSample, type GenerativeMethod } from '../solver/sample.js';
import { fewStepGrid, type GridSpacing } from '../solver/fewStep.js';
import { wilson, type Proportion } from '../uturn/binomial.js';
import type { Oracle } from './classifier.js';
import { VP_SDE } from './denoiser.js';
import { unetPredictor, type TimeConditionedNet } from './predictor.js';

export interface GenerateImagesOptions {
  net: TimeConditionedNet;
  n: number;
  method: GenerativeMethod;
  /** DDIM's eta in [0, 1] (only 'ddim' reads it; default 0). */
  eta?: number;
  stepsPerUnit: number;
  /** Time grid: 'uniform' in t (default) or 'logsnr' (equal steps in log(beta/alpha)), see `fewStepGrid`. */
  spacing?: GridSpacing;
  /** Images per batch. */
  batch: number;
  seed: number;
  onProgress?: (done: number, total: number) => void;
}

/** n generated images, row-major (n, side^2), not clamped. */
export async function generateImages(o: GenerateImagesOptions): Promise<Float64Array> {
  const pred = unetPredictor(o.net, { batch: o.batch });
  const dim = pred.dim;
  const steps = Math.max(2, Math.ceil(o.stepsPerUnit));
  const grid = fewStepGrid(VP_SDE, steps, { spacing: o.spacing ?? 'uniform', start: 0, end: 1 });
  const out = new Float64Array(o.n * dim);
  const root = Rng.seeded(o.seed).split(0x6e4);
  const a0 = VP_SDE.at(0).alpha;
  try {
    for (let b = 0, s = 0; s < o.n; b++, s += o.batch) {
      // Generation keeps nothing: a stop between batches just ends it (the caller reruns it in full).
      if (await pollStop())
        throw new StopError(stopSignal(), `while generating images (${s} of ${o.n} done; they are not kept)`, null);
      const m = Math.min(o.batch, o.n - s);
      const x = out.subarray(s * dim, (s + m) * dim);
      root.split(b).split(0).fillNormal(x, 0, a0);
      await reverseSample({
        interp: VP_SDE,
        model: pred,
        x,
        grid,
        method: o.method,
        eta: o.eta,
        rng: root.split(b).split(1),
        onStep: (k, K) => o.onProgress?.(s + (m * k) / K, o.n),
      });
    }
  } finally {
    pred.dispose();
  }
  return out;
}

/** Network evaluations per generated image (for cost estimates). */
export function evaluationsPerImage(method: GenerativeMethod, stepsPerUnit: number, span = 1): number {
  const steps = Math.max(2, Math.ceil(stepsPerUnit * span));
  return evaluationsPerSample(method, steps);
}

export interface SampleEvaluation {
  n: number;
  /** Fraction of generated images the oracle assigns to class A. */
  fractionA: Proportion;
  /** Target fraction p (class A in the training set). */
  target: number;
  /** |pHat_A - p|. */
  classError: number;
  /**
   * Fraction of images the oracle classifies with confidence (softmax probability of its label) >= CONFIDENT_LEVEL,
   * Wilson 95 % interval: the quality gate of the comparisons (a blank frame or noise gets a label, rarely a confident one).
   */
  confident: Proportion;
  /**
   * Fraction of images whose oracle features lie within the 99th percentile of held-out real images' Mahalanobis
   * distance to the real feature Gaussian (`realismFit`), Wilson 95 % interval; null without a fit. The second half
   * of the quality gate: the oracle classifies blank frames and noise confidently (measured: 100 % of blank, Gaussian
   * and uniform-noise 16 x 16 frames at p >= 0.9), their features are far from every real image.
   */
  typical: Proportion | null;
  /** Fréchet distance to the real training images in the oracle's feature space (null without a reference). */
  fd: number | null;
}

/** Gaussian fit of the oracle features of real images (the FD reference). */
export function referenceFit(oracle: Oracle, split: BinarySplit): GaussianFit {
  return gaussianFit(oracle.features(split.x, split.n), oracle.featureDim);
}

export function evaluateImages(o: {
  oracle: Oracle;
  images: Float64Array;
  target: number;
  reference: GaussianFit | null;
  realism?: RealismFit | null;
}): SampleEvaluation {
  const n = o.images.length / (o.oracle.size * o.oracle.size);
  const { labels, confident } = labelsWithConfidence(o.oracle.logits(o.images, n), n);
  let a = 0;
  for (const l of labels) if (l === 0) a++;
  const fractionA = wilson(a, n);
  const feats = o.reference || o.realism ? o.oracle.features(o.images, n) : null;
  const fd =
    o.reference && feats && n >= 2 ? frechetDistance(gaussianFit(feats, o.oracle.featureDim), o.reference) : null;
  let typical: Proportion | null = null;
  if (o.realism && feats) {
    const d = featureDistances(o.realism, feats, n);
    let k = 0;
    for (const x of d) if (x <= o.realism.threshold) k++;
    typical = wilson(k, n);
  }
  return {
    n,
    fractionA,
    target: o.target,
    classError: Math.abs(fractionA.value - o.target),
    confident: wilson(confident, n),
    typical,
    fd,
  };
}

/**
 * Mahalanobis distance of oracle features to the Gaussian of real training images' features (eigenvalues floored at
 * 1e-6 of the largest), with the 99th percentile of held-out real images' distances as the threshold of "typical".
 */
export interface RealismFit {
  dim: number;
  mean: Float64Array;
  /** Eigenvectors (columns, row-major dim x dim) and 1 / floored eigenvalues of the covariance. */
  vectors: Float64Array;
  invValues: Float64Array;
  threshold: number;
  quantile: number;
  /** Held-out images the threshold comes from. */
  n: number;
}

export function realismFit(oracle: Oracle, train: BinarySplit, heldOut: BinarySplit, quantile = 0.99): RealismFit {
  const dim = oracle.featureDim;
  const g = gaussianFit(oracle.features(train.x, train.n), dim);
  const { values, vectors } = symmetricEigen(g.cov, dim);
  const top = Math.max(...values);
  const invValues = Float64Array.from(values, (v) => 1 / Math.max(v, 1e-6 * top, 1e-300));
  const fit: RealismFit = { dim, mean: g.mean, vectors, invValues, threshold: Infinity, quantile, n: heldOut.n };
  const d = [...featureDistances(fit, oracle.features(heldOut.x, heldOut.n), heldOut.n)].sort((a, b) => a - b);
  fit.threshold = d.length ? d[Math.min(d.length - 1, Math.floor(quantile * d.length))] : Infinity;
  return fit;
}

export function featureDistances(fit: RealismFit, features: ArrayLike<number>, n: number): Float64Array {
  const F = fit.dim,
    out = new Float64Array(n),
    c = new Float64Array(F);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < F; j++) c[j] = features[i * F + j] - fit.mean[j];
    let s = 0;
    for (let k = 0; k < F; k++) {
      let p = 0;
      for (let j = 0; j < F; j++) p += fit.vectors[j * F + k] * c[j];
      s += p * p * fit.invValues[k];
    }
    out[i] = Math.sqrt(s);
  }
  return out;
}

/** Softmax probability an image's label must reach to count as confidently classified. */
export const CONFIDENT_LEVEL = 0.9;

/**
 * Labels (argmax, ties to the lower class as `Oracle.classify`) and the number of images whose softmax probability of
 * that label is >= CONFIDENT_LEVEL, from logits (n x K).
 */
export function labelsWithConfidence(logits: ArrayLike<number>, n: number): { labels: Int32Array; confident: number } {
  const K = logits.length / n;
  const labels = new Int32Array(n);
  let confident = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (logits[i * K + k] > logits[i * K + best]) best = k;
    labels[i] = best;
    // p(best) = 1 / sum_k exp(z_k - z_best)
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(logits[i * K + k] - logits[i * K + best]);
    if (1 / s >= CONFIDENT_LEVEL) confident++;
  }
  return { labels, confident };
}
