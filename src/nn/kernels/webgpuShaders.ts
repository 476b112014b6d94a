/**
 * WGSL kernels of the network engine on WebGPU (host: webgpuProgram.ts; contracts: backend.ts; oracle: ref.ts).
 *
 * Memory model: the engine's heap is one float32 storage buffer H, and every pointer is an element offset into it,
 * exactly as in the wasm backend; each dispatch gets its integer and float arguments in a 256-byte uniform slot
 * (dynamic offset) — ints in `au(k)`, floats in `af(k)`. R is a scratch buffer for reductions. All kernels share one
 * bind group layout, so one bind group serves every dispatch.
 *
 * The kernels are direct (one thread per output element, or one workgroup per row or group for reductions), written
 * for correctness first: the convolutions loop over their taps, GEMM is a 16 x 16 shared-memory tiling. Every sum runs
 * in a fixed order, so results do not depend on timing.
 */

/** Workgroup size of the element-wise kernels; their grid is 2-D when n / 256 exceeds 65535 (see `elementId`). */
export const WG = 256;
export const TILE = 16;
/** Partial sums of the reductions (sumSq, sqErr): at most this many workgroups, then one final workgroup. */
export const PARTIALS = 1024;
/** R[RESULT] holds a reduction's total. */
export const RESULT = PARTIALS;

