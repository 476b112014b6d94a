/**
 * WebAssembly-SIMD backend: the kernels of build/nn.wasm (sources assembly/_nn_*.ts) in float32, run through the
 * shared kernel pool (src/kernels/pool.ts): the module's shared memory, its host-side heap allocator and the executors
 * (the calling thread plus worker threads) all come from the pool. Host pointers are element offsets; the kernels take
 * byte addresses (bytes(offset)).
 *
 * Work splitting: every batched kernel takes a range ([n0, n1) samples, [i0, i1) elements, or a column block of a
 * GEMM). `split` cuts the range into one piece per executor and `pool.runSync` runs the pieces; kernels that
 * accumulate parameter gradients (conv weight, GroupNorm affine) write per-executor partial buffers that are summed
 * afterwards, so a result depends on the number of threads but not on scheduling. A pool of size 1 runs everything
 * synchronously on the calling thread.
 */
import { createPool, type KernelModule, type KernelPool } from '../../kernels/pool.js';
import { resolveSimd, variantName, type SimdPreference, type SimdVariant } from '../../kernels/simd.js';
import { wasmPath } from '../../kernels/wasm.js';
import {
  at,
  bytes,
  NONE,
  type AdamStepParams,
  type Backend,
  type ByteAddr,
  type ConvGeom,
  type Ptr,
} from './backend.js';
import type { NnExports } from './exports.gen.js';
import * as L from './convLayout.js';

type KernelName = keyof NnExports;

/** The build each loaded `nn` module came from (a pool loads a module once; later backends share it). */
const loadedVariant = new WeakMap<KernelModule, SimdVariant>();

export interface WasmBackendOptions {
  /** Pool to run on (e.g. `await sharedPool()`, shared with other engines). Default: a private pool of `threads`. */
  pool?: KernelPool;
  /** Executors of the private pool (ignored with `pool`). Default 1 (calling thread only). */
  threads?: number;
  /**
   * SIMD build: 'relaxed' (fused multiply-add), 'plain', or 'auto' (default: relaxed where the runtime has it).
   * The environment variable PHASEFLOW_SIMD overrides it. A pool holds one build of `nn`: the first backend on a
   * pool chooses it.
   */
  simd?: SimdPreference;
}

export class WasmBackend implements Backend {
  readonly kind = 'wasm' as const;
  private view: Float32Array;
  readonly pool: KernelPool;
  readonly mod: KernelModule;
  private readonly ex: NnExports;
  private readonly ownsPool: boolean;
  // Per-executor scratch areas (element offsets) and their common size.
  private scratch: Ptr[] = [];
  private scratchSize = 0;
  // Per-executor gradient partials for kernels that accumulate (executors 1.. only).
  private partial: Ptr[] = [];
  private partialSize = 0;
  // A 12 x i32 block for the conv geometry (calls are synchronous, so one block serves them all), a second one for
  // the swapped geometry of the Winograd backward-data pass, and the transformed Winograd filter.
  private readonly geo: Ptr;
  private readonly geo2: Ptr;
  private winoU: Ptr = NONE;
  private winoUSize = 0;
  /**
   * Fast 3x3 convolutions (stride 1, padding 1): Winograd F(4x4, 3x3) where H and W are multiples of 4, else
   * F(2x2, 3x3) where they are even; im2col + GEMM otherwise or with `winograd = false` (see `convPath`).
   */
  winograd = true;
  /** Use F(4x4, 3x3) where it applies (false: F(2x2, 3x3) instead; for tests and comparisons). */
  winograd4 = true;
  private wino4U: Ptr = NONE;
  private wino4USize = 0;
  private readonly gemmScratch: number;
  private live = 0;
  private readonly sizes = new Map<Ptr, number>();

  /** Loads build/nn.wasm into the given pool (or a new private one). */
  static async create(opts: WasmBackendOptions = {}): Promise<WasmBackend> {
    const want = resolveSimd(opts.simd ?? 'auto');
    const pool = opts.pool ?? (await createPool({ threads: opts.threads ?? 1 }));
    const mod = await pool.load('nn', { path: wasmPath(variantName('nn', want)) });
    const loaded = loadedVariant.get(mod) ?? want;
    loadedVariant.set(mod, loaded);
    return new WasmBackend(pool, mod, !opts.pool, loaded);
  }

