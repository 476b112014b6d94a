// 2-D convolution for the nn engine by im2col + GEMM (NCHW, cross-correlation as in PyTorch's Conv2d).
//
// Shapes: x (N, Ci, H, W), w (Co, Ci, KH, KW), bias (Co), y (N, Co, Ho, Wo) with
//   Ho = (H + 2 ph - KH) / sh + 1,  Wo = (W + 2 pw - KW) / sw + 1,
//   y[n,o,i,j] = bias[o] + sum_{c,a,b} w[o,c,a,b] x[n, c, i*sh - ph + a, j*sw - pw + b]   (zero outside the image).
// With col = im2col(x[n]) of shape (K = Ci*KH*KW, P = Ho*Wo), the three passes are GEMMs:
//   forward          y[n]  = w (Co x K) . col
//   backward, data   dx[n] = col2im(w^T . dy[n])
//   backward, weight dw   += dy[n] . col^T,   dbias += row sums of dy[n]
// Small feature maps (P < GROUP_COLS) are processed in groups of G = GROUP_COLS / P images side by side (col is
// K x G P, dy is gathered to Co x G P): the GEMMs then have enough columns (forward, data) or depth (weight) to keep
// the micro-kernel busy, and the weights are packed once per group instead of once per image.
// Every entry point works on an image range [n0, n1) so the host can split a batch over worker threads; weight and
// bias gradients are accumulated into the pointers given (per-thread partial buffers when threaded).
// A 1x1 convolution with stride 1 and no padding on single images skips im2col (col is the image itself).
// Pointers are byte addresses. `scratch` is per-thread: sgemm scratch, then col (K x G P), then a Co x G P buffer.
// The geometry travels as a block of 12 i32 in memory (`geo`: Ci, H, W, Co, KH, KW, sh, sw, ph, pw, Ho, Wo), which
// keeps every entry point under the worker pool's 16-argument limit.

import { KC, pack_a_all, packed_a_floats, sgemm, sgemm_apacked, sgemm_kbatch, sgemm_scratch_floats } from './_nn_gemm';
import { GEO_CI, GEO_CO, GEO_H, GEO_HO, GEO_KH, GEO_KW, GEO_PH, GEO_PW, GEO_SH, GEO_SW, GEO_W, GEO_WO } from '../src/nn/kernels/convLayout';

/** Target number of GEMM columns per group of images. */
const GROUP_COLS: i32 = 512;

@inline
function groupSize(P: i32): i32 {
  return P >= GROUP_COLS ? 1 : GROUP_COLS / P;
}

/** Floats of per-thread scratch the conv entry points need for one layer geometry. */
export function conv_scratch_floats(Ci: i32, KH: i32, KW: i32, Co: i32, Ho: i32, Wo: i32): i32 {
  const P = Ho * Wo;
  const cols = groupSize(P) * P;
  let n = sgemm_scratch_floats() + (Ci * KH * KW + Co) * cols;
  if (KH == 1 && KW == 1) n += max(packed_a_floats(Co, Ci), packed_a_floats(Ci, Co)); // a 1x1 conv's packed weights
  return n;
}

// Where a 1x1 convolution keeps its packed weights in the scratch (after the regions conv_scratch_floats counts).
@inline
function packedWeights(scratch: usize, Ci: i32, Co: i32, P: i32): usize {
  return scratch + (<usize>(sgemm_scratch_floats() + (Ci + Co) * groupSize(P) * P) << 2);
}

@inline
function isPointwise(KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32): bool {
  return KH == 1 && KW == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
}

/**
 * col[(c*KH + a)*KW + b][i*Wo + j] = x[c, i*sh - ph + a, j*sw - pw + b] (0 outside) for one image; `ld` is the row
 * stride of col in elements (Ho*Wo for a single image, G*Ho*Wo inside a group).
 */
