/**
 * WGSL kernels of the autoencoder's fused training step on WebGPU (host: webgpuProgram.ts). The algebra is that of
 * assembly/gmm.ts: per (time j, sample mu) six dot products <w,z>, <u,z>, <z,z>, <z,x1>, <w,x1>, <u,x1> give every
 * scalar of the forward and backward pass, and the gradient vectors are rank-n updates
 *   gu_j = sum_mu (a z + b x1) + 2K (sum h^2) u_j,   gw_j = sum_mu (e z + f x1).
 *
 * One step is three kernels over the time steps, all in float32 (WebGPU has no float64):
 *   dots    4 threads per (j, mu), one per lane of the row's normal stream (src/gpu/normals.ts): generate z into the
 *           noise buffer, accumulate the six dots (lane l sums the positions = l mod 4 in increasing order, as the
 *           wasm kernel's SIMD lane l does), combine the lanes, compute the per-sample scalars and the four
 *           rank-update coefficients.
 *   rank    one thread per (j, coordinate i): the two gradient sums over mu, in sample order.
 *   finish  one workgroup per j: tree-reduce the per-sample scalars, add the u-term, Adam (PyTorch semantics,
 *           coupled decay lU/lW on u/w), and |u_j|^2 of the new u for the next step.
 * `publish` computes |u_j|^2 with finish's own reduction after the host writes parameters, so that a resumed run
 * sees exactly the value an uninterrupted one has. Every sum has a fixed order: the result does not depend on the
 * dispatch layout or the time-step grouping (the noise buffer holds G time steps at a time).
 *
 * Buffers (array<f32> unless said): time = struct of arrays of length T (SEC_* sections), data = x1 (n, dp) then
 * |x1|^2 (n), wu = w (T, dp) then u (T, dp), mom = m_w, v_w, m_u, v_u (T, dp each), grad = gu, gw (T, dp each),
 * rowv (vec4) = coefficients (T n) then scalars (T n), z = noise of the current group (G, n, dp), noise = an explicit
 * (T, n, dp) noise tensor (test mode, FLAG_NOISE).
 */
import { WGSL_NORMALS } from '../gpu/normals.js';

export const SEC = {
  ALPHA: 0,
  BETA: 1,
  B: 2,
  C: 3,
  UU: 4,
  LOSS: 5,
  GB: 6,
  GC: 7,
  MB: 8,
  VB: 9,
  MC: 10,
  VC: 11,
} as const;
export const SEC_COUNT = 12;

export const FLAG_ADAM = 1;
export const FLAG_NOISE = 2;

/** Uniform block: 8 u32, the key (vec4u), 12 f32 = 96 bytes. Offsets in 4-byte words. */
export const UNIFORM_BYTES = 96;
export const U = {
  D: 0,
  DP: 1,
  N: 2,
  T: 3,
  J0: 4,
  ROWS: 5,
  EPOCH: 6,
  FLAGS: 7,
  KEY: 8,
  S: 12,
  K: 13,
  B1: 14,
  B1C: 15,
  B2: 16,
  B2C: 17,
  EPS: 18,
  LU: 19,
  LW: 20,
  STEP: 21,
  BC2S: 22,
} as const;

export const DOTS_WG = 64;
export const RANK_WG = 64;
export const FINISH_WG = 256;

const PARAMS = /* wgsl */ `
struct Params {
  d: u32, dp: u32, n: u32, T: u32, j0: u32, rows: u32, epoch: u32, flags: u32,
  key: vec4u,
  s: f32, K: f32, b1: f32, b1c: f32, b2: f32, b2c: f32, eps: f32, lU: f32, lW: f32, stepSize: f32, bc2s: f32, pad: f32,
}
@group(0) @binding(0) var<uniform> P: Params;
const SEC_ALPHA = ${SEC.ALPHA}u; const SEC_BETA = ${SEC.BETA}u; const SEC_B = ${SEC.B}u; const SEC_C = ${SEC.C}u;
const SEC_UU = ${SEC.UU}u; const SEC_LOSS = ${SEC.LOSS}u; const SEC_GB = ${SEC.GB}u; const SEC_GC = ${SEC.GC}u;
const SEC_MB = ${SEC.MB}u; const SEC_VB = ${SEC.VB}u; const SEC_MC = ${SEC.MC}u; const SEC_VC = ${SEC.VC}u;
const FLAG_ADAM = ${FLAG_ADAM}u; const FLAG_NOISE = ${FLAG_NOISE}u;
`;

/** tanh without overflow: a series near 0 (|x| < 0.5, relative error < 1e-7), 1 - 2/(e^{2|x|} + 1) beyond. */
const TANH = /* wgsl */ `
fn tanhSafe(x: f32) -> f32 {
  let a = abs(x);
  if (a < 0.5) {
    let x2 = x * x;
    // tanh x = x (1 - x2/3 + 2x2^2/15 - 17x2^3/315 + 62x2^4/2835 - 1382x2^5/155925 + 21844x2^6/6081075 - ...)
    let p = -0.0014558343 * x2 + 0.0035921280;
    let q = ((p * x2 - 0.0088632355) * x2 + 0.021869488) * x2 - 0.053968254;
    return x * (((q * x2 + 0.13333333) * x2 - 0.33333333) * x2 + 1.0);
  }
  let t = 1.0 - 2.0 / (exp(2.0 * min(a, 20.0)) + 1.0);
  return select(t, -t, x < 0.0);
}
`;

