/**
 * Test helpers for the time samplers: quadrature that tolerates integrable endpoint singularities, and the
 * one-sample Kolmogorov–Smirnov statistic.
 */

// 5-point Gauss–Legendre on [−1, 1].
const GL_X = [0, -0.5384693101056831, 0.5384693101056831, -0.906179845938664, 0.906179845938664];
const GL_W = [0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891, 0.2369268850561891];

/**
 * ∫_c^d f(t) dt with the substitution t = c + (d − c)(3s² − 2s³), dt = 6(d − c) s(1 − s) ds. The Jacobian vanishes
 * linearly at both ends, which turns singularities like (t − c)^{−1/2} into smooth integrands; the open Gauss rule never
 * evaluates f at c or d. Composite 5-point Gauss–Legendre over `panels` panels in s.
 */
function smoothIntegral(f: (t: number) => number, c: number, d: number, panels: number): number {
  const len = d - c;
  let sum = 0;
  for (let p = 0; p < panels; p++) {
    const s0 = p / panels;
    const h = 1 / panels;
    for (let k = 0; k < 5; k++) {
      const s = s0 + 0.5 * h * (GL_X[k] + 1);
      const t = c + len * s * s * (3 - 2 * s);
      sum += 0.5 * h * GL_W[k] * f(t) * 6 * len * s * (1 - s);
    }
  }
  return sum;
}

/** ∫_a^b f, split at `breaks` (discontinuities or singular points of f inside (a, b)). */
export function integrate(
  f: (t: number) => number,
  a: number,
  b: number,
  breaks: readonly number[] = [],
  panels = 64,
): number {
  if (b <= a) return 0;
  const pts = [a, ...breaks.filter((x) => x > a && x < b).sort((x, y) => x - y), b];
  let sum = 0;
  for (let i = 0; i + 1 < pts.length; i++) sum += smoothIntegral(f, pts[i], pts[i + 1], panels);
  return sum;
}

/**
 * One-sample KS statistic scaled by √n: √n · sup_t |F_n(t) − F(t)|. Under H0 (samples drawn from F) its asymptotic
 * 0.999 quantile is 1.9495 (Kolmogorov distribution), so values above 1.95 reject at level 0.001.
 */
export function ksScaled(samples: Float64Array, cdf: (t: number) => number): number {
  const x = Float64Array.from(samples).sort();
  const n = x.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(x[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d * Math.sqrt(n);
}

/** Critical value of √n·D at level 0.001. */
export const KS_CRITICAL_0_001 = 1.95;

/** Central-difference derivative. */
export function derivative(f: (t: number) => number, t: number, h = 1e-5): number {
  return (f(t + h) - f(t - h)) / (2 * h);
}

/** Asserts that fn throws a RangeError whose message matches re and is a single line. */
export function assertRangeError(fn: () => unknown, re: RegExp, what?: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof RangeError))
    throw new Error(`${what ?? 'call'}: expected a RangeError, got ${String(caught)}`);
  if (!re.test(caught.message)) throw new Error(`${what ?? 'call'}: message "${caught.message}" does not match ${re}`);
  if (caught.message.includes('\n'))
    throw new Error(`${what ?? 'call'}: message has several lines: "${caught.message}"`);
}
