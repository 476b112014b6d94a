/**
 * Special functions for the time samplers (double precision, no dependencies).
 *
 *   logGamma(x)        ln|Γ(x)| by a Lanczos series (g = 7, 9 terms; relative error ~1e-15), reflection for x < 1/2
 *   logBeta(a, b)      ln B(a, b) = lnΓ(a) + lnΓ(b) − lnΓ(a + b)
 *   regIncBeta(x,a,b)  I_x(a, b) = B(x; a, b) / B(a, b), continued fraction evaluated by the modified Lentz method
 *   erfc(x)            series for |x| < 2, continued fraction (Legendre, via Q(1/2, x²)) beyond
 *   normalCdf / normalSf / normalQuantile   Φ, 1 − Φ and Φ⁻¹ (Halley-refined), accurate in both tails
 *   sigmoid / logit    numerically stable logistic map and its inverse
 */

const TINY = 1e-300;
const EPS = 1e-16;
const SQRT2 = Math.SQRT2;
const SQRT_PI = Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

// Lanczos coefficients for g = 7, n = 9.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/**
 * ln|Γ(x)|. Lanczos: Γ(z + 1) = √(2π) (z + g + ½)^(z + ½) e^{−(z + g + ½)} A_g(z), A_g(z) = c₀ + Σ_k c_k / (z + k);
 * for x < ½ the reflection Γ(x) Γ(1 − x) = π / sin(πx). +∞ at the poles x = 0, −1, −2, ….
 */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return Infinity;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  for (let k = 1; k < LANCZOS.length; k++) a += LANCZOS[k] / (z + k);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** ln B(a, b) for a, b > 0. */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * Continued fraction of the incomplete beta function,
 *   I_x(a, b) = x^a (1 − x)^b / (a B(a, b)) · 1 / (1 + d₁ / (1 + d₂ / (1 + …))),
 *   d_{2m+1} = −(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)),   d_{2m} = m (b − m) x / ((a + 2m − 1)(a + 2m)),
 * evaluated with the modified Lentz recurrences. Converges quickly for x < (a + 1) / (a + b + 2).
 */
function betaFraction(x: number, a: number, b: number): number {
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1); // 1 + d₁
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let f = d;
  for (let m = 1; m <= 100000; m++) {
    const m2 = 2 * m;
    const even = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + even * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + even / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    f *= d * c;
    const odd = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + odd * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + odd / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return f;
}

/**
 * Regularised incomplete beta function I_x(a, b) = (1 / B(a, b)) ∫₀ˣ s^{a−1} (1 − s)^{b−1} ds, a, b > 0.
 * Uses the continued fraction directly for x < (a + 1)/(a + b + 2) and I_x(a, b) = 1 − I_{1−x}(b, a) otherwise.
 */
export function regIncBeta(x: number, a: number, b: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const logFront = a * Math.log(x) + b * Math.log1p(-x) - logBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(logFront) * betaFraction(x, a, b)) / a;
  return 1 - (Math.exp(logFront) * betaFraction(1 - x, b, a)) / b;
}

/** erf(x) for 0 ≤ x < 2 by the positive-term series erf x = (2/√π) e^{−x²} Σ_n 2ⁿ x^{2n+1} / (1·3·5···(2n+1)). */
function erfSeries(x: number): number {
  const x2 = 2 * x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 500; n++) {
    term *= x2 / (2 * n + 1);
    sum += term;
    if (term < sum * EPS) break;
  }
  return (2 / SQRT_PI) * Math.exp(-x * x) * sum;
}

/**
 * erfc(x) for x ≥ 2 from the upper incomplete gamma Q(½, x²) = erfc(x):
 *   Q(a, y) = e^{−y} y^a / Γ(a) · 1 / (y + 1 − a − 1(1 − a) / (y + 3 − a − 2(2 − a) / (y + 5 − a − …))),
 * evaluated with the modified Lentz recurrences; Γ(½) = √π, y^½ = x.
 */
function erfcFraction(x: number): number {
  const a = 0.5;
  const y = x * x;
  let b = y + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let f = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    f *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return (Math.exp(-y) * x * f) / SQRT_PI;
}

/** Complementary error function erfc(x) = (2/√π) ∫ₓ^∞ e^{−s²} ds; relative accuracy ~1e-15 for x ≥ 0. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x === Infinity) return 0;
  if (x < 2) return 1 - erfSeries(x);
  return erfcFraction(x);
}

/** Error function erf(x) = 1 − erfc(x). */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return -erf(-x);
  if (x === Infinity) return 1;
  if (x < 2) return erfSeries(x);
  return 1 - erfcFraction(x);
}

/** Standard normal density φ(x) = e^{−x²/2} / √(2π). */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** Standard normal cdf Φ(x) = ½ erfc(−x/√2) (relative accuracy kept in the lower tail). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / SQRT2);
}

/** Standard normal survival function 1 − Φ(x) = ½ erfc(x/√2) (relative accuracy kept in the upper tail). */
export function normalSf(x: number): number {
  return 0.5 * erfc(x / SQRT2);
}

/**
 * x ≥ 0 with 1 − Φ(x) = p for p ∈ (0, ½]: Abramowitz–Stegun 26.2.23 start (|error| < 4.5e-4), then Halley steps on
 * f(x) = (1 − Φ(x)) − p (f' = −φ, f'' = xφ): with r = f/φ, x ← x + r / (1 − x r / 2).
 */
function upperQuantile(p: number): number {
  const w = Math.sqrt(-2 * Math.log(p));
  let x = w - (2.515517 + w * (0.802853 + w * 0.010328)) / (1 + w * (1.432788 + w * (0.189269 + w * 0.001308)));
  if (p < 1e-300) return x; // φ(x) is subnormal here; the start value is as good as it gets
  for (let i = 0; i < 6; i++) {
    const r = (normalSf(x) - p) / normalPdf(x);
    const step = r / (1 - (x * r) / 2);
    x += step;
    if (Math.abs(step) <= 1e-15 * (1 + Math.abs(x))) break;
  }
  return x;
}

/** Standard normal quantile Φ⁻¹(u), u ∈ [0, 1] (±∞ at the ends, NaN outside). */
export function normalQuantile(u: number): number {
  if (!(u >= 0 && u <= 1)) return NaN;
  if (u === 0) return -Infinity;
  if (u === 1) return Infinity;
  if (u === 0.5) return 0;
  return u < 0.5 ? -upperQuantile(u) : upperQuantile(1 - u);
}

/** Logistic function σ(z) = 1 / (1 + e^{−z}), evaluated without overflow for either sign of z. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** logit(t) = ln(t / (1 − t)) = ln t − ln(1 − t), t ∈ [0, 1] (−∞ at 0, +∞ at 1). */
export function logit(t: number): number {
  return Math.log(t) - Math.log1p(-t);
}