export function im2col(
  x: usize, Ci: i32, H: i32, W: i32, KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, Ho: i32, Wo: i32,
  col: usize, ld: i32,
): void {
  let row = col;
  for (let c = 0; c < Ci; c++) {
    const plane = x + (<usize>(c * H * W) << 2);
    for (let a = 0; a < KH; a++) {
      for (let b = 0; b < KW; b++) {
        // Output columns j whose input column iw = j*sw - pw + b lies inside [0, W).
        let jlo = 0;
        if (pw - b > 0) jlo = (pw - b + sw - 1) / sw;
        let jhi = Wo;
        const lim = (W - 1 + pw - b) / sw + 1; // valid while j*sw <= W-1+pw-b
        if (W - 1 + pw - b < 0) jhi = 0;
        else if (lim < jhi) jhi = lim;
        if (jlo > jhi) jlo = jhi;
        let out = row;
        for (let i = 0; i < Ho; i++) {
          const ih = i * sh - ph + a;
          if (ih < 0 || ih >= H) {
            memory.fill(out, 0, <usize>(Wo << 2));
          } else {
            const src = plane + (<usize>(ih * W) << 2);
            for (let j = 0; j < jlo; j++) store<f32>(out + (<usize>j << 2), 0);
            if (sw == 1) {
              const iw0 = jlo - pw + b;
              memory.copy(out + (<usize>jlo << 2), src + (<usize>iw0 << 2), <usize>((jhi - jlo) << 2));
            } else {
              let j = jlo;
              if (sw == 2) {
                // Four outputs from the even lanes of eight consecutive inputs, while all eight lie in the row.
                for (; j + 4 <= jhi && 2 * j + 7 - pw + b < W; j += 4) {
                  const s0 = src + (<usize>(2 * j - pw + b) << 2);
                  v128.store(out + (<usize>j << 2), v128.shuffle<f32>(v128.load(s0), v128.load(s0, 16), 0, 2, 4, 6));
                }
              }
              for (; j < jhi; j++) {
                store<f32>(out + (<usize>j << 2), load<f32>(src + (<usize>(j * sw - pw + b) << 2)));
              }
            }
            for (let j = jhi; j < Wo; j++) store<f32>(out + (<usize>j << 2), 0);
          }
          out += <usize>(Wo << 2);
        }
        row += <usize>ld << 2;
      }
    }
  }
}

/** Adjoint of im2col: dx[c, ih, iw] = sum of the col entries that read it (dx is overwritten); `ld` as im2col. */
export function col2im(
  col: usize, Ci: i32, H: i32, W: i32, KH: i32, KW: i32, sh: i32, sw: i32, ph: i32, pw: i32, Ho: i32, Wo: i32,
  dx: usize, ld: i32,
): void {
  memory.fill(dx, 0, <usize>(Ci * H * W) << 2);
  let row = col;
  for (let c = 0; c < Ci; c++) {
    const plane = dx + (<usize>(c * H * W) << 2);
    for (let a = 0; a < KH; a++) {
      for (let b = 0; b < KW; b++) {
        let jlo = 0;
        if (pw - b > 0) jlo = (pw - b + sw - 1) / sw;
        let jhi = Wo;
        const lim = (W - 1 + pw - b) / sw + 1;
        if (W - 1 + pw - b < 0) jhi = 0;
        else if (lim < jhi) jhi = lim;
        if (jlo > jhi) jlo = jhi;
        let src = row;
        for (let i = 0; i < Ho; i++) {
          const ih = i * sh - ph + a;
          if (ih >= 0 && ih < H) {
            const dst = plane + (<usize>(ih * W) << 2);
            if (sw == 1) {
              // Contiguous run: vector adds over dst[jlo - pw + b ..] += src[jlo ..].
              let d = dst + (<usize>(jlo - pw + b) << 2);
              let s = src + (<usize>jlo << 2);
              let j = jlo;
              for (; j + 4 <= jhi; j += 4) {
                v128.store(d, f32x4.add(v128.load(d), v128.load(s)));
                d += 16;
                s += 16;
              }
              for (; j < jhi; j++) {
                store<f32>(d, load<f32>(d) + load<f32>(s));
                d += 4;
                s += 4;
              }
            } else {
              for (let j = jlo; j < jhi; j++) {
                const q = dst + (<usize>(j * sw - pw + b) << 2);
                store<f32>(q, load<f32>(q) + load<f32>(src + (<usize>j << 2)));
              }
            }
          }
          src += <usize>(Wo << 2);
        }
        row += <usize>ld << 2;
      }
    }
  }
}

// Reads the geometry block.
@inline function g(geo: usize, i: i32): i32 {
  return load<i32>(geo + (<usize>i << 2));
}

// Copies G consecutive (R x P) images of src into one R x (G P) matrix dst (or back when `back`).
function gatherGroup(src: usize, dst: usize, G: i32, R: i32, P: i32, back: bool): void {
  const rowBytes = <usize>P << 2;
  for (let b = 0; b < G; b++) {
    for (let r = 0; r < R; r++) {
      const img = src + (<usize>((b * R + r) * P) << 2);
      const grp = dst + (<usize>(r * G * P + b * P) << 2);
      if (back) memory.copy(img, grp, rowBytes);
      else memory.copy(grp, img, rowBytes);
    }
  }
}

