// Fault injection through the CLI (issue 12, items 1, 2, 7, 8): bad paths and user errors fail at once with exit
// status 2 and one line naming the flag, before any work and without half-written files; one run per output folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { runSrc, SRC_MAIN, ROOT } from './cli.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'pf-faults-'));
const tiny = ['--scale', 'tiny', '--threads', '1', '--quiet'];

/** Exit 2, one line (besides deprecation warnings) that names the flag, no stack trace, no result on stdout. */
function refused(r: { status: number | null; stdout: string; stderr: string }, flag: string, re?: RegExp): string {
  assert.equal(r.status, 2, `status ${r.status}: ${r.stderr}`);
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !/: warning: /.test(l));
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], new RegExp(`^phaseflow \\w+: --${flag}: `), lines[0]);
  if (re) assert.match(lines[0], re);
  assert.doesNotMatch(r.stderr, /internal error|at .*\.[jt]s:\d+/);
  assert.equal(r.stdout, '');
  return lines[0];
}

/** Every file under `dir` (relative paths), to show that nothing was written. */
function listing(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('exact --out /proc/x: refused at once instead of hanging', () => {
  const r = runSrc(['exact', '--d', '10', '--samples', '10', '--out', '/proc/x'], { timeoutMs: 60000 });
  refused(r, 'out', /\/proc\/x is under \/proc/);
  assert.ok(r.ms < 30000, `${r.ms} ms`);
  for (const root of ['/sys/phaseflow-x', '/dev/phaseflow-x'])
    refused(runSrc(['exact', '--d', '10', '--out', root]), 'out', /is under \/(sys|dev)/);
});

test('exact --out --json: the flag is not taken as a folder name', () => {
  const cwd = fresh();
  const r = runSrc(['exact', '--d', '10', '--gen-samples', '10', '--out', '--json'], { cwd });
  refused(r, 'out', /missing value \(DIR\); "--json" is a flag/);
  assert.deepEqual(readdirSync(cwd), []);
  assert.equal(existsSync(join(ROOT, '--json')), false);
});

test('--out naming a file, or a folder inside a file: exit 2 before any work, the file untouched', () => {
  const dir = fresh();
  const file = join(dir, 'FILE');
  writeFileSync(file, 'keep me');
  refused(runSrc(['exact', '--d', '10', '--out', file]), 'out', /is a file, not a folder/);
  refused(
    runSrc(['gmm', '--d', '10', '--out', join(file, 'run')]),
    'out',
    /cannot create .*FILE is a file, not a folder/,
  );
  const c = runSrc(['classify', ...tiny, '--out', file]);
  refused(c, 'out', /is a file, not a folder/);
  assert.doesNotMatch(c.stderr, /oracle/, 'no training happened');
  assert.equal(readFileSync(file, 'utf8'), 'keep me');
  assert.deepEqual(listing(dir), ['FILE']);
});

test('denoise --classifier DIR-without-model and uturn --model DIR-of-a-gmm-run: refused before training', () => {
  const dir = fresh();
  const empty = join(dir, 'oracle');
  mkdirSync(empty);
  const d = runSrc(['denoise', ...tiny, '--classifier', empty, '--out', join(dir, 'den')]);
  refused(d, 'classifier', /holds no config\.json and no model\.safetensors/);
  assert.equal(existsSync(join(dir, 'den')), false);

  const gmm = join(dir, 'gmm');
  const g = runSrc([
    'gmm',
    '--d',
    '20',
    '--n',
    '8',
    '--grid-points',
    '4',
    '--epochs',
    '5',
    '--gen-samples',
    '10',
    '--theory',
    'none',
    '--threads',
    '1',
    '--quiet',
    '--out',
    gmm,
  ]);
  assert.equal(g.status, 0, g.stderr);
  const before = listing(gmm);
  const u = runSrc(['uturn', ...tiny, '--model', gmm, '--out', join(dir, 'ut')]);
  refused(u, 'model', /holds no model\.safetensors/);
  assert.deepEqual(listing(gmm), before);
  assert.equal(existsSync(join(dir, 'ut')), false);
  // a gmm folder with weights beside it is still not a U-Net: its config.json says so
  writeFileSync(join(gmm, 'model.safetensors'), '');
  refused(runSrc(['uturn', ...tiny, '--model', gmm]), 'model', /holds no saved model/);
});

test('denoise --channels 3,5 and a broken config.json: user errors, exit 2, one line', () => {
  refused(runSrc(['denoise', ...tiny, '--channels', '3,5']), 'channels', /sinusoid width\) must be even/);
  const dir = fresh();
  const model = join(dir, 'model');
  mkdirSync(model);
  writeFileSync(join(model, 'config.json'), '{"model": "unet", ');
  writeFileSync(join(model, 'model.safetensors'), '');
  refused(runSrc(['uturn', ...tiny, '--model', model]), 'model', /config\.json is not valid JSON/);
  writeFileSync(join(model, 'config.json'), '{"model": "unet"}');
  refused(runSrc(['uturn', ...tiny, '--model', model]), 'model', /model\.safetensors: truncated/);
  writeFileSync(join(model, 'config.json'), '{"model": "classifier"}');
  refused(runSrc(['uturn', ...tiny, '--model', model]), 'model', /holds a classifier, not a U-Net/);
  refused(runSrc(['mnist', ...tiny, '--classifier', model]), 'classifier', /model\.safetensors: truncated/);
  assert.deepEqual(listing(model), ['config.json', 'model.safetensors']);
});

