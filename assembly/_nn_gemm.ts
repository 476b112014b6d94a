// Single-precision GEMM for the nn engine: C = alpha * op(A) * op(B) + beta * C, row-major.
//
//   op(A) is M x K: A(i,k) = a[i*lda + k] (transA = 0) or a[k*lda + i] (transA = 1)
//   op(B) is K x N: B(k,j) = b[k*ldb + j] (transB = 0) or b[j*ldb + k] (transB = 1)
//   C is M x N with row stride ldc. Pointers are byte addresses in the (shared) linear memory, strides in elements.
//
// Structure (the classic Goto/BLIS layering, sized for a 512 KiB L2 and 16 xmm registers):
//   for each column block jc (NC columns) and depth block pc (KC):   pack op(B) into KC x NR micro-panels
//     for each row block ic (MC rows):                              pack op(A) into MR x KC micro-panels
//       for each NR-wide B panel, for each MR-tall A panel:         MR x NR register-blocked micro-kernel
// Packing removes the transpose cases from the hot loop (the micro-kernel only ever streams packed panels) and pads
// ragged edges with zeros, so the kernel always runs full 4 x 8 tiles; partial tiles go through a small edge buffer.

import { madd } from './_simd';

export const MR: i32 = 4;
export const NR: i32 = 8;
// Upper bounds of the blocks; the actual sizes split each dimension evenly (K = 288 runs as one block of 288, not
// 256 + 32), so no block ends with a sliver that the micro-kernel would run inefficiently.
export const KC: i32 = 320;
export const MC: i32 = 128;
export const NC: i32 = 256;

// Block size for a dimension of n split evenly into ceil(n / cap) blocks, rounded up to a multiple of `unit`.
@inline
function evenBlock(n: i32, cap: i32, unit: i32): i32 {
  const blocks = (n + cap - 1) / cap;
  const per = (n + blocks - 1) / blocks;
  return min(cap, ((per + unit - 1) / unit) * unit);
}

/** Floats of per-thread scratch `sgemm` needs: packed B block, packed A block and one edge tile. */
export function sgemm_scratch_floats(): i32 {
  return KC * NC + MC * KC + MR * NR + 64;
}

// Transposes the 4 x 4 block whose rows are r0..r3 and stores its columns at d, d + s, d + 2s, d + 3s.
@inline
function storeTransposed4(r0: v128, r1: v128, r2: v128, r3: v128, d: usize, s: usize): void {
  const a = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5);
  const b = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const c = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
  const e = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(d, v128.shuffle<f32>(a, b, 0, 1, 4, 5));
  v128.store(d + s, v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  v128.store(d + 2 * s, v128.shuffle<f32>(c, e, 0, 1, 4, 5));
  v128.store(d + 3 * s, v128.shuffle<f32>(c, e, 2, 3, 6, 7));
}

// Packs rows [i0, i0+mr) x depth [p0, p0+kc) of op(A) into one MR x kc micro-panel: dst[k*MR + i].
@inline
function packA(transA: i32, a: usize, lda: i32, i0: i32, mr: i32, p0: i32, kc: i32, dst: usize): void {
  if (transA == 0) {
    let k0 = 0;
    if (mr == MR) {
      // Four rows at a time, four k at a time: 4 x 4 register transposes (A is row-major, the panel k-major).
      const r0 = a + ((<usize>i0 * <usize>lda + <usize>p0) << 2);
      const step = <usize>lda << 2;
      for (; k0 + 4 <= kc; k0 += 4) {
        const o = <usize>k0 << 2;
        storeTransposed4(
          v128.load(r0 + o), v128.load(r0 + step + o), v128.load(r0 + 2 * step + o), v128.load(r0 + 3 * step + o),
          dst + (<usize>(k0 * MR) << 2), <usize>(MR << 2),
        );
      }
    }
    // Remaining k (and ragged row panels); rows past the matrix are zero (never read).
    for (let i = 0; i < MR; i++) {
      let d = dst + (<usize>(k0 * MR + i) << 2);
      if (i < mr) {
        let src = a + ((<usize>(i0 + i) * <usize>lda + <usize>(p0 + k0)) << 2);
        for (let k = k0; k < kc; k++) {
          store<f32>(d, load<f32>(src));
          src += 4;
          d += <usize>(MR << 2);
        }
      } else {
        for (let k = k0; k < kc; k++) {
          store<f32>(d, 0);
          d += <usize>(MR << 2);
        }
      }
    }
  } else {
    let src = a + ((<usize>p0 * <usize>lda + <usize>i0) << 2);
    let d = dst;
    const step = <usize>lda << 2;
    if (mr == MR) {
      for (let k = 0; k < kc; k++) {
        v128.store(d, v128.load(src));
        src += step;
        d += <usize>(MR << 2);
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let i = 0; i < mr; i++) store<f32>(d + (<usize>i << 2), load<f32>(src + (<usize>i << 2)));
        for (let i = mr; i < MR; i++) store<f32>(d + (<usize>i << 2), 0);
        src += step;
        d += <usize>(MR << 2);
      }
    }
  }
}

