// Standard normal random numbers in wasm SIMD (f32x4), shared source (not an entry).
//
// Generator: four independent xoshiro128+ streams, one per SIMD lane. Each lane's 128-bit state lives in one lane of
// the four state vectors S0..S3 (16 uint32 words at `st`: word 4k + l is s_k of lane l). Streams are seeded from a
// 128-bit key and three counters by a 64-bit hash (seedLanes), so any (key, epoch, time step, sample) has its own
// stream, whichever thread draws it.
//
// Normals: polar-form Box–Muller without rejection. Two uniform words A, B per lane give
//   F   = (A >>> 8) + 1 in [1, 2^24],  U = F 2^-24 in (0, 1]      (the largest |z| is sqrt(2 * 24 ln 2) = 5.77)
//   q   = (B >> 8, signed) 2^-24 (pi/2) in [-pi/4, pi/4),  phi = q + pi/4 in [0, pi/2)
//   R   = sqrt(-2 ln U),  (x, y) = (sx R cos phi, sy R sin phi)
// with independent random signs sx, sy from bits 6 and 7 of A (not used for F). Flipping the signs of a point whose
// angle is uniform on the first quadrant makes its angle uniform on [0, 2 pi), so x and y are independent N(0, 1).
// (xoshiro128+'s weak bits are the lowest few; bits 6 and 7 are clear of them.)
//
// Elementary functions, all in f32 (errors below 3e-8 absolute before rounding; f32 rounding is 6e-8 relative):
//   ln U: F = 2^E m with m in [sqrt(1/2), sqrt(2)) by integer arithmetic on the bits (subtract the bits of
//     sqrt(1/2)); ln m = 2 atanh(s), s = (m - 1)/(m + 1) in [-0.172, 0.172), series to s^7 (error < 3e-8);
//     -ln U = (24 - E) ln 2 - ln m.
//   cos phi = (cos q - sin q)/sqrt 2, sin phi = (cos q + sin q)/sqrt 2; the 1/sqrt 2 is folded into the radius,
//     R/sqrt 2 = sqrt(-ln U); cos q and sin q are near-minimax polynomials of degree 6 and 7 on [-pi/4, pi/4]
//     (fitted by Lawson's iteratively reweighted least squares; errors 2.8e-8 and 1.3e-9).
//
// Output order: the k-th pair writes x to out[8k .. 8k+3] and y to out[8k+4 .. 8k+7].
//
// Speed (one Zen 3 core, 2.45 GHz, CPU time per normal, medians of repeated A/B runs): constants written as
// v128.const 3.2 ns (binaryen sinks them into the loop and V8 materialises each with several instructions); constants
// loaded from a static table 2.4; two pairs per iteration 1.8; minimax polynomials, exponent split by integer
// arithmetic, no clamp before the square root 1.4.

// @ts-ignore: decorator
@inline const GOLDEN64: u64 = 0x9e3779b97f4a7c15;

