// Group normalisation (Wu & He 2018) over x of shape (N, C, P), G groups of Cg = C / G channels; the statistics of a
// (sample, group) pair run over its Cg * P contiguous values (biased variance, as torch.nn.GroupNorm):
//   mu = mean x,  rstd = 1 / sqrt(var x + eps),  xhat = (x - mu) rstd,  y = gamma[c] xhat + beta[c].
// Backward, with m = Cg * P, A = sum_group gamma dy and B = sum_group gamma dy xhat:
//   dx = rstd (gamma dy - A / m - xhat B / m),  dgamma[c] += sum_p dy xhat,  dbeta[c] += sum_p dy.
// Entry points take a sample range [n0, n1); parameter gradients are accumulated into the pointers given.

import { hsum, vsigmoid } from './_nn_math';
import { madd } from './_simd';

@inline
function sumRange(p: usize, len: i32): f32 {
  // four independent accumulators: one chain of dependent adds would run at its latency, not the load rate
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let j = 0;
  for (; j + 16 <= len; j += 16) {
    const q = p + (<usize>j << 2);
    a0 = f32x4.add(a0, v128.load(q));
    a1 = f32x4.add(a1, v128.load(q, 16));
    a2 = f32x4.add(a2, v128.load(q, 32));
    a3 = f32x4.add(a3, v128.load(q, 48));
  }
  let acc = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
  for (; j + 4 <= len; j += 4) acc = f32x4.add(acc, v128.load(p + (<usize>j << 2)));
  let s = hsum(acc);
  for (; j < len; j++) s += load<f32>(p + (<usize>j << 2));
  return s;
}

/** y = GroupNorm(x); mean and rstd (N x G) are saved for the backward pass. */
export function groupnorm_fwd(
  x: usize, gamma: usize, beta: usize, y: usize, mean: usize, rstd: usize,
  n0: i32, n1: i32, C: i32, P: i32, G: i32, eps: f32,
): void {
  const Cg = C / G;
  const m = Cg * P;
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < G; g++) {
      const base = x + (<usize>((n * C + g * Cg) * P) << 2);
      const mu = sumRange(base, m) / <f32>m;
      // Second pass on centred values: no cancellation when |mean| >> std.
      const vmu = f32x4.splat(mu);
      let acc = f32x4.splat(0);
      let j = 0;
      for (; j + 4 <= m; j += 4) {
        const d = f32x4.sub(v128.load(base + (<usize>j << 2)), vmu);
        acc = f32x4.add(acc, f32x4.mul(d, d));
      }
      let ss = hsum(acc);
      for (; j < m; j++) {
        const d = load<f32>(base + (<usize>j << 2)) - mu;
        ss += d * d;
      }
      const rs: f32 = 1 / Mathf.sqrt(ss / <f32>m + eps);
      store<f32>(mean + (<usize>(n * G + g) << 2), mu);
      store<f32>(rstd + (<usize>(n * G + g) << 2), rs);
      for (let cc = 0; cc < Cg; cc++) {
        const c = g * Cg + cc;
        const sc = rs * load<f32>(gamma + (<usize>c << 2));
        const sh = load<f32>(beta + (<usize>c << 2)) - mu * sc;
        const vsc = f32x4.splat(sc), vsh = f32x4.splat(sh);
        const xo = x + (<usize>((n * C + c) * P) << 2);
        const yo = y + (<usize>((n * C + c) * P) << 2);
        let k = 0;
        for (; k + 4 <= P; k += 4) {
          const o = <usize>k << 2;
          v128.store(yo + o, f32x4.add(f32x4.mul(v128.load(xo + o), vsc), vsh));
        }
        for (; k < P; k++) {
          const o = <usize>k << 2;
          store<f32>(yo + o, load<f32>(xo + o) * sc + sh);
        }
      }
    }
  }
}