  /** The SIMD build the kernels run (see WasmBackendOptions.simd). */
  readonly simd: SimdVariant;

  private constructor(pool: KernelPool, mod: KernelModule, ownsPool: boolean, simd: SimdVariant) {
    this.simd = simd;
    this.pool = pool;
    this.mod = mod;
    this.ownsPool = ownsPool;
    // the module's exports, typed by the contract generated from its sources (checked against it in the tests)
    this.ex = mod.exports as unknown as NnExports;
    this.view = new Float32Array(mod.memory.buffer);
    this.gemmScratch = this.ex.sgemm_scratch_floats();
    this.geo = this.alloc(L.GEO_SLOTS);
    this.geo2 = this.alloc(L.GEO_SLOTS);
  }

  get threads(): number {
    return this.pool.size;
  }

  /** The whole wasm memory as floats (re-made after growth, also growth caused by another backend on the pool). */
  get heap(): Float32Array {
    const buf = this.mod.memory.buffer;
    if (this.view.buffer !== buf) this.view = new Float32Array(buf);
    return this.view;
  }

  alloc(n: number): Ptr {
    // 64-byte alignment: one cache line, and every pointer is a whole number of floats.
    const bytes = Math.max(64, Math.ceil(n / 16) * 64);
    const p = (this.mod.alloc(bytes, 64) / 4) as Ptr;
    this.sizes.set(p, bytes / 4);
    this.live += bytes / 4;
    return p;
  }
  free(p: Ptr): void {
    const n = this.sizes.get(p);
    if (n === undefined) throw new Error(`free: ${p} is not an allocated block`);
    this.mod.free(bytes(p));
    this.sizes.delete(p);
    this.live -= n;
  }
  allocated(): number {
    return this.live;
  }
  /** Size of the wasm memory in bytes (it only grows). */
  heapBytes(): number {
    return this.mod.memory.buffer.byteLength;
  }
  write(p: Ptr, src: ArrayLike<number>): void {
    this.heap.set(src, p);
  }
  read(p: Ptr, n: number): Float64Array {
    return Float64Array.from(this.heap.subarray(p, p + n));
  }
  fill(p: Ptr, n: number, v: number): void {
    // Large fills (gradient zeroing) run in wasm, split over the executors; tiny ones stay on the host.
    if (n < 4096) this.heap.fill(v, p, p + n);
    else this.elementwiseRange('fill', p, n, v);
  }
  copyRows(src: Ptr, srcStride: number, dst: Ptr, dstStride: number, len: number, rows: number): void {
    const pieces = rows * len < 1 << 15 ? [[0, rows] as [number, number]] : this.split(rows);
    this.exec(
      'copy_rows',
      pieces.map(([r0, r1]) => [
        bytes(at(src, r0 * srcStride)),
        srcStride,
        bytes(at(dst, r0 * dstStride)),
        dstStride,
        len,
        r1 - r0,
      ]),
    );
  }
  copy(src: Ptr, dst: Ptr, n: number): void {
    this.heap.copyWithin(dst, src, src + n);
  }

  // ---- work splitting -------------------------------------------------------------------------------------------

  /** Makes sure every executor has a scratch area of at least `floats` (this.scratch[t]; they only grow). */
  private ensureScratch(floats: number): void {
    if (this.scratchSize >= floats && this.scratch.length === this.threads) return;
    for (const p of this.scratch) this.free(p);
    this.scratchSize = Math.max(floats, this.scratchSize);
    this.scratch = [];
    for (let t = 0; t < this.threads; t++) this.scratch.push(this.alloc(this.scratchSize));
  }

