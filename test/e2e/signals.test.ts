// Fault injection through the CLI (issue 12, items 3, 4, 8): SIGINT and SIGTERM honoured promptly with a checkpoint
// and the continue command; a resumed run ends bit-identical to an uninterrupted one (gmm on the wasm backend, denoise,
// reproduce); `kill -9` at seeded random moments followed by a resume gives the same final results and leaves no
// temporary files or locks behind. Sizes are tiny so the file runs in about two minutes on 2 cores.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { runSrc, SRC_MAIN, TSX, ROOT } from './cli.js';
import { decodeCheckpoint } from '../../src/io/checkpoint.js';
import { Rng } from '../../src/random/rng.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'pf-signals-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Running {
  stderr: () => string;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  kill: (s: NodeJS.Signals) => number;
}

/** The CLI from the sources, asynchronously (so that the test can signal it). */
function start(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', TSX, SRC_MAIN, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b) => (out += b));
  child.stderr.on('data', (b) => (err += b));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((res) =>
    child.on('close', (code, signal) => res({ code, signal, at: Date.now() })),
  );
  return {
    stderr: () => err,
    stdout: () => out,
    exited,
    kill: (s) => {
      child.kill(s);
      return Date.now();
    },
  };
}

async function waitFor(what: string, pred: () => boolean, timeoutMs = 60000): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Every file under `dir`, relative. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

/** No lock and no temporary file left anywhere under `dir`. */
function clean(dir: string): void {
  const left = files(dir).filter((f) => /\.tmp$|\.phaseflow\.lock/.test(f));
  assert.deepEqual(left, [], `left behind in ${dir}`);
}

const findState = (dir: string) => files(dir).some((f) => /runs\/[^/]+\/state\.ckpt$/.test(f));

// ---------------------------------------------------------------------------------------------------------- gmm

const GMM = [
  'gmm',
  '--d',
  '1000',
  '--n',
  '32',
  '--grid-points',
  '20',
  '--epochs',
  '800',
  '--gen-samples',
  '200',
  '--threads',
  '1',
  '--checkpoint-every',
  '50',
  '--json',
];

/** What must be identical between two gmm runs (everything but timings), and the final parameters. */
function gmmOutcome(dir: string) {
  const r = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as Record<string, unknown>;
  const { msPerEpoch: _m, timing: _t, meta: _x, ...rest } = r;
  const ck = decodeCheckpoint(new Uint8Array(readFileSync(join(dir, 'checkpoint.bin'))));
  const { trainMs: _tm, ...ckMeta } = ck.meta as Record<string, unknown>;
  return { result: rest, params: ['c', 'b', 'u', 'w'].map((k) => Array.from(ck.arrays[k])), ckMeta };
}

let gmmWhole: ReturnType<typeof gmmOutcome> | undefined;
function gmmReference() {
  if (!gmmWhole) {
    const dir = fresh();
    const r = runSrc([...GMM, '--out', dir]);
    assert.equal(r.status, 0, r.stderr);
    gmmWhole = gmmOutcome(dir);
  }
  return gmmWhole;
}

for (const backend of ['reference', 'wasm'] as const)
  test(`gmm: SIGINT inside one long ${backend} step stops within about a second, with the checkpoint and the continue command`, async () => {
    const dir = fresh();
    const p = start([
      'gmm',
      '--d',
      '30000',
      '--n',
      '300',
      '--grid-points',
      '20',
      '--epochs',
      '5',
      '--gen-samples',
      '10',
      '--backend',
      backend,
      '--threads',
      '1',
      '--out',
      dir,
    ]);
    await waitFor('config.json', () => existsSync(join(dir, 'config.json')));
    await sleep(1500); // inside the first step (one takes seconds on wasm, tens of seconds on the reference backend)
    const sent = p.kill('SIGINT');
    const e = await p.exited;
    assert.equal(e.code, 130, p.stderr());
    assert.ok(e.at - sent < 3000, `exited ${e.at - sent} ms after SIGINT`);
    assert.match(
      p.stderr(),
      /stopped by SIGINT at epoch [0-4]; checkpoint written to .*checkpoint\.bin; continue with: phaseflow gmm --resume /,
    );
    assert.doesNotMatch(p.stderr(), /100\.0%/);
    assert.equal(p.stdout(), '', 'no results for a stopped run');
    assert.ok(existsSync(join(dir, 'checkpoint.bin')));
    clean(dir);
  });

