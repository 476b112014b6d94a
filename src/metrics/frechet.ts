/**
 * Fréchet distance between Gaussian fits of two feature sets (the FID recipe, here in the feature space of phaseflow's
 * own classifier since no Inception network is available offline):
 *
 *   FD = |mu_1 − mu_2|^2 + tr(S_1 + S_2 − 2 (S_1^{1/2} S_2 S_1^{1/2})^{1/2})
 *
 * with sample means mu and covariances S (unbiased). The symmetric form of the cross term avoids the non-symmetric
 * matrix square root of (S_1 S_2)^{1/2}; both have the same trace.
 */
import { sqrtPsd, matmul } from './linalg.js';

export interface GaussianFit {
  dim: number;
  mean: Float64Array;
  /** dim × dim row-major. */
  cov: Float64Array;
  n: number;
}

/** Mean and unbiased covariance of n row-major feature vectors of length dim. */
export function gaussianFit(features: ArrayLike<number>, dim: number): GaussianFit {
  const n = features.length / dim;
  if (!Number.isInteger(n) || n < 2)
    throw new RangeError(`need at least 2 feature vectors of length ${dim}, got ${features.length} values`);
  const mean = new Float64Array(dim);
  for (let k = 0; k < n; k++) for (let i = 0; i < dim; i++) mean[i] += features[k * dim + i];
  for (let i = 0; i < dim; i++) mean[i] /= n;
  const cov = new Float64Array(dim * dim);
  const c = new Float64Array(dim);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < dim; i++) c[i] = features[k * dim + i] - mean[i];
    for (let i = 0; i < dim; i++) {
      const ci = c[i];
      for (let j = i; j < dim; j++) cov[i * dim + j] += ci * c[j];
    }
  }
  for (let i = 0; i < dim; i++)
    for (let j = i; j < dim; j++) {
      const v = cov[i * dim + j] / (n - 1);
      cov[i * dim + j] = v;
      cov[j * dim + i] = v;
    }
  return { dim, mean, cov, n };
}

export function frechetDistance(a: GaussianFit, b: GaussianFit): number {
  if (a.dim !== b.dim) throw new RangeError(`feature dimensions differ: ${a.dim} vs ${b.dim}`);
  const n = a.dim;
  let d2 = 0;
  for (let i = 0; i < n; i++) d2 += (a.mean[i] - b.mean[i]) ** 2;
  const s1h = sqrtPsd(a.cov, n);
  const cross = sqrtPsd(matmul(matmul(s1h, b.cov, n), s1h, n), n);
  let tr = 0;
  for (let i = 0; i < n; i++) tr += a.cov[i * n + i] + b.cov[i * n + i] - 2 * cross[i * n + i];
  return d2 + tr;
}
