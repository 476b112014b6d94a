export { uTurn } from './uturn.js';
export type { UTurnOptions, UTurnResult, UTurnCurve, FeatureOracle } from './uturn.js';
export { decisionWindow, classMemory } from './window.js';
export type { DecisionWindow, WindowRule } from './window.js';
export { wilson } from './binomial.js';
export type { Proportion } from './binomial.js';
export { mixtureNoisePredictor, mixtureModeOracle } from './mixtureModel.js';
