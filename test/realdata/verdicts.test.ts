// The real-data verdicts (src/realdata/verdicts.ts) on constructed results: quality gate, power against its closed
// form, the statement and resolving command, the scan's claim; and mnist's and reproduce's summaries of one stored
// retraining result give the same verdicts (reproduce's stage reads the stored result from its cache).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { meanCI, tQuantile975 } from '../../src/metrics/summary.js';
import { wilson } from '../../src/uturn/binomial.js';
import {
  ARMS,
  chooseWindow,
  retrainHash,
  summariseBudgets,
  summariseCurve,
  type RetrainPart,
  type RetrainStageResult,
} from '../../src/realdata/retrain.js';
import { judgeScan, pipelineVerdictLines, retrainClaims, TARGET_HALF_WIDTH } from '../../src/realdata/verdicts.js';
import { realDataContext } from '../../src/realdata/context.js';
import { resolveConfig } from '../../src/realdata/config.js';
import { writeCached } from '../../src/realdata/store.js';
import { retrainStage } from '../../src/reproduce/realdataStages.js';
import type { StageRecord } from '../../src/reproduce/stage.js';

const seeds = [0, 1, 2, 3, 4];
/** Class errors per arm and budget (one per seed) and the confident fraction of every part of that budget. */
function parts(
  spec: Record<number, { u: number[]; p: number[]; confident: [number, number]; typical?: [number, number] }>,
): RetrainPart[] {
  const out: RetrainPart[] = [];
  for (const [bs, s] of Object.entries(spec)) {
    const b = Number(bs);
    for (const [i, seed] of seeds.entries()) {
      for (const [a, arm] of ARMS.entries()) {
        const e = arm === 'uniform' ? s.u[i] : s.p[i];
        out.push({
          arm,
          seed,
          budget: b,
          key: `${arm}-s${seed}`,
          fractionA: wilson(Math.round(500 * (0.8 + e)), 500),
          classError: e,
          confident: s.confident[a],
          typical: (s.typical ?? [0.98, 0.97])[a],
          fd: 1 + e,
          genSeconds: 0,
        });
      }
    }
  }
  return out;
}

const SPEC = {
  // Junk at 100 steps: the phase-aware arm draws few confident images -> not comparable, whatever the errors say.
  100: {
    u: [0.2, 0.25, 0.22, 0.3, 0.21],
    p: [0.05, 0.04, 0.06, 0.05, 0.03],
    confident: [0.95, 0.6] as [number, number],
  },
  // Clear improvement at 200 steps.
  200: {
    u: [0.1, 0.12, 0.11, 0.13, 0.1],
    p: [0.02, 0.03, 0.02, 0.01, 0.02],
    confident: [0.97, 0.96] as [number, number],
  },
  // Confident but atypical at 300 steps (blank frames and noise are classified confidently): not comparable.
  300: {
    u: [0.1, 0.12, 0.11, 0.13, 0.1],
    p: [0.02, 0.03, 0.02, 0.01, 0.02],
    confident: [0.97, 0.96] as [number, number],
    typical: [0.95, 0.4] as [number, number],
  },
  // Seed noise at 400 steps: unresolved.
  400: {
    u: [0.05, 0.01, 0.09, 0.02, 0.04],
    p: [0.02, 0.06, 0.01, 0.05, 0.03],
    confident: [0.99, 0.99] as [number, number],
  },
};

