/**
 * The counter-based standard-normal generator of the wasm kernels (assembly/_normal.ts), in WGSL: the same
 * streams, the same words, the same formulas, so a GPU kernel draws the same noise as the wasm one for the same
 * (key, a, b, c) — up to the last bits of WGSL's f32 division and square root (2.5 ULP in the specification) and
 * fused multiply-adds the shader compiler may form. The values therefore agree to about 1e-6 relative, and no
 * value depends on the dispatch layout (test/gpu/normals.test.ts).
 *
 * Layout: one stream of 4 xoshiro128+ lanes per (key, a, b, c); lane l (0..3) writes pair k's x to element 8k + l
 * and its y to element 8k + 4 + l. A GPU thread runs one lane (`seedLane`, then `xnext` twice per `normalPair`),
 * so four threads produce a row of any length that is a multiple of 8.
 *
 * WGSL has no 64-bit integers: the seeding hash works on vec2<u32> (low word, high word).
 */

function f32bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0];
}

/** A WGSL expression for the f32 nearest to x, exactly (as AssemblyScript's `<f32>x` rounds it). */
export function f32lit(x: number): string {
  return `bitcast<f32>(0x${f32bits(x).toString(16)}u)`;
}

/** WGSL source: `seedLane(key, a, b, c, lane) -> vec4u`, `xnext(&state) -> u32`, `normalPair(A, B) -> vec2f`. */
export const WGSL_NORMALS = /* wgsl */ `
// ---- 64-bit arithmetic on vec2<u32>(low, high) ----
fn mul32x32(a: u32, b: u32) -> vec2u {
  let a0 = a & 0xffffu; let a1 = a >> 16u; let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0; let p01 = a0 * b1; let p10 = a1 * b0; let p11 = a1 * b1;
  let mid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return vec2u((p00 & 0xffffu) | (mid << 16u), p11 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u));
}
fn mul64(a: vec2u, b: vec2u) -> vec2u {
  let p = mul32x32(a.x, b.x);
  return vec2u(p.x, p.y + a.x * b.y + a.y * b.x);
}
fn add64(a: vec2u, b: vec2u) -> vec2u {
  let lo = a.x + b.x;
  return vec2u(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}
fn shr64(a: vec2u, k: u32) -> vec2u {
  return vec2u((a.x >> k) | (a.y << (32u - k)), a.y >> k);
}
const GOLDEN64 = vec2u(0x7f4a7c15u, 0x9e3779b9u);
// SplitMix64 finaliser (Stafford's mix 13)
fn mix64(z0: vec2u) -> vec2u {
  var z = z0;
  z = mul64(z ^ shr64(z, 30u), vec2u(0x1ce4e5b9u, 0xbf58476du));
  z = mul64(z ^ shr64(z, 27u), vec2u(0x133111ebu, 0x94d049bbu));
  return z ^ shr64(z, 31u);
}
fn inc64(a: u32) -> vec2u {
  return vec2u(a + 1u, select(0u, 1u, a == 0xffffffffu));
}

/** State (s0, s1, s2, s3) of lane \`lane\` of stream (key, a, b, c): assembly/_normal.ts seedLanes. */
fn seedLane(key: vec4u, a: u32, b: u32, c: u32, lane: u32) -> vec4u {
  var h = vec2u(key.x, key.y);
  let k23 = vec2u(key.z, key.w);
  h = mix64(h ^ add64(mul64(inc64(a), GOLDEN64), k23));
  h = mix64(h ^ add64(mul64(inc64(b), vec2u(0x27d4eb4fu, 0xc2b2ae3du)), vec2u(0x9e3779f9u, 0x165667b1u)));
  h = mix64(h ^ add64(mul64(inc64(c), vec2u(0x133111ebu, 0x94d049bbu)), vec2u(0x165667c5u, 0x27d4eb2fu)));
  // the 16 state words are the halves of mix64(h + i GOLDEN64), i = 1..8; word 4k + l is s_k of lane l
  var s = vec4u(0u);
  for (var k = 0u; k < 4u; k++) {
    let w = 4u * k + lane;
    let r = mix64(add64(h, mul64(vec2u(w / 2u + 1u, 0u), GOLDEN64)));
    s[k] = select(r.y, r.x, (w & 1u) == 0u);
  }
  if ((s.x | s.y | s.z | s.w) == 0u) { s.x = 1u; }
  return s;
}

/** One xoshiro128+ step. */
fn xnext(st: ptr<function, vec4u>) -> u32 {
  var s = *st;
  let result = s.x + s.w;
  let t = s.y << 9u;
  s.z ^= s.x; s.w ^= s.y; s.y ^= s.z; s.x ^= s.w; s.z ^= t;
  s.w = (s.w << 11u) | (s.w >> 21u);
  *st = s;
  return result;
}

/** sqrt(-ln U), U = ((A >> 8) + 1) 2^-24: the Box-Muller radius over sqrt 2. */
fn bmRadius(A: u32) -> f32 {
  let K = 0x3f3504f3i;
  let F = f32(i32((A >> 8u) + 1u));
  let r = bitcast<i32>(F) - K;
  let E = r >> 23u;
  let m = bitcast<f32>((r & 0x007fffffi) + K);
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let s4 = s2 * s2;
  let lo = 2.0 + s2 * ${f32lit(2 / 3)};
  let hi = ${f32lit(2 / 5)} + s2 * ${f32lit(2 / 7)};
  let lnm = s * (lo + s4 * hi);
  return sqrt(f32(E - 24i) * ${f32lit(-0.6931471805599453)} - lnm);
}

/** The pair (x, y) of N(0, 1) values from the words A, B (assembly/_normal.ts fillNormals). */
fn normalPair(A: u32, B: u32) -> vec2f {
  let R = bmRadius(A);
  let q = f32(bitcast<i32>(B) >> 8u) * ${f32lit(1.5707963267948966 * 5.9604644775390625e-8)};
  let q2 = q * q;
  let q4 = q2 * q2;
  let c = (${f32lit(0.9999999724282153)} + q2 * ${f32lit(-0.49999856713909063)}) +
    q4 * (${f32lit(0.04165502783081945)} + q2 * ${f32lit(-0.001358592049950827)});
  let n = q * ((${f32lit(0.9999999861808004)} + q2 * ${f32lit(-0.16666636756576153)}) +
    q4 * (${f32lit(0.008331584692359492)} + q2 * ${f32lit(-0.0001946212603772396)}));
  let x = bitcast<u32>(R * (c - n)) ^ ((A << 25u) & 0x80000000u);
  let y = bitcast<u32>(R * (c + n)) ^ ((A << 24u) & 0x80000000u);
  return vec2f(bitcast<f32>(x), bitcast<f32>(y));
}
`;
