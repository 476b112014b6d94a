export { KernelPool, createPool, sharedPool } from './pool.js';
export type { KernelModule, LoadOptions, PoolOptions } from './pool.js';
export { WasmHeap } from './heap.js';
export { compileKernel, kernelAvailable, wasmPath } from './wasm.js';
