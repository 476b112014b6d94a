/**
 * A tensor of the nn engine: a shape and an element offset into its backend's heap (row-major; images are NCHW).
 * The tensor does not own its memory: the layer that produced it does, and the buffer stays valid until that layer's
 * next forward call (or `dispose`).
 */
import type { Ptr } from './kernels/backend.js';

export interface Tensor {
  readonly shape: readonly number[];
  readonly ptr: Ptr;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function tensor(shape: readonly number[], ptr: Ptr): Tensor {
  return { shape: [...shape], ptr };
}

export function shapeStr(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** Throws unless `t` has rank 4 (N, C, H, W) with C = channels (when given). */
export function expectNCHW(t: Tensor, channels: number | undefined, who: string): [number, number, number, number] {
  if (t.shape.length !== 4) throw new Error(`${who}: expected an (N, C, H, W) tensor, got ${shapeStr(t.shape)}`);
  const [N, C, H, W] = t.shape;
  if (channels !== undefined && C !== channels) {
    throw new Error(`${who}: expected ${channels} channels, got ${shapeStr(t.shape)}`);
  }
  return [N, C, H, W];
}
