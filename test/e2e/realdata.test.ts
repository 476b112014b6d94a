// The real-data commands end to end at --scale tiny: JSON keys, files, reuse of finished work, model reuse and
// one-line errors with exit status 2 for bad flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';

const tiny = ['--scale', 'tiny', '--threads', '1', '--quiet'];

/** The parts of the commands' --json output these tests read. */
interface Accuracy {
  accuracy: { value: number };
}
interface PipelineJson {
  stage: string;
  scale: string;
  classifier: { oracle: Accuracy };
  uturn: { window: Record<string, unknown>; curves: unknown[]; paper: { startFromA: unknown[] } };
  retrain: { arms: Array<{ name: string }>; budgets: Array<Record<string, unknown>>; parts: unknown };
  scan: { intervals: unknown[]; comparison: Record<string, unknown>; parts: unknown };
  claims: Array<{ claim: string; verdict: string }>;
  timing: { seconds: number };
}
interface ClassifyJson {
  oracle: Accuracy;
  dir: string;
}
interface DenoiseJson {
  sampler: { spec: string };
  steps: number;
  evaluation: { oracle: { origin: string } };
  modelDir: string;
}
interface UturnJson {
  model: { origin: string };
  turnTimes: number[];
}
interface RetrainJson {
  window: { lo: number; hi: number; source: string };
  arms: Array<{ budgets: number[] }>;
}
interface ScanJson {
  intervals: unknown[];
  comparison: { window: unknown };
}

