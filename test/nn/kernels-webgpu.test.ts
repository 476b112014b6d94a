// The network engine's WGSL kernels (src/nn/kernels/webgpu.ts) against the float64 reference backend, op by op, at
// small ragged sizes (CI runs them on Mesa's software adapter). Tolerance: float32 against float64, relative to the
// largest output, as for the wasm kernels (kernels.test.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random/rng.js';
import { RefBackend } from '../../src/nn/kernels/ref.js';
import { WebGpuBackend } from '../../src/nn/kernels/webgpu.js';
import { convGeom, NONE, type AdamStepParams, type Ptr } from '../../src/nn/kernels/backend.js';
import { gpuForTests } from '../helpers/gpu.js';

const gpu = await gpuForTests();
const skip = gpu.skip;
const ref = new RefBackend();
const dev = skip ? null : await WebGpuBackend.create({ host: gpu.host!, initialElements: 1 << 12 });
after(async () => {
  await dev?.dispose();
  await gpu.host?.close();
});
const TOL = 2e-5;

/** The same random values in a buffer of each backend. */
function pair(n: number, rng: Rng, scale = 1): [Ptr, Ptr] {
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = (2 * rng.uniform() - 1) * scale;
  const r = ref.alloc(n);
  ref.write(r, v);
  const g = dev!.alloc(n);
  dev!.write(g, v);
  return [r, g];
}
function close(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol = TOL): void {
  let scale = 1e-30,
    worst = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]));
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i] - want[i]);
    worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
  }
  assert.ok(worst / scale <= tol, `${name}: max error ${worst} vs scale ${scale} (rel ${worst / scale})`);
}
const same = (name: string, r: Ptr, g: Ptr, n: number, tol = TOL) => close(name, dev!.read(g, n), ref.read(r, n), tol);

test('gemm: all transposes, ragged sizes, alpha/beta, padded leading dimensions', { skip }, () => {
  const rng = Rng.seeded(1);
  for (const [M, N, K] of [
    [1, 1, 1],
    [3, 5, 7],
    [17, 33, 40],
    [20, 9, 1],
  ]) {
    for (const tA of [false, true])
      for (const tB of [false, true])
        for (const [alpha, beta] of [
          [1, 0],
          [-1.5, 0.25],
        ]) {
          const lda = (tA ? M : K) + 3,
            ldb = (tB ? K : N) + 3,
            ldc = N + 2;
          const na = (tA ? K : M) * lda,
            nb = (tB ? N : K) * ldb,
            nc = M * ldc;
          const [ar, ag] = pair(na, rng),
            [br, bg] = pair(nb, rng),
            [cr, cg] = pair(nc, rng);
          ref.gemm(tA, tB, M, N, K, alpha, ar, lda, br, ldb, beta, cr, ldc);
          dev!.gemm(tA, tB, M, N, K, alpha, ag, lda, bg, ldb, beta, cg, ldc);
          same(`gemm ${M}x${N}x${K} tA=${tA} tB=${tB} a=${alpha} b=${beta}`, cr, cg, nc, 1e-5);
        }
  }
  // beta = 0 never reads C (NaN stays out)
  const c = dev!.alloc(12),
    a = dev!.alloc(12),
    b = dev!.alloc(12);
  dev!.fill(c, 12, NaN);
  dev!.fill(a, 12, 1);
  dev!.fill(b, 12, 2);
  dev!.gemm(false, false, 3, 4, 3, 1, a, 3, b, 4, 0, c, 4);
  assert.deepEqual(Array.from(dev!.read(c, 12)), new Array(12).fill(6));
});