test('missing or wrong inputs: --resume, --data, --merge', () => {
  const dir = fresh();
  const file = join(dir, 'f');
  writeFileSync(file, '');
  refused(runSrc(['gmm', '--resume', join(dir, 'none')]), 'resume', /no such folder/);
  refused(runSrc(['gmm', '--resume', dir]), 'resume', /holds no checkpoint\.bin/);
  refused(runSrc(['classify', ...tiny, '--data', file]), 'data', /is a file, not a folder/);
  refused(runSrc(['sweep', '--merge', join(dir, 'none')]), 'merge', /no such folder/);
  assert.deepEqual(listing(dir), ['f']);
});

async function waitFor(f: () => boolean, ms = 60000): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

const LOCK = '.phaseflow.lock';

test('one run per output folder: a second gmm on R is refused naming the holder; SIGINT releases the lock', async () => {
  const R = fresh();
  const long = [
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
    '1',
    '--epochs',
    '400000',
    '--checkpoint-every',
    '1000000',
    '--theory',
    'none',
    '--quiet',
  ];
  const first = spawn(process.execPath, ['--import', 'tsx', SRC_MAIN, ...long, '--out', R], { cwd: ROOT });
  let stderr = '';
  first.stderr.on('data', (b) => (stderr += b));
  const exited = new Promise<number | null>((resolve) => first.on('exit', (c) => resolve(c)));
  await waitFor(() => existsSync(join(R, 'config.json')));
  const holder = JSON.parse(readFileSync(join(R, LOCK), 'utf8')) as { pid: number; started: string };
  assert.equal(holder.pid, first.pid);
  const config = readFileSync(join(R, 'config.json'), 'utf8');

  const second = runSrc(['gmm', '--d', '100', '--epochs', '10', '--out', R]);
  const line = refused(second, 'out');
  assert.ok(line.includes(`pid ${first.pid} on ${hostname()}, started ${holder.started}`), line);
  assert.equal(readFileSync(join(R, 'config.json'), 'utf8'), config, 'the running run keeps its config.json');
  refused(runSrc(['gmm', '--resume', R]), 'resume', /in use by another phaseflow run \(gmm/); // before its content

  first.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.equal(existsSync(join(R, LOCK)), false, 'released on SIGINT');
  assert.ok(existsSync(join(R, 'checkpoint.bin')));
  assert.ok(readdirSync(R).every((f) => !f.endsWith('.tmp')));
});

test('the lock is released on normal exit and on error; a stale lock from a dead process is taken over', () => {
  const dir = fresh();
  const ok = join(dir, 'ok');
  const a = runSrc(['exact', '--d', '10', '--gen-samples', '10', '--out', ok]);
  assert.equal(a.status, 0, a.stderr);
  assert.deepEqual(readdirSync(ok).sort(), ['index.html', 'projection-histogram.svg', 'result.json']);
  // an error after the lock was taken (the kappa check runs in the command): no lock and no folder left behind
  const bad = join(dir, 'bad');
  refused(runSrc(['gmm', '--d', '3', '--kappa', '2', '--out', bad]), 'kappa');
  assert.equal(existsSync(bad), false);
  // a lock of a process that is gone
  writeFileSync(
    join(ok, LOCK),
    JSON.stringify({
      format: 'phaseflow.lock',
      pid: 2 ** 22 + 12345,
      host: hostname(),
      started: '2020-01-01T00:00:00.000Z',
      command: 'gmm',
    }),
  );
  const b = runSrc(['exact', '--d', '10', '--gen-samples', '10', '--out', ok]);
  assert.equal(b.status, 0, b.stderr);
  assert.match(
    b.stderr,
    /taking over the lock of .* from pid 4206649 \(gmm, started 2020-01-01T00:00:00.000Z\), which is no longer running/,
  );
  assert.equal(existsSync(join(ok, LOCK)), false);
  assert.ok(statSync(join(ok, 'result.json')).isFile());
});

test('a real-data command stops at once on Ctrl-C and releases its lock; a lock left by kill -9 is taken over', async () => {
  const R = fresh();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SRC_MAIN, 'classify', '--scale', 'quick', '--threads', '1', '--out', R],
    { cwd: ROOT },
  );
  let err = '';
  child.stderr.on('data', (b) => (err += b));
  const exited = new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  await waitFor(() => existsSync(join(R, LOCK)) && /oracle /.test(err));
  child.kill('SIGINT');
  assert.equal(await exited, 130, err);
  assert.match(err, /phaseflow classify: stopped by SIGINT while training the oracle/);
  assert.doesNotMatch(err, /100\.0%/);
  assert.equal(existsSync(join(R, LOCK)), false, 'the lock is released on SIGINT');

  const killed = spawn(
    process.execPath,
    ['--import', 'tsx', SRC_MAIN, 'classify', '--scale', 'quick', '--threads', '1', '--quiet', '--out', R],
    { cwd: ROOT },
  );
  const gone = new Promise<NodeJS.Signals | null>((resolve) => killed.on('exit', (_c, s) => resolve(s)));
  await waitFor(() => existsSync(join(R, LOCK)));
  killed.kill('SIGKILL');
  assert.equal(await gone, 'SIGKILL');
  const r = runSrc(['classify', ...tiny, '--out', R]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`taking over the lock of .* from pid ${killed.pid} \\(classify, `));
  assert.equal(existsSync(join(R, LOCK)), false);
});
