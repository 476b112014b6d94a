import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FIGURE1_THRESHOLDS,
  figure1Claims,
  figure1Run,
  matchedConfig,
  offBranchAllowed,
  overlapVerdict,
  type Figure1Result,
} from '../../src/reproduce/figure1.js';
import { GMM_PRESETS, configDiff, type GmmConfig } from '../../src/autoencoder/experiment.js';
import type { TheoryComparison } from '../../src/autoencoder/theoryOverlay.js';

const quick: GmmConfig = {
  ...GMM_PRESETS.quick,
  seed: 3,
  backend: 'wasm',
  genMethod: 'euler',
  logEvery: 20,
};

test('matchedConfig changes only the decays, to l = 2 λ / (d T) for the theory constants 50 and 1', () => {
  const m = matchedConfig(quick);
  assert.deepEqual(configDiff(quick, m).sort(), ['lU', 'lW']);
  assert.ok(Math.abs(m.lU - (2 * 50) / (quick.d * quick.T)) < 1e-18);
  assert.ok(Math.abs(m.lW - (2 * 1) / (quick.d * quick.T)) < 1e-18);
  const run = figure1Run(m, comparison({}));
  assert.ok(Math.abs(run.lambdaU - 50) < 1e-9 && Math.abs(run.lambdaW - 1) < 1e-9);
  const other = matchedConfig(quick, { lambdaU: 2, lambdaW: 2 });
  assert.ok(Math.abs(other.lU - other.lW) < 1e-18);
});

function comparison(
  rms: Partial<Record<'c' | 'm' | 'omega' | 'b', number | null>>,
  off: number[] = [],
): TheoryComparison {
  const r = { c: 0.05, m: 0.05, omega: 0.05, b: 0.05, ...rms };
  return {
    rmsFinite: r,
    rmsInfinite: r,
    points: { c: 20, m: 20, omega: 10, b: 8 },
    rmsBranch: r,
    pointsBranch: { c: 20, m: 20, omega: 10, b: 8 },
    offBranch: off,
    phase1Times: 10,
  };
}

function result(mat: TheoryComparison, pap: TheoryComparison): Figure1Result {
  return {
    theory: { lambdaU: 50, lambdaW: 1, n: 128, selection: 'notebook' },
    paper: { lU: 1e-5, lW: 1e-5, lambdaU: 0.1, lambdaW: 0.1, comparison: pap },
    matched: { lU: 5e-3, lW: 1e-4, lambdaU: 50, lambdaW: 1, comparison: mat },
    paperOwnLambda: null,
    thresholds: { ...FIGURE1_THRESHOLDS },
    offBranchMaxFraction: 0.1,
  };
}

test('overlap verdicts follow the stated criterion: below the bound, and (m, ω, b) below the paper-decay run', () => {
  for (const k of ['c', 'm', 'omega', 'b'] as const) {
    const th = FIGURE1_THRESHOLDS[k];
    const good = comparison({ [k]: th * 0.5 });
    assert.equal(overlapVerdict(result(good, comparison({ [k]: th * 2 })), k), 'agrees');
    assert.equal(overlapVerdict(result(comparison({ [k]: th * 1.01 }), comparison({ [k]: th * 2 })), k), 'differs');
    // matched below the bound but not better than the paper's decay: only c passes (no decay acts on c)
    const worse = overlapVerdict(result(good, comparison({ [k]: th * 0.25 })), k);
    assert.equal(worse, k === 'c' ? 'agrees' : 'differs');
    assert.equal(overlapVerdict(result(comparison({ [k]: null }), comparison({})), k), 'not comparable');
  }
});

test('the claims carry the numbers they judge, and the branch row allows one off-branch time in ten', () => {
  assert.equal(offBranchAllowed(10), 1);
  assert.equal(offBranchAllowed(40), 4);
  assert.equal(offBranchAllowed(5), 0);
  const mat = comparison({ m: 0.0271, omega: 0.1453 }, [0.2]);
  const pap = comparison({ m: 0.2752, omega: 0.3771 });
  const claims = figure1Claims(result(mat, pap));
  assert.equal(claims.length, 5);
  assert.match(claims[1].measured, /0\.0271 \(0\.0271\).*0\.275 \(0\.275\)/);
  assert.match(claims[2].measured, /0\.145/);
  for (const c of claims) assert.ok(c.criterion && c.criterion.length > 10, 'every row states its criterion');
  assert.equal(claims[4].verdict, 'agrees');
  assert.match(claims[4].measured, /matched 1 of 10 \(t = 0\.2\)/);
  const twoOff = figure1Claims(result(comparison({}, [0.2, 0.3]), pap));
  assert.equal(twoOff[4].verdict, 'differs');
});
