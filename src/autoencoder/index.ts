export {
  makeGrid as makeAeGrid,
  initParams as initAeParams,
  zeroParams as zeroAeParams,
  cloneParams as cloneAeParams,
} from './model.js';
export type { AeGrid, AeParams } from './model.js';
export { aeLossAndGrad } from './reference.js';
export type { LossAndGrad as AeLossAndGrad, NoiseSource as AeNoiseSource } from './reference.js';
// Ae-prefixed: the nn engine exports its own Adam/AdamOptions/AdamState
export {
  adamInit as aeAdamInit,
  adamStep as aeAdamStep,
  adamFactors as aeAdamFactors,
  cloneAdam as aeCloneAdam,
} from './adam.js';
export type { AdamOptions as AeAdamOptions, AdamState as AeAdamState } from './adam.js';
export { WasmAeKernel, defaultBlock, defaultChunks } from './wasmBackend.js';
export type { WasmAeOptions, StepOptions as WasmAeStepOptions } from './wasmBackend.js';
export { createAeTrainer, aeTrainerConfig } from './trainer.js';
export type {
  AeTrainer,
  AeTrainerOptions,
  AeTrainerConfig,
  AeTrainerState,
  AeTrainerMeta,
  AeSchedule,
  AeBackend,
} from './trainer.js';
export { generateSamples, generateAndMeasure } from './generate.js';
export type { GenerateOptions } from './generate.js';
export { bayesOptimalParams } from './bayes.js';
export { computeOverlaps } from './overlaps.js';
export type { Overlaps } from './overlaps.js';
export {
  runGmm,
  readGmmCheckpoint,
  checkpointPath as gmmCheckpointPath,
  configDiff as gmmConfigDiff,
  GMM_PRESETS,
  NonFiniteLossError,
} from './experiment.js';
export type {
  GmmConfig,
  GmmPreset,
  GmmResult,
  GmmOutcome,
  RunGmmOptions,
  CheckpointMeta as GmmCheckpointMeta,
} from './experiment.js';
// Figure 1 as numbers (docs/method.md §5.1): the decay matched to the theory's ridge constants (l = 2λ/(dT)) and the
// RMS distance of each overlap from the finite-n theory, plain and branch-aware.
export {
  theoryOverlay,
  ridgeConstants,
  matchedDecay,
  compareOverlaps,
  overlapRms,
  FIGURE_OVERLAPS,
  PAPER_RIDGE,
} from './theoryOverlay.js';
export type { TheoryOverlay, TheoryLambdas, OverlayOptions, TheoryComparison, FigureOverlap } from './theoryOverlay.js';
