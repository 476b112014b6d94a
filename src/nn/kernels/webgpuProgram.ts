/**
 * The network engine's heap and kernels on a WebGPU device (runs in the GPU worker thread, src/gpu/worker.ts; the
 * caller's side is webgpu.ts, the kernels webgpuShaders.ts).
 *
 * The caller batches operations and sends them with the next query that needs an answer (a read, a sum): `run(ops,
 * capacity, query)` records every operation as a dispatch into one compute pass — WebGPU orders dispatches and
 * makes each one's writes visible to the next — and submits when the 256-byte argument slots run out, before a
 * write from the host (queue writes are ordered against submissions, not against recorded work), before the heap
 * grows, and before a query's read-back.
 */
import type { GpuContext } from '../../gpu/device.js';
import { BufferSet, READBACK, STORAGE, UNIFORM, mib, readBack } from '../../gpu/buffers.js';
import { GpuError, GpuOutOfMemoryError } from '../../gpu/errors.js';
import type { GpuProgram } from '../../gpu/program.js';
import type { GpuBindGroup, GpuBindGroupLayout, GpuComputePass, GpuComputePipeline } from '../../gpu/types.js';
import { NN_ENTRIES, NN_WGSL, PARTIALS, RESULT, TILE, WG, type NnEntry } from './webgpuShaders.js';

/** One operation from the caller: a name and its numeric arguments, or a host write `['write', p, values]`. */
export type NnOp = [string, ...(number | Float32Array)[]];

export type NnQuery =
  | { kind: 'read'; p: number; n: number }
  | { kind: 'sq'; x: number; t: number; g: number; n: number; gscale: number }
  | null;

const SLOT = 256;
const SLOTS = 4096;
const COMPUTE = 4;

class NnProgram implements GpuProgram {
  private readonly bufs: BufferSet;
  private capacity = 0;
  private layout!: GpuBindGroupLayout;
  private pipes = new Map<NnEntry, GpuComputePipeline>();
  private group!: GpuBindGroup;
  private readonly stage = new ArrayBuffer(SLOT * SLOTS);
  private readonly su = new Uint32Array(this.stage);
  private readonly sf = new Float32Array(this.stage);
  private slot = 0;
  private pass: GpuComputePass | null = null;
  private encoder: ReturnType<GpuContext['device']['createCommandEncoder']> | null = null;

  constructor(private readonly ctx: GpuContext) {
    this.bufs = new BufferSet(ctx);
  }

  async build(capacity: number): Promise<void> {
    const dev = this.ctx.device;
    this.bufs.create('args', SLOT * SLOTS, UNIFORM);
    this.bufs.create('R', 4 * (PARTIALS + 16), STORAGE);
    this.bufs.create('readR', 16, READBACK);
    await this.bufs.settle();
    this.layout = dev.createBindGroupLayout({
      label: 'nn',
      entries: [
        { binding: 0, visibility: COMPUTE, buffer: { type: 'storage' } },
        { binding: 1, visibility: COMPUTE, buffer: { type: 'uniform', hasDynamicOffset: true, minBindingSize: SLOT } },
        { binding: 2, visibility: COMPUTE, buffer: { type: 'storage' } },
      ],
    });
    const layout = dev.createPipelineLayout({ bindGroupLayouts: [this.layout] });
    dev.pushErrorScope('validation');
    const module = dev.createShaderModule({ code: NN_WGSL, label: 'nn' });
    for (const e of NN_ENTRIES)
      this.pipes.set(e, dev.createComputePipeline({ label: e, layout, compute: { module, entryPoint: e } }));
    const err = await dev.popErrorScope();
    if (err) throw new GpuError(`the network engine's WGSL kernels were rejected: ${err.message}`);
    await this.grow(capacity);
  }

  /** Make the heap hold at least `capacity` elements, keeping its contents. */
  private async grow(capacity: number): Promise<void> {
    if (capacity <= this.capacity) return;
    const limit = this.ctx.adapter.maxStorageBufferBindingSize;
    if (4 * capacity > limit)
      throw new GpuOutOfMemoryError(
        `the network heap needs ${mib(4 * capacity)}, more than the adapter binds in one buffer (${mib(limit)})`,
      );
    this.flush();
    const { next, old } = this.bufs.swap('heap', 4 * capacity, STORAGE);
    await this.bufs.settle();
    if (old) {
      const enc = this.ctx.device.createCommandEncoder();
      enc.copyBufferToBuffer(old, 0, next, 0, 4 * this.capacity);
      this.ctx.device.queue.submit([enc.finish()]);
      old.destroy(); // after the submission that reads it
    }
    this.capacity = capacity;
    this.group = this.ctx.device.createBindGroup({
      layout: this.layout,
      entries: [
        { binding: 0, resource: { buffer: next } },
        { binding: 1, resource: { buffer: this.bufs.get('args'), size: SLOT } },
        { binding: 2, resource: { buffer: this.bufs.get('R') } },
      ],
    });
  }

