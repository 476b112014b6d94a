/**
 * Asymptotic theory of the two-layer autoencoder on the dilated schedule (docs/method.md §3): phase-1 saddle point,
 * phase-2 closed forms, the generated distribution (p̂, σ̂²), Bayes-MSE curves and the dilation-constant study.
 */
export { gaussHermite, gaussExpect, GaussianSmoother, integrateAdaptive } from './quadrature.js';
export type { GaussRule } from './quadrature.js';
export { nelderMeadBox, gridLocalMinima2d } from './optimize.js';
export type { Box, MinimizeResult } from './optimize.js';
export {
  Phase1Solver,
  Phase1Path,
  phase1Infinite,
  biasConstant,
  biasToU,
  uToBias,
  PHASE1_NUMERATORS,
  PHASE1_SELECTIONS,
} from './phase1.js';
export type {
  Phase1Config,
  Phase1Numerator,
  Phase1Selection,
  Phase1Moments,
  Phase1Point,
  Phase1Branch,
  Phase1Infinite,
  Phase1Jump,
  Phase1Transition,
  Phase1Curve,
} from './phase1.js';
export { phase2At, phase2Infinite, phase2Curve, phase2Constants, PHASE2_VARIANTS } from './phase2.js';
export type { Phase2Config, Phase2Variant, Phase2Point, Phase2Infinite, Phase2Curve } from './phase2.js';
export {
  infiniteReduced,
  finiteReduced,
  reducedVelocity,
  flowMapOde,
  flowMapEuler,
  modeLockingProbability,
  pHatOf,
  pHatInfinite,
  pHatSignLocking,
  transportedMoments,
  sigmaHat2,
  sigmaHat2Infinite,
  sigmaHat2Numeric,
  sigmaHat2Euler,
} from './generated.js';
export type { ReducedParams, ReducedPhase1 } from './generated.js';
export { labelUncertainty, bayesMse, mseDilatedPhase1, mseDilatedPhase2, mseDilatedCurve, mseCurve } from './mse.js';
export { kappaStudy } from './kappa.js';
export type { KappaStudy, KappaStudyOptions } from './kappa.js';
export { computeTheory, summarizeTheory, DEFAULT_THEORY_OPTIONS } from './compute.js';
export type { TheoryOptions, TheoryReport } from './compute.js';
export { theoryFigures, overlapSeries } from './figures.js';
export type { TheoryFigure, OverlapLine } from './figures.js';
