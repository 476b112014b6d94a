// One run per output folder: the lock file, a second run refused with the holder, stale locks taken over, release
// on return, on exit and on SIGINT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir, hostname } from 'node:os';
import { join, dirname } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  acquireLock,
  readLock,
  processAlive,
  heldLocks,
  LockHeldError,
  LOCK_FILE,
  type LockInfo,
} from '../../src/io/lock.js';

const fresh = () => mkdtempSync(join(tmpdir(), 'pf-lock-'));
const LOCK_TS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'io', 'lock.ts');

function writeLock(dir: string, info: Partial<LockInfo>): void {
  writeFileSync(
    join(dir, LOCK_FILE),
    JSON.stringify({
      format: 'phaseflow.lock',
      host: hostname(),
      started: '2020-01-01T00:00:00.000Z',
      command: 'gmm',
      ...info,
    }),
  );
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(r.stdout);
  assert.equal(processAlive(pid), false);
  return pid;
}

test('the lock holds pid, host, start time and command; release removes it', () => {
  const dir = fresh();
  const lock = acquireLock(dir, { command: 'gmm' });
  const info = readLock(dir)!;
  assert.equal(info.pid, process.pid);
  assert.equal(info.host, hostname());
  assert.equal(info.command, 'gmm');
  assert.ok(Math.abs(Date.parse(info.started) - Date.now()) < 60000);
  assert.deepEqual(readdirSync(dir), [LOCK_FILE]);
  assert.equal(heldLocks().length, 1);
  lock.release();
  lock.release();
  assert.deepEqual(readdirSync(dir), []);
  assert.equal(heldLocks().length, 0);
});

test('a second run on the folder is refused, naming the holder', () => {
  const dir = fresh();
  const lock = acquireLock(dir, { command: 'gmm' });
  assert.throws(
    () => acquireLock(dir),
    (e: unknown) =>
      e instanceof LockHeldError &&
      e.holder?.pid === process.pid &&
      new RegExp(
        `in use by another phaseflow run \\(gmm, pid ${process.pid} on ${hostname()}, started ${lock.info.started}\\)`,
      ).test(e.message),
  );
  lock.release();
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
  try {
    writeLock(dir, { pid: child.pid });
    assert.throws(
      () => acquireLock(dir),
      (e: unknown) =>
        e instanceof LockHeldError && e.message.includes(`pid ${child.pid}`) && /wait for it to finish/.test(e.message),
    );
    assert.equal(readLock(dir)!.pid, child.pid, 'the holder keeps its lock');
  } finally {
    child.kill();
  }
  writeLock(dir, { pid: 1, host: 'elsewhere.example' });
  assert.throws(() => acquireLock(dir), /pid 1 on elsewhere\.example.*if that run is gone, delete .*\.phaseflow\.lock/);
  writeFileSync(join(dir, LOCK_FILE), 'garbage');
  assert.throws(() => acquireLock(dir), /is unreadable/);
});

test('a stale lock of a dead process is taken over with a message', () => {
  const dir = fresh();
  const pid = deadPid();
  writeLock(dir, { pid });
  const log: string[] = [];
  const lock = acquireLock(dir, { command: 'exact', log: (l) => log.push(l) });
  assert.equal(readLock(dir)!.pid, process.pid);
  assert.equal(log.length, 1);
  assert.match(
    log[0],
    new RegExp(
      `taking over the lock of .* from pid ${pid} \\(gmm, started 2020-01-01T00:00:00.000Z\\), which is no longer running`,
    ),
  );
  lock.release();
  assert.deepEqual(readdirSync(dir), [], 'no stale or temporary files left');
});

test('folders the lock created are removed again if the run wrote nothing, kept otherwise', () => {
  const base = fresh();
  const empty = join(base, 'a', 'b');
  acquireLock(empty).release();
  assert.equal(existsSync(join(base, 'a')), false);
  const used = join(base, 'c', 'd');
  const lock = acquireLock(used);
  writeFileSync(join(used, 'result.json'), '{}');
  lock.release();
  assert.deepEqual(readdirSync(used), ['result.json']);
});

function child(dir: string, body: string) {
  const script = join(fresh(), 'child.ts');
  writeFileSync(
    script,
    `import { acquireLock } from ${JSON.stringify(LOCK_TS)};\nconst lock = acquireLock(${JSON.stringify(dir)}, { command: 'child' });\nvoid lock;\n${body}\n`,
  );
  return spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function waitFor(f: () => boolean, ms = 20000): Promise<void> {
  const t0 = Date.now();
  while (!f()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('released by process.exit and by a signal handler that returns; a process ended by a signal leaves a stale lock', async () => {
  const a = fresh();
  const c1 = child(a, 'process.exit(3);');
  const code = await new Promise<number | null>((r) => c1.on('exit', (c) => r(c)));
  assert.equal(code, 3);
  assert.equal(existsSync(join(a, LOCK_FILE)), false);

  const b = fresh();
  const c2 = child(
    b,
    "process.on('SIGINT', () => { lock.release(); process.exitCode = 130; clearInterval(t); });\nconst t = setInterval(() => {}, 1000);",
  );
  await waitFor(() => existsSync(join(b, LOCK_FILE)));
  c2.kill('SIGINT');
  assert.equal(await new Promise<number | null>((r) => c2.on('exit', (c) => r(c))), 130);
  assert.equal(existsSync(join(b, LOCK_FILE)), false);

  // No handler: Ctrl-C still ends the process at once (the lock module installs no signal listener) ...
  const c = fresh();
  const c3 = child(c, 'setInterval(() => {}, 1000);');
  await waitFor(() => existsSync(join(c, LOCK_FILE)));
  const pid = readLock(c)!.pid;
  c3.kill('SIGINT');
  assert.equal(await new Promise<NodeJS.Signals | null>((r) => c3.on('exit', (_c, s) => r(s))), 'SIGINT');
  // ... and the next run takes the stale lock over
  assert.equal(processAlive(pid), false);
  const log: string[] = [];
  acquireLock(c, { log: (l) => log.push(l) }).release();
  assert.match(log[0], new RegExp(`from pid ${pid} \\(child,`));
});
