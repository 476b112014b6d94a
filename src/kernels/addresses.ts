/**
 * Typed addresses at the boundary between the host and the wasm kernels. Host code holds element offsets into a
 * float32 heap (`Ptr` in src/nn/kernels/backend.ts); kernels take byte addresses into their module's linear memory.
 * Both are branded numbers so that one cannot be passed where the other is expected; the only conversion is
 * `bytes(p)` (and `asBytes` for a byte address the pool's allocator returned).
 */
declare const byteAddress: unique symbol;

/** Byte address in a wasm module's linear memory. */
export type ByteAddr = number & { readonly [byteAddress]: true };

/** A byte address from the pool's allocator (`KernelModule.alloc`), which works in bytes. */
export function asBytes(b: number): ByteAddr {
  return b as ByteAddr;
}
