// Winograd F(4x4, 3x3) convolution (Lavin & Gray 2016) for 3x3 kernels, stride 1, padding 1, H and W multiples of 4.
// Each 4x4 output tile of one (output, input) channel pair is
//   Y = A^T [ (G g G^T) . (B^T d B) ] A        d: the 6x6 input patch at rows 4ty-1.., cols 4tx-1..;  . elementwise
//   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
//   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
//   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
// so the channel sum becomes 36 independent GEMMs over the positions xi = 6 i + j of the transformed tiles:
//   M[xi] (Cout x T) = U[xi] (Cout x Cin) . V[xi] (Cin x T),   U = G g G^T,  V = B^T d B
// with 36 multiplications per tile and channel pair for 16 outputs: 4x fewer than direct convolution, 1.78x fewer
// than F(2x2, 3x3). Backward data is the same routine on dy with the filter rotated by 180 degrees and its channels
// swapped; backward weight accumulates dU[xi] = sum_t dM[xi] V[xi]^T with dM = A dY A^T, then dw += G^T dU G.
//
// Vectorisation: four tiles at a time, one per f32x4 lane. Lanes take any four consecutive tiles of the batch (across
// rows and images), gathered by 4x4 register transposes, so narrow images (8 or 4 pixels wide) waste no lanes.
// Blocking: tiles are processed in blocks of TB (a multiple of the micro-kernel width 8); a block's V and M stay in
// the L2 cache between the transforms and the GEMMs. The forward input transform writes V directly in the packed
// panel layout of the GEMM micro-kernel (V[xi] + ((t / 8) Cin + ci) 8 + t % 8), and the filter transform writes U
// in its packed row-panel layout, so the forward GEMMs run the micro-kernel with no packing at all.
// Numerics: the transforms have entries up to 8 and 1/24; in float32 the result differs from direct convolution by a
// relative error of about 1e-6 to 1e-5 of the output scale (tested against the float64 reference).

import { micro4x8, micro4x8Rows, sgemm, sgemm_scratch_floats } from './_nn_gemm';
import { accRowSums } from './_nn_conv';
import { madd } from './_simd';
import { GEO_CI, GEO_CO, GEO_H, GEO_W } from '../src/nn/kernels/convLayout';

// Tiles per block (a multiple of 8), set by each entry point through setBlock: 64, or 32 for the forward (and
// backward data) pass from Cin + Cout = 128 on, where a block's V and M planes (36 (Cin + Cout) TB floats) outgrow
// the L2 cache at 64 (measured: 2-7 % faster at 64 + 64 and 128 + 128 channels; at 64 + 32, 64 stays 7 % faster). The weight gradient keeps 64:
// there TB is the depth of its GEMMs. A global, not a parameter, so the layout helpers stay one-argument; every
// executor runs its own instance, so concurrent calls never share it.
let TB: i32 = 64;
function setBlock(Cin: i32, Cout: i32, bwd: i32): void {
  TB = bwd != 0 || Cin + Cout < 128 ? 64 : 32;
}
// Floats between consecutive xi planes beyond their size: keeps the 36 streams of a transform off one cache set.
const XI_PAD: i32 = 48;

@inline function cout4(C: i32): i32 {
  return (C + 3) & ~3;
}
@inline function vPlane(Cin: i32): i32 {
  return Cin * TB + XI_PAD;
}
@inline function mPlane(Cout: i32): i32 {
  return cout4(Cout) * TB + XI_PAD;
}
/** Floats of one xi plane of the packed filter U (rows x cols, rows rounded up to 4, padded like V and M). */
@inline function uPlane(rows: i32, cols: i32): i32 {
  return cout4(rows) * cols + XI_PAD;
}
/** Floats of one xi plane of the weight gradient dU (Cout x Cin, padded like the V and M planes). */
@inline function dUPlane(Cout: i32, Cin: i32): i32 {
  return Cout * Cin + XI_PAD;
}
@inline function rowLen(W: i32): i32 {
  return W + 8;
}
@inline function tilesPerImage(H: i32, W: i32): i32 {
  return (H >> 2) * (W >> 2);
}
/** Images a block of TB tiles can touch. */
@inline function imagesPerBlock(H: i32, W: i32): i32 {
  return (TB + tilesPerImage(H, W) - 1) / tilesPerImage(H, W) + 1;
}
@inline function padFloats(H: i32, W: i32): i32 {
  return imagesPerBlock(H, W) * (H + 2) * rowLen(W);
}
/** A zero area the gathers of lanes past the last tile read from (6 rows of a padded plane). */
@inline function zeroFloats(W: i32): i32 {
  return 6 * rowLen(W) + 8;
}

/** Floats of the packed filter U (36 x Cout4 x Cin) for wino4_filter. */
export function wino4_filter_floats(Co: i32, Ci: i32, flip: i32): i32 {
  return 36 * uPlane(flip ? Ci : Co, flip ? Co : Ci);
}