/** dx = GroupNorm'(x)^T dy; dgamma, dbeta (C each) accumulated. */
export function groupnorm_bwd(
  x: usize, gamma: usize, mean: usize, rstd: usize, dy: usize, dx: usize, dgamma: usize, dbeta: usize,
  n0: i32, n1: i32, C: i32, P: i32, G: i32,
): void {
  const Cg = C / G;
  const m: f32 = <f32>(Cg * P);
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < G; g++) {
      const mu = load<f32>(mean + (<usize>(n * G + g) << 2));
      const rs = load<f32>(rstd + (<usize>(n * G + g) << 2));
      let A: f32 = 0, B: f32 = 0;
      for (let cc = 0; cc < Cg; cc++) {
        const c = g * Cg + cc;
        const xo = x + (<usize>((n * C + c) * P) << 2);
        const dyo = dy + (<usize>((n * C + c) * P) << 2);
        let a1 = f32x4.splat(0), a2 = f32x4.splat(0);
        let k = 0;
        for (; k + 4 <= P; k += 4) {
          const o = <usize>k << 2;
          const d = v128.load(dyo + o);
          a1 = f32x4.add(a1, d);
          a2 = f32x4.add(a2, f32x4.mul(d, v128.load(xo + o)));
        }
        let sdy = hsum(a1), sdyx = hsum(a2);
        for (; k < P; k++) {
          const o = <usize>k << 2;
          const d = load<f32>(dyo + o);
          sdy += d;
          sdyx += d * load<f32>(xo + o);
        }
        const sdyxhat = rs * (sdyx - mu * sdy);
        const gm = load<f32>(gamma + (<usize>c << 2));
        A += gm * sdy;
        B += gm * sdyxhat;
        const qg = dgamma + (<usize>c << 2);
        store<f32>(qg, load<f32>(qg) + sdyxhat);
        const qb = dbeta + (<usize>c << 2);
        store<f32>(qb, load<f32>(qb) + sdy);
      }
      // dx = dy (rs gamma) + x (-rs^2 B / m) + (mu rs^2 B / m - rs A / m)
      const cx: f32 = -rs * rs * B / m;
      const c0: f32 = mu * rs * rs * B / m - rs * A / m;
      const vcx = f32x4.splat(cx), vc0 = f32x4.splat(c0);
      for (let cc = 0; cc < Cg; cc++) {
        const c = g * Cg + cc;
        const cdy = rs * load<f32>(gamma + (<usize>c << 2));
        const vcdy = f32x4.splat(cdy);
        const xo = x + (<usize>((n * C + c) * P) << 2);
        const dyo = dy + (<usize>((n * C + c) * P) << 2);
        const dxo = dx + (<usize>((n * C + c) * P) << 2);
        let k = 0;
        for (; k + 4 <= P; k += 4) {
          const o = <usize>k << 2;
          const v = f32x4.add(f32x4.add(f32x4.mul(v128.load(dyo + o), vcdy), f32x4.mul(v128.load(xo + o), vcx)), vc0);
          v128.store(dxo + o, v);
        }
        for (; k < P; k++) {
          const o = <usize>k << 2;
          store<f32>(dxo + o, load<f32>(dyo + o) * cdy + load<f32>(xo + o) * cx + c0);
        }
      }
    }
  }
}

// ---- GroupNorm followed by SiLU, fused ---------------------------------------------------------------------------
// z = SiLU(y), y = GroupNorm(x): one pass writes z, and y is never stored (the backward pass recomputes it from x and
// the saved statistics, y = sc[c] x + sh[c]). Backward: dy = dz s (1 + y (1 - s)), s = sigmoid(y), then the GroupNorm
// backward above; dy of one (sample, group) pair lives in the per-thread scratch (Cg P floats, in L1/L2) between
// the pass that sums it and the pass that uses it.

@inline
function siluDeriv(y: v128, dz: v128): v128 {
  const s = vsigmoid(y);
  const one = f32x4.splat(1);
  return f32x4.mul(dz, f32x4.mul(s, madd(y, f32x4.sub(one, s), one)));
}

