/**
 * One verdict rule for every comparison phaseflow reports against a claim of the paper (issue 11 item 3), used by
 * `mnist`, `retrain`, `scan` and `reproduce` alike.
 *
 * A claim is a one-sided statement about a measured quantity θ with a 95 % interval [low, high]:
 *
 *   claim      θ > threshold   (direction 'greater')   or   θ < threshold   (direction 'less')
 *   noEffect   the value of θ meaning "no effect" (0 for a difference, 1 for a ratio); the threshold lies on the
 *              claim's side of it or at it (threshold = noEffect: "there is an effect in this direction";
 *              threshold 5 for a ratio: "more than 5x").
 *
 * With the claim region C = (threshold, ∞) for 'greater' (mirror everything for 'less'):
 *
 *   not comparable   the quality gate failed (the two things compared are not good enough to compare), whatever
 *                    the interval shows;
 *   agrees           low > threshold: the whole interval lies in the claim region;
 *   differs          high ≤ threshold: the interval excludes the claim and lies on the other side of it — this
 *                    covers a significant opposite effect (high < noEffect), no effect where an effect was claimed,
 *                    and, for threshold > noEffect, an effect in the claimed direction but smaller than claimed;
 *   unresolved       low ≤ threshold < high: the interval contains (part of) the claim and also values outside it
 *                    — with threshold = noEffect it contains both the claim and "no effect"; a missing interval
 *                    (fewer than two seeds, NaN) counts as (−∞, ∞) and is unresolved.
 *
 * The three interval cases partition the line, so every interval gets exactly one verdict. `reason` says in words
 * which case applied and whether "no effect" is excluded.
 */

import { tQuantile975 } from './summary.js';

export type Verdict = 'agrees' | 'differs' | 'unresolved' | 'not comparable';
export const VERDICTS: readonly Verdict[] = ['agrees', 'differs', 'unresolved', 'not comparable'];

export interface ClaimSpec {
  /** What θ is, in words (e.g. "error ratio uniform/phase-aware"). */
  quantity: string;
  direction: 'greater' | 'less';
  threshold: number;
  /** θ meaning "no effect"; must not lie on the claim's side of the threshold. */
  noEffect: number;
}

export interface Interval {
  /** Point estimate (shown only). */
  estimate?: number;
  low: number;
  high: number;
}

export interface QualityGate {
  passed: boolean;
  /** Why it failed (or what it checked). */
  reason: string;
}

export interface Judgement {
  verdict: Verdict;
  /** The claim as text, e.g. "error ratio uniform/phase-aware > 5". */
  claim: string;
  interval: { estimate: number | null; low: number | null; high: number | null };
  /** Which rule applied, in words. */
  reason: string;
}

const f = (x: number) => (Number.isFinite(x) ? String(Math.round(x * 1000) / 1000) : String(x));

export function claimText(c: ClaimSpec): string {
  return `${c.quantity} ${c.direction === 'greater' ? '>' : '<'} ${f(c.threshold)}`;
}

/** The verdict of `interval` on `claim`, after the quality gate. */
export function judge(claim: ClaimSpec, interval: Interval, gate?: QualityGate): Judgement {
  const g = claim.direction === 'greater' ? 1 : -1;
  if (g * (claim.noEffect - claim.threshold) > 0)
    throw new RangeError(`judge: "no effect" ${claim.noEffect} lies inside the claim ${claimText(claim)}`);
  const est = interval.estimate ?? NaN;
  const out = (verdict: Verdict, reason: string): Judgement => ({
    verdict,
    claim: claimText(claim),
    interval: {
      estimate: Number.isFinite(est) ? est : null,
      low: Number.isFinite(interval.low) ? interval.low : null,
      high: Number.isFinite(interval.high) ? interval.high : null,
    },
    reason,
  });
  if (gate && !gate.passed) return out('not comparable', `quality gate failed: ${gate.reason}`);
  const finite = Number.isFinite(interval.low) && Number.isFinite(interval.high) && interval.low <= interval.high;
  if (!finite) return out('unresolved', 'no interval (too few seeds): it contains both the claim and "no effect"');
  // Map to the 'greater' orientation: claim region (t, ∞).
  const lo = g > 0 ? interval.low : -interval.high;
  const hi = g > 0 ? interval.high : -interval.low;
  const t = g * claim.threshold,
    n0 = g * claim.noEffect;
  const iv = `[${f(interval.low)}, ${f(interval.high)}]`;
  const side = claim.direction === 'greater' ? 'above' : 'below';
  const other = claim.direction === 'greater' ? 'below' : 'above';
  if (lo > t) return out('agrees', `the interval ${iv} lies ${side} ${f(claim.threshold)}`);
  if (hi <= t) {
    if (hi < n0)
      return out(
        'differs',
        `the interval ${iv} lies ${other} "no effect" ${f(claim.noEffect)}: a significant effect opposite to the claim`,
      );
    if (lo > n0)
      return out(
        'differs',
        `the interval ${iv} excludes "no effect" ${f(claim.noEffect)} but lies ${other} the claimed ${f(claim.threshold)}: an effect in the claimed direction, smaller than claimed`,
      );
    return out(
      'differs',
      `the interval ${iv} does not reach ${side} the claimed ${f(claim.threshold)} (it contains "no effect" ${f(claim.noEffect)})`,
    );
  }
  if (lo > n0)
    return out(
      'unresolved',
      `the interval ${iv} excludes "no effect" ${f(claim.noEffect)} but contains values on both sides of the claimed ${f(claim.threshold)}`,
    );
  return out(
    'unresolved',
    `the interval ${iv} contains both the claim (${side} ${f(claim.threshold)}) and "no effect" ${f(claim.noEffect)}`,
  );
}

/**
 * Seeds at which the Student-t 95 % interval of a mean of paired differences with seed-to-seed SD `sd` has half-width
 * ≤ `halfWidth`: the smallest n ≥ 2 with t_{0.975, n−1} · sd / √n ≤ halfWidth (null when sd is not finite).
 */
export function seedsForHalfWidth(sd: number, halfWidth: number, max = 1_000_000): number | null {
  if (!Number.isFinite(sd) || !(halfWidth > 0)) return null;
  for (let n = 2; n <= max; n++) if ((tQuantile975(n - 1) * sd) / Math.sqrt(n) <= halfWidth) return n;
  return null;
}