/** Floats of per-thread scratch for wino4_fwd (bwd = 0) or wino4_bwd_weight (bwd = 1). */
export function wino4_scratch_floats(Cin: i32, Cout: i32, H: i32, W: i32, bwd: i32): i32 {
  setBlock(Cin, Cout, bwd);
  let n = 36 * (vPlane(Cin) + mPlane(Cout)) + padFloats(H, W) + zeroFloats(W) + 4 * 36 * 4 + 64 + 2 * TB;
  if (bwd) n += sgemm_scratch_floats() + 36 * dUPlane(Cout, Cin);
  return n;
}

// ---- filter transform ------------------------------------------------------------------------------------------

// (G x) for a column x = (x0, x1, x2) of four filters at once (one per lane), stored at out + k s.
@inline
function gCol(x0: v128, x1: v128, x2: v128, out: usize, s: usize): void {
  const c6 = f32x4.splat(-1.0 / 6.0), c24 = f32x4.splat(1.0 / 24.0), c12 = f32x4.splat(1.0 / 12.0);
  const e = f32x4.add(x0, x2);
  const p = madd(c24, x0, f32x4.mul(f32x4.splat(1.0 / 6.0), x2));
  v128.store(out, f32x4.mul(f32x4.splat(0.25), x0));
  v128.store(out + s, f32x4.mul(c6, f32x4.add(e, x1)));
  v128.store(out + 2 * s, f32x4.mul(c6, f32x4.sub(e, x1)));
  v128.store(out + 3 * s, madd(c12, x1, p));
  v128.store(out + 4 * s, f32x4.sub(p, f32x4.mul(c12, x1)));
  v128.store(out + 5 * s, x2);
}

// The 9 taps of the filters of rows o..o+3 (lanes) and column i, as 9 vectors at taps + 16 slot(k) (k = 3 a + b);
// rows past `rows` read the 12 zero floats at `zero`. flip = 0: g = w[o][i]; flip = 1: g = w[i][o] rotated by 180
// degrees (tap k = w[i][o][8 - k]). Each lane's 9 taps are contiguous in w: two vector loads and a scalar, then 4x4
// transposes turn the four filters' rows into tap vectors.
@inline
function taps4(w: usize, o: i32, i: i32, rows: i32, Ci: i32, flip: i32, zero: usize, taps: usize): void {
  let b0 = zero, b1 = zero, b2 = zero, b3 = zero;
  const fs: usize = flip ? 36 : <usize>(Ci * 36); // bytes between the filters of consecutive rows
  const base = w + (<usize>(flip ? (i * Ci + o) * 9 : (o * Ci + i) * 9) << 2);
  if (o < rows) b0 = base;
  if (o + 1 < rows) b1 = base + fs;
  if (o + 2 < rows) b2 = base + 2 * fs;
  if (o + 3 < rows) b3 = base + 3 * fs;
  // flip = 0: slots 0..3 hold w[.][0..3] = taps 0..3, slots 4..7 w[.][4..7], slot 8 w[.][8];
  // flip = 1: slots 0..3 hold w[.][5..8] = taps 3..0, slots 4..7 w[.][1..4] = taps 7..4, slot 8 w[.][0] = tap 8.
  const lo: usize = flip ? 20 : 0, hi: usize = flip ? 4 : 16, last: usize = flip ? 0 : 32;
  transpose4(v128.load(b0 + lo), v128.load(b1 + lo), v128.load(b2 + lo), v128.load(b3 + lo), taps, 16);
  transpose4(v128.load(b0 + hi), v128.load(b1 + hi), v128.load(b2 + hi), v128.load(b3 + hi), taps + 64, 16);
  const t8 = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(v128.load32_zero(b0 + last), 1,
    load<f32>(b1 + last)), 2, load<f32>(b2 + last)), 3, load<f32>(b3 + last));
  v128.store(taps + 128, t8);
}

// The storage slot of tap k (see taps4).
@inline
function slot(k: i32, flip: i32): usize {
  return <usize>(flip == 0 || k == 8 ? k : k < 4 ? 3 - k : 11 - k) << 4;
}

/** Floats of per-thread scratch for wino4_filter. */
export function wino4_filter_tmp_floats(): i32 {
  return 72 + 36 + 12;
}

/**
 * U[xi] = (G g G^T)[xi] in the micro-kernel's packed row-panel layout: element (o, i) of the 36 (rows x cols)
 * matrices at U + xi uPlane(rows, cols) + ((o / 4) cols + i) 4 + o % 4, rows past `rows` zero. flip = 0: g = w[o][i]
 * (rows = Co, cols = Ci: the forward pass); flip = 1: g = w[i][o] rotated by 180 degrees (rows = Ci, cols = Co:
 * the backward data pass). w is (Co, Ci, 3, 3). Four rows at a time, one per lane (the panel's contiguous o % 4);
 * this call transforms the rows [o0, o1) (multiples of 4, so executors can split the rows). `tmp` is
 * wino4_filter_tmp_floats() floats of scratch (16-byte aligned).
 */