// Packs depth [p0, p0+kc) x columns [j0, j0+nr) of op(B) into one kc x NR micro-panel: dst[k*NR + j].
@inline
function packB(transB: i32, b: usize, ldb: i32, p0: i32, kc: i32, j0: i32, nr: i32, dst: usize): void {
  if (transB == 0) {
    let src = b + ((<usize>p0 * <usize>ldb + <usize>j0) << 2);
    const step = <usize>ldb << 2;
    let d = dst;
    if (nr == NR) {
      for (let k = 0; k < kc; k++) {
        v128.store(d, v128.load(src));
        v128.store(d, v128.load(src, 16), 16);
        src += step;
        d += <usize>(NR << 2);
      }
    } else {
      for (let k = 0; k < kc; k++) {
        for (let j = 0; j < nr; j++) store<f32>(d + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
        for (let j = nr; j < NR; j++) store<f32>(d + (<usize>j << 2), 0);
        src += step;
        d += <usize>(NR << 2);
      }
    }
  } else {
    let k0 = 0;
    if (nr == NR) {
      // Eight columns of op(B) are eight rows of b: two 4 x 4 transposes per four k.
      const r0 = b + ((<usize>j0 * <usize>ldb + <usize>p0) << 2);
      const step = <usize>ldb << 2;
      for (; k0 + 4 <= kc; k0 += 4) {
        const o = <usize>k0 << 2;
        const d = dst + (<usize>(k0 * NR) << 2);
        storeTransposed4(
          v128.load(r0 + o), v128.load(r0 + step + o), v128.load(r0 + 2 * step + o), v128.load(r0 + 3 * step + o),
          d, <usize>(NR << 2),
        );
        storeTransposed4(
          v128.load(r0 + 4 * step + o), v128.load(r0 + 5 * step + o), v128.load(r0 + 6 * step + o),
          v128.load(r0 + 7 * step + o), d + 16, <usize>(NR << 2),
        );
      }
    }
    for (let j = 0; j < NR; j++) {
      let d = dst + (<usize>(k0 * NR + j) << 2);
      if (j < nr) {
        let src = b + ((<usize>(j0 + j) * <usize>ldb + <usize>(p0 + k0)) << 2);
        for (let k = k0; k < kc; k++) {
          store<f32>(d, load<f32>(src));
          src += 4;
          d += <usize>(NR << 2);
        }
      } else {
        for (let k = k0; k < kc; k++) {
          store<f32>(d, 0);
          d += <usize>(NR << 2);
        }
      }
    }
  }
}

// Writes one accumulator pair (a row of 8) to C: c = alpha*acc (beta == 0, C never read, so garbage/NaN in C is
// ignored as BLAS specifies) or c = beta*c + alpha*acc.
@inline
function storeRow(c: usize, lo: v128, hi: v128, va: v128, vb: v128, beta: f32): void {
  if (beta == 0) {
    v128.store(c, f32x4.mul(lo, va));
    v128.store(c, f32x4.mul(hi, va), 16);
  } else if (beta == 1) {
    v128.store(c, f32x4.add(v128.load(c), f32x4.mul(lo, va)));
    v128.store(c, f32x4.add(v128.load(c, 16), f32x4.mul(hi, va)), 16);
  } else {
    v128.store(c, f32x4.add(f32x4.mul(v128.load(c), vb), f32x4.mul(lo, va)));
    v128.store(c, f32x4.add(f32x4.mul(v128.load(c, 16), vb), f32x4.mul(hi, va)), 16);
  }
}

// 4 x 8 micro-kernel over packed panels: C[0:4, 0:8] (row stride ldcB bytes) = alpha * Ap^T Bp + beta * C.
// 8 accumulators: measured on V8 (Zen 3, 2 cores) 4x8, 3x8 and 2x16 tiles reach about 33 GFLOP/s per core while
// 6x8, 5x8, 3x16 fall to about 20 (V8 keeps one xmm as scratch and needs a temporary per multiply, so 12
// accumulators spill).
export function micro4x8(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, alpha: f32, beta: f32): void {
  microTile(kc, ap, bp, c, ldcB, alpha, beta);
}

/**
 * `rows` consecutive 4 x 8 tiles of C = Ap^T Bp over one packed B panel (plain stores): the packed A row panels
 * `apStep` bytes apart, the C tiles `cStep` bytes apart. One call per B panel instead of one per tile: for the short
 * products of the Winograd GEMMs at 16-32 channels the call overhead was 5-7 % of the product.
 */
export function micro4x8Rows(
  kc: i32, ap: usize, apStep: usize, rows: i32, bp: usize, c: usize, cStep: usize, ldcB: usize,
): void {
  for (let r = 0; r < rows; r++) {
    microTile(kc, ap, bp, c, ldcB, 1, 0);
    ap += apStep;
    c += cStep;
  }
}

// The body of micro4x8, inlined into its two entry points.
@inline
function microTile(kc: i32, ap: usize, bp: usize, c: usize, ldcB: usize, alpha: f32, beta: f32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let a = v128.load32_splat(ap);
    c00 = madd(a, b0, c00);
    c01 = madd(a, b1, c01);
    a = v128.load32_splat(ap, 4);
    c10 = madd(a, b0, c10);
    c11 = madd(a, b1, c11);
    a = v128.load32_splat(ap, 8);
    c20 = madd(a, b0, c20);
    c21 = madd(a, b1, c21);
    a = v128.load32_splat(ap, 12);
    c30 = madd(a, b0, c30);
    c31 = madd(a, b1, c31);
    ap += 16;
    bp += 32;
  }
  if (alpha == 1 && beta == 0) {
    // the Winograd products: plain stores
    v128.store(c, c00);
    v128.store(c, c01, 16);
    v128.store(c + ldcB, c10);
    v128.store(c + ldcB, c11, 16);
    v128.store(c + 2 * ldcB, c20);
    v128.store(c + 2 * ldcB, c21, 16);
    v128.store(c + 3 * ldcB, c30);
    v128.store(c + 3 * ldcB, c31, 16);
    return;
  }
  const va = f32x4.splat(alpha);
  const vb = f32x4.splat(beta);
  storeRow(c, c00, c01, va, vb, beta);
  storeRow(c + ldcB, c10, c11, va, vb, beta);
  storeRow(c + 2 * ldcB, c20, c21, va, vb, beta);
  storeRow(c + 3 * ldcB, c30, c31, va, vb, beta);
}

