/**
 * Exact stand-ins for the Gaussian mixture: the Bayes noise predictor E[x0 | x_t] = (x − beta E[x1 | x])/alpha and the
 * mode oracle sign(<x, mu>) — so the U-Turn machinery can be checked where the answer is known.
 */
import type { Interpolant } from '../interpolant/interpolant.js';
import type { GaussianMixture } from '../mixture/gaussianMixture.js';
import type { NoisePredictor } from '../solver/sample.js';
import type { FeatureOracle } from './uturn.js';

export function mixtureNoisePredictor(mixture: GaussianMixture, interp: Interpolant): NoisePredictor {
  const { d } = mixture;
  return {
    dim: d,
    predict(x, t, out) {
      const n = x.length / d;
      for (let k = 0; k < n; k++) {
        const c = interp.at(t[k]);
        const row = x.subarray(k * d, (k + 1) * d);
        const o = out.subarray(k * d, (k + 1) * d);
        mixture.denoise(c, row, o);
        for (let i = 0; i < d; i++) o[i] = (row[i] - c.beta * o[i]) / c.alpha;
      }
    },
  };
}

/** Label 0 for the +mu mode (<x, mu> > 0), 1 for the −mu mode. */
export function mixtureModeOracle(mixture: GaussianMixture): FeatureOracle {
  const { d, mu } = mixture;
  return (x, n) => {
    const out = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += x[k * d + i] * mu[i];
      out[k] = dot > 0 ? 0 : 1;
    }
    return out;
  };
}
