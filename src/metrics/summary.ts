/**
 * Summaries across seeds: mean with a Student-t confidence interval, and the ratio of two means with a percentile
 * bootstrap interval (resampling seeds within each arm, from a seeded stream).
 */
import { Rng } from '../random/rng.js';

/** Two-sided 97.5 % Student-t quantiles for 1..30 degrees of freedom (then the normal 1.96). */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11,
  2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function tQuantile975(df: number): number {
  return df >= 1 && df <= 30 ? T975[df - 1] : 1.96;
}

export interface MeanCI {
  mean: number;
  low: number;
  high: number;
  n: number;
  sd: number;
}

export function meanCI(xs: readonly number[]): MeanCI {
  const n = xs.length;
  if (n === 0) return { mean: NaN, low: NaN, high: NaN, n, sd: NaN };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, low: NaN, high: NaN, n, sd: NaN };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const h = (tQuantile975(n - 1) * sd) / Math.sqrt(n);
  return { mean, low: mean - h, high: mean + h, n, sd };
}

export interface RatioCI {
  ratio: number;
  low: number;
  high: number;
}

/** mean(a) / mean(b) with a 95 % percentile bootstrap interval (resampling each arm's values independently). */
export function ratioOfMeans(a: readonly number[], b: readonly number[], seed = 0, resamples = 4000): RatioCI {
  const m = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const ratio = m(a) / m(b);
  const rng = Rng.seeded(seed).split(77);
  const rs: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sa = 0,
      sb = 0;
    for (let i = 0; i < a.length; i++) sa += a[rng.int(a.length)];
    for (let i = 0; i < b.length; i++) sb += b[rng.int(b.length)];
    const v = sa / a.length / (sb / b.length);
    if (Number.isFinite(v)) rs.push(v);
  }
  rs.sort((x, y) => x - y);
  const q = (p: number) => (rs.length ? rs[Math.min(rs.length - 1, Math.max(0, Math.floor(p * rs.length)))] : NaN);
  return { ratio, low: q(0.025), high: q(0.975) };
}