  /** Zeroed per-thread partial buffers of n floats for threads 1.. (thread 0 accumulates in place). */
  private partials(n: number): Ptr[] {
    if (this.partialSize < n || this.partial.length !== this.threads - 1) {
      for (const p of this.partial) this.free(p);
      this.partialSize = Math.max(n, this.partialSize);
      this.partial = [];
      for (let t = 1; t < this.threads; t++) this.partial.push(this.alloc(this.partialSize));
    }
    for (const p of this.partial) this.heap.fill(0, p, p + n);
    return this.partial;
  }

  /** Cuts [0, total) into at most `threads` contiguous, nearly equal, non-empty pieces. */
  private split(total: number, threads = this.threads): [number, number][] {
    const k = Math.max(1, Math.min(threads, total));
    const out: [number, number][] = [];
    for (let t = 0; t < k; t++) out.push([Math.floor((t * total) / k), Math.floor(((t + 1) * total) / k)]);
    return out;
  }

  /** Runs kernel `name` once per executor with the typed arguments of each (one piece: on the calling thread). */
  private exec<K extends KernelName>(name: K, argsPerThread: Parameters<NnExports[K]>[]): void {
    if (argsPerThread.length === 1) (this.ex[name] as (...a: Parameters<NnExports[K]>) => unknown)(...argsPerThread[0]);
    else this.pool.runSync('nn', name, argsPerThread);
  }