export function wino4_filter(w: usize, U: usize, Co: i32, Ci: i32, flip: i32, o0: i32, o1: i32, tmp: usize): void {
  const rows = flip ? Ci : Co, cols = flip ? Co : Ci, r4 = cout4(rows);
  const plane = <usize>uPlane(rows, cols) << 2;
  const taps = tmp + 288, zero = taps + 144;
  v128.store(zero, f32x4.splat(0));
  v128.store(zero, f32x4.splat(0), 16);
  v128.store(zero, f32x4.splat(0), 32);
  for (let o = o0; o < min(o1, r4); o += 4) {
    for (let i = 0; i < cols; i++) {
      taps4(w, o, i, rows, Ci, flip, zero, taps);
      // t = G g (6 x 3) into tmp[r][b] (vectors), column b of g at a time
      for (let b = 0; b < 3; b++) {
        gCol(
          v128.load(taps + slot(b, flip)), v128.load(taps + slot(3 + b, flip)), v128.load(taps + slot(6 + b, flip)),
          tmp + (<usize>b << 4), 48,
        );
      }
      // u = t G^T: row r of u = G (row r of t)
      const dst = U + (<usize>((o >> 2) * cols + i) << 4);
      for (let r = 0; r < 6; r++) {
        const t = tmp + <usize>(r * 48);
        gCol(v128.load(t), v128.load(t, 16), v128.load(t, 32), dst + <usize>(r * 6) * plane, plane);
      }
    }
  }
}

// ---- 1-D transforms on vectors ------------------------------------------------------------------------------------

// (B^T d) for six vectors, stored at out + k s.
@inline
function bt6(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, out: usize, s: usize): void {
  const four = f32x4.splat(4), mfive = f32x4.splat(-5), two = f32x4.splat(2);
  const a = f32x4.sub(d1, d3), b = f32x4.sub(d4, d2);
  v128.store(out, madd(four, d0, madd(mfive, d2, d4)));
  v128.store(out + s, madd(f32x4.splat(-4), f32x4.add(d1, d2), f32x4.add(d3, d4)));
  v128.store(out + 2 * s, madd(four, f32x4.sub(d1, d2), f32x4.sub(d4, d3)));
  v128.store(out + 3 * s, madd(f32x4.splat(-2), a, b));
  v128.store(out + 4 * s, madd(two, a, b));
  v128.store(out + 5 * s, madd(four, d1, madd(mfive, d3, d5)));
}

// (A^T m) for six vectors: four results at out + k s (+ bias).
@inline
function at4(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, out: usize, s: usize): void {
  const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2), s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  v128.store(out, f32x4.add(f32x4.add(m0, s12), s34));
  v128.store(out + s, madd(f32x4.splat(2), d34, d12));
  v128.store(out + 2 * s, madd(f32x4.splat(4), s34, s12));
  v128.store(out + 3 * s, f32x4.add(madd(f32x4.splat(8), d34, d12), m5));
}

// (A z) for four vectors z (A = (A^T)^T, 6 x 4): six results at out + k s.
@inline
function a6(z0: v128, z1: v128, z2: v128, z3: v128, out: usize, s: usize): void {
  const e = f32x4.add(z0, z2), o = f32x4.add(z1, z3);
  const e2 = madd(f32x4.splat(4), z2, z0), o2 = madd(f32x4.splat(8), z3, f32x4.add(z1, z1));
  v128.store(out, z0);
  v128.store(out + s, f32x4.add(e, o));
  v128.store(out + 2 * s, f32x4.sub(e, o));
  v128.store(out + 3 * s, f32x4.add(e2, o2));
  v128.store(out + 4 * s, f32x4.sub(e2, o2));
  v128.store(out + 5 * s, z3);
}

// 4x4 transpose: rows r0..r3 (one per lane group member) -> columns, stored at out + k s.
@inline
function transpose4(r0: v128, r1: v128, r2: v128, r3: v128, out: usize, s: usize): void {
  const a = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), b = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5);
  const c = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7), e = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
  v128.store(out, v128.shuffle<f32>(a, b, 0, 1, 4, 5));
  v128.store(out + s, v128.shuffle<f32>(a, b, 2, 3, 6, 7));
  v128.store(out + 2 * s, v128.shuffle<f32>(c, e, 0, 1, 4, 5));
  v128.store(out + 3 * s, v128.shuffle<f32>(c, e, 2, 3, 6, 7));
}

// ---- tile geometry ------------------------------------------------------------------------------------------------

// Per-block tile table (two i32 per tile): tab[2 t] = byte offset from `pad` of the top-left corner of the 6x6
// patch of tile t0 + t, or -1 past t1; tab[2 t + 1] = element offset of its top-left output pixel from image 0 of a
// C-channel tensor, without the channel term. Integer divisions stay out of the transforms' inner loops.
function tileTable(t0: i32, t1: i32, H: i32, W: i32, C: i32, tab: usize): void {
  const TW = W >> 2, TPI = tilesPerImage(H, W), RL = rowLen(W), bFirst = t0 / TPI;
  for (let t = 0; t < TB; t++) {
    const tile = t0 + t;
    if (tile >= t1) {
      store<i32>(tab + (<usize>(2 * t) << 2), -1);
      store<i32>(tab + (<usize>(2 * t + 1) << 2), -1);
      continue;
    }
    const b = tile / TPI, r = tile % TPI, ty = r / TW, tx = r - ty * TW;
    store<i32>(tab + (<usize>(2 * t) << 2), (((b - bFirst) * (H + 2) + 4 * ty) * RL + 4 * tx) << 2);
    store<i32>(tab + (<usize>(2 * t + 1) << 2), b * C * H * W + 4 * ty * W + 4 * tx);
  }
}

