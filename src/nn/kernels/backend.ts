/**
 * The compute backend the nn layers are written against. Two implementations:
 *   - `RefBackend` (ref.ts): plain TypeScript loops in float64. It is the test oracle: finite-difference checks of
 *     every layer run on it, and the wasm kernels are compared against it op by op.
 *   - `WasmBackend` (wasm.ts): float32 WebAssembly-SIMD kernels (build/nn.wasm) on shared memory, optionally split
 *     over worker threads.
 *   - `WebGpuBackend` (webgpu.ts): float32 WGSL kernels on a WebGPU device, its heap on the device (no `heap` array
 *     on the host: `read`/`write` only).
 * Memory model: one heap per backend (a Float64Array, or the wasm linear memory as a Float32Array). Buffers are
 * element offsets into it (`Ptr`), never typed-array objects, so the same layer code drives both backends and hands
 * pointers straight to wasm. Offset 0 is never allocated and means "none" (e.g. a conv without bias).
 * The heap may grow on `alloc`: always read `be.heap` again after allocating.
 */

import type { ByteAddr } from '../../kernels/addresses.js';

declare const elementOffset: unique symbol;

/**
 * Element offset into the backend heap (0 = none): what the host side of the engine passes around. A branded number,
 * so it cannot be confused with a byte address (`ByteAddr`, what wasm kernels take): a plain number becomes a `Ptr`
 * only through `alloc`, `at` (offset arithmetic) or `NONE`.
 */
export type Ptr = number & { readonly [elementOffset]: true };
export type { ByteAddr };

/** "No buffer" (a convolution without bias, an absent gradient). */
export const NONE = 0 as Ptr;

/** The element offset k elements after p. */
export function at(p: Ptr, k: number): Ptr {
  return (p + k) as Ptr;
}

/** The byte address of element offset p in a float32 heap. */
export function bytes(p: Ptr): ByteAddr {
  return (p * 4) as ByteAddr;
}

/** Geometry of a 2-D convolution, NCHW; Ho = (H + 2ph - KH) / sh + 1, Wo likewise. */
export interface ConvGeom {
  N: number;
  Ci: number;
  H: number;
  W: number;
  Co: number;
  KH: number;
  KW: number;
  sh: number;
  sw: number;
  ph: number;
  pw: number;
  Ho: number;
  Wo: number;
}

/** Hyper-parameters of one Adam/AdamW step; c1 = 1 - b1^t and c2 = 1 - b2^t are the bias corrections. */
export interface AdamStepParams {
  lr: number;
  b1: number;
  b2: number;
  eps: number;
  weightDecay: number;
  /** true: AdamW (decoupled decay p -= lr wd p); false: Adam with L2 (g += wd p). */
  decoupled: boolean;
  c1: number;
  c2: number;
}

export interface Backend {
  readonly kind: 'ref' | 'wasm' | 'webgpu';
  /** The whole heap; replaced when the heap grows, so re-read it after `alloc`. */
  readonly heap: Float32Array | Float64Array;
  /** Number of threads the kernels are split over (1 = main thread only). */
  readonly threads: number;

  /** Allocates n elements (contents unspecified, 64-byte aligned); never returns 0. */
  alloc(n: number): Ptr;
  free(p: Ptr): void;
  /** Elements currently allocated (for leak checks). */
  allocated(): number;

  write(p: Ptr, src: ArrayLike<number>): void;
  read(p: Ptr, n: number): Float64Array;
  fill(p: Ptr, n: number, v: number): void;
  copy(src: Ptr, dst: Ptr, n: number): void;
  /** rows x len: dst[r dstStride + j] = src[r srcStride + j] (strides in elements; source and destination disjoint). */
  copyRows(src: Ptr, srcStride: number, dst: Ptr, dstStride: number, len: number, rows: number): void;