/** y[n] = w . im2col(x[n]) + bias for n in [n0, n1). bias == 0 means no bias. */
export function conv2d_fwd(geo: usize, x: usize, w: usize, bias: usize, y: usize, n0: i32, n1: i32, scratch: usize): void {
  const Ci = g(geo, GEO_CI), H = g(geo, GEO_H), W = g(geo, GEO_W), Co = g(geo, GEO_CO), KH = g(geo, GEO_KH), KW = g(geo, GEO_KW);
  const sh = g(geo, GEO_SH), sw = g(geo, GEO_SW), ph = g(geo, GEO_PH), pw = g(geo, GEO_PW), Ho = g(geo, GEO_HO), Wo = g(geo, GEO_WO);
  const P = Ho * Wo;
  const K = Ci * KH * KW;
  const pointwise = isPointwise(KH, KW, sh, sw, ph, pw);
  // 1x1 convolutions run image by image on the image itself (no im2col copy, no gather): grouping pays only where
  // it saves an im2col per image
  const GS = pointwise ? 1 : groupSize(P);
  const col = scratch + (<usize>sgemm_scratch_floats() << 2);
  const tmp = col + (<usize>(K * GS * P) << 2);
  // 1x1: the weights packed once for all images of the call
  const wp = pointwise ? packedWeights(scratch, Ci, Co, P) : 0;
  if (pointwise) pack_a_all(0, Co, K, w, K, wp);
  for (let n = n0; n < n1; n += GS) {
    const G = min(GS, n1 - n);
    const cols = G * P;
    const yn = y + (<usize>(n * Co * P) << 2);
    let bmat = col;
    if (G == 1 && pointwise) bmat = x + (<usize>(n * Ci * H * W) << 2);
    else {
      for (let b = 0; b < G; b++) {
        im2col(x + (<usize>((n + b) * Ci * H * W) << 2), Ci, H, W, KH, KW, sh, sw, ph, pw, Ho, Wo, col + (<usize>(b * P) << 2), cols);
      }
    }
    if (G == 1 && pointwise) {
      sgemm_apacked(0, Co, P, K, 1, wp, bmat, P, 0, yn, P, scratch);
    } else if (G == 1) {
      sgemm(0, 0, Co, P, K, 1, w, K, bmat, P, 0, yn, P, scratch);
    } else {
      sgemm(0, 0, Co, cols, K, 1, w, K, bmat, cols, 0, tmp, cols, scratch);
      gatherGroup(yn, tmp, G, Co, P, true);
    }
    if (bias != 0) for (let b = 0; b < G; b++) addRowConst(yn + (<usize>(b * Co * P) << 2), bias, Co, P);
  }
}

/** dx[n] = col2im(w^T . dy[n]) for n in [n0, n1) (dx overwritten). */
export function conv2d_bwd_data(geo: usize, w: usize, dy: usize, dx: usize, n0: i32, n1: i32, scratch: usize): void {
  const Ci = g(geo, GEO_CI), H = g(geo, GEO_H), W = g(geo, GEO_W), Co = g(geo, GEO_CO), KH = g(geo, GEO_KH), KW = g(geo, GEO_KW);
  const sh = g(geo, GEO_SH), sw = g(geo, GEO_SW), ph = g(geo, GEO_PH), pw = g(geo, GEO_PW), Ho = g(geo, GEO_HO), Wo = g(geo, GEO_WO);
  const P = Ho * Wo;
  const K = Ci * KH * KW;
  const pointwise = isPointwise(KH, KW, sh, sw, ph, pw);
  // 1x1 convolutions run image by image on the image itself (no im2col copy, no gather): grouping pays only where
  // it saves an im2col per image
  const GS = pointwise ? 1 : groupSize(P);
  const col = scratch + (<usize>sgemm_scratch_floats() << 2);
  const tmp = col + (<usize>(K * GS * P) << 2);
  // 1x1: w^T packed once for all images of the call
  const wp = pointwise ? packedWeights(scratch, Ci, Co, P) : 0;
  if (pointwise) pack_a_all(1, K, Co, w, K, wp);
  for (let n = n0; n < n1; n += GS) {
    const G = min(GS, n1 - n);
    const cols = G * P;
    const dyn = dy + (<usize>(n * Co * P) << 2);
    const dxn = dx + (<usize>(n * Ci * H * W) << 2);
    if (G == 1) {
      if (pointwise) {
        sgemm_apacked(0, K, P, Co, 1, wp, dyn, P, 0, dxn, P, scratch);
      } else {
        sgemm(1, 0, K, P, Co, 1, w, K, dyn, P, 0, col, P, scratch);
        col2im(col, Ci, H, W, KH, KW, sh, sw, ph, pw, Ho, Wo, dxn, P);
      }
    } else {
      gatherGroup(dyn, tmp, G, Co, P, false);
      sgemm(1, 0, K, cols, Co, 1, w, K, tmp, cols, 0, col, cols, scratch);
      for (let b = 0; b < G; b++) {
        col2im(col + (<usize>(b * P) << 2), Ci, H, W, KH, KW, sh, sw, ph, pw, Ho, Wo, dxn + (<usize>(b * Ci * H * W) << 2), cols);
      }
    }
  }
}

