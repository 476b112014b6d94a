/**
 * Deterministic one-dimensional integration used by the asymptotic theory (docs/method.md §3): Gauss–Hermite rules for
 * Gaussian expectations E_g[f(g)], g ~ N(0, 1), a smoother for tanh-like functions of wide Gaussians, and an adaptive
 * Gauss–Kronrod integrator for finite intervals. Everything here is exact arithmetic up to rounding: no Monte Carlo.
 * (The normal pdf/cdf/quantile come from `src/sampler/special.ts`.)
 */

const SQRT2PI = Math.sqrt(2 * Math.PI);

/**
 * A Gauss rule for the standard normal weight: E_g[f(g)] ≈ Σ_i weights[i] f(nodes[i]), exact for polynomials of
 * degree ≤ 2·size − 1. Nodes ascend and are symmetric about 0; weights sum to 1.
 */
export interface GaussRule {
  readonly size: number;
  readonly nodes: Float64Array;
  readonly weights: Float64Array;
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix with zero diagonal and off-diagonal `e` (length n−1), by the
 * implicit QL algorithm with Wilkinson shifts (eigenvalues only, O(n²)).
 */
function tridiagonalEigenvalues(n: number, offDiag: Float64Array): Float64Array {
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  for (let i = 0; i < n - 1; i++) e[i] = offDiag[i];
  for (let l = 0; l < n; l++) {
    let iter = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
        if (Math.abs(e[m]) <= Number.EPSILON * dd) break;
      }
      if (m === l) break;
      if (++iter > 60) throw new Error('tridiagonal QL did not converge');
      let g = (d[l + 1] - d[l]) / (2 * e[l]);
      let r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        let f = s * e[i];
        const b = c * e[i];
        r = Math.hypot(f, g);
        e[i + 1] = r;
        if (r === 0) {
          d[i + 1] -= p;
          e[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - p;
        r = (d[i] - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        f = 0;
      }
      if (underflow) continue;
      d[l] -= p;
      e[l] = g;
      e[m] = 0;
    }
  }
  return d.sort();
}

/**
 * Orthonormal probabilists' Hermite values at x: p_0 = 1, x p_k = √(k+1) p_{k+1} + √k p_{k−1}. Returns p_n(x),
 * p_n'(x) and the Christoffel weight 1/Σ_{k<n} p_k(x)². Values are rescaled on the fly (tracking a log scale) so that
 * large nodes of big rules do not overflow; the weight then underflows gracefully to 0.
 */
function hermiteAt(n: number, x: number): { ratio: number; weight: number } {
  let p0 = 0; // p_{k-1}
  let p1 = 1; // p_k
  let dp0 = 0;
  let dp1 = 0;
  let sum = 1; // Σ p_j², j ≤ k (scaled)
  let logScale = 0; // true value = stored · exp(logScale)
  for (let k = 0; k < n; k++) {
    const sk1 = Math.sqrt(k + 1);
    const sk = Math.sqrt(k);
    const p2 = (x * p1 - sk * p0) / sk1;
    const dp2 = (p1 + x * dp1 - sk * dp0) / sk1;
    p0 = p1;
    p1 = p2;
    dp0 = dp1;
    dp1 = dp2;
    if (k < n - 1) sum += p2 * p2;
    const big = Math.abs(p1);
    if (big > 1e150) {
      const f = 1e-150;
      p0 *= f;
      p1 *= f;
      dp0 *= f;
      dp1 *= f;
      sum *= f * f;
      logScale += 150 * Math.LN10;
    }
  }
  const weight = Math.exp(-Math.log(sum) - 2 * logScale);
  return { ratio: p1 / dp1, weight };
}

const ruleCache = new Map<number, GaussRule>();

/**
 * The `size`-point Gauss–Hermite rule for the standard normal weight (Golub–Welsch: nodes are the eigenvalues of the
 * Jacobi matrix of the orthonormal probabilists' Hermite polynomials, off-diagonal √k; then each node is polished by
 * Newton on p_size and its weight taken from the Christoffel function 1/Σ_{k<size} p_k(x)²). Rules are cached.
 */
export function gaussHermite(size: number): GaussRule {
  if (!(Number.isInteger(size) && size >= 1 && size <= 4096))
    throw new RangeError(`Gauss–Hermite size must be an integer in [1, 4096], got ${size}`);
  const hit = ruleCache.get(size);
  if (hit) return hit;
  const off = new Float64Array(Math.max(0, size - 1));
  for (let k = 1; k < size; k++) off[k - 1] = Math.sqrt(k);
  const x = size === 1 ? new Float64Array([0]) : tridiagonalEigenvalues(size, off);
  const w = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let xi = x[i];
    for (let it = 0; it < 3; it++) {
      const { ratio } = hermiteAt(size, xi);
      if (!Number.isFinite(ratio)) break;
      xi -= ratio;
    }
    x[i] = xi;
    w[i] = hermiteAt(size, xi).weight;
  }
  // Enforce exact symmetry (the rule for an even weight is symmetric) and unit mass.
  for (let i = 0; i < size >> 1; i++) {
    const j = size - 1 - i;
    const xm = 0.5 * (x[j] - x[i]);
    const wm = 0.5 * (w[i] + w[j]);
    x[i] = -xm;
    x[j] = xm;
    w[i] = wm;
    w[j] = wm;
  }
  if (size % 2 === 1) x[size >> 1] = 0;
  let total = 0;
  for (let i = 0; i < size; i++) total += w[i];
  for (let i = 0; i < size; i++) w[i] /= total;
  const rule: GaussRule = { size, nodes: x, weights: w };
  ruleCache.set(size, rule);
  return rule;
}

