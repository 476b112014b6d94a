/**
 * Device buffers owned by one program, freed deterministically: `destroy()` releases every buffer at once (WebGPU's
 * `GPUBuffer.destroy`, not the garbage collector), and a program that fails half-way through its allocation frees
 * what it had. Allocation runs inside an out-of-memory error scope, so a device that cannot hold the problem gives
 * a `GpuOutOfMemoryError` naming the buffer and its size instead of a later, unexplained failure.
 */
import type { GpuContext } from './device.js';
import { GpuError, GpuOutOfMemoryError } from './errors.js';
import { BufferUsage, MAP_READ, type GpuBuffer } from './types.js';

export const STORAGE = BufferUsage.STORAGE | BufferUsage.COPY_DST | BufferUsage.COPY_SRC;
export const UNIFORM = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
export const READBACK = BufferUsage.MAP_READ | BufferUsage.COPY_DST;

/** Bytes rounded up to a multiple of 16 (and at least 16): WebGPU's copy and binding alignment. */
export function align16(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

export function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export class BufferSet {
  private readonly live = new Map<string, GpuBuffer>();
  private pending: { name: string; bytes: number }[] = [];
  private destroyed = false;

  constructor(private readonly ctx: GpuContext) {}

  /** Bytes held. */
  get bytes(): number {
    let s = 0;
    for (const b of this.live.values()) s += b.size;
    return s;
  }

  get count(): number {
    return this.live.size;
  }

  /**
   * Create buffer `name` (replacing and destroying one of the same name). Call `settle()` after a batch of
   * creations to learn whether they fitted.
   */
  create(name: string, bytes: number, usage: number): GpuBuffer {
    if (this.destroyed) throw new GpuError('buffer set is destroyed');
    const size = align16(bytes);
    const limit = this.ctx.adapter.maxBufferSize;
    if (size > limit)
      throw new GpuOutOfMemoryError(
        `buffer "${name}" needs ${mib(size)}, more than the adapter's largest buffer (${mib(limit)})`,
      );
    this.live.get(name)?.destroy();
    if (this.pending.length === 0) this.ctx.device.pushErrorScope('out-of-memory');
    this.pending.push({ name, bytes: size });
    const buf = this.ctx.device.createBuffer({ size, usage, label: name });
    this.live.set(name, buf);
    return buf;
  }

  /** End the current allocation batch: throws `GpuOutOfMemoryError` (after freeing everything) if it failed. */
  async settle(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const err = await this.ctx.device.popErrorScope();
    if (err) {
      const total = batch.reduce((s, b) => s + b.bytes, 0);
      this.destroy();
      throw new GpuOutOfMemoryError(
        `the GPU has not enough memory for ${batch.length} buffers of ${mib(total)} in all (${err.message})`,
      );
    }
    this.ctx.check();
  }

  /**
   * Create a new buffer for `name` and hand back the one it replaces, not yet destroyed: the caller copies from it
   * (a growing heap) and then destroys it. Ends with `settle()` like `create`.
   */
  swap(name: string, bytes: number, usage: number): { next: GpuBuffer; old: GpuBuffer | undefined } {
    const old = this.live.get(name);
    this.live.delete(name);
    return { next: this.create(name, bytes, usage), old };
  }

  get(name: string): GpuBuffer {
    const b = this.live.get(name);
    if (!b) throw new GpuError(`no buffer "${name}"`);
    return b;
  }

  /** Free one buffer now. */
  free(name: string): void {
    this.live.get(name)?.destroy();
    this.live.delete(name);
  }

  /** Free every buffer now (idempotent). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of this.live.values()) b.destroy();
    this.live.clear();
  }
}

/**
 * Copy `bytes` from `src` (at `offset`) into the mappable `staging` buffer and read them back. The queue's earlier
 * work finishes first (WebGPU orders the copy after it).
 */
export async function readBack(
  ctx: GpuContext,
  src: GpuBuffer,
  staging: GpuBuffer,
  bytes: number,
  offset = 0,
): Promise<ArrayBuffer> {
  ctx.check();
  const enc = ctx.device.createCommandEncoder();
  enc.copyBufferToBuffer(src, offset, staging, 0, bytes);
  ctx.device.queue.submit([enc.finish()]);
  try {
    await staging.mapAsync(MAP_READ, 0, bytes);
  } catch (err) {
    ctx.check();
    throw new GpuError(`reading back from the GPU failed: ${(err as Error).message}`);
  }
  const out = staging.getMappedRange(0, bytes).slice(0);
  staging.unmap();
  ctx.check();
  return out;
}
