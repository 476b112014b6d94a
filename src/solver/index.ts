export { paperGrid, uniformGrid, checkGrid } from './grid.js';
export { integrateOde, ODE_METHODS } from './ode.js';
export type { VectorField, OdeMethod, OdeOptions } from './ode.js';
export { integrateSde, noisingSde, noisingDiffusion2, reverseSde } from './sde.js';
export type { SdeOptions } from './sde.js';
export { reverseSample, noiseTo, GENERATIVE_METHODS } from './sample.js';
export type { NoisePredictor, GenerativeMethod, ReverseSampleOptions } from './sample.js';
