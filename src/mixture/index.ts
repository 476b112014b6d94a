export { GaussianMixture } from './gaussianMixture.js';
export type { MixtureOptions } from './gaussianMixture.js';
