/**
 * The conv-net of docs/engines.md's benchmark (also a minimal Sequential example):
 *   input (N, 1, 28, 28); conv3x3 1->32 same, ReLU; conv3x3 32->64 stride 2, ReLU; conv3x3 64->64 same;
 *   flatten; dense 12544 -> 784.  (About 8 GFLOP per training step at N = 64.)
 */
import type { Backend } from '../kernels/backend.js';
import { ReLU } from '../layers/activation.js';
import { Conv2d } from '../layers/conv2d.js';
import { Linear } from '../layers/linear.js';
import { Sequential } from '../layers/sequential.js';
import type { Rng } from '../../random/rng.js';

export function benchConvNet(be: Backend, rng?: Rng): Sequential {
  const net = new Sequential(be, [
    new Conv2d(be, { cin: 1, cout: 32, kernel: 3, padding: 1, inputGrad: false }),
    new ReLU(be),
    new Conv2d(be, { cin: 32, cout: 64, kernel: 3, stride: 2, padding: 1 }),
    new ReLU(be),
    new Conv2d(be, { cin: 64, cout: 64, kernel: 3, padding: 1 }),
    new Linear(be, { in: 64 * 14 * 14, out: 784 }),
  ]);
  if (rng) net.materialize(rng);
  return net;
}