/**
 * C = alpha * op(A) op(B) + beta * C (see the file header for layouts). `scratch` is a per-thread byte address of
 * `sgemm_scratch_floats()` floats, 16-byte aligned. beta == 0 never reads C.
 */
export function sgemm(
  transA: i32, transB: i32, M: i32, N: i32, K: i32, alpha: f32,
  a: usize, lda: i32, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32, scratch: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0) {
    scaleMatrix(M, N, beta, c, ldc);
    return;
  }
  const bpack = scratch;
  const apack = scratch + (<usize>(KC * NC) << 2);
  const edge = apack + (<usize>(MC * KC) << 2);
  const ldcB = <usize>ldc << 2;
  const NCb = evenBlock(N, NC, NR), KCb = evenBlock(K, KC, 4), MCb = evenBlock(M, MC, MR);
  for (let jc = 0; jc < N; jc += NCb) {
    const nc = min(NCb, N - jc);
    for (let pc = 0; pc < K; pc += KCb) {
      const kc = min(KCb, K - pc);
      const bt: f32 = pc == 0 ? beta : 1;
      // Pack the B block: ceil(nc/NR) panels of kc x NR.
      for (let jr = 0; jr < nc; jr += NR) {
        packB(transB, b, ldb, pc, kc, jc + jr, min(NR, nc - jr), bpack + (<usize>(jr * kc) << 2));
      }
      for (let ic = 0; ic < M; ic += MCb) {
        const mc = min(MCb, M - ic);
        for (let ir = 0; ir < mc; ir += MR) {
          packA(transA, a, lda, ic + ir, min(MR, mc - ir), pc, kc, apack + (<usize>(ir * kc) << 2));
        }
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = bpack + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = min(MR, mc - ir);
            const ap = apack + (<usize>(ir * kc) << 2);
            const cp = c + ((<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) << 2);
            if (mr == MR && nr == NR) {
              micro4x8(kc, ap, bp, cp, ldcB, alpha, bt);
            } else {
              // Ragged tile: compute the full tile into the edge buffer, then blend the valid part into C.
              micro4x8(kc, ap, bp, edge, <usize>(NR << 2), 1, 0);
              for (let i = 0; i < mr; i++) {
                const crow = cp + <usize>i * ldcB;
                const erow = edge + (<usize>(i * NR) << 2);
                for (let j = 0; j < nr; j++) {
                  const v = alpha * load<f32>(erow + (<usize>j << 2));
                  const q = crow + (<usize>j << 2);
                  if (bt == 0) store<f32>(q, v);
                  else store<f32>(q, bt * load<f32>(q) + v);
                }
              }
            }
          }
        }
      }
    }
  }
}