  /** Submit what is recorded. */
  private flush(): void {
    if (!this.encoder) return;
    this.pass!.end();
    const q = this.ctx.device.queue;
    q.writeBuffer(this.bufs.get('args'), 0, new Uint8Array(this.stage, 0, this.slot * SLOT));
    q.submit([this.encoder.finish()]);
    this.encoder = null;
    this.pass = null;
    this.slot = 0;
  }

  private dispatch(entry: NnEntry, u: number[], f: number[], x: number, y = 1): void {
    if (x === 0 || y === 0) return;
    if (this.slot === SLOTS) this.flush();
    const base = (this.slot * SLOT) / 4;
    for (let k = 0; k < u.length; k++) this.su[base + k] = u[k];
    for (let k = 0; k < f.length; k++) this.sf[base + 32 + k] = f[k];
    if (!this.encoder) {
      this.encoder = this.ctx.device.createCommandEncoder();
      this.pass = this.encoder.beginComputePass();
    }
    const pass = this.pass!;
    pass.setPipeline(this.pipes.get(entry)!);
    pass.setBindGroup(0, this.group, [this.slot * SLOT]);
    pass.dispatchWorkgroups(x, y);
    this.slot++;
  }

  /** An element-wise kernel over n elements (2-D grid beyond 65535 workgroups). */
  private each(entry: NnEntry, n: number, u: number[], f: number[] = []): void {
    const groups = Math.ceil(n / WG);
    const x = Math.min(groups, 65535);
    this.dispatch(entry, u, f, x, x ? Math.ceil(groups / x) : 0);
  }

