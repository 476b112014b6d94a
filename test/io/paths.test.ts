// Path checks made before any work: output folders, inputs of the right kind, system folders, flag-like values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, existsSync, symlinkSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkOutputDir,
  checkInput,
  checkPath,
  createDir,
  isSystemPath,
  systemRoot,
  PathError,
} from '../../src/io/paths.js';
import { writeFileAtomic } from '../../src/io/atomic.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'pf-paths-'));

function refuses(f: () => unknown, field: string | undefined, re: RegExp): void {
  assert.throws(
    f,
    (e: unknown) =>
      e instanceof PathError &&
      e.field === field &&
      re.test(e.reason) &&
      e.message === (field ? `--${field}: ${e.reason}` : e.reason),
  );
}

test('an output folder exists as a writable folder or can be created; nothing is created by the check', () => {
  const dir = fresh();
  assert.deepEqual(checkOutputDir(dir), { exists: true });
  assert.deepEqual(checkOutputDir(join(dir, 'a', 'b')), { exists: false });
  assert.equal(existsSync(join(dir, 'a')), false);
  const file = join(dir, 'f');
  writeFileSync(file, 'x');
  refuses(() => checkOutputDir(file, { field: 'out' }), 'out', /f is a file, not a folder$/);
  refuses(
    () => checkOutputDir(join(file, 'x', 'y'), { field: 'out' }),
    'out',
    /^cannot create .*: .*f is a file, not a folder$/,
  );
  refuses(() => checkOutputDir('--json', { field: 'out' }), 'out', /looks like a flag/);
  refuses(() => checkOutputDir('', { field: 'out' }), 'out', /empty/);
  if (process.getuid?.() !== 0) {
    const ro = join(dir, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    refuses(() => checkOutputDir(ro, { field: 'out' }), 'out', /is not writable/);
    refuses(() => checkOutputDir(join(ro, 'x'), { field: 'out' }), 'out', /cannot create .*ro is not writable/);
    chmodSync(ro, 0o755);
  }
});

test('/proc, /sys and /dev are refused, also through a symbolic link; atomic writes refuse them instead of hanging', () => {
  assert.equal(systemRoot('/proc/x'), '/proc');
  assert.equal(systemRoot('/sys/kernel/nothing/here'), '/sys');
  assert.equal(systemRoot('/dev'), '/dev');
  assert.equal(systemRoot('/procfs/x'), null);
  assert.equal(isSystemPath(tmpdir()), false);
  const dir = fresh();
  symlinkSync('/proc', join(dir, 'link'));
  assert.equal(systemRoot(join(dir, 'link', 'x', 'y')), '/proc');
  refuses(() => checkOutputDir('/proc/x', { field: 'out' }), 'out', /^\/proc\/x is under \/proc/);
  refuses(() => checkOutputDir(join(dir, 'link', 'x'), { field: 'out' }), 'out', /is under \/proc/);
  assert.throws(() => writeFileAtomic('/proc/phaseflow-test/x/result.json', 'x'), PathError);
  assert.throws(() => createDir('/proc/phaseflow-test/x'), PathError);
});

test('inputs: a folder or a file that exists, holding what it must, passing its content check', () => {
  const dir = fresh();
  const file = join(dir, 'f.json');
  writeFileSync(file, '{}');
  checkInput(dir, { kind: 'dir' });
  checkInput(file, { kind: 'file' });
  refuses(() => checkInput(join(dir, 'none'), { kind: 'dir' }, { field: 'data' }), 'data', /^no such folder .*none$/);
  refuses(() => checkInput(join(dir, 'none'), { kind: 'file' }, { field: 'window' }), 'window', /^no such file /);
  refuses(() => checkInput(file, { kind: 'dir' }, { field: 'model' }), 'model', /is a file, not a folder$/);
  refuses(() => checkInput(dir, { kind: 'file' }, { field: 'x' }), 'x', /is a folder, not a file$/);
  refuses(
    () =>
      checkInput(
        dir,
        { kind: 'dir', contains: ['config.json', 'model.safetensors'], hint: () => 'try elsewhere' },
        { field: 'model' },
      ),
    'model',
    /holds no config\.json and no model\.safetensors \(try elsewhere\)$/,
  );
  writeFileSync(join(dir, 'config.json'), '{');
  writeFileSync(join(dir, 'model.safetensors'), '');
  refuses(
    () =>
      checkPath(
        dir,
        { mode: 'input', contains: ['config.json'], check: () => 'broken config.json' },
        { field: 'model' },
      ),
    'model',
    /^broken config\.json$/,
  );
  checkPath(dir, { mode: 'input', contains: ['config.json', 'model.safetensors'], check: () => null });
  refuses(() => checkInput('-x', {}, { field: 'data' }), 'data', /looks like a flag/);
});

test('createDir returns the folders it made, outermost first', () => {
  const dir = fresh();
  assert.deepEqual(createDir(join(dir, 'a', 'b', 'c')), [
    join(dir, 'a'),
    join(dir, 'a', 'b'),
    join(dir, 'a', 'b', 'c'),
  ]);
  assert.deepEqual(createDir(join(dir, 'a', 'b')), []);
});
