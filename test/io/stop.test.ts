// Cooperative stopping (io/stop.ts), the continue command, and the clean-up of temporary files left by killed runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  clearStop,
  pollStop,
  requestStop,
  stopExitCode,
  stopSignal,
  StopError,
  throwIfStopped,
} from '../../src/io/stop.js';
import { removeStaleTemps } from '../../src/io/atomic.js';
import { continueCommand } from '../../src/cli/main.js';

test('the stop flag: requested once, polled, cleared; exit codes 130 and 143', async () => {
  assert.equal(await pollStop(0), false);
  requestStop('SIGTERM');
  requestStop('SIGINT'); // the first request wins
  assert.equal(stopSignal(), 'SIGTERM');
  assert.equal(await pollStop(), true);
  assert.throws(
    () => throwIfStopped('at step 3', '/x/state.ckpt'),
    (e) =>
      e instanceof StopError &&
      e.signal === 'SIGTERM' &&
      e.checkpoint === '/x/state.ckpt' &&
      /stopped by SIGTERM at step 3/.test(e.message),
  );
  clearStop();
  assert.equal(stopSignal(), null);
  assert.doesNotThrow(() => throwIfStopped('anywhere'));
  assert.deepEqual([stopExitCode('SIGINT'), stopExitCode('SIGTERM')], [130, 143]);
});

test('continueCommand repeats the command line, quoted for a shell', () => {
  assert.equal(
    continueCommand(['denoise', '--scale', 'tiny', '--out', 'runs/a b', "--tag=it's"]),
    `phaseflow denoise --scale tiny --out 'runs/a b' '--tag=it'\\''s'`,
  );
});

test('removeStaleTemps: temporary files of dead processes go, those of live ones and ordinary files stay', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pf-stale-'));
  mkdirSync(join(dir, 'runs', 'k'), { recursive: true });
  const dead = 2 ** 22 + 12345; // above the usual pid range
  const files = {
    deadTop: join(dir, `.result.json.${dead}.0.tmp`),
    deadDeep: join(dir, 'runs', 'k', `.state.ckpt.${dead}.7.tmp`),
    deadLock: join(dir, `.phaseflow.lock.${dead}.1733000000000.tmp`),
    live: join(dir, `.result.json.${process.pid}.1.tmp`),
    plain: join(dir, 'result.json'),
  };
  for (const f of Object.values(files)) writeFileSync(f, 'x');
  const removed = removeStaleTemps(dir).sort();
  assert.deepEqual(removed, [files.deadTop, files.deadLock, files.deadDeep].sort());
  assert.ok(existsSync(files.live) && existsSync(files.plain));
});
