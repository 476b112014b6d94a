import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, unlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';

/** The parts of `phaseflow sweep --json` these tests read. */
interface SweepJson {
  cells: Array<Record<string, unknown>>;
  rows: unknown[];
  configHash: string;
}

const args = [
  'sweep',
  '--sweep-d',
  '50,200',
  '--seeds',
  '0,1',
  '--epochs',
  '20',
  '--n',
  '16',
  '--grid-points',
  '8',
  '--gen-samples',
  '200',
  '--exact-samples',
  '2000',
  '--threads',
  '1',
  '--quiet',
];

test('sharded sweep + merge equals the unsharded sweep; a missing shard is named', () => {
  const whole = mkdtempSync(join(tmpdir(), 'pf-sweep-'));
  const a = runCli([...args, '--out', whole, '--json'], { timeoutMs: 300000 });
  assert.equal(a.status, 0, a.stderr);
  const ja = JSON.parse(a.stdout) as SweepJson;
  assert.equal(ja.cells.length, 16);
  assert.equal(ja.rows.length, 8);
  for (const f of ['result.json', 'phat-vs-d.svg', 'variance-vs-d.svg', 'index.html'])
    assert.ok(existsSync(join(whole, f)), f);

  const sharded = mkdtempSync(join(tmpdir(), 'pf-sweep-'));
  for (const i of [1, 2, 3]) {
    const r = runCli([...args, '--shard', `${i}/3`, '--out', sharded], { timeoutMs: 300000 });
    assert.equal(r.status, 0, r.stderr);
  }
  const m = runCli(['sweep', '--merge', sharded, '--json']);
  assert.equal(m.status, 0, m.stderr);
  const jm = JSON.parse(m.stdout) as SweepJson;
  const strip = (cells: Array<Record<string, unknown>>) => cells.map(({ seconds: _s, msPerEpoch: _m, ...c }) => c);
  assert.deepEqual(strip(jm.cells), strip(ja.cells));
  assert.equal(jm.configHash, ja.configHash);

  unlinkSync(join(sharded, 'shard-2-of-3.json'));
  const bad = runCli(['sweep', '--merge', sharded]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /cells are missing \(shards 2\/3\)/);
});

test('rerunning a finished sweep resumes (no cell is recomputed) and other settings are refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-sweep-'));
  const exactOnly = ['sweep', '--kinds', 'exact', '--sweep-d', '100', '--seeds', '0', '--quiet', '--out', dir];
  assert.equal(runCli(exactOnly).status, 0);
  const before = readFileSync(join(dir, 'cells.json'), 'utf8');
  assert.equal(runCli(exactOnly).status, 0);
  assert.equal(readFileSync(join(dir, 'cells.json'), 'utf8'), before);
  const other = runCli([...exactOnly, '--p', '0.6']);
  assert.equal(other.status, 2);
  assert.match(other.stderr, /belongs to a sweep with other settings/);
  const bad = runCli(['sweep', '--out', dir, '--shard', '4/3']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--shard: expected i\/k with 1 <= i <= k/);
});
