export { paperGrid, uniformGrid, checkGrid } from './grid.js';
export { integrateOde, ODE_METHODS } from './ode.js';
export type { VectorField, OdeMethod, OdeOptions } from './ode.js';
export { integrateSde, noisingSde, noisingDiffusion2, reverseSde } from './sde.js';
export type { SdeOptions } from './sde.js';
export {
  reverseSample,
  noiseTo,
  GENERATIVE_METHODS,
  STOCHASTIC_METHODS,
  isStochastic,
  evaluationsPerSample,
} from './sample.js';
export {
  fewStepSample,
  fewStepGrid,
  checkEta,
  FEW_STEP_METHODS,
  GRID_SPACINGS,
  KARRAS_RHO,
  ZERO_ALPHA,
  LOWER_ORDER_FINAL_BELOW,
} from './fewStep.js';
export type { FewStepMethod, FewStepOptions, FewStepGridOptions, GridSpacing } from './fewStep.js';
export type { NoisePredictor, GenerativeMethod, ReverseSampleOptions } from './sample.js';