test('budget summaries: gate, verdicts, power in closed form, and the resolving command where unresolved', () => {
  const bs = summariseBudgets(parts(SPEC), seeds, [100, 200, 300, 400], 'quick');
  const [b1, b2, b3, b4] = bs;
  assert.equal(b3.gate.passed, false);
  assert.equal(b3.verdict, 'not comparable');
  assert.match(b3.gate.reason, /phase-aware 96\.0 % confident, 40\.0 % typical/);
  assert.equal(b1.gate.passed, false);
  assert.equal(b1.verdict, 'not comparable');
  assert.equal(b1.judgements.ratio.verdict, 'not comparable');
  assert.match(b1.statement, /phase-aware 60\.0 %/);
  assert.equal(b1.resolve, null);
  assert.deepEqual(
    { mean: b1.arms['phase-aware'].confident.mean, n: b1.arms['phase-aware'].confident.n },
    { mean: 0.6, n: 5 },
  );

  assert.equal(b2.gate.passed, true);
  assert.equal(b2.verdict, 'agrees');
  assert.ok(b2.errorDiff.low > 0);
  assert.equal(
    b2.judgements.ratio.verdict,
    b2.errorRatio.low > 5 ? 'agrees' : b2.errorRatio.high <= 5 ? 'differs' : 'unresolved',
  );

  assert.equal(b4.verdict, 'unresolved');
  const d = SPEC[400].u.map((u, i) => u - SPEC[400].p[i]);
  const m = d.reduce((a, b) => a + b, 0) / 5;
  const sd = Math.sqrt(d.reduce((a, x) => a + (x - m) ** 2, 0) / 4);
  assert.ok(Math.abs(b4.power.sdDiff! - sd) < 1e-12);
  assert.equal(b4.power.seeds, 5);
  assert.equal(b4.power.target, TARGET_HALF_WIDTH);
  // seedsNeeded: smallest n >= 2 with t(n-1) sd / sqrt(n) <= 0.015 (sd ~ 0.0427: about 34).
  const n = b4.power.seedsNeeded!;
  assert.ok(
    (tQuantile975(n - 1) * sd) / Math.sqrt(n) <= 0.015 && (tQuantile975(n - 2) * sd) / Math.sqrt(n - 1) > 0.015,
    `n = ${n}`,
  );
  assert.ok(Math.abs(b4.power.halfWidth! - (tQuantile975(4) * sd) / Math.sqrt(5)) < 1e-12);
  assert.ok(
    b4.resolve &&
      b4.resolve.includes(`--retrain-seeds ${[...Array(n).keys()].join(',')}`) &&
      b4.resolve.includes('--shard') &&
      b4.resolve.includes('--merge'),
    b4.resolve ?? '',
  );
  assert.match(b4.statement, /to resolve it/);
});

test('mnist and reproduce give the same verdicts for one stored retraining result', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pf-verdicts-'));
  // reproduce keeps the real-data work in <out>/realdata beside the stage folders, with the data seed of --seed.
  const config = resolveConfig('tiny', { data: { seed: 0 } });
  const ctx = await realDataContext({ config, out: join(root, 'realdata'), threads: 1 });
  const w = chooseWindow({ paperWindow: true });
  const ps = parts(SPEC);
  const stored = {
    stage: 'retrain',
    window: w,
    massInside: 0.5,
    targetFractionA: 0.8,
    arms: ARMS.map((name) => ({
      name,
      sampler: name,
      seeds,
      budgets: [100, 200, 300, 400],
      curveSteps: [],
      steps: 400,
      scheduleSteps: 400,
      optim: {},
      generation: {},
      runKeys: [],
    })),
    parts: ps,
    budgets: summariseBudgets(ps, seeds, [100, 200, 300, 400], 'tiny'),
    curve: summariseCurve(ps, seeds, [100, 200, 300, 400]),
    paperClaim: { statement: 's', ratio: 5, paperWindow: [0.2, 0.6], uniformGeneratedFractionA: 0.882 },
    oracle: { accuracy: wilson(99, 100) },
    timing: { seconds: 1, trainSeconds: 0, evalSeconds: 0, msPerStep: null },
    figures: [],
  } as unknown as RetrainStageResult;
  writeCached(join(root, 'realdata', 'retrain', 'result.json'), retrainHash(ctx, w), stored);
  // reproduce's retraining stage takes the window from the U-Turn stage's record (here one with the paper's window).
  const uturnRecord = { status: 'done', summary: { window: { lo: w.lo, hi: w.hi } } } as unknown as StageRecord;
  const out = await retrainStage.run({
    dir: join(root, 'retrain'),
    scale: 'tiny',
    seed: 0,
    threads: 1,
    quiet: true,
    log: () => {},
    previous: { uturn: uturnRecord },
    force: false,
  });
  const fromReproduce = out.claims.map((c) => [c.claim, c.verdict]);
  const fromMnist = pipelineVerdictLines({ retrain: stored, scan: null })
    .filter((l) => /^(agrees|differs|unresolved|not comparable|n\/a): /.test(l))
    .map((l) => {
      const m = /^(agrees|differs|unresolved|not comparable|n\/a): (.*?) — /.exec(l)!;
      return [m[2], m[1]];
    });
  assert.deepEqual(fromMnist, fromReproduce);
  assert.deepEqual(
    fromReproduce.map((r) => r[1]),
    [
      'not comparable',
      'not comparable',
      'agrees',
      retrainClaims(stored)[3].verdict,
      'not comparable',
      'not comparable',
      'unresolved',
      retrainClaims(stored)[7].verdict,
    ],
  );
});