@inline
function patchAt(tab: usize, t: i32, pad: usize, zero: usize): usize {
  const o = load<i32>(tab + (<usize>(2 * t) << 2));
  return o < 0 ? zero : pad + <usize>o;
}

// Copies channel c of images [b0, b1) (planes of x, C channels) into the zero-bordered padded planes.
function copyPlanes(x: usize, C: i32, c: i32, b0: i32, b1: i32, H: i32, W: i32, pad: usize): void {
  const RL = rowLen(W);
  for (let b = b0; b < b1; b++) {
    const plane = x + (<usize>((b * C + c) * H * W) << 2);
    const dst = pad + (<usize>(((b - b0) * (H + 2) + 1) * RL + 1) << 2);
    for (let r = 0; r < H; r++) {
      memory.copy(dst + (<usize>(r * RL) << 2), plane + (<usize>(r * W) << 2), <usize>W << 2);
    }
  }
}

/**
 * V (36 planes) of the tiles [t0, t1) (tile indices counted from image 0 of x, which holds Cin channels) for every
 * input channel. packed = 1: panel layout of the forward GEMM; packed = 0: row-major (Cin x TB) for the weight GEMM.
 */
function inputTransform(
  x: usize, Cin: i32, H: i32, W: i32, t0: i32, t1: i32, V: usize, packed: i32, pad: usize, zero: usize, E: usize,
  tab: usize,
): void {
  const TPI = tilesPerImage(H, W), RL = rowLen(W), RLB = <usize>RL << 2;
  const bFirst = t0 / TPI, bEnd = (t1 - 1) / TPI + 1;
  const plane = <usize>vPlane(Cin) << 2;
  for (let c = 0; c < Cin; c++) {
    copyPlanes(x, Cin, c, bFirst, bEnd, H, W, pad);
    for (let t = 0; t < t1 - t0; t += 4) {
      const p0 = patchAt(tab, t, pad, zero), p1 = patchAt(tab, t + 1, pad, zero);
      const p2 = patchAt(tab, t + 2, pad, zero), p3 = patchAt(tab, t + 3, pad, zero);
      // rows: columns 0..5 of the patch across the four lanes, then (. B) over the columns into E[j][r]
      for (let r = 0; r < 6; r++) {
        const o = <usize>r * RLB;
        const l0 = v128.load(p0 + o), l1 = v128.load(p1 + o), l2 = v128.load(p2 + o), l3 = v128.load(p3 + o);
        // columns 0..3 across the lanes: a 4x4 transpose in registers
        const q0 = v128.shuffle<f32>(l0, l1, 0, 4, 1, 5), q1 = v128.shuffle<f32>(l2, l3, 0, 4, 1, 5);
        const q2 = v128.shuffle<f32>(l0, l1, 2, 6, 3, 7), q3 = v128.shuffle<f32>(l2, l3, 2, 6, 3, 7);
        const h0 = v128.load(p0 + o, 16), h1 = v128.load(p1 + o, 16), h2 = v128.load(p2 + o, 16), h3 = v128.load(p3 + o, 16);
        const a = v128.shuffle<f32>(h0, h1, 0, 4, 1, 5), b = v128.shuffle<f32>(h2, h3, 0, 4, 1, 5);
        bt6(
          v128.shuffle<f32>(q0, q1, 0, 1, 4, 5), v128.shuffle<f32>(q0, q1, 2, 3, 6, 7),
          v128.shuffle<f32>(q2, q3, 0, 1, 4, 5), v128.shuffle<f32>(q2, q3, 2, 3, 6, 7),
          v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7),
          E + (<usize>r << 4), 96,
        );
      }
      // columns: (B^T .) over the rows of each column j, into V[6 i + j]
      const off: usize = packed ? <usize>(((t >> 3) * Cin + c) * 8 + (t & 7)) << 2 : <usize>(c * TB + t) << 2;
      for (let j = 0; j < 6; j++) {
        const e = E + <usize>(j * 96);
        bt6(
          v128.load(e), v128.load(e, 16), v128.load(e, 32), v128.load(e, 48), v128.load(e, 64), v128.load(e, 80),
          V + <usize>j * plane + off, 6 * plane,
        );
      }
    }
  }
}

/**
 * y (Cout planes of H x W per image, image 0 at y) of the tiles [t0, t1) from M = (36, Cout4, TB), + bias, + res
 * (a tensor shaped like y, image 0 at res; 0 = none: the residual connection of a block, added in this pass).
 */