const HEADER = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> H: array<f32>;
struct Args { u: array<vec4u, 8>, f: array<vec4f, 8> }
@group(0) @binding(1) var<uniform> A: Args;
@group(0) @binding(2) var<storage, read_write> R: array<f32>;
fn au(k: u32) -> u32 { return A.u[k / 4u][k % 4u]; }
fn af(k: u32) -> f32 { return A.f[k / 4u][k % 4u]; }
fn elementId(g: vec3u, nw: vec3u) -> u32 { return g.y * nw.x * ${WG}u + g.x; }
fn sigmoid(v: f32) -> f32 { return 1.0 / (1.0 + exp(-v)); }
var<workgroup> red: array<f32, ${WG}>;
/** Sum of red[0..${WG}) by a fixed tree; every thread gets it. */
fn treeSum(t: u32) -> f32 {
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { red[t] += red[t + s]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}
fn treeMax(t: u32) -> f32 {
  workgroupBarrier();
  for (var s = ${WG / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { red[t] = max(red[t], red[t + s]); }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}
`;

/** Element-wise kernels: u0 = n, then pointers; floats as noted. */
const ELEMENTWISE = /* wgsl */ `
@compute @workgroup_size(${WG}) fn fill(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  H[au(1) + i] = af(0);
}
@compute @workgroup_size(${WG}) fn copy(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  H[au(2) + i] = H[au(1) + i];
}
// u: n = rows*len, src, srcStride, dst, dstStride, len
@compute @workgroup_size(${WG}) fn copyRows(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  let r = i / au(5); let j = i - r * au(5);
  H[au(3) + r * au(4) + j] = H[au(1) + r * au(2) + j];
}
@compute @workgroup_size(${WG}) fn axpy(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  H[au(2) + i] += af(0) * H[au(1) + i];
}
@compute @workgroup_size(${WG}) fn add(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  H[au(3) + i] = H[au(1) + i] + H[au(2) + i];
}
@compute @workgroup_size(${WG}) fn scale(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  H[au(1) + i] *= af(0);
}
@compute @workgroup_size(${WG}) fn reluF(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  H[au(2) + i] = max(H[au(1) + i], 0.0);
}
@compute @workgroup_size(${WG}) fn reluB(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  H[au(3) + i] = select(0.0, H[au(2) + i], H[au(1) + i] > 0.0);
}
@compute @workgroup_size(${WG}) fn siluF(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  let v = H[au(1) + i];
  H[au(2) + i] = v * sigmoid(v);
}
@compute @workgroup_size(${WG}) fn siluB(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  let v = H[au(1) + i];
  let s = sigmoid(v);
  H[au(3) + i] = H[au(2) + i] * s * (1.0 + v * (1.0 - s));
}
// u: n = N*C*P, y, e, C, P, es
@compute @workgroup_size(${WG}) fn addNC(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  let nc = i / au(4); let n = nc / au(3); let c = nc - n * au(3);
  H[au(1) + i] += H[au(2) + n * au(5) + c];
}
// one thread per (n, c); u: N*C, y, out, C, P, os
@compute @workgroup_size(${WG}) fn sumNC(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let q = elementId(g, nw); if (q >= au(0)) { return; }
  let n = q / au(3); let c = q - n * au(3);
  var s = 0.0;
  for (var p = 0u; p < au(4); p++) { s += H[au(1) + q * au(4) + p]; }
  H[au(2) + n * au(5) + c] += s;
}
// u: n = planes*Ho*Wo, x, y, H, W
@compute @workgroup_size(${WG}) fn poolF(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  let W = au(4); let Ho = au(3) / 2u; let Wo = W / 2u;
  let q = i / (Ho * Wo); let r = i - q * Ho * Wo; let oi = r / Wo; let oj = r - oi * Wo;
  let s = au(1) + q * au(3) * W + 2u * oi * W + 2u * oj;
  H[au(2) + i] = 0.25 * (H[s] + H[s + 1u] + H[s + W] + H[s + W + 1u]);
}
// one thread per dx element; u: n = planes*H*W, dy, dx, H, W
@compute @workgroup_size(${WG}) fn poolB(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  let Hh = au(3); let W = au(4); let Ho = Hh / 2u; let Wo = W / 2u;
  let q = i / (Hh * W); let r = i - q * Hh * W; let ih = r / W; let iw = r - ih * W;
  var v = 0.0;
  if (ih < 2u * Ho && iw < 2u * Wo) { v = 0.25 * H[au(1) + q * Ho * Wo + (ih / 2u) * Wo + iw / 2u]; }
  H[au(2) + i] = v;
}
// one thread per y element; u: n = planes*4*H*W, x, y, H, W
@compute @workgroup_size(${WG}) fn upF(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  let Hh = au(3); let W = au(4);
  let q = i / (4u * Hh * W); let r = i - q * 4u * Hh * W; let oi = r / (2u * W); let oj = r - oi * 2u * W;
  H[au(2) + i] = H[au(1) + q * Hh * W + (oi / 2u) * W + oj / 2u];
}
// one thread per dx element; u: n = planes*H*W, dy, dx, H, W
@compute @workgroup_size(${WG}) fn upB(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  let Hh = au(3); let W = au(4);
  let q = i / (Hh * W); let r = i - q * Hh * W; let ih = r / W; let iw = r - ih * W;
  let s = au(1) + q * 4u * Hh * W + 2u * ih * 2u * W + 2u * iw;
  H[au(2) + i] = (H[s] + H[s + 1u]) + (H[s + 2u * W] + H[s + 2u * W + 1u]);
}
// u: n, p, g, m, v, decoupled; f: lr, b1, b2, eps, wd, c1, c2
@compute @workgroup_size(${WG}) fn adam(@builtin(global_invocation_id) gi: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(gi, nw); if (i >= au(0)) { return; }
  let decoupled = au(5) != 0u;
  let lr = af(0); let b1 = af(1); let b2 = af(2); let eps = af(3); let wd = af(4);
  var pv = H[au(1) + i];
  let gv = H[au(2) + i] + select(wd * pv, 0.0, decoupled);
  let mv = b1 * H[au(3) + i] + (1.0 - b1) * gv;
  let vv = b2 * H[au(4) + i] + (1.0 - b2) * gv * gv;
  H[au(3) + i] = mv;
  H[au(4) + i] = vv;
  if (decoupled) { pv *= 1.0 - lr * wd; }
  H[au(1) + i] = pv - ((lr / af(5)) * mv) / (sqrt(vv / af(6)) + eps);
}
// u: n, s, p; f: decay
@compute @workgroup_size(${WG}) fn ema(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(0)) { return; }
  H[au(1) + i] = af(0) * H[au(1) + i] + (1.0 - af(0)) * H[au(2) + i];
}
`;

/**
 * Reductions. `sqPartial` (u: n, x, t, g, hasT, hasG, chunk; f: gscale): workgroup w sums d^2 over its chunk, d = x
 * (sumSq) or x - t (sqErr, writing g = gscale d when hasG), into R[w]; `sumFinal` (u: count) sums R[0..count) into
 * R[RESULT].
 */
const REDUCTIONS = /* wgsl */ `
@compute @workgroup_size(${WG})
fn sqPartial(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let n = au(0); let chunk = au(6);
  let start = wid.x * chunk;
  let end = min(start + chunk, n);
  var s = 0.0;
  for (var i = start + t; i < end; i += ${WG}u) {
    var d = H[au(1) + i];
    if (au(4) != 0u) { d -= H[au(2) + i]; }
    if (au(5) != 0u) { H[au(3) + i] = af(0) * d; }
    s += d * d;
  }
  red[t] = s;
  let total = treeSum(t);
  if (t == 0u) { R[wid.x] = total; }
}
@compute @workgroup_size(${WG})
fn sumFinal(@builtin(local_invocation_index) t: u32) {
  var s = 0.0;
  for (var i = t; i < au(0); i += ${WG}u) { s += R[i]; }
  red[t] = s;
  let total = treeSum(t);
  if (t == 0u) { R[${RESULT}u] = total; }
}
`;

/**
 * C = alpha op(A) op(B) + beta C, row-major, 16 x 16 tiles. u: M, N, K, a, lda, b, ldb, c, ldc, transA, transB;
 * f: alpha, beta (beta = 0 never reads C).
 */
const GEMM = /* wgsl */ `
var<workgroup> tA: array<array<f32, ${TILE}>, ${TILE}>;
var<workgroup> tB: array<array<f32, ${TILE}>, ${TILE}>;
fn loadA(i: u32, k: u32) -> f32 {
  if (i >= au(0) || k >= au(2)) { return 0.0; }
  return select(H[au(3) + i * au(4) + k], H[au(3) + k * au(4) + i], au(9) != 0u);
}
fn loadB(k: u32, j: u32) -> f32 {
  if (k >= au(2) || j >= au(1)) { return 0.0; }
  return select(H[au(5) + k * au(6) + j], H[au(5) + j * au(6) + k], au(10) != 0u);
}
@compute @workgroup_size(${TILE}, ${TILE})
fn gemm(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) l: vec3u) {
  let i = wid.y * ${TILE}u + l.y;
  let j = wid.x * ${TILE}u + l.x;
  var s = 0.0;
  for (var k0 = 0u; k0 < au(2); k0 += ${TILE}u) {
    tA[l.y][l.x] = loadA(i, k0 + l.x);
    tB[l.y][l.x] = loadB(k0 + l.y, j);
    workgroupBarrier();
    for (var k = 0u; k < ${TILE}u; k++) { s += tA[l.y][k] * tB[k][l.x]; }
    workgroupBarrier();
  }
  if (i < au(0) && j < au(1)) {
    let q = au(7) + i * au(8) + j;
    var v = af(0) * s;
    if (af(1) != 0.0) { v += af(1) * H[q]; }
    H[q] = v;
  }
}
`;

/**
 * Convolutions, NCHW, direct. u: N, Ci, H, W, Co, KH, KW, sh, sw, ph, pw, Ho, Wo, then x/dy/w/... pointers from
 * u(13); flags where noted. A tap (i, j, a, b) reads input (i sh - ph + a, j sw - pw + b).
 */
const CONV = /* wgsl */ `
// y (N, Co, Ho, Wo); u13 x, u14 w, u15 bias (0 none), u16 y, u17 residual (0 none)
@compute @workgroup_size(${WG}) fn convF(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let q = elementId(g, nw);
  let P = au(11) * au(12);
  if (q >= au(0) * au(4) * P) { return; }
  let no = q / P; let n = no / au(4); let o = no - n * au(4);
  let r = q - no * P; let i = r / au(12); let j = r - i * au(12);
  var s = 0.0;
  if (au(15) != 0u) { s = H[au(15) + o]; }
  for (var c = 0u; c < au(1); c++) {
    for (var a = 0u; a < au(5); a++) {
      let ih = i32(i * au(7) + a) - i32(au(9));
      if (ih < 0 || ih >= i32(au(2))) { continue; }
      for (var b = 0u; b < au(6); b++) {
        let iw = i32(j * au(8) + b) - i32(au(10));
        if (iw < 0 || iw >= i32(au(3))) { continue; }
        s += H[au(14) + ((o * au(1) + c) * au(5) + a) * au(6) + b] *
          H[au(13) + (n * au(1) + c) * au(2) * au(3) + u32(ih) * au(3) + u32(iw)];
      }
    }
  }
  if (au(17) != 0u) { s += H[au(17) + q]; }
  H[au(16) + q] = s;
}
// dx (N, Ci, H, W) overwritten; u13 w, u14 dy, u15 dx
@compute @workgroup_size(${WG}) fn convBD(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let q = elementId(g, nw);
  let HW = au(2) * au(3);
  if (q >= au(0) * au(1) * HW) { return; }
  let nc = q / HW; let n = nc / au(1); let c = nc - n * au(1);
  let r = q - nc * HW; let ih = r / au(3); let iw = r - ih * au(3);
  var s = 0.0;
  for (var o = 0u; o < au(4); o++) {
    for (var a = 0u; a < au(5); a++) {
      let ti = i32(ih + au(9)) - i32(a);
      if (ti < 0 || ti % i32(au(7)) != 0) { continue; }
      let i = u32(ti) / au(7);
      if (i >= au(11)) { continue; }
      for (var b = 0u; b < au(6); b++) {
        let tj = i32(iw + au(10)) - i32(b);
        if (tj < 0 || tj % i32(au(8)) != 0) { continue; }
        let j = u32(tj) / au(8);
        if (j >= au(12)) { continue; }
        s += H[au(13) + ((o * au(1) + c) * au(5) + a) * au(6) + b] *
          H[au(14) + (n * au(4) + o) * au(11) * au(12) + i * au(12) + j];
      }
    }
  }
  H[au(15) + q] = s;
}
// dw (Co, Ci, KH, KW) accumulated; u13 x, u14 dy, u15 dw
@compute @workgroup_size(${WG}) fn convBW(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let q = elementId(g, nw);
  let KK = au(5) * au(6);
  if (q >= au(4) * au(1) * KK) { return; }
  let oc = q / KK; let o = oc / au(1); let c = oc - o * au(1);
  let r = q - oc * KK; let a = r / au(6); let b = r - a * au(6);
  var s = 0.0;
  for (var n = 0u; n < au(0); n++) {
    for (var i = 0u; i < au(11); i++) {
      let ih = i32(i * au(7) + a) - i32(au(9));
      if (ih < 0 || ih >= i32(au(2))) { continue; }
      for (var j = 0u; j < au(12); j++) {
        let iw = i32(j * au(8) + b) - i32(au(10));
        if (iw < 0 || iw >= i32(au(3))) { continue; }
        s += H[au(14) + (n * au(4) + o) * au(11) * au(12) + i * au(12) + j] *
          H[au(13) + (n * au(1) + c) * au(2) * au(3) + u32(ih) * au(3) + u32(iw)];
      }
    }
  }
  H[au(15) + q] += s;
}
// dbias (Co) accumulated; u13 dy, u14 dbias
@compute @workgroup_size(${WG}) fn convBB(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let o = elementId(g, nw);
  if (o >= au(4)) { return; }
  let P = au(11) * au(12);
  var s = 0.0;
  for (var n = 0u; n < au(0); n++) {
    for (var p = 0u; p < P; p++) { s += H[au(13) + (n * au(4) + o) * P + p]; }
  }
  H[au(14) + o] += s;
}
`;

/**
 * GroupNorm over (N, C, P), G groups of Cg = C / G channels; one workgroup per (n, g) for the statistics and the
 * backward pass, one thread per channel for dgamma/dbeta. u: N, C, P, G, then pointers; f: eps.
 */
const GROUPNORM = /* wgsl */ `
// u4 x, u5 mean, u6 rstd; f0 eps
@compute @workgroup_size(${WG})
fn gnStats(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let q = wid.x;
  let n = q / au(3); let gg = q - n * au(3);
  let Cg = au(1) / au(3); let m = Cg * au(2);
  let base = au(4) + (n * au(1) + gg * Cg) * au(2);
  var s = 0.0;
  for (var k = t; k < m; k += ${WG}u) { s += H[base + k]; }
  red[t] = s;
  let mu = treeSum(t) / f32(m);
  var v = 0.0;
  for (var k = t; k < m; k += ${WG}u) { let d = H[base + k] - mu; v += d * d; }
  red[t] = v;
  let rs = 1.0 / sqrt(treeSum(t) / f32(m) + af(0));
  if (t == 0u) { H[au(5) + q] = mu; H[au(6) + q] = rs; }
}
// y = (x - mean) rstd gamma + beta, then SiLU when u11 != 0; one thread per element.
// u4 x, u5 mean, u6 rstd, u7 gamma, u8 beta, u9 y, u10 n = N*C*P, u11 silu
@compute @workgroup_size(${WG}) fn gnApply(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let i = elementId(g, nw); if (i >= au(10)) { return; }
  let nc = i / au(2); let n = nc / au(1); let c = nc - n * au(1);
  let q = n * au(3) + c / (au(1) / au(3));
  var y = (H[au(4) + i] - H[au(5) + q]) * H[au(6) + q] * H[au(7) + c] + H[au(8) + c];
  if (au(11) != 0u) { y = y * sigmoid(y); }
  H[au(9) + i] = y;
}
// dx of one (n, g); u4 x, u5 gamma, u6 mean, u7 rstd, u8 dy, u9 dx
@compute @workgroup_size(${WG})
fn gnBack(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let q = wid.x;
  let n = q / au(3); let gg = q - n * au(3);
  let Cg = au(1) / au(3); let m = Cg * au(2);
  let off = (n * au(1) + gg * Cg) * au(2);
  let mu = H[au(6) + q]; let rs = H[au(7) + q];
  var sa = 0.0;
  var sb = 0.0;
  for (var k = t; k < m; k += ${WG}u) {
    let c = gg * Cg + k / au(2);
    let xhat = (H[au(4) + off + k] - mu) * rs;
    let gd = H[au(5) + c] * H[au(8) + off + k];
    sa += gd;
    sb += gd * xhat;
  }
  red[t] = sa;
  let Asum = treeSum(t);
  red[t] = sb;
  let Bsum = treeSum(t);
  for (var k = t; k < m; k += ${WG}u) {
    let c = gg * Cg + k / au(2);
    let xhat = (H[au(4) + off + k] - mu) * rs;
    H[au(9) + off + k] = rs * (H[au(5) + c] * H[au(8) + off + k] - Asum / f32(m) - xhat * Bsum / f32(m));
  }
}
// dgamma, dbeta accumulated, one thread per channel; u4 x, u5 mean, u6 rstd, u7 dy, u8 dgamma, u9 dbeta
@compute @workgroup_size(${WG}) fn gnParams(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nw: vec3u) {
  let c = elementId(g, nw); if (c >= au(1)) { return; }
  let gg = c / (au(1) / au(3));
  var dg = 0.0;
  var db = 0.0;
  for (var n = 0u; n < au(0); n++) {
    let q = n * au(3) + gg;
    let mu = H[au(5) + q]; let rs = H[au(6) + q];
    let base = (n * au(1) + c) * au(2);
    for (var p = 0u; p < au(2); p++) {
      let d = H[au(7) + base + p];
      dg += d * (H[au(4) + base + p] - mu) * rs;
      db += d;
    }
  }
  if (au(8) != 0u) { H[au(8) + c] += dg; }
  if (au(9) != 0u) { H[au(9) + c] += db; }
}
`;

/** Row softmax in place (u: x, L) and its backward for attention (u: a, dA, L: dA = a (dA - sum dA a)). */
const SOFTMAX = /* wgsl */ `
@compute @workgroup_size(${WG})
fn softmax(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let L = au(1);
  let row = au(0) + wid.x * L;
  var mx = -3.4e38;
  for (var j = t; j < L; j += ${WG}u) { mx = max(mx, H[row + j]); }
  red[t] = mx;
  let m = treeMax(t);
  var s = 0.0;
  for (var j = t; j < L; j += ${WG}u) { let e = exp(H[row + j] - m); H[row + j] = e; s += e; }
  red[t] = s;
  let total = treeSum(t);
  for (var j = t; j < L; j += ${WG}u) { H[row + j] /= total; }
}
@compute @workgroup_size(${WG})
fn softmaxBack(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let L = au(2);
  let ra = au(0) + wid.x * L;
  let rd = au(1) + wid.x * L;
  var s = 0.0;
  for (var j = t; j < L; j += ${WG}u) { s += H[rd + j] * H[ra + j]; }
  red[t] = s;
  let total = treeSum(t);
  for (var j = t; j < L; j += ${WG}u) { H[rd + j] = H[ra + j] * (H[rd + j] - total); }
}
`;

export const NN_WGSL = [HEADER, ELEMENTWISE, REDUCTIONS, GEMM, CONV, GROUPNORM, SOFTMAX].join('\n');

/** Entry points of NN_WGSL. */
export const NN_ENTRIES = [
  'fill',
  'copy',
  'copyRows',
  'axpy',
  'add',
  'scale',
  'reluF',
  'reluB',
  'siluF',
  'siluB',
  'addNC',
  'sumNC',
  'poolF',
  'poolB',
  'upF',
  'upB',
  'adam',
  'ema',
  'sqPartial',
  'sumFinal',
  'gemm',
  'convF',
  'convBD',
  'convBW',
  'convBB',
  'gnStats',
  'gnApply',
  'gnBack',
  'gnParams',
  'softmax',
  'softmaxBack',
] as const;
export type NnEntry = (typeof NN_ENTRIES)[number];