test('scan claim: the best interval in the window against the best outside, paired over seeds', () => {
  const ok = { passed: true, reason: 'ok' };
  const labels = ['[0, 0.5]', '[0.5, 1]'];
  // improvements[j][s]: interval 0 (inside) clearly better on every seed.
  assert.equal(
    judgeScan(
      [
        [0.1, 0.12, 0.11],
        [0.01, 0.02, 0.0],
      ],
      [1, 0],
      labels,
      ok,
    )!.judgement.verdict,
    'agrees',
  );
  // interval 1 (outside) clearly better: differs.
  const d = judgeScan(
    [
      [0.01, 0.02, 0.0],
      [0.1, 0.12, 0.11],
    ],
    [1, 0],
    labels,
    ok,
  )!;
  assert.equal(d.judgement.verdict, 'differs');
  assert.equal(d.insideBest, '[0, 0.5]');
  assert.equal(d.outsideBest, '[0.5, 1]');
  assert.deepEqual(d.difference, meanCI([0.01 - 0.1, 0.02 - 0.12, 0 - 0.11]));
  // noise: unresolved; gate failed: not comparable.
  assert.equal(
    judgeScan(
      [
        [0.1, -0.1, 0.05],
        [0.0, 0.02, 0.01],
      ],
      [1, 0],
      labels,
      ok,
    )!.judgement.verdict,
    'unresolved',
  );
  assert.equal(
    judgeScan(
      [
        [0.1, 0.12, 0.11],
        [0.01, 0.02, 0.0],
      ],
      [1, 0],
      labels,
      { passed: false, reason: 'base 30 %' },
    )!.judgement.verdict,
    'not comparable',
  );
  // no interval mostly inside: the one with the largest overlap stands for the window; all inside: no claim.
  assert.equal(
    judgeScan(
      [
        [0.1, 0.12, 0.11],
        [0.01, 0.02, 0.0],
      ],
      [0.3, 0.1],
      labels,
      ok,
    )!.insideBest,
    '[0, 0.5]',
  );
  assert.equal(
    judgeScan(
      [
        [0.1, 0.12, 0.11],
        [0.01, 0.02, 0.0],
      ],
      [1, 1],
      labels,
      ok,
    ),
    null,
  );
});

test('realismFit: Mahalanobis distance to the real features, threshold the 99th percentile of held-out images', async () => {
  const { realismFit, featureDistances, evaluateImages } = await import('../../src/realdata/generate.js');
  const { Rng } = await import('../../src/random/rng.js');
  // A stand-in oracle on 2 x 2 images whose features are the first two pixels; real images ~ N(0, diag(4, 1)).
  const fake = {
    size: 2,
    featureDim: 2,
    features: (x: ArrayLike<number>, m: number) =>
      Float64Array.from({ length: 2 * m }, (_, k) => x[4 * (k >> 1) + (k & 1)]),
    logits: (_x: ArrayLike<number>, m: number) => Float64Array.from({ length: 2 * m }, (_, k) => (k & 1 ? 0 : 5)),
  };
  const rng = Rng.seeded(3);
  const split = (n: number) => ({
    n,
    x: Float64Array.from({ length: 4 * n }, (_, k) => (k % 4 === 0 ? 2 : 1) * rng.normal()),
    y: new Int32Array(n),
  });
  const fit = realismFit(fake as never, split(20000) as never, split(2000) as never);
  const d = featureDistances(fit, [2, 0, 0, 1, 6, 0, 0, 0], 4);
  assert.ok(
    Math.abs(d[0] - 1) < 0.03 && Math.abs(d[1] - 1) < 0.03 && Math.abs(d[2] - 3) < 0.08 && d[3] < 0.05,
    Array.from(d).join(', '),
  );
  // chi with 2 degrees of freedom: 99th percentile sqrt(-2 ln 0.01) = 3.035.
  assert.ok(Math.abs(fit.threshold - 3.035) < 0.2, `threshold ${fit.threshold}`);
  const ev = evaluateImages({
    oracle: fake as never,
    images: Float64Array.from([2, 0, 9, 9, 0, 1, 9, 9, 8, 0, 0, 0, 0, 40, 0, 0]),
    target: 0.8,
    reference: null,
    realism: fit,
  });
  assert.deepEqual([ev.typical!.k, ev.typical!.n], [2, 4]);
  assert.equal(ev.confident.k, 4, 'confident does not see that the last two are far from every real image');
});

