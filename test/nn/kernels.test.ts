// The float32 wasm kernels against the float64 reference backend, op by op, on ragged sizes that exercise the
// edge paths (partial micro-tiles, vector tails, padding borders, strides). Run with 1 executor (calling thread) and
// with 2 (work split over a worker, gradient partials summed) — set NN_TEST_THREADS to change the second — and for
// both SIMD builds: relaxed (fused multiply-add; the default) and plain (NN_TEST_SIMD=plain, kernels-plain.test.ts).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random/rng.js';
import { RefBackend } from '../../src/nn/kernels/ref.js';
import { WasmBackend } from '../../src/nn/kernels/wasm.js';
import { convGeom, NONE, type Backend, type ConvGeom, type Ptr } from '../../src/nn/kernels/backend.js';
import { mirror, randomBuf } from './helpers.js';

const threads = Number(
  process.argv.find((a) => a.startsWith('--nn-threads='))?.split('=')[1] ?? process.env.NN_TEST_THREADS ?? 1,
);
const ref = new RefBackend();
const simd = process.env.NN_TEST_SIMD === 'plain' ? 'plain' : 'relaxed';
const wasm = await WasmBackend.create({ threads, simd });
after(() => wasm.dispose());

test(`the ${simd} SIMD build is the one under test`, () => {
  assert.equal(wasm.simd, simd);
});
const TOL = 2e-5; // float32 vs float64, relative to the largest output

function pair(n: number, rng: Rng, scale = 1): [Ptr, Ptr] {
  const r = randomBuf(ref, n, rng, scale);
  return [r, mirror(ref, r, wasm, n)];
}
// max abs error / max |reference| <= tol.
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

test('sgemm: all transpose combinations, ragged sizes, alpha/beta, strided leading dims', () => {
  const rng = Rng.seeded(1);
  const shapes = [
    [1, 1, 1],
    [3, 5, 7],
    [4, 8, 16],
    [5, 9, 3],
    [17, 33, 300],
    [130, 20, 9],
    [64, 260, 513],
    [7, 300, 1],
  ];
  for (const [M, N, K] of shapes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        for (const [alpha, beta] of [
          [1, 0],
          [0.5, 1],
          [-1.5, 0.25],
        ]) {
          // Leading dimensions padded by 3 to check stride handling.
          const lda = (tA ? M : K) + 3,
            ldb = (tB ? K : N) + 3,
            ldc = N + 2;
          const na = (tA ? K : M) * lda,
            nb = (tB ? N : K) * ldb,
            nc = M * ldc;
          const [ar, aw] = pair(na, rng),
            [br, bw] = pair(nb, rng),
            [cr, cw] = pair(nc, rng);
          ref.gemm(tA, tB, M, N, K, alpha, ar, lda, br, ldb, beta, cr, ldc);
          wasm.gemm(tA, tB, M, N, K, alpha, aw, lda, bw, ldb, beta, cw, ldc);
          close(
            `gemm ${M}x${N}x${K} tA=${tA} tB=${tB} a=${alpha} b=${beta}`,
            wasm.read(cw, nc),
            ref.read(cr, nc),
            1e-5,
          );
          for (const [p, q] of [
            [ar, aw],
            [br, bw],
            [cr, cw],
          ]) {
            ref.free(p);
            wasm.free(q);
          }
        }
      }
    }
  }
});

test('sgemm: beta = 0 ignores NaN in C; K = 0 scales C', () => {
  const c = wasm.alloc(12);
  wasm.fill(c, 12, NaN);
  const a = wasm.alloc(12),
    b = wasm.alloc(12);
  wasm.fill(a, 12, 1);
  wasm.fill(b, 12, 2);
  wasm.gemm(false, false, 3, 4, 3, 1, a, 3, b, 4, 0, c, 4);
  assert.deepEqual(Array.from(wasm.read(c, 12)), new Array(12).fill(6));
  wasm.gemm(false, false, 3, 4, 0, 1, a, 3, b, 4, 0.5, c, 4);
  assert.deepEqual(Array.from(wasm.read(c, 12)), new Array(12).fill(3));
  for (const p of [a, b, c]) wasm.free(p);
});