export const DOTS_WGSL = /* wgsl */ `
${PARAMS}
${WGSL_NORMALS}
${TANH}
@group(0) @binding(1) var<storage, read> time: array<f32>;
@group(0) @binding(2) var<storage, read> data: array<f32>;
@group(0) @binding(3) var<storage, read> wu: array<f32>;
@group(0) @binding(4) var<storage, read_write> z: array<f32>;
@group(0) @binding(5) var<storage, read_write> rowv: array<vec4f>;
@group(0) @binding(6) var<storage, read> noise: array<f32>;

var<workgroup> part: array<array<f32, 6>, ${DOTS_WG}>;

@compute @workgroup_size(${DOTS_WG})
fn dots(@builtin(global_invocation_id) gid: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = gid.x >> 2u;
  let lane = gid.x & 3u;
  let live = row < P.rows;
  var acc = array<f32, 6>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
  let n = P.n;
  let dp = P.dp;
  let jl = row / n;
  let mu = row - jl * n;
  let j = P.j0 + jl;
  if (live) {
    let wOff = j * dp;
    let uOff = (P.T + j) * dp;
    let xOff = mu * dp;
    let zOff = row * dp;
    let given = (P.flags & FLAG_NOISE) != 0u;
    let nOff = (j * n + mu) * dp;
    var st = seedLane(P.key, P.epoch, j, mu, lane);
    for (var k = 0u; k < dp / 8u; k++) {
      var v: vec2f;
      let i0 = 8u * k + lane;
      let i1 = i0 + 4u;
      if (given) {
        v = vec2f(noise[nOff + i0], noise[nOff + i1]);
      } else {
        let A = xnext(&st);
        let B = xnext(&st);
        v = normalPair(A, B);
      }
      if (i0 >= P.d) { v.x = 0.0; }
      if (i1 >= P.d) { v.y = 0.0; }
      z[zOff + i0] = v.x;
      z[zOff + i1] = v.y;
      for (var e = 0u; e < 2u; e++) {
        let i = select(i1, i0, e == 0u);
        let zv = select(v.y, v.x, e == 0u);
        let xv = data[xOff + i];
        let wv = wu[wOff + i];
        let uv = wu[uOff + i];
        acc[0] += wv * zv;
        acc[1] += uv * zv;
        acc[2] += zv * zv;
        acc[3] += zv * xv;
        acc[4] += wv * xv;
        acc[5] += uv * xv;
      }
    }
  }
  part[li] = acc;
  workgroupBarrier();
  if (live && lane == 0u) {
    var dot = array<f32, 6>(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for (var q = 0u; q < 6u; q++) {
      dot[q] = ((part[li][q] + part[li + 1u][q]) + part[li + 2u][q]) + part[li + 3u][q];
    }
    let wz = dot[0]; let uz = dot[1]; let zz = dot[2]; let zx = dot[3]; let wx = dot[4]; let ux = dot[5];
    let T = P.T;
    let alpha = time[SEC_ALPHA * T + j];
    let beta = time[SEC_BETA * T + j];
    let b = time[SEC_B * T + j];
    let c = time[SEC_C * T + j];
    let uu = time[SEC_UU * T + j];
    let xsq = data[n * dp + mu];
    let s = P.s;
    let twoK = 2.0 * P.K;
    let wxt = alpha * wz + beta * wx;
    let h = tanhSafe(b + s * wxt);
    let uxt = alpha * uz + beta * ux;
    let xx = alpha * alpha * zz + 2.0 * alpha * beta * zx + beta * beta * xsq;
    let xx1 = alpha * zx + beta * xsq;
    let ur = c * uxt + h * uu - ux;
    let xr1 = c * xx + h * uxt - xx1;
    let rr = c * c * xx + h * h * uu + xsq + 2.0 * c * h * uxt - 2.0 * c * xx1 - 2.0 * h * ux;
    let g = twoK * (1.0 - h * h) * ur;
    let r = j * n + mu;
    rowv[r] = vec4f(twoK * h * c * alpha, twoK * h * (c * beta - 1.0), g * alpha * s, g * beta * s);
    rowv[T * n + r] = vec4f(rr, g, xr1, h * h);
  }
}
`;

export const RANK_WGSL = /* wgsl */ `
${PARAMS}
@group(0) @binding(1) var<storage, read> rowv: array<vec4f>;
@group(0) @binding(2) var<storage, read> z: array<f32>;
@group(0) @binding(3) var<storage, read> data: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(${RANK_WG})
fn rank(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let jl = gid.y;
  let dp = P.dp;
  let n = P.n;
  if (i >= dp) { return; }
  let j = P.j0 + jl;
  var gu = 0.0;
  var gw = 0.0;
  for (var mu = 0u; mu < n; mu++) {
    let cf = rowv[j * n + mu];
    let zv = z[(jl * n + mu) * dp + i];
    let xv = data[mu * dp + i];
    gu += cf.x * zv + cf.y * xv;
    gw += cf.z * zv + cf.w * xv;
  }
  grad[j * dp + i] = gu;
  grad[(P.T + j) * dp + i] = gw;
}
`;

