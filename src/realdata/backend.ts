/**
 * One nn backend per process for the real-data stages: a WebAssembly-SIMD backend over a single kernel pool, so the
 * oracle, every U-Net and the generators share the same worker threads instead of oversubscribing the cores.
 * Without `threads` the process-wide `sharedPool()` (all cores) is used; with it, a private pool of that size.
 * Results depend on the number of threads (partial sums are split per executor) but not on scheduling.
 */
import { createPool, sharedPool, type KernelPool } from '../kernels/pool.js';
import { WasmBackend } from '../nn/kernels/wasm.js';

const cache = new Map<string, Promise<WasmBackend>>();

export async function realDataBackend(threads?: number): Promise<WasmBackend> {
  const key = threads === undefined ? 'shared' : String(threads);
  let p = cache.get(key);
  if (!p) {
    p = (async () => {
      const pool: KernelPool = threads === undefined ? await sharedPool() : await createPool({ threads });
      return WasmBackend.create({ pool });
    })();
    cache.set(key, p);
  }
  return p;
}
