// Elementwise, broadcast, pooling and reduction kernels for the nn engine. Pointers are byte addresses, counts are
// elements. Every loop runs four lanes at a time; the < 4 tail goes through the same vector code one lane at a time
// (load32_zero / store32_lane), so tails and bodies compute identical values.

import { vexp, vsigmoid, hsum } from './_nn_math';

// ---- activations ------------------------------------------------------------------------------------------------

/** y = max(x, 0). */
export function relu_fwd(x: usize, y: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.pmax(v128.load(x + o), z)); // pmax(x, 0): x when x > 0 (NaN never reaches ReLU here)
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, max(load<f32>(x + o), 0));
  }
}

/** dx = dy * [x > 0]. */
export function relu_bwd(x: usize, dy: usize, dx: usize, n: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, v128.and(v128.load(dy + o), f32x4.gt(v128.load(x + o), z)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(dx + o, load<f32>(x + o) > 0 ? load<f32>(dy + o) : 0);
  }
}

@inline
function siluV(x: v128): v128 {
  return f32x4.mul(x, vsigmoid(x));
}

// d/dx x s(x) = s (1 + x (1 - s))
@inline
function siluGradV(x: v128, dy: v128): v128 {
  const s = vsigmoid(x);
  const one = f32x4.splat(1);
  return f32x4.mul(dy, f32x4.mul(s, f32x4.add(one, f32x4.mul(x, f32x4.sub(one, s)))));
}

/** y = x * sigmoid(x). */
export function silu_fwd(x: usize, y: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, siluV(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    v128.store32_lane(y + o, siluV(v128.load32_zero(x + o)), 0);
  }
}

/** dx = dy * silu'(x). */
export function silu_bwd(x: usize, dy: usize, dx: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(dx + o, siluGradV(v128.load(x + o), v128.load(dy + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    v128.store32_lane(dx + o, siluGradV(v128.load32_zero(x + o), v128.load32_zero(dy + o)), 0);
  }
}

// ---- linear algebra on flat vectors -----------------------------------------------------------------------------

/** p[0..n) = v. */
export function fill(p: usize, n: i32, v: f32): void {
  const vv = f32x4.splat(v);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(p + (<usize>i << 2), vv);
  for (; i < n; i++) store<f32>(p + (<usize>i << 2), v);
}

/** y += a * x. */
export function axpy(n: i32, a: f32, x: usize, y: usize): void {
  const va = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(va, v128.load(x + o))));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}

/** out = a + b (out may alias a or b). */
export function add(a: usize, b: usize, out: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
  }
}

/** x *= a. */
export function scale(x: usize, n: i32, a: f32): void {
  const va = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(v128.load(x + o), va));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, load<f32>(x + o) * a);
  }
}

/** sum of x^2, accumulated in f64 per block of 1024 so millions of parameters do not lose precision. */
export function sumsq(x: usize, n: i32): f64 {
  let total: f64 = 0;
  let i = 0;
  while (i < n) {
    const end = min(n, i + 1024);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const v = v128.load(x + (<usize>i << 2));
      acc = f32x4.add(acc, f32x4.mul(v, v));
    }
    let s: f64 = <f64>hsum(acc);
    for (; i < end; i++) {
      const v = load<f32>(x + (<usize>i << 2));
      s += <f64>(v * v);
    }
    total += s;
  }
  return total;
}

/**
 * Squared-error loss and its gradient in one pass: returns sum (p - t)^2 (f64) and writes g = gscale * (p - t)
 * (for the mean-squared error gscale = 2 / n).
 */
export function sqerr(p: usize, t: usize, g: usize, n: i32, gscale: f32): f64 {
  let total: f64 = 0;
  const vs = f32x4.splat(gscale);
  let i = 0;
  while (i < n) {
    const end = min(n, i + 1024);
    let acc = f32x4.splat(0);
    for (; i + 4 <= end; i += 4) {
      const o = <usize>i << 2;
      const d = f32x4.sub(v128.load(p + o), v128.load(t + o));
      acc = f32x4.add(acc, f32x4.mul(d, d));
      if (g != 0) v128.store(g + o, f32x4.mul(d, vs));
    }
    let s: f64 = <f64>hsum(acc);
    for (; i < end; i++) {
      const o = <usize>i << 2;
      const d = load<f32>(p + o) - load<f32>(t + o);
      s += <f64>(d * d);
      if (g != 0) store<f32>(g + o, d * gscale);
    }
    total += s;
  }
  return total;
}

// ---- broadcasts over (N, C, P) ----------------------------------------------------------------------------------