/** E_g[f(g)], g ~ N(0, 1), with a Gauss–Hermite rule of `size` nodes (default 128). */
export function gaussExpect(f: (g: number) => number, size = 128): number {
  const { nodes, weights } = gaussHermite(size);
  let s = 0;
  for (let i = 0; i < nodes.length; i++) s += weights[i] * f(nodes[i]);
  return s;
}

/**
 * Gaussian smoothing of functions that are analytic in the strip |Im z| < π/2 (tanh, tanh², sech²), at any width:
 * `E[F(mean + sd·g)]`.
 *
 * Why two methods: Gauss–Hermite in g converges like exp(−π√size / sd) for such F (the poles of tanh sit at distance
 * π/(2·sd) from the real g axis), so for wide Gaussians (sd ≳ √size/7) it would need ever more nodes. There we
 * integrate in the pre-activation z = mean + sd·g instead, where F has unit scale and the Gaussian density is broad and
 * entire: the trapezoidal rule with step h converges like exp(−π²/h) (h = 0.2 → 1e-21) on z ∈ mean ± 10·sd.
 */
export class GaussianSmoother {
  readonly rule: GaussRule;
  /** Largest sd handled by Gauss–Hermite; wider Gaussians use the trapezoid in z. */
  readonly sdSwitch: number;
  constructor(readonly size = 128) {
    this.rule = gaussHermite(size);
    // error ≈ exp(−π √size / sd) ≤ 1e-13 for sd ≤ π √size / 30
    this.sdSwitch = (Math.PI * Math.sqrt(size)) / 30;
  }

  /**
   * Both moments at once, E[F1(z)] and E[F2(z)] for z = mean + sd·g (F1, F2 evaluated from the same z).
   * `fn` returns nothing; it receives (z, weight) pairs and accumulates what it needs.
   */
  forEach(mean: number, sd: number, fn: (z: number, weight: number) => void): void {
    const s = Math.abs(sd);
    if (s <= this.sdSwitch) {
      const { nodes, weights } = this.rule;
      for (let i = 0; i < nodes.length; i++) fn(mean + s * nodes[i], weights[i]);
      return;
    }
    const h = 0.2;
    const half = Math.ceil((10 * s) / h);
    const inv = h / (s * SQRT2PI);
    for (let k = -half; k <= half; k++) {
      const u = (k * h) / s;
      fn(mean + k * h, inv * Math.exp(-0.5 * u * u));
    }
  }

  /** E[f(mean + sd·g)]. */
  expect(f: (z: number) => number, mean: number, sd: number): number {
    let acc = 0;
    this.forEach(mean, sd, (z, w) => {
      acc += w * f(z);
    });
    return acc;
  }
}

/**
 * Adaptive Gauss–Kronrod (7–15) integration of f over [a, b] to absolute tolerance `tol` (bisection of the interval
 * with the largest error estimate; at most `maxIntervals` pieces). Used as an independent high-accuracy reference.
 */
export function integrateAdaptive(
  f: (x: number) => number,
  a: number,
  b: number,
  tol = 1e-12,
  maxIntervals = 2000,
): number {
  // Kronrod nodes xk and weights wk, Gauss weights wg: QUADPACK's dqk15 (xgk, wgk, wg), each written as the float64
  // nearest to QUADPACK's 33-digit value.
  const xk = [
    0.9914553711208126, 0.9491079123427585, 0.8648644233597691, 0.7415311855993945, 0.5860872354676911,
    0.4058451513773972, 0.20778495500789848, 0,
  ];
  const wk = [
    0.022935322010529224, 0.06309209262997856, 0.10479001032225019, 0.14065325971552592, 0.1690047266392679,
    0.19035057806478542, 0.20443294007529889, 0.20948214108472782,
  ];
  const wg = [0.1294849661688697, 0.27970539148927664, 0.3818300505051189, 0.4179591836734694];
  const gk = (lo: number, hi: number): { value: number; err: number } => {
    const c = 0.5 * (lo + hi);
    const hw = 0.5 * (hi - lo);
    const fc = f(c);
    let k = wk[7] * fc;
    let g = wg[3] * fc;
    for (let j = 0; j < 7; j++) {
      const dx = hw * xk[j];
      const s = f(c - dx) + f(c + dx);
      k += wk[j] * s;
      if (j % 2 === 1) g += wg[(j - 1) / 2] * s;
    }
    return { value: k * hw, err: Math.abs((k - g) * hw) };
  };
  const pieces: { lo: number; hi: number; value: number; err: number }[] = [{ lo: a, hi: b, ...gk(a, b) }];
  for (;;) {
    let total = 0;
    let errTotal = 0;
    let worst = 0;
    for (let i = 0; i < pieces.length; i++) {
      total += pieces[i].value;
      errTotal += pieces[i].err;
      if (pieces[i].err > pieces[worst].err) worst = i;
    }
    if (errTotal <= tol || pieces.length >= maxIntervals) return total;
    const p = pieces[worst];
    const mid = 0.5 * (p.lo + p.hi);
    pieces.splice(worst, 1, { lo: p.lo, hi: mid, ...gk(p.lo, mid) }, { lo: mid, hi: p.hi, ...gk(mid, p.hi) });
  }
}
