/**
 * Safeguarded Newton–bisection root finder for monotone (non-decreasing) functions — used to invert cdfs
 * (Beta quantile) and monotone maps (the inverse of SD3's "mode" map).
 */

export interface SolveOptions {
  /** Starting point (clamped into the bracket); default the bracket midpoint. */
  x0?: number;
  /** Iteration cap; default 400 (bisection alone needs ~60 steps per factor 2^60 of bracket shrinkage). */
  maxIter?: number;
}

/**
 * Solve f(x) = y on [lo, hi] for non-decreasing f with f(lo) ≤ y ≤ f(hi), given its derivative df.
 *
 * Each iteration evaluates r = f(x) − y, shrinks the bracket [a, b] to the side that keeps the root (r < 0 ⇒ a = x,
 * r > 0 ⇒ b = x) and takes the Newton step x − r / df(x). The step is replaced by bisection when it is not finite
 * (df = 0 or ∞), leaves the open bracket, or is larger than half the step taken two iterations ago (slow progress,
 * e.g. near a zero of df). Stops when r = 0, when the step is below ~1 ulp of x, or when the bracket has shrunk to two
 * adjacent doubles, and returns the evaluated point with the smallest residual.
 * Never leaves [lo, hi], so a broken derivative can slow it down but not send it astray.
 */
export function solveIncreasing(
  f: (x: number) => number,
  df: (x: number) => number,
  y: number,
  lo: number,
  hi: number,
  options: SolveOptions = {},
): number {
  let a = lo;
  let b = hi;
  let x = Math.min(Math.max(options.x0 ?? 0.5 * (lo + hi), lo), hi);
  const maxIter = options.maxIter ?? 400;
  let step = b - a;
  let stepBefore = b - a;
  let best = x;
  let bestResidual = Infinity;
  for (let it = 0; it < maxIter; it++) {
    const r = f(x) - y;
    if (r === 0) return x;
    if (Math.abs(r) < bestResidual) {
      best = x;
      bestResidual = Math.abs(r);
    }
    if (r < 0) a = x;
    else b = x;
    const mid = 0.5 * (a + b);
    if (mid <= a || mid >= b) break; // a and b are adjacent doubles
    let next = x - r / df(x);
    if (!(next > a && next < b) || Math.abs(next - x) > 0.5 * stepBefore) next = mid;
    stepBefore = step;
    step = Math.abs(next - x);
    x = next;
    if (step <= 1.2e-16 * Math.abs(x) || step < 1e-300) {
      // converged to within about an ulp: keep x unless an earlier iterate fits better
      const rx = Math.abs(f(x) - y);
      return rx <= bestResidual ? x : best;
    }
  }
  return best;
}
