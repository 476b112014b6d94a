// Multi-head self-attention core over P tokens (the pixels of a low-resolution feature map), channel-major layout.
// qkv has shape (N, 3C, P): rows [0, C) are queries, [C, 2C) keys, [2C, 3C) values; head h uses rows [h d, (h+1) d)
// of each, d = C / heads. For one (sample, head), with Q, K, V of shape d x P:
//   S = scale Q^T K (P x P),  A = softmax over the rows of S (keys),  O = V A^T (d x P)
// Backward from dO:
//   dV = dO A,  dA = dO^T V,  dS = A * (dA - rowsum(dA * A)),  dQ = scale K dS^T,  dK = scale Q dS.
// A (N x heads x P x P) is saved by the forward pass. Entry points take a sample range [n0, n1).
// The products are small (head size d is often 8, P = 16..256), where sgemm's packing and short micro-kernel runs
// cost more than the arithmetic, so they use two unpacked register-blocked kernels: a row-combination product
// (out[r] = alpha sum_k coef(r, k) M[k], 8 vectors of a row in registers) and a dot-product one (out = alpha X Y^T).

import { madd } from './_simd';
import { sgemm_scratch_floats } from './_nn_gemm';
import { softmax_rows, softmax_rows_bwd } from './_nn_elem';
import { hsum } from './_nn_math';

/**
 * out[r][l] = alpha sum_k coef(r, k) M[k][l] for r < R, l < L, k < Kd; coef(r, k) = coef[r cr + k ck] (elements),
 * M row-major with row stride ldm, out with row stride ldo (overwritten).
 */
function rowComb(R: i32, L: i32, Kd: i32, alpha: f32, coef: usize, cr: i32, ck: i32, M: usize, ldm: i32, out: usize, ldo: i32): void {
  const mRow = <usize>ldm << 2;
  // pairs of rows x 16 columns: 8 accumulators, 2 coefficient splats + 4 loads of M per 8 multiply-adds (a single
  // row x 32 columns needs 9 loads per 8), and every row of M read once per pair instead of once per row
  const R2 = R & ~1, L16 = L & ~15;
  const va = f32x4.splat(alpha);
  for (let r = 0; r < R2; r += 2) {
    const c0 = coef + (<usize>(r * cr) << 2), c1 = c0 + (<usize>cr << 2);
    const o0 = out + (<usize>(r * ldo) << 2), o1 = o0 + (<usize>ldo << 2);
    for (let l = 0; l < L16; l += 16) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
      let m = M + (<usize>l << 2);
      for (let k = 0; k < Kd; k++) {
        const kk = <usize>(k * ck) << 2;
        const u = v128.load32_splat(c0 + kk), v = v128.load32_splat(c1 + kk);
        const m0 = v128.load(m), m1 = v128.load(m, 16), m2 = v128.load(m, 32), m3 = v128.load(m, 48);
        a0 = madd(u, m0, a0); a1 = madd(u, m1, a1); a2 = madd(u, m2, a2); a3 = madd(u, m3, a3);
        b0 = madd(v, m0, b0); b1 = madd(v, m1, b1); b2 = madd(v, m2, b2); b3 = madd(v, m3, b3);
        m += mRow;
      }
      const q0 = o0 + (<usize>l << 2), q1 = o1 + (<usize>l << 2);
      v128.store(q0, f32x4.mul(a0, va)); v128.store(q0, f32x4.mul(a1, va), 16);
      v128.store(q0, f32x4.mul(a2, va), 32); v128.store(q0, f32x4.mul(a3, va), 48);
      v128.store(q1, f32x4.mul(b0, va)); v128.store(q1, f32x4.mul(b1, va), 16);
      v128.store(q1, f32x4.mul(b2, va), 32); v128.store(q1, f32x4.mul(b3, va), 48);
    }
    if (L16 < L) {
      rowCombRows(2, L - L16, Kd, alpha, c0, cr, ck, M + (<usize>L16 << 2), ldm, o0 + (<usize>L16 << 2), ldo);
    }
  }
  if (R2 < R) rowCombRows(R - R2, L, Kd, alpha, coef + (<usize>(R2 * cr) << 2), cr, ck, M, ldm, out + (<usize>(R2 * ldo) << 2), ldo);
}

