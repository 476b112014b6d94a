/**
 * Atomic file output: write to a temporary file in the same folder, fsync, then rename over the target,
 * so a reader (or a crash) never sees a half-written file.
 */
import {
  openSync,
  writeSync,
  fsyncSync,
  closeSync,
  renameSync,
  mkdirSync,
  unlinkSync,
  existsSync,
  readdirSync,
} from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { isSystemPath, PathError } from './paths.js';
import { processAlive } from './lock.js';

let counter = 0;

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  // Node's recursive mkdir never returns under /proc; refuse there instead of hanging.
  if (!existsSync(dir) && isSystemPath(dir))
    throw new PathError(undefined, `cannot write ${path}: ${dir} is under a system folder (/proc, /sys, /dev)`);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${counter++}.tmp`);
  const fd = openSync(tmp, 'w');
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

/** Temporary files of `writeFileAtomic` (`.NAME.PID.N.tmp`) and of the lock (`.phaseflow.lock.PID.TIME.tmp`). */
const TEMP = /^\..+\.(\d+)\.\d+\.tmp$/;

/**
 * Removes the temporary files that a process killed while writing (`kill -9`, power loss) left under `dir` (at most
 * `depth` folders deep); files of processes still running are kept. Returns the paths removed. The CLI calls it on
 * every output folder once it holds the folder's lock.
 */
export function removeStaleTemps(dir: string, depth = 6): string[] {
  const removed: string[] = [];
  const walk = (d: string, left: number) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (left > 0) walk(p, left - 1);
      } else if (e.isFile()) {
        const m = TEMP.exec(e.name);
        if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) {
          try {
            unlinkSync(p);
            removed.push(p);
          } catch {
            /* gone already */
          }
        }
      }
    }
  };
  walk(dir, depth);
  return removed;
}

/** JSON with two-space indent; non-finite numbers become null (JSON cannot carry them). */
export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, JSON.stringify(value, jsonReplacer, 2) + '\n');
}

export function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  if (v instanceof Float64Array || v instanceof Float32Array) return Array.from(v);
  return v;
}
