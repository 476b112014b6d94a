/**
 * A host-side allocator for one kernel module's linear memory.
 *
 * Kernels are compiled with AssemblyScript's stub runtime and never allocate themselves, so everything above
 * `__heap_base` belongs to the host. Blocks are `align`-byte aligned (16 by default, the v128 width), found first-fit
 * in an address-ordered free list and coalesced with their neighbours on `free`. When no free block is large enough
 * the memory grows (whole 64 KiB pages). Growing a shared memory never moves it, but typed-array views made before
 * the growth do not cover the new pages: make views after allocating (see `KernelModule.f32` etc.).
 */

const PAGE = 65536;

interface Block {
  ptr: number;
  size: number;
}

export class WasmHeap {
  private readonly freeList: Block[] = [];
  private readonly used = new Map<number, number>();
  private top: number;

  /**
   * @param memory the module's memory
   * @param base first byte the heap may use (the module's `__heap_base`)
   */
  constructor(
    readonly memory: WebAssembly.Memory,
    base: number,
  ) {
    this.top = alignUp(base, 16);
  }

  /** Bytes in use (sum of live allocations). */
  get bytesInUse(): number {
    let s = 0;
    for (const v of this.used.values()) s += v;
    return s;
  }

  /** Allocate `bytes` (> 0) aligned to `align` (a power of two, >= 16); the memory is zero-filled. */
  alloc(bytes: number, align = 16): number {
    if (!(Number.isInteger(bytes) && bytes > 0))
      throw new RangeError(`alloc: bytes must be a positive integer, got ${bytes}`);
    if (!(Number.isInteger(align) && align >= 16 && (align & (align - 1)) === 0)) {
      throw new RangeError(`alloc: align must be a power of two >= 16, got ${align}`);
    }
    const size = alignUp(bytes, 16);
    for (let k = 0; k < this.freeList.length; k++) {
      const blk = this.freeList[k];
      const ptr = alignUp(blk.ptr, align);
      const lead = ptr - blk.ptr;
      if (blk.size < lead + size) continue;
      // split: [lead gap][allocation][tail]
      const tail = blk.size - lead - size;
      const repl: Block[] = [];
      if (lead > 0) repl.push({ ptr: blk.ptr, size: lead });
      if (tail > 0) repl.push({ ptr: ptr + size, size: tail });
      this.freeList.splice(k, 1, ...repl);
      this.used.set(ptr, size);
      new Uint8Array(this.memory.buffer, ptr, size).fill(0);
      return ptr;
    }
    const ptr = alignUp(this.top, align);
    if (ptr > this.top) this.insertFree({ ptr: this.top, size: ptr - this.top });
    this.ensure(ptr + size);
    this.top = ptr + size;
    this.used.set(ptr, size);
    new Uint8Array(this.memory.buffer, ptr, size).fill(0);
    return ptr;
  }

  /** Release a block returned by `alloc` (freeing 0 is a no-op). */
  free(ptr: number): void {
    if (ptr === 0) return;
    const size = this.used.get(ptr);
    if (size === undefined) throw new Error(`free: ${ptr} is not an allocated block`);
    this.used.delete(ptr);
    this.insertFree({ ptr, size });
  }

  private insertFree(b: Block): void {
    // address-ordered insert, then merge with the neighbours
    let lo = 0;
    let hi = this.freeList.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.freeList[mid].ptr < b.ptr) lo = mid + 1;
      else hi = mid;
    }
    this.freeList.splice(lo, 0, b);
    if (lo + 1 < this.freeList.length && b.ptr + b.size === this.freeList[lo + 1].ptr) {
      b.size += this.freeList[lo + 1].size;
      this.freeList.splice(lo + 1, 1);
    }
    if (lo > 0 && this.freeList[lo - 1].ptr + this.freeList[lo - 1].size === b.ptr) {
      this.freeList[lo - 1].size += b.size;
      this.freeList.splice(lo, 1);
    }
    // give a free block that ends at the top back to the bump region
    const last = this.freeList[this.freeList.length - 1];
    if (last && last.ptr + last.size === this.top) {
      this.top = last.ptr;
      this.freeList.pop();
    }
  }

  /** Grow the memory so that byte `end - 1` exists. */
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch (err) {
      throw new RangeError(`wasm memory cannot grow by ${pages} pages to ${end} bytes: ${(err as Error).message}`);
    }
  }
}

function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}
