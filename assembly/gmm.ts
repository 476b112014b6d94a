// The paper's per-time-step autoencoder (docs/method.md §2.5–2.6): one fused training step in wasm SIMD (f32x4), run by
// every executor of a worker pool on shared memory. Host side: src/autoencoder/wasmBackend.ts (keep CTX_* in sync
// with src/autoencoder/wasmLayout.ts; `layoutSlots()` lets the host check).
//
// Model, per grid time j (parameters w_j, u_j in R^d; b_j, c_j scalars), with s = 1/(sqrt(d) c0):
//   x   = alpha_j z + beta_j x1,        z ~ N(0, I_d) fresh every epoch
//   pre = b_j + s <w_j, x>,  h = tanh(pre),  f = c_j x + u_j h,  r = f - x1
//   L   = K sum_j sum_mu |r|^2,          K = 1/(d T)
// Gradients (per j, sums over the n training samples mu):
//   dL/du = 2K sum h r                = 2K [ sum h (c alpha) z + sum h (c beta - 1) x1 + u sum h^2 ]
//   g_mu  = dL/dpre = 2K (1 - h^2) <u, r>
//   dL/dw = s sum g x                 = sum (g alpha s) z + sum (g beta s) x1
//   dL/db = sum g,   dL/dc = 2K sum <x, r>
// Every scalar needs only six dot products per (j, mu): <w,z>, <u,z>, <z,z>, <z,x1> (noise-dependent) and <w,x1>,
// <u,x1>; with |x1|^2 and |u|^2 precomputed,
//   <w,x> = alpha <w,z> + beta <w,x1>              <u,x> = alpha <u,z> + beta <u,x1>
//   |x|^2 = alpha^2 <z,z> + 2 alpha beta <z,x1> + beta^2 |x1|^2     <x,x1> = alpha <z,x1> + beta |x1|^2
//   <u,r> = c <u,x> + h |u|^2 - <u,x1>       <x,r> = c |x|^2 + h <u,x> - <x,x1>
//   |r|^2 = c^2 |x|^2 + h^2 |u|^2 + |x1|^2 + 2 c h <u,x> - 2 c <x,x1> - 2 h <u,x1>
// So a step is: per (j, block of samples) generate z into a small cache-resident buffer (the (T, n, d) noise tensor
// never exists), one pass for the six dots, then one rank-update pass accumulating the two gradient vectors.
//
// Work units are (j, chunk of samples), handed out through an atomic counter; each unit writes its own partial
// gradient slot. The executor that completes the last chunk of time j reduces the slots in chunk order (f64), applies
// Adam (PyTorch semantics, f64 master weights) and republishes the f32 working copies. Unit boundaries depend only on
// (n, T), and z only on (key, epoch, j, mu), so results are bitwise independent of the number of executors.
//
// Noise: z for (epoch, j, mu) is stream seedLanes(key, epoch, j, mu) of the 4-lane SIMD normal generator
// (assembly/_normal.ts), dp values with the tail d..dp-1 zeroed. Test mode (CTX_NOISE != 0) reads z from an explicit
// (T, n, dp) f32 tensor instead.
//
// Measured (one Zen 3 core at 2.45 GHz, d 1000, n 128, T 40, about 12 ms per step on one thread; perf profile):
// normal generation about 60% (1.35 ns per value), the dot and rank-update passes about 35%, reduction and Adam 3%.
// The block of noise is therefore kept in L1 between the two passes (one store and two reloads per value) rather
// than regenerated from a saved generator state, which would add the generation time again (about 7 ms). The block
// size (1 to 12 rows) made no measurable difference.

