/**
 * A GPU program for test/gpu/normals.test.ts: rows of the counter-based normal generator (src/gpu/normals.ts), one
 * row of `len` values (a multiple of 8) per counter triple, 4 threads per row, with a chosen workgroup size and row
 * order so that the test can vary the dispatch layout. Not a test file itself.
 */
import type { GpuContext } from '../../src/gpu/device.js';
import { BufferSet, READBACK, STORAGE, readBack } from '../../src/gpu/buffers.js';
import { WGSL_NORMALS } from '../../src/gpu/normals.js';
import type { GpuProgram } from '../../src/gpu/program.js';

const shader = (wg: number) => /* wgsl */ `
${WGSL_NORMALS}
struct P { key: vec4u, rows: u32, len: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> p: P;
@group(0) @binding(1) var<storage, read> counters: array<vec4u>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(${wg})
fn main(@builtin(global_invocation_id) g: vec3u) {
  let row = g.x >> 2u;
  let lane = g.x & 3u;
  if (row >= p.rows) { return; }
  let c = counters[row];
  var st = seedLane(p.key, c.x, c.y, c.z, lane);
  for (var k = 0u; k < p.len / 8u; k++) {
    let A = xnext(&st);
    let B = xnext(&st);
    let v = normalPair(A, B);
    out[c.w * p.len + 8u * k + lane] = v.x;
    out[c.w * p.len + 8u * k + 4u + lane] = v.y;
  }
}`;

class Normals implements GpuProgram {
  private readonly bufs: BufferSet;
  constructor(private readonly ctx: GpuContext) {
    this.bufs = new BufferSet(ctx);
  }

  /**
   * Row r of the result is the stream of counters[r] = (a, b, c); `order` lists the rows in the order the threads
   * take them (a permutation of 0..rows-1).
   */
  async draw(
    key: number[],
    counters: number[][],
    len: number,
    workgroup: number,
    order: number[],
  ): Promise<Float32Array> {
    const dev = this.ctx.device;
    const rows = counters.length;
    const cnt = new Uint32Array(4 * rows);
    order.forEach((r, slot) => cnt.set([...counters[r], r], 4 * slot));
    const uni = new Uint32Array([...key, rows, len, 0, 0]);
    const B = this.bufs;
    B.create('p', uni.byteLength, 0x40 | 0x08);
    B.create('counters', cnt.byteLength, STORAGE);
    B.create('out', 4 * rows * len, STORAGE);
    B.create('read', 4 * rows * len, READBACK);
    await B.settle();
    dev.queue.writeBuffer(B.get('p'), 0, uni);
    dev.queue.writeBuffer(B.get('counters'), 0, cnt);
    const pipe = dev.createComputePipeline({
      layout: 'auto',
      compute: { module: dev.createShaderModule({ code: shader(workgroup) }), entryPoint: 'main' },
    });
    const bg = dev.createBindGroup({
      layout: pipe.getBindGroupLayout(0),
      entries: ['p', 'counters', 'out'].map((k, binding) => ({ binding, resource: { buffer: B.get(k) } })),
    });
    const enc = dev.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(Math.ceil((4 * rows) / workgroup));
    pass.end();
    dev.queue.submit([enc.finish()]);
    return new Float32Array(await readBack(this.ctx, B.get('out'), B.get('read'), 4 * rows * len));
  }

  dispose(): void {
    this.bufs.destroy();
  }
}

export function createProgram(ctx: GpuContext): Promise<Normals> {
  return Promise.resolve(new Normals(ctx));
}