const convCases: ConvGeom[] = [
  convGeom(2, 3, 7, 9, 5, 3, 1, 1),
  convGeom(3, 2, 8, 8, 4, 3, 2, 1),
  convGeom(2, 4, 9, 7, 6, 3, 2, 1),
  convGeom(2, 5, 6, 6, 3, 1, 1, 0), // pointwise fast path
  convGeom(2, 3, 5, 6, 2, 3, 1, 0),
  convGeom(1, 2, 4, 4, 3, 5, 1, 2),
  convGeom(2, 3, 10, 10, 4, 4, 2, 1),
  convGeom(2, 1, 28, 28, 8, 3, 1, 1),
  convGeom(2, 3, 28, 26, 4, 3, 2, 1), // stride-2 im2col vector path
  // Winograd paths (3x3, stride 1, padding 1). F(4x4, 3x3) where H, W are multiples of 4 (>= 4 channels): lanes
  // across tile rows and images (W = 4, 8), partial last block and lane group, Cout not a multiple of 4; F(2x2, 3x3)
  // (even sizes, >= 16 channels): ragged tile rows (W/2 not a multiple of 4), image groups, partial last group.
  convGeom(2, 4, 4, 4, 4, 3, 1, 1),
  convGeom(3, 5, 12, 8, 7, 3, 1, 1),
  convGeom(9, 6, 8, 4, 9, 3, 1, 1),
  convGeom(7, 16, 16, 16, 5, 3, 1, 1),
  convGeom(3, 16, 6, 10, 16, 3, 1, 1),
  convGeom(2, 16, 14, 14, 24, 3, 1, 1),
  convGeom(5, 20, 4, 4, 16, 3, 1, 1),
  convGeom(1, 32, 32, 32, 16, 3, 1, 1),
  convGeom(2, 16, 8, 2, 17, 3, 1, 1),
  // F(4x4) with 32-tile blocks (Cin + Cout >= 128): two blocks, the second partial; Cout not a multiple of 4
  convGeom(9, 64, 8, 8, 66, 3, 1, 1),
];

/** Every algorithm the wasm backend can run on this geometry (F(4x4), F(2x2) and im2col where they apply). */
function convPaths(g: ConvGeom): { path: string; set: () => void }[] {
  const out: { path: string; set: () => void }[] = [];
  const modes: [boolean, boolean][] = [
    [true, true],
    [true, false],
    [false, false],
  ];
  for (const [wino, wino4] of modes) {
    const set = (): void => {
      wasm.winograd = wino;
      wasm.winograd4 = wino4;
    };
    set();
    const path = wasm.convPath(g);
    if (!out.some((o) => o.path === path)) out.push({ path, set });
  }
  wasm.winograd = wasm.winograd4 = true;
  return out;
}

test('the conv cases cover every algorithm: F(4x4) and F(2x2) Winograd and im2col', () => {
  const seen = new Set(convCases.flatMap((g) => convPaths(g).map((p) => p.path)));
  assert.deepEqual([...seen].sort(), ['im2col', 'wino2', 'wino4']);
});

