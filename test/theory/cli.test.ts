import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { VERSION } from '../../src/version.js';

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => chunks.join('') };
}

/** The parts of `theory --json` (and theory.json) this test reads; Infinity is written as null. */
interface TheoryJson {
  phase1: Record<'t' | 'omega' | 'b' | 'm' | 'sqrtQ' | 'sqrtR', (number | null)[]> & {
    infinite: { omega: number[] };
    jump: { t: number };
    transition: { spinodal: { t: number } };
  };
  phase2: Record<'t' | 'c' | 'm' | 'sqrtQ', number[]>;
  pHat: { infinite: number; infiniteEuler: number; finite: number };
  sigmaHat2: { finite: number; infinite: number };
  config: { version: string; n: number; variant: string };
  kappaStudy: { kappa: number[] };
  mse: unknown;
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream });
  return { code, out: out.text(), err: err.text() };
}

test('theory: every bad flag exits 2 with one line naming the flag', async () => {
  const bad: [string[], string][] = [
    [['--n', '0'], '--n'],
    [['--n', '2.5'], '--n'],
    [['--lambda-u', '-1'], '--lambda-u'],
    [['--lambda-w', 'x'], '--lambda-w'],
    [['--kappa', '0'], '--kappa'],
    [['--p', '1'], '--p'],
    [['--p', '0'], '--p'],
    [['--sigma', '0'], '--sigma'],
    [['--curve-points', '1'], '--curve-points'],
    [['--grid', '1'], '--grid'], // the deprecated name still names itself
    [['--variant', 'other'], '--variant'],
    [['--numerator', 'other'], '--numerator'],
    [['--theory-selection', 'local'], '--theory-selection'],
    [['--kappas', '1,-2'], '--kappas'],
    [['--nodes', '4'], '--nodes'],
    [['--bogus'], '--bogus'],
  ];
  for (const [args, flag] of bad) {
    const r = await run(['theory', ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}`);
    assert.equal(r.out, '');
    const lines = r.err.trim().split('\n');
    assert.equal(lines.length, 1, r.err);
    assert.ok(lines[0].includes(flag), `${args.join(' ')}: ${r.err}`);
  }
});

test('theory --json --out: one JSON object with the documented keys, theory.json and figures on disk', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phaseflow-theory-'));
  try {
    const r = await run(['theory', '--json', '--curve-points', '11', '--kappas', '2', '--out', dir]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as TheoryJson;
    for (const k of ['phase1', 'phase2', 'pHat', 'sigmaHat2', 'config', 'kappaStudy', 'mse']) assert.ok(k in j, k);
    for (const k of ['t', 'omega', 'b', 'm', 'sqrtQ', 'sqrtR'] as const) assert.equal(j.phase1[k].length, 11, k);
    for (const k of ['t', 'c', 'm', 'sqrtQ'] as const) assert.equal(j.phase2[k].length, 11, k);
    assert.deepEqual(j.phase1.infinite.omega.slice(0, 2), [0, 0.2]);
    assert.equal(j.phase1.b[0], null); // b = ∞ on the degenerate branch
    assert.ok(Math.abs(j.phase1.jump.t - 0.15) < 2e-3);
    assert.ok(Math.abs(j.phase1.transition.spinodal.t - 0.134) < 3e-3);
    assert.ok(Math.abs(j.pHat.infinite - 0.8022) < 5e-5);
    assert.ok(Math.abs(j.pHat.infiniteEuler - 0.805) < 1e-3);
    assert.ok(j.pHat.finite > 0.802 && j.pHat.finite < 0.806, String(j.pHat.finite));
    assert.ok(Math.abs(j.sigmaHat2.finite - 227 / 179) < 1e-12);
    assert.equal(j.sigmaHat2.infinite, 1);
    assert.equal(j.config.version, VERSION);
    assert.equal(j.config.n, 128);
    assert.equal(j.config.variant, 'notebook');
    assert.deepEqual(j.kappaStudy.kappa, [2]);
    const file = JSON.parse(readFileSync(join(dir, 'theory.json'), 'utf8')) as Pick<TheoryJson, 'phase2'>;
    assert.deepEqual(file.phase2.c, j.phase2.c);
    for (const f of [
      'index.html',
      'overlaps.svg',
      'mse-dilated.svg',
      'mse-vp.svg',
      'kappa-phat.svg',
      'kappa-window.svg',
    ])
      assert.ok(existsSync(join(dir, f)), f);
    assert.ok(readFileSync(join(dir, 'overlaps.svg'), 'utf8').startsWith('<'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('theory without --json prints a human-readable summary', async () => {
  const r = await run([
    'theory',
    '--curve-points',
    '6',
    '--no-kappa-study',
    '--variant',
    'cui',
    '--numerator',
    'fixed',
  ]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /p̂: finite n 0\.80\d\d/);
  assert.match(r.out, /phase 2: cui, numerator: fixed/);
  assert.doesNotMatch(r.out, /κ study/);
});