const REDUCE = /* wgsl */ `
var<workgroup> red: array<vec4f, ${FINISH_WG}>;

/** Sum of red[0..${FINISH_WG}) by a fixed tree; every thread gets the total. */
fn treeSum(t: u32) -> vec4f {
  for (var s = ${FINISH_WG / 2}u; s > 0u; s >>= 1u) {
    if (t < s) { red[t] += red[t + s]; }
    workgroupBarrier();
  }
  let total = red[0];
  workgroupBarrier();
  return total;
}
`;

export const FINISH_WGSL = /* wgsl */ `
${PARAMS}
@group(0) @binding(1) var<storage, read_write> time: array<f32>;
@group(0) @binding(2) var<storage, read> rowv: array<vec4f>;
@group(0) @binding(3) var<storage, read_write> wu: array<f32>;
@group(0) @binding(4) var<storage, read_write> mom: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;
${REDUCE}

/** PyTorch Adam with coupled decay wd: (theta, m, v) after one step. */
fn adamOne(theta: f32, g0: f32, m0: f32, v0: f32, wd: f32) -> vec3f {
  let g = g0 + wd * theta;
  let m = P.b1 * m0 + P.b1c * g;
  let v = P.b2 * v0 + P.b2c * g * g;
  return vec3f(theta - P.stepSize * (m / (sqrt(v) / P.bc2s + P.eps)), m, v);
}

@compute @workgroup_size(${FINISH_WG})
fn finish(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let j = wid.x;
  let T = P.T;
  let n = P.n;
  let dp = P.dp;
  let TD = T * dp;
  var acc = vec4f(0.0);
  for (var mu = t; mu < n; mu += ${FINISH_WG}u) { acc += rowv[T * n + j * n + mu]; }
  red[t] = acc;
  workgroupBarrier();
  let tot = treeSum(t);
  let twoK = 2.0 * P.K;
  let hhK = twoK * tot.w;
  let adam = (P.flags & FLAG_ADAM) != 0u;
  var uu = 0.0;
  for (var i = t; i < dp; i += ${FINISH_WG}u) {
    let ix = j * dp + i;
    let u = wu[TD + ix];
    let w = wu[ix];
    let gU = grad[ix] + hhK * u;
    let gW = grad[TD + ix];
    grad[ix] = gU;
    var un = u;
    if (adam && i < P.d) {
      let nu = adamOne(u, gU, mom[2u * TD + ix], mom[3u * TD + ix], P.lU);
      let nw = adamOne(w, gW, mom[ix], mom[TD + ix], P.lW);
      un = nu.x;
      wu[TD + ix] = nu.x; mom[2u * TD + ix] = nu.y; mom[3u * TD + ix] = nu.z;
      wu[ix] = nw.x; mom[ix] = nw.y; mom[TD + ix] = nw.z;
    }
    uu += un * un;
  }
  red[t] = vec4f(uu, 0.0, 0.0, 0.0);
  workgroupBarrier();
  let uuTot = treeSum(t).x;
  if (t == 0u) {
    let gb = tot.y;
    let gc = twoK * tot.z;
    time[SEC_UU * T + j] = uuTot;
    time[SEC_LOSS * T + j] = tot.x * P.K;
    time[SEC_GB * T + j] = gb;
    time[SEC_GC * T + j] = gc;
    if (adam) {
      let nb = adamOne(time[SEC_B * T + j], gb, time[SEC_MB * T + j], time[SEC_VB * T + j], 0.0);
      let nc = adamOne(time[SEC_C * T + j], gc, time[SEC_MC * T + j], time[SEC_VC * T + j], 0.0);
      time[SEC_B * T + j] = nb.x; time[SEC_MB * T + j] = nb.y; time[SEC_VB * T + j] = nb.z;
      time[SEC_C * T + j] = nc.x; time[SEC_MC * T + j] = nc.y; time[SEC_VC * T + j] = nc.z;
    }
  }
}
`;

export const PUBLISH_WGSL = /* wgsl */ `
${PARAMS}
@group(0) @binding(1) var<storage, read_write> time: array<f32>;
@group(0) @binding(2) var<storage, read> wu: array<f32>;
${REDUCE}

@compute @workgroup_size(${FINISH_WG})
fn publish(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) t: u32) {
  let j = wid.x;
  let dp = P.dp;
  let TD = P.T * dp;
  var uu = 0.0;
  for (var i = t; i < dp; i += ${FINISH_WG}u) {
    let u = wu[TD + j * dp + i];
    uu += u * u;
  }
  red[t] = vec4f(uu, 0.0, 0.0, 0.0);
  workgroupBarrier();
  let uuTot = treeSum(t).x;
  if (t == 0u) { time[SEC_UU * P.T + j] = uuTot; }
}
`;
