/**
 * Reference backend: every kernel as plain float64 TypeScript loops, written for clarity, not speed.
 * It is the oracle of the test suite (finite differences of layers run here; wasm kernels are compared to it) and a
 * fallback for tiny problems. Formulas match assembly/_nn_*.ts; see backend.ts for the contracts.
 */
import { Allocator } from './allocator.js';
import { at, NONE, type AdamStepParams, type Backend, type ConvGeom, type Ptr } from './backend.js';

export class RefBackend implements Backend {
  readonly kind = 'ref' as const;
  readonly threads = 1;
  heap: Float64Array;
  private readonly mem: Allocator;

  constructor(initialElements = 1 << 16) {
    this.heap = new Float64Array(initialElements);
    this.mem = new Allocator(16, initialElements, (needed) => {
      const cap = Math.max(needed, Math.ceil(this.heap.length * 1.5));
      const next = new Float64Array(cap);
      next.set(this.heap);
      this.heap = next;
      return cap;
    });
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
    for (let i = 0; i < src.length; i++) this.heap[p + i] = src[i];
  }
  read(p: Ptr, n: number): Float64Array {
    return this.heap.slice(p, p + n);
  }
  fill(p: Ptr, n: number, v: number): void {
    this.heap.fill(v, p, p + n);
  }
  copyRows(src: Ptr, srcStride: number, dst: Ptr, dstStride: number, len: number, rows: number): void {
    for (let r = 0; r < rows; r++)
      this.heap.copyWithin(dst + r * dstStride, src + r * srcStride, src + r * srcStride + len);
  }
  copy(src: Ptr, dst: Ptr, n: number): void {
    this.heap.copyWithin(dst, src, src + n);
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
    const h = this.heap;
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) {
          const av = transA ? h[a + k * lda + i] : h[a + i * lda + k];
          const bv = transB ? h[b + j * ldb + k] : h[b + k * ldb + j];
          s += av * bv;
        }
        const q = c + i * ldc + j;
        h[q] = alpha * s + (beta === 0 ? 0 : beta * h[q]);
      }
    }
  }
  axpy(n: number, a: number, x: Ptr, y: Ptr): void {
    for (let i = 0; i < n; i++) this.heap[y + i] += a * this.heap[x + i];
  }
  add(a: Ptr, b: Ptr, out: Ptr, n: number): void {
    for (let i = 0; i < n; i++) this.heap[out + i] = this.heap[a + i] + this.heap[b + i];
  }
  scale(x: Ptr, n: number, a: number): void {
    for (let i = 0; i < n; i++) this.heap[x + i] *= a;
  }
  sumSq(x: Ptr, n: number): number {
    let s = 0;
    for (let i = 0; i < n; i++) s += this.heap[x + i] ** 2;
    return s;
  }
  sqErr(p: Ptr, t: Ptr, g: Ptr, n: number, gscale: number): number {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = this.heap[p + i] - this.heap[t + i];
      s += d * d;
      if (g !== 0) this.heap[g + i] = gscale * d;
    }
    return s;
  }

  // x index of output (i, j) tap (a, b), or -1 when it falls in the zero padding.
  private tap(g: ConvGeom, i: number, j: number, a: number, b: number): number {
    const ih = i * g.sh - g.ph + a;
    const iw = j * g.sw - g.pw + b;
    return ih < 0 || ih >= g.H || iw < 0 || iw >= g.W ? -1 : ih * g.W + iw;
  }

  conv2dForward(g: ConvGeom, x: Ptr, w: Ptr, bias: Ptr, y: Ptr, residual: Ptr = NONE): void {
    const h = this.heap;
    const HW = g.H * g.W,
      P = g.Ho * g.Wo,
      KK = g.KH * g.KW;
    for (let n = 0; n < g.N; n++)
      for (let o = 0; o < g.Co; o++)
        for (let i = 0; i < g.Ho; i++)
          for (let j = 0; j < g.Wo; j++) {
            let s = bias !== 0 ? h[bias + o] : 0;
            for (let c = 0; c < g.Ci; c++)
              for (let a = 0; a < g.KH; a++)
                for (let b = 0; b < g.KW; b++) {
                  const t = this.tap(g, i, j, a, b);
                  if (t >= 0) s += h[w + (o * g.Ci + c) * KK + a * g.KW + b] * h[x + (n * g.Ci + c) * HW + t];
                }
            const q = (n * g.Co + o) * P + i * g.Wo + j;
            h[y + q] = residual !== NONE ? s + h[residual + q] : s;
          }
  }
  conv2dBackwardData(g: ConvGeom, w: Ptr, dy: Ptr, dx: Ptr): void {
    const h = this.heap;
    const HW = g.H * g.W,
      P = g.Ho * g.Wo,
      KK = g.KH * g.KW;
    h.fill(0, dx, dx + g.N * g.Ci * HW);
    for (let n = 0; n < g.N; n++)
      for (let o = 0; o < g.Co; o++)
        for (let i = 0; i < g.Ho; i++)
          for (let j = 0; j < g.Wo; j++) {
            const d = h[dy + (n * g.Co + o) * P + i * g.Wo + j];
            for (let c = 0; c < g.Ci; c++)
              for (let a = 0; a < g.KH; a++)
                for (let b = 0; b < g.KW; b++) {
                  const t = this.tap(g, i, j, a, b);
                  if (t >= 0) h[dx + (n * g.Ci + c) * HW + t] += h[w + (o * g.Ci + c) * KK + a * g.KW + b] * d;
                }
          }
  }
  conv2dBackwardWeight(g: ConvGeom, x: Ptr, dy: Ptr, dw: Ptr, dbias: Ptr): void {
    const h = this.heap;
    const HW = g.H * g.W,
      P = g.Ho * g.Wo,
      KK = g.KH * g.KW;
    for (let n = 0; n < g.N; n++)
      for (let o = 0; o < g.Co; o++)
        for (let i = 0; i < g.Ho; i++)
          for (let j = 0; j < g.Wo; j++) {
            const d = h[dy + (n * g.Co + o) * P + i * g.Wo + j];
            if (dbias !== 0) h[dbias + o] += d;
            for (let c = 0; c < g.Ci; c++)
              for (let a = 0; a < g.KH; a++)
                for (let b = 0; b < g.KW; b++) {
                  const t = this.tap(g, i, j, a, b);
                  if (t >= 0) h[dw + (o * g.Ci + c) * KK + a * g.KW + b] += d * h[x + (n * g.Ci + c) * HW + t];
                }
          }
  }

  reluForward(x: Ptr, y: Ptr, n: number): void {
    for (let i = 0; i < n; i++) this.heap[y + i] = Math.max(this.heap[x + i], 0);
  }
  reluBackward(x: Ptr, dy: Ptr, dx: Ptr, n: number): void {
    for (let i = 0; i < n; i++) this.heap[dx + i] = this.heap[x + i] > 0 ? this.heap[dy + i] : 0;
  }
  siluForward(x: Ptr, y: Ptr, n: number): void {
    for (let i = 0; i < n; i++) {
      const v = this.heap[x + i];
      this.heap[y + i] = v / (1 + Math.exp(-v));
    }
  }
  siluBackward(x: Ptr, dy: Ptr, dx: Ptr, n: number): void {
    for (let i = 0; i < n; i++) {
      const v = this.heap[x + i];
      const s = 1 / (1 + Math.exp(-v));
      this.heap[dx + i] = this.heap[dy + i] * s * (1 + v * (1 - s));
    }
  }

  addNC(y: Ptr, e: Ptr, N: number, C: number, P: number, es: number): void {
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++) {
        const v = this.heap[e + n * es + c];
        const base = y + (n * C + c) * P;
        for (let p = 0; p < P; p++) this.heap[base + p] += v;
      }
  }
  sumNC(y: Ptr, out: Ptr, N: number, C: number, P: number, os: number): void {
    for (let n = 0; n < N; n++)
      for (let c = 0; c < C; c++) {
        let s = 0;
        const base = y + (n * C + c) * P;
        for (let p = 0; p < P; p++) s += this.heap[base + p];
        this.heap[out + n * os + c] += s;
      }
  }

  avgPool2Forward(x: Ptr, y: Ptr, planes: number, H: number, W: number): void {
    const h = this.heap,
      Ho = H >> 1,
      Wo = W >> 1;
    for (let q = 0; q < planes; q++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++) {
          const r = x + q * H * W + 2 * i * W + 2 * j;
          h[y + q * Ho * Wo + i * Wo + j] = 0.25 * (h[r] + h[r + 1] + h[r + W] + h[r + W + 1]);
        }
  }
  avgPool2Backward(dy: Ptr, dx: Ptr, planes: number, H: number, W: number): void {
    const h = this.heap,
      Ho = H >> 1,
      Wo = W >> 1;
    for (let q = 0; q < planes; q++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++) {
          const v = 0.25 * h[dy + q * Ho * Wo + i * Wo + j];
          const r = dx + q * H * W + 2 * i * W + 2 * j;
          h[r] = h[r + 1] = h[r + W] = h[r + W + 1] = v;
        }
  }
  upsample2Forward(x: Ptr, y: Ptr, planes: number, H: number, W: number): void {
    const h = this.heap;
    for (let q = 0; q < planes; q++)
      for (let i = 0; i < 2 * H; i++)
        for (let j = 0; j < 2 * W; j++)
          h[y + q * 4 * H * W + i * 2 * W + j] = h[x + q * H * W + (i >> 1) * W + (j >> 1)];
  }
  upsample2Backward(dy: Ptr, dx: Ptr, planes: number, H: number, W: number): void {
    const h = this.heap;
    h.fill(0, dx, dx + planes * H * W);
    for (let q = 0; q < planes; q++)
      for (let i = 0; i < 2 * H; i++)
        for (let j = 0; j < 2 * W; j++)
          h[dx + q * H * W + (i >> 1) * W + (j >> 1)] += h[dy + q * 4 * H * W + i * 2 * W + j];
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
    const h = this.heap,
      Cg = C / G,
      m = Cg * P;
    for (let n = 0; n < N; n++)
      for (let g = 0; g < G; g++) {
        const base = x + (n * C + g * Cg) * P;
        let mu = 0;
        for (let k = 0; k < m; k++) mu += h[base + k];
        mu /= m;
        let v = 0;
        for (let k = 0; k < m; k++) v += (h[base + k] - mu) ** 2;
        const rs = 1 / Math.sqrt(v / m + eps);
        h[mean + n * G + g] = mu;
        h[rstd + n * G + g] = rs;
        for (let k = 0; k < m; k++) {
          const c = g * Cg + Math.floor(k / P);
          h[y + (n * C + g * Cg) * P + k] = (h[base + k] - mu) * rs * h[gamma + c] + h[beta + c];
        }
      }
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
    const h = this.heap,
      Cg = C / G,
      m = Cg * P;
    for (let n = 0; n < N; n++)
      for (let g = 0; g < G; g++) {
        const mu = h[mean + n * G + g],
          rs = h[rstd + n * G + g];
        const base = (n * C + g * Cg) * P;
        let A = 0,
          B = 0;
        for (let k = 0; k < m; k++) {
          const c = g * Cg + Math.floor(k / P);
          const xhat = (h[x + base + k] - mu) * rs;
          const d = h[dy + base + k];
          h[dgamma + c] += d * xhat;
          h[dbeta + c] += d;
          A += h[gamma + c] * d;
          B += h[gamma + c] * d * xhat;
        }
        for (let k = 0; k < m; k++) {
          const c = g * Cg + Math.floor(k / P);
          const xhat = (h[x + base + k] - mu) * rs;
          h[dx + base + k] = rs * (h[gamma + c] * h[dy + base + k] - A / m - (xhat * B) / m);
        }
      }
  }

  // The fused GroupNorm + SiLU as the composition of the unfused reference ops (through a temporary y).
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
    const n = N * C * P,
      y = this.alloc(n);
    this.groupNormForward(x, gamma, beta, y, mean, rstd, N, C, P, G, eps);
    this.siluForward(y, z, n);
    this.free(y);
  }
  // The reference recomputes the sigmoid from y (z unused): an independent check of the wasm kernel's s = z / y.
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
    const n = N * C * P,
      y = this.alloc(n),
      dy = this.alloc(n),
      h = this.heap,
      Cg = C / G;
    for (let q = 0; q < N * G; q++) {
      const nn = Math.floor(q / G),
        g = q % G,
        mu = h[mean + q],
        rs = h[rstd + q];
      for (let k = 0; k < Cg * P; k++) {
        const c = g * Cg + Math.floor(k / P),
          i = (nn * C + g * Cg) * P + k;
        h[y + i] = (h[x + i] - mu) * rs * h[gamma + c] + h[beta + c];
      }
    }
    this.siluBackward(y, dz, dy, n);
    this.groupNormBackward(x, gamma, mean, rstd, dy, dx, dgamma, dbeta, N, C, P, G);
    this.free(y);
    this.free(dy);
  }

  softmaxRows(x: Ptr, R: number, L: number): void {
    const h = this.heap;
    for (let r = 0; r < R; r++) {
      const row = x + r * L;
      let mx = -Infinity;
      for (let j = 0; j < L; j++) mx = Math.max(mx, h[row + j]);
      let s = 0;
      for (let j = 0; j < L; j++) s += h[row + j] = Math.exp(h[row + j] - mx);
      for (let j = 0; j < L; j++) h[row + j] /= s;
    }
  }
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
    const dA = this.alloc(P * P); // before reading this.heap: alloc may replace it
    const d = C / heads,
      h = this.heap;
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
        for (let r = 0; r < P; r++) {
          let s = 0;
          for (let j = 0; j < P; j++) s += this.heap[dA + r * P + j] * h[a + r * P + j];
          for (let j = 0; j < P; j++) this.heap[dA + r * P + j] = h[a + r * P + j] * (this.heap[dA + r * P + j] - s);
        }
        this.gemm(false, true, d, P, P, scale, k, P, dA, P, 0, dq, P);
        this.gemm(false, false, d, P, P, scale, q, P, dA, P, 0, dk, P);
      }
    this.free(dA);
  }

  adamStep(p: Ptr, g: Ptr, m: Ptr, v: Ptr, n: number, hp: AdamStepParams): void {
    const h = this.heap;
    for (let i = 0; i < n; i++) {
      let pv = h[p + i];
      const gv = h[g + i] + (hp.decoupled ? 0 : hp.weightDecay * pv);
      const mv = (h[m + i] = hp.b1 * h[m + i] + (1 - hp.b1) * gv);
      const vv = (h[v + i] = hp.b2 * h[v + i] + (1 - hp.b2) * gv * gv);
      if (hp.decoupled) pv *= 1 - hp.lr * hp.weightDecay;
      h[p + i] = pv - ((hp.lr / hp.c1) * mv) / (Math.sqrt(vv / hp.c2) + hp.eps);
    }
  }
  emaUpdate(s: Ptr, p: Ptr, n: number, decay: number): void {
    for (let i = 0; i < n; i++) this.heap[s + i] = decay * this.heap[s + i] + (1 - decay) * this.heap[p + i];
  }

  dispose(): Promise<void> {
    this.heap = new Float64Array(0);
    return Promise.resolve();
  }
}
