import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { runCli, BIN, ROOT } from './cli.js';

/** The parts of `phaseflow gmm --json` these tests read. */
interface GmmJson {
  pHat: number;
  overlaps: Record<string, number[]>;
  loss: { final: number };
  msPerEpoch: number;
  config: { epochs: number };
  theory?: { lambdaU: number; lambdaW: number };
}
interface GmmResultJson {
  loss: { values: number[] };
}

const small = [
  '--d',
  '100',
  '--n',
  '32',
  '--grid-points',
  '10',
  '--lr',
  '3e-3',
  '--gen-samples',
  '300',
  '--threads',
  '2',
];

test('phaseflow gmm --json prints the documented summary keys', () => {
  const r = runCli(['gmm', ...small, '--epochs', '50', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as GmmJson;
  for (const k of ['pHat', 'trainP', 'modeMean', 'variance', 'overlaps', 'msPerEpoch', 'config']) assert.ok(k in j, k);
  for (const k of ['t', 'c', 'm', 'omega', 'b', 'sqrtQ', 'sqrtR']) assert.equal(j.overlaps[k].length, 10, k);
  assert.ok(
    j.overlaps.m.every((m: number) => m >= 0),
    'canonical sign: m >= 0',
  );
  assert.equal(j.config.epochs, 50);
  assert.ok(j.msPerEpoch > 0);
  assert.ok(j.theory && j.theory.lambdaU === 50 && j.theory.lambdaW === 1);
});

test('SIGINT writes a checkpoint and exits; --resume ends at the uninterrupted result', async () => {
  // long enough (several seconds) that the interrupt lands mid-run on a fast machine
  const args = [
    'gmm',
    '--d',
    '300',
    '--n',
    '32',
    '--grid-points',
    '10',
    '--lr',
    '1e-3',
    '--gen-samples',
    '300',
    '--threads',
    '2',
    '--epochs',
    '40000',
    '--checkpoint-every',
    '1000000',
    '--theory',
    'none',
    '--json',
  ];
  const whole = mkdtempSync(join(tmpdir(), 'pf-gmm-whole-'));
  const a = runCli([...args, '--out', whole], { timeoutMs: 300000 });
  assert.equal(a.status, 0, a.stderr);

  const dir = mkdtempSync(join(tmpdir(), 'pf-gmm-int-'));
  const child = spawn(process.execPath, [BIN, ...args, '--out', dir], { cwd: ROOT });
  let stderr = '';
  child.stderr.on('data', (b) => (stderr += b));
  // wait until training has started (the config is written before the first epoch), then interrupt
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (existsSync(join(dir, 'config.json'))) {
        clearInterval(poll);
        setTimeout(resolve, 500);
      }
    }, 50);
  });
  child.kill('SIGINT');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 130, stderr);
  assert.match(
    stderr,
    /stopped by SIGINT at epoch \d+; checkpoint written to .*checkpoint\.bin; continue with: phaseflow gmm --resume/,
  );
  assert.ok(existsSync(join(dir, 'checkpoint.bin')));
  assert.ok(!existsSync(join(dir, 'result.json')));
  assert.ok(readdirSync(dir).every((f) => !f.endsWith('.tmp')));

  const b = runCli(['gmm', '--resume', dir, '--json', '--theory', 'none'], { timeoutMs: 300000 });
  assert.equal(b.status, 0, b.stderr);
  const ja = JSON.parse(a.stdout) as GmmJson,
    jb = JSON.parse(b.stdout) as GmmJson;
  assert.deepEqual(jb.overlaps, ja.overlaps);
  assert.equal(jb.pHat, ja.pHat);
  assert.equal(jb.loss.final, ja.loss.final);
  const ra = JSON.parse(readFileSync(join(whole, 'result.json'), 'utf8')) as GmmResultJson;
  const rb = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as GmmResultJson;
  assert.deepEqual(rb.loss.values, ra.loss.values);
});

test('gmm --out writes the report files; a folder that holds a run is not overwritten', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-gmm-out-'));
  const r = runCli(['gmm', ...small, '--epochs', '30', '--out', dir, '--quiet']);
  assert.equal(r.status, 0, r.stderr);
  for (const f of [
    'config.json',
    'result.json',
    'overlaps.json',
    'overlaps.svg',
    'overlaps-all.svg',
    'loss.svg',
    'projection-histogram.svg',
    'index.html',
    'checkpoint.bin',
  ]) {
    assert.ok(existsSync(join(dir, f)), f);
  }
  const again = runCli(['gmm', ...small, '--epochs', '30', '--out', dir]);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /already holds a run; continue it with --resume/);
});

test('gmm bad input: flags, resume mismatch and missing checkpoints', () => {
  const cases: [string[], RegExp, number][] = [
    [['gmm', '--lr', '0'], /--lr: expected a number > 0/, 2],
    [['gmm', '--schedule', 'cosine'], /--schedule: expected one of linear\|ve\|dilated/, 2],
    [['gmm', '--d', '3', '--kappa', '2'], /--kappa: the dilated schedule needs kappa < sqrt\(d\)/, 2],
    [['gmm', '--resume', join(tmpdir(), 'pf-no-such-run')], /--resume: no such folder/, 2],
    [['gmm', '--p', '0'], /--p: expected a number > 0 and < 1/, 2],
  ];
  for (const [argv, re, code] of cases) {
    const r = runCli(argv);
    assert.equal(r.status, code, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
