// The one verdict rule (src/metrics/verdict.ts) on constructed intervals: every branch, both directions, the gate,
// missing intervals; and the seeds-for-a-half-width formula against closed forms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { judge, seedsForHalfWidth, claimText, type ClaimSpec } from '../../src/metrics/verdict.js';
import { tQuantile975 } from '../../src/metrics/summary.js';
import { labelsWithConfidence, CONFIDENT_LEVEL } from '../../src/realdata/generate.js';

const diff: ClaimSpec = { quantity: 'paired difference', direction: 'greater', threshold: 0, noEffect: 0 };
const ratio5: ClaimSpec = { quantity: 'error ratio', direction: 'greater', threshold: 5, noEffect: 1 };
const less: ClaimSpec = { quantity: 'error after − before', direction: 'less', threshold: 0, noEffect: 0 };
const v = (c: ClaimSpec, low: number, high: number, gate?: { passed: boolean; reason: string }) =>
  judge(c, { low, high }, gate).verdict;

test('claim "> no effect": agrees above, unresolved across, differs below (opposite effect) and at the boundary', () => {
  assert.equal(v(diff, 0.01, 0.05), 'agrees');
  assert.equal(v(diff, -0.02, 0.05), 'unresolved');
  assert.equal(v(diff, -0.05, -0.01), 'differs');
  assert.match(judge(diff, { low: -0.05, high: -0.01 }).reason, /opposite to the claim/);
  assert.equal(v(diff, -0.05, 0), 'differs', 'high = threshold: the interval excludes the (open) claim region');
  assert.equal(v(diff, 0, 0.05), 'unresolved', 'low = no effect: contains no effect');
  assert.equal(claimText(diff), 'paired difference > 0');
});

test('claim "> 5x" with no effect 1: agrees, unresolved (both kinds), differs (smaller effect, no effect, opposite)', () => {
  assert.equal(v(ratio5, 5.5, 9), 'agrees');
  assert.equal(v(ratio5, 0.6, 7), 'unresolved');
  assert.match(judge(ratio5, { low: 0.6, high: 7 }).reason, /contains both/);
  assert.equal(v(ratio5, 2, 7), 'unresolved');
  assert.match(judge(ratio5, { low: 2, high: 7 }).reason, /excludes "no effect"/);
  assert.equal(v(ratio5, 2, 4), 'differs');
  assert.match(judge(ratio5, { low: 2, high: 4 }).reason, /smaller than claimed/);
  assert.equal(v(ratio5, 0.59, 1.67), 'differs', "the issue's quick-scale ratio interval excludes 5");
  assert.match(judge(ratio5, { low: 0.59, high: 1.67 }).reason, /contains "no effect"/);
  assert.equal(v(ratio5, 0.2, 0.8), 'differs');
  assert.match(judge(ratio5, { low: 0.2, high: 0.8 }).reason, /opposite/);
});

test('direction "less" mirrors every branch', () => {
  assert.equal(v(less, -0.05, -0.01), 'agrees');
  assert.equal(v(less, -0.05, 0.02), 'unresolved');
  assert.equal(v(less, 0.01, 0.05), 'differs');
  assert.equal(v(less, 0, 0.05), 'differs');
  assert.equal(claimText(less), 'error after − before < 0');
});

test('the quality gate overrides every interval; a missing interval is unresolved; a claim must not contain no effect', () => {
  for (const [lo, hi] of [
    [0.01, 0.05],
    [-0.05, -0.01],
    [-1, 1],
    [NaN, NaN],
  ]) {
    const j = judge(diff, { low: lo, high: hi }, { passed: false, reason: 'uniform 40 % confident' });
    assert.equal(j.verdict, 'not comparable');
    assert.match(j.reason, /quality gate failed: uniform 40 %/);
  }
  assert.equal(v(diff, 0.01, 0.05, { passed: true, reason: 'ok' }), 'agrees');
  assert.equal(v(diff, NaN, NaN), 'unresolved');
  assert.equal(v(diff, 0.3, 0.1), 'unresolved', 'an inverted interval is no interval');
  const j = judge(diff, { estimate: 0.02, low: NaN, high: NaN });
  assert.deepEqual(j.interval, { estimate: 0.02, low: null, high: null });
  assert.throws(
    () => judge({ quantity: 'x', direction: 'greater', threshold: 1, noEffect: 2 }, { low: 0, high: 1 }),
    /lies inside the claim/,
  );
});

test('seedsForHalfWidth: the smallest n with t(0.975, n-1) sd / sqrt(n) <= h', () => {
  // sd 0.03, h 0.015: n = 18 gives 2.110 * 0.03 / sqrt(18) = 0.01492; n = 17 gives 2.120 * 0.03 / sqrt(17) = 0.01543.
  assert.equal(seedsForHalfWidth(0.03, 0.015), 18);
  assert.ok((tQuantile975(17) * 0.03) / Math.sqrt(18) <= 0.015 && (tQuantile975(16) * 0.03) / Math.sqrt(17) > 0.015);
  // sd 0.01: n = 4 gives 3.182 * 0.01 / 2 = 0.0159 > 0.015; n = 5: 2.776 * 0.01 / sqrt(5) = 0.0124.
  assert.equal(seedsForHalfWidth(0.01, 0.015), 5);
  // Large n: the normal quantile, n = ceil((1.96 sd / h)^2) once that exceeds 31: sd 0.06 -> (7.84)^2 = 61.47 -> 62.
  assert.equal(seedsForHalfWidth(0.06, 0.015), 62);
  assert.equal(seedsForHalfWidth(0, 0.015), 2);
  assert.equal(seedsForHalfWidth(NaN, 0.015), null);
});

test('labelsWithConfidence: argmax labels and the softmax >= 0.9 count', () => {
  // logit gaps: 2.25 gives p = 0.905 (counted), 2 gives 0.881 (not), 5 gives 0.993; a tie gives 0.5 (label 0).
  const z = [2.25, 0, 0, 2, 5, 0, 1, 1];
  const { labels, confident } = labelsWithConfidence(z, 4);
  assert.deepEqual([...labels], [0, 1, 0, 0]);
  assert.equal(confident, 2);
  assert.equal(CONFIDENT_LEVEL, 0.9);
});