/** rowComb one row at a time (the odd last row and the columns past the last multiple of 16). */
function rowCombRows(R: i32, L: i32, Kd: i32, alpha: f32, coef: usize, cr: i32, ck: i32, M: usize, ldm: i32, out: usize, ldo: i32): void {
  const mRow = <usize>ldm << 2;
  for (let r = 0; r < R; r++) {
    const cbase = coef + (<usize>(r * cr) << 2);
    const orow = out + (<usize>(r * ldo) << 2);
    let l = 0;
    for (; l + 32 <= L; l += 32) {
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let a4 = f32x4.splat(0), a5 = f32x4.splat(0), a6 = f32x4.splat(0), a7 = f32x4.splat(0);
      let m = M + (<usize>l << 2);
      for (let k = 0; k < Kd; k++) {
        const c = v128.load32_splat(cbase + (<usize>(k * ck) << 2));
        a0 = madd(c, v128.load(m), a0);
        a1 = madd(c, v128.load(m, 16), a1);
        a2 = madd(c, v128.load(m, 32), a2);
        a3 = madd(c, v128.load(m, 48), a3);
        a4 = madd(c, v128.load(m, 64), a4);
        a5 = madd(c, v128.load(m, 80), a5);
        a6 = madd(c, v128.load(m, 96), a6);
        a7 = madd(c, v128.load(m, 112), a7);
        m += mRow;
      }
      const va = f32x4.splat(alpha), q = orow + (<usize>l << 2);
      v128.store(q, f32x4.mul(a0, va)); v128.store(q, f32x4.mul(a1, va), 16);
      v128.store(q, f32x4.mul(a2, va), 32); v128.store(q, f32x4.mul(a3, va), 48);
      v128.store(q, f32x4.mul(a4, va), 64); v128.store(q, f32x4.mul(a5, va), 80);
      v128.store(q, f32x4.mul(a6, va), 96); v128.store(q, f32x4.mul(a7, va), 112);
    }
    for (; l + 4 <= L; l += 4) {
      let a0 = f32x4.splat(0);
      let m = M + (<usize>l << 2);
      for (let k = 0; k < Kd; k++) {
        a0 = madd(v128.load32_splat(cbase + (<usize>(k * ck) << 2)), v128.load(m), a0);
        m += mRow;
      }
      v128.store(orow + (<usize>l << 2), f32x4.mul(a0, f32x4.splat(alpha)));
    }
    for (; l < L; l++) {
      let acc: f32 = 0;
      for (let k = 0; k < Kd; k++) acc += load<f32>(cbase + (<usize>(k * ck) << 2)) * load<f32>(M + (<usize>(k * ldm + l) << 2));
      store<f32>(orow + (<usize>l << 2), alpha * acc);
    }
  }
}

// [sum(a), sum(b), sum(c), sum(d)] of four vectors.
@inline
function hsum4(a: v128, b: v128, c: v128, d: v128): v128 {
  const t0 = f32x4.add(v128.shuffle<f32>(a, b, 0, 4, 1, 5), v128.shuffle<f32>(a, b, 2, 6, 3, 7));
  const t1 = f32x4.add(v128.shuffle<f32>(c, d, 0, 4, 1, 5), v128.shuffle<f32>(c, d, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t0, t1, 0, 1, 4, 5), v128.shuffle<f32>(t0, t1, 2, 3, 6, 7));
}

// out[r][s] = alpha sum_l X[r][l] Y[s][l] for one element (any L).
@inline
function dot1(r: i32, s: i32, L: i32, alpha: f32, X: usize, ldx: i32, Y: usize, ldy: i32, out: usize, ldo: i32): void {
  const xr = X + (<usize>(r * ldx) << 2), ys = Y + (<usize>(s * ldy) << 2);
  let a = f32x4.splat(0);
  let l = 0;
  for (; l + 4 <= L; l += 4) a = madd(v128.load(xr + (<usize>l << 2)), v128.load(ys + (<usize>l << 2)), a);
  let acc = hsum(a);
  for (; l < L; l++) acc += load<f32>(xr + (<usize>l << 2)) * load<f32>(ys + (<usize>l << 2));
  store<f32>(out + (<usize>(r * ldo + s) << 2), alpha * acc);
}

/**
 * out[r][s] = alpha sum_l X[r][l] Y[s][l] (X: R x L, Y: S x L, row strides ldx, ldy; out row stride ldo).
 * Register blocks of 2 rows x 4 columns (8 accumulators, 6 loads per 8 multiply-adds), reduced four at a time
 * into one stored vector; L a multiple of 4 (else, and for the edges, one element at a time).
 */