  /** C = alpha op(A) op(B) + beta C, row-major; op(A) is M x K, op(B) K x N; beta = 0 never reads C. */
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
  ): void;
  /** y += a x */
  axpy(n: number, a: number, x: Ptr, y: Ptr): void;
  /** out = a + b (out may alias either) */
  add(a: Ptr, b: Ptr, out: Ptr, n: number): void;
  /** x *= a */
  scale(x: Ptr, n: number, a: number): void;
  /** sum x^2 */
  sumSq(x: Ptr, n: number): number;
  /** returns sum (p - t)^2 and, when g != 0, writes g = gscale (p - t). */
  sqErr(p: Ptr, t: Ptr, g: Ptr, n: number, gscale: number): number;

  /**
   * y = conv(x, w) + bias (+ residual); x (N,Ci,H,W), w (Co,Ci,KH,KW), y (N,Co,Ho,Wo); bias NONE = none; residual: a
   * tensor shaped like y, distinct from it, added in the same pass where the kernel can (a block's skip connection).
   */
  conv2dForward(g: ConvGeom, x: Ptr, w: Ptr, bias: Ptr, y: Ptr, residual?: Ptr): void;
  /** dx = conv^T(dy) (overwritten). */
  conv2dBackwardData(g: ConvGeom, w: Ptr, dy: Ptr, dx: Ptr): void;
  /** dw += dL/dw, dbias += dL/dbias (dbias 0 = none). */
  conv2dBackwardWeight(g: ConvGeom, x: Ptr, dy: Ptr, dw: Ptr, dbias: Ptr): void;

  reluForward(x: Ptr, y: Ptr, n: number): void;
  reluBackward(x: Ptr, dy: Ptr, dx: Ptr, n: number): void;
  siluForward(x: Ptr, y: Ptr, n: number): void;
  siluBackward(x: Ptr, dy: Ptr, dx: Ptr, n: number): void;

  /** y[n,c,:] += e[n*es + c] */
  addNC(y: Ptr, e: Ptr, N: number, C: number, P: number, es: number): void;
  /** out[n*os + c] += sum_p y[n,c,p] */
  sumNC(y: Ptr, out: Ptr, N: number, C: number, P: number, os: number): void;

  avgPool2Forward(x: Ptr, y: Ptr, planes: number, H: number, W: number): void;
  avgPool2Backward(dy: Ptr, dx: Ptr, planes: number, H: number, W: number): void;
  upsample2Forward(x: Ptr, y: Ptr, planes: number, H: number, W: number): void;
  upsample2Backward(dy: Ptr, dx: Ptr, planes: number, H: number, W: number): void;

  /** GroupNorm over (N, C, P) with G groups; saves mean and rstd (N x G). */
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
  ): void;
  /** dx overwritten; dgamma, dbeta accumulated. */
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
  ): void;

  /** z = SiLU(GroupNorm(x)) in one pass; the normalised y is not stored (mean, rstd saved as by groupNormForward). */
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
  ): void;
  /**
   * dx = (SiLU o GroupNorm)'(x)^T dz (overwritten), recomputing y from x and the statistics; dgamma, dbeta
   * accumulated. z is the forward output SiLU(y) (an implementation may use it for the sigmoid, s = z / y).
   */
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
  ): void;

  /** Row softmax in place over an R x L block. */
  softmaxRows(x: Ptr, R: number, L: number): void;
  /** Attention core (see assembly/_nn_attn.ts): o (N,C,P), probs (N,heads,P,P) from qkv (N,3C,P). */
  attentionForward(qkv: Ptr, o: Ptr, probs: Ptr, N: number, C: number, P: number, heads: number, scale: number): void;
  /** dqkv (N,3C,P) overwritten. */
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
  ): void;

  adamStep(p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, hp: AdamStepParams): void;
  /** s = decay s + (1 - decay) p */
  emaUpdate(s: Ptr, p: Ptr, n: number, decay: number): void;

  /** Releases the heap and any worker threads. */
  dispose(): Promise<void>;
}

/** Output size of a convolution along one axis. */
export function convOut(size: number, k: number, stride: number, pad: number): number {
  return Math.floor((size + 2 * pad - k) / stride) + 1;
}

/** Builds a ConvGeom, checking that the output is non-empty. */
export function convGeom(
  N: number,
  Ci: number,
  H: number,
  W: number,
  Co: number,
  k: number,
  stride: number,
  pad: number,
): ConvGeom {
  const Ho = convOut(H, k, stride, pad);
  const Wo = convOut(W, k, stride, pad);
  if (Ho <= 0 || Wo <= 0) throw new Error(`conv: kernel ${k} stride ${stride} pad ${pad} does not fit ${H}x${W}`);
  return { N, Ci, H, W, Co, KH: k, KW: k, sh: stride, sw: stride, ph: pad, pw: pad, Ho, Wo };
}
