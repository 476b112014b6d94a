export { Adam, AdamW, type AdamOptions, type AdamState } from './adam.js';
export { clipGradNorm, gradNorm } from './clip.js';
export { cosineWithWarmup, constantLr, type CosineOptions, type LrSchedule } from './schedule.js';
export { Ema, type EmaOptions } from './ema.js';