test('scan gate: the base and the two compared continuations; an arm that ruins the model is shown, not blocking', async () => {
  const { summariseScan } = await import('../../src/realdata/scan.js');
  const edges = [0, 0.25, 0.5, 0.75, 1];
  const sd = [0, 1, 2];
  const ev = (classError: number, typical: number) => ({
    fractionA: 0.8 - classError,
    classError,
    confident: 0.97,
    typical,
    fd: 1,
  });
  // Interval 1 (80 % inside the window [0.3, 0.6]) improves on every seed, interval 2 (40 % inside) a little,
  // intervals 0 and 3 (outside) hurt; interval 3 also ruins the model (40 % typical images).
  const after: Record<number, [number, number]> = { 0: [0.06, 0.95], 1: [0.01, 0.96], 2: [0.03, 0.95], 3: [0.3, 0.4] };
  const run = (afterOf: Record<number, [number, number]>) => {
    const parts = sd.flatMap((seed) =>
      [0, 1, 2, 3, -1].map((interval) => {
        const [e, t] = interval < 0 ? [0.035, 0.95] : afterOf[interval];
        const jitter = 0.002 * seed;
        return {
          seed,
          interval,
          key: `k${interval}`,
          before: ev(0.04, 0.95),
          after: ev(e + jitter, t),
          deltaError: e + jitter - 0.04,
          deltaFd: 0,
        };
      }),
    );
    return summariseScan(
      {
        stage: 'scan',
        edges,
        baseSteps: 10,
        extraSteps: 2,
        schedule: { lr: 1e-3, warmup: 1, steps: 2, kind: 'cosine' },
        seeds: sd,
        genSamples: 100,
        targetFractionA: 0.8,
        oracle: { accuracy: wilson(99, 100) } as never,
        window: [0.3, 0.6],
      },
      sd.map((seed) => ({ seed, key: `b${seed}`, eval: ev(0.04, 0.95) })),
      parts,
      { seconds: 0, trainSeconds: 0, evalSeconds: 0 },
    );
  };
  const r = run(after);
  assert.deepEqual(
    r.intervals.map((x) => x.passes),
    [true, true, true, false],
  );
  assert.equal(r.comparison.allArms.passed, false, 'every arm: interval 3 fails');
  assert.equal(r.comparison.gate.passed, true, 'the compared arms pass');
  assert.deepEqual(r.comparison.windowVsOutside!.inside, '[0.25, 0.5]');
  assert.deepEqual(r.comparison.windowVsOutside!.outside, '[0.5, 0.75]'); // 40 % inside: outside
  assert.equal(r.comparison.verdict, 'agrees');
  assert.match(
    r.comparison.answer,
    /^Which interval improves the class fraction most: \[0\.25, 0\.5\], lowering the class error by 0\.028/,
  );
  // When the ruined arm is the best outside, the verdict is not comparable.
  const r2 = run({ ...after, 0: [0.2, 0.95], 3: [0.005, 0.4] });
  assert.equal(r2.comparison.windowVsOutside!.outside, '[0.75, 1]');
  assert.equal(r2.comparison.verdict, 'not comparable');
  assert.match(r2.comparison.gate.reason, /\[0\.75, 1\] 97\.0 % \/ 40\.0 %/);
});