test('conv2d forward / backward-data / backward-weight match the reference on every algorithm', () => {
  const rng = Rng.seeded(2);
  for (const g0 of convCases)
    for (const { path, set } of convPaths(g0)) {
      set();
      const g = g0;
      const nx = g.N * g.Ci * g.H * g.W,
        nw = g.Co * g.Ci * g.KH * g.KW,
        ny = g.N * g.Co * g.Ho * g.Wo;
      const tag = `${path} ${JSON.stringify(g)}`;
      const [xr, xw] = pair(nx, rng),
        [wr, ww] = pair(nw, rng),
        [br, bw] = pair(g.Co, rng);
      const yr = ref.alloc(ny),
        yw = wasm.alloc(ny);
      ref.conv2dForward(g, xr, wr, br, yr);
      wasm.conv2dForward(g, xw, ww, bw, yw);
      close(`fwd ${tag}`, wasm.read(yw, ny), ref.read(yr, ny));
      ref.conv2dForward(g, xr, wr, NONE, yr);
      wasm.conv2dForward(g, xw, ww, NONE, yw);
      close(`fwd nobias ${tag}`, wasm.read(yw, ny), ref.read(yr, ny));
      const [rr, rw] = pair(ny, rng);
      ref.conv2dForward(g, xr, wr, br, yr, rr);
      wasm.conv2dForward(g, xw, ww, bw, yw, rw);
      close(`fwd + residual ${tag}`, wasm.read(yw, ny), ref.read(yr, ny));
      ref.free(rr);
      wasm.free(rw);

      const [dyr, dyw] = pair(ny, rng);
      const dxr = ref.alloc(nx),
        dxw = wasm.alloc(nx);
      wasm.fill(dxw, nx, NaN); // must be overwritten
      ref.conv2dBackwardData(g, wr, dyr, dxr);
      wasm.conv2dBackwardData(g, ww, dyw, dxw);
      close(`bwd data ${tag}`, wasm.read(dxw, nx), ref.read(dxr, nx));

      // Accumulates on top of existing values.
      const [dwr, dww] = pair(nw, rng),
        [dbr, dbw] = pair(g.Co, rng);
      ref.conv2dBackwardWeight(g, xr, dyr, dwr, dbr);
      wasm.conv2dBackwardWeight(g, xw, dyw, dww, dbw);
      close(`bwd weight ${tag}`, wasm.read(dww, nw), ref.read(dwr, nw));
      close(`bwd bias ${tag}`, wasm.read(dbw, g.Co), ref.read(dbr, g.Co));
      for (const [p, q] of [
        [xr, xw],
        [wr, ww],
        [br, bw],
        [yr, yw],
        [dyr, dyw],
        [dxr, dxw],
        [dwr, dww],
        [dbr, dbw],
      ]) {
        ref.free(p);
        wasm.free(q);
      }
    }
  wasm.winograd = wasm.winograd4 = true;
});

