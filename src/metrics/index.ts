export { gaussianFit, frechetDistance } from './frechet.js';
export type { GaussianFit } from './frechet.js';
export { symmetricEigen, sqrtPsd } from './linalg.js';
export { meanCI, ratioOfMeans, tQuantile975 } from './summary.js';
export type { MeanCI, RatioCI } from './summary.js';
export { judge, claimText, seedsForHalfWidth, VERDICTS } from './verdict.js';
export type { Verdict, ClaimSpec, Interval, QualityGate, Judgement } from './verdict.js';