import { fillNormals, seedLanes } from './_normal';
import {
  CTX_D, CTX_DP, CTX_N, CTX_T, CTX_NCHUNK, CTX_BLOCK, CTX_X1, CTX_X1SQ, CTX_ALPHA, CTX_BETA, CTX_W, CTX_U, CTX_B, CTX_C, CTX_WF, CTX_UF, CTX_UU, CTX_MW, CTX_VW, CTX_MU, CTX_VU, CTX_MB, CTX_VB, CTX_MC, CTX_VC, CTX_SLOTS, CTX_SLOTSC, CTX_GW, CTX_GU, CTX_GB, CTX_GC, CTX_LOSS, CTX_COUNTERS, CTX_SCRATCH, CTX_SCRATCH_STRIDE, CTX_NOISE, CTX_KEY0, CTX_KEY1, CTX_KEY2, CTX_KEY3, CTX_EPOCH, CTX_SCALE, CTX_K, CTX_LR, CTX_BETA1, CTX_BETA2, CTX_EPS, CTX_LU, CTX_LW, CTX_STEP_SIZE, CTX_BC2_SQRT, CTX_FLAGS, CTX_SLOT_COUNT, FLAG_ADAM, LAYOUT_VERSION,
} from '../src/autoencoder/gmmLayout';

// ---- context: an array of 8-byte slots. Integer and pointer slots hold a u32 in their first four bytes; the slots
// marked f64 hold a double. (Storing integers as doubles cost a trapping float-to-int conversion at every use, and
// V8 left some of those inside the inner loops: a third of the step, measured.) ----
// (CTX_* slot numbers, CTX_SLOT_COUNT, FLAG_ADAM and LAYOUT_VERSION: src/autoencoder/gmmLayout.ts)

// per-executor scratch: [rng state 64 B][coefficients BLOCK x 4 f32][z pointers BLOCK x 4 B, padded][z BLOCK x dp f32]
const SCR_RNG: usize = 0;
const SCR_COEF: usize = 64;

// @ts-ignore: decorator
@inline function slot(ctx: usize, k: i32): f64 {
  return load<f64>(ctx + (<usize>k << 3));
}
// @ts-ignore: decorator
@inline function islot(ctx: usize, k: i32): i32 {
  return load<i32>(ctx + (<usize>k << 3));
}
// @ts-ignore: decorator
@inline function pslot(ctx: usize, k: i32): usize {
  return load<u32>(ctx + (<usize>k << 3));
}

/** Number of context slots (the host checks its layout against this). */
export function layoutSlots(): i32 {
  return CTX_SLOT_COUNT;
}

/** Version of the context layout and kernel contract (bumped on any incompatible change; the host checks it). */
export function layoutVersion(): i32 {
  return LAYOUT_VERSION;
}

/** First free byte above the static data: the host allocator starts here. */
export function heapBase(): usize {
  return __heap_base;
}

/** Bytes of per-executor scratch the kernel needs for block size `block` and padded dimension `dp`. */
export function scratchBytes(block: i32, dp: i32): i32 {
  return <i32>scratchZ(block) + block * dp * 4;
}

