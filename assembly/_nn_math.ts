// Vector math helpers for the nn kernels (f32x4).

import { madd } from './_simd';

/**
 * exp(x) for four lanes, relative error about 2e-7 on the clamped range [-87.3, 88] (e^88 = 1.65e38 < FLT_MAX).
 * Range reduction x = n ln2 + r with |r| <= ln2/2 (ln2 split in a high and low part so r is exact to f32),
 * e^r = 1 + r + r^2 q(r) with q a cubic fitted for the least maximum relative error on that interval (1.9e-7 in
 * float32: a degree-5 polynomial, two multiply-adds fewer than the Taylor-like degree 7), and 2^n built directly in
 * the exponent bits.
 * Cheap instructions only: pmin/pmax (one minps/maxps; f32x4.min/max expand to NaN-handling sequences under V8), and
 * rounding by the 1.5 * 2^23 trick, whose sum also carries n as an integer in its low mantissa bits (no roundps,
 * no saturating conversion). Scalar Mathf.exp costs ~15 ns under V8; SiLU over U-Net activations needs millions.
 */
@inline
export function vexp(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.33654)), f32x4.splat(88.0));
  const magic = f32x4.splat(12582912.0); // 1.5 * 2^23
  const t = madd(x, f32x4.splat(1.44269504088896341), magic);
  const n = f32x4.sub(t, magic);
  const ni = i32x4.sub(t, magic); // bit patterns differ by exactly n in the low mantissa bits
  let r = madd(n, f32x4.splat(-0.693359375), x);
  r = madd(n, f32x4.splat(2.12194440e-4), r);
  let p = f32x4.splat(8.3337055791e-3);
  p = madd(p, r, f32x4.splat(4.1898472018e-2));
  p = madd(p, r, f32x4.splat(1.6666887796e-1));
  p = madd(p, r, f32x4.splat(4.9999143696e-1));
  const one = f32x4.splat(1);
  p = madd(r, madd(p, r, one), one); // 1 + r + p r^2
  // 2^n for n in [-126, 127]: the biased exponent n + 127 shifted into place.
  return f32x4.mul(p, i32x4.shl(i32x4.add(ni, i32x4.splat(127)), 23));
}

/** Logistic sigmoid 1 / (1 + e^-x) for four lanes. */
@inline
export function vsigmoid(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), vexp(f32x4.neg(x))));
}

/** Horizontal sum of four f32 lanes. */
@inline
export function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}
