import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStages, buildReport, readStageRecord, type Stage } from '../../src/reproduce/index.js';
import { runMeta } from '../../src/io/meta.js';
import { linePlot } from '../../src/report/index.js';

function fakeStage(
  name: string,
  behaviour: 'ok' | 'throw',
  calls: string[],
  version = 'v1',
  forced: boolean[] = [],
): Stage {
  return {
    name,
    title: `Stage ${name}`,
    version,
    settings: () => ({ size: 1 }),
    run(ctx) {
      calls.push(name);
      forced.push(ctx.force);
      if (behaviour === 'throw') return Promise.reject(new Error(`boom in ${name}`));
      return Promise.resolve({
        summary: { value: 1.25, sawPrevious: Object.keys(ctx.previous) },
        figures: [
          {
            file: 'f.svg',
            svg: linePlot({ title: name, series: [{ name: 'a', x: [0, 1], y: [0, 1] }] }),
            caption: `figure of ${name}`,
          },
        ],
        claims: [{ claim: `claim ${name}`, paper: 'p', measured: 'value 1.25', verdict: 'agrees', criterion: 'c' }],
      });
    },
  };
}

test('a failed stage is recorded with its error, the others still run, and done stages are skipped on rerun', async () => {
  const out = mkdtempSync(join(tmpdir(), 'pf-stages-'));
  const calls: string[] = [];
  const stages = [fakeStage('a', 'ok', calls), fakeStage('b', 'throw', calls), fakeStage('c', 'ok', calls)];
  const opts = { stages, out, scale: 'tiny' as const, seed: 0, threads: 1, quiet: true, log: () => {} };
  const recs = await runStages(opts);
  assert.deepEqual(
    recs.map((r) => r.status),
    ['done', 'failed', 'done'],
  );
  assert.match(recs[1].error!, /boom in b/);
  assert.deepEqual((recs[2].summary as { sawPrevious: string[] }).sawPrevious, ['a', 'b']);
  assert.ok(existsSync(join(out, 'figures', 'a-f.svg')));
  assert.equal(readStageRecord(out, 'b')!.status, 'failed');

  const html = buildReport(out, recs, { ...runMeta(), scale: 'tiny', seed: 0, totalSeconds: 1 });
  assert.match(html, /Stage b — FAILED/);
  assert.match(html, /boom in b/);
  assert.match(html, /claim a/);
  assert.match(html, /figure of c/);

  calls.length = 0;
  const again = await runStages(opts);
  assert.deepEqual(calls, ['b'], 'only the failed stage runs again');
  assert.equal(again[0].startedAt, recs[0].startedAt);
  calls.length = 0;
  await runStages({ ...opts, force: ['a'] });
  assert.deepEqual(calls, ['a', 'b']);
  calls.length = 0;
  await runStages({ ...opts, seed: 1 });
  assert.deepEqual(calls, ['a', 'b', 'c'], 'another seed reruns everything');
});

test('a stage record made by other code (another Stage.version) is recomputed, and --force reaches the stage', async () => {
  const out = mkdtempSync(join(tmpdir(), 'pf-stages-'));
  const calls: string[] = [];
  const forced: boolean[] = [];
  const base = { out, scale: 'tiny' as const, seed: 0, threads: 1, quiet: true, log: () => {} };
  await runStages({ ...base, stages: [fakeStage('a', 'ok', calls, 'v1', forced)] });
  await runStages({ ...base, stages: [fakeStage('a', 'ok', calls, 'v1', forced)] });
  assert.deepEqual(calls, ['a'], 'same version: reused');
  const lines: string[] = [];
  const recs = await runStages({
    ...base,
    log: (l) => lines.push(l),
    stages: [fakeStage('a', 'ok', calls, 'v2', forced)],
  });
  assert.deepEqual(calls, ['a', 'a'], 'new version: recomputed');
  assert.equal(recs[0].version, 'v2');
  assert.ok(
    lines.some((l) => /made by other code \(v1, now v2\); recomputing/.test(l)),
    lines.join('\n'),
  );
  await runStages({ ...base, force: ['a'], stages: [fakeStage('a', 'ok', calls, 'v2', forced)] });
  assert.deepEqual(forced, [false, false, true]);
});
