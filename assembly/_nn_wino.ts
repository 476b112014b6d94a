// Winograd F(2x2, 3x3) convolution (Lavin & Gray 2016) for 3x3 kernels, stride 1, padding 1, even H and W: the
// bulk of a U-Net. Each 2x2 output tile of one (output, input) channel pair is
//   Y = A^T [ (G g G^T) . (B^T d B) ] A      d: the 4x4 input tile at rows 2ty-1.., cols 2tx-1..;  . elementwise
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1],  G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1],
//   A^T = [1 1 1 0; 0 1 -1 -1]
// so the channel sum becomes 16 independent GEMMs over the 16 positions xi of the 4x4 transformed tiles:
//   M[xi] (Cout x T) = U[xi] (Cout x Cin) . V[xi] (Cin x T),   U = G g G^T,  V = B^T d B,  T = tiles
// using 16 multiplications per tile and channel pair instead of 36 (2.25x fewer GEMM flops than im2col).
// Backward data is the same routine on dy with the filter flipped and transposed (stride 1, padding 1); backward
// weight accumulates dU[xi] = sum_t dM[xi] V[xi]^T with dM = A dY A^T, then dw += G^T dU G.
// Tiles are processed four at a time across the width (4 tiles = one f32x4 per transformed value); a tile row is
// padded to TWp = 4 ceil(W / 8) tiles, and images are grouped so a GEMM sees about TILE_COLS tiles.
// Layouts: V (16, Cin, T), M and dM (16, Cout, T), U (16, Cout, Cin), tile index t = (b TH + ty) TWp + tx.

import { sgemm, sgemm_scratch_floats } from './_nn_gemm';
import { accRowSums } from './_nn_conv';
import { GEO_CI, GEO_CO, GEO_H, GEO_W } from '../src/nn/kernels/convLayout';

const TILE_COLS: i32 = 256;
// The 16 transformed planes of V / M / dM are XI_PAD floats further apart than their size: with T a power of two the
// 16 streams of a transform would otherwise share their low address bits (4 KiB aliasing, one L1 set for all).
const XI_PAD: i32 = 48;
@inline function xiSize(C: i32, T: i32): i32 {
  return C * T + XI_PAD;
}

@inline function tilesPadded(W: i32): i32 {
  return (((W >> 1) + 3) >> 2) << 2;
}
@inline function groupImages(H: i32, W: i32): i32 {
  const per = (H >> 1) * tilesPadded(W);
  return per >= TILE_COLS ? 1 : TILE_COLS / per;
}
@inline function rowFloats(W: i32): i32 {
  return 2 * tilesPadded(W) + 8;
}

/** Floats of per-thread scratch for wino_fwd / wino_bwd_weight with these channel counts and image size. */
export function wino_scratch_floats(Cin: i32, Cout: i32, H: i32, W: i32): i32 {
  const T = groupImages(H, W) * (H >> 1) * tilesPadded(W);
  return sgemm_scratch_floats() + 16 * (xiSize(Cin, T) + xiSize(Cout, T)) + 16 * Cin * Cout + (H + 2) * rowFloats(W) + 64;
}

/**
 * Filter transform U[xi][o][i] = (G g G^T)[xi] for g = w[o][i] (flip = 0; U is 16 x Co x Ci), or for the flipped,
 * transposed filter g = w[i][o] rotated by 180 degrees (flip = 1; U is 16 x Ci x Co, for the backward data pass).
 * w is (Co, Ci, 3, 3).
 */