test('conv2d forward (bias, residual), backward data and backward weight', { skip }, () => {
  const rng = Rng.seeded(2);
  for (const g of [
    convGeom(2, 3, 7, 9, 5, 3, 1, 1),
    convGeom(3, 2, 8, 8, 4, 3, 2, 1),
    convGeom(2, 5, 6, 6, 3, 1, 1, 0),
    convGeom(1, 2, 4, 4, 3, 5, 1, 2),
    convGeom(2, 3, 10, 10, 4, 4, 2, 1),
  ]) {
    const tag = JSON.stringify(g);
    const nx = g.N * g.Ci * g.H * g.W,
      nw = g.Co * g.Ci * g.KH * g.KW,
      ny = g.N * g.Co * g.Ho * g.Wo;
    const [xr, xg] = pair(nx, rng),
      [wr, wg] = pair(nw, rng),
      [br, bg] = pair(g.Co, rng),
      [rr, rg] = pair(ny, rng);
    const yr = ref.alloc(ny),
      yg = dev!.alloc(ny);
    ref.conv2dForward(g, xr, wr, br, yr);
    dev!.conv2dForward(g, xg, wg, bg, yg);
    same(`fwd ${tag}`, yr, yg, ny);
    ref.conv2dForward(g, xr, wr, NONE, yr, rr);
    dev!.conv2dForward(g, xg, wg, NONE, yg, rg);
    same(`fwd no bias + residual ${tag}`, yr, yg, ny);
    const [dyr, dyg] = pair(ny, rng);
    const dxr = ref.alloc(nx),
      dxg = dev!.alloc(nx);
    dev!.fill(dxg, nx, NaN); // overwritten
    ref.conv2dBackwardData(g, wr, dyr, dxr);
    dev!.conv2dBackwardData(g, wg, dyg, dxg);
    same(`bwd data ${tag}`, dxr, dxg, nx);
    const [dwr, dwg] = pair(nw, rng),
      [dbr, dbg] = pair(g.Co, rng);
    ref.conv2dBackwardWeight(g, xr, dyr, dwr, dbr);
    dev!.conv2dBackwardWeight(g, xg, dyg, dwg, dbg);
    same(`bwd weight ${tag}`, dwr, dwg, nw);
    same(`bwd bias ${tag}`, dbr, dbg, g.Co);
  }
});

test('element-wise ops, activations, per-channel sums, pooling and upsampling', { skip }, () => {
  const rng = Rng.seeded(3);
  const n = 1000;
  const [xr, xg] = pair(n, rng, 3),
    [yr, yg] = pair(n, rng),
    [zr, zg] = pair(n, rng);
  ref.axpy(n, 0.7, xr, yr);
  dev!.axpy(n, 0.7, xg, yg);
  same('axpy', yr, yg, n);
  ref.add(xr, yr, zr, n);
  dev!.add(xg, yg, zg, n);
  same('add', zr, zg, n);
  ref.scale(zr, n, -1.25);
  dev!.scale(zg, n, -1.25);
  same('scale', zr, zg, n);
  for (const [f, b] of [
    ['reluForward', 'reluBackward'],
    ['siluForward', 'siluBackward'],
  ] as const) {
    ref[f](xr, zr, n);
    dev![f](xg, zg, n);
    same(f, zr, zg, n);
    ref[b](xr, yr, zr, n);
    dev![b](xg, yg, zg, n);
    same(b, zr, zg, n);
  }
  ref.copy(xr, zr, 300);
  dev!.copy(xg, zg, 300);
  same('copy', zr, zg, n);
  ref.copyRows(xr, 37, zr, 41, 20, 9);
  dev!.copyRows(xg, 37, zg, 41, 20, 9);
  same('copyRows', zr, zg, n);
  const N = 3,
    C = 5,
    P = 12;
  const [er, eg] = pair(N * 8, rng),
    [sr, sg] = pair(N * 8, rng);
  ref.addNC(yr, er, N, C, P, 8);
  dev!.addNC(yg, eg, N, C, P, 8);
  same('addNC', yr, yg, N * C * P);
  ref.sumNC(yr, sr, N, C, P, 8);
  dev!.sumNC(yg, sg, N, C, P, 8);
  same('sumNC', sr, sg, N * 8);
  const planes = 6,
    H = 6,
    W = 10;
  const [pr, pg] = pair(planes * H * W, rng),
    qr = ref.alloc(planes * H * W),
    qg = dev!.alloc(planes * H * W);
  ref.avgPool2Forward(pr, qr, planes, H, W);
  dev!.avgPool2Forward(pg, qg, planes, H, W);
  same('avgPool2Forward', qr, qg, (planes * H * W) / 4);
  ref.avgPool2Backward(qr, pr, planes, H, W);
  dev!.avgPool2Backward(qg, pg, planes, H, W);
  same('avgPool2Backward', pr, pg, planes * H * W);
  const ur = ref.alloc(4 * planes * H * W),
    ug = dev!.alloc(4 * planes * H * W);
  ref.upsample2Forward(pr, ur, planes, H, W);
  dev!.upsample2Forward(pg, ug, planes, H, W);
  same('upsample2Forward', ur, ug, 4 * planes * H * W);
  ref.upsample2Backward(ur, pr, planes, H, W);
  dev!.upsample2Backward(ug, pg, planes, H, W);
  same('upsample2Backward', pr, pg, planes * H * W);
});

