/**
 * The autoencoder's training problem on a WebGPU device (runs in the GPU worker thread, src/gpu/worker.ts; the
 * caller's side is webgpuBackend.ts). Lays out the buffers of webgpuShaders.ts, builds the pipelines once, and runs
 * one step as a single submission: per group of G time steps `dots` then `rank`, then `finish` for all time steps,
 * then a read-back of the T per-time losses.
 *
 * G is as many time steps as the noise buffer can hold (at most 256 MiB, and within the adapter's binding limit):
 * the grouping changes no number, since every sum runs in a fixed order.
 */
import type { GpuContext } from '../gpu/device.js';
import { BufferSet, READBACK, STORAGE, UNIFORM, align16, mib, readBack } from '../gpu/buffers.js';
import { GpuError, GpuOutOfMemoryError } from '../gpu/errors.js';
import type { GpuProgram } from '../gpu/program.js';
import type { GpuBindGroup, GpuBuffer, GpuComputePipeline } from '../gpu/types.js';
import {
  DOTS_WG,
  DOTS_WGSL,
  FINISH_WGSL,
  FLAG_ADAM,
  FLAG_NOISE,
  PUBLISH_WGSL,
  RANK_WG,
  RANK_WGSL,
  SEC,
  SEC_COUNT,
  U,
  UNIFORM_BYTES,
} from './webgpuShaders.js';

export interface AeProgramArgs {
  d: number;
  n: number;
  T: number;
  /** 1/(sqrt(d) c0) */
  scale: number;
  alpha: Float64Array;
  beta: Float64Array;
  /** (n, d) row-major */
  x1: Float64Array;
  noiseKey: number[];
  beta1: number;
  beta2: number;
  eps: number;
  lU: number;
  lW: number;
  /** Largest noise buffer in bytes (default 256 MiB; tests lower it to force several groups). */
  maxNoiseBytes?: number;
}

/** Parameters or moments as plain arrays: c, b (T); u, w (T*d). */
export interface AeArrays {
  c: Float64Array;
  b: Float64Array;
  u: Float64Array;
  w: Float64Array;
}

export interface AeProgramInfo {
  groups: number;
  timePerGroup: number;
  deviceBytes: number;
}

const DEFAULT_MAX_NOISE = 256 * 2 ** 20;

class AeProgram implements GpuProgram {
  readonly dp: number;
  private readonly bufs: BufferSet;
  private readonly uniforms: ArrayBuffer[] = [];
  private readonly groupStarts: number[] = [];
  private pipes!: Record<'dots' | 'rank' | 'finish' | 'publish', GpuComputePipeline>;
  private groups!: { dots: GpuBindGroup; rank: GpuBindGroup; rows: number; count: number }[];
  private finishGroup!: GpuBindGroup;
  private publishGroup!: GpuBindGroup;
  private explicitNoise = false;
  readonly G: number;

  private constructor(
    private readonly ctx: GpuContext,
    private readonly a: AeProgramArgs,
  ) {
    const { d, n, T } = a;
    this.dp = Math.ceil(d / 8) * 8;
    this.bufs = new BufferSet(ctx);
    const perTime = 4 * n * this.dp;
    const cap = Math.min(a.maxNoiseBytes ?? DEFAULT_MAX_NOISE, ctx.adapter.maxStorageBufferBindingSize);
    const maxRows = Math.floor((65535 * DOTS_WG) / 4);
    this.G = Math.min(T, Math.floor(cap / perTime), Math.floor(maxRows / n));
    if (this.G < 1)
      throw new GpuOutOfMemoryError(
        `one time step of noise (n ${n} x d ${d}, ${mib(perTime)}) exceeds the adapter's binding limit (${mib(cap)})`,
      );
    for (let j0 = 0; j0 < T; j0 += this.G) this.groupStarts.push(j0);
    const big = 4 * 4 * T * this.dp;
    if (big > ctx.adapter.maxStorageBufferBindingSize)
      throw new GpuOutOfMemoryError(`the Adam moments (${mib(big)}) exceed the adapter's binding limit`);
  }