export function wino_filter(w: usize, U: usize, Co: i32, Ci: i32, flip: i32): void {
  const rows = flip ? Ci : Co, cols = flip ? Co : Ci;
  for (let o = 0; o < rows; o++) {
    for (let i = 0; i < cols; i++) {
      // g[a][b] of the (o, i) pair of the convolution being computed
      const src = flip ? w + (<usize>((i * Ci + o) * 9) << 2) : w + (<usize>((o * Ci + i) * 9) << 2);
      let g0: f32, g1: f32, g2: f32, g3: f32, g4: f32, g5: f32, g6: f32, g7: f32, g8: f32;
      if (flip) {
        g0 = load<f32>(src, 32); g1 = load<f32>(src, 28); g2 = load<f32>(src, 24);
        g3 = load<f32>(src, 20); g4 = load<f32>(src, 16); g5 = load<f32>(src, 12);
        g6 = load<f32>(src, 8); g7 = load<f32>(src, 4); g8 = load<f32>(src);
      } else {
        g0 = load<f32>(src); g1 = load<f32>(src, 4); g2 = load<f32>(src, 8);
        g3 = load<f32>(src, 12); g4 = load<f32>(src, 16); g5 = load<f32>(src, 20);
        g6 = load<f32>(src, 24); g7 = load<f32>(src, 28); g8 = load<f32>(src, 32);
      }
      // t = G g (4 x 3), rows of g: (g0 g1 g2), (g3 g4 g5), (g6 g7 g8)
      const t00 = g0, t01 = g1, t02 = g2;
      const t10: f32 = 0.5 * (g0 + g3 + g6), t11: f32 = 0.5 * (g1 + g4 + g7), t12: f32 = 0.5 * (g2 + g5 + g8);
      const t20: f32 = 0.5 * (g0 - g3 + g6), t21: f32 = 0.5 * (g1 - g4 + g7), t22: f32 = 0.5 * (g2 - g5 + g8);
      const t30 = g6, t31 = g7, t32 = g8;
      // u = t G^T (4 x 4)
      const stride = <usize>(rows * cols) << 2;
      let q = U + (<usize>(o * cols + i) << 2);
      store<f32>(q, t00); q += stride;
      store<f32>(q, 0.5 * (t00 + t01 + t02)); q += stride;
      store<f32>(q, 0.5 * (t00 - t01 + t02)); q += stride;
      store<f32>(q, t02); q += stride;
      store<f32>(q, t10); q += stride;
      store<f32>(q, 0.5 * (t10 + t11 + t12)); q += stride;
      store<f32>(q, 0.5 * (t10 - t11 + t12)); q += stride;
      store<f32>(q, t12); q += stride;
      store<f32>(q, t20); q += stride;
      store<f32>(q, 0.5 * (t20 + t21 + t22)); q += stride;
      store<f32>(q, 0.5 * (t20 - t21 + t22)); q += stride;
      store<f32>(q, t22); q += stride;
      store<f32>(q, t30); q += stride;
      store<f32>(q, 0.5 * (t30 + t31 + t32)); q += stride;
      store<f32>(q, 0.5 * (t30 - t31 + t32)); q += stride;
      store<f32>(q, t32);
    }
  }
}

// Zero-bordered copy of one H x W plane: pad[(r + 1) RL + c + 1] = x[r][c]; rows 0 and H + 1 and the columns
// outside [1, W] stay as they are, so they must be zeroed once (zeroPadded) before the first plane of a call.
@inline
function copyPadded(plane: usize, H: i32, W: i32, pad: usize, RL: i32): void {
  for (let r = 0; r < H; r++) {
    memory.copy(pad + (<usize>((r + 1) * RL + 1) << 2), plane + (<usize>(r * W) << 2), <usize>W << 2);
  }
}
@inline
function zeroPadded(H: i32, pad: usize, RL: i32): void {
  memory.fill(pad, 0, <usize>((H + 2) * RL) << 2);
}

@inline function evens(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 0, 2, 4, 6);
}
@inline function odds(a: v128, b: v128): v128 {
  return v128.shuffle<f32>(a, b, 1, 3, 5, 7);
}