test('mnist --scale tiny: the whole pipeline writes its report, and a rerun reuses everything', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-mnist-'));
  const r = runCli(['mnist', ...tiny, '--out', dir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as PipelineJson;
  assert.equal(j.stage, 'pipeline');
  assert.equal(j.scale, 'tiny');
  assert.ok(j.classifier.oracle.accuracy.value >= 0.99, `oracle accuracy ${j.classifier.oracle.accuracy.value}`);
  for (const k of ['lo', 'hi', 'rule', 'memory']) assert.ok(k in j.uturn.window, `uturn.window.${k}`);
  assert.equal(j.uturn.curves.length, 2);
  assert.ok(j.uturn.paper.startFromA.length > 0);
  assert.deepEqual(
    j.retrain.arms.map((a) => a.name),
    ['uniform', 'phase-aware'],
  );
  assert.equal(j.retrain.budgets.length, 2);
  for (const k of ['errorRatio', 'fdRatio', 'errorDiff', 'verdict'])
    assert.ok(k in j.retrain.budgets[0], `retrain.budgets[0].${k}`);
  assert.ok(j.scan.intervals.length >= 2);
  assert.ok('verdict' in j.scan.comparison);
  assert.match(String(j.scan.comparison.answer), /^Which interval improves the class fraction most: \[/);
  // The claims reproduce would put into its table: 3 of the U-Turn, 2 per budget, 1 of the scan.
  assert.equal(j.claims.length, 3 + 2 * j.retrain.budgets.length + 1);
  for (const f of [
    'result.json',
    'index.html',
    'classifier/model.safetensors',
    'classifier/oracle.json',
    'uturn/uturn.svg',
    'uturn/samples.svg',
    'uturn/index.html',
    'retrain/retrain-error.svg',
    'retrain/retrain-fd.svg',
    'retrain/retrain-samples.svg',
    'retrain/learning-curve.svg',
    'retrain/index.html',
    'scan/scan.svg',
    'scan/scan-vs-uturn.svg',
    'scan/index.html',
  ]) {
    assert.ok(existsSync(join(dir, f)), f);
  }
  assert.match(readFileSync(join(dir, 'uturn', 'uturn.svg'), 'utf8'), /^<svg[^>]*xmlns/);
  const again = runCli(['mnist', ...tiny, '--out', dir, '--json']);
  assert.equal(again.status, 0, again.stderr);
  const j2 = JSON.parse(again.stdout) as PipelineJson;
  assert.deepEqual(j2.uturn, j.uturn);
  assert.deepEqual(j2.retrain.parts, j.retrain.parts);
  assert.deepEqual(j2.scan.parts, j.scan.parts);
  assert.ok(j2.timing.seconds < j.timing.seconds, `rerun ${j2.timing.seconds} s vs ${j.timing.seconds} s`);
});

test('classify, denoise, uturn --model/--classifier, retrain --window, scan --no-uturn', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-rd-cmds-'));
  const c = runCli(['classify', ...tiny, '--out', join(dir, 'oracle'), '--json']);
  assert.equal(c.status, 0, c.stderr);
  const cj = JSON.parse(c.stdout) as ClassifyJson;
  assert.ok(cj.oracle.accuracy.value >= 0.99);
  assert.equal(cj.dir, join(dir, 'oracle', 'classifier'));

  const d = runCli([
    'denoise',
    ...tiny,
    '--sampler',
    'paper-mnist',
    '--train-steps',
    '8',
    '--out',
    join(dir, 'den'),
    '--json',
    '--classifier',
    cj.dir,
  ]);
  assert.equal(d.status, 0, d.stderr);
  const dj = JSON.parse(d.stdout) as DenoiseJson;
  assert.equal(dj.sampler.spec, 'paper-mnist:resolved');
  assert.equal(dj.steps, 8);
  assert.equal(dj.evaluation.oracle.origin, 'loaded');
  for (const f of ['config.json', 'model.safetensors']) assert.ok(existsSync(join(dj.modelDir, f)), f);

  const u = runCli([
    'uturn',
    ...tiny,
    '--model',
    dj.modelDir,
    '--classifier',
    cj.dir,
    '--turn-times',
    '0.2,0.5,0.8',
    '--json',
  ]);
  assert.equal(u.status, 0, u.stderr);
  const uj = JSON.parse(u.stdout) as UturnJson;
  assert.equal(uj.model.origin, 'loaded');
  assert.deepEqual(uj.turnTimes, [0.2, 0.5, 0.8]);

  const r = runCli(['retrain', ...tiny, '--window', '0.2,0.6', '--budgets', '4,8', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rj = JSON.parse(r.stdout) as RetrainJson;
  assert.deepEqual(rj.window, { lo: 0.2, hi: 0.6, source: 'given' });
  assert.deepEqual(rj.arms[0].budgets, [4, 8]);

  const s = runCli(['scan', ...tiny, '--no-uturn', '--intervals', '3', '--json']);
  assert.equal(s.status, 0, s.stderr);
  const sj = JSON.parse(s.stdout) as ScanJson;
  assert.equal(sj.intervals.length, 3);
  assert.equal(sj.comparison.window, null);

  const human = runCli(['classify', ...tiny]);
  assert.equal(human.status, 0, human.stderr);
  assert.match(human.stdout, /oracle held-out accuracy/);
});

test('mnist --shard i/k into one folder each, then --merge: the merged report and result', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-mnist-shards-'));
  const shards = [1, 2].map((i) => {
    const r = runCli(['mnist', ...tiny, '--shard', `${i}/2`, '--out', join(dir, `shard-${i}`)]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`shard ${i}/2: \\d+ retraining runs, \\d+ scan cells`));
    return join(dir, `shard-${i}`);
  });
  const m = runCli(['mnist', '--merge', ...shards, '--out', join(dir, 'merged'), '--json', '--quiet']);
  assert.equal(m.status, 0, m.stderr);
  const j = JSON.parse(m.stdout) as PipelineJson & { merged: { files: string[] } };
  assert.equal(j.merged.files.length, 2);
  assert.equal(j.retrain.budgets.length, 2);
  for (const f of ['index.html', 'result.json', 'retrain/learning-curve.svg', 'scan/scan-vs-uturn.svg'])
    assert.ok(existsSync(join(dir, 'merged', f)), f);
  // A missing shard is named.
  const one = runCli(['mnist', '--merge', shards[0], '--out', join(dir, 'm1'), '--quiet']);
  assert.equal(one.status, 1);
  assert.match(one.stderr, /--merge: .*cells are missing \(shards 2\/2\)/);
});

test('bad input: one line naming the flag, exit status 2', () => {
  const cases: [string[], RegExp][] = [
    [['mnist', '--scale', 'huge'], /--scale/],
    [['uturn', '--fraction', '1.5'], /--fraction/],
    [['classify', '--classes', '3,3'], /--classes/],
    [['classify', '--classes', 'zero,one'], /--classes/],
    [['classify', '--data', '/nonexistent/mnist'], /--data/],
    [['denoise', '--sampler', 'bogus'], /--sampler/],
    [['retrain', '--window', '0.7,0.2'], /--window/],
    [['retrain', '--budgets', '1.5'], /--budgets/],
    [['retrain', '--retrain-seeds', '1,1', '--window', '0.2,0.6'], /--retrain-seeds: entries must be distinct/],
    [['scan', '--intervals', '0,0.5,0.4'], /--intervals/],
    [['uturn', '--model', '/nonexistent/model'], /--model/],
    [['uturn', '--turn-times', '0,0.5'], /--turn-times/],
    [['mnist', '--classifier', '/nonexistent/oracle'], /--classifier/],
    [['mnist', '--resolution', '8'], /--resolution/],
    [['mnist', '--shard', '3/2', '--out', join(tmpdir(), 'pf-bad-shard-not-written')], /--shard/],
    [['mnist', '--shard', '1/2'], /--out: required with --shard/],
    [['mnist', '--window', '0.2,0.6', '--paper-window'], /--window/],
    [['mnist', '--merge'], /--out: required with --merge/],
    [['scan', '--scan-lr', '0'], /--scan-lr/],
    [['scan', '--extra-steps', '3', '--scan-warmup', '3'], /--scan-warmup/],
  ];
  for (const [args, re] of cases) {
    const r = runCli(args.includes('--scale') ? args : [...args, '--scale', 'tiny']);
    assert.equal(r.status, 2, `${args.join(' ')}: status ${r.status}, ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
  }
});
