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
    assert.throws(() => parseArgs(argv, specs), (e: unknown) => e instanceof UsageError && re.test((e as Error).message), argv.join(' '));
  }
});

test('--help text lists every flag with its range and default', () => {
  const text = formatFlags(specs);
  for (const name of Object.keys(specs)) assert.match(text, new RegExp(`--${name}`));
  assert.match(text, /\[> 0 and < 1\] \(default 0.8\)/);
});