// Input transform of G images starting at x (planes of H x W, Cin channels) into V (16, Cin, T).
function inputTransform(x: usize, G: i32, Cin: i32, H: i32, W: i32, V: usize, T: i32, pad: usize): void {
  const TH = H >> 1, TWp = tilesPadded(W), RL = rowFloats(W);
  const xiStride = <usize>xiSize(Cin, T) << 2;
  zeroPadded(H, pad, RL);
  for (let b = 0; b < G; b++) {
    for (let c = 0; c < Cin; c++) {
      copyPadded(x + (<usize>((b * Cin + c) * H * W) << 2), H, W, pad, RL);
      for (let ty = 0; ty < TH; ty++) {
        // padded rows 2 ty .. 2 ty + 3 hold input rows 2 ty - 1 .. 2 ty + 2
        const rows = pad + (<usize>(2 * ty * RL) << 2);
        const r1 = rows + (<usize>RL << 2), r2 = r1 + (<usize>RL << 2), r3 = r2 + (<usize>RL << 2);
        let out = V + (<usize>(c * T + (b * TH + ty) * TWp) << 2);
        for (let tx = 0; tx < TWp; tx += 4) {
          const o = <usize>(2 * tx) << 2;
          // d[r][j] = padded row r at 2 tx + 2 q + j for the four tiles q (lanes)
          let a = v128.load(rows + o), e = v128.load(rows + o, 16), f = v128.load(rows + o, 8), h = v128.load(rows + o, 24);
          const d00 = evens(a, e), d01 = odds(a, e), d02 = evens(f, h), d03 = odds(f, h);
          a = v128.load(r1 + o); e = v128.load(r1 + o, 16); f = v128.load(r1 + o, 8); h = v128.load(r1 + o, 24);
          const d10 = evens(a, e), d11 = odds(a, e), d12 = evens(f, h), d13 = odds(f, h);
          a = v128.load(r2 + o); e = v128.load(r2 + o, 16); f = v128.load(r2 + o, 8); h = v128.load(r2 + o, 24);
          const d20 = evens(a, e), d21 = odds(a, e), d22 = evens(f, h), d23 = odds(f, h);
          a = v128.load(r3 + o); e = v128.load(r3 + o, 16); f = v128.load(r3 + o, 8); h = v128.load(r3 + o, 24);
          const d30 = evens(a, e), d31 = odds(a, e), d32 = evens(f, h), d33 = odds(f, h);
          // s = B^T d (over rows)
          const s00 = f32x4.sub(d00, d20), s01 = f32x4.sub(d01, d21), s02 = f32x4.sub(d02, d22), s03 = f32x4.sub(d03, d23);
          const s10 = f32x4.add(d10, d20), s11 = f32x4.add(d11, d21), s12 = f32x4.add(d12, d22), s13 = f32x4.add(d13, d23);
          const s20 = f32x4.sub(d20, d10), s21 = f32x4.sub(d21, d11), s22 = f32x4.sub(d22, d12), s23 = f32x4.sub(d23, d13);
          const s30 = f32x4.sub(d10, d30), s31 = f32x4.sub(d11, d31), s32 = f32x4.sub(d12, d32), s33 = f32x4.sub(d13, d33);
          // v = s B (over columns), xi = 4 i + j
          let q = out;
          v128.store(q, f32x4.sub(s00, s02)); q += xiStride;
          v128.store(q, f32x4.add(s01, s02)); q += xiStride;
          v128.store(q, f32x4.sub(s02, s01)); q += xiStride;
          v128.store(q, f32x4.sub(s01, s03)); q += xiStride;
          v128.store(q, f32x4.sub(s10, s12)); q += xiStride;
          v128.store(q, f32x4.add(s11, s12)); q += xiStride;
          v128.store(q, f32x4.sub(s12, s11)); q += xiStride;
          v128.store(q, f32x4.sub(s11, s13)); q += xiStride;
          v128.store(q, f32x4.sub(s20, s22)); q += xiStride;
          v128.store(q, f32x4.add(s21, s22)); q += xiStride;
          v128.store(q, f32x4.sub(s22, s21)); q += xiStride;
          v128.store(q, f32x4.sub(s21, s23)); q += xiStride;
          v128.store(q, f32x4.sub(s30, s32)); q += xiStride;
          v128.store(q, f32x4.add(s31, s32)); q += xiStride;
          v128.store(q, f32x4.sub(s32, s31)); q += xiStride;
          v128.store(q, f32x4.sub(s31, s33));
          out += 16;
        }
      }
    }
  }
}

