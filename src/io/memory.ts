/**
 * Memory estimates checked before any work: a run whose arrays would not fit this machine is refused with the
 * estimate instead of failing (or swapping) hours later. `checkMemory` compares an estimate with 80 % of the
 * machine's memory, the JavaScript limit on one typed array (2^32 - 1 entries) and, for wasm kernels, the 4 GiB of
 * a 32-bit wasm memory.
 */
import { totalmem } from 'node:os';
import { FieldError } from './errors.js';

export interface MemoryEstimate {
  /** Bytes of all large arrays together. */
  bytes: number;
  /** Entries of the largest single typed array. */
  largest: number;
  /** Bytes inside one wasm memory (0 without a wasm kernel). */
  wasm: number;
}

/** The most entries one typed array can hold in Node. */
export const MAX_TYPED_ARRAY = 2 ** 32 - 1;
/** A 32-bit wasm memory (less the module's own data and the allocator's slack). */
export const MAX_WASM_BYTES = 4 * 2 ** 30 - 64 * 2 ** 20;

export function formatBytes(b: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let u = 0;
  while (b >= 1024 && u < units.length - 1) {
    b /= 1024;
    u++;
  }
  return `${b.toPrecision(3)} ${units[u]}`;
}

/**
 * Throws a FieldError on `field` when `est` does not fit; `what` says what is estimated ("gmm with d = 1e6, n = 1e4"),
 * `hint` how to shrink it.
 */
export function checkMemory(field: string, what: string, est: MemoryEstimate, hint: string, total = totalmem()): void {
  const budget = 0.8 * total;
  if (est.bytes > budget) {
    throw new FieldError(
      field,
      `${what} needs about ${formatBytes(est.bytes)} of memory, more than this machine has (${formatBytes(total)}, of which 80 % may be used); ${hint}`,
    );
  }
  if (est.largest > MAX_TYPED_ARRAY) {
    throw new FieldError(
      field,
      `${what} needs one array of ${est.largest.toExponential(2)} entries, more than JavaScript allows (2^32 - 1); ${hint}`,
    );
  }
  if (est.wasm > MAX_WASM_BYTES) {
    throw new FieldError(
      field,
      `${what} needs about ${formatBytes(est.wasm)} inside the wasm kernel, more than a 32-bit wasm memory holds (4 GiB); use --backend reference or ${hint}`,
    );
  }
}