  // ---- dense ----------------------------------------------------------------------------------------------------

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
    this.ensureScratch(this.gemmScratch);
    const ta = transA ? 1 : 0,
      tb = transB ? 1 : 0;
    // Split C by column blocks (multiples of 8, the micro-kernel width) when it is wide enough to pay for a
    // dispatch; otherwise one call.
    const flops = 2 * M * N * K;
    const parts =
      flops < 4e6
        ? [[0, N] as [number, number]]
        : this.split(Math.ceil(N / 8)).map(([s, e]) => [s * 8, Math.min(N, e * 8)] as [number, number]);
    this.exec(
      'sgemm',
      parts
        .filter(([s, e]) => e > s)
        .map(([j0, j1], t) => [
          ta,
          tb,
          M,
          j1 - j0,
          K,
          alpha,
          bytes(a),
          lda,
          bytes(at(b, tb ? j0 * ldb : j0)),
          ldb,
          beta,
          bytes(at(c, j0)),
          ldc,
          bytes(this.scratch[t]),
        ]),
    );
  }
  // The elementwise ops split over the executors past 64 k elements (elementPieces): residual adds and gradient
  // sums of whole activations would otherwise run on the calling thread alone while the others wait.
  axpy(n: number, a: number, x: Ptr, y: Ptr): void {
    this.exec(
      'axpy',
      this.elementPieces(n).map(([i0, i1]) => [i1 - i0, a, bytes(at(x, i0)), bytes(at(y, i0))]),
    );
  }
  add(a: Ptr, b: Ptr, out: Ptr, n: number): void {
    this.exec(
      'add',
      this.elementPieces(n).map(([i0, i1]) => [bytes(at(a, i0)), bytes(at(b, i0)), bytes(at(out, i0)), i1 - i0]),
    );
  }
  scale(x: Ptr, n: number, a: number): void {
    this.exec(
      'scale',
      this.elementPieces(n).map(([i0, i1]) => [bytes(at(x, i0)), i1 - i0, a]),
    );
  }
  sumSq(x: Ptr, n: number): number {
    return this.ex.sumsq(bytes(x), n);
  }
  sqErr(p: Ptr, t: Ptr, g: Ptr, n: number, gscale: number): number {
    return this.ex.sqerr(bytes(p), bytes(t), bytes(g), n, gscale);
  }

  // ---- convolution ----------------------------------------------------------------------------------------------

  /** Writes the geometry block (the swapped one when `swap`) and returns its byte address. */
  private convArgs(g: ConvGeom, swap = false): ByteAddr {
    const block = swap ? this.geo2 : this.geo;
    const [ci, co] = swap ? [g.Co, g.Ci] : [g.Ci, g.Co];
    const v = new Int32Array(this.heap.buffer, bytes(block), L.GEO_SLOTS);
    v[L.GEO_CI] = ci;
    v[L.GEO_H] = g.H;
    v[L.GEO_W] = g.W;
    v[L.GEO_CO] = co;
    v[L.GEO_KH] = g.KH;
    v[L.GEO_KW] = g.KW;
    v[L.GEO_SH] = g.sh;
    v[L.GEO_SW] = g.sw;
    v[L.GEO_PH] = g.ph;
    v[L.GEO_PW] = g.pw;
    v[L.GEO_HO] = g.Ho;
    v[L.GEO_WO] = g.Wo;
    return bytes(block);
  }
  private convScratch(g: ConvGeom): void {
    this.ensureScratch(this.ex.conv_scratch_floats(g.Ci, g.KH, g.KW, g.Co, g.Ho, g.Wo));
  }
  /**
   * The algorithm a convolution of this geometry runs: 'wino4' (F(4x4, 3x3)), 'wino2' (F(2x2, 3x3)) or 'im2col'.
   * Winograd needs 3x3, stride 1, padding 1; F(4x4) sizes that are multiples of 4 and at least 2 input channels
   * (with one input channel im2col is faster; a single output channel, the U-Net's last layer, is 3-4x faster with
   * F(4x4) than with im2col), F(2x2) even sizes and at least 16 channels (measured crossovers, docs/engines.md).
   */
  convPath(g: ConvGeom): 'wino4' | 'wino2' | 'im2col' {
    const k3 = g.KH === 3 && g.KW === 3 && g.sh === 1 && g.sw === 1 && g.ph === 1 && g.pw === 1;
    if (!this.winograd || !k3) return 'im2col';
    if (this.winograd4 && g.H % 4 === 0 && g.W % 4 === 0 && g.Ci >= 2) return 'wino4';
    if (g.H % 2 === 0 && g.W % 2 === 0 && Math.min(g.Ci, g.Co) >= 16) return 'wino2';
    return 'im2col';
  }
  private useWinograd(g: ConvGeom): boolean {
    return this.convPath(g) === 'wino2';
  }
  /**
   * Packed F(4x4) filter of w (flipped for the backward data pass) in the shared buffer; returns its byte address.
   * The executors split the filter rows in groups of four (their scratch holds the transform's temporaries, so
   * ensureScratch must have run for the convolution).
   */
  private wino4Filter(g: ConvGeom, w: Ptr, flip: boolean): ByteAddr {
    const n = this.ex.wino4_filter_floats(g.Co, g.Ci, flip ? 1 : 0);
    if (this.wino4USize < n) {
      if (this.wino4U) this.free(this.wino4U);
      this.wino4U = this.alloc(n);
      this.wino4USize = n;
    }
    this.ensureScratch(this.ex.wino4_filter_tmp_floats());
    const groups = Math.ceil((flip ? g.Ci : g.Co) / 4);
    // one executor below ~64 k filter taps: a dispatch costs more than the transform
    const pieces = g.Co * g.Ci < 4096 ? [[0, groups] as [number, number]] : this.split(groups);
    this.exec(
      'wino4_filter',
      pieces.map(([q0, q1], t) => [
        bytes(w),
        bytes(this.wino4U),
        g.Co,
        g.Ci,
        flip ? 1 : 0,
        4 * q0,
        4 * q1,
        bytes(this.scratch[t]),
      ]),
    );
    return bytes(this.wino4U);
  }
  /** F(4x4) forward (or, with `swap`, backward data: x = dy, y = dx) over the batch split by images; + res. */
  private wino4Run(g: ConvGeom, x: Ptr, w: Ptr, bias: Ptr, y: Ptr, swap: boolean, res: Ptr = NONE): void {
    const [ci, co] = swap ? [g.Co, g.Ci] : [g.Ci, g.Co];
    this.ensureScratch(this.ex.wino4_scratch_floats(ci, co, g.H, g.W, 0));
    const U = this.wino4Filter(g, w, swap);
    const geo = this.convArgs(g, swap);
    this.exec(
      'wino4_fwd',
      this.split(g.N).map(([n0, n1], t) => [
        geo,
        bytes(x),
        U,
        bytes(bias),
        bytes(y),
        n0,
        n1,
        bytes(this.scratch[t]),
        bytes(res),
      ]),
    );
  }
  /** Transformed filter (16 x rows x cols) of w in the shared buffer; returns its byte address. */
  private winoFilter(g: ConvGeom, w: Ptr, flip: boolean): ByteAddr {
    const n = 16 * g.Ci * g.Co;
    if (this.winoUSize < n) {
      if (this.winoU) this.free(this.winoU);
      this.winoU = this.alloc(n);
      this.winoUSize = n;
    }
    this.ex.wino_filter(bytes(w), bytes(this.winoU), g.Co, g.Ci, flip ? 1 : 0);
    return bytes(this.winoU);
  }

  conv2dForward(g: ConvGeom, x: Ptr, w: Ptr, bias: Ptr, y: Ptr, residual: Ptr = NONE): void {
    if (this.convPath(g) === 'wino4') {
      this.wino4Run(g, x, w, bias, y, false, residual);
      return;
    }
    this.conv2dForwardPlain(g, x, w, bias, y);
    if (residual !== NONE) this.add(y, residual, y, g.N * g.Co * g.Ho * g.Wo);
  }
  /** The F(2x2) and im2col forward paths (no residual). */
  private conv2dForwardPlain(g: ConvGeom, x: Ptr, w: Ptr, bias: Ptr, y: Ptr): void {
    if (this.useWinograd(g)) {
      this.ensureScratch(this.ex.wino_scratch_floats(g.Ci, g.Co, g.H, g.W));
      const U = this.winoFilter(g, w, false);
      const geo = this.convArgs(g);
      this.exec(
        'wino_fwd',
        this.split(g.N).map(([n0, n1], t) => [geo, bytes(x), U, bytes(bias), bytes(y), n0, n1, bytes(this.scratch[t])]),
      );
      return;
    }
    this.convScratch(g);
    const geo = this.convArgs(g);
    this.exec(
      'conv2d_fwd',
      this.split(g.N).map(([n0, n1], t) => [
        geo,
        bytes(x),
        bytes(w),
        bytes(bias),
        bytes(y),
        n0,
        n1,
        bytes(this.scratch[t]),
      ]),
    );
  }
  conv2dBackwardData(g: ConvGeom, w: Ptr, dy: Ptr, dx: Ptr): void {
    if (this.convPath(g) === 'wino4') {
      // dx = conv(dy, w rotated 180 degrees with in/out channels swapped), stride 1, padding 1.
      this.wino4Run(g, dy, w, NONE, dx, true);
      return;
    }
    if (this.useWinograd(g)) {
      // dx = conv(dy, w rotated 180 degrees with in/out channels swapped), stride 1, padding 1.
      this.ensureScratch(this.ex.wino_scratch_floats(g.Co, g.Ci, g.H, g.W));
      const U = this.winoFilter(g, w, true);
      const geo = this.convArgs(g, true);
      this.exec(
        'wino_fwd',
        this.split(g.N).map(([n0, n1], t) => [
          geo,
          bytes(dy),
          U,
          bytes(NONE),
          bytes(dx),
          n0,
          n1,
          bytes(this.scratch[t]),
        ]),
      );
      return;
    }
    this.convScratch(g);
    const geo = this.convArgs(g);
    this.exec(
      'conv2d_bwd_data',
      this.split(g.N).map(([n0, n1], t) => [geo, bytes(w), bytes(dy), bytes(dx), n0, n1, bytes(this.scratch[t])]),
    );
  }
  conv2dBackwardWeight(g: ConvGeom, x: Ptr, dy: Ptr, dw: Ptr, dbias: Ptr): void {
    const path = this.convPath(g);
    const wino = path === 'wino2';
    if (path === 'wino4') this.ensureScratch(this.ex.wino4_scratch_floats(g.Ci, g.Co, g.H, g.W, 1));
    else if (wino) this.ensureScratch(this.ex.wino_scratch_floats(g.Ci, g.Co, g.H, g.W));
    else this.convScratch(g);
    const geo = this.convArgs(g);
    const nw = g.Co * g.Ci * g.KH * g.KW;
    const pieces = this.split(g.N);
    // Thread 0 accumulates into dw / dbias directly; the others into zeroed partials [dw | dbias], summed after.
    const parts = pieces.length > 1 ? this.partials(nw + g.Co) : [];
    const kernel = path === 'wino4' ? 'wino4_bwd_weight' : wino ? 'wino_bwd_weight' : 'conv2d_bwd_weight';
    this.exec(
      kernel,
      pieces.map(([n0, n1], t) => {
        const pw = t === 0 ? dw : parts[t - 1];
        const pb = dbias === NONE ? NONE : t === 0 ? dbias : at(parts[t - 1], nw);
        return [geo, bytes(x), bytes(dy), bytes(pw), bytes(pb), n0, n1, bytes(this.scratch[t])];
      }),
    );
    for (let t = 1; t < pieces.length; t++) {
      this.axpy(nw, 1, parts[t - 1], dw);
      if (dbias !== 0) this.axpy(g.Co, 1, at(parts[t - 1], nw), dbias);
    }
  }

  // ---- elementwise ----------------------------------------------------------------------------------------------

  /** Element ranges for the executors: multiples of 4 elements, so every piece but the last runs the vector body. */
  private elementPieces(n: number): [number, number][] {
    if (n < 1 << 16) return [[0, n]];
    return this.split(Math.ceil(n / 4)).map(([s, e]) => [s * 4, Math.min(n, e * 4)]);
  }
  private unary(name: 'relu_fwd' | 'silu_fwd', x: Ptr, y: Ptr, n: number): void {
    this.exec(
      name,
      this.elementPieces(n).map(([i0, i1]) => [bytes(at(x, i0)), bytes(at(y, i0)), i1 - i0]),
    );
  }
  private unaryBackward(name: 'relu_bwd' | 'silu_bwd', x: Ptr, dy: Ptr, dx: Ptr, n: number): void {
    this.exec(
      name,
      this.elementPieces(n).map(([i0, i1]) => [bytes(at(x, i0)), bytes(at(dy, i0)), bytes(at(dx, i0)), i1 - i0]),
    );
  }
  /** fill(p + i0, i1 - i0, v) over executor pieces. */
  private elementwiseRange(name: 'fill', p: Ptr, n: number, v: number): void {
    this.exec(
      name,
      this.elementPieces(n).map(([i0, i1]) => [bytes(at(p, i0)), i1 - i0, v]),
    );
  }
  reluForward(x: Ptr, y: Ptr, n: number): void {
    this.unary('relu_fwd', x, y, n);
  }
  reluBackward(x: Ptr, dy: Ptr, dx: Ptr, n: number): void {
    this.unaryBackward('relu_bwd', x, dy, dx, n);
  }
  siluForward(x: Ptr, y: Ptr, n: number): void {
    this.unary('silu_fwd', x, y, n);
  }
  siluBackward(x: Ptr, dy: Ptr, dx: Ptr, n: number): void {
    this.unaryBackward('silu_bwd', x, dy, dx, n);
  }

  addNC(y: Ptr, e: Ptr, N: number, C: number, P: number, es: number): void {
    this.ex.add_nc(bytes(y), bytes(e), N, C, P, es);
  }
  sumNC(y: Ptr, out: Ptr, N: number, C: number, P: number, os: number): void {
    this.ex.sum_nc(bytes(y), bytes(out), N, C, P, os);
  }

  private planes(
    name: 'avgpool2_fwd' | 'avgpool2_bwd' | 'upsample2_fwd' | 'upsample2_bwd',
    a: Ptr,
    b: Ptr,
    planes: number,
    H: number,
    W: number,
    aPlane: number,
    bPlane: number,
  ): void {
    const pieces = planes * H * W < 1 << 16 ? [[0, planes] as [number, number]] : this.split(planes);
    this.exec(
      name,
      pieces.map(([q0, q1]) => [bytes(at(a, q0 * aPlane)), bytes(at(b, q0 * bPlane)), q1 - q0, H, W]),
    );
  }
  avgPool2Forward(x: Ptr, y: Ptr, planes: number, H: number, W: number): void {
    this.planes('avgpool2_fwd', x, y, planes, H, W, H * W, (H * W) / 4);
  }
  avgPool2Backward(dy: Ptr, dx: Ptr, planes: number, H: number, W: number): void {
    this.planes('avgpool2_bwd', dy, dx, planes, H, W, (H * W) / 4, H * W);
  }
  upsample2Forward(x: Ptr, y: Ptr, planes: number, H: number, W: number): void {
    this.planes('upsample2_fwd', x, y, planes, H, W, H * W, 4 * H * W);
  }
  upsample2Backward(dy: Ptr, dx: Ptr, planes: number, H: number, W: number): void {
    this.planes('upsample2_bwd', dy, dx, planes, H, W, 4 * H * W, H * W);
  }

  // ---- normalisation and attention -----------------------------------------------------------------------------

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
    this.exec(
      'groupnorm_fwd',
      this.split(N).map(([n0, n1]) => [
        bytes(x),
        bytes(gamma),
        bytes(beta),
        bytes(y),
        bytes(mean),
        bytes(rstd),
        n0,
        n1,
        C,
        P,
        G,
        eps,
      ]),
    );
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
    const pieces = this.split(N);
    const parts = pieces.length > 1 ? this.partials(2 * C) : [];
    this.exec(
      'groupnorm_bwd',
      pieces.map(([n0, n1], t) => [
        bytes(x),
        bytes(gamma),
        bytes(mean),
        bytes(rstd),
        bytes(dy),
        bytes(dx),
        bytes(t === 0 ? dgamma : parts[t - 1]),
        bytes(t === 0 ? dbeta : at(parts[t - 1], C)),
        n0,
        n1,
        C,
        P,
        G,
      ]),
    );
    this.sumAffinePartials(parts.slice(0, pieces.length - 1), C, dgamma, dbeta);
  }

  /** Adds the per-executor [dgamma | dbeta] partials (executors 1..) of a GroupNorm backward into dgamma, dbeta. */
  private sumAffinePartials(parts: Ptr[], C: number, dgamma: Ptr, dbeta: Ptr): void {
    for (const q of parts) {
      this.axpy(C, 1, q, dgamma);
      this.axpy(C, 1, at(q, C), dbeta);
    }
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
    if (P % 4 !== 0) {
      // the fused kernels run whole vectors per channel; odd planes take the two-pass route
      this.groupNormForward(x, gamma, beta, z, mean, rstd, N, C, P, G, eps);
      this.siluForward(z, z, N * C * P);
      return;
    }
    this.ensureScratch(16);
    this.exec(
      'groupnorm_silu_fwd',
      this.split(N).map(([n0, n1], t) => [
        bytes(x),
        bytes(gamma),
        bytes(beta),
        bytes(z),
        bytes(mean),
        bytes(rstd),
        n0,
        n1,
        C,
        P,
        G,
        eps,
        bytes(this.scratch[t]),
      ]),
    );
  }
  groupNormSiluBackward(
    x: Ptr,
    gamma: Ptr,
    beta: Ptr,
    mean: Ptr,
    rstd: Ptr,
    z: Ptr,
    dz: Ptr,
    dx: Ptr,
    dgamma: Ptr,
    dbeta: Ptr,
    N: number,
    C: number,
    P: number,
    G: number,
  ): void {
    if (P % 4 !== 0) {
      // recompute y into dx, then the unfused backward passes
      const y = this.alloc(N * C * P);
      this.groupNormRecompute(x, gamma, beta, mean, rstd, y, N, C, P, G);
      this.siluBackward(y, dz, y, N * C * P);
      this.groupNormBackward(x, gamma, mean, rstd, y, dx, dgamma, dbeta, N, C, P, G);
      this.free(y);
      return;
    }
    this.ensureScratch((C / G) * P);
    const pieces = this.split(N);
    const parts = pieces.length > 1 ? this.partials(2 * C) : [];
    this.exec(
      'groupnorm_silu_bwd',
      pieces.map(([n0, n1], t) => [
        bytes(x),
        bytes(gamma),
        bytes(beta),
        bytes(mean),
        bytes(rstd),
        bytes(dz),
        bytes(dx),
        bytes(t === 0 ? dgamma : parts[t - 1]),
        bytes(t === 0 ? dbeta : at(parts[t - 1], C)),
        n0,
        n1,
        C,
        P,
        G,
        bytes(this.scratch[t]),
        bytes(z),
      ]),
    );
    this.sumAffinePartials(parts.slice(0, pieces.length - 1), C, dgamma, dbeta);
  }
  /** y = GroupNorm(x) from saved statistics (host loop; only for planes whose size is not a multiple of 4). */
  private groupNormRecompute(
    x: Ptr,
    gamma: Ptr,
    beta: Ptr,
    mean: Ptr,
    rstd: Ptr,
    y: Ptr,
    N: number,
    C: number,
    P: number,
    G: number,
  ): void {
    const h = this.heap,
      Cg = C / G;
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++) {
        const q = n * G + Math.floor(c / Cg),
          sc = h[rstd + q] * h[gamma + c],
          sh = h[beta + c] - h[mean + q] * sc;
        for (let p = 0; p < P; p++) h[y + (n * C + c) * P + p] = h[x + (n * C + c) * P + p] * sc + sh;
      }
  }

  softmaxRows(x: Ptr, R: number, L: number): void {
    this.ex.softmax_rows(bytes(x), R, L);
  }
  attentionForward(qkv: Ptr, o: Ptr, probs: Ptr, N: number, C: number, P: number, heads: number, scale: number): void {
    this.ensureScratch(this.ex.attn_scratch_floats(P));
    this.exec(
      'attn_fwd',
      this.split(N).map(([n0, n1], t) => [
        bytes(qkv),
        bytes(o),
        bytes(probs),
        n0,
        n1,
        C,
        P,
        heads,
        scale,
        bytes(this.scratch[t]),
      ]),
    );
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
    this.ensureScratch(this.ex.attn_scratch_floats(P));
    this.exec(
      'attn_bwd',
      this.split(N).map(([n0, n1], t) => [
        bytes(qkv),
        bytes(probs),
        bytes(dout),
        bytes(dqkv),
        n0,
        n1,
        C,
        P,
        heads,
        scale,
        bytes(this.scratch[t]),
      ]),
    );
  }

  // ---- optimisers -----------------------------------------------------------------------------------------------

  adamStep(p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, hp: AdamStepParams): void {
    this.exec(
      'adam_step',
      this.elementPieces(n).map(([i0, i1]) => [
        bytes(p),
        bytes(g),
        bytes(m),
        bytes(v),
        i0,
        i1,
        hp.b1,
        1 - hp.b1,
        hp.b2,
        1 - hp.b2,
        hp.lr / hp.c1,
        1 / hp.c2,
        hp.eps,
        hp.decoupled ? 0 : hp.weightDecay,
        hp.decoupled ? 1 - hp.lr * hp.weightDecay : 1,
      ]),
    );
  }
  emaUpdate(s: Ptr, p: Ptr, n: number, decay: number): void {
    this.ex.ema_update(bytes(s), bytes(p), 0, n, decay);
  }

  /** Frees the backend's own buffers; closes the pool if the backend created it. */
  async dispose(): Promise<void> {
    for (const p of [...this.scratch, ...this.partial, this.geo, this.geo2]) this.free(p);
    if (this.winoU) this.free(this.winoU);
    if (this.wino4U) this.free(this.wino4U);
    this.winoU = this.wino4U = NONE;
    this.scratch = [];
    this.partial = [];
    if (this.ownsPool) await this.pool.close();
  }
}