// @ts-ignore: decorator
@inline function scratchZ(block: i32): usize {
  // coefficients (16 B per sample), then one pointer per sample, rounded up to 16 B
  return (SCR_COEF + (<usize>block << 4) + (<usize>block << 2) + 15) & ~(<usize>15);
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/**
 * One work unit: time step j, samples [r0, r1). Writes the unit's partial gradient (f32 gu, gw) and scalars
 * (loss, gb, gc, sum h^2; f64) into its slot.
 */
function processUnit(ctx: usize, scr: usize, unit: i32, j: i32, r0: i32, r1: i32): void {
  const d = islot(ctx, CTX_D);
  const dp = islot(ctx, CTX_DP);
  const n = islot(ctx, CTX_N);
  const block = islot(ctx, CTX_BLOCK);
  const rowBytes = <usize>dp << 2;
  const jp = <usize>j;
  const alpha = load<f64>(pslot(ctx, CTX_ALPHA) + (jp << 3));
  const beta = load<f64>(pslot(ctx, CTX_BETA) + (jp << 3));
  const b = load<f64>(pslot(ctx, CTX_B) + (jp << 3));
  const c = load<f64>(pslot(ctx, CTX_C) + (jp << 3));
  const uu = load<f64>(pslot(ctx, CTX_UU) + (jp << 3));
  const s = slot(ctx, CTX_SCALE);
  const twoK = 2 * slot(ctx, CTX_K);
  const wf = pslot(ctx, CTX_WF) + jp * rowBytes;
  const uf = pslot(ctx, CTX_UF) + jp * rowBytes;
  const x1 = pslot(ctx, CTX_X1);
  const x1sq = pslot(ctx, CTX_X1SQ);
  const noise = pslot(ctx, CTX_NOISE);
  const gu = pslot(ctx, CTX_SLOTS) + (<usize>unit) * (rowBytes << 1);
  const gw = gu + rowBytes;
  const rng = scr + SCR_RNG;
  const coef = scr + SCR_COEF;
  const zptrs = coef + (<usize>block << 4);
  const zbuf = scr + scratchZ(block);
  const k0 = <u32>islot(ctx, CTX_KEY0);
  const k1 = <u32>islot(ctx, CTX_KEY1);
  const k2 = <u32>islot(ctx, CTX_KEY2);
  const k3 = <u32>islot(ctx, CTX_KEY3);
  const epoch = <u32>islot(ctx, CTX_EPOCH);

  memory.fill(gu, 0, rowBytes << 1);
  let loss = 0.0, gb = 0.0, gc = 0.0, hh = 0.0;

  for (let blk = r0; blk < r1; blk += block) {
    const rows = min(block, r1 - blk);
    // 1. noise for the block: generated into the scratch buffer (or taken from the explicit tensor)
    for (let k = 0; k < rows; k++) {
      const mu = blk + k;
      let z: usize;
      if (noise != 0) {
        z = noise + ((jp * <usize>n + <usize>mu) * rowBytes);
      } else {
        z = zbuf + <usize>k * rowBytes;
        seedLanes(rng, k0, k1, k2, k3, epoch, <u32>j, <u32>mu);
        fillNormals(z, dp, rng);
        if (dp > d) memory.fill(z + (<usize>d << 2), 0, <usize>(dp - d) << 2);
      }
      store<u32>(zptrs + (<usize>k << 2), <u32>z);
    }
    // 2. the six dot products per sample, then its scalars and gradient coefficients
    for (let k = 0; k < rows; k++) {
      const mu = blk + k;
      const z = <usize>load<u32>(zptrs + (<usize>k << 2));
      const xr = x1 + <usize>mu * rowBytes;
      let awz = f32x4.splat(0), auz = f32x4.splat(0), azz = f32x4.splat(0);
      let azx = f32x4.splat(0), awx = f32x4.splat(0), aux = f32x4.splat(0);
      for (let o: usize = 0; o < rowBytes; o += 16) {
        const zv = v128.load(z + o);
        const xv = v128.load(xr + o);
        const wv = v128.load(wf + o);
        const uv = v128.load(uf + o);
        awz = f32x4.add(awz, f32x4.mul(wv, zv));
        auz = f32x4.add(auz, f32x4.mul(uv, zv));
        azz = f32x4.add(azz, f32x4.mul(zv, zv));
        azx = f32x4.add(azx, f32x4.mul(zv, xv));
        awx = f32x4.add(awx, f32x4.mul(wv, xv));
        aux = f32x4.add(aux, f32x4.mul(uv, xv));
      }
      const wz = hsum(awz), uz = hsum(auz), zz = hsum(azz), zx = hsum(azx), wx = hsum(awx), ux = hsum(aux);
      const xsq = load<f64>(x1sq + (<usize>mu << 3));
      const wxt = alpha * wz + beta * wx; // <w, x>
      const h = Math.tanh(b + s * wxt);
      const uxt = alpha * uz + beta * ux; // <u, x>
      const xx = alpha * alpha * zz + 2 * alpha * beta * zx + beta * beta * xsq; // |x|^2
      const xx1 = alpha * zx + beta * xsq; // <x, x1>
      const ur = c * uxt + h * uu - ux; // <u, r>
      const xr1 = c * xx + h * uxt - xx1; // <x, r>
      const rr = c * c * xx + h * h * uu + xsq + 2 * c * h * uxt - 2 * c * xx1 - 2 * h * ux; // |r|^2
      const g = twoK * (1 - h * h) * ur; // dL/dpre
      loss += rr;
      gb += g;
      gc += xr1;
      hh += h * h;
      const cp = coef + (<usize>k << 4);
      store<f32>(cp, <f32>(twoK * h * c * alpha)); // gu += . z
      store<f32>(cp, <f32>(twoK * h * (c * beta - 1)), 4); // gu += . x1
      store<f32>(cp, <f32>(g * alpha * s), 8); // gw += . z
      store<f32>(cp, <f32>(g * beta * s), 12); // gw += . x1
    }
    // 3. rank-`rows` update of the two gradient vectors, two samples per sweep
    let k = 0;
    for (; k + 1 < rows; k += 2) {
      const z0 = <usize>load<u32>(zptrs + (<usize>k << 2));
      const z1 = <usize>load<u32>(zptrs + (<usize>(k + 1) << 2));
      const x0 = x1 + <usize>(blk + k) * rowBytes;
      const xq = x0 + rowBytes;
      const cp = coef + (<usize>k << 4);
      const a0 = v128.load32_splat(cp), b0 = v128.load32_splat(cp, 4);
      const e0 = v128.load32_splat(cp, 8), f0 = v128.load32_splat(cp, 12);
      const a1 = v128.load32_splat(cp, 16), b1 = v128.load32_splat(cp, 20);
      const e1 = v128.load32_splat(cp, 24), f1 = v128.load32_splat(cp, 28);
      for (let o: usize = 0; o < rowBytes; o += 16) {
        const zv0 = v128.load(z0 + o), xv0 = v128.load(x0 + o);
        const zv1 = v128.load(z1 + o), xv1 = v128.load(xq + o);
        const u0 = f32x4.add(f32x4.mul(a0, zv0), f32x4.mul(b0, xv0));
        const u1 = f32x4.add(f32x4.mul(a1, zv1), f32x4.mul(b1, xv1));
        const w0 = f32x4.add(f32x4.mul(e0, zv0), f32x4.mul(f0, xv0));
        const w1 = f32x4.add(f32x4.mul(e1, zv1), f32x4.mul(f1, xv1));
        v128.store(gu + o, f32x4.add(v128.load(gu + o), f32x4.add(u0, u1)));
        v128.store(gw + o, f32x4.add(v128.load(gw + o), f32x4.add(w0, w1)));
      }
    }
    if (k < rows) {
      const z0 = <usize>load<u32>(zptrs + (<usize>k << 2));
      const x0 = x1 + <usize>(blk + k) * rowBytes;
      const cp = coef + (<usize>k << 4);
      const a0 = v128.load32_splat(cp), b0 = v128.load32_splat(cp, 4);
      const e0 = v128.load32_splat(cp, 8), f0 = v128.load32_splat(cp, 12);
      for (let o: usize = 0; o < rowBytes; o += 16) {
        const zv0 = v128.load(z0 + o), xv0 = v128.load(x0 + o);
        v128.store(gu + o, f32x4.add(v128.load(gu + o), f32x4.add(f32x4.mul(a0, zv0), f32x4.mul(b0, xv0))));
        v128.store(gw + o, f32x4.add(v128.load(gw + o), f32x4.add(f32x4.mul(e0, zv0), f32x4.mul(f0, xv0))));
      }
    }
  }
  const sc = pslot(ctx, CTX_SLOTSC) + (<usize>unit << 5);
  store<f64>(sc, loss);
  store<f64>(sc, gb, 8);
  store<f64>(sc, gc, 16);
  store<f64>(sc, hh, 24);
}

/**
 * Adam on two f64 parameters at `theta` with raw gradient at `g` and moments at `m`, `v`, coupled weight decay `wd`
 * (PyTorch semantics; the same expressions, in the same order, as src/autoencoder/adam.ts). Returns the new values.
 * The k* arguments are the splatted hyper-parameters (built once per time step, outside the loop).
 */
// @ts-ignore: decorator
@inline function adamPair(
  theta: usize, g: usize, m: usize, v: usize, wd: v128,
  kb1: v128, kb1c: v128, kb2: v128, kb2c: v128, keps: v128, kstep: v128, kbc2s: v128,
): v128 {
  const th = v128.load(theta);
  const gt = f64x2.add(v128.load(g), f64x2.mul(wd, th));
  const mt = f64x2.add(f64x2.mul(kb1, v128.load(m)), f64x2.mul(kb1c, gt));
  const vt = f64x2.add(f64x2.mul(kb2, v128.load(v)), f64x2.mul(f64x2.mul(kb2c, gt), gt));
  v128.store(m, mt);
  v128.store(v, vt);
  const den = f64x2.add(f64x2.div(f64x2.sqrt(vt), kbc2s), keps);
  const nt = f64x2.sub(th, f64x2.mul(kstep, f64x2.div(mt, den)));
  v128.store(theta, nt);
  return nt;
}

/**
 * Reduce the chunk slots of time j (in chunk order) into the gradient rows GW, GU, GB, GC (kept for inspection),
 * adding the u-term 2K (sum h^2) u, and optionally take one Adam step (PyTorch semantics, coupled weight decay lU, lW on u, w; none on b, c):
 *   g = grad + wd theta;  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
 *   theta -= (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 */
function finishTime(ctx: usize, j: i32): void {
  const dp = islot(ctx, CTX_DP);
  const nchunk = islot(ctx, CTX_NCHUNK);
  const flags = islot(ctx, CTX_FLAGS);
  const jp = <usize>j;
  const rowBytes = <usize>dp << 2;
  const row8 = <usize>dp << 3;
  const twoK = 2 * slot(ctx, CTX_K);
  const slots = pslot(ctx, CTX_SLOTS) + (jp * <usize>nchunk) * (rowBytes << 1);
  const slotsc = pslot(ctx, CTX_SLOTSC) + ((jp * <usize>nchunk) << 5);
  const b1 = slot(ctx, CTX_BETA1), b2 = slot(ctx, CTX_BETA2), eps = slot(ctx, CTX_EPS);
  const stepSize = slot(ctx, CTX_STEP_SIZE), bc2s = slot(ctx, CTX_BC2_SQRT);

  let loss = 0.0, gb = 0.0, gc = 0.0, hh = 0.0;
  for (let ch = 0; ch < nchunk; ch++) {
    const sc = slotsc + (<usize>ch << 5);
    loss += load<f64>(sc);
    gb += load<f64>(sc, 8);
    gc += load<f64>(sc, 16);
    hh += load<f64>(sc, 24);
  }
  gc *= twoK;
  store<f64>(pslot(ctx, CTX_LOSS) + (jp << 3), loss * slot(ctx, CTX_K));
  const adam = (flags & FLAG_ADAM) != 0;
  store<f64>(pslot(ctx, CTX_GB) + (jp << 3), gb);
  store<f64>(pslot(ctx, CTX_GC) + (jp << 3), gc);
  const uMaster = pslot(ctx, CTX_U) + jp * row8;
  const wMaster = pslot(ctx, CTX_W) + jp * row8;
  const ufRow = pslot(ctx, CTX_UF) + jp * rowBytes;
  const wfRow = pslot(ctx, CTX_WF) + jp * rowBytes;
  const gU = pslot(ctx, CTX_GU) + jp * row8;
  const gW = pslot(ctx, CTX_GW) + jp * row8;

  // 1. Gradient rows (f64): the chunk slots summed in chunk order, plus the u-term 2K (sum h^2) uf.
  //    Four elements per iteration: each f32x4 is widened to two f64x2.
  const hhK = f64x2.splat(twoK * hh);
  const slotStride = rowBytes << 1;
  for (let o: usize = 0; o < rowBytes; o += 16) {
    let su0 = f64x2.splat(0), su1 = f64x2.splat(0), sw0 = f64x2.splat(0), sw1 = f64x2.splat(0);
    for (let ch = 0; ch < nchunk; ch++) {
      const base = slots + (<usize>ch) * slotStride + o;
      const a = v128.load(base);
      const c = v128.load(base + rowBytes);
      su0 = f64x2.add(su0, f64x2.promote_low_f32x4(a));
      su1 = f64x2.add(su1, f64x2.promote_low_f32x4(v128.shuffle<f32>(a, a, 2, 3, 0, 1)));
      sw0 = f64x2.add(sw0, f64x2.promote_low_f32x4(c));
      sw1 = f64x2.add(sw1, f64x2.promote_low_f32x4(v128.shuffle<f32>(c, c, 2, 3, 0, 1)));
    }
    const uf = v128.load(ufRow + o);
    su0 = f64x2.add(su0, f64x2.mul(hhK, f64x2.promote_low_f32x4(uf)));
    su1 = f64x2.add(su1, f64x2.mul(hhK, f64x2.promote_low_f32x4(v128.shuffle<f32>(uf, uf, 2, 3, 0, 1))));
    const o8 = o << 1;
    v128.store(gU + o8, su0);
    v128.store(gU + o8, su1, 16);
    v128.store(gW + o8, sw0);
    v128.store(gW + o8, sw1, 16);
  }
  if (adam) {
    // 2. Adam on u and w (f64x2; padding entries have zero gradient, parameter and moments, and stay zero), then
    //    the f32 working copies and |uf|^2.
    const mU = pslot(ctx, CTX_MU) + jp * row8, vU = pslot(ctx, CTX_VU) + jp * row8;
    const mW = pslot(ctx, CTX_MW) + jp * row8, vW = pslot(ctx, CTX_VW) + jp * row8;
    const lU = f64x2.splat(slot(ctx, CTX_LU)), lW = f64x2.splat(slot(ctx, CTX_LW));
    const kb1 = f64x2.splat(b1), kb1c = f64x2.splat(1 - b1), kb2 = f64x2.splat(b2), kb2c = f64x2.splat(1 - b2);
    const keps = f64x2.splat(eps), kstep = f64x2.splat(stepSize), kbc2s = f64x2.splat(bc2s);
    let uu2 = f64x2.splat(0);
    for (let o: usize = 0; o < rowBytes; o += 16) {
      const o8 = o << 1;
      const u0 = adamPair(uMaster + o8, gU + o8, mU + o8, vU + o8, lU, kb1, kb1c, kb2, kb2c, keps, kstep, kbc2s);
      const u1 = adamPair(uMaster + o8 + 16, gU + o8 + 16, mU + o8 + 16, vU + o8 + 16, lU, kb1, kb1c, kb2, kb2c, keps, kstep, kbc2s);
      const w0 = adamPair(wMaster + o8, gW + o8, mW + o8, vW + o8, lW, kb1, kb1c, kb2, kb2c, keps, kstep, kbc2s);
      const w1 = adamPair(wMaster + o8 + 16, gW + o8 + 16, mW + o8 + 16, vW + o8 + 16, lW, kb1, kb1c, kb2, kb2c, keps, kstep, kbc2s);
      const uf = v128.shuffle<f32>(f32x4.demote_f64x2_zero(u0), f32x4.demote_f64x2_zero(u1), 0, 1, 4, 5);
      v128.store(ufRow + o, uf);
      v128.store(wfRow + o, v128.shuffle<f32>(f32x4.demote_f64x2_zero(w0), f32x4.demote_f64x2_zero(w1), 0, 1, 4, 5));
      const uf0 = f64x2.promote_low_f32x4(uf);
      const uf1 = f64x2.promote_low_f32x4(v128.shuffle<f32>(uf, uf, 2, 3, 0, 1));
      uu2 = f64x2.add(uu2, f64x2.add(f64x2.mul(uf0, uf0), f64x2.mul(uf1, uf1)));
    }
    const uu = f64x2.extract_lane(uu2, 0) + f64x2.extract_lane(uu2, 1);
    store<f64>(pslot(ctx, CTX_UU) + (jp << 3), uu);
    const bp = pslot(ctx, CTX_B) + (jp << 3), cp = pslot(ctx, CTX_C) + (jp << 3);
    const mb = pslot(ctx, CTX_MB) + (jp << 3), vb = pslot(ctx, CTX_VB) + (jp << 3);
    const mc = pslot(ctx, CTX_MC) + (jp << 3), vc = pslot(ctx, CTX_VC) + (jp << 3);
    const mbv = b1 * load<f64>(mb) + (1 - b1) * gb;
    const vbv = b2 * load<f64>(vb) + (1 - b2) * gb * gb;
    const mcv = b1 * load<f64>(mc) + (1 - b1) * gc;
    const vcv = b2 * load<f64>(vc) + (1 - b2) * gc * gc;
    store<f64>(mb, mbv);
    store<f64>(vb, vbv);
    store<f64>(mc, mcv);
    store<f64>(vc, vcv);
    store<f64>(bp, load<f64>(bp) - stepSize * (mbv / (Math.sqrt(vbv) / bc2s + eps)));
    store<f64>(cp, load<f64>(cp) - stepSize * (mcv / (Math.sqrt(vcv) / bc2s + eps)));
  }
}

/**
 * One training step (forward, backward, and — with FLAG_ADAM — the optimiser), executed by every executor of the
 * pool with its own index `exec` (0 .. executors-1). Executors take work units from the shared counter until none
 * are left; the host resets the counter (COUNTERS[0] = 0) before each step.
 */
export function aeStep(ctx: usize, exec: i32): void {
  const T = islot(ctx, CTX_T);
  const n = islot(ctx, CTX_N);
  const nchunk = islot(ctx, CTX_NCHUNK);
  const counters = pslot(ctx, CTX_COUNTERS);
  const scr = pslot(ctx, CTX_SCRATCH) + (<usize>exec) * pslot(ctx, CTX_SCRATCH_STRIDE);
  const units = T * nchunk;
  for (;;) {
    const unit = atomic.add<i32>(counters, 1);
    if (unit >= units) break;
    const j = unit / nchunk;
    const ch = unit - j * nchunk;
    const r0 = <i32>((<i64>ch * n) / nchunk);
    const r1 = <i32>((<i64>(ch + 1) * n) / nchunk);
    processUnit(ctx, scr, unit, j, r0, r1);
    const cnt = counters + ((<usize>(1 + j)) << 2);
    if (atomic.add<i32>(cnt, 1) == nchunk - 1) {
      finishTime(ctx, j);
      atomic.store<i32>(cnt, 0);
    }
  }
}

/**
 * Write the f32 working copies (WF, UF) and |u_j|^2 from the f64 master weights for time steps [j0, j1); padding
 * entries (d .. dp-1) are zeroed. Call after the host writes or imports parameters.
 */
export function aePublish(ctx: usize, j0: i32, j1: i32): void {
  const d = islot(ctx, CTX_D);
  const dp = islot(ctx, CTX_DP);
  const rowBytes = <usize>dp << 2;
  const row8 = <usize>dp << 3;
  for (let j = j0; j < j1; j++) {
    const jp = <usize>j;
    const uM = pslot(ctx, CTX_U) + jp * row8, wM = pslot(ctx, CTX_W) + jp * row8;
    const uF = pslot(ctx, CTX_UF) + jp * rowBytes, wF = pslot(ctx, CTX_WF) + jp * rowBytes;
    let uu = 0.0;
    for (let i = 0; i < dp; i++) {
      const uf: f32 = i < d ? <f32>load<f64>(uM + (<usize>i << 3)) : 0;
      const wf: f32 = i < d ? <f32>load<f64>(wM + (<usize>i << 3)) : 0;
      store<f32>(uF + (<usize>i << 2), uf);
      store<f32>(wF + (<usize>i << 2), wf);
      uu += <f64>uf * <f64>uf;
    }
    store<f64>(pslot(ctx, CTX_UU) + (jp << 3), uu);
  }
}

/** `count` (multiple of 8) normals of stream (key, a, b, c) into f32 `out`, using 64 bytes of state at `st`. */
export function normals(out: usize, count: i32, st: usize, k0: u32, k1: u32, k2: u32, k3: u32, a: u32, b: u32, c: u32): void {
  seedLanes(st, k0, k1, k2, k3, a, b, c);
  fillNormals(out, count, st);
}

/** Continue the stream at `st` (as left by `normals`) with `count` more values. */
export function normalsContinue(out: usize, count: i32, st: usize): void {
  fillNormals(out, count, st);
}
