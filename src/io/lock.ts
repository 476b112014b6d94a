/**
 * One run per output folder: `acquireLock(dir)` creates `<dir>/.phaseflow.lock` holding the process id, host, start
 * time and command of the run, atomically (written to a temporary file, then hard-linked into place, which fails if
 * a lock exists). A second run on the same folder gets a `LockHeldError` naming the holder. A lock left by a process
 * that no longer runs (same host, dead pid: a crash or `kill -9`) is taken over, with a message.
 *
 * The lock is released by `release()` (the CLI does so when the command returns, also after an error or after a
 * SIGINT/SIGTERM that the command handled) and when the process exits through `process.exit`. No signal handler is
 * installed here: a listener would keep Node from ending the process on Ctrl-C while synchronous work runs. A process
 * ended by a signal it does not handle (or by `kill -9`) leaves its lock behind; the next run finds its pid dead and
 * takes the lock over.
 */
import { linkSync, readFileSync, renameSync, rmdirSync, unlinkSync, writeFileSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createDir } from './paths.js';

export const LOCK_FILE = '.phaseflow.lock';

/** What a lock file holds. */
export interface LockInfo {
  format: 'phaseflow.lock';
  pid: number;
  host: string;
  /** ISO 8601 start time of the run. */
  started: string;
  /** What runs (e.g. "gmm"). */
  command: string;
}

/** The folder is locked by a run that is (or may be) alive. */
export class LockHeldError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockInfo | null,
  ) {
    super(
      holder
        ? `${dir} is in use by another phaseflow run (${holder.command}, pid ${holder.pid} on ${holder.host}, started ${holder.started})` +
            (holder.host === hostname()
              ? '; wait for it to finish or choose another folder'
              : `; if that run is gone, delete ${join(dir, LOCK_FILE)}`)
        : `${dir} is locked (${join(dir, LOCK_FILE)} is unreadable); if no run uses the folder, delete that file`,
    );
    this.name = 'LockHeldError';
  }
}

export interface RunLock {
  dir: string;
  info: LockInfo;
  /** Removes the lock (and the folders `acquireLock` created, if they are empty). Idempotent. */
  release(): void;
}

export interface LockOptions {
  /** Recorded in the lock file. */
  command?: string;
  /** Messages (the takeover of a stale lock). */
  log?: (line: string) => void;
}

/** The holder of a live lock on `dir` (this host, process running, not this process), or null. */
export function liveHolder(dir: string): LockInfo | null {
  const h = readLock(dir);
  if (!h) return null;
  if (h.host !== hostname()) return h;
  return h.pid !== process.pid && processAlive(h.pid) ? h : null;
}

/** True if a process with this id runs on this machine. */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** The lock file's content, or null if it is missing or unreadable. */
export function readLock(dir: string): LockInfo | null {
  try {
    const j = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as Partial<LockInfo>;
    if (j.format !== 'phaseflow.lock' || typeof j.pid !== 'number' || typeof j.host !== 'string') return null;
    return {
      format: 'phaseflow.lock',
      pid: j.pid,
      host: j.host,
      started: String(j.started),
      command: String(j.command ?? '?'),
    };
  } catch {
    return null;
  }
}

const held = new Set<RunLock>();
let hooked = false;

function releaseAll(): void {
  for (const l of [...held]) l.release();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', releaseAll);
}

function unhook(): void {
  if (!hooked) return;
  hooked = false;
  process.off('exit', releaseAll);
}

function tryCreate(path: string, info: LockInfo): boolean {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, JSON.stringify(info) + '\n');
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
}

/** Moves a stale lock aside, unless another process replaced it in the meantime. True if it is gone. */
function removeStale(path: string, stale: LockInfo): boolean {
  const aside = `${path}.stale.${process.pid}.${Date.now()}`;
  try {
    renameSync(path, aside);
  } catch {
    return false; // someone else took it first
  }
  let moved: string | null = null;
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    /* treat as the stale one */
  }
  const same =
    moved === null ||
    moved.trim() === '' ||
    (() => {
      try {
        const j = JSON.parse(moved) as LockInfo;
        return j.pid === stale.pid && j.started === stale.started;
      } catch {
        return true;
      }
    })();
  if (!same) {
    // A fresh lock of another run slipped in between our read and the rename: put it back.
    try {
      linkSync(aside, path);
    } catch {
      /* a third run holds it now */
    }
    unlinkSync(aside);
    return false;
  }
  unlinkSync(aside);
  return true;
}

/**
 * Takes the run lock of `dir`, creating the folder if needed (the caller has checked it with `checkOutputDir`).
 * Throws `LockHeldError` if a live run holds it; takes over (with a log line) a lock whose process is gone.
 */
export function acquireLock(dir: string, opts: LockOptions = {}): RunLock {
  const created = createDir(dir);
  const path = join(dir, LOCK_FILE);
  const info: LockInfo = {
    format: 'phaseflow.lock',
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    command: opts.command ?? 'phaseflow',
  };
  const undoCreate = () => {
    for (const d of [...created].reverse()) {
      try {
        if (readdirSync(d).length === 0) rmdirSync(d);
      } catch {
        /* not empty or gone */
      }
    }
  };
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, info)) {
      let released = false;
      const lock: RunLock = {
        dir,
        info,
        release() {
          if (released) return;
          released = true;
          held.delete(lock);
          if (held.size === 0) unhook();
          const now = readLock(dir);
          if (now && now.pid === info.pid && now.started === info.started) {
            try {
              unlinkSync(path);
            } catch {
              /* already gone */
            }
          }
          undoCreate();
        },
      };
      held.add(lock);
      hook();
      return lock;
    }
    const holder = readLock(dir);
    if (holder === null) {
      // Being written right now (the link makes that window tiny) or damaged: look again before giving up.
      if (attempt < 4) continue;
      undoCreate();
      throw new LockHeldError(dir, null);
    }
    if (holder.pid === process.pid && holder.host === info.host) {
      undoCreate();
      throw new LockHeldError(dir, holder); // this process already runs there
    }
    if (holder.host !== info.host || processAlive(holder.pid)) {
      undoCreate();
      throw new LockHeldError(dir, holder);
    }
    if (removeStale(path, holder)) {
      opts.log?.(
        `taking over the lock of ${dir} from pid ${holder.pid} (${holder.command}, started ${holder.started}), which is no longer running`,
      );
    }
  }
  undoCreate();
  throw new LockHeldError(dir, readLock(dir));
}

/** The locks this process holds (for tests and diagnostics). */
export function heldLocks(): readonly RunLock[] {
  return [...held];
}