test('losses: sumSq and sqErr (with and without the gradient) over sizes across the partial sums', { skip }, () => {
  const rng = Rng.seeded(4);
  for (const n of [1, 255, 1000, 70000]) {
    const [pr, pg] = pair(n, rng),
      [tr, tg] = pair(n, rng),
      gr = ref.alloc(n),
      gg = dev!.alloc(n);
    const a = ref.sumSq(pr, n),
      b = dev!.sumSq(pg, n);
    assert.ok(Math.abs(a - b) <= 1e-5 * a, `sumSq n=${n}: ${b} vs ${a}`);
    const e1 = ref.sqErr(pr, tr, gr, n, 0.5),
      e2 = dev!.sqErr(pg, tg, gg, n, 0.5);
    assert.ok(Math.abs(e1 - e2) <= 1e-5 * e1, `sqErr n=${n}: ${e2} vs ${e1}`);
    same(`sqErr gradient n=${n}`, gr, gg, n);
    assert.ok(Math.abs(dev!.sqErr(pg, tg, NONE, n, 1) - e1) <= 1e-5 * e1);
  }
});

test('GroupNorm forward/backward, fused with SiLU, and row softmax', { skip }, () => {
  const rng = Rng.seeded(5);
  for (const [N, C, P, G] of [
    [2, 6, 10, 3],
    [1, 8, 300, 2],
    [3, 4, 5, 4],
  ]) {
    const n = N * C * P,
      tag = `N=${N} C=${C} P=${P} G=${G}`;
    const [xr, xg] = pair(n, rng, 2),
      [gar, gag] = pair(C, rng),
      [ber, beg] = pair(C, rng);
    const yr = ref.alloc(n),
      yg = dev!.alloc(n),
      mr = ref.alloc(N * G),
      mg = dev!.alloc(N * G),
      rr = ref.alloc(N * G),
      rg = dev!.alloc(N * G);
    ref.groupNormForward(xr, gar, ber, yr, mr, rr, N, C, P, G, 1e-5);
    dev!.groupNormForward(xg, gag, beg, yg, mg, rg, N, C, P, G, 1e-5);
    same(`gn fwd ${tag}`, yr, yg, n);
    same(`gn mean ${tag}`, mr, mg, N * G);
    same(`gn rstd ${tag}`, rr, rg, N * G);
    const [dyr, dyg] = pair(n, rng),
      dxr = ref.alloc(n),
      dxg = dev!.alloc(n),
      [dgr, dgg] = pair(C, rng),
      [dbr, dbg] = pair(C, rng);
    ref.groupNormBackward(xr, gar, mr, rr, dyr, dxr, dgr, dbr, N, C, P, G);
    dev!.groupNormBackward(xg, gag, mg, rg, dyg, dxg, dgg, dbg, N, C, P, G);
    same(`gn bwd dx ${tag}`, dxr, dxg, n, 1e-4);
    same(`gn bwd dgamma ${tag}`, dgr, dgg, C);
    same(`gn bwd dbeta ${tag}`, dbr, dbg, C);
    ref.groupNormSiluForward(xr, gar, ber, yr, mr, rr, N, C, P, G, 1e-5);
    dev!.groupNormSiluForward(xg, gag, beg, yg, mg, rg, N, C, P, G, 1e-5);
    same(`gn+silu fwd ${tag}`, yr, yg, n);
    ref.groupNormSiluBackward(xr, gar, ber, mr, rr, yr, dyr, dxr, dgr, dbr, N, C, P, G);
    dev!.groupNormSiluBackward(xg, gag, beg, mg, rg, yg, dyg, dxg, dgg, dbg, N, C, P, G);
    same(`gn+silu bwd dx ${tag}`, dxr, dxg, n, 1e-4);
    same(`gn+silu bwd dgamma ${tag}`, dgr, dgg, C);
  }
  const [sr, sg] = pair(7 * 300, rng, 5);
  ref.softmaxRows(sr, 7, 300);
  dev!.softmaxRows(sg, 7, 300);
  same('softmaxRows', sr, sg, 7 * 300);
});

