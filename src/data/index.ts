export { parseIdx, readIdx, DataError } from './idx.js';
export type { IdxArray } from './idx.js';
export { loadEmbeddedMnist, loadIdxFolder, imageCount } from './images.js';
export type { ImageSet } from './images.js';
export { makeBinaryDataset, padAndScale } from './binary.js';
export type { BinaryDataset, BinarySplit, BinaryOptions } from './binary.js';
