/**
 * What a GPU program module exports for the worker (worker.ts): `createProgram(ctx, args)` builds an object whose
 * methods the caller invokes by name through `GpuHost` (host.ts). Methods may be async (they usually await a
 * read-back); `dispose()` frees the program's device memory at once.
 */
import type { GpuContext } from './device.js';

export interface GpuProgram {
  dispose(): void;
}

export type CreateProgram = (ctx: GpuContext, args: never) => Promise<GpuProgram>;