test('attention forward and backward', { skip }, () => {
  const rng = Rng.seeded(6);
  const N = 2,
    C = 8,
    P = 12,
    heads = 2,
    scale = 1 / Math.sqrt(C / heads);
  const [qr, qg] = pair(N * 3 * C * P, rng),
    or = ref.alloc(N * C * P),
    og = dev!.alloc(N * C * P),
    ar = ref.alloc(N * heads * P * P),
    ag = dev!.alloc(N * heads * P * P);
  ref.attentionForward(qr, or, ar, N, C, P, heads, scale);
  dev!.attentionForward(qg, og, ag, N, C, P, heads, scale);
  same('attention o', or, og, N * C * P);
  same('attention probs', ar, ag, N * heads * P * P);
  const [dor, dog] = pair(N * C * P, rng),
    dqr = ref.alloc(N * 3 * C * P),
    dqg = dev!.alloc(N * 3 * C * P);
  ref.attentionBackward(qr, ar, dor, dqr, N, C, P, heads, scale);
  dev!.attentionBackward(qg, ag, dog, dqg, N, C, P, heads, scale);
  same('attention dqkv', dqr, dqg, N * 3 * C * P);
});

test('Adam (L2) and AdamW steps, EMA; the heap grows without losing contents', { skip }, () => {
  const rng = Rng.seeded(7);
  const n = 777;
  for (const decoupled of [false, true]) {
    const [pr, pg] = pair(n, rng),
      [gr, gg] = pair(n, rng),
      [mr, mg] = pair(n, rng, 0.1),
      [vr, vg] = pair(n, rng, 0.01);
    ref.fill(vr, n, 0.01);
    dev!.fill(vg, n, 0.01);
    const hp: AdamStepParams = {
      lr: 1e-2,
      b1: 0.9,
      b2: 0.999,
      eps: 1e-8,
      weightDecay: 0.05,
      decoupled,
      c1: 1 - 0.9 ** 3,
      c2: 1 - 0.999 ** 3,
    };
    ref.adamStep(pr, gr, mr, vr, n, hp);
    dev!.adamStep(pg, gg, mg, vg, n, hp);
    same(`adam decoupled=${decoupled} p`, pr, pg, n);
    same(`adam m`, mr, mg, n);
    same(`adam v`, vr, vg, n);
    ref.emaUpdate(mr, pr, n, 0.99);
    dev!.emaUpdate(mg, pg, n, 0.99);
    same('ema', mr, mg, n);
  }
  const [kr, kg] = pair(100, rng);
  const big = dev!.alloc(1 << 20); // far beyond the initial heap: the device heap is reallocated
  dev!.fill(big, 1 << 20, 3);
  same('contents kept across growth', kr, kg, 100);
  assert.equal(dev!.read(big, 4)[3], 3);
  dev!.free(big);
});
