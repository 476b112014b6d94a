// The one orchestration (issue 11 item 8): `phaseflow mnist` (runRealDataPipeline) and the real-data stages of
// `phaseflow reproduce` run the same stages on the same inputs and give the same claims and verdicts; the window rule
// (the U-Turn's unless a window is given) holds in both, also when reproduce runs the retraining stage alone; sharded
// pipelines merge to the unsharded result; the result types live in one module and the real-data modules import each
// other without cycles (figures.ts imports no stage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realDataContext, type Reporter } from '../../src/realdata/context.js';
import { resolveConfig } from '../../src/realdata/config.js';
import { chooseWindow } from '../../src/realdata/retrain.js';
import {
  mergePipelineShards,
  retrainStep,
  runRealDataPipeline,
  runRealDataShard,
  type PipelineShardFile,
} from '../../src/realdata/pipeline.js';
import { pipelineClaims } from '../../src/realdata/verdicts.js';
import { retrainStage, scanStage, uturnStage } from '../../src/reproduce/realdataStages.js';
import type { StageContext, StageRecord } from '../../src/reproduce/stage.js';
import type { RetrainStageResult, UTurnStageResult } from '../../src/realdata/results.js';

const bar = { start() {}, update() {}, done() {}, stopped() {} };
const quiet: Reporter = { progress: () => bar, log() {} };

/** A reproduce stage context whose shared real-data folder is `<root>/realdata` (as `reproduce --out <root>`). */
function stageCtx(root: string, name: string, previous: Record<string, StageRecord> = {}): StageContext {
  return {
    dir: join(root, 'work', name),
    scale: 'tiny',
    seed: 0,
    threads: 1,
    quiet: true,
    log: () => {},
    previous,
    force: false,
  };
}

test('mnist and reproduce: the same stages, the same claims and verdicts, the same window rule', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pf-pipeline-'));
  // reproduce keeps the real-data work in <out>/realdata, with the data seed of --seed (0).
  const config = resolveConfig('tiny', { data: { seed: 0 } });
  const ctx = await realDataContext({ config, out: join(root, 'realdata'), threads: 1, reporter: quiet });
  const p = await runRealDataPipeline(ctx);
  assert.equal(p.retrain!.window.source, 'uturn');
  const w0 = chooseWindow({ uturn: p.uturn! });
  assert.deepEqual([p.retrain!.window.lo, p.retrain!.window.hi], [w0.lo, w0.hi]);
  assert.deepEqual(p.scan!.comparison.window, [p.uturn!.window.lo, p.uturn!.window.hi]);
  assert.deepEqual(p.claims, pipelineClaims(p));
  for (const f of ['retrain-samples.svg', 'learning-curve.svg', 'retrain-error.svg'])
    assert.ok(existsSync(join(root, 'realdata', 'retrain', f)), f);
  const html = readFileSync(join(root, 'realdata', 'index.html'), 'utf8');
  for (const h of [
    'Paper claims and what phaseflow measured',
    'Generated digits',
    'Learning curves',
    'Which interval improves the feature most',
  ])
    assert.ok(html.includes(h), h);
  assert.ok(
    html.includes(p.scan!.comparison.answer.replace(/&/g, '&amp;').slice(0, 40)),
    'the answer is in the report',
  );

  // reproduce's three stages, in order, on the same folder: the stored results are reused, the claims are equal.
  const u = await uturnStage.run(stageCtx(root, 'uturn'));
  const done = { uturn: { status: 'done', summary: u.summary } as unknown as StageRecord };
  const r = await retrainStage.run(stageCtx(root, 'retrain', done));
  const s = await scanStage.run(stageCtx(root, 'scan', done));
  const fromReproduce = [...u.claims, ...r.claims, ...s.claims].map((c) => [c.claim, c.verdict, c.measured]);
  assert.deepEqual(
    fromReproduce,
    p.claims.map((c) => [c.claim, c.verdict, c.measured]),
  );
  assert.deepEqual(
    r.figures.map((f) => f.file),
    (p.retrain as RetrainStageResult).figures,
  );
  // reproduce --only retrain (no U-Turn record): the stage takes the U-Turn window too, not a silent fallback.
  const alone = await retrainStage.run(stageCtx(root, 'retrain'));
  const w = (alone.summary as unknown as RetrainStageResult).window;
  assert.equal(w.source, 'uturn');
  assert.deepEqual([w.lo, w.hi], [p.retrain!.window.lo, p.retrain!.window.hi]);
  // A given window wins over the U-Turn's and needs no U-Turn.
  const given = await retrainStep(ctx, { window: [0.2, 0.6] });
  assert.deepEqual(given.result.window, { lo: 0.2, hi: 0.6, source: 'given' });
});

