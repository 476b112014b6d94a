/**
 * The network engine's kernels on WebGPU (docs/gpu.md): every operation of the `Backend` contract (backend.ts) on a
 * float32 heap that lives on the device, tested op by op against the float64 reference (ref.ts).
 *
 * Pointers are element offsets into that heap, handed out by the same allocator as the other backends. Operations
 * are queued on this side and sent to the GPU worker in one message with the next call that needs an answer
 * (`read`, `sumSq`, `sqErr`) or every 2048 operations; `write` is queued too (the worker orders it after the
 * recorded work). So a training step costs a few round trips, not one per kernel.
 *
 * It is a `Backend`, so the layers and models run on it (test/nn/models-webgpu.test.ts trains a small U-Net), but
 * it has no host-visible `heap` array (code that indexes `be.heap` — a few tests — cannot use it), and the commands
 * (`classify`, `denoise`, `mnist`, ...) do not offer it yet. What is left is in docs/gpu.md.
 */
import { GpuHost, type GpuProgramHandle } from '../../gpu/host.js';
import { programUrl } from '../../gpu/protocol.js';
import type { AdapterSummary } from '../../gpu/device.js';
import { Allocator } from './allocator.js';
import { at, NONE, type AdamStepParams, type Backend, type ConvGeom, type Ptr } from './backend.js';
import type { NnOp, NnQuery } from './webgpuProgram.js';

/** Operations sent per message at most (then the queue is flushed). */
const BATCH = 2048;

const geomArgs = (g: ConvGeom) => [g.N, g.Ci, g.H, g.W, g.Co, g.KH, g.KW, g.sh, g.sw, g.ph, g.pw, g.Ho, g.Wo];

export class WebGpuBackend implements Backend {
  readonly kind = 'webgpu' as const;
  readonly threads = 1;

  /** The heap lives on the device: there is no host array to index (use `read` and `write`). */
  get heap(): Float32Array {
    throw new Error('the WebGPU backend keeps its heap on the device: use read() and write()');
  }
  private readonly mem: Allocator;
  private capacity: number;
  private ops: NnOp[] = [];
  private disposed = false;

  private constructor(
    private readonly host: GpuHost,
    private readonly ownHost: boolean,
    private readonly prog: GpuProgramHandle,
    initialElements: number,
  ) {
    this.capacity = initialElements;
    this.mem = new Allocator(16, initialElements, (needed) => {
      this.capacity = Math.max(needed, Math.ceil(this.capacity * 1.5));
      return this.capacity;
    });
  }

  /** Open a device (unless `host` is given). Throws `GpuUnavailableError` without the package or an adapter. */
  static async create(opts: { host?: GpuHost; initialElements?: number } = {}): Promise<WebGpuBackend> {
    const initial = opts.initialElements ?? 1 << 16;
    const host = opts.host ?? (await GpuHost.open());
    try {
      const prog = await host.program(programUrl(import.meta.url, 'webgpuProgram'), { capacity: initial });
      return new WebGpuBackend(host, !opts.host, prog, initial);
    } catch (err) {
      if (!opts.host) await host.close();
      throw err;
    }
  }

  get adapter(): AdapterSummary {
    return this.host.adapter;
  }

  private push(op: NnOp): void {
    if (this.disposed) throw new Error('WebGPU backend is disposed');
    this.ops.push(op);
    if (this.ops.length >= BATCH) this.sync(null);
  }

  private sync<T>(query: NnQuery): T {
    if (this.disposed) throw new Error('WebGPU backend is disposed');
    const ops = this.ops;
    this.ops = [];
    return this.prog.callSync<T>('run', ops, this.capacity, query);
  }

  /**
   * Send the queued operations to the device thread, which records and submits them; it does not wait for the GPU
   * to run them (a `read` or a loss does).
   */
  finish(): void {
    this.sync(null);
  }

  alloc(n: number): Ptr {
    return this.mem.alloc(n) as Ptr;
  }
  free(p: Ptr): void {
    this.mem.release(p);
  }
  allocated(): number {
    return this.mem.allocated;
  }

  write(p: Ptr, src: ArrayLike<number>): void {
    this.push(['write', p, Float32Array.from(src)]);
  }
  read(p: Ptr, n: number): Float64Array {
    return Float64Array.from(this.sync<Float32Array>({ kind: 'read', p, n }));
  }
  fill(p: Ptr, n: number, v: number): void {
    this.push(['fill', p, n, v]);
  }
  copy(src: Ptr, dst: Ptr, n: number): void {
    this.push(['copy', src, dst, n]);
  }
  copyRows(src: Ptr, srcStride: number, dst: Ptr, dstStride: number, len: number, rows: number): void {
    this.push(['copyRows', src, srcStride, dst, dstStride, len, rows]);
  }

  gemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    alpha: number,
    a: Ptr,
    lda: number,
    b: Ptr,
    ldb: number,
    beta: number,
    c: Ptr,
    ldc: number,
  ): void {
    this.push(['gemm', transA ? 1 : 0, transB ? 1 : 0, M, N, K, alpha, a, lda, b, ldb, beta, c, ldc]);
  }
  axpy(n: number, a: number, x: Ptr, y: Ptr): void {
    this.push(['axpy', n, a, x, y]);
  }
  add(a: Ptr, b: Ptr, out: Ptr, n: number): void {
    this.push(['add', a, b, out, n]);
  }
  scale(x: Ptr, n: number, a: number): void {
    this.push(['scale', x, n, a]);
  }
  sumSq(x: Ptr, n: number): number {
    return this.sync<number>({ kind: 'sq', x, t: 0, g: 0, n, gscale: 0 });
  }
  sqErr(p: Ptr, t: Ptr, g: Ptr, n: number, gscale: number): number {
    return this.sync<number>({ kind: 'sq', x: p, t, g, n, gscale });
  }

  conv2dForward(g: ConvGeom, x: Ptr, w: Ptr, bias: Ptr, y: Ptr, residual: Ptr = NONE): void {
    this.push(['convF', ...geomArgs(g), x, w, bias, y, residual]);
  }
  conv2dBackwardData(g: ConvGeom, w: Ptr, dy: Ptr, dx: Ptr): void {
    this.push(['convBD', ...geomArgs(g), w, dy, dx]);
  }
  conv2dBackwardWeight(g: ConvGeom, x: Ptr, dy: Ptr, dw: Ptr, dbias: Ptr): void {
    this.push(['convBW', ...geomArgs(g), x, dy, dw, dbias]);
  }

  reluForward(x: Ptr, y: Ptr, n: number): void {
    this.push(['reluF', x, y, n]);
  }
  reluBackward(x: Ptr, dy: Ptr, dx: Ptr, n: number): void {
    this.push(['reluB', x, dy, dx, n]);
  }
  siluForward(x: Ptr, y: Ptr, n: number): void {
    this.push(['siluF', x, y, n]);
  }
  siluBackward(x: Ptr, dy: Ptr, dx: Ptr, n: number): void {
    this.push(['siluB', x, dy, dx, n]);
  }

  addNC(y: Ptr, e: Ptr, N: number, C: number, P: number, es: number): void {
    this.push(['addNC', y, e, N, C, P, es]);
  }
  sumNC(y: Ptr, out: Ptr, N: number, C: number, P: number, os: number): void {
    this.push(['sumNC', y, out, N, C, P, os]);
  }

  avgPool2Forward(x: Ptr, y: Ptr, planes: number, H: number, W: number): void {
    this.push(['poolF', x, y, planes, H, W]);
  }
  avgPool2Backward(dy: Ptr, dx: Ptr, planes: number, H: number, W: number): void {
    this.push(['poolB', dy, dx, planes, H, W]);
  }
  upsample2Forward(x: Ptr, y: Ptr, planes: number, H: number, W: number): void {
    this.push(['upF', x, y, planes, H, W]);
  }
  upsample2Backward(dy: Ptr, dx: Ptr, planes: number, H: number, W: number): void {
    this.push(['upB', dy, dx, planes, H, W]);
  }

  groupNormForward(
    x: Ptr,
    gamma: Ptr,
    beta: Ptr,
    y: Ptr,
    mean: Ptr,
    rstd: Ptr,
    N: number,
    C: number,
    P: number,
    G: number,
    eps: number,
  ): void {
    this.push(['gnStats', x, mean, rstd, N, C, P, G, eps]);
    this.push(['gnApply', x, mean, rstd, gamma, beta, y, N, C, P, G, 0]);
  }
  groupNormBackward(
    x: Ptr,
    gamma: Ptr,
    mean: Ptr,
    rstd: Ptr,
    dy: Ptr,
    dx: Ptr,
    dgamma: Ptr,
    dbeta: Ptr,
    N: number,
    C: number,
    P: number,
    G: number,
  ): void {
    this.push(['gnBackward', x, gamma, mean, rstd, dy, dx, dgamma, dbeta, N, C, P, G]);
  }
  groupNormSiluForward(
    x: Ptr,
    gamma: Ptr,
    beta: Ptr,
    z: Ptr,
    mean: Ptr,
    rstd: Ptr,
    N: number,
    C: number,
    P: number,
    G: number,
    eps: number,
  ): void {
    this.push(['gnStats', x, mean, rstd, N, C, P, G, eps]);
    this.push(['gnApply', x, mean, rstd, gamma, beta, z, N, C, P, G, 1]);
  }
  /** Recomputes y = GroupNorm(x) into a temporary, then SiLU's and GroupNorm's backward passes (z unused). */
  groupNormSiluBackward(
    x: Ptr,
    gamma: Ptr,
    beta: Ptr,
    mean: Ptr,
    rstd: Ptr,
    _z: Ptr,
    dz: Ptr,
    dx: Ptr,
    dgamma: Ptr,
    dbeta: Ptr,
    N: number,
    C: number,
    P: number,
    G: number,
  ): void {
    const n = N * C * P;
    const y = this.alloc(n);
    const dy = this.alloc(n);
    this.push(['gnApply', x, mean, rstd, gamma, beta, y, N, C, P, G, 0]);
    this.push(['siluB', y, dz, dy, n]);
    this.push(['gnBackward', x, gamma, mean, rstd, dy, dx, dgamma, dbeta, N, C, P, G]);
    // freed for reuse by later allocations; queued work that uses them runs first
    this.free(y);
    this.free(dy);
  }

  softmaxRows(x: Ptr, R: number, L: number): void {
    this.push(['softmax', x, R, L]);
  }
  /** As ref.ts: per image and head, A = softmax(scale q^T k), o = v A^T. */
  attentionForward(qkv: Ptr, o: Ptr, probs: Ptr, N: number, C: number, P: number, heads: number, scale: number): void {
    const d = C / heads;
    for (let n = 0; n < N; n++)
      for (let hd = 0; hd < heads; hd++) {
        const q = at(qkv, n * 3 * C * P + hd * d * P),
          k = at(q, C * P),
          v = at(k, C * P);
        const a = at(probs, (n * heads + hd) * P * P);
        this.gemm(true, false, P, P, d, scale, q, P, k, P, 0, a, P);
        this.softmaxRows(a, P, P);
        this.gemm(false, true, d, P, P, 1, v, P, a, P, 0, at(o, (n * C + hd * d) * P), P);
      }
  }
  attentionBackward(
    qkv: Ptr,
    probs: Ptr,
    dout: Ptr,
    dqkv: Ptr,
    N: number,
    C: number,
    P: number,
    heads: number,
    scale: number,
  ): void {
    const dA = this.alloc(P * P);
    const d = C / heads;
    for (let n = 0; n < N; n++)
      for (let hd = 0; hd < heads; hd++) {
        const q = at(qkv, n * 3 * C * P + hd * d * P),
          k = at(q, C * P),
          v = at(k, C * P);
        const dq = at(dqkv, n * 3 * C * P + hd * d * P),
          dk = at(dq, C * P),
          dv = at(dk, C * P);
        const a = at(probs, (n * heads + hd) * P * P);
        const dO = at(dout, (n * C + hd * d) * P);
        this.gemm(false, false, d, P, P, 1, dO, P, a, P, 0, dv, P);
        this.gemm(true, false, P, P, d, 1, dO, P, v, P, 0, dA, P);
        this.push(['softmaxBack', a, dA, P, P]);
        this.gemm(false, true, d, P, P, scale, k, P, dA, P, 0, dq, P);
        this.gemm(false, false, d, P, P, scale, q, P, dA, P, 0, dk, P);
      }
    this.free(dA);
  }

  adamStep(p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, hp: AdamStepParams): void {
    this.push(['adam', p, g, m, v, n, hp.lr, hp.b1, hp.b2, hp.eps, hp.weightDecay, hp.decoupled ? 1 : 0, hp.c1, hp.c2]);
  }
  emaUpdate(s: Ptr, p: Ptr, n: number, decay: number): void {
    this.push(['ema', s, p, n, decay]);
  }

  /** Free the device heap now (and the device and its thread, unless the host was passed in). */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.ops = [];
    try {
      await this.prog.dispose();
    } finally {
      if (this.ownHost) await this.host.close();
    }
  }
}
