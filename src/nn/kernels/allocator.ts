/**
 * First-fit allocator over a growable heap of elements, with coalescing of freed neighbours.
 * Blocks are rounded up to `align` elements (16 floats = 64 bytes: one cache line, and v128-aligned).
 * Offset 0 up to `base` is never handed out, so 0 can mean "no buffer".
 * Training allocates the same sizes every step (layers keep their buffers), so fragmentation stays bounded; the
 * free list is a sorted array, which is plenty for the few hundred live blocks of a U-Net.
 */
export class Allocator {
  private free: { start: number; size: number }[] = [];
  private sizes = new Map<number, number>();
  private top: number;
  private live = 0;

  /**
   * @param base first usable element (> 0)
   * @param capacity current heap size in elements
   * @param grow called with the needed total size in elements; returns the new capacity (>= needed)
   */
  constructor(
    base: number,
    private capacity: number,
    private readonly grow: (needed: number) => number,
    private readonly align = 16,
  ) {
    this.top = Math.ceil(Math.max(base, 1) / align) * align;
  }

  alloc(n: number): number {
    if (!(n >= 0) || !Number.isFinite(n)) throw new Error(`alloc: invalid size ${n}`);
    const size = Math.max(this.align, Math.ceil(n / this.align) * this.align);
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size >= size) {
        const start = b.start;
        if (b.size === size) this.free.splice(i, 1);
        else {
          b.start += size;
          b.size -= size;
        }
        this.sizes.set(start, size);
        this.live += size;
        return start;
      }
    }
    // Extend the top, reusing a free block that ends at the top.
    let start = this.top;
    const last = this.free[this.free.length - 1];
    if (last && last.start + last.size === this.top) {
      start = last.start;
      this.free.pop();
    }
    const end = start + size;
    if (end > this.capacity) this.capacity = this.grow(end);
    this.top = Math.max(this.top, end);
    this.sizes.set(start, size);
    this.live += size;
    return start;
  }

  release(p: number): void {
    const size = this.sizes.get(p);
    if (size === undefined) throw new Error(`free: ${p} is not an allocated block`);
    this.sizes.delete(p);
    this.live -= size;
    // Insert sorted and merge with neighbours.
    let lo = 0,
      hi = this.free.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.free[mid].start < p) lo = mid + 1;
      else hi = mid;
    }
    this.free.splice(lo, 0, { start: p, size });
    const cur = this.free[lo];
    const next = this.free[lo + 1];
    if (next && cur.start + cur.size === next.start) {
      cur.size += next.size;
      this.free.splice(lo + 1, 1);
    }
    const prev = this.free[lo - 1];
    if (prev && prev.start + prev.size === cur.start) {
      prev.size += cur.size;
      this.free.splice(lo, 1);
    }
  }

  /** Elements currently handed out. */
  get allocated(): number {
    return this.live;
  }

  /** High-water mark of the heap in elements. */
  get highWater(): number {
    return this.top;
  }

  sizeOf(p: number): number | undefined {
    return this.sizes.get(p);
  }
}
