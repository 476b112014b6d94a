/**
 * Time samplers for flow-matching training on t ∈ [0, 1] (t = 0 noise, t = 1 data), each with exact pdf, cdf and
 * inverse cdf: uniform, piecewise/window mixtures (the paper's phase-aware schedule), logit-normal, SD3 mode and
 * cosmap, EDM log-normal, Beta; plus rescaling to [0, tEnd], importance weights and a CLI parser.
 */
export type { TimeSampler } from './base.js';
export { UnitIntervalSampler } from './base.js';
export {
  UniformSampler,
  uniformSampler,
  LogitNormalSampler,
  logitNormalSampler,
  EdmSampler,
  edmSampler,
  BetaSampler,
  betaSampler,
} from './basic.js';
export {
  ModeSampler,
  modeSampler,
  MODE_SCALE_MIN,
  MODE_SCALE_MAX,
  MODE_SCALE_DEFAULT,
  CosmapSampler,
  cosmapSampler,
} from './sd3.js';
export { PiecewiseSampler, piecewiseSampler, windowsSampler, windowSampler, paperMnistSampler } from './piecewise.js';
export type { PiecewiseSegment, WeightedWindow, WindowSamplerOptions, PaperMnistVariant } from './piecewise.js';
export { ScaledSampler, scaleToInterval, importanceWeight, importanceWeights, sampleStratified } from './transform.js';
export type { ImportanceWeightOptions } from './transform.js';
export { parseSampler, TIME_SAMPLER_NAMES } from './parse.js';
export type { TimeSamplerName } from './parse.js';
// The special functions (./special.js) and the root finder (./solve.js) stay internal: their generic names
// (normalCdf, erfc, …) would collide with other modules in the package's root `export *`.
