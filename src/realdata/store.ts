/**
 * Where training runs and finished stage results live, so that a rerun skips finished work:
 *
 *   RunStore (per training run, keyed by a hash of everything that determines it)
 *     state     the latest full training state (weights, EMA, Adam moments, step, loss log): resume point;
 *     snapshot  the weights used for sampling (EMA or live) at a given step, for evaluation at several budgets;
 *     full state at a given step, as a starting point for continuations (the interval scan).
 *   `dirStore(dir)` keeps them under `dir/<key>/` (binary checkpoints with a CRC, written atomically; snapshots
 *   as loadable model folders `step-<n>/`); `memoryStore()` keeps them in memory for runs without an output folder.
 *
 *   Stage results: `<out>/<stage>/result.json` carries the hash of the settings that produced it; `readCached`
 *   returns it only when that hash matches.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import { writeJsonAtomic } from '../io/atomic.js';
import type { AdamState } from '../nn/optim/adam.js';
import { ALGORITHM_VERSIONS } from './versions.js';

/** A complete, resumable training state (arrays in parameter-arena order). */
export interface TrainState {
  step: number;
  weights: Float32Array;
  /** EMA shadow weights and the number of EMA updates (null without EMA). */
  ema: Float32Array | null;
  emaUpdates: number;
  adam: AdamState;
  /** Mean training loss per logged window: [step, loss] pairs. */
  losses: [number, number][];
  /** The running loss sum and count of the window not yet logged (so that a resumed run logs the same means). */
  lossWindow: [number, number];
  /** Wall-clock milliseconds spent training so far. */
  trainMs: number;
}

export interface RunStore {
  readonly kind: 'dir' | 'memory';
  loadState(key: string): TrainState | null;
  saveState(key: string, s: TrainState): void;
  loadFullState(key: string, step: number): TrainState | null;
  saveFullState(key: string, s: TrainState): void;
  loadSnapshot(key: string, step: number): Float32Array | null;
  /** `save` writes a loadable model folder (weights + config) next to the snapshot. */
  saveSnapshot(key: string, step: number, weights: Float32Array, save?: (dir: string) => void): void;
  /** Folder of a run (dir stores only). */
  runDir?(key: string): string;
}

/** Stable JSON (sorted keys) for hashing. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

/** Short hex hash of any JSON-able value. */
export function hashOf(v: unknown, length = 12): string {
  return createHash('sha256').update(stableJson(v)).digest('hex').slice(0, length);
}

interface StateMeta {
  step: number;
  emaUpdates: number;
  adamT: number;
  losses: [number, number][];
  /** Absent in checkpoints written before it existed (read as [0, 0]). */
  lossWindow?: [number, number];
  trainMs: number;
  hasEma: boolean;
}

function encodeState(s: TrainState) {
  const meta: StateMeta = {
    step: s.step,
    emaUpdates: s.emaUpdates,
    adamT: s.adam.t,
    losses: s.losses,
    lossWindow: s.lossWindow,
    trainMs: s.trainMs,
    hasEma: s.ema !== null,
  };
  const arrays: Record<string, Float32Array> = { weights: s.weights, m: s.adam.m, v: s.adam.v };
  if (s.ema) arrays.ema = s.ema;
  return { meta, arrays };
}

function decodeState(path: string): TrainState | null {
  if (!existsSync(path)) return null;
  const { meta, arrays } = loadCheckpoint<StateMeta>(path);
  return {
    step: meta.step,
    weights: arrays.weights as Float32Array,
    ema: meta.hasEma ? (arrays.ema as Float32Array) : null,
    emaUpdates: meta.emaUpdates,
    adam: { t: meta.adamT, m: arrays.m as Float32Array, v: arrays.v as Float32Array },
    losses: meta.losses,
    lossWindow: meta.lossWindow ?? [0, 0],
    trainMs: meta.trainMs,
  };
}

export function dirStore(root: string): RunStore {
  const runDir = (key: string) => join(root, key);
  return {
    kind: 'dir',
    runDir,
    loadState: (key) => decodeState(join(runDir(key), 'state.ckpt')),
    saveState: (key, s) => saveCheckpoint(join(runDir(key), 'state.ckpt'), encodeState(s)),
    loadFullState: (key, step) => decodeState(join(runDir(key), `state-${step}.ckpt`)),
    saveFullState: (key, s) => saveCheckpoint(join(runDir(key), `state-${s.step}.ckpt`), encodeState(s)),
    loadSnapshot: (key, step) => {
      const p = join(runDir(key), `step-${step}`, 'weights.ckpt');
      return existsSync(p) ? (loadCheckpoint(p).arrays.weights as Float32Array) : null;
    },
    saveSnapshot: (key, step, weights, save) => {
      const dir = join(runDir(key), `step-${step}`);
      save?.(dir);
      saveCheckpoint(join(dir, 'weights.ckpt'), { meta: { step }, arrays: { weights } });
    },
  };
}

export function memoryStore(): RunStore {
  const states = new Map<string, TrainState>();
  const full = new Map<string, TrainState>();
  const snaps = new Map<string, Float32Array>();
  return {
    kind: 'memory',
    loadState: (key) => states.get(key) ?? null,
    saveState: (key, s) => void states.set(key, s),
    loadFullState: (key, step) => full.get(`${key}@${step}`) ?? null,
    saveFullState: (key, s) => void full.set(`${key}@${s.step}`, s),
    loadSnapshot: (key, step) => snaps.get(`${key}@${step}`) ?? null,
    saveSnapshot: (key, step, w) => void snaps.set(`${key}@${step}`, w),
  };
}

/** The stored key of a cached result: the caller's settings hash combined with every real-data algorithm version. */
function cacheKey(hash: string): string {
  return hashOf({ settings: hash, code: ALGORITHM_VERSIONS }, 16);
}

/**
 * The JSON object at `path` when it was computed under the same settings (`hash`) by code of the same algorithm
 * versions (versions.ts), else null (missing, unreadable, other settings, older code, or `force`).
 */
export function readCached<T extends object>(
  path: string,
  hash: string,
  opts: { force?: boolean } = {},
): (T & { configHash: string }) | null {
  if (opts.force || !existsSync(path)) return null;
  try {
    const c = JSON.parse(readFileSync(path, 'utf8')) as T & { configHash?: string };
    return c.configHash === cacheKey(hash) ? (c as T & { configHash: string }) : null;
  } catch {
    return null;
  }
}

/** Writes `{ configHash, ...result }` atomically. */
export function writeCached<T extends object>(path: string, hash: string, result: T): T & { configHash: string } {
  const out = { configHash: cacheKey(hash), ...result };
  writeJsonAtomic(path, out);
  return out;
}
