import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WasmHeap } from '../../src/kernels/heap.js';

const mem = () => new WebAssembly.Memory({ initial: 1, maximum: 1024, shared: true });

test('allocations are aligned, zeroed, disjoint, and the memory grows on demand', () => {
  const m = mem();
  const h = new WasmHeap(m, 1000);
  const a = h.alloc(10);
  const b = h.alloc(100000); // more than the one initial page
  const c = h.alloc(64, 64);
  assert.equal(a % 16, 0);
  assert.equal(b % 16, 0);
  assert.equal(c % 64, 0);
  assert.ok(a >= 1000);
  assert.ok(b >= a + 16 && c >= b + 100000);
  assert.ok(m.buffer.byteLength >= c + 64);
  new Uint8Array(m.buffer, a, 10).fill(7);
  h.free(a);
  const a2 = h.alloc(8);
  assert.equal(a2, a, 'a freed block is reused first-fit');
  assert.deepEqual([...new Uint8Array(m.buffer, a2, 8)], new Array(8).fill(0), 'reused memory is zeroed');
});

test('free blocks coalesce, and the top block returns to the bump region', () => {
  const h = new WasmHeap(mem(), 0);
  const xs = [h.alloc(32), h.alloc(32), h.alloc(32), h.alloc(32)];
  h.free(xs[1]);
  h.free(xs[2]);
  // 64 bytes free between xs[0] and xs[3]: a 64-byte request fits there
  assert.equal(h.alloc(64), xs[1]);
  h.free(xs[3]);
  const next = h.alloc(16);
  assert.equal(next, xs[3], 'freeing the top block lowers the bump pointer');
  assert.equal(h.bytesInUse, 32 + 64 + 16);
});

test('bad arguments are refused', () => {
  const h = new WasmHeap(mem(), 0);
  assert.throws(() => h.alloc(0), /positive/);
  assert.throws(() => h.alloc(16, 24), /power of two/);
  assert.throws(() => h.free(12345), /not an allocated block/);
  const big = new WasmHeap(new WebAssembly.Memory({ initial: 1, maximum: 2, shared: true }), 0);
  assert.throws(() => big.alloc(5 * 65536), /cannot grow/);
});
