/**
 * phaseflow — phase-aware time schedules for flow-based generative models.
 * Library entry point (no CLI code is loaded from here).
 */
export * from './random/index.js';
export * from './interpolant/index.js';
export * from './mixture/index.js';
export { VERSION } from './version.js';
export * from './solver/index.js';
export * from './report/index.js';
export * from './sampler/index.js';
export * from './theory/index.js';
export * from './uturn/index.js';
export * from './kernels/index.js';
export * from './autoencoder/index.js';
export * from './data/index.js';
export * from './metrics/index.js';
export * from './sweep/sweep.js';
export * as nn from './nn/index.js';
export * from './realdata/index.js';
export { runStages, buildReport, STAGES, SCALES as REPRODUCE_SCALES } from './reproduce/index.js';
export type {
  Scale as ReproduceScale,
  Stage,
  StageContext,
  StageOutput,
  StageRecord,
  Claim,
} from './reproduce/index.js';
