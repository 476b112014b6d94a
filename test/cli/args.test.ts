import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError, formatFlags, type FlagSpecs } from '../../src/cli/args.js';

const specs: FlagSpecs = {
  d: { type: 'int', min: 1, default: 10, help: 'dimension' },
  p: { type: 'number', gt: 0, lt: 1, default: 0.8, help: 'weight' },
  schedule: { type: 'enum', choices: ['linear', 'dilated'], default: 'dilated', help: 'schedule' },
  json: { type: 'bool', help: 'json' },
  'sweep-d': { type: 'numbers', min: 1, help: 'dims' },
  out: { type: 'path', help: 'dir' },
};

test('parses values, defaults, --flag=value and booleans', () => {
  const r = parseArgs(['--d', '5', '--p=0.3', '--json', '--sweep-d', '10,100'], specs);
  assert.equal(r.values.d, 5);
  assert.equal(r.values.p, 0.3);
  assert.equal(r.values.json, true);
  assert.equal(r.values.schedule, 'dilated');
  assert.deepEqual(r.values['sweep-d'], [10, 100]);
  assert.ok(r.given.has('d') && !r.given.has('schedule'));
  assert.equal(parseArgs(['--no-json'], specs).values.json, false);
});

test('every bad input names the flag and the allowed range', () => {
  const cases: [string[], RegExp][] = [
    [['--d', '0'], /--d: expected an integer >= 1, got 0/],
    [['--d', '2.5'], /--d: expected an integer >= 1/],
    [['--d', 'abc'], /--d: expected an integer >= 1, got "abc"/],
    [['--p', '1'], /--p: expected a number > 0 and < 1, got 1/],
    [['--p', '-0.1'], /--p: expected a number > 0 and < 1/],
    [['--schedule', 'foo'], /--schedule: expected one of linear\|dilated, got "foo"/],
    [['--bogus'], /unknown flag --bogus/],
    [['--d'], /--d: missing value/],
    [['--sweep-d', '10,x'], /--sweep-d: expected a number >= 1, got "x"/],
    [['stray'], /unexpected argument "stray"/],
    [['--json=maybe'], /--json: expected true or false/],
  ];
  for (const [argv, re] of cases) {
    assert.throws(
      () => parseArgs(argv, specs),
      (e: unknown) => e instanceof UsageError && re.test(e.message),
      argv.join(' '),
    );
  }
});

test('--help text lists every flag with its range and default', () => {
  const text = formatFlags(specs);
  for (const name of Object.keys(specs)) assert.match(text, new RegExp(`--${name}`));
  assert.match(text, /\[> 0 and < 1\] \(default 0.8\)/);
});

// ---- typed specs, deprecated names, help layout ------------------------------------------------------------------

import { defineFlags, formatAliases, withoutDefault, defaultText } from '../../src/cli/args.js';

const typed = defineFlags({
  n: { type: 'int', min: 1, default: 3, help: 'count' },
  lr: { type: 'number', gt: 0, help: 'rate' },
  mode: { type: 'enum', choices: ['fast', 'exact'], default: 'fast', help: 'mode' },
  seeds: { type: 'ints', min: 0, distinct: true, help: 'seeds' },
  kinds: { type: 'strings', choices: ['a', 'b'], default: ['a'], help: 'kinds' },
  verbose: { type: 'bool', help: 'talk' },
  'grid-points': { type: 'int', min: 2, help: 'grid points' },
  'theory-selection': { type: 'enum', choices: ['global', 'notebook'], help: 'long enum name' },
  scaled: {
    type: 'int',
    min: 1,
    presetDefaults: { flag: 'scale', values: { tiny: 12, quick: 600 } },
    help: 'per scale',
  },
  same: { type: 'number', presetDefaults: { flag: 'scale', values: { tiny: 0.8, quick: 0.8 } }, help: 'same in all' },
  cores: { type: 'int', min: 1, defaultText: 'all cores', help: 'threads' },
});

test('values are typed from the specs: defaults always set, the others possibly undefined', () => {
  const r = parseArgs(['--lr', '0.5', '--seeds', '3,1', '--mode', 'exact'], typed);
  // These assignments compile only if the parsed types follow the specs (no casts).
  const n: number = r.values.n;
  const lr: number | undefined = r.values.lr;
  const mode: 'fast' | 'exact' = r.values.mode;
  const seeds: number[] | undefined = r.values.seeds;
  const kinds: ('a' | 'b')[] = r.values.kinds;
  const verbose: boolean = r.values.verbose;
  assert.deepEqual(
    { n, lr, mode, seeds, kinds, verbose },
    { n: 3, lr: 0.5, mode: 'exact', seeds: [3, 1], kinds: ['a'], verbose: false },
  );
  assert.equal(r.values['grid-points'], undefined);
  // a default list is a copy, not the spec's array
  r.values.kinds.push('b');
  assert.deepEqual(parseArgs([], typed).values.kinds, ['a']);
});