test('gmm (wasm): SIGINT mid-run, then --resume: bit-identical to the uninterrupted run', async () => {
  const whole = gmmReference();
  const dir = fresh();
  const p = start([...GMM, '--out', dir]);
  await waitFor('the first checkpoint', () => existsSync(join(dir, 'checkpoint.bin')));
  p.kill('SIGINT');
  const e = await p.exited;
  assert.equal(e.code, 130, p.stderr());
  const m = /stopped by SIGINT at epoch (\d+)/.exec(p.stderr());
  assert.ok(m && Number(m[1]) >= 50 && Number(m[1]) < 800, p.stderr());
  assert.doesNotMatch(p.stderr(), /800\/800|100\.0%/);
  clean(dir);
  const r = runSrc(['gmm', '--resume', dir, '--json', '--threads', '2']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`resuming .* from epoch ${m[1]} of 800`));
  assert.deepEqual(gmmOutcome(dir), whole);
  clean(dir);
});

test('gmm: kill -9 at seeded random moments, then resume: identical results, no temporary files', async () => {
  const whole = gmmReference();
  const rng = Rng.seeded(12);
  const dir = fresh();
  for (let round = 0; round < 3; round++) {
    const args = existsSync(join(dir, 'checkpoint.bin'))
      ? ['gmm', '--resume', dir, '--threads', '1', '--json']
      : [...GMM, '--out', dir];
    const p = start(args);
    await sleep(800 + Math.floor(rng.uniform() * 2500));
    p.kill('SIGKILL');
    await p.exited;
  }
  const args = existsSync(join(dir, 'checkpoint.bin'))
    ? ['gmm', '--resume', dir, '--threads', '1', '--json']
    : [...GMM, '--out', dir];
  const r = runSrc(args);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(gmmOutcome(dir), whole);
  clean(dir);
});

// -------------------------------------------------------------------------------------------------------- sweep