// C = beta * C (beta == 0 writes zeros without reading C).
function scaleMatrix(M: i32, N: i32, beta: f32, c: usize, ldc: i32): void {
  if (beta == 1) return;
  for (let i = 0; i < M; i++) {
    const row = c + ((<usize>i * <usize>ldc) << 2);
    for (let j = 0; j < N; j++) {
      const q = row + (<usize>j << 2);
      store<f32>(q, beta == 0 ? 0 : beta * load<f32>(q));
    }
  }
}

// ---- variants for convolutions that run one GEMM per image ----------------------------------------------------

/** Floats of the fully packed op(A) (M x K) that pack_a_all writes. */
export function packed_a_floats(M: i32, K: i32): i32 {
  return ((M + MR - 1) & ~(MR - 1)) * K;
}

/**
 * Packs all of op(A) (M x K) into MR-row micro-panels, depth block by depth block (the blocks sgemm_apacked uses):
 * block pc starts at dst + pc M4 floats, its panel ir at + ir kc. A 1x1 convolution's weights are packed once per
 * call this way instead of once per image.
 */
export function pack_a_all(transA: i32, M: i32, K: i32, a: usize, lda: i32, dst: usize): void {
  const M4 = (M + MR - 1) & ~(MR - 1), KCb = evenBlock(K, KC, 4);
  for (let pc = 0; pc < K; pc += KCb) {
    const kc = min(KCb, K - pc);
    const base = dst + (<usize>(pc * M4) << 2);
    for (let ir = 0; ir < M; ir += MR) packA(transA, a, lda, ir, min(MR, M - ir), pc, kc, base + (<usize>(ir * kc) << 2));
  }
}

// The micro-kernel on one (ir, jr) tile, ragged tiles through the edge buffer.
@inline
function tile(kc: i32, ap: usize, bp: usize, cp: usize, ldcB: usize, mr: i32, nr: i32, alpha: f32, bt: f32, edge: usize): void {
  if (mr == MR && nr == NR) {
    micro4x8(kc, ap, bp, cp, ldcB, alpha, bt);
    return;
  }
  micro4x8(kc, ap, bp, edge, <usize>(NR << 2), 1, 0);
  for (let i = 0; i < mr; i++) {
    const crow = cp + <usize>i * ldcB;
    const erow = edge + (<usize>(i * NR) << 2);
    for (let j = 0; j < nr; j++) {
      const v = alpha * load<f32>(erow + (<usize>j << 2));
      const q = crow + (<usize>j << 2);
      if (bt == 0) store<f32>(q, v);
      else store<f32>(q, bt * load<f32>(q) + v);
    }
  }
}

/**
 * C = alpha * op(A) op(B) + beta * C with op(A) (M x K) packed by pack_a_all at `ap`; otherwise as sgemm (the
 * scratch holds the packed B block and the edge tile).
 */
