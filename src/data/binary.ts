/**
 * The paper's unbalanced two-class image set (docs/method.md §4.1): class A (default digit 0) makes up a fraction
 * `fraction` (default 0.8) of the set and class B (default digit 1) the rest; images are padded to `size` × `size`
 * (default 32, zero border, centred) and scaled from [0, 1] to [−1, 1]; a held-out split is kept aside with the same
 * class proportions. Labels: 0 for class A, 1 for class B. All draws come from the seed.
 */
import { Rng } from '../random/rng.js';
import { DataError } from './idx.js';
import type { ImageSet } from './images.js';
import { FieldError } from '../io/errors.js';

export interface BinaryOptions {
  classA?: number;
  classB?: number;
  /** Fraction of class A, in (0, 1). */
  fraction?: number;
  /** Fraction of each class held out, in [0, 1). */
  heldOut?: number;
  size?: number;
  seed: number;
  /** Cap on the number of training images (after the class split), e.g. for quick runs. */
  maxTrain?: number;
}

export interface BinarySplit {
  /** (N, 1, size, size) in [−1, 1]. */
  x: Float32Array;
  /** 0 = class A, 1 = class B. */
  y: Int32Array;
  n: number;
}

export interface BinaryDataset {
  train: BinarySplit;
  test: BinarySplit;
  size: number;
  classA: number;
  classB: number;
  fraction: number;
  /** Measured fraction of class A in the training split. */
  trainFractionA: number;
  source: string;
}

/** Pad (centre) an (H, W) image in [0, 1] to size × size and map it to [−1, 1]. */
export function padAndScale(
  src: Float32Array,
  offset: number,
  h: number,
  w: number,
  size: number,
  out: Float32Array,
  outOffset: number,
): void {
  if (h > size || w > size) throw new DataError(`images of ${h}×${w} do not fit in ${size}×${size}`);
  const top = Math.floor((size - h) / 2);
  const left = Math.floor((size - w) / 2);
  out.fill(-1, outOffset, outOffset + size * size);
  for (let i = 0; i < h; i++)
    for (let j = 0; j < w; j++) out[outOffset + (top + i) * size + left + j] = 2 * src[offset + i * w + j] - 1;
}

function shuffle(rng: Rng, a: number[]): number[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

export function makeBinaryDataset(set: ImageSet, opts: BinaryOptions): BinaryDataset {
  const classA = opts.classA ?? 0;
  const classB = opts.classB ?? 1;
  const fraction = opts.fraction ?? 0.8;
  const heldOut = opts.heldOut ?? 0.1;
  const size = opts.size ?? 32;
  if (classA === classB) throw new FieldError('data.classes', `the two classes must differ (got ${classA} twice)`);
  if (!(fraction > 0 && fraction < 1))
    throw new FieldError('data.fraction', `expected a number in (0, 1), got ${fraction}`);
  if (!(heldOut >= 0 && heldOut < 1))
    throw new FieldError('data.heldOut', `expected a number in [0, 1), got ${heldOut}`);
  const rng = Rng.seeded(opts.seed).split(21);
  const idxA = shuffle(
    rng.split(0),
    [...set.labels.keys()].filter((i) => set.labels[i] === classA),
  );
  const idxB = shuffle(
    rng.split(1),
    [...set.labels.keys()].filter((i) => set.labels[i] === classB),
  );
  if (idxA.length === 0 || idxB.length === 0)
    throw new DataError(
      `the data has ${idxA.length} images of class ${classA} and ${idxB.length} of class ${classB}; both are needed`,
    );
  // Largest set with the requested proportion: nA / (nA + nB) = fraction.
  let nA = idxA.length;
  let nB = Math.round((nA * (1 - fraction)) / fraction);
  if (nB > idxB.length) {
    nB = idxB.length;
    nA = Math.min(idxA.length, Math.round((nB * fraction) / (1 - fraction)));
  }
  const hA = Math.round(nA * heldOut),
    hB = Math.round(nB * heldOut);
  let trainA = idxA.slice(hA, nA),
    trainB = idxB.slice(hB, nB);
  if (opts.maxTrain !== undefined && trainA.length + trainB.length > opts.maxTrain) {
    const keepA = Math.round(opts.maxTrain * fraction);
    trainA = trainA.slice(0, keepA);
    trainB = trainB.slice(0, opts.maxTrain - keepA);
  }
  // A split that leaves a class out of the training or held-out set cannot serve (accuracy of 0 images, a one-class
  // generative set): refuse it before any work.
  const heldA = hA,
    heldB = hB;
  if (trainA.length < 1 || trainB.length < 1 || (heldOut > 0 && (heldA < 1 || heldB < 1))) {
    throw new DataError(
      `the data set is too small for the split: ${idxA.length} images of class ${classA} and ${idxB.length} of class ${classB} give ` +
        `${trainA.length} + ${trainB.length} training and ${heldA} + ${heldB} held-out images (fraction ${fraction}, held-out ${heldOut}); ` +
        'every class needs at least one image in each; use more images',
    );
  }
  const build = (a: number[], b: number[], r: Rng): BinarySplit => {
    const order = shuffle(r, [...a.map((i) => [i, 0]), ...b.map((i) => [i, 1])] as unknown as number[]) as unknown as [
      number,
      number,
    ][];
    const x = new Float32Array(order.length * size * size);
    const y = new Int32Array(order.length);
    order.forEach(([i, label], k) => {
      padAndScale(set.images, i * set.height * set.width, set.height, set.width, size, x, k * size * size);
      y[k] = label;
    });
    return { x, y, n: order.length };
  };
  const train = build(trainA, trainB, rng.split(2));
  const test = build(idxA.slice(0, hA), idxB.slice(0, hB), rng.split(3));
  return {
    train,
    test,
    size,
    classA,
    classB,
    fraction,
    trainFractionA: trainA.length / (trainA.length + trainB.length),
    source: set.source,
  };
}
