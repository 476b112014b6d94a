export { Rng, mix32 } from './rng.js';
export type { RngState } from './rng.js';
