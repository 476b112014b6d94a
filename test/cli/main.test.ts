// The CLI entry in-process: `phaseflow help CMD`, every command's --help (defaults shown, a space after every flag),
// the renamed flags (one name per concept; old names warn), and path checks before any work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { RENAMES, MAX_SEED, aliasesFor } from '../../src/cli/flags.js';
import { defaultText } from '../../src/cli/args.js';

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

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = capture();
  const err = capture();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream });
  return { code, out: out.text(), err: err.text() };
}

test('phaseflow help CMD prints the command help; help alone the overview; an unknown command exits 2', async () => {
  const gmm = await run(['help', 'gmm']);
  assert.equal(gmm.code, 0);
  assert.match(gmm.out, /^Usage: phaseflow gmm \[flags\]/);
  assert.equal(gmm.out, (await run(['gmm', '--help'])).out);
  const top = await run(['help']);
  assert.equal(top.code, 0);
  assert.match(top.out, /Commands:/);
  const bad = await run(['help', 'nosuch']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /unknown command "nosuch"/);
});

test('every command: --help lists every flag with a space after it and shows every default', async () => {
  for (const c of COMMANDS) {
    const h = await run([c.name, '--help']);
    assert.equal(h.code, 0, c.name);
    const lines = h.out.split('\n');
    for (const [name, spec] of Object.entries(c.flags)) {
      const i = lines.findIndex((l) => new RegExp(`^ {2}(-\\w, | {4})--${name}( |$)`).test(l));
      assert.ok(i >= 0, `${c.name} --${name}`);
      assert.match(lines[i], /^ {2}.*--\S+( \S+)?( {2,}\S|$)/, `${c.name}: ${lines[i]}`);
      const helpLine = / {2,}\S/.test(lines[i].slice(6)) ? lines[i] : lines[i + 1];
      const d = defaultText(spec);
      if (d !== undefined)
        assert.ok(
          helpLine.includes(`(default ${d.replace('--no-…', `--no-${name}`)})`),
          `${c.name} --${name}: ${helpLine}`,
        );
    }
  }
});

test('defaults set by a preset or a scale are shown per preset', async () => {
  const gmm = (await run(['help', 'gmm'])).out;
  assert.match(gmm, /--d INT +dimension \[>= 1\] \(default by --preset: quick 1000, paper 5000\)/);
  assert.match(gmm, /--grid-points INT .*\(default by --preset: quick 20, paper 80\)/);
  assert.match(gmm, /--log-every INT .*\(default epochs\/200\)/);
  const den = (await run(['help', 'denoise'])).out;
  assert.match(den, /--train-steps INT .*\(default by --scale: tiny 12, quick 2000, standard 2000, paper 4000\)/);
  assert.match(
    den,
    /--channels INT,INT,\.\.\. .*\(default by --scale: tiny 8,16, quick 8,16,32, standard 16,32,64, paper 16,32,64\)/,
  );
  assert.match(den, /--classes A,B .*\(default 0,1\)/);
  assert.match(den, /Deprecated names[^\n]*\n {2}--steps {2}is now --train-steps/);
});

test('one name per concept: the renames are accepted by their commands with one warning, seeds share one bound', async () => {
  for (const r of RENAMES) {
    for (const name of r.commands) {
      const c = COMMANDS.find((x) => x.name === name)!;
      assert.ok(c, name);
      assert.equal(c.aliases?.[r.old], r.now, `${name} --${r.old}`);
      assert.ok(r.now in c.flags && !(r.old in c.flags), `${name}: --${r.now} is a flag and --${r.old} is not`);
    }
  }
  for (const c of COMMANDS) assert.deepEqual(c.aliases ?? {}, aliasesFor(c.name), c.name);
  // meanings no longer clash: --steps is no flag of any command
  for (const c of COMMANDS) assert.ok(!('steps' in c.flags) && !('seeds' in c.flags && c.name !== 'sweep'), c.name);
  for (const c of COMMANDS) {
    for (const [name, spec] of Object.entries(c.flags)) {
      if (/(^|-)seeds?$/.test(name)) {
        assert.ok(spec.type === 'int' || spec.type === 'ints', `${c.name} --${name}`);
        if (spec.type === 'int' || spec.type === 'ints') assert.equal(spec.max, MAX_SEED, `${c.name} --${name}`);
        if (spec.type === 'ints') assert.equal(spec.distinct, true, `${c.name} --${name}`);
      }
    }
  }
  const t = await run(['theory', '--selection', 'global', '--grid', '5', '--no-kappa-study', '--json']);
  assert.equal(t.code, 0, t.err);
  assert.deepEqual(t.err.trim().split('\n'), [
    'phaseflow theory: warning: --selection is deprecated; use --theory-selection (the old name will be removed in the next release)',
    'phaseflow theory: warning: --grid is deprecated; use --curve-points (the old name will be removed in the next release)',
  ]);
  const j = JSON.parse(t.out) as { config: { selection: string }; phase1: { t: number[] } };
  assert.equal(j.config.selection, 'global');
  assert.equal(j.phase1.t.length, 5);
  const dup = await run([
    'sweep',
    '--kinds',
    'exact',
    '--seeds',
    '1,1',
    '--out',
    mkdtempSync(join(tmpdir(), 'pf-main-')),
  ]);
  assert.equal(dup.code, 2);
  assert.match(dup.err, /--seeds: entries must be distinct/);
  const big = await run(['gmm', '--seed', String(2 ** 32)]);
  assert.equal(big.code, 2);
  assert.match(big.err, /--seed: expected an integer >= 0 and <= 4294967295/);
});

test('path flags are checked before any work: one line naming the flag, exit 2, nothing created', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-main-'));
  const file = join(dir, 'file');
  writeFileSync(file, 'x');
  const cases: [string[], RegExp][] = [
    [['exact', '--d', '10', '--out', '/proc/x'], /^phaseflow exact: --out: \/proc\/x is under \/proc/],
    [['exact', '--out', file], /^phaseflow exact: --out: .*file is a file, not a folder$/],
    [
      ['exact', '--out', join(file, 'sub')],
      /^phaseflow exact: --out: cannot create .*: .*file is a file, not a folder$/,
    ],
    [['theory', '--out', '--json'], /^phaseflow theory: --out: missing value \(DIR\); "--json" is a flag$/],
    [['gmm', '--resume', join(dir, 'none')], /^phaseflow gmm: --resume: no such folder /],
    [['gmm', '--resume', dir], /^phaseflow gmm: --resume: .* holds no checkpoint\.bin$/],
    [['uturn', '--model', dir], /^phaseflow uturn: --model: .* holds no config\.json and no model\.safetensors/],
    [['classify', '--data', file], /^phaseflow classify: --data: .*file is a file, not a folder$/],
    [['sweep', '--merge', join(dir, 'none')], /^phaseflow sweep: --merge: no such folder /],
  ];
  for (const [argv, re] of cases) {
    const r = await run(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.equal(r.out, '');
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err.trim(), re);
  }
  assert.equal(existsSync(join(dir, 'none')), false);
});
