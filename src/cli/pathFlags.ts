/**
 * The path flags of a command, checked and locked by the CLI before the command does any work: every flag of type
 * `path` with a `PathRule` is checked (`io/paths.ts`), then every folder whose rule says `lock` is locked for this run
 * (`io/lock.ts`). Problems become one-line `UsageError`s naming the flag (exit status 2).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, type FlagSpecs, type Values } from './args.js';
import { checkPath, PathError, type PathRule } from '../io/paths.js';
import { acquireLock, liveHolder, LockHeldError, type RunLock } from '../io/lock.js';
import { removeStaleTemps } from '../io/atomic.js';

/** The path flags of `specs` that have a value and a rule, in flag order. */
function pathFlags<S extends FlagSpecs>(
  specs: S,
  values: Values<S>,
): Array<{ flag: string; path: string; rule: PathRule }> {
  const out: Array<{ flag: string; path: string; rule: PathRule }> = [];
  for (const [flag, spec] of Object.entries(specs)) {
    const v = (values as Record<string, unknown>)[flag];
    if (spec.type === 'path' && spec.path && typeof v === 'string') out.push({ flag, path: v, rule: spec.path });
  }
  return out;
}

/** A `PathError` as the CLI shows it: a `UsageError` naming the flag. */
export function usageFromPath(e: unknown, flag?: string): unknown {
  if (e instanceof PathError) return new UsageError(`--${e.field ?? flag ?? 'path'}: ${e.reason}`);
  return e;
}

/**
 * Checks every path flag against its rule; throws a `UsageError` naming the first bad one. A folder that another run
 * holds is reported as such first (its content may be half made by that run).
 */
export function checkPathFlags<S extends FlagSpecs>(specs: S, values: Values<S>): void {
  for (const { flag, path, rule } of pathFlags(specs, values)) {
    const holder = rule.lock && existsSync(path) ? liveHolder(path) : null;
    if (holder) throw new UsageError(`--${flag}: ${new LockHeldError(path, holder).message}`);
    try {
      checkPath(path, rule, { field: flag });
    } catch (e) {
      throw usageFromPath(e, flag);
    }
  }
}

/** Locks one folder for this run (a folder that is not a flag's value, e.g. `sweep --merge DIR` without --out). */
export function lockFolder(
  path: string,
  opts: { flag: string; command: string; log: (line: string) => void },
): () => void {
  try {
    const lock = acquireLock(path, { command: opts.command, log: opts.log });
    return () => lock.release();
  } catch (e) {
    if (e instanceof LockHeldError) throw new UsageError(`--${opts.flag}: ${e.message}`);
    throw usageFromPath(e, opts.flag);
  }
}

/**
 * Locks the folders of the path flags whose rule says `lock` (each folder once). Returns a function that releases
 * them all; on a refusal, releases what it took and throws a `UsageError` naming the flag and the holder.
 */
export function lockPathFlags<S extends FlagSpecs>(
  specs: S,
  values: Values<S>,
  opts: { command: string; log: (line: string) => void },
): () => void {
  const locks: RunLock[] = [];
  const seen = new Set<string>();
  const releaseAll = () => {
    for (const l of locks.splice(0).reverse()) l.release();
  };
  for (const { flag, path, rule } of pathFlags(specs, values)) {
    if (!rule.lock || seen.has(resolve(path))) continue;
    seen.add(resolve(path));
    try {
      locks.push(acquireLock(path, { command: opts.command, log: opts.log }));
      const stale = removeStaleTemps(path);
      if (stale.length) opts.log(`removed ${stale.length} temporary file(s) left in ${path} by an interrupted run`);
    } catch (e) {
      releaseAll();
      if (e instanceof LockHeldError) throw new UsageError(`--${flag}: ${e.message}`);
      throw usageFromPath(e, flag);
    }
  }
  return releaseAll;
}