test('mnist shards 1/2 + 2/2 merged give the unsharded pipeline: same parts, summaries and claims', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pf-pipeline-shard-'));
  const at = (d: string) => realDataContext({ scale: 'tiny', threads: 1, out: join(root, d), reporter: quiet });
  const full = await runRealDataPipeline(await at('full'));
  // Every shard takes the same U-Turn result and oracle (as --window FILE --classifier DIR on a cluster).
  const uturn = full.uturn as UTurnStageResult;
  const shardAt = async (d: string) => {
    const c = await at(d);
    c.classifierDir = join(root, 'full', 'classifier');
    return c;
  };
  const s1 = await runRealDataShard(await shardAt('s1'), { uturn }, { index: 1, count: 2 });
  const s2 = await runRealDataShard(await shardAt('s2'), { uturn }, { index: 2, count: 2 });
  assert.ok(existsSync(join(root, 's1', 'pipeline-shard-1-of-2.json')));
  assert.equal(s1.retrain!.cells.length + s2.retrain!.cells.length, 2 * full.retrain!.arms[0].seeds.length);
  const files = [
    { name: 's2', data: s2 },
    { name: 's1', data: s1 },
  ];
  const merged = mergePipelineShards(files, join(root, 'merged'));
  // (The parts' cache hashes differ: the shards name the oracle by its folder.)
  const core = (r: RetrainStageResult) => ({
    parts: r.parts.map((q) => {
      const { genSeconds: _g, configHash: _h, ...rest } = q as typeof q & { configHash?: string };
      void _g;
      void _h;
      return rest;
    }),
    budgets: r.budgets,
    curve: r.curve,
  });
  assert.deepEqual(core(merged.retrain!), core(full.retrain!));
  assert.deepEqual(merged.scan!.intervals, full.scan!.intervals);
  assert.deepEqual(
    merged.claims.map((c) => [c.claim, c.verdict]),
    full.claims.map((c) => [c.claim, c.verdict]),
  );
  assert.deepEqual(merged.merged, { files: ['s2', 's1'] });
  for (const f of [
    'index.html',
    'result.json',
    'retrain/learning-curve.svg',
    'scan/scan-vs-uturn.svg',
    'uturn/uturn.svg',
  ])
    assert.ok(existsSync(join(root, 'merged', f)), f);
  assert.throws(() => mergePipelineShards([{ name: 's1', data: s1 }]), /cells are missing \(shards 2\/2\)/);
  assert.throws(
    () => mergePipelineShards([files[1], { name: 'x', data: { ...s2, configHash: 'other' } }]),
    /x belongs to another study/,
  );
  assert.throws(
    () =>
      mergePipelineShards([
        { name: 'y', data: { ...s1, format: 'phaseflow.sweep-shard' } as unknown as PipelineShardFile },
      ]),
    /y is not a phaseflow mnist shard/,
  );
});

test('the result types live in one module; the real-data modules import each other without cycles', () => {
  const dir = join(import.meta.dirname, '..', '..', 'src', 'realdata');
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  // Runtime imports only (`import type` and `export type` vanish at run time).
  const runtime = (f: string) =>
    [...readFileSync(join(dir, f), 'utf8').matchAll(/^import (?!type )[^;]*? from '\.\/([\w.]+)\.js';/gms)].map(
      (m) => `${m[1]}.ts`,
    );
  const graph = new Map(files.map((f) => [f, runtime(f)]));
  const stages = ['uturnImages.ts', 'retrain.ts', 'scan.ts', 'stages.ts', 'pipeline.ts', 'learningCurve.ts'];
  assert.deepEqual(
    graph.get('figures.ts')!.filter((f) => stages.includes(f)),
    [],
    'figures.ts imports no stage',
  );
  assert.deepEqual(graph.get('results.ts'), [], 'results.ts is types only');
  const seen = new Set<string>();
  const visit = (f: string, path: string[]) => {
    assert.ok(!path.includes(f), `import cycle: ${[...path, f].join(' -> ')}`);
    if (seen.has(f)) return;
    for (const g of graph.get(f) ?? []) visit(g, [...path, f]);
    seen.add(f);
  };
  for (const f of files) visit(f, []);
});