// Output transform: y (G images, Cout planes of H x W) = A^T M A per tile (+ bias[co] when bias != 0).
function outputTransform(M: usize, G: i32, Cout: i32, H: i32, W: i32, T: i32, y: usize, bias: usize): void {
  const TH = H >> 1, TW = W >> 1, TWp = tilesPadded(W);
  const xiStride = <usize>xiSize(Cout, T) << 2;
  for (let b = 0; b < G; b++) {
    for (let co = 0; co < Cout; co++) {
      const bv = bias != 0 ? v128.load32_splat(bias + (<usize>co << 2)) : f32x4.splat(0);
      const plane = y + (<usize>((b * Cout + co) * H * W) << 2);
      for (let ty = 0; ty < TH; ty++) {
        let src = M + (<usize>(co * T + (b * TH + ty) * TWp) << 2);
        const row0 = plane + (<usize>(2 * ty * W) << 2), row1 = row0 + (<usize>W << 2);
        for (let tx = 0; tx < TWp; tx += 4) {
          let q = src;
          const m00 = v128.load(q); q += xiStride; const m01 = v128.load(q); q += xiStride;
          const m02 = v128.load(q); q += xiStride; const m03 = v128.load(q); q += xiStride;
          const m10 = v128.load(q); q += xiStride; const m11 = v128.load(q); q += xiStride;
          const m12 = v128.load(q); q += xiStride; const m13 = v128.load(q); q += xiStride;
          const m20 = v128.load(q); q += xiStride; const m21 = v128.load(q); q += xiStride;
          const m22 = v128.load(q); q += xiStride; const m23 = v128.load(q); q += xiStride;
          const m30 = v128.load(q); q += xiStride; const m31 = v128.load(q); q += xiStride;
          const m32 = v128.load(q); q += xiStride; const m33 = v128.load(q);
          // a = A^T m (2 x 4)
          const a00 = f32x4.add(f32x4.add(m00, m10), m20), a01 = f32x4.add(f32x4.add(m01, m11), m21);
          const a02 = f32x4.add(f32x4.add(m02, m12), m22), a03 = f32x4.add(f32x4.add(m03, m13), m23);
          const a10 = f32x4.sub(f32x4.sub(m10, m20), m30), a11 = f32x4.sub(f32x4.sub(m11, m21), m31);
          const a12 = f32x4.sub(f32x4.sub(m12, m22), m32), a13 = f32x4.sub(f32x4.sub(m13, m23), m33);
          // o = a A (2 x 2) + bias
          const o00 = f32x4.add(f32x4.add(f32x4.add(a00, a01), a02), bv);
          const o01 = f32x4.add(f32x4.sub(f32x4.sub(a01, a02), a03), bv);
          const o10 = f32x4.add(f32x4.add(f32x4.add(a10, a11), a12), bv);
          const o11 = f32x4.add(f32x4.sub(f32x4.sub(a11, a12), a13), bv);
          // interleave the two columns of the four tiles: y[r][2 tx + 2 q + c]
          const lo0 = v128.shuffle<f32>(o00, o01, 0, 4, 1, 5), hi0 = v128.shuffle<f32>(o00, o01, 2, 6, 3, 7);
          const lo1 = v128.shuffle<f32>(o10, o11, 0, 4, 1, 5), hi1 = v128.shuffle<f32>(o10, o11, 2, 6, 3, 7);
          const c0 = <usize>(2 * tx) << 2;
          if (tx + 4 <= TW) {
            v128.store(row0 + c0, lo0); v128.store(row0 + c0, hi0, 16);
            v128.store(row1 + c0, lo1); v128.store(row1 + c0, hi1, 16);
          } else {
            // ragged last group: tiles tx + q < TW only
            const n = TW - tx;
            if (n > 0) { v128.store64_lane(row0 + c0, lo0, 0); v128.store64_lane(row1 + c0, lo1, 0); }
            if (n > 1) { v128.store64_lane(row0 + c0, lo0, 1, 8); v128.store64_lane(row1 + c0, lo1, 1, 8); }
            if (n > 2) { v128.store64_lane(row0 + c0, hi0, 0, 16); v128.store64_lane(row1 + c0, hi1, 0, 16); }
          }
          src += 16;
        }
      }
    }
  }
}

