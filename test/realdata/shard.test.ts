// Cluster use (issue 11 item 6): the retraining runs and the scan cells split with shards i/k (as `phaseflow sweep`)
// and merged equal the unsharded run at the tiny scale; the merge refuses missing, duplicated and foreign shards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realDataContext, type Reporter } from '../../src/realdata/context.js';
import {
  mergeRetrainShards,
  retrainCells,
  runRetrainShard,
  runRetrainStage,
  type RetrainStageResult,
} from '../../src/realdata/retrain.js';
import {
  mergeScanShards,
  runScanShard,
  runScanStage,
  scanCells,
  type ScanStageResult,
} from '../../src/realdata/scan.js';
import { shardCells } from '../../src/sweep/shard.js';

const quiet: Reporter = { progress: () => ({ start() {}, update() {}, done() {}, stopped() {} }), log() {} };
const ctxAt = (out: string) => realDataContext({ scale: 'tiny', threads: 1, out, reporter: quiet });
const window: [number, number] = [0.2, 0.6];

/** A result without what legitimately differs between runs (timings, and the configHash field of cached files). */
function retrainCore(r: RetrainStageResult) {
  return {
    parts: r.parts.map(({ genSeconds: _g, ...p }) => {
      void _g;
      const { configHash: _h, ...q } = p as typeof p & { configHash?: string };
      void _h;
      return q;
    }),
    budgets: r.budgets,
    arms: r.arms,
    window: r.window,
  };
}
function scanCore(r: ScanStageResult) {
  const strip = <T extends object>(x: T) => {
    const { configHash: _h, ...y } = x as T & { configHash?: string };
    void _h;
    return y;
  };
  return {
    parts: r.parts.map(strip),
    base: r.base,
    intervals: r.intervals,
    control: r.control,
    comparison: r.comparison,
  };
}

test('cells: every run / scan cell in exactly one shard', () => {
  const cells = retrainCells([0, 1, 2]);
  assert.equal(cells.length, 6);
  const got = [1, 2, 3, 4]
    .flatMap((i) => shardCells(cells, { index: i, count: 4 }).map((c) => c.index))
    .sort((a, b) => a - b);
  assert.deepEqual(got, [0, 1, 2, 3, 4, 5]);
  const sc = scanCells([0, 1], 2);
  assert.deepEqual(
    sc.map((c) => [c.seed, c.interval]),
    [
      [0, 0],
      [0, 1],
      [0, -1],
      [1, 0],
      [1, 1],
      [1, -1],
    ],
  );
});

test('retrain: shards 1/2 + 2/2 merged equal the unsharded run; missing, duplicated and foreign shards are refused', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pf-shard-retrain-'));
  const full = await runRetrainStage(await ctxAt(join(root, 'full')), { window });
  const s1 = await runRetrainShard(await ctxAt(join(root, 's1')), { window }, { index: 1, count: 2 });
  const s2 = await runRetrainShard(await ctxAt(join(root, 's2')), { window }, { index: 2, count: 2 });
  assert.deepEqual(
    s1.cells.map((c) => c.index),
    [0, 2, 4],
  );
  const merged = mergeRetrainShards(
    [
      { name: 's1', data: s1 },
      { name: 's2', data: s2 },
    ],
    join(root, 'merged'),
  );
  assert.deepEqual(retrainCore(merged), retrainCore(full));
  assert.throws(() => mergeRetrainShards([{ name: 's1', data: s1 }]), /3 of 6 cells are missing \(shards 2\/2\)/);
  assert.throws(
    () =>
      mergeRetrainShards([
        { name: 's1', data: s1 },
        { name: 's1 again', data: s1 },
      ]),
    /appears twice/,
  );
  const other = await runRetrainShard(await ctxAt(join(root, 'other')), { window: [0.1, 0.6] }, { index: 2, count: 2 });
  assert.throws(
    () =>
      mergeRetrainShards([
        { name: 's1', data: s1 },
        { name: 'other', data: other },
      ]),
    /other belongs to another retrain/,
  );
  assert.throws(
    () => mergeRetrainShards([{ name: 'x', data: { ...s1, format: 'phaseflow.sweep-shard' } as never }]),
    /x is not a phaseflow retrain shard/,
  );
});

test('scan: shards 1/2 + 2/2 merged equal the unsharded scan; foreign shards are refused', async () => {
  const root = mkdtempSync(join(tmpdir(), 'pf-shard-scan-'));
  const full = await runScanStage(await ctxAt(join(root, 'full')));
  const s1 = await runScanShard(await ctxAt(join(root, 's1')), {}, { index: 1, count: 2 });
  const s2 = await runScanShard(await ctxAt(join(root, 's2')), {}, { index: 2, count: 2 });
  const merged = mergeScanShards(
    [
      { name: 's2', data: s2 },
      { name: 's1', data: s1 },
    ],
    join(root, 'merged'),
  );
  assert.deepEqual(scanCore(merged), scanCore(full));
  assert.throws(() => mergeScanShards([{ name: 's2', data: s2 }]), /cells are missing \(shards 1\/2\)/);
  assert.throws(
    () =>
      mergeScanShards([
        { name: 's1', data: s1 },
        { name: 'r', data: { ...s2, configHash: 'x' } },
      ]),
    /r belongs to another scan/,
  );
});
