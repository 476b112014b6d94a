/**
 * One nn backend per process for the real-data stages. `wasm` (the default): a WebAssembly-SIMD backend over a
 * single kernel pool, so the oracle, every U-Net and the generators share the same worker threads instead of
 * oversubscribing the cores. Without `threads` the process-wide `sharedPool()` (all cores) is used; with it, a
 * private pool of that size. Results depend on the number of threads (partial sums are split per executor) but not
 * on scheduling. `webgpu`: the engine's WGSL kernels on one WebGPU device (docs/gpu.md), opened once per process;
 * `GpuUnavailableError` (src/gpu/errors.ts) without the optional `webgpu` package or an adapter, before any work.
 */
import { createPool, sharedPool, type KernelPool } from '../kernels/pool.js';
import type { Backend } from '../nn/kernels/backend.js';
import { WasmBackend } from '../nn/kernels/wasm.js';

/** The backends the real-data commands take (`--backend`). */
export const REALDATA_BACKENDS = ['wasm', 'webgpu'] as const;
export type RealDataBackendName = (typeof REALDATA_BACKENDS)[number];

const cache = new Map<string, Promise<Backend>>();

export async function realDataBackend(threads?: number, kind: RealDataBackendName = 'wasm'): Promise<Backend> {
  const key = kind === 'webgpu' ? 'webgpu' : threads === undefined ? 'shared' : String(threads);
  let p = cache.get(key);
  if (!p) {
    p =
      kind === 'webgpu'
        ? (async () => {
            // Loaded only here, so a wasm run never touches the optional package.
            const { WebGpuBackend } = await import('../nn/kernels/webgpu.js');
            return WebGpuBackend.create();
          })()
        : (async () => {
            const pool: KernelPool = threads === undefined ? await sharedPool() : await createPool({ threads });
            return WasmBackend.create({ pool });
          })();
    cache.set(key, p);
    // A failed open (no package, no adapter) is not cached: the next call tries again.
    p.catch(() => cache.delete(key));
  }
  return p;
}
