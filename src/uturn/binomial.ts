/** Binomial proportions with Wilson score intervals (good coverage even near 0 and 1, unlike the Wald interval). */

export interface Proportion {
  k: number;
  n: number;
  value: number;
  low: number;
  high: number;
}

/** Wilson score interval for k successes in n trials at normal quantile z (1.96 for 95 %). */
export function wilson(k: number, n: number, z = 1.96): Proportion {
  if (n === 0) return { k, n, value: NaN, low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  // At k = 0 and k = n the interval ends exactly at 0 and 1; round-off would otherwise put them a hair inside.
  const low = k === 0 ? 0 : Math.max(0, centre - half);
  const high = k === n ? 1 : Math.min(1, centre + half);
  return { k, n, value: p, low, high };
}