function outputTransform(
  M: usize, Cout: i32, H: i32, W: i32, t0: i32, t1: i32, y: usize, bias: usize, E: usize, tab: usize, res: usize,
): void {
  const plane = <usize>mPlane(Cout) << 2;
  const WB = <usize>W << 2;
  for (let co = 0; co < Cout; co++) {
    const bv = bias != 0 ? v128.load32_splat(bias + (<usize>co << 2)) : f32x4.splat(0);
    const yc = y + (<usize>(co * H * W) << 2), rc = res + (<usize>(co * H * W) << 2);
    for (let t = 0; t < t1 - t0; t += 4) {
      const src = M + (<usize>(co * TB + t) << 2);
      // rows r of m: A^T over the columns -> E[i][r] (i < 4)
      for (let r = 0; r < 6; r++) {
        const q = src + <usize>(6 * r) * plane;
        at4(
          v128.load(q), v128.load(q + plane), v128.load(q + 2 * plane), v128.load(q + 3 * plane),
          v128.load(q + 4 * plane), v128.load(q + 5 * plane), E + (<usize>r << 4), 96,
        );
      }
      // columns i: A^T over the rows -> Y[k][i] at E2[k][i]
      const E2 = E + 576;
      for (let i = 0; i < 4; i++) {
        const e = E + <usize>(i * 96);
        at4(
          v128.load(e), v128.load(e, 16), v128.load(e, 32), v128.load(e, 48), v128.load(e, 64), v128.load(e, 80),
          E2 + (<usize>i << 4), 64,
        );
      }
      // rows k of the four tiles: a 4x4 transpose of Y[k][0..3] (lanes = tiles) gives row k of each tile; + bias
      const n = min(4, t1 - t0 - t);
      const o0 = <usize>load<i32>(tab + (<usize>(2 * t + 1) << 2)) << 2;
      const o1 = n > 1 ? <usize>load<i32>(tab + (<usize>(2 * t + 3) << 2)) << 2 : 0;
      const o2 = n > 2 ? <usize>load<i32>(tab + (<usize>(2 * t + 5) << 2)) << 2 : 0;
      const o3 = n > 3 ? <usize>load<i32>(tab + (<usize>(2 * t + 7) << 2)) << 2 : 0;
      for (let k = 0; k < 4; k++) {
        const r = E2 + <usize>(k * 64), kw = <usize>k * WB;
        const y0 = v128.load(r), y1 = v128.load(r, 16), y2 = v128.load(r, 32), y3 = v128.load(r, 48);
        const a = v128.shuffle<f32>(y0, y1, 0, 4, 1, 5), b = v128.shuffle<f32>(y2, y3, 0, 4, 1, 5);
        const c = v128.shuffle<f32>(y0, y1, 2, 6, 3, 7), e = v128.shuffle<f32>(y2, y3, 2, 6, 3, 7);
        storeRow(yc + o0 + kw, f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), bv), res, rc + o0 + kw);
        if (n > 1) storeRow(yc + o1 + kw, f32x4.add(v128.shuffle<f32>(a, b, 2, 3, 6, 7), bv), res, rc + o1 + kw);
        if (n > 2) storeRow(yc + o2 + kw, f32x4.add(v128.shuffle<f32>(c, e, 0, 1, 4, 5), bv), res, rc + o2 + kw);
        if (n > 3) storeRow(yc + o3 + kw, f32x4.add(v128.shuffle<f32>(c, e, 2, 3, 6, 7), bv), res, rc + o3 + kw);
      }
    }
  }
}

// One output row of four pixels: v (+ the residual row at rq when res != 0) stored at q.
@inline
function storeRow(q: usize, v: v128, res: usize, rq: usize): void {
  v128.store(q, res != 0 ? f32x4.add(v, v128.load(rq)) : v);
}

@inline
function gradAt(tab: usize, t: i32, dyc: usize, zero: usize): usize {
  const o = load<i32>(tab + (<usize>(2 * t + 1) << 2));
  return o < 0 ? zero : dyc + (<usize>o << 2);
}

/** dM (36, Cout, TB) row-major = A dY A^T for the tiles [t0, t1) of dy (Cout channels, image 0 at dy). */
function gradTransform(
  dy: usize, Cout: i32, H: i32, W: i32, t0: i32, t1: i32, dM: usize, zero: usize, E: usize, tab: usize,
): void {
  const plane = <usize>(Cout * TB + XI_PAD) << 2;
  const WB = <usize>W << 2;
  for (let co = 0; co < Cout; co++) {
    const dyc = dy + (<usize>(co * H * W) << 2);
    for (let t = 0; t < t1 - t0; t += 4) {
      // the 4x4 tile of dy of each lane (zero past t1)
      const p0 = gradAt(tab, t, dyc, zero), p1 = gradAt(tab, t + 1, dyc, zero);
      const p2 = gradAt(tab, t + 2, dyc, zero), p3 = gradAt(tab, t + 3, dyc, zero);
      const zs: usize = 0;
      // rows k: transpose to columns l across lanes, then (. A^T) -> E[j][k]
      for (let k = 0; k < 4; k++) {
        const o = <usize>k * WB;
        const s0 = p0 == zero ? zs : o, s1 = p1 == zero ? zs : o, s2 = p2 == zero ? zs : o, s3 = p3 == zero ? zs : o;
        const l0 = v128.load(p0 + s0), l1 = v128.load(p1 + s1), l2 = v128.load(p2 + s2), l3 = v128.load(p3 + s3);
        const q0 = v128.shuffle<f32>(l0, l1, 0, 4, 1, 5), q1 = v128.shuffle<f32>(l2, l3, 0, 4, 1, 5);
        const q2 = v128.shuffle<f32>(l0, l1, 2, 6, 3, 7), q3 = v128.shuffle<f32>(l2, l3, 2, 6, 3, 7);
        a6(
          v128.shuffle<f32>(q0, q1, 0, 1, 4, 5), v128.shuffle<f32>(q0, q1, 2, 3, 6, 7),
          v128.shuffle<f32>(q2, q3, 0, 1, 4, 5), v128.shuffle<f32>(q2, q3, 2, 3, 6, 7), E + (<usize>k << 4), 64,
        );
      }
      // columns j: A over the rows -> dM[6 i + j]
      const off = <usize>(co * TB + t) << 2;
      for (let j = 0; j < 6; j++) {
        const e = E + <usize>(j * 64);
        a6(v128.load(e), v128.load(e, 16), v128.load(e, 32), v128.load(e, 48), dM + <usize>j * plane + off, 6 * plane);
      }
    }
  }
}

