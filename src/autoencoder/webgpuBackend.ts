/**
 * The autoencoder's fused training step on WebGPU, with the interface of `WasmAeKernel` (wasmBackend.ts): the
 * trainer drives either one. The work runs in a GPU worker thread (src/gpu/host.ts); every method here is
 * synchronous except `create`, `stepAsync` and `close` (the calling thread blocks while the device works).
 *
 * Numbers: float32 throughout on the device (WebGPU has no float64), parameters and Adam moments included, as in the
 * paper's PyTorch code; the host side converts to and from the trainer's float64 arrays. The noise of (epoch, j, mu)
 * is the wasm kernel's stream (src/gpu/normals.ts), so a step agrees with the wasm step on the same state to float
 * rounding (docs/gpu.md gives the measured tolerances), and a run resumed from a checkpoint continues exactly:
 * its float32 state survives the float64 round trip, and |u|^2 is recomputed by the step's own reduction.
 */
import { GpuHost, type GpuProgramHandle } from '../gpu/host.js';
import { programUrl } from '../gpu/protocol.js';
import type { AdapterSummary } from '../gpu/device.js';
import type { AeGrid, AeParams } from './model.js';
import type { AdamOptions, AdamState } from './adam.js';
import { adamFactors } from './adam.js';
import type { AeArrays, AeProgramArgs, AeProgramInfo } from './webgpuProgram.js';
import type { StepOptions } from './wasmBackend.js';

export interface WebGpuAeOptions {
  grid: AeGrid;
  /** Training data, (n, d) row-major. */
  x1: Float64Array;
  n: number;
  /** 128-bit noise key (four uint32), as for the wasm kernel. */
  noiseKey: Uint32Array;
  adam: AdamOptions;
  /** Run on this host (shared; not closed by the kernel). Default: a host of its own. */
  host?: GpuHost;
  /** Largest noise buffer in bytes (default 256 MiB); smaller values split the time steps into more groups. */
  maxNoiseBytes?: number;
}

function params(d: number, T: number, a: AeArrays): AeParams {
  return { d, T, c: a.c, b: a.b, u: a.u, w: a.w };
}

export class WebGpuAeKernel {
  readonly d: number;
  readonly n: number;
  readonly T: number;
  private t = 0;
  private lastLoss: Float64Array;
  private closed = false;

  private constructor(
    private readonly host: GpuHost,
    private readonly ownHost: boolean,
    private readonly prog: GpuProgramHandle,
    private readonly adamOpts: AdamOptions,
    grid: AeGrid,
    n: number,
    /** Layout of the problem on the device. */
    readonly info: AeProgramInfo,
  ) {
    this.d = grid.d;
    this.T = grid.T;
    this.n = n;
    this.lastLoss = new Float64Array(grid.T);
  }

  /** Open a device (unless `o.host` is given) and lay out the problem. Throws `GpuUnavailableError` without one. */
  static async create(o: WebGpuAeOptions): Promise<WebGpuAeKernel> {
    const { grid, n } = o;
    if (o.x1.length !== n * grid.d) throw new RangeError(`x1 has ${o.x1.length} entries, expected n*d = ${n * grid.d}`);
    if (o.noiseKey.length !== 4) throw new RangeError('noiseKey must have four uint32 words');
    const host = o.host ?? (await GpuHost.open());
    try {
      const args: AeProgramArgs = {
        d: grid.d,
        n,
        T: grid.T,
        scale: 1 / (Math.sqrt(grid.d) * grid.c0),
        alpha: grid.alpha,
        beta: grid.beta,
        x1: o.x1,
        noiseKey: Array.from(o.noiseKey),
        beta1: o.adam.beta1 ?? 0.9,
        beta2: o.adam.beta2 ?? 0.999,
        eps: o.adam.eps ?? 1e-8,
        lU: o.adam.lU,
        lW: o.adam.lW,
        maxNoiseBytes: o.maxNoiseBytes,
      };
      const prog = await host.program(programUrl(import.meta.url, 'webgpuProgram'), args);
      const info = await prog.call<AeProgramInfo>('info');
      return new WebGpuAeKernel(host, !o.host, prog, o.adam, grid, n, info);
    } catch (err) {
      if (!o.host) await host.close();
      throw err;
    }
  }

  /** The adapter the kernel runs on. */
  get adapter(): AdapterSummary {
    return this.host.adapter;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('WebGPU AE kernel is closed');
  }

  setParams(p: AeParams): void {
    this.assertOpen();
    if (p.d !== this.d || p.T !== this.T)
      throw new RangeError(`params are (T=${p.T}, d=${p.d}), kernel is (T=${this.T}, d=${this.d})`);
    this.prog.callSync('setParams', { c: p.c, b: p.b, u: p.u, w: p.w });
  }

  getParams(): AeParams {
    this.assertOpen();
    return params(this.d, this.T, this.prog.callSync<AeArrays>('getParams'));
  }

  setAdam(s: AdamState): void {
    this.assertOpen();
    this.prog.callSync('setAdam', s.m, s.v);
    this.t = s.t;
  }

  getAdam(): AdamState {
    this.assertOpen();
    const r = this.prog.callSync<{ m: AeArrays; v: AeArrays }>('getAdam');
    return { m: params(this.d, this.T, r.m), v: params(this.d, this.T, r.v), t: this.t };
  }

  /** Test hook: this (T, n, d) noise in every following step; `null` goes back to generated noise. */
  setExplicitNoise(noise: Float64Array | Float32Array | null): void {
    this.assertOpen();
    this.prog.callSync('setNoise', noise);
  }

  private stepArgs(epoch: number, opts: StepOptions): [number, boolean, number, number] {
    this.assertOpen();
    if (!(Number.isInteger(epoch) && epoch >= 0 && epoch <= 0xffffffff))
      throw new RangeError(`epoch must be a uint32, got ${epoch}`);
    const adam = opts.adam ?? true;
    const f = adam ? adamFactors(this.adamOpts, this.t + 1) : { stepSize: 0, bc2Sqrt: 1 };
    return [epoch, adam, f.stepSize, f.bc2Sqrt];
  }

  private done(adam: boolean, loss: Float64Array): number {
    if (adam) this.t += 1;
    this.lastLoss = loss;
    let s = 0;
    for (let j = 0; j < this.T; j++) s += loss[j];
    return s;
  }

  /** One training step on the noise of `epoch` (forward, backward, by default Adam); the loss before the update. */
  step(epoch: number, opts: StepOptions = {}): number {
    const a = this.stepArgs(epoch, opts);
    return this.done(a[1], this.prog.callSync<Float64Array>('step', ...a));
  }

  /**
   * `step` without blocking the calling thread, so that signal handlers run during a long step. A step on the
   * device is not split: `shouldStop` is asked before it starts, and a stop that arrives during it is honoured
   * after it (by the caller's loop).
   */
  async stepAsync(
    epoch: number,
    shouldStop: () => boolean | Promise<boolean>,
    opts: StepOptions = {},
  ): Promise<number | null> {
    const a = this.stepArgs(epoch, opts);
    if (await shouldStop()) return null;
    return this.done(a[1], await this.prog.call<Float64Array>('step', ...a));
  }

  lossPerTime(): Float64Array {
    return this.lastLoss.slice();
  }

  /** The gradient of the last step (without weight decay), evaluated at the parameters before it. */
  grads(): AeParams {
    this.assertOpen();
    return params(this.d, this.T, this.prog.callSync<AeArrays>('grads'));
  }

  /** Free the device memory now (and the device and its thread, unless the host was passed in). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.prog.dispose();
    } finally {
      if (this.ownHost) await this.host.close();
    }
  }
}