  static async create(ctx: GpuContext, a: AeProgramArgs): Promise<AeProgram> {
    const p = new AeProgram(ctx, a);
    try {
      await p.build();
    } catch (err) {
      p.dispose();
      throw err;
    }
    return p;
  }

  private async build(): Promise<void> {
    const { d, n, T } = this.a;
    const dp = this.dp;
    const B = this.bufs;
    B.create('time', 4 * SEC_COUNT * T, STORAGE);
    B.create('data', 4 * (n * dp + n), STORAGE);
    B.create('wu', 4 * 2 * T * dp, STORAGE);
    B.create('mom', 4 * 4 * T * dp, STORAGE);
    B.create('grad', 4 * 2 * T * dp, STORAGE);
    B.create('rowv', 16 * 2 * T * n, STORAGE);
    B.create('z', 4 * this.G * n * dp, STORAGE);
    B.create('noise', 16, STORAGE);
    B.create('lossRead', 4 * T, READBACK);
    this.groupStarts.forEach((_, g) => B.create(`uniform${g}`, UNIFORM_BYTES, UNIFORM));
    await B.settle();

    const q = this.ctx.device.queue;
    const time = new Float32Array(SEC_COUNT * T);
    time.set(this.a.alpha, SEC.ALPHA * T);
    time.set(this.a.beta, SEC.BETA * T);
    q.writeBuffer(B.get('time'), 0, time);
    const data = new Float32Array(n * dp + n);
    for (let mu = 0; mu < n; mu++) {
      let s = 0;
      for (let i = 0; i < d; i++) {
        const v = this.a.x1[mu * d + i];
        data[mu * dp + i] = v;
        s += v * v;
      }
      data[n * dp + mu] = s;
    }
    q.writeBuffer(B.get('data'), 0, data);
    for (const name of ['wu', 'mom', 'grad']) q.writeBuffer(B.get(name), 0, new Float32Array(B.get(name).size / 4));

    for (const [g, j0] of this.groupStarts.entries()) {
      const count = Math.min(this.G, T - j0);
      const u = new ArrayBuffer(UNIFORM_BYTES);
      const ui = new Uint32Array(u);
      const uf = new Float32Array(u);
      ui[U.D] = d;
      ui[U.DP] = dp;
      ui[U.N] = n;
      ui[U.T] = T;
      ui[U.J0] = j0;
      ui[U.ROWS] = count * n;
      for (let k = 0; k < 4; k++) ui[U.KEY + k] = this.a.noiseKey[k] >>> 0;
      uf[U.S] = this.a.scale;
      uf[U.K] = 1 / (d * T);
      uf[U.B1] = this.a.beta1;
      uf[U.B1C] = 1 - this.a.beta1;
      uf[U.B2] = this.a.beta2;
      uf[U.B2C] = 1 - this.a.beta2;
      uf[U.EPS] = this.a.eps;
      uf[U.LU] = this.a.lU;
      uf[U.LW] = this.a.lW;
      this.uniforms.push(u);
      q.writeBuffer(B.get(`uniform${g}`), 0, u);
    }

    this.ctx.device.pushErrorScope('validation');
    const pipe = (code: string, entry: string) =>
      this.ctx.device.createComputePipeline({
        label: entry,
        layout: 'auto',
        compute: { module: this.ctx.device.createShaderModule({ code, label: entry }), entryPoint: entry },
      });
    this.pipes = {
      dots: pipe(DOTS_WGSL, 'dots'),
      rank: pipe(RANK_WGSL, 'rank'),
      finish: pipe(FINISH_WGSL, 'finish'),
      publish: pipe(PUBLISH_WGSL, 'publish'),
    };
    this.makeBindGroups();
    const err = await this.ctx.device.popErrorScope();
    if (err) throw new GpuError(`the autoencoder's WGSL kernels were rejected: ${err.message}`);
    this.ctx.check();
  }

  private bind(p: GpuComputePipeline, buffers: GpuBuffer[]): GpuBindGroup {
    return this.ctx.device.createBindGroup({
      layout: p.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
    });
  }

