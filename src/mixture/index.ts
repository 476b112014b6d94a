export { GaussianMixture } from './gaussianMixture.js';
export type { MixtureOptions } from './gaussianMixture.js';
export {
  sampleExactFlow,
  integrateReduced,
  integrateFull,
  reduce,
  generatedStats,
  FULL_MODE_LIMIT,
} from './exactFlow.js';
export type { ExactFlowOptions, FlowSamples, GeneratedStats } from './exactFlow.js';
export { runExact, exactSweep, buildGrid } from './exactSweep.js';
export type { ExactRunConfig, ExactRow, GridKind } from './exactSweep.js';
