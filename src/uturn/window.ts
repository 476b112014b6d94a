/**
 * The automatic decision window from U-Turn curves.
 *
 * For start classes c = 1..k let R_c(t) = P(the regenerated sample is classified c | start from class c, turn at t).
 * The class memory D(t) = (Σ_c R_c(t) − 1)/(k − 1) is 1 when every class survives the U-Turn and 0 when the outcome no
 * longer depends on the start (then R_c equals the generated fraction of c and Σ_c R_c = 1). For two classes A, B with
 * f_X(t) = P(end as A | start X), D = f_A − f_B: the gap between the paper's two curves (docs/method.md §4.6).
 *
 * Rule (documented default lo = 0.1, hi = 0.9, on D normalised by its maximum over the scanned times):
 *   t_hi = the earliest time from which D/Dmax stays >= hi up to the last turn time (the feature is kept after it),
 *   t_lo = the latest time up to which D/Dmax stays <= lo from the first turn time (the feature is forgotten before it),
 * each located by linear interpolation between neighbouring turn times. The feature is decided in [t_lo, t_hi]
 * (time runs from noise, t = 0, to data). With the paper's Figure 2 numbers this gives about [0.27, 0.51]; the paper
 * took [0.2, 0.6] by eye.
 */

export interface DecisionWindow {
  lo: number;
  hi: number;
  /** False when D never falls below `lo` (or never rises above `hi`) inside the scanned range: the bound is the range end. */
  bracketedLo: boolean;
  bracketedHi: boolean;
  rule: string;
  /** D(t) at each turn time, and its maximum. */
  memory: number[];
  memoryMax: number;
}

export interface WindowRule {
  lo?: number;
  hi?: number;
}

/** Class memory D(t) from retention curves R_c(t) (one array per start class, aligned with the turn times). */
export function classMemory(retention: readonly (readonly number[])[]): number[] {
  const k = retention.length;
  if (k < 2) throw new RangeError('class memory needs start samples from at least two classes');
  const T = retention[0].length;
  return Array.from({ length: T }, (_, j) => (retention.reduce((s, r) => s + r[j], 0) - 1) / (k - 1));
}

export function decisionWindow(
  times: readonly number[],
  memory: readonly number[],
  rule: WindowRule = {},
): DecisionWindow {
  const lo = rule.lo ?? 0.1;
  const hi = rule.hi ?? 0.9;
  if (!(lo >= 0 && hi <= 1 && lo < hi))
    throw new RangeError(`window thresholds need 0 <= lo < hi <= 1, got ${lo}, ${hi}`);
  const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b]);
  const ts = order.map((i) => times[i]);
  const D = order.map((i) => memory[i]);
  const dmax = Math.max(...D.filter(Number.isFinite));
  const r = D.map((v) => (dmax > 0 ? v / dmax : 0));
  const n = ts.length;
  const cross = (i: number, level: number) => {
    const a = r[i],
      b = r[i + 1];
    return b === a ? ts[i] : ts[i] + ((level - a) / (b - a)) * (ts[i + 1] - ts[i]);
  };
  // t_hi: walk down from the last turn time while the ratio stays >= hi
  let iHi = n - 1;
  while (iHi > 0 && r[iHi - 1] >= hi) iHi--;
  const bracketedHi = iHi > 0 && r[iHi] >= hi;
  const tHi = bracketedHi ? cross(iHi - 1, hi) : ts[iHi];
  // t_lo: walk up from the first turn time while the ratio stays <= lo
  let iLo = 0;
  while (iLo < n - 1 && r[iLo + 1] <= lo) iLo++;
  const bracketedLo = iLo < n - 1 && r[iLo] <= lo;
  const tLo = bracketedLo ? cross(iLo, lo) : ts[iLo];
  return {
    lo: Math.min(tLo, tHi),
    hi: Math.max(tLo, tHi),
    bracketedLo,
    bracketedHi,
    rule: `class memory D(t) = (sum_c R_c(t) - 1)/(k - 1), normalised by its maximum; window = [last time with D <= ${lo}, first time with D >= ${hi}] (linear interpolation)`,
    memory: D,
    memoryMax: dmax,
  };
}