/** dw += sum_n dy[n] . im2col(x[n])^T and dbias += sum_n row sums of dy[n] for n in [n0, n1) (dbias == 0: none). */
export function conv2d_bwd_weight(
  geo: usize, x: usize, dy: usize, dw: usize, dbias: usize, n0: i32, n1: i32, scratch: usize,
): void {
  const Ci = g(geo, GEO_CI), H = g(geo, GEO_H), W = g(geo, GEO_W), Co = g(geo, GEO_CO), KH = g(geo, GEO_KH), KW = g(geo, GEO_KW);
  const sh = g(geo, GEO_SH), sw = g(geo, GEO_SW), ph = g(geo, GEO_PH), pw = g(geo, GEO_PW), Ho = g(geo, GEO_HO), Wo = g(geo, GEO_WO);
  const P = Ho * Wo;
  const K = Ci * KH * KW;
  const pointwise = isPointwise(KH, KW, sh, sw, ph, pw);
  // 1x1 convolutions run image by image on the image itself (no im2col copy, no gather): grouping pays only where
  // it saves an im2col per image
  const GS = pointwise ? 1 : groupSize(P);
  const col = scratch + (<usize>sgemm_scratch_floats() << 2);
  const tmp = col + (<usize>(K * GS * P) << 2);
  if (pointwise && (P & 3) == 0 && P <= KC) {
    // 1x1 over small images: one GEMM whose depth runs over (image, position), dw read and written once per block
    sgemm_kbatch(Co, K, P, n1 - n0, 1, dy + (<usize>(n0 * Co * P) << 2), Co * P, x + (<usize>(n0 * Ci * P) << 2),
      Ci * P, dw, K, scratch);
    if (dbias != 0) for (let n = n0; n < n1; n++) accRowSums(dy + (<usize>(n * Co * P) << 2), dbias, Co, P);
    return;
  }
  for (let n = n0; n < n1; n += GS) {
    const G = min(GS, n1 - n);
    const cols = G * P;
    const dyn = dy + (<usize>(n * Co * P) << 2);
    let bmat = col;
    if (G == 1 && pointwise) bmat = x + (<usize>(n * Ci * H * W) << 2);
    else {
      for (let b = 0; b < G; b++) {
        im2col(x + (<usize>((n + b) * Ci * H * W) << 2), Ci, H, W, KH, KW, sh, sw, ph, pw, Ho, Wo, col + (<usize>(b * P) << 2), cols);
      }
    }
    let amat = dyn;
    if (G > 1) {
      gatherGroup(dyn, tmp, G, Co, P, false);
      amat = tmp;
    }
    sgemm(0, 1, Co, K, cols, 1, amat, cols, bmat, cols, 1, dw, K, scratch);
    if (dbias != 0) accRowSums(amat, dbias, Co, cols);
  }
}

// y[r, :] += bias[r] for an R x P block.
function addRowConst(y: usize, bias: usize, R: i32, P: i32): void {
  for (let r = 0; r < R; r++) {
    const v = v128.load32_splat(bias + (<usize>r << 2));
    let p = y + (<usize>(r * P) << 2);
    let j = 0;
    for (; j + 4 <= P; j += 4) {
      v128.store(p, f32x4.add(v128.load(p), v));
      p += 16;
    }
    const s = f32x4.extract_lane(v, 0);
    for (; j < P; j++) {
      store<f32>(p, load<f32>(p) + s);
      p += 4;
    }
  }
}

// out[r] += sum_j y[r, j] for an R x P block.
export function accRowSums(y: usize, out: usize, R: i32, P: i32): void {
  for (let r = 0; r < R; r++) {
    let p = y + (<usize>(r * P) << 2);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= P; j += 4) {
      acc = f32x4.add(acc, v128.load(p));
      p += 16;
    }
    let s = f32x4.extract_lane(acc, 0) + f32x4.extract_lane(acc, 1) + f32x4.extract_lane(acc, 2) +
      f32x4.extract_lane(acc, 3);
    for (; j < P; j++) {
      s += load<f32>(p);
      p += 4;
    }
    const q = out + (<usize>r << 2);
    store<f32>(q, load<f32>(q) + s);
  }
}
