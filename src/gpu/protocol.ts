/**
 * The messages between the caller's thread (host.ts) and the GPU worker thread (worker.ts).
 *
 * Requests go by `worker.postMessage`; each reply is posted on a dedicated port and then announced by storing the
 * request's id in word DONE of a shared Int32Array and notifying it. The caller therefore waits either blocking
 * (`Atomics.wait`, then `receiveMessageOnPort`: a synchronous call, as the trainer and the nn engine need) or
 * without blocking (`Atomics.waitAsync`), while the worker's own event loop resolves WebGPU's promises.
 */
import type { WireError } from './errors.js';

/** Words of the shared control block. */
export const DONE = 0;
/** Set to 1 by the worker when it can no longer answer (an uncaught failure in the worker). */
export const DEAD = 1;
export const CONTROL_WORDS = 4;

export type Request =
  | { id: number; op: 'open' }
  | { id: number; op: 'create'; module: string; args: unknown }
  | { id: number; op: 'call'; handle: number; method: string; args: unknown[] }
  | { id: number; op: 'dispose'; handle: number }
  | { id: number; op: 'close' };

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

/** The module a program lives in, for `GpuHost.program`: `programUrl(import.meta.url, 'webgpuProgram')`. */
export function programUrl(importMetaUrl: string, name: string): string {
  const ext = importMetaUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${ext}`, importMetaUrl).href;
}
