import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStages, stageRecordPath } from '../../src/reproduce/index.js';
import { gmmDilatedStage } from '../../src/reproduce/gmmStages.js';
import { overlapVerdict, type Figure1Result } from '../../src/reproduce/figure1.js';
import type { GmmConfig } from '../../src/autoencoder/experiment.js';
import { fmt } from '../../src/report/format.js';

type Summary = {
  config: GmmConfig;
  matched: { config: GmmConfig; overlaps: { t: number[] } };
  figure1: Figure1Result & { version: number; seconds: { train: number; compare: number } };
};

test('gmm-dilated at the tiny scale trains the matched-decay run, records the Figure-1 claims and reuses its checkpoints', async () => {
  const out = mkdtempSync(join(tmpdir(), 'pf-gmm-stage-'));
  const opts = {
    stages: [gmmDilatedStage],
    out,
    scale: 'tiny' as const,
    seed: 4,
    threads: 2,
    quiet: true,
    log: () => {},
  };
  const [rec] = await runStages(opts);
  assert.equal(rec.status, 'done', rec.error);
  assert.match(rec.version!, /figure\d+$/);
  const s = rec.summary as unknown as Summary;
  // the matched run: the same settings and seed, the decays mapped to the theory's constants
  const { lU, lW, ...rest } = s.matched.config;
  const { lU: lU0, lW: lW0, ...rest0 } = s.config;
  assert.deepEqual(rest, rest0);
  assert.notEqual(lU, lU0);
  assert.notEqual(lW, lW0);
  assert.ok(Math.abs((lU * s.config.d * s.config.T) / 2 - s.figure1.theory.lambdaU) < 1e-9);
  assert.ok(Math.abs((lW * s.config.d * s.config.T) / 2 - s.figure1.theory.lambdaW) < 1e-9);
  assert.ok(existsSync(join(out, 'work', 'gmm-dilated', 'matched', 'checkpoint.bin')));
  // one row per overlap and the branch row; each verdict is the criterion applied to the recorded numbers
  const rows = rec.claims!.filter((c) => /weight decay matches|phase-1 minimum/.test(c.claim));
  assert.equal(rows.length, 5);
  (['c', 'm', 'omega', 'b'] as const).forEach((k, i) => {
    assert.equal(rows[i].verdict, overlapVerdict(s.figure1, k));
    const rms = s.figure1.matched.comparison.rmsFinite[k];
    assert.ok(rms === null || rms >= 0);
    assert.ok(rows[i].measured.includes(fmt(rms, 3)), rows[i].measured);
    assert.ok(rows[i].measured.includes(fmt(s.figure1.paper.comparison.rmsFinite[k], 3)));
    assert.ok(rows[i].criterion);
  });
  for (const run of [s.figure1.matched, s.figure1.paper]) {
    const c = run.comparison;
    assert.ok(c.phase1Times > 0 && c.offBranch.every((t) => t >= 0 && t < 1));
    assert.ok(c.offBranch.length <= c.phase1Times);
    // the branch-aware comparison never has more b points than phase-1 times
    assert.ok(c.pointsBranch.b <= c.phase1Times);
  }
  const fig = rec.figures!.find((f) => f.file.endsWith('overlaps-matched.svg'));
  assert.ok(fig && readFileSync(join(out, fig.file), 'utf8').startsWith('<svg'));
  assert.ok(rec.tables!.some((t) => /Figure 1, quantitatively/.test(t.heading)));

  // a stage stopped after both runs finished (no record yet): the rerun resumes both from their checkpoints
  rmSync(stageRecordPath(out, 'gmm-dilated'));
  const [again] = await runStages(opts);
  const s2 = again.summary as unknown as Summary;
  assert.notEqual(again.startedAt, rec.startedAt);
  assert.deepEqual(s2.figure1.matched.comparison, s.figure1.matched.comparison);
  assert.deepEqual(s2.figure1.paper.comparison, s.figure1.paper.comparison);
  assert.deepEqual(s2.matched.overlaps, s.matched.overlaps);
});