  private makeBindGroups(): void {
    const B = this.bufs;
    const b = (k: string) => B.get(k);
    this.groups = this.groupStarts.map((j0, g) => {
      const u = b(`uniform${g}`);
      const count = Math.min(this.G, this.a.T - j0);
      return {
        dots: this.bind(this.pipes.dots, [u, b('time'), b('data'), b('wu'), b('z'), b('rowv'), b('noise')]),
        rank: this.bind(this.pipes.rank, [u, b('rowv'), b('z'), b('data'), b('grad')]),
        rows: count * this.a.n,
        count,
      };
    });
    const u0 = b('uniform0');
    this.finishGroup = this.bind(this.pipes.finish, [u0, b('time'), b('rowv'), b('wu'), b('mom'), b('grad')]);
    this.publishGroup = this.bind(this.pipes.publish, [u0, b('time'), b('wu')]);
  }

  info(): AeProgramInfo {
    return { groups: this.groupStarts.length, timePerGroup: this.G, deviceBytes: this.bufs.bytes };
  }

  /** Upload rows of length d into a (rows, dp) region of `name` starting at row `row0`. */
  private writeRows(name: string, rowOffset: number, src: Float64Array): void {
    const { d } = this.a;
    const dp = this.dp;
    const rows = src.length / d;
    const f = new Float32Array(rows * dp);
    for (let r = 0; r < rows; r++) for (let i = 0; i < d; i++) f[r * dp + i] = src[r * d + i];
    this.ctx.device.queue.writeBuffer(this.bufs.get(name), 4 * rowOffset * dp, f);
  }

  private writeSection(sec: number, src: Float64Array): void {
    this.ctx.device.queue.writeBuffer(this.bufs.get('time'), 4 * sec * this.a.T, Float32Array.from(src));
  }

  private async readF32(name: string, offsetBytes: number, bytes: number): Promise<Float32Array> {
    const staging = this.ctx.device.createBuffer({ size: align16(bytes), usage: READBACK, label: 'staging' });
    try {
      return new Float32Array(await readBack(this.ctx, this.bufs.get(name), staging, bytes, offsetBytes));
    } finally {
      staging.destroy();
    }
  }

  private async readRows(name: string, rowOffset: number, rows: number): Promise<Float64Array> {
    const { d } = this.a;
    const dp = this.dp;
    const f = await this.readF32(name, 4 * rowOffset * dp, 4 * rows * dp);
    const out = new Float64Array(rows * d);
    for (let r = 0; r < rows; r++) for (let i = 0; i < d; i++) out[r * d + i] = f[r * dp + i];
    return out;
  }

  private async readTime(): Promise<Float32Array> {
    return this.readF32('time', 0, 4 * SEC_COUNT * this.a.T);
  }

  async setParams(p: AeArrays): Promise<void> {
    const T = this.a.T;
    this.writeRows('wu', 0, p.w);
    this.writeRows('wu', T, p.u);
    this.writeSection(SEC.B, p.b);
    this.writeSection(SEC.C, p.c);
    const enc = this.ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(this.pipes.publish);
    pass.setBindGroup(0, this.publishGroup);
    pass.dispatchWorkgroups(T);
    pass.end();
    this.ctx.device.queue.submit([enc.finish()]);
    await this.ctx.device.queue.onSubmittedWorkDone();
    this.ctx.check();
  }

  async getParams(): Promise<AeArrays> {
    const T = this.a.T;
    const time = await this.readTime();
    const w = await this.readRows('wu', 0, T);
    const u = await this.readRows('wu', T, T);
    return { c: f64(time, SEC.C, T), b: f64(time, SEC.B, T), u, w };
  }

  async setAdam(m: AeArrays, v: AeArrays): Promise<void> {
    const T = this.a.T;
    this.writeRows('mom', 0, m.w);
    this.writeRows('mom', T, v.w);
    this.writeRows('mom', 2 * T, m.u);
    this.writeRows('mom', 3 * T, v.u);
    this.writeSection(SEC.MB, m.b);
    this.writeSection(SEC.VB, v.b);
    this.writeSection(SEC.MC, m.c);
    this.writeSection(SEC.VC, v.c);
    await this.ctx.device.queue.onSubmittedWorkDone();
    this.ctx.check();
  }