/** y[n, c, :] += e[n * es + c] for n in [0, N): bias (es = 0) or per-sample channel offsets (es = C). */
export function add_nc(y: usize, e: usize, N: i32, C: i32, P: i32, es: i32): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const v = v128.load32_splat(e + (<usize>(n * es + c) << 2));
      const s = f32x4.extract_lane(v, 0);
      let p = y + (<usize>((n * C + c) * P) << 2);
      let j = 0;
      for (; j + 4 <= P; j += 4) {
        v128.store(p, f32x4.add(v128.load(p), v));
        p += 16;
      }
      for (; j < P; j++) {
        store<f32>(p, load<f32>(p) + s);
        p += 4;
      }
    }
  }
}

/** out[n * os + c] += sum_p y[n, c, p]: gradient of add_nc (os = 0 sums over the batch too). */
export function sum_nc(y: usize, out: usize, N: i32, C: i32, P: i32, os: i32): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let p = y + (<usize>((n * C + c) * P) << 2);
      let acc = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= P; j += 4) {
        acc = f32x4.add(acc, v128.load(p));
        p += 16;
      }
      let s = hsum(acc);
      for (; j < P; j++) {
        s += load<f32>(p);
        p += 4;
      }
      const q = out + (<usize>(n * os + c) << 2);
      store<f32>(q, load<f32>(q) + s);
    }
  }
}

// ---- resampling (planes of H x W, `planes` = N * C) -------------------------------------------------------------

/** 2 x 2 average pooling, stride 2: y[i, j] = mean of x[2i..2i+1, 2j..2j+1]; H and W even. */
export function avgpool2_fwd(x: usize, y: usize, planes: i32, H: i32, W: i32): void {
  const Ho = H >> 1, Wo = W >> 1;
  for (let q = 0; q < planes; q++) {
    const xp = x + (<usize>(q * H * W) << 2);
    const yp = y + (<usize>(q * Ho * Wo) << 2);
    for (let i = 0; i < Ho; i++) {
      const r0 = xp + (<usize>(2 * i * W) << 2);
      const r1 = r0 + (<usize>W << 2);
      for (let j = 0; j < Wo; j++) {
        const o = <usize>(2 * j) << 2;
        const s = load<f32>(r0 + o) + load<f32>(r0 + o, 4) + load<f32>(r1 + o) + load<f32>(r1 + o, 4);
        store<f32>(yp + (<usize>(i * Wo + j) << 2), 0.25 * s);
      }
    }
  }
}

/** Adjoint of avgpool2_fwd: dx[2i+a, 2j+b] = dy[i, j] / 4 (dx overwritten). */
export function avgpool2_bwd(dy: usize, dx: usize, planes: i32, H: i32, W: i32): void {
  const Ho = H >> 1, Wo = W >> 1;
  for (let q = 0; q < planes; q++) {
    const dxp = dx + (<usize>(q * H * W) << 2);
    const dyp = dy + (<usize>(q * Ho * Wo) << 2);
    for (let i = 0; i < Ho; i++) {
      const r0 = dxp + (<usize>(2 * i * W) << 2);
      const r1 = r0 + (<usize>W << 2);
      for (let j = 0; j < Wo; j++) {
        const v: f32 = 0.25 * load<f32>(dyp + (<usize>(i * Wo + j) << 2));
        const o = <usize>(2 * j) << 2;
        store<f32>(r0 + o, v);
        store<f32>(r0 + o, v, 4);
        store<f32>(r1 + o, v);
        store<f32>(r1 + o, v, 4);
      }
    }
  }
}

/** Nearest 2x upsampling: y[2i+a, 2j+b] = x[i, j]; x planes H x W, y planes 2H x 2W. */
export function upsample2_fwd(x: usize, y: usize, planes: i32, H: i32, W: i32): void {
  const Wo = 2 * W;
  for (let q = 0; q < planes; q++) {
    const xp = x + (<usize>(q * H * W) << 2);
    const yp = y + (<usize>(q * 4 * H * W) << 2);
    for (let i = 0; i < H; i++) {
      const r0 = yp + (<usize>(2 * i * Wo) << 2);
      const src = xp + (<usize>(i * W) << 2);
      let j = 0;
      for (; j + 4 <= W; j += 4) {
        const v = v128.load(src + (<usize>j << 2));
        const lo = v128.shuffle<f32>(v, v, 0, 0, 1, 1);
        const hi = v128.shuffle<f32>(v, v, 2, 2, 3, 3);
        v128.store(r0 + (<usize>(2 * j) << 2), lo);
        v128.store(r0 + (<usize>(2 * j) << 2), hi, 16);
      }
      for (; j < W; j++) {
        const v = load<f32>(src + (<usize>j << 2));
        store<f32>(r0 + (<usize>(2 * j) << 2), v);
        store<f32>(r0 + (<usize>(2 * j) << 2), v, 4);
      }
      memory.copy(r0 + (<usize>Wo << 2), r0, <usize>Wo << 2);
    }
  }
}