export function sgemm_apacked(
  transB: i32, M: i32, N: i32, K: i32, alpha: f32, ap: usize, b: usize, ldb: i32, beta: f32, c: usize, ldc: i32,
  scratch: usize,
): void {
  if (M <= 0 || N <= 0) return;
  if (K <= 0 || alpha == 0) {
    scaleMatrix(M, N, beta, c, ldc);
    return;
  }
  const bpack = scratch;
  const edge = scratch + (<usize>(KC * NC + MC * KC) << 2);
  const ldcB = <usize>ldc << 2;
  const M4 = (M + MR - 1) & ~(MR - 1);
  const NCb = evenBlock(N, NC, NR), KCb = evenBlock(K, KC, 4);
  for (let jc = 0; jc < N; jc += NCb) {
    const nc = min(NCb, N - jc);
    for (let pc = 0; pc < K; pc += KCb) {
      const kc = min(KCb, K - pc);
      const bt: f32 = pc == 0 ? beta : 1;
      for (let jr = 0; jr < nc; jr += NR) {
        packB(transB, b, ldb, pc, kc, jc + jr, min(NR, nc - jr), bpack + (<usize>(jr * kc) << 2));
      }
      const abase = ap + (<usize>(pc * M4) << 2);
      for (let jr = 0; jr < nc; jr += NR) {
        const nr = min(NR, nc - jr);
        const bp = bpack + (<usize>(jr * kc) << 2);
        for (let ir = 0; ir < M; ir += MR) {
          const cp = c + ((<usize>ir * <usize>ldc + <usize>(jc + jr)) << 2);
          tile(kc, abase + (<usize>(ir * kc) << 2), bp, cp, ldcB, min(MR, M - ir), nr, alpha, bt, edge);
        }
      }
    }
  }
}

/**
 * C += alpha * sum_n A_n B_n^T over nb images: A_n = a + n astride (M x P, row-major, row stride P), B_n = b + n
 * bstride (N x P, row-major, row stride P); the depth runs over (image, position), so whole images share one depth
 * block and C is read and written once per block instead of once per image (the weight gradient of a 1x1
 * convolution over a batch of small images). Needs P a multiple of 4 and at most KC.
 */
export function sgemm_kbatch(
  M: i32, N: i32, P: i32, nb: i32, alpha: f32, a: usize, astride: i32, b: usize, bstride: i32, c: usize, ldc: i32,
  scratch: usize,
): void {
  if (M <= 0 || N <= 0 || nb <= 0) return;
  const bpack = scratch;
  const apack = scratch + (<usize>(KC * NC) << 2);
  const edge = apack + (<usize>(MC * KC) << 2);
  const ldcB = <usize>ldc << 2;
  const per = max(1, KC / P); // images per depth block
  const NCb = evenBlock(N, NC, NR), MCb = evenBlock(M, MC, MR);
  for (let jc = 0; jc < N; jc += NCb) {
    const nc = min(NCb, N - jc);
    for (let n0 = 0; n0 < nb; n0 += per) {
      const g = min(per, nb - n0), kc = g * P;
      for (let jr = 0; jr < nc; jr += NR) {
        const dst = bpack + (<usize>(jr * kc) << 2);
        for (let q = 0; q < g; q++) {
          packB(1, b + (<usize>((n0 + q) * bstride) << 2), P, 0, P, jc + jr, min(NR, nc - jr), dst + (<usize>(q * P * NR) << 2));
        }
      }
      for (let ic = 0; ic < M; ic += MCb) {
        const mc = min(MCb, M - ic);
        for (let ir = 0; ir < mc; ir += MR) {
          const dst = apack + (<usize>(ir * kc) << 2);
          for (let q = 0; q < g; q++) {
            packA(0, a + (<usize>((n0 + q) * astride) << 2), P, ic + ir, min(MR, mc - ir), 0, P, dst + (<usize>(q * P * MR) << 2));
          }
        }
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = min(NR, nc - jr);
          const bp = bpack + (<usize>(jr * kc) << 2);
          for (let ir = 0; ir < mc; ir += MR) {
            const cp = c + ((<usize>(ic + ir) * <usize>ldc + <usize>(jc + jr)) << 2);
            tile(kc, apack + (<usize>(ir * kc) << 2), bp, cp, ldcB, min(MR, mc - ir), nr, alpha, 1, edge);
          }
        }
      }
    }
  }
}
