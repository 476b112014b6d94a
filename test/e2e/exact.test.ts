import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';

interface PlusMinus {
  plus: number;
  minus: number;
}
/** The parts of `phaseflow exact --json` these tests read. */
interface ExactJson {
  pHat: number;
  pHatStdErr: number;
  modeMean: PlusMinus;
  variance: PlusMinus;
  config: { d: number };
  meta: { version: string };
}
interface ExactSweepJson {
  rows: Array<{ schedule: string; d: number; pHat: number }>;
}
const parseExact = (s: string) => JSON.parse(s) as ExactJson;

test('phaseflow exact --json prints the documented keys', () => {
  const r = runCli(['exact', '--d', '1000', '--gen-samples', '4000', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const j = parseExact(r.stdout);
  for (const k of ['pHat', 'modeMean', 'variance', 'config']) assert.ok(k in j, k);
  assert.ok('plus' in j.modeMean && 'minus' in j.variance);
  assert.ok(Math.abs(j.pHat - 0.805) < 0.03);
  assert.equal(j.config.d, 1000);
  assert.equal(j.meta.version, (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version);
});

test('--full agrees with the exact reduction within sampling error', () => {
  const args = ['exact', '--d', '300', '--gen-samples', '3000', '--grid-points', '40', '--json', '--sigma', '0.7'];
  const red = parseExact(runCli(args).stdout);
  const full = parseExact(runCli([...args, '--full', '--seed', '1']).stdout);
  assert.ok(
    Math.abs(red.pHat - full.pHat) < 4 * Math.hypot(red.pHatStdErr, full.pHatStdErr),
    `${red.pHat} vs ${full.pHat}`,
  );
  assert.ok(Math.abs(red.variance.plus - full.variance.plus) < 0.01, `${red.variance.plus} vs ${full.variance.plus}`);
  assert.ok(Math.abs(red.modeMean.plus - full.modeMean.plus) < 0.01);
});

test('--sweep-d writes rows, result.json, the pHat-vs-d figure and index.html', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-exact-'));
  const r = runCli(['exact', '--sweep-d', '100,10000,1000000', '--gen-samples', '5000', '--json', '--out', dir]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as ExactSweepJson;
  assert.equal(j.rows.length, 6);
  const at = (s: string, d: number) => j.rows.find((x) => x.schedule === s && x.d === d)!.pHat;
  assert.ok(at('linear', 1000000) > 0.99 && Math.abs(at('dilated', 1000000) - 0.805) < 0.02);
  assert.deepEqual(readdirSync(dir).sort(), ['index.html', 'phat-vs-d.svg', 'result.json']);
  const svg = readFileSync(join(dir, 'phat-vs-d.svg'), 'utf8');
  assert.match(svg, /class="axis x"/);
  assert.doesNotMatch(svg, /NaN/);
  assert.deepEqual((JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as ExactSweepJson).rows.length, 6);
});

test('bad input: one line naming the flag, exit status 2, no stack trace, no output files', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'pf-exact-')), 'out');
  const cases: [string[], RegExp][] = [
    [['exact', '--p', '1.5'], /--p: expected a number > 0 and < 1/],
    [['exact', '--d', '0'], /--d: expected an integer >= 1/],
    [['exact', '--grid-points', '1'], /--grid-points: expected an integer >= 2/],
    [['exact', '--schedule', 'vp'], /--schedule: expected one of/],
    [['exact', '--kappa', '5', '--d', '16', '--out', dir], /--kappa: the dilated schedule needs kappa < sqrt\(d\)/],
    [['exact', '--gen-samples', 'many'], /--gen-samples: expected an integer/],
    [['exact', '--frobnicate'], /unknown flag --frobnicate/],
    [['nosuchcommand'], /unknown command "nosuchcommand"/],
  ];
  for (const [argv, re] of cases) {
    const r = runCli(argv);
    assert.equal(r.status, 2, argv.join(' '));
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /at .*\.js:\d+/);
  }
  assert.equal(existsSync(dir), false);
});

test('--help for the tool and for exact', () => {
  const top = runCli(['--help']);
  assert.equal(top.status, 0);
  assert.match(top.stdout, /exact/);
  const h = runCli(['exact', '--help']);
  assert.equal(h.status, 0);
  for (const f of [
    '--schedule',
    '--d',
    '--grid-points',
    '--gen-samples',
    '--p',
    '--kappa',
    '--sigma',
    '--seed',
    '--json',
    '--out',
    '--sweep-d',
    '--full',
  ])
    assert.match(h.stdout, new RegExp(f));
});
