/**
 * Losses. Each returns the scalar loss and writes dL/d(prediction) into a buffer the caller provides (or owns).
 *   mse:          L = (1/n) sum (p - t)^2,        dL/dp = 2 (p - t) / n        (torch.nn.functional.mse_loss)
 *   crossEntropy: L = -(1/N) sum_n log softmax(z_n)[y_n],  dL/dz = (softmax(z) - onehot(y)) / N
 */
import type { Backend, Ptr } from './kernels/backend.js';
import { numel, shapeStr, type Tensor } from './tensor.js';

/** Mean squared error over all elements; writes the gradient into `grad` (same size). */
export function mseLoss(be: Backend, pred: Tensor, target: Ptr, grad: Ptr): number {
  const n = numel(pred.shape);
  return be.sqErr(pred.ptr, target, grad, n, 2 / n) / n;
}

/**
 * Softmax cross-entropy for logits (N, K) and integer labels; gradient into `grad` (N x K). Computed on the host in
 * float64 (N K is small). Returns the mean loss and the number of correct argmax predictions.
 */
export function crossEntropyLoss(
  be: Backend,
  logits: Tensor,
  labels: ArrayLike<number>,
  grad: Ptr,
): { loss: number; correct: number } {
  if (logits.shape.length !== 2 || logits.shape[0] !== labels.length) {
    throw new Error(`crossEntropy: logits ${shapeStr(logits.shape)} do not match ${labels.length} labels`);
  }
  const [N, K] = logits.shape;
  const z = be.read(logits.ptr, N * K);
  const g = new Float64Array(N * K);
  let loss = 0,
    correct = 0;
  for (let n = 0; n < N; n++) {
    const y = labels[n];
    if (!(Number.isInteger(y) && y >= 0 && y < K)) throw new Error(`crossEntropy: label ${y} outside [0, ${K})`);
    let mx = -Infinity,
      arg = 0;
    for (let k = 0; k < K; k++)
      if (z[n * K + k] > mx) {
        mx = z[n * K + k];
        arg = k;
      }
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(z[n * K + k] - mx);
    loss += Math.log(s) + mx - z[n * K + y];
    for (let k = 0; k < K; k++) g[n * K + k] = Math.exp(z[n * K + k] - mx) / s / N;
    g[n * K + y] -= 1 / N;
    if (arg === y) correct++;
  }
  be.write(grad, g);
  return { loss: loss / N, correct };
}