// Output-gradient transform: dM (16, Cout, T) = A dY A^T per tile of G images of dy (Cout planes of H x W);
// tiles past the image width (padding) get zeros.
function gradTransform(dy: usize, G: i32, Cout: i32, H: i32, W: i32, dM: usize, T: i32, pad: usize): void {
  const TH = H >> 1, TWp = tilesPadded(W), RL = rowFloats(W);
  const xiStride = <usize>xiSize(Cout, T) << 2;
  zeroPadded(H, pad, RL);
  for (let b = 0; b < G; b++) {
    for (let co = 0; co < Cout; co++) {
      copyPadded(dy + (<usize>((b * Cout + co) * H * W) << 2), H, W, pad, RL);
      for (let ty = 0; ty < TH; ty++) {
        // dy rows 2 ty, 2 ty + 1 sit in padded rows 2 ty + 1, 2 ty + 2, column c at index c + 1
        const rows = pad + (<usize>((2 * ty + 1) * RL) << 2);
        const r1 = rows + (<usize>RL << 2);
        let out = dM + (<usize>(co * T + (b * TH + ty) * TWp) << 2);
        for (let tx = 0; tx < TWp; tx += 4) {
          const o = (<usize>(2 * tx + 1)) << 2;
          let a = v128.load(rows + o), e = v128.load(rows + o, 16);
          const p0 = evens(a, e), p1 = odds(a, e); // dy[0][0], dy[0][1] of the four tiles
          a = v128.load(r1 + o); e = v128.load(r1 + o, 16);
          const q0 = evens(a, e), q1 = odds(a, e); // dy[1][0], dy[1][1]
          // R = A dY: rows (p), (p + q), (p - q), (-q); then columns the same way
          const R10 = f32x4.add(p0, q0), R11 = f32x4.add(p1, q1);
          const R20 = f32x4.sub(p0, q0), R21 = f32x4.sub(p1, q1);
          const R30 = f32x4.neg(q0), R31 = f32x4.neg(q1);
          let q = out;
          v128.store(q, p0); q += xiStride;
          v128.store(q, f32x4.add(p0, p1)); q += xiStride;
          v128.store(q, f32x4.sub(p0, p1)); q += xiStride;
          v128.store(q, f32x4.neg(p1)); q += xiStride;
          v128.store(q, R10); q += xiStride;
          v128.store(q, f32x4.add(R10, R11)); q += xiStride;
          v128.store(q, f32x4.sub(R10, R11)); q += xiStride;
          v128.store(q, f32x4.neg(R11)); q += xiStride;
          v128.store(q, R20); q += xiStride;
          v128.store(q, f32x4.add(R20, R21)); q += xiStride;
          v128.store(q, f32x4.sub(R20, R21)); q += xiStride;
          v128.store(q, f32x4.neg(R21)); q += xiStride;
          v128.store(q, R30); q += xiStride;
          v128.store(q, f32x4.add(R30, R31)); q += xiStride;
          v128.store(q, f32x4.sub(R30, R31)); q += xiStride;
          v128.store(q, f32x4.neg(R31));
          out += 16;
        }
      }
    }
  }
}