  async getAdam(): Promise<{ m: AeArrays; v: AeArrays }> {
    const T = this.a.T;
    const time = await this.readTime();
    const [mw, vw, mu, vu] = [
      await this.readRows('mom', 0, T),
      await this.readRows('mom', T, T),
      await this.readRows('mom', 2 * T, T),
      await this.readRows('mom', 3 * T, T),
    ];
    return {
      m: { c: f64(time, SEC.MC, T), b: f64(time, SEC.MB, T), u: mu, w: mw },
      v: { c: f64(time, SEC.VC, T), b: f64(time, SEC.VB, T), u: vu, w: vw },
    };
  }

  /** Gradient of the last step (without weight decay) at the parameters before it. */
  async grads(): Promise<AeArrays> {
    const T = this.a.T;
    const time = await this.readTime();
    return {
      c: f64(time, SEC.GC, T),
      b: f64(time, SEC.GB, T),
      u: await this.readRows('grad', 0, T),
      w: await this.readRows('grad', T, T),
    };
  }

  /** Test hook: explicit (T, n, d) noise for every following step; null: back to the generator. */
  async setNoise(z: Float64Array | Float32Array | null): Promise<void> {
    const { d, n, T } = this.a;
    const dp = this.dp;
    if (z) {
      if (z.length !== T * n * d) throw new RangeError(`noise has ${z.length} entries, expected T*n*d = ${T * n * d}`);
      this.bufs.create('noise', 4 * T * n * dp, STORAGE);
      await this.bufs.settle();
      const f = new Float32Array(T * n * dp);
      for (let r = 0; r < T * n; r++) for (let i = 0; i < d; i++) f[r * dp + i] = z[r * d + i];
      this.ctx.device.queue.writeBuffer(this.bufs.get('noise'), 0, f);
    } else {
      this.bufs.create('noise', 16, STORAGE);
      await this.bufs.settle();
    }
    this.explicitNoise = Boolean(z);
    this.makeBindGroups();
  }

  /** One step on the noise of `epoch`; returns the per-time losses of the parameters before the update. */
  async step(epoch: number, adam: boolean, stepSize: number, bc2Sqrt: number): Promise<Float64Array> {
    const T = this.a.T;
    const q = this.ctx.device.queue;
    const flags = (adam ? FLAG_ADAM : 0) | (this.explicitNoise ? FLAG_NOISE : 0);
    for (const [g, u] of this.uniforms.entries()) {
      const ui = new Uint32Array(u);
      const uf = new Float32Array(u);
      ui[U.EPOCH] = epoch >>> 0;
      ui[U.FLAGS] = flags;
      uf[U.STEP] = stepSize;
      uf[U.BC2S] = bc2Sqrt;
      q.writeBuffer(this.bufs.get(`uniform${g}`), 0, u);
    }
    const enc = this.ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    for (const grp of this.groups) {
      pass.setPipeline(this.pipes.dots);
      pass.setBindGroup(0, grp.dots);
      pass.dispatchWorkgroups(Math.ceil((grp.rows * 4) / DOTS_WG));
      pass.setPipeline(this.pipes.rank);
      pass.setBindGroup(0, grp.rank);
      pass.dispatchWorkgroups(Math.ceil(this.dp / RANK_WG), grp.count);
    }
    pass.setPipeline(this.pipes.finish);
    pass.setBindGroup(0, this.finishGroup);
    pass.dispatchWorkgroups(T);
    pass.end();
    q.submit([enc.finish()]);
    const loss = await readBack(this.ctx, this.bufs.get('time'), this.bufs.get('lossRead'), 4 * T, 4 * SEC.LOSS * T);
    return Float64Array.from(new Float32Array(loss));
  }

  dispose(): void {
    this.bufs.destroy();
  }
}

function f64(time: Float32Array, sec: number, T: number): Float64Array {
  return Float64Array.from(time.subarray(sec * T, (sec + 1) * T));
}

/** Entry point for the GPU worker (src/gpu/program.ts). */
export async function createProgram(ctx: GpuContext, args: AeProgramArgs): Promise<AeProgram> {
  return AeProgram.create(ctx, args);
}