test('sweep: SIGINT inside a trained cell checkpoints it; the rerun resumes the cell and ends identical', async () => {
  const args = [
    'sweep',
    '--kinds',
    'trained',
    '--sweep-d',
    '400',
    '--seeds',
    '0,1',
    '--epochs',
    '600',
    '--n',
    '64',
    '--gen-samples',
    '200',
    '--threads',
    '1',
    '--quiet',
    '--json',
  ];
  const whole = fresh();
  const a = runSrc([...args, '--out', whole]);
  assert.equal(a.status, 0, a.stderr);
  const cells = (dir: string) =>
    (JSON.parse(readFileSync(join(dir, 'cells.json'), 'utf8')) as { cells: Array<Record<string, unknown>> }).cells.map(
      ({ seconds: _s, msPerEpoch: _m, ...c }) => c,
    );
  const dir = fresh();
  const p = start([...args, '--out', dir]);
  await waitFor(
    'a cell checkpoint',
    () => existsSync(join(dir, 'cells')) && files(join(dir, 'cells')).some((f) => f.endsWith('checkpoint.bin')),
  );
  p.kill('SIGINT');
  const e = await p.exited;
  assert.equal(e.code, 130, p.stderr());
  assert.match(
    p.stderr(),
    /stopped by SIGINT in cell \d at epoch \d+ of 600; checkpoint written to .*checkpoint\.bin; continue with: phaseflow sweep /,
  );
  clean(dir);
  const r = runSrc([...args, '--out', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(cells(dir), cells(whole));
  assert.equal(existsSync(join(dir, 'cells')), false, 'cell checkpoints are removed when done');
  clean(dir);
});

// ------------------------------------------------------------------------------------------------------ denoise

const DENOISE = ['denoise', '--scale', 'tiny', '--train-steps', '120', '--threads', '1', '--json'];

function denoiseOutcome(stdout: string, dir: string) {
  const r = JSON.parse(stdout) as {
    run: { losses: number[] };
    evaluation: { fractionA: unknown; classError: unknown; fd: unknown };
  };
  return {
    losses: r.run.losses,
    evaluation: { fractionA: r.evaluation.fractionA, classError: r.evaluation.classError, fd: r.evaluation.fd },
    weights: readFileSync(join(dir, 'denoise', 'model', 'model.safetensors')).toString('base64'),
  };
}

let denoiseWhole: ReturnType<typeof denoiseOutcome> | undefined;
function denoiseReference() {
  if (!denoiseWhole) {
    const dir = fresh();
    const r = runSrc([...DENOISE, '--out', dir]);
    assert.equal(r.status, 0, r.stderr);
    denoiseWhole = denoiseOutcome(r.stdout, dir);
  }
  return denoiseWhole;
}

test('denoise: SIGTERM mid-training writes the checkpoint and says how to continue; the rerun says it resumes and ends identical', async () => {
  const whole = denoiseReference();
  const dir = fresh();
  const p = start([...DENOISE, '--out', dir]);
  await waitFor('a training checkpoint', () => existsSync(join(dir, 'runs')) && findState(dir));
  const sent = p.kill('SIGTERM');
  const e = await p.exited;
  assert.equal(e.code, 143, p.stderr());
  assert.ok(e.at - sent < 3000, `exited ${e.at - sent} ms after SIGTERM`);
  const m =
    /stopped by SIGTERM at step (\d+) of 120 of run \S+; checkpoint written to \S+state\.ckpt; continue with: phaseflow denoise /.exec(
      p.stderr(),
    );
  assert.ok(m, p.stderr());
  assert.match(p.stderr(), new RegExp(`${m[1]}/120 .*stopped by SIGTERM`));
  assert.doesNotMatch(p.stderr(), /120\/120/);
  clean(dir);
  const r = runSrc([...DENOISE, '--out', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`resuming run \\S+ from step ${m[1]} of 120`));
  assert.deepEqual(denoiseOutcome(r.stdout, dir), whole);
  clean(dir);
});

test('denoise: SIGINT while generating images ends within about a second (generation keeps nothing)', async () => {
  const dir = fresh();
  const p = start([
    'denoise',
    '--scale',
    'tiny',
    '--train-steps',
    '2',
    '--gen-samples',
    '5000',
    '--threads',
    '1',
    '--out',
    dir,
  ]);
  await waitFor('generation', () => /^generate /m.test(p.stderr()));
  await sleep(500);
  const sent = p.kill('SIGINT');
  const e = await p.exited;
  assert.equal(e.code, 130, p.stderr());
  assert.ok(e.at - sent < 3000, `exited ${e.at - sent} ms after SIGINT`);
  assert.match(p.stderr(), /generate \S+ \d+\/5000 .*stopped by SIGINT\n/);
  assert.match(
    p.stderr(),
    /stopped by SIGINT while generating images .*; finished work is kept in .*; continue with: phaseflow denoise /,
  );
  clean(dir);
});

test('denoise: kill -9 at seeded random moments, then rerun: identical results, no temporary files', async () => {
  const whole = denoiseReference();
  const rng = Rng.seeded(7);
  const dir = fresh();
  for (let round = 0; round < 3; round++) {
    const p = start([...DENOISE, '--out', dir]);
    await sleep(1000 + Math.floor(rng.uniform() * 3000));
    p.kill('SIGKILL');
    await p.exited;
  }
  const r = runSrc([...DENOISE, '--out', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(denoiseOutcome(r.stdout, dir), whole);
  clean(dir);
});

// ---------------------------------------------------------------------------------------------------- reproduce

const REPRO = ['reproduce', '--scale', 'tiny', '--only', 'gmm-dilated,uturn', '--threads', '1', '--json'];

function reproOutcome(stdout: string) {
  const r = JSON.parse(stdout) as { stages: Array<{ name: string; status: string; summary: Record<string, unknown> }> };
  return r.stages.map((s) => {
    const { msPerEpoch: _m, timing: _t, seconds: _s, ...summary } = s.summary;
    return {
      name: s.name,
      status: s.status,
      summary: JSON.stringify(summary, (k, v: unknown) =>
        /seconds|Seconds|msPer|origin|^dir$/.test(k) ? undefined : v,
      ),
    };
  });
}

let reproWhole: ReturnType<typeof reproOutcome> | undefined;
function reproReference() {
  if (!reproWhole) {
    const dir = fresh();
    const r = runSrc([...REPRO, '--out', dir]);
    assert.equal(r.status, 0, r.stderr);
    reproWhole = reproOutcome(r.stdout);
  }
  return reproWhole;
}

test('reproduce: SIGINT mid-run is not recorded as a failure; the rerun resumes and ends identical', async () => {
  const whole = reproReference();
  const dir = fresh();
  const p = start([...REPRO, '--out', dir]);
  await waitFor('the gmm checkpoint', () => existsSync(join(dir, 'work', 'gmm-dilated', 'checkpoint.bin')));
  p.kill('SIGINT');
  const e = await p.exited;
  assert.equal(e.code, 130, p.stderr());
  assert.match(p.stderr(), /phaseflow reproduce: stopped by SIGINT .*continue with: phaseflow reproduce /);
  assert.doesNotMatch(p.stderr(), /FAILED/);
  clean(dir);
  const r = runSrc([...REPRO, '--out', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(reproOutcome(r.stdout), whole);
  clean(dir);
});

test('reproduce: kill -9 at seeded random moments, then rerun: identical results, no temporary files', async () => {
  const whole = reproReference();
  const rng = Rng.seeded(3);
  const dir = fresh();
  for (let round = 0; round < 3; round++) {
    const p = start([...REPRO, '--out', dir]);
    await sleep(1000 + Math.floor(rng.uniform() * 3000));
    p.kill('SIGKILL');
    await p.exited;
  }
  const r = runSrc([...REPRO, '--out', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(reproOutcome(r.stdout), whole);
  clean(dir);
});
