/**
 * A time-conditioned network (the U-Net) as a `NoisePredictor` for the generators of `solver/sample.ts`.
 *
 * Time mapping (the one place it is defined; training uses the same function):
 *   our time t in [0, 1] (t = 0 noise, t = 1 data)  ->  network time input s = 1 - t (the paper's code time,
 *   s = 0 data, s = 1 noise), which the U-Net's sinusoidal embedding multiplies by its `timeScale` (1000), so the
 *   network sees the paper's `model(x, 1000 s)` (docs/method.md §4.3-4.4). A network trained by phaseflow can
 *   therefore be compared with (or loaded from) the authors' convention.
 *
 * Prediction: eps(x_t, t) ~ E[x0 | x_t], the noise of x_t = alpha(t) x0 + beta(t) x1 (epsilon prediction). Inputs
 * and outputs are float64 rows (n, C H W) on the host; the network runs in float32 in batches of `batch` images.
 */
import { NONE, type Backend, type Ptr } from '../nn/kernels/backend.js';
import { tensor, type Tensor } from '../nn/tensor.js';
import type { NoisePredictor } from '../solver/sample.js';
import { pollStop, StopError, stopSignal } from '../io/stop.js';

/** Network time input for our time t: s = 1 - t (scaled by the network's timeScale inside its embedding). */
export function networkTime(t: number): number {
  return 1 - t;
}

/** What the adapter needs of a network: the U-Net, or any stand-in with the same calling convention. */
export interface TimeConditionedNet {
  readonly be: Backend;
  readonly config: { readonly inChannels: number; readonly sampleSize: number };
  forward(x: Tensor, t: ArrayLike<number>): Tensor;
  /** Forward-only in chunks (the U-Net's `predict`); used when present, so a large batch needs a chunk's memory. */
  predict?(x: Tensor, t: ArrayLike<number>, out: Ptr): void;
}

export interface UNetPredictor extends NoisePredictor {
  /** Frees the input buffer (not the network). */
  dispose(): void;
}

async function stopBetweenEvaluations(): Promise<void> {
  if (await pollStop())
    throw new StopError(stopSignal(), 'while generating images (unfinished images are not kept)', null);
}

export function unetPredictor(net: TimeConditionedNet, opts: { batch?: number; size?: number } = {}): UNetPredictor {
  const be = net.be;
  const C = net.config.inChannels;
  const size = opts.size ?? net.config.sampleSize;
  const dim = C * size * size;
  const batch = opts.batch ?? 256;
  let buf: Ptr = NONE;
  let outBuf: Ptr = NONE;
  let cap = 0;
  const s = new Float64Array(batch);
  return {
    dim,
    predict(x, t, out) {
      const n = x.length / dim;
      if (!Number.isInteger(n) || t.length !== n || out.length !== x.length) {
        throw new RangeError(
          `unetPredictor: ${x.length} values, ${t.length} times and ${out.length} outputs for images of ${dim}`,
        );
      }
      for (let s0 = 0; s0 < n; s0 += batch) {
        const m = Math.min(batch, n - s0);
        if (m * dim > cap) {
          if (buf) be.free(buf);
          if (outBuf) be.free(outBuf);
          cap = m * dim;
          buf = be.alloc(cap);
          outBuf = net.predict ? be.alloc(cap) : NONE;
        }
        be.write(buf, x.subarray(s0 * dim, (s0 + m) * dim));
        for (let i = 0; i < m; i++) s[i] = networkTime(t[s0 + i]);
        const xt = tensor([m, C, size, size], buf),
          ts = s.subarray(0, m);
        let yPtr: Ptr;
        if (net.predict) {
          net.predict(xt, ts, outBuf);
          yPtr = outBuf;
        } else yPtr = net.forward(xt, ts).ptr;
        out.set(be.read(yPtr, m * dim), s0 * dim);
      }
      // Between network evaluations a stop (SIGINT/SIGTERM) is noticed: generation keeps nothing, so it just ends.
      return stopBetweenEvaluations();
    },
    dispose() {
      if (buf) be.free(buf);
      if (outBuf) be.free(outBuf);
      buf = outBuf = NONE;
      cap = 0;
    },
  };
}