// geo block as in _nn_conv.ts: Ci, H, W, Co, ... (only Ci, H, W, Co are read here)
@inline function g(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

/**
 * y[n] = conv3x3(x[n]) (stride 1, padding 1) + bias for n in [n0, n1), with U = wino_filter(w, flip = 0) for the
 * forward pass (Cin = Ci, Cout = Co of the geometry), or U = wino_filter(w, flip = 1) and the geometry's Ci / Co
 * swapped for the backward data pass (x = dy, y = dx, bias = 0).
 */
export function wino_fwd(geo: usize, x: usize, U: usize, bias: usize, y: usize, n0: i32, n1: i32, scratch: usize): void {
  const Cin = g(geo, GEO_CI), H = g(geo, GEO_H), W = g(geo, GEO_W), Cout = g(geo, GEO_CO);
  const per = (H >> 1) * tilesPadded(W), GS = groupImages(H, W);
  const V = scratch + (<usize>sgemm_scratch_floats() << 2);
  const M = V + (<usize>(16 * xiSize(Cin, GS * per)) << 2);
  const rows = M + (<usize>(16 * xiSize(Cout, GS * per)) << 2);
  for (let n = n0; n < n1; n += GS) {
    const G = min(GS, n1 - n);
    const T = G * per;
    inputTransform(x + (<usize>(n * Cin * H * W) << 2), G, Cin, H, W, V, T, rows);
    for (let xi = 0; xi < 16; xi++) {
      sgemm(0, 0, Cout, T, Cin, 1, U + (<usize>(xi * Cout * Cin) << 2), Cin, V + (<usize>(xi * xiSize(Cin, T)) << 2), T, 0,
        M + (<usize>(xi * xiSize(Cout, T)) << 2), T, scratch);
    }
    outputTransform(M, G, Cout, H, W, T, y + (<usize>(n * Cout * H * W) << 2), bias);
  }
}

/** dw += dL/dw and dbias += row sums of dy (dbias == 0: none) for n in [n0, n1). */
export function wino_bwd_weight(
  geo: usize, x: usize, dy: usize, dw: usize, dbias: usize, n0: i32, n1: i32, scratch: usize,
): void {
  const Cin = g(geo, GEO_CI), H = g(geo, GEO_H), W = g(geo, GEO_W), Cout = g(geo, GEO_CO);
  const per = (H >> 1) * tilesPadded(W), GS = groupImages(H, W);
  const V = scratch + (<usize>sgemm_scratch_floats() << 2);
  const dM = V + (<usize>(16 * xiSize(Cin, GS * per)) << 2);
  const dU = dM + (<usize>(16 * xiSize(Cout, GS * per)) << 2);
  const rows = dU + (<usize>(16 * Cout * Cin) << 2);
  memory.fill(dU, 0, <usize>(16 * Cout * Cin) << 2);
  for (let n = n0; n < n1; n += GS) {
    const G = min(GS, n1 - n);
    const T = G * per;
    inputTransform(x + (<usize>(n * Cin * H * W) << 2), G, Cin, H, W, V, T, rows);
    gradTransform(dy + (<usize>(n * Cout * H * W) << 2), G, Cout, H, W, dM, T, rows);
    for (let xi = 0; xi < 16; xi++) {
      sgemm(0, 1, Cout, Cin, T, 1, dM + (<usize>(xi * xiSize(Cout, T)) << 2), T, V + (<usize>(xi * xiSize(Cin, T)) << 2), T, 1,
        dU + (<usize>(xi * Cout * Cin) << 2), Cin, scratch);
    }
    if (dbias != 0) {
      for (let b = 0; b < G; b++) accRowSums(dy + (<usize>((n + b) * Cout * H * W) << 2), dbias, Cout, H * W);
    }
  }
  // dw[o][i] += G^T dU G (3 x 3 from 4 x 4)
  const s = <usize>(Cout * Cin) << 2;
  for (let o = 0; o < Cout; o++) {
    for (let i = 0; i < Cin; i++) {
      const u = dU + (<usize>(o * Cin + i) << 2);
      // rows of dU: u[r][c] at u + (4 r + c) s
      const u00 = load<f32>(u), u01 = load<f32>(u + s), u02 = load<f32>(u + 2 * s), u03 = load<f32>(u + 3 * s);
      const u10 = load<f32>(u + 4 * s), u11 = load<f32>(u + 5 * s), u12 = load<f32>(u + 6 * s), u13 = load<f32>(u + 7 * s);
      const u20 = load<f32>(u + 8 * s), u21 = load<f32>(u + 9 * s), u22 = load<f32>(u + 10 * s), u23 = load<f32>(u + 11 * s);
      const u30 = load<f32>(u + 12 * s), u31 = load<f32>(u + 13 * s), u32 = load<f32>(u + 14 * s), u33 = load<f32>(u + 15 * s);
      // t = G^T u (3 x 4): rows (u0 + (u1 + u2)/2), ((u1 - u2)/2), ((u1 + u2)/2 + u3)
      const t00: f32 = u00 + 0.5 * (u10 + u20), t01: f32 = u01 + 0.5 * (u11 + u21);
      const t02: f32 = u02 + 0.5 * (u12 + u22), t03: f32 = u03 + 0.5 * (u13 + u23);
      const t10: f32 = 0.5 * (u10 - u20), t11: f32 = 0.5 * (u11 - u21), t12: f32 = 0.5 * (u12 - u22), t13: f32 = 0.5 * (u13 - u23);
      const t20: f32 = 0.5 * (u10 + u20) + u30, t21: f32 = 0.5 * (u11 + u21) + u31;
      const t22: f32 = 0.5 * (u12 + u22) + u32, t23: f32 = 0.5 * (u13 + u23) + u33;
      const d = dw + (<usize>((o * Cin + i) * 9) << 2);
      store<f32>(d, load<f32>(d) + t00 + 0.5 * (t01 + t02));
      store<f32>(d, load<f32>(d, 4) + 0.5 * (t01 - t02), 4);
      store<f32>(d, load<f32>(d, 8) + 0.5 * (t01 + t02) + t03, 8);
      store<f32>(d, load<f32>(d, 12) + t10 + 0.5 * (t11 + t12), 12);
      store<f32>(d, load<f32>(d, 16) + 0.5 * (t11 - t12), 16);
      store<f32>(d, load<f32>(d, 20) + 0.5 * (t11 + t12) + t13, 20);
      store<f32>(d, load<f32>(d, 24) + t20 + 0.5 * (t21 + t22), 24);
      store<f32>(d, load<f32>(d, 28) + 0.5 * (t21 - t22), 28);
      store<f32>(d, load<f32>(d, 32) + 0.5 * (t21 + t22) + t23, 32);
    }
  }
}