test('conv2d reference agrees with a direct definition on a tiny case', () => {
  // 1 image, 1 channel 3x3, kernel 2x2 of ones, stride 1, no padding: 2x2 sums of neighbours.
  const be: Backend = ref;
  const g = convGeom(1, 1, 3, 3, 1, 2, 1, 0);
  const x = be.alloc(9),
    w = be.alloc(4),
    y = be.alloc(4);
  be.write(x, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  be.write(w, [1, 1, 1, 1]);
  be.conv2dForward(g, x, w, NONE, y);
  assert.deepEqual(Array.from(be.read(y, 4)), [12, 16, 24, 28]);
  for (const p of [x, w, y]) be.free(p);
});

test('activations, broadcasts, pooling, softmax, reductions', () => {
  const rng = Rng.seeded(3);
  for (const n of [1, 3, 4, 7, 1000, 1027]) {
    const [xr, xw] = pair(n, rng, 6),
      [dyr, dyw] = pair(n, rng);
    const yr = ref.alloc(n),
      yw = wasm.alloc(n);
    for (const [f, b] of [
      ['reluForward', 'reluBackward'],
      ['siluForward', 'siluBackward'],
    ] as const) {
      ref[f](xr, yr, n);
      wasm[f](xw, yw, n);
      close(`${f} n=${n}`, wasm.read(yw, n), ref.read(yr, n), 1e-6);
      ref[b](xr, dyr, yr, n);
      wasm[b](xw, dyw, yw, n);
      close(`${b} n=${n}`, wasm.read(yw, n), ref.read(yr, n), 1e-6);
    }
    ref.axpy(n, 0.3, xr, dyr);
    wasm.axpy(n, 0.3, xw, dyw);
    close('axpy', wasm.read(dyw, n), ref.read(dyr, n), 1e-6);
    ref.add(xr, dyr, yr, n);
    wasm.add(xw, dyw, yw, n);
    close('add', wasm.read(yw, n), ref.read(yr, n), 1e-6);
    ref.scale(yr, n, -2);
    wasm.scale(yw, n, -2);
    close('scale', wasm.read(yw, n), ref.read(yr, n), 1e-6);
    close('sumSq', [wasm.sumSq(xw, n)], [ref.sumSq(xr, n)], 1e-6);
    const gr = ref.alloc(n),
      gw = wasm.alloc(n);
    close('sqErr', [wasm.sqErr(xw, dyw, gw, n, 2 / n)], [ref.sqErr(xr, dyr, gr, n, 2 / n)], 1e-6);
    close('sqErr grad', wasm.read(gw, n), ref.read(gr, n), 1e-6);
    for (const [p, q] of [
      [xr, xw],
      [dyr, dyw],
      [yr, yw],
      [gr, gw],
    ]) {
      ref.free(p);
      wasm.free(q);
    }
  }
  // Extreme SiLU inputs stay finite and exact in the limits.
  const e = wasm.alloc(6),
    o = wasm.alloc(6);
  wasm.write(e, [-200, -90, -30, 0, 30, 200]);
  wasm.siluForward(e, o, 6);
  const s = wasm.read(o, 6);
  assert.ok(s.every(Number.isFinite));
  assert.ok(Math.abs(s[0]) < 1e-30 && s[3] === 0 && Math.abs(s[5] - 200) < 1e-4);

  const [N, C, P] = [3, 5, 13];
  const [yr, yw] = pair(N * C * P, rng),
    [er, ew] = pair(N * C, rng);
  ref.addNC(yr, er, N, C, P, C);
  wasm.addNC(yw, ew, N, C, P, C);
  close('addNC per-sample', wasm.read(yw, N * C * P), ref.read(yr, N * C * P), 1e-6);
  ref.addNC(yr, er, N, C, P, 0);
  wasm.addNC(yw, ew, N, C, P, 0);
  close('addNC bias', wasm.read(yw, N * C * P), ref.read(yr, N * C * P), 1e-6);
  ref.sumNC(yr, er, N, C, P, C);
  wasm.sumNC(yw, ew, N, C, P, C);
  close('sumNC', wasm.read(ew, N * C), ref.read(er, N * C), 1e-6);
  ref.sumNC(yr, er, N, C, P, 0);
  wasm.sumNC(yw, ew, N, C, P, 0);
  close('sumNC over batch', wasm.read(ew, C), ref.read(er, C), 1e-6);

  for (const [H, W] of [
    [4, 6],
    [8, 8],
    [2, 18],
  ]) {
    const planes = 5;
    const [xr, xw] = pair(planes * H * W, rng);
    const q = planes * (H / 2) * (W / 2);
    const pr = ref.alloc(q),
      pw = wasm.alloc(q);
    ref.avgPool2Forward(xr, pr, planes, H, W);
    wasm.avgPool2Forward(xw, pw, planes, H, W);
    close('avgpool fwd', wasm.read(pw, q), ref.read(pr, q), 1e-6);
    ref.avgPool2Backward(pr, xr, planes, H, W);
    wasm.avgPool2Backward(pw, xw, planes, H, W);
    close('avgpool bwd', wasm.read(xw, planes * H * W), ref.read(xr, planes * H * W), 1e-6);
    const u = planes * 4 * H * W;
    const ur = ref.alloc(u),
      uw = wasm.alloc(u);
    ref.upsample2Forward(xr, ur, planes, H, W);
    wasm.upsample2Forward(xw, uw, planes, H, W);
    close('upsample fwd', wasm.read(uw, u), ref.read(ur, u), 1e-6);
    ref.upsample2Backward(ur, xr, planes, H, W);
    wasm.upsample2Backward(uw, xw, planes, H, W);
    close('upsample bwd', wasm.read(xw, planes * H * W), ref.read(xr, planes * H * W), 1e-6);
    for (const [p, qq] of [
      [xr, xw],
      [pr, pw],
      [ur, uw],
    ]) {
      ref.free(p);
      wasm.free(qq);
    }
  }

  for (const [R, L] of [
    [3, 5],
    [4, 64],
    [2, 17],
  ]) {
    const [xr, xw] = pair(R * L, rng, 10);
    ref.softmaxRows(xr, R, L);
    wasm.softmaxRows(xw, R, L);
    close('softmax', wasm.read(xw, R * L), ref.read(xr, R * L), 1e-6);
  }
});

test('group norm forward and backward', () => {
  const rng = Rng.seeded(4);
  for (const [N, C, P, G] of [
    [2, 6, 9, 3],
    [3, 8, 16, 8],
    [2, 4, 7, 1],
    [1, 32, 64, 8],
  ]) {
    const n = N * C * P;
    const [xr, xw] = pair(n, rng, 3),
      [gr, gw] = pair(C, rng),
      [br, bw] = pair(C, rng);
    const yr = ref.alloc(n),
      yw = wasm.alloc(n);
    const mr = ref.alloc(N * G),
      mw = wasm.alloc(N * G),
      sr = ref.alloc(N * G),
      sw = wasm.alloc(N * G);
    ref.groupNormForward(xr, gr, br, yr, mr, sr, N, C, P, G, 1e-5);
    wasm.groupNormForward(xw, gw, bw, yw, mw, sw, N, C, P, G, 1e-5);
    close('gn fwd', wasm.read(yw, n), ref.read(yr, n), 1e-5);
    const [dyr, dyw] = pair(n, rng);
    const [dgr, dgw] = pair(C, rng),
      [dbr, dbw] = pair(C, rng);
    ref.groupNormBackward(xr, gr, mr, sr, dyr, yr, dgr, dbr, N, C, P, G);
    wasm.groupNormBackward(xw, gw, mw, sw, dyw, yw, dgw, dbw, N, C, P, G);
    close('gn dx', wasm.read(yw, n), ref.read(yr, n), 1e-4);
    close('gn dgamma', wasm.read(dgw, C), ref.read(dgr, C), 1e-5);
    close('gn dbeta', wasm.read(dbw, C), ref.read(dbr, C), 1e-5);
  }
});

test('fused group norm + SiLU forward and backward (vector planes and the odd-plane fallback)', () => {
  const rng = Rng.seeded(14);
  for (const [N, C, P, G] of [
    [3, 8, 16, 8],
    [2, 6, 9, 3],
    [5, 32, 64, 8],
    [2, 16, 1024, 4],
  ]) {
    const n = N * C * P;
    const [xr, xw] = pair(n, rng, 3),
      [gr, gw] = pair(C, rng),
      [br, bw] = pair(C, rng);
    const zr = ref.alloc(n),
      zw = wasm.alloc(n);
    const mr = ref.alloc(N * G),
      mw = wasm.alloc(N * G),
      sr = ref.alloc(N * G),
      sw = wasm.alloc(N * G);
    ref.groupNormSiluForward(xr, gr, br, zr, mr, sr, N, C, P, G, 1e-5);
    wasm.groupNormSiluForward(xw, gw, bw, zw, mw, sw, N, C, P, G, 1e-5);
    close(`gn+silu fwd ${[N, C, P, G].join(',')}`, wasm.read(zw, n), ref.read(zr, n), 1e-5);
    close(`gn+silu mean ${[N, C, P, G].join(',')}`, wasm.read(mw, N * G), ref.read(mr, N * G), 1e-5);
    const [dzr, dzw] = pair(n, rng);
    const [dgr, dgw] = pair(C, rng),
      [dbr, dbw] = pair(C, rng);
    const dxr = ref.alloc(n),
      dxw = wasm.alloc(n);
    wasm.fill(dxw, n, NaN); // must be overwritten
    ref.groupNormSiluBackward(xr, gr, br, mr, sr, zr, dzr, dxr, dgr, dbr, N, C, P, G);
    wasm.groupNormSiluBackward(xw, gw, bw, mw, sw, zw, dzw, dxw, dgw, dbw, N, C, P, G);
    close(`gn+silu dx ${[N, C, P, G].join(',')}`, wasm.read(dxw, n), ref.read(dxr, n), 1e-4);
    close(`gn+silu dgamma ${[N, C, P, G].join(',')}`, wasm.read(dgw, C), ref.read(dgr, C), 1e-5);
    close(`gn+silu dbeta ${[N, C, P, G].join(',')}`, wasm.read(dbw, C), ref.read(dbr, C), 1e-5);
  }
});

test('attention core forward and backward', () => {
  const rng = Rng.seeded(5);
  for (const [N, C, P, heads] of [
    [2, 8, 16, 2],
    [1, 6, 9, 3],
    [2, 16, 64, 1],
    [1, 8, 40, 2],
    [1, 4, 35, 1],
  ]) {
    const scale = 1 / Math.sqrt(C / heads);
    const nq = N * 3 * C * P,
      no = N * C * P,
      np = N * heads * P * P;
    const [qr, qw] = pair(nq, rng, 2);
    const or = ref.alloc(no),
      ow = wasm.alloc(no),
      pr = ref.alloc(np),
      pw = wasm.alloc(np);
    ref.attentionForward(qr, or, pr, N, C, P, heads, scale);
    wasm.attentionForward(qw, ow, pw, N, C, P, heads, scale);
    close('attn out', wasm.read(ow, no), ref.read(or, no), 1e-5);
    close('attn probs', wasm.read(pw, np), ref.read(pr, np), 1e-5);
    const [dr, dw] = pair(no, rng);
    const gr = ref.alloc(nq),
      gw = wasm.alloc(nq);
    ref.attentionBackward(qr, pr, dr, gr, N, C, P, heads, scale);
    wasm.attentionBackward(qw, pw, dw, gw, N, C, P, heads, scale);
    close('attn dqkv', wasm.read(gw, nq), ref.read(gr, nq), 1e-4);
  }
});

test('adam / adamw step and ema', () => {
  const rng = Rng.seeded(6);
  const n = 1031;
  for (const decoupled of [false, true]) {
    const [pr, pw] = pair(n, rng),
      [gr, gw] = pair(n, rng),
      [mr, mw] = pair(n, rng, 0.1);
    const vr = ref.alloc(n),
      vw = wasm.alloc(n);
    ref.fill(vr, n, 0.01);
    wasm.fill(vw, n, 0.01);
    const hp = {
      lr: 1e-2,
      b1: 0.9,
      b2: 0.999,
      eps: 1e-8,
      weightDecay: 0.1,
      decoupled,
      c1: 1 - 0.9 ** 3,
      c2: 1 - 0.999 ** 3,
    };
    ref.adamStep(pr, gr, mr, vr, n, hp);
    wasm.adamStep(pw, gw, mw, vw, n, hp);
    close('adam p', wasm.read(pw, n), ref.read(pr, n), 1e-6);
    close('adam m', wasm.read(mw, n), ref.read(mr, n), 1e-6);
    close('adam v', wasm.read(vw, n), ref.read(vr, n), 1e-6);
    ref.emaUpdate(mr, pr, n, 0.99);
    wasm.emaUpdate(mw, pw, n, 0.99);
    close('ema', wasm.read(mw, n), ref.read(mr, n), 1e-6);
  }
});

test('allocator: reuse, coalescing and growth keep the heap bounded', () => {
  const before = wasm.allocated();
  const ptrs: Ptr[] = [];
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 20; i++) ptrs.push(wasm.alloc(1000 + 37 * i));
    while (ptrs.length) wasm.free(ptrs.pop()!);
  }
  assert.equal(wasm.allocated(), before);
  const big = wasm.alloc(50_000_000); // forces memory.grow
  wasm.fill(big, 50_000_000, 1);
  assert.equal(wasm.heap[big + 49_999_999], 1);
  wasm.free(big);
  assert.throws(() => wasm.free(12345 as Ptr), /not an allocated block/);
});

test('copyRows: strided row copies (the skip concatenation) match the reference, split over executors', () => {
  const rng = Rng.seeded(21);
  for (const [len, rows, ss, ds] of [
    [5, 3, 7, 9],
    [1024, 40, 2048, 3072],
    [3, 1, 3, 3],
  ]) {
    const ns = ss * rows,
      nd = ds * rows;
    const [sr, sw] = pair(ns, rng),
      [dr, dw] = pair(nd, rng);
    ref.copyRows(sr, ss, dr, ds, len, rows);
    wasm.copyRows(sw, ss, dw, ds, len, rows);
    close(`copyRows ${[len, rows, ss, ds].join(',')}`, wasm.read(dw, nd), ref.read(dr, nd), 1e-7);
    for (const [p, q] of [
      [sr, sw],
      [dr, dw],
    ]) {
      ref.free(p);
      wasm.free(q);
    }
  }
});