// (G^T u) for a column u = (u0, ..., u5) of four filters at once (one per lane): three results at out + a s.
@inline
function gtCol(u0: v128, u1: v128, u2: v128, u3: v128, u4: v128, u5: v128, out: usize, s: usize): void {
  const c6 = f32x4.splat(1.0 / 6.0), c12 = f32x4.splat(1.0 / 12.0), c24 = f32x4.splat(1.0 / 24.0);
  const s12 = f32x4.add(u1, u2), s34 = f32x4.add(u3, u4);
  v128.store(out, madd(c24, s34, f32x4.sub(f32x4.mul(f32x4.splat(0.25), u0), f32x4.mul(c6, s12))));
  v128.store(out + s, madd(c12, f32x4.sub(u3, u4), f32x4.mul(c6, f32x4.sub(u2, u1))));
  v128.store(out + 2 * s, madd(c6, f32x4.sub(s34, s12), u5));
}

/**
 * dw[o][i] += G^T dU[o][i] G (3 x 3 from the 6 x 6 of xi = 6 r + j; dU planes `plane` floats apart, row-major
 * Cout x Cin). Four input channels at a time, one per lane (contiguous in a dU plane); `tmp` holds 27 vectors.
 */
function filterGradTransform(dU: usize, dw: usize, Cout: i32, Cin: i32, plane: i32, tmp: usize): void {
  const pb = <usize>plane << 2;
  const Ci4 = Cin & ~3;
  const T2 = tmp + 288;
  for (let o = 0; o < Cout; o++) {
    for (let i = 0; i < Ci4; i += 4) {
      const u = dU + (<usize>(o * Cin + i) << 2);
      // t = G^T u (3 x 6): column j from rows r = 0..5 (planes 6 r + j), into tmp[a][j]
      for (let j = 0; j < 6; j++) {
        const q = u + <usize>j * pb;
        gtCol(
          v128.load(q), v128.load(q + 6 * pb), v128.load(q + 12 * pb), v128.load(q + 18 * pb),
          v128.load(q + 24 * pb), v128.load(q + 30 * pb), tmp + (<usize>j << 4), 96,
        );
      }
      // dw = t G (3 x 3): row a of dw = G^T (row a of t), into T2[3 a + b]
      for (let a = 0; a < 3; a++) {
        const t = tmp + <usize>(a * 96);
        gtCol(
          v128.load(t), v128.load(t, 16), v128.load(t, 32), v128.load(t, 48), v128.load(t, 64), v128.load(t, 80),
          T2 + <usize>(a * 48), 16,
        );
      }
      // lane l is filter (o, i + l): 9 taps at dw + ((o Cin + i + l) 9)
      const d = dw + (<usize>((o * Cin + i) * 9) << 2);
      for (let k = 0; k < 9; k++) {
        const v = v128.load(T2 + (<usize>k << 4));
        const q = d + (<usize>k << 2);
        store<f32>(q, load<f32>(q) + f32x4.extract_lane(v, 0));
        store<f32>(q, load<f32>(q, 36) + f32x4.extract_lane(v, 1), 36);
        store<f32>(q, load<f32>(q, 72) + f32x4.extract_lane(v, 2), 72);
        store<f32>(q, load<f32>(q, 108) + f32x4.extract_lane(v, 3), 108);
      }
    }
    // the last Cin % 4 channels: one lane of the same transform
    for (let i = Ci4; i < Cin; i++) {
      const u = dU + (<usize>(o * Cin + i) << 2);
      for (let j = 0; j < 6; j++) {
        const q = u + <usize>j * pb;
        gtCol(
          v128.load32_zero(q), v128.load32_zero(q + 6 * pb), v128.load32_zero(q + 12 * pb),
          v128.load32_zero(q + 18 * pb), v128.load32_zero(q + 24 * pb), v128.load32_zero(q + 30 * pb),
          tmp + (<usize>j << 4), 96,
        );
      }
      for (let a = 0; a < 3; a++) {
        const t = tmp + <usize>(a * 96);
        gtCol(
          v128.load(t), v128.load(t, 16), v128.load(t, 32), v128.load(t, 48), v128.load(t, 64), v128.load(t, 80),
          T2 + <usize>(a * 48), 16,
        );
      }
      const d = dw + (<usize>((o * Cin + i) * 9) << 2);
      for (let k = 0; k < 9; k++) {
        const q = d + (<usize>k << 2);
        store<f32>(q, load<f32>(q) + f32x4.extract_lane(v128.load(T2 + (<usize>k << 4)), 0));
      }
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

// C[o][i] += sum_t A[o][t] B[i][t] for one element (A, B rows of k floats, k a multiple of 4).
@inline
function dotAdd1(k: i32, a: usize, b: usize, c: usize): void {
  let acc = f32x4.splat(0);
  for (let t = 0; t < k; t += 4) acc = madd(v128.load(a + (<usize>t << 2)), v128.load(b + (<usize>t << 2)), acc);
  store<f32>(c, load<f32>(c) + f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) +
    f32x4.extract_lane(acc, 2) + f32x4.extract_lane(acc, 3));
}

/**
 * C[o][i] += sum_t A[o][t] B[i][t] (o < M, i < N, t < k; k a multiple of 4; A, B, C row strides lda, ldb, ldc floats):
 * the weight-gradient products dU[xi] += dM[xi] V[xi]^T straight from the transforms' row-major planes, without
 * sgemm's packing (which moved as many floats as the transforms wrote). Blocks of 2 rows of A x 4 rows of B, 8 vector
 * accumulators (6 loads per 8 multiply-adds), reduced four at a time into one vector of C.
 */
function dotBlock(M: i32, N: i32, k: i32, A: usize, lda: i32, B: usize, ldb: i32, C: usize, ldc: i32): void {
  const la = <usize>lda << 2, lb = <usize>ldb << 2, lc = <usize>ldc << 2;
  const M2 = M & ~1, N4 = N & ~3;
  for (let o = 0; o < M2; o += 2) {
    const a0 = A + <usize>o * la, a1 = a0 + la;
    const c0 = C + <usize>o * lc, c1 = c0 + lc;
    for (let i = 0; i < N4; i += 4) {
      const b0 = B + <usize>i * lb, b1 = b0 + lb, b2 = b1 + lb, b3 = b2 + lb;
      let p0 = f32x4.splat(0), p1 = f32x4.splat(0), p2 = f32x4.splat(0), p3 = f32x4.splat(0);
      let q0 = f32x4.splat(0), q1 = f32x4.splat(0), q2 = f32x4.splat(0), q3 = f32x4.splat(0);
      for (let t = 0; t < k; t += 4) {
        const off = <usize>t << 2;
        const u = v128.load(a0 + off), v = v128.load(a1 + off);
        const z0 = v128.load(b0 + off), z1 = v128.load(b1 + off), z2 = v128.load(b2 + off), z3 = v128.load(b3 + off);
        p0 = madd(u, z0, p0); p1 = madd(u, z1, p1); p2 = madd(u, z2, p2); p3 = madd(u, z3, p3);
        q0 = madd(v, z0, q0); q1 = madd(v, z1, q1); q2 = madd(v, z2, q2); q3 = madd(v, z3, q3);
      }
      const e0 = c0 + (<usize>i << 2), e1 = c1 + (<usize>i << 2);
      v128.store(e0, f32x4.add(v128.load(e0), hsum4(p0, p1, p2, p3)));
      v128.store(e1, f32x4.add(v128.load(e1), hsum4(q0, q1, q2, q3)));
    }
    for (let i = N4; i < N; i++) {
      dotAdd1(k, a0, B + <usize>i * lb, c0 + (<usize>i << 2));
      dotAdd1(k, a1, B + <usize>i * lb, c1 + (<usize>i << 2));
    }
  }
  for (let o = M2; o < M; o++) {
    for (let i = 0; i < N; i++) dotAdd1(k, A + <usize>o * la, B + <usize>i * lb, C + <usize>o * lc + (<usize>i << 2));
  }
}

// geo block as in _nn_conv.ts: Ci, H, W, Co, ... (only Ci, H, W, Co are read here)
@inline function geoAt(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

/**
 * y[n] = conv3x3(x[n]) (stride 1, padding 1) + bias (+ res[n]) for n in [n0, n1), with U = wino4_filter(w, flip = 0)
 * (Cin = Ci, Cout = Co of the geometry), or U = wino4_filter(w, flip = 1) with the geometry's Ci / Co swapped for the
 * backward data pass (x = dy, y = dx, bias = 0, res = 0). res: a tensor shaped like y added to it (0 = none).
 */
export function wino4_fwd(
  geo: usize, x: usize, U: usize, bias: usize, y: usize, n0: i32, n1: i32, scratch: usize, res: usize,
): void {
  const Cin = geoAt(geo, GEO_CI), H = geoAt(geo, GEO_H), W = geoAt(geo, GEO_W), Cout = geoAt(geo, GEO_CO);
  setBlock(Cin, Cout, 0);
  const TPI = tilesPerImage(H, W), C4 = cout4(Cout);
  const V = scratch;
  const M = V + (<usize>(36 * vPlane(Cin)) << 2);
  const pad = M + (<usize>(36 * mPlane(Cout)) << 2);
  const zero = pad + (<usize>padFloats(H, W) << 2);
  const E = zero + (<usize>zeroFloats(W) << 2);
  const tab = E + (<usize>(4 * 36 * 4 + 64) << 2);
  memory.fill(pad, 0, <usize>(padFloats(H, W) + zeroFloats(W)) << 2);
  const xn = x + (<usize>(n0 * Cin * H * W) << 2), yn = y + (<usize>(n0 * Cout * H * W) << 2);
  const rn = res != 0 ? res + (<usize>(n0 * Cout * H * W) << 2) : 0;
  const total = (n1 - n0) * TPI;
  const vp = <usize>vPlane(Cin) << 2, mp = <usize>mPlane(Cout) << 2, up = <usize>uPlane(Cout, Cin) << 2;
  const ldcB = <usize>TB << 2;
  for (let t0 = 0; t0 < total; t0 += TB) {
    const t1 = min(total, t0 + TB);
    const cols = (t1 - t0 + 7) & ~7;
    tileTable(t0, t1, H, W, Cout, tab);
    inputTransform(xn, Cin, H, W, t0, t1, V, 1, pad, zero, E, tab);
    for (let xi = 0; xi < 36; xi++) {
      const Vx = V + <usize>xi * vp, Mx = M + <usize>xi * mp, Ux = U + <usize>xi * up;
      for (let jb = 0; jb < cols; jb += 8) {
        const bp = Vx + (<usize>(jb * Cin) << 2);
        if (Cin <= 32) {
          // short products: one call per B panel (the per-call overhead is 5-7 % of a product at 16-32 channels)
          micro4x8Rows(Cin, Ux, <usize>(4 * Cin) << 2, C4 >> 2, bp, Mx + (<usize>jb << 2), <usize>(4 * TB) << 2, ldcB);
        } else {
          for (let ib = 0; ib < C4; ib += 4) {
            micro4x8(Cin, Ux + (<usize>(ib * Cin) << 2), bp, Mx + (<usize>(ib * TB + jb) << 2), ldcB, 1, 0);
          }
        }
      }
    }
    outputTransform(M, Cout, H, W, t0, t1, yn, bias, E, tab, rn);
  }
}

/** dw += dL/dw and dbias += row sums of dy (dbias == 0: none) for n in [n0, n1). */
export function wino4_bwd_weight(
  geo: usize, x: usize, dy: usize, dw: usize, dbias: usize, n0: i32, n1: i32, scratch: usize,
): void {
  const Cin = geoAt(geo, GEO_CI), H = geoAt(geo, GEO_H), W = geoAt(geo, GEO_W), Cout = geoAt(geo, GEO_CO);
  setBlock(Cin, Cout, 1);
  const TPI = tilesPerImage(H, W);
  const V = scratch;
  const dM = V + (<usize>(36 * vPlane(Cin)) << 2);
  const pad = dM + (<usize>(36 * mPlane(Cout)) << 2);
  const zero = pad + (<usize>padFloats(H, W) << 2);
  const E = zero + (<usize>zeroFloats(W) << 2);
  const tab = E + (<usize>(4 * 36 * 4 + 64) << 2);
  const gs = tab + (<usize>(2 * TB) << 2);
  const dU = gs + (<usize>sgemm_scratch_floats() << 2);
  memory.fill(pad, 0, <usize>(padFloats(H, W) + zeroFloats(W)) << 2);
  memory.fill(dU, 0, <usize>(36 * dUPlane(Cout, Cin)) << 2);
  const xn = x + (<usize>(n0 * Cin * H * W) << 2), dyn = dy + (<usize>(n0 * Cout * H * W) << 2);
  const total = (n1 - n0) * TPI;
  const vp = <usize>vPlane(Cin) << 2, mp = <usize>(Cout * TB + XI_PAD) << 2, up = <usize>dUPlane(Cout, Cin) << 2;
  for (let t0 = 0; t0 < total; t0 += TB) {
    const t1 = min(total, t0 + TB);
    const k = (t1 - t0 + 3) & ~3;
    tileTable(t0, t1, H, W, Cout, tab);
    inputTransform(xn, Cin, H, W, t0, t1, V, 0, pad, zero, E, tab);
    gradTransform(dyn, Cout, H, W, t0, t1, dM, zero, E, tab);
    for (let xi = 0; xi < 36; xi++) {
      // up to 32 x 32 channels the direct products win (8 % at 16 x 16); from 128 x 128 packing pays (3 %)
      if (Cout * Cin <= 1024) dotBlock(Cout, Cin, k, dM + <usize>xi * mp, TB, V + <usize>xi * vp, TB, dU + <usize>xi * up, Cin);
      else sgemm(0, 1, Cout, Cin, k, 1, dM + <usize>xi * mp, TB, V + <usize>xi * vp, TB, 1, dU + <usize>xi * up, Cin, gs);
    }
  }
  if (dbias != 0) {
    for (let b = n0; b < n1; b++) accRowSums(dy + (<usize>(b * Cout * H * W) << 2), dbias, Cout, H * W);
  }
  filterGradTransform(dU, dw, Cout, Cin, dUPlane(Cout, Cin), E);
}