// dz SiLU'(y) with the sigmoid taken from the forward output z = y s: s = z / y (1/2 where y is tiny or zero).
@inline
function siluDerivFromZ(y: v128, z: v128, dz: v128): v128 {
  const half = f32x4.splat(0.5), one = f32x4.splat(1);
  const tiny = f32x4.lt(f32x4.abs(y), f32x4.splat(1e-30));
  const s = v128.bitselect(half, f32x4.div(z, y), tiny);
  return f32x4.mul(dz, f32x4.mul(s, madd(y, f32x4.sub(one, s), one)));
}

/** Mean and rstd of one (sample, group) pair of m contiguous values at base (two passes: no cancellation). */
@inline
function groupStats(base: usize, m: i32, eps: f32, out: usize): void {
  const mu = sumRange(base, m) / <f32>m;
  const vmu = f32x4.splat(mu);
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let j = 0;
  for (; j + 16 <= m; j += 16) {
    const q = base + (<usize>j << 2);
    const d0 = f32x4.sub(v128.load(q), vmu), d1 = f32x4.sub(v128.load(q, 16), vmu);
    const d2 = f32x4.sub(v128.load(q, 32), vmu), d3 = f32x4.sub(v128.load(q, 48), vmu);
    a0 = madd(d0, d0, a0);
    a1 = madd(d1, d1, a1);
    a2 = madd(d2, d2, a2);
    a3 = madd(d3, d3, a3);
  }
  let acc = f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3));
  for (; j + 4 <= m; j += 4) {
    const d = f32x4.sub(v128.load(base + (<usize>j << 2)), vmu);
    acc = madd(d, d, acc);
  }
  let ss = hsum(acc);
  for (; j < m; j++) {
    const d = load<f32>(base + (<usize>j << 2)) - mu;
    ss += d * d;
  }
  store<f32>(out, mu);
  store<f32>(out, 1 / Mathf.sqrt(ss / <f32>m + eps), 4);
}

/** z = SiLU(GroupNorm(x)); mean and rstd (N x G) saved. P must be a multiple of 4. */
export function groupnorm_silu_fwd(
  x: usize, gamma: usize, beta: usize, z: usize, mean: usize, rstd: usize,
  n0: i32, n1: i32, C: i32, P: i32, G: i32, eps: f32, tmp: usize,
): void {
  const Cg = C / G;
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < G; g++) {
      groupStats(x + (<usize>((n * C + g * Cg) * P) << 2), Cg * P, eps, tmp);
      const mu = load<f32>(tmp), rs = load<f32>(tmp, 4);
      store<f32>(mean + (<usize>(n * G + g) << 2), mu);
      store<f32>(rstd + (<usize>(n * G + g) << 2), rs);
      for (let cc = 0; cc < Cg; cc++) {
        const c = g * Cg + cc;
        const sc = rs * load<f32>(gamma + (<usize>c << 2));
        const vsc = f32x4.splat(sc), vsh = f32x4.splat(load<f32>(beta + (<usize>c << 2)) - mu * sc);
        const xo = x + (<usize>((n * C + c) * P) << 2), zo = z + (<usize>((n * C + c) * P) << 2);
        for (let k = 0; k < P; k += 4) {
          const o = <usize>k << 2;
          const y = madd(v128.load(xo + o), vsc, vsh);
          v128.store(zo + o, f32x4.mul(y, vsigmoid(y)));
        }
      }
    }
  }
}

/**
 * dx = (SiLU o GroupNorm)'(x)^T dz; dgamma, dbeta accumulated. `tmp`: Cg P floats per thread. P multiple of 4.
 * z = SiLU(y) is the forward output (kept by the layer as the next convolution's input): the sigmoid is recovered
 * as s = z / y instead of a second exp (one rounding of z, relative error about 1e-7), and s = 1/2 where |y| < 1e-30.
 */