function dotProducts(R: i32, S: i32, L: i32, alpha: f32, X: usize, ldx: i32, Y: usize, ldy: i32, out: usize, ldo: i32): void {
  const R2 = (L & 3) == 0 ? R & ~1 : 0, S4 = (L & 3) == 0 ? S & ~3 : 0;
  const yRow = <usize>ldy << 2, va = f32x4.splat(alpha);
  for (let r = 0; r < R2; r += 2) {
    const x0 = X + (<usize>(r * ldx) << 2), x1 = x0 + (<usize>ldx << 2);
    for (let s = 0; s < S4; s += 4) {
      const y0 = Y + (<usize>(s * ldy) << 2), y1 = y0 + yRow, y2 = y1 + yRow, y3 = y2 + yRow;
      let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
      let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
      for (let l = 0; l < L; l += 4) {
        const o = <usize>l << 2;
        const u = v128.load(x0 + o), v = v128.load(x1 + o);
        const z0 = v128.load(y0 + o), z1 = v128.load(y1 + o), z2 = v128.load(y2 + o), z3 = v128.load(y3 + o);
        a0 = madd(u, z0, a0); a1 = madd(u, z1, a1); a2 = madd(u, z2, a2); a3 = madd(u, z3, a3);
        b0 = madd(v, z0, b0); b1 = madd(v, z1, b1); b2 = madd(v, z2, b2); b3 = madd(v, z3, b3);
      }
      const q = out + (<usize>(r * ldo + s) << 2);
      v128.store(q, f32x4.mul(hsum4(a0, a1, a2, a3), va));
      v128.store(q + (<usize>ldo << 2), f32x4.mul(hsum4(b0, b1, b2, b3), va));
    }
    for (let s = S4; s < S; s++) {
      dot1(r, s, L, alpha, X, ldx, Y, ldy, out, ldo);
      dot1(r + 1, s, L, alpha, X, ldx, Y, ldy, out, ldo);
    }
  }
  for (let r = R2; r < R; r++) for (let s = 0; s < S; s++) dot1(r, s, L, alpha, X, ldx, Y, ldy, out, ldo);
}

/** Floats of per-thread scratch attn_bwd needs (sgemm scratch + one P x P matrix). */
export function attn_scratch_floats(P: i32): i32 {
  return sgemm_scratch_floats() + P * P;
}

/** o (N, C, P) and probs (N, heads, P, P) from qkv (N, 3C, P). */
export function attn_fwd(
  qkv: usize, o: usize, probs: usize, n0: i32, n1: i32, C: i32, P: i32, heads: i32, scale: f32, scratch: usize,
): void {
  const d = C / heads;
  for (let n = n0; n < n1; n++) {
    const base = qkv + (<usize>(n * 3 * C * P) << 2);
    for (let h = 0; h < heads; h++) {
      const q = base + (<usize>(h * d * P) << 2);
      const k = q + (<usize>(C * P) << 2);
      const v = k + (<usize>(C * P) << 2);
      const a = probs + (<usize>((n * heads + h) * P * P) << 2);
      rowComb(P, P, d, scale, q, 1, P, k, P, a, P); // S[i] = scale sum_c q[c][i] k[c]
      softmax_rows(a, P, P);
      const out = o + (<usize>((n * C + h * d) * P) << 2);
      dotProducts(d, P, P, 1, v, P, a, P, out, P); // O[c][i] = sum_j v[c][j] A[i][j]
    }
  }
}

/** dqkv (N, 3C, P, overwritten) from dO (N, C, P). */
export function attn_bwd(
  qkv: usize, probs: usize, dout: usize, dqkv: usize, n0: i32, n1: i32, C: i32, P: i32, heads: i32, scale: f32,
  scratch: usize,
): void {
  const d = C / heads;
  const dA = scratch + (<usize>sgemm_scratch_floats() << 2);
  for (let n = n0; n < n1; n++) {
    const base = qkv + (<usize>(n * 3 * C * P) << 2);
    const dbase = dqkv + (<usize>(n * 3 * C * P) << 2);
    for (let h = 0; h < heads; h++) {
      const off = <usize>(h * d * P) << 2;
      const cp = <usize>(C * P) << 2;
      const q = base + off, k = q + cp, v = k + cp;
      const dq = dbase + off, dk = dq + cp, dv = dk + cp;
      const a = probs + (<usize>((n * heads + h) * P * P) << 2);
      const dO = dout + (<usize>((n * C + h * d) * P) << 2);
      rowComb(d, P, P, 1, dO, P, 1, a, P, dv, P); // dV[c] = sum_i dO[c][i] A[i]
      rowComb(P, P, d, 1, dO, 1, P, v, P, dA, P); // dA[i] = sum_c dO[c][i] v[c]
      softmax_rows_bwd(a, dA, P, P);
      dotProducts(d, P, P, scale, k, P, dA, P, dq, P); // dQ[c][i] = scale sum_j k[c][j] dS[i][j]
      rowComb(d, P, P, scale, q, P, 1, dA, P, dk, P); // dK[c] = scale sum_i q[c][i] dS[i]
    }
  }
}