/** Adjoint of upsample2_fwd: dx[i, j] = sum of the four dy entries it was copied to. */
export function upsample2_bwd(dy: usize, dx: usize, planes: i32, H: i32, W: i32): void {
  const Wo = 2 * W;
  for (let q = 0; q < planes; q++) {
    const dxp = dx + (<usize>(q * H * W) << 2);
    const dyp = dy + (<usize>(q * 4 * H * W) << 2);
    for (let i = 0; i < H; i++) {
      const r0 = dyp + (<usize>(2 * i * Wo) << 2);
      const r1 = r0 + (<usize>Wo << 2);
      for (let j = 0; j < W; j++) {
        const o = <usize>(2 * j) << 2;
        const s = load<f32>(r0 + o) + load<f32>(r0 + o, 4) + load<f32>(r1 + o) + load<f32>(r1 + o, 4);
        store<f32>(dxp + (<usize>(i * W + j) << 2), s);
      }
    }
  }
}

// ---- softmax over rows --------------------------------------------------------------------------------------------

/** In place row softmax of an R x L block: x[r, :] = exp(x[r, :] - max) / sum. */
export function softmax_rows(x: usize, R: i32, L: i32): void {
  for (let r = 0; r < R; r++) {
    const row = x + (<usize>(r * L) << 2);
    // row maximum: pmax (one maxps; f32.max / f32x4.max expand to NaN-handling sequences under V8, and the scalar
    // chain of 64 of them cost more than the exponentials)
    let vmax = f32x4.splat(-Infinity);
    let j0 = 0;
    for (; j0 + 4 <= L; j0 += 4) vmax = f32x4.pmax(vmax, v128.load(row + (<usize>j0 << 2)));
    let m: f32 = f32x4.extract_lane(vmax, 0);
    const m1 = f32x4.extract_lane(vmax, 1), m2 = f32x4.extract_lane(vmax, 2), m3 = f32x4.extract_lane(vmax, 3);
    if (m1 > m) m = m1;
    if (m2 > m) m = m2;
    if (m3 > m) m = m3;
    for (; j0 < L; j0++) {
      const v = load<f32>(row + (<usize>j0 << 2));
      if (v > m) m = v;
    }
    const vm = f32x4.splat(m);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= L; j += 4) {
      const q = row + (<usize>j << 2);
      const e = vexp(f32x4.sub(v128.load(q), vm));
      v128.store(q, e);
      acc = f32x4.add(acc, e);
    }
    let s = hsum(acc);
    for (; j < L; j++) {
      const q = row + (<usize>j << 2);
      const e = f32x4.extract_lane(vexp(f32x4.sub(v128.load32_zero(q), vm)), 0);
      store<f32>(q, e);
      s += e;
    }
    const inv = f32x4.splat(1 / s);
    j = 0;
    for (; j + 4 <= L; j += 4) {
      const q = row + (<usize>j << 2);
      v128.store(q, f32x4.mul(v128.load(q), inv));
    }
    const invs: f32 = 1 / s;
    for (; j < L; j++) {
      const q = row + (<usize>j << 2);
      store<f32>(q, load<f32>(q) * invs);
    }
  }
}

/** Softmax backward, in place on d: d[r, :] = y[r, :] * (d[r, :] - sum_j d[r, j] y[r, j]). */
export function softmax_rows_bwd(y: usize, d: usize, R: i32, L: i32): void {
  for (let r = 0; r < R; r++) {
    const yr = y + (<usize>(r * L) << 2);
    const dr = d + (<usize>(r * L) << 2);
    let acc = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= L; j += 4) {
      const o = <usize>j << 2;
      acc = f32x4.add(acc, f32x4.mul(v128.load(yr + o), v128.load(dr + o)));
    }
    let s = hsum(acc);
    for (; j < L; j++) {
      const o = <usize>j << 2;
      s += load<f32>(yr + o) * load<f32>(dr + o);
    }
    const vs = f32x4.splat(s);
    j = 0;
    for (; j + 4 <= L; j += 4) {
      const o = <usize>j << 2;
      v128.store(dr + o, f32x4.mul(v128.load(yr + o), f32x4.sub(v128.load(dr + o), vs)));
    }
    for (; j < L; j++) {
      const o = <usize>j << 2;
      store<f32>(dr + o, load<f32>(yr + o) * (load<f32>(dr + o) - s));
    }
  }
}

/** rows x len elements: dst[r * dstStride + j] = src[r * srcStride + j] (strides in elements; regions disjoint). */
export function copy_rows(src: usize, srcStride: i32, dst: usize, dstStride: i32, len: i32, rows: i32): void {
  const bytes = <usize>len << 2;
  for (let r = 0; r < rows; r++) {
    memory.copy(dst + (<usize>(r * dstStride) << 2), src + (<usize>(r * srcStride) << 2), bytes);
  }
}