test('integer lists and distinct entries', () => {
  assert.throws(() => parseArgs(['--seeds', '1,2.5'], typed), /--seeds: expected an integer >= 0, got "2.5"/);
  assert.throws(() => parseArgs(['--seeds', '1,1'], typed), /--seeds: entries must be distinct, got 1,1/);
});

test('a deprecated name sets the new flag and gives one warning line; errors name the flag as typed', () => {
  const aliases = { steps: 'grid-points', selection: 'theory-selection', quiet: 'verbose' };
  const r = parseArgs(['--steps', '40', '--selection=global', '--steps', '41'], typed, { aliases });
  assert.equal(r.values['grid-points'], 41);
  assert.equal(r.values['theory-selection'], 'global');
  assert.ok(r.given.has('grid-points') && !r.given.has('steps'));
  assert.deepEqual(r.warnings, [
    '--steps is deprecated; use --grid-points (the old name will be removed in the next release)',
    '--selection is deprecated; use --theory-selection (the old name will be removed in the next release)',
  ]);
  assert.equal(parseArgs(['--no-quiet'], typed, { aliases }).values.verbose, false);
  assert.deepEqual(parseArgs(['--grid-points', '40'], typed, { aliases }).warnings, []);
  assert.throws(
    () => parseArgs(['--steps', '1'], typed, { aliases }),
    /^UsageError: --steps: expected an integer >= 2, got 1$/,
  );
  assert.throws(() => parseArgs([], typed, { aliases: { n: 'lr' } }), /does not fit the specs/);
  assert.throws(() => parseArgs([], typed, { aliases: { old: 'nothing' } }), /does not fit the specs/);
});

test('a value that is a flag is refused (--out --json), negative numbers are values', () => {
  const s = defineFlags({
    out: { type: 'path', help: 'dir' },
    json: { type: 'bool', help: 'json' },
    x: { type: 'number', help: 'x' },
    tag: { type: 'string', help: 't' },
  });
  assert.throws(
    () => parseArgs(['--out', '--json'], s),
    /^UsageError: --out: missing value \(a path\); "--json" is a flag$/,
  );
  assert.throws(() => parseArgs(['--out', '-x'], s), /--out: missing value/);
  assert.throws(() => parseArgs(['--tag', '--json'], s), /--tag: missing value/);
  assert.equal(parseArgs(['--x', '-1.5'], s).values.x, -1.5);
  assert.equal(parseArgs(['--tag', '-weird'], s).values.tag, '-weird');
  assert.equal(parseArgs(['--out=./--json'], s).values.out, './--json');
});

test('--help: a space after every flag, every default including per-preset ones, deprecated names listed', () => {
  const text = formatFlags(typed, [['--help', 'show this help']]);
  const lines = text.split('\n');
  for (const name of Object.keys(typed)) {
    const i = lines.findIndex((l) => l.includes(`--${name}`));
    assert.ok(i >= 0, name);
    // the flag (with its placeholder) is followed by at least two spaces, or its help is on the next line
    assert.match(lines[i], /^ {2}.*--\S+( \S+)?( {2,}\S|$)/, lines[i]);
  }
  assert.match(text, /--theory-selection global\|notebook\n {3,}long enum name/);
  assert.doesNotMatch(text, /notebook[a-z]/);
  assert.match(text, /per scale \[>= 1\] \(default by --scale: tiny 12, quick 600\)/);
  assert.match(text, /same in all \(default 0.8\)/);
  assert.match(text, /threads \[>= 1\] \(default all cores\)/);
  assert.match(text, /mode \(default fast\)/);
  assert.match(text, /kinds \(default a\)/);
  assert.match(text, /--help +show this help/);
  assert.equal(defaultText({ type: 'bool', default: true, help: '' }), 'on; --no-… turns it off');
  assert.match(formatAliases({ steps: 'grid-points' }), /--steps {2}is now --grid-points/);
  assert.equal(formatAliases({}), '');
});

test('withoutDefault drops only the default', () => {
  const s = withoutDefault({ type: 'int', min: 0, max: 9, default: 0, help: 'seed' } as const);
  assert.deepEqual(s, { type: 'int', min: 0, max: 9, help: 'seed' });
  assert.equal(parseArgs([], { s }).values.s, undefined);
});
