/**
 * A GPU program for the tests of src/gpu: allocates and frees buffers, runs a trivial kernel, and can destroy its
 * device to simulate a lost one. Loaded by the GPU worker through `GpuHost.program` (not a test file itself).
 */
import type { GpuContext } from '../../src/gpu/device.js';
import { BufferSet, READBACK, STORAGE, readBack } from '../../src/gpu/buffers.js';
import type { GpuProgram } from '../../src/gpu/program.js';

const DOUBLE = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < arrayLength(&a)) { a[g.x] = 2.0 * a[g.x]; }
}`;

class Probe implements GpuProgram {
  readonly bufs: BufferSet;
  constructor(private readonly ctx: GpuContext) {
    this.bufs = new BufferSet(ctx);
  }

  async alloc(name: string, bytes: number): Promise<number> {
    this.bufs.create(name, bytes, STORAGE);
    await this.bufs.settle();
    return this.bufs.count;
  }

  count(): number {
    return this.bufs.count;
  }

  bytes(): number {
    return this.bufs.bytes;
  }

  /** 2x on the device, read back. */
  async double(values: Float32Array): Promise<Float32Array> {
    const dev = this.ctx.device;
    const buf = this.bufs.create('work', values.byteLength, STORAGE);
    const staging = this.bufs.create('staging', values.byteLength, READBACK);
    await this.bufs.settle();
    dev.queue.writeBuffer(buf, 0, values);
    const pipe = dev.createComputePipeline({
      layout: 'auto',
      compute: { module: dev.createShaderModule({ code: DOUBLE }), entryPoint: 'main' },
    });
    const bg = dev.createBindGroup({
      layout: pipe.getBindGroupLayout(0),
      entries: [{ binding: 0, resource: { buffer: buf } }],
    });
    const enc = dev.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(Math.ceil(values.length / 64));
    pass.end();
    dev.queue.submit([enc.finish()]);
    return new Float32Array(await readBack(this.ctx, buf, staging, values.byteLength));
  }

  /** Simulate a lost device. */
  async loseDevice(): Promise<void> {
    this.ctx.device.destroy();
    await this.ctx.device.lost;
  }

  dispose(): void {
    this.bufs.destroy();
  }
}

export function createProgram(ctx: GpuContext): Promise<Probe> {
  return Promise.resolve(new Probe(ctx));
}