/** SplitMix64 finaliser (Stafford's mix 13): a bijective avalanche mix of 64 bits. */
// @ts-ignore: decorator
@inline function mix64(z: u64): u64 {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/**
 * Seed the 4-lane state at `st` from a 128-bit key (k0..k3) and three counters (a, b, c), e.g. (epoch, time step,
 * sample). Distinct counter triples give unrelated streams (64-bit hash; a collision needs ~2^32 triples).
 */
export function seedLanes(st: usize, k0: u32, k1: u32, k2: u32, k3: u32, a: u32, b: u32, c: u32): void {
  let h: u64 = (<u64>k0) | ((<u64>k1) << 32);
  const k23: u64 = (<u64>k2) | ((<u64>k3) << 32);
  h = mix64(h ^ ((<u64>a + 1) * GOLDEN64 + k23));
  h = mix64(h ^ ((<u64>b + 1) * 0xc2b2ae3d27d4eb4f + 0x165667b19e3779f9));
  h = mix64(h ^ ((<u64>c + 1) * 0x94d049bb133111eb + 0x27d4eb2f165667c5));
  let x = h;
  for (let i = 0; i < 8; i++) {
    x += GOLDEN64;
    const r = mix64(x);
    store<u32>(st + (<usize>i << 3), <u32>r);
    store<u32>(st + (<usize>i << 3) + 4, <u32>(r >> 32));
  }
  // xoshiro's all-zero state is a fixed point: make every lane non-zero (probability 2^-128, but cheap to exclude).
  for (let l = 0; l < 4; l++) {
    const o = st + (<usize>l << 2);
    if ((load<u32>(o) | load<u32>(o, 16) | load<u32>(o, 32) | load<u32>(o, 48)) == 0) store<u32>(o, 1);
  }
}

// Constant tables, read with load-splats (byte offsets in brackets).
// Integers: [0] 1, [4] mantissa mask, [8] sign bit, [12] bits of sqrt(1/2), [16] 24.
const INT_K: usize = memory.data<u32>([1, 0x007fffff, 0x80000000, 0x3f3504f3, 24]);
// f32: [0] (pi/2) 2^-24, [4] 1, [8] -ln 2, [12..24] 2 atanh series 2/7, 2/5, 2/3, 2, [28..40] sin q, [44..56] cos q
// (near-minimax coefficients from Lawson's iteratively reweighted least squares on a grid of [0, pi/4]).
const F32_K: usize = memory.data<f32>([
  <f32>(1.5707963267948966 * 5.9604644775390625e-8),
  1.0,
  <f32>-0.6931471805599453,
  <f32>(2.0 / 7.0), <f32>(2.0 / 5.0), <f32>(2.0 / 3.0), 2.0,
  <f32>0.9999999861808004, <f32>-0.16666636756576153, <f32>0.008331584692359492, <f32>-0.0001946212603772396,
  <f32>0.9999999724282153, <f32>-0.49999856713909063, <f32>0.04165502783081945, <f32>-0.001358592049950827,
]);

/**
 * sqrt(-ln U) for U = ((A >>> 8) + 1) 2^-24 in (0, 1]: the Box–Muller radius sqrt(-2 ln U) divided by sqrt 2.
 */
// @ts-ignore: decorator
@inline function radius(A: v128): v128 {
  // F = (A >>> 8) + 1 in [1, 2^24] exactly, U = F 2^-24. Write F = 2^E m with m in [sqrt(1/2), sqrt(2)) by
  // subtracting the bits of sqrt(1/2) (K): the exponent field of bits(F) - K is E, and its low 23 bits plus K are m.
  const F = f32x4.convert_i32x4_s(i32x4.add(i32x4.shr_u(A, 8), v128.load32_splat(INT_K, 0)));
  const K = v128.load32_splat(INT_K, 12);
  const r = i32x4.sub(F, K);
  const E = i32x4.shr_s(r, 23);
  const m = i32x4.add(v128.and(r, v128.load32_splat(INT_K, 4)), K);
  const fone = v128.load32_splat(F32_K, 4);
  const s = f32x4.div(f32x4.sub(m, fone), f32x4.add(m, fone));
  const s2 = f32x4.mul(s, s);
  const s4 = f32x4.mul(s2, s2);
  // ln m = s (2 + s2 (2/3) + s4 (2/5 + s2 (2/7)))   (Estrin: a shorter dependency chain than Horner)
  const lo = f32x4.add(v128.load32_splat(F32_K, 24), f32x4.mul(s2, v128.load32_splat(F32_K, 20)));
  const hi = f32x4.add(v128.load32_splat(F32_K, 16), f32x4.mul(s2, v128.load32_splat(F32_K, 12)));
  const lnm = f32x4.mul(s, f32x4.add(lo, f32x4.mul(s4, hi)));
  // -ln U = (E - 24)(-ln 2) - ln m >= 0: E - 24 <= -1 gives at least ln 2 - ln sqrt 2; E = 24 only for F = 2^24
  const e24 = f32x4.convert_i32x4_s(i32x4.sub(E, v128.load32_splat(INT_K, 16)));
  return f32x4.sqrt(f32x4.sub(f32x4.mul(e24, v128.load32_splat(F32_K, 8)), lnm));
}

/** Angle offset q = (B >> 8, signed) 2^-24 (pi/2) in [-pi/4, pi/4); the Box–Muller angle is phi = q + pi/4. */
// @ts-ignore: decorator
@inline function angle(B: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.shr_s(B, 8)), v128.load32_splat(F32_K, 0));
}

/** sin q ~ q (s0 + q2 s1 + q4 (s2 + q2 s3)) on [-pi/4, pi/4], near-minimax, |error| < 1.3e-9 (q2 = q^2, q4 = q^4). */
// @ts-ignore: decorator
@inline function sinq(q: v128, q2: v128, q4: v128): v128 {
  const lo = f32x4.add(v128.load32_splat(F32_K, 28), f32x4.mul(q2, v128.load32_splat(F32_K, 32)));
  const hi = f32x4.add(v128.load32_splat(F32_K, 36), f32x4.mul(q2, v128.load32_splat(F32_K, 40)));
  return f32x4.mul(q, f32x4.add(lo, f32x4.mul(q4, hi)));
}