export function groupnorm_silu_bwd(
  x: usize, gamma: usize, beta: usize, mean: usize, rstd: usize, dz: usize, dx: usize, dgamma: usize, dbeta: usize,
  n0: i32, n1: i32, C: i32, P: i32, G: i32, tmp: usize, z: usize,
): void {
  const Cg = C / G;
  const m: f32 = <f32>(Cg * P);
  for (let n = n0; n < n1; n++) {
    for (let g = 0; g < G; g++) {
      const mu = load<f32>(mean + (<usize>(n * G + g) << 2));
      const rs = load<f32>(rstd + (<usize>(n * G + g) << 2));
      let A: f32 = 0, B: f32 = 0;
      for (let cc = 0; cc < Cg; cc++) {
        const c = g * Cg + cc;
        const gm = load<f32>(gamma + (<usize>c << 2));
        const sc = rs * gm;
        const vsc = f32x4.splat(sc), vsh = f32x4.splat(load<f32>(beta + (<usize>c << 2)) - mu * sc);
        const xo = x + (<usize>((n * C + c) * P) << 2), dzo = dz + (<usize>((n * C + c) * P) << 2);
        const zo = z + (<usize>((n * C + c) * P) << 2);
        const t = tmp + (<usize>(cc * P) << 2);
        // two sets of accumulators: the sums' dependency chains would otherwise bound the loop
        let a1 = f32x4.splat(0), a2 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0);
        let k = 0;
        for (; k + 8 <= P; k += 8) {
          const o = <usize>k << 2;
          const xv = v128.load(xo + o), xw = v128.load(xo + o, 16);
          const d = siluDerivFromZ(madd(xv, vsc, vsh), v128.load(zo + o), v128.load(dzo + o));
          const e = siluDerivFromZ(madd(xw, vsc, vsh), v128.load(zo + o, 16), v128.load(dzo + o, 16));
          v128.store(t + o, d);
          v128.store(t + o, e, 16);
          a1 = f32x4.add(a1, d);
          a2 = madd(d, xv, a2);
          b1 = f32x4.add(b1, e);
          b2 = madd(e, xw, b2);
        }
        for (; k < P; k += 4) {
          const o = <usize>k << 2;
          const xv = v128.load(xo + o);
          const d = siluDerivFromZ(madd(xv, vsc, vsh), v128.load(zo + o), v128.load(dzo + o));
          v128.store(t + o, d);
          a1 = f32x4.add(a1, d);
          a2 = madd(d, xv, a2);
        }
        const sdy = hsum(f32x4.add(a1, b1)), sdyx = hsum(f32x4.add(a2, b2));
        const sdyxhat = rs * (sdyx - mu * sdy);
        A += gm * sdy;
        B += gm * sdyxhat;
        const qg = dgamma + (<usize>c << 2);
        store<f32>(qg, load<f32>(qg) + sdyxhat);
        const qb = dbeta + (<usize>c << 2);
        store<f32>(qb, load<f32>(qb) + sdy);
      }
      const cx: f32 = -rs * rs * B / m;
      const c0: f32 = mu * rs * rs * B / m - rs * A / m;
      const vcx = f32x4.splat(cx), vc0 = f32x4.splat(c0);
      for (let cc = 0; cc < Cg; cc++) {
        const c = g * Cg + cc;
        const vcdy = f32x4.splat(rs * load<f32>(gamma + (<usize>c << 2)));
        const xo = x + (<usize>((n * C + c) * P) << 2), dxo = dx + (<usize>((n * C + c) * P) << 2);
        const t = tmp + (<usize>(cc * P) << 2);
        for (let k = 0; k < P; k += 4) {
          const o = <usize>k << 2;
          v128.store(dxo + o, madd(v128.load(t + o), vcdy, madd(v128.load(xo + o), vcx, vc0)));
        }
      }
    }
  }
}
