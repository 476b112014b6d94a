/**
 * Checks of input and output paths, made before any work so that a bad path costs nothing: an output folder
 * exists or can be created, is a folder, is writable and is not under /proc, /sys or /dev (Node's recursive mkdir
 * loops forever under /proc); an input exists, is of the right kind and holds the files it must. Nothing is
 * created here.
 *
 * Failures are `PathError`s that carry the offending field (a flag name for the CLI, which prints
 * `--<field>: <reason>` and exits with status 2).
 */
import { accessSync, constants, existsSync, mkdirSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

/** A bad path: `field` names the setting (e.g. the flag `out`), `reason` says what is wrong, without the field. */
export class PathError extends Error {
  constructor(
    readonly field: string | undefined,
    readonly reason: string,
  ) {
    super(field ? `--${field}: ${reason}` : reason);
    this.name = 'PathError';
  }
}

/** What a path flag must name. */
export interface PathRule {
  /** 'output': a folder that exists or can be created (writable); 'input': something that must exist. */
  mode: 'output' | 'input';
  /** Folder or file (outputs are always folders). */
  kind?: 'dir' | 'file';
  /** An input folder the run writes into (e.g. a run to resume). */
  writable?: boolean;
  /** Files an input folder must hold. */
  contains?: readonly string[];
  /** Hold the run lock of this folder while the command runs (one run per folder; see `io/lock.ts`). */
  lock?: boolean;
  /** A content check of an existing input: the reason it is unusable, or null. */
  check?: (path: string) => string | null;
  /** Appended to the "holds no ..." message of a missing `contains` entry (a hint at the right folder). */
  hint?: (path: string) => string | undefined;
}

/** Folders whose contents are not files: writing there hangs or fails in odd ways. */
export const SYSTEM_ROOTS: readonly string[] = ['/proc', '/sys', '/dev'];

/**
 * The system root (/proc, /sys or /dev) that `path` lies under, with the symbolic links of its existing part
 * followed, or null.
 */
export function systemRoot(path: string): string | null {
  const abs = resolve(path);
  const candidates = [abs];
  const existing = nearestExisting(abs);
  if (existing) {
    try {
      const real = realpathSync(existing);
      candidates.push(real + abs.slice(existing.length));
    } catch {
      /* unreadable: the plain path decides */
    }
  }
  for (const p of candidates) for (const root of SYSTEM_ROOTS) if (p === root || p.startsWith(root + sep)) return root;
  return null;
}

/** True when `path` lies under /proc, /sys or /dev (see `systemRoot`). */
export function isSystemPath(path: string): boolean {
  return systemRoot(path) !== null;
}

/** The path itself or its closest ancestor that exists (null only if nothing does, which cannot happen for '/'). */
export function nearestExisting(path: string): string | null {
  let p = resolve(path);
  for (;;) {
    if (existsSync(p)) return p;
    const up = dirname(p);
    if (up === p) return null;
    p = up;
  }
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK | constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function common(path: string, field: string | undefined): void {
  if (path === '') throw new PathError(field, 'expected a path, got an empty value');
  if (path.startsWith('-'))
    throw new PathError(field, `"${path}" looks like a flag, not a path (write ./${path} for a file of that name)`);
  if (path.includes('\0')) throw new PathError(field, 'the path contains a NUL character');
  const root = systemRoot(path);
  if (root)
    throw new PathError(field, `${path} is under ${root}, which holds no ordinary files; choose another folder`);
}

/**
 * An output folder: it exists and is a writable folder, or its closest existing ancestor is a writable folder
 * (so that it can be created). Returns whether it exists already.
 */
export function checkOutputDir(path: string, opts: { field?: string } = {}): { exists: boolean } {
  const field = opts.field;
  common(path, field);
  const st = statOrNull(path);
  if (st) {
    if (!st.isDirectory()) throw new PathError(field, `${path} is a file, not a folder`);
    if (!writable(path)) throw new PathError(field, `${path} is not writable`);
    return { exists: true };
  }
  const anc = nearestExisting(path);
  if (!anc) throw new PathError(field, `cannot create ${path}`);
  if (!statOrNull(anc)?.isDirectory())
    throw new PathError(field, `cannot create ${path}: ${anc} is a file, not a folder`);
  if (!writable(anc)) throw new PathError(field, `cannot create ${path}: ${anc} is not writable`);
  return { exists: false };
}

/** An input that must exist: a folder (holding `contains`, writable if asked) or a file; then its content check. */
export function checkInput(path: string, rule: Omit<PathRule, 'mode'> = {}, opts: { field?: string } = {}): void {
  const field = opts.field;
  common(path, field);
  const kind = rule.kind ?? 'dir';
  const st = statOrNull(path);
  if (!st) throw new PathError(field, `no such ${kind === 'dir' ? 'folder' : 'file'} ${path}`);
  if (kind === 'dir' && !st.isDirectory()) throw new PathError(field, `${path} is a file, not a folder`);
  if (kind === 'file' && !st.isFile()) throw new PathError(field, `${path} is a folder, not a file`);
  if (kind === 'dir' && rule.writable && !writable(path)) throw new PathError(field, `${path} is not writable`);
  const missing = (rule.contains ?? []).filter((f) => !statOrNull(join(path, f))?.isFile());
  if (missing.length) {
    const hint = rule.hint?.(path);
    throw new PathError(field, `${path} holds no ${missing.join(' and no ')}${hint ? ` (${hint})` : ''}`);
  }
  const bad = rule.check?.(path);
  if (bad) throw new PathError(field, bad);
}

/** Check `path` against `rule` (see `PathRule`). */
export function checkPath(path: string, rule: PathRule, opts: { field?: string } = {}): void {
  if (rule.mode === 'output') checkOutputDir(path, opts);
  else checkInput(path, rule, opts);
}

/**
 * Creates a checked output folder; returns the folders it created, outermost first (empty if it existed), so that
 * a caller can remove them again if the run ends without writing anything.
 */
export function createDir(path: string): string[] {
  const abs = resolve(path);
  const root = systemRoot(abs);
  if (root) throw new PathError(undefined, `${path} is under ${root}, which holds no ordinary files`);
  const first = mkdirSync(abs, { recursive: true });
  if (first === undefined) return [];
  const created: string[] = [];
  for (let p = abs; ; p = dirname(p)) {
    created.unshift(p);
    if (p === first || dirname(p) === p) break;
  }
  return created;
}