/** cos q ~ c0 + q2 c1 + q4 (c2 + q2 c3) on [-pi/4, pi/4], near-minimax, |error| < 2.8e-8. */
// @ts-ignore: decorator
@inline function cosq(q2: v128, q4: v128): v128 {
  const lo = f32x4.add(v128.load32_splat(F32_K, 44), f32x4.mul(q2, v128.load32_splat(F32_K, 48)));
  const hi = f32x4.add(v128.load32_splat(F32_K, 52), f32x4.mul(q2, v128.load32_splat(F32_K, 56)));
  return f32x4.add(lo, f32x4.mul(q4, hi));
}

/** Bit (31 - shift) of each lane of A moved to the sign position. */
// @ts-ignore: decorator
@inline function signFrom(A: v128, shift: i32): v128 {
  return v128.and(i32x4.shl(A, shift), v128.load32_splat(INT_K, 8));
}

/**
 * Write `count` standard normals (count a multiple of 8) to f32 `out` (16-byte aligned), advancing the 4-lane
 * xoshiro128+ state at `st`.
 *
 * Two Box–Muller pairs per loop iteration, one after the other in the code, so that the out-of-order core overlaps
 * their long dependency chains (division, square root, polynomials); the output is the same as with one pair per
 * iteration. (Measured alternatives: one pair per iteration, 20% slower; three L1-sized passes — generator, radius,
 * angle — with fewer register spills, 20% slower.)
 */
export function fillNormals(out: usize, count: i32, st: usize): void {
  let s0 = v128.load(st);
  let s1 = v128.load(st, 16);
  let s2 = v128.load(st, 32);
  let s3 = v128.load(st, 48);
  const end2 = out + ((<usize>count >> 4) << 6);
  const end = out + (<usize>count << 2);
  let p = out;
  for (; p < end2; p += 64) {
    // four xoshiro128+ steps: A1, B1, A2, B2 (the same words, in the same order, as two single-pair iterations)
    const A1 = i32x4.add(s0, s3);
    let t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t); s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    const B1 = i32x4.add(s0, s3);
    t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t); s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    const A2 = i32x4.add(s0, s3);
    t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t); s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    const B2 = i32x4.add(s0, s3);
    t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t); s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));

    const R1 = radius(A1);
    const R2 = radius(A2);
    const q1 = angle(B1);
    const q2 = angle(B2);
    const q1s = f32x4.mul(q1, q1);
    const q2s = f32x4.mul(q2, q2);
    const q1q = f32x4.mul(q1s, q1s);
    const q2q = f32x4.mul(q2s, q2s);
    const c1 = cosq(q1s, q1q);
    const c2 = cosq(q2s, q2q);
    const n1 = sinq(q1, q1s, q1q);
    const n2 = sinq(q2, q2s, q2q);
    v128.store(p, v128.xor(f32x4.mul(R1, f32x4.sub(c1, n1)), signFrom(A1, 25)));
    v128.store(p, v128.xor(f32x4.mul(R1, f32x4.add(c1, n1)), signFrom(A1, 24)), 16);
    v128.store(p, v128.xor(f32x4.mul(R2, f32x4.sub(c2, n2)), signFrom(A2, 25)), 32);
    v128.store(p, v128.xor(f32x4.mul(R2, f32x4.add(c2, n2)), signFrom(A2, 24)), 48);
  }
  if (p < end) {
    // the last pair when count = 8 (mod 16)
    const A = i32x4.add(s0, s3);
    let t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t); s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    const B = i32x4.add(s0, s3);
    t = i32x4.shl(s1, 9);
    s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3);
    s2 = v128.xor(s2, t); s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21));
    const R = radius(A);
    const q = angle(B);
    const qs = f32x4.mul(q, q);
    const qq = f32x4.mul(qs, qs);
    const c = cosq(qs, qq);
    const n = sinq(q, qs, qq);
    v128.store(p, v128.xor(f32x4.mul(R, f32x4.sub(c, n)), signFrom(A, 25)));
    v128.store(p, v128.xor(f32x4.mul(R, f32x4.add(c, n)), signFrom(A, 24)), 16);
  }
  v128.store(st, s0);
  v128.store(st, s1, 16);
  v128.store(st, s2, 32);
  v128.store(st, s3, 48);
}