  private apply(op: NnOp): void {
    const [name, ...a] = op;
    if (name === 'write') {
      this.flush();
      const [p, values] = a as [number, Float32Array];
      this.ctx.device.queue.writeBuffer(this.bufs.get('heap'), 4 * p, values);
      return;
    }
    const v = a as number[];
    const geom = (g: number[]) => g.slice(0, 13);
    switch (name) {
      case 'fill': // p, n, value
        return this.each('fill', v[1], [v[1], v[0]], [v[2]]);
      case 'copy': // src, dst, n
        return this.each('copy', v[2], [v[2], v[0], v[1]]);
      case 'copyRows': // src, srcStride, dst, dstStride, len, rows
        return this.each('copyRows', v[4] * v[5], [v[4] * v[5], v[0], v[1], v[2], v[3], v[4]]);
      case 'gemm': {
        const [tA, tB, M, N, K, alpha, pa, lda, pb, ldb, beta, pc, ldc] = v;
        return this.dispatch(
          'gemm',
          [M, N, K, pa, lda, pb, ldb, pc, ldc, tA, tB],
          [alpha, beta],
          Math.ceil(N / TILE),
          Math.ceil(M / TILE),
        );
      }
      case 'axpy': // n, a, x, y
        return this.each('axpy', v[0], [v[0], v[2], v[3]], [v[1]]);
      case 'add': // a, b, out, n
        return this.each('add', v[3], [v[3], v[0], v[1], v[2]]);
      case 'scale': // x, n, a
        return this.each('scale', v[1], [v[1], v[0]], [v[2]]);
      case 'convF': {
        // geometry (13), x, w, bias, y, residual
        const g = geom(v);
        return this.each('convF', g[0] * g[4] * g[11] * g[12], [...g, ...v.slice(13, 18)]);
      }
      case 'convBD': {
        const g = geom(v); // geometry, w, dy, dx
        return this.each('convBD', g[0] * g[1] * g[2] * g[3], [...g, ...v.slice(13, 16)]);
      }
      case 'convBW': {
        const g = geom(v); // geometry, x, dy, dw, dbias
        this.each('convBW', g[4] * g[1] * g[5] * g[6], [...g, v[13], v[14], v[15]]);
        if (v[16] !== 0) this.each('convBB', g[4], [...g, v[14], v[16]]);
        return;
      }
      case 'reluF':
      case 'siluF': // x, y, n
        return this.each(name, v[2], [v[2], v[0], v[1]]);
      case 'reluB':
      case 'siluB': // x, dy, dx, n
        return this.each(name, v[3], [v[3], v[0], v[1], v[2]]);
      case 'addNC': {
        const [y, e, N, C, P, es] = v;
        return this.each('addNC', N * C * P, [N * C * P, y, e, C, P, es]);
      }
      case 'sumNC': {
        const [y, out, N, C, P, os] = v;
        return this.each('sumNC', N * C, [N * C, y, out, C, P, os]);
      }
      case 'poolF': {
        const [x, y, planes, H, W] = v;
        const n = planes * (H >> 1) * (W >> 1);
        return this.each('poolF', n, [n, x, y, H, W]);
      }
      case 'poolB':
      case 'upB': {
        const [dy, dx, planes, H, W] = v;
        return this.each(name, planes * H * W, [planes * H * W, dy, dx, H, W]);
      }
      case 'upF': {
        const [x, y, planes, H, W] = v;
        return this.each('upF', 4 * planes * H * W, [4 * planes * H * W, x, y, H, W]);
      }
      case 'gnStats': {
        const [x, mean, rstd, N, C, P, G, eps] = v;
        return this.dispatch('gnStats', [N, C, P, G, x, mean, rstd], [eps], N * G);
      }
      case 'gnApply': {
        const [x, mean, rstd, gamma, beta, y, N, C, P, G, silu] = v;
        return this.each('gnApply', N * C * P, [N, C, P, G, x, mean, rstd, gamma, beta, y, N * C * P, silu]);
      }
      case 'gnBackward': {
        const [x, gamma, mean, rstd, dy, dx, dgamma, dbeta, N, C, P, G] = v;
        this.each('gnParams', C, [N, C, P, G, x, mean, rstd, dy, dgamma, dbeta]);
        return this.dispatch('gnBack', [N, C, P, G, x, gamma, mean, rstd, dy, dx], [], N * G);
      }
      case 'softmax': // x, R, L
        return this.dispatch('softmax', [v[0], v[2]], [], v[1]);
      case 'softmaxBack': // a, dA, R, L
        return this.dispatch('softmaxBack', [v[0], v[1], v[3]], [], v[2]);
      case 'adam': {
        const [p, g, m, vv, n, lr, b1, b2, eps, wd, decoupled, c1, c2] = v;
        return this.each('adam', n, [n, p, g, m, vv, decoupled], [lr, b1, b2, eps, wd, c1, c2]);
      }
      case 'ema': // s, p, n, decay
        return this.each('ema', v[2], [v[2], v[0], v[1]], [v[3]]);
      default:
        throw new GpuError(`unknown network-engine operation "${name}"`);
    }
  }

  /** Record `ops` (after growing the heap to `capacity`), then answer `query`. */
  async run(ops: NnOp[], capacity: number, query: NnQuery): Promise<Float32Array | number | null> {
    await this.grow(capacity);
    for (const op of ops) this.apply(op);
    if (!query) {
      this.flush();
      return null;
    }
    if (query.kind === 'read') {
      this.flush();
      if (query.n === 0) return new Float32Array(0);
      const staging = this.ctx.device.createBuffer({ size: 4 * query.n, usage: READBACK, label: 'read' });
      try {
        return new Float32Array(await readBack(this.ctx, this.bufs.get('heap'), staging, 4 * query.n, 4 * query.p));
      } finally {
        staging.destroy();
      }
    }
    const { x, t, g, n, gscale } = query;
    const groups = Math.max(1, Math.min(PARTIALS, Math.ceil(n / (4 * WG))));
    const chunk = Math.ceil(n / groups);
    this.dispatch('sqPartial', [n, x, t, g, t !== 0 ? 1 : 0, g !== 0 ? 1 : 0, chunk], [gscale], groups);
    this.dispatch('sumFinal', [groups], [], 1);
    this.flush();
    const r = await readBack(this.ctx, this.bufs.get('R'), this.bufs.get('readR'), 4, 4 * RESULT);
    return new Float32Array(r)[0];
  }

  /** Heap elements on the device. */
  heapElements(): number {
    return this.capacity;
  }

  dispose(): void {
    this.pass = null;
    this.encoder = null;
    this.bufs.destroy();
  }
}

export async function createProgram(ctx: GpuContext, args: { capacity: number }): Promise<NnProgram> {
  const p = new NnProgram(ctx);
  try {
    await p.build(args.capacity);
  } catch (err) {
    p.dispose();
    throw err;
  }
  return p;
}
