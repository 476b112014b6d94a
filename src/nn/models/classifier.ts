/**
 * A small CNN image classifier (the feature oracle for U-Turn experiments on digits):
 *   for each stage s: conv3x3 (c_{s-1} -> c_s) -> ReLU -> 2x2 average pool
 *   flatten -> Linear(c_last (H/2^S)(W/2^S) -> hidden) -> ReLU -> Linear(hidden -> classes)
 * Input (N, inChannels, size, size), `forward` returns logits (N, classes). Train with crossEntropyLoss.
 */
import type { Backend } from '../kernels/backend.js';
import { ReLU } from '../layers/activation.js';
import { Conv2d } from '../layers/conv2d.js';
import { Linear } from '../layers/linear.js';
import { AvgPool2 } from '../layers/resample.js';
import { Sequential, type Layer } from '../layers/sequential.js';
import type { Rng } from '../../random/rng.js';

export interface ClassifierConfig {
  model: 'classifier';
  inChannels: number;
  /** Square input size; must be divisible by 2^stages. */
  size: number;
  channels: number[];
  hidden: number;
  classes: number;
}

export function classifierConfig(partial: Partial<ClassifierConfig> = {}): ClassifierConfig {
  const c: ClassifierConfig = {
    model: 'classifier',
    inChannels: 1,
    size: 32,
    channels: [16, 32],
    hidden: 64,
    classes: 10,
    ...partial,
  };
  if (c.model !== 'classifier') throw new Error(`classifier config: model must be "classifier"`);
  const f = 2 ** c.channels.length;
  if (c.size % f) throw new Error(`classifier config: size ${c.size} is not divisible by ${f}`);
  for (const v of [c.inChannels, c.size, c.hidden, c.classes, ...c.channels]) {
    if (!(Number.isInteger(v) && v > 0)) throw new Error(`classifier config: ${v} is not a positive integer`);
  }
  return c;
}

export class Classifier extends Sequential {
  readonly config: ClassifierConfig;
  constructor(be: Backend, config: Partial<ClassifierConfig> = {}, rng?: Rng) {
    const c = classifierConfig(config);
    const layers: Layer[] = [];
    let cin = c.inChannels,
      size = c.size;
    c.channels.forEach((ch, s) => {
      layers.push(new Conv2d(be, { cin, cout: ch, kernel: 3, inputGrad: s > 0 }), new ReLU(be), new AvgPool2(be));
      cin = ch;
      size /= 2;
    });
    layers.push(
      new Linear(be, { in: cin * size * size, out: c.hidden }),
      new ReLU(be),
      new Linear(be, { in: c.hidden, out: c.classes }),
    );
    super(be, layers);
    this.config = c;
    if (rng) this.materialize(rng);
  }
}
