/**
 * Dimension sweeps of the generated mode weight and variance — the falsifiable form of the paper's claim
 * (docs/method.md §3.1): without dilation the mode-probability phase vanishes as d grows, with it pHat stays near p.
 * Each cell is one (kind, schedule, d, seed): 'exact' integrates the exact velocity field, 'trained' trains the
 * autoencoder and samples it. Cells are enumerated in a fixed order, so a batch scheduler can split the sweep: shard i
 * of k (1-based) runs the cells whose index is congruent to i − 1 modulo k, and `mergeShards` checks that every cell is
 * present exactly once.
 */
import { createHash } from 'node:crypto';
import { EXACT_ALGORITHM_VERSION, runExact } from '../mixture/exactSweep.js';
import {
  GMM_ALGORITHM_VERSION,
  checkpointPath,
  configDiff,
  readGmmCheckpoint,
  runGmm,
  type GmmConfig,
} from '../autoencoder/experiment.js';
import { existsSync, rmSync } from 'node:fs';
import type { OdeMethod } from '../solver/ode.js';
import { StopError, stopSignal } from '../io/stop.js';
import { mergeIndexedShards, type Shard } from './shard.js';

export type SweepKind = 'exact' | 'trained';
export type SweepSchedule = 'linear' | 've' | 'dilated';

export interface SweepConfig {
  kinds: SweepKind[];
  schedules: SweepSchedule[];
  ds: number[];
  seeds: number[];
  p: number;
  sigma: number;
  kappa: number;
  /** Grid points T for both kinds. */
  T: number;
  exact: { samples: number; method: OdeMethod };
  trained: Pick<GmmConfig, 'n' | 'epochs' | 'lr' | 'lU' | 'lW' | 'genSamples' | 'genMethod' | 'backend'>;
}

export interface SweepCell {
  index: number;
  kind: SweepKind;
  schedule: SweepSchedule;
  d: number;
  seed: number;
}

export interface CellResult extends SweepCell {
  pHat: number;
  pHatStdErr: number;
  modeMean: { plus: number | null; minus: number | null };
  variance: { plus: number | null; minus: number | null };
  trainP: number | null;
  msPerEpoch: number | null;
  seconds: number;
}

export function enumerateCells(c: SweepConfig): SweepCell[] {
  const cells: SweepCell[] = [];
  for (const kind of c.kinds)
    for (const schedule of c.schedules)
      for (const d of c.ds) for (const seed of c.seeds) cells.push({ index: cells.length, kind, schedule, d, seed });
  return cells;
}

/** Algorithm version of the sweep's own logic (cells, shards, merge); bump it when the cell results change. */
export const SWEEP_ALGORITHM_VERSION = 1;

/** Stable hash of a configuration (shards of one sweep must agree on it). */
export function configHash(c: SweepConfig): string {
  // The algorithm versions of the code that computes the cells: a sweep file made by older code is not reused.
  const code = { sweep: SWEEP_ALGORITHM_VERSION, exact: EXACT_ALGORITHM_VERSION, gmm: GMM_ALGORITHM_VERSION };
  return createHash('sha256')
    .update(JSON.stringify({ ...c, code }))
    .digest('hex')
    .slice(0, 16);
}

// Shards and merging are shared with `retrain` and `scan` (sweep/shard.ts).
export { parseShard, shardCells, type Shard } from './shard.js';

/**
 * Run one cell. With `dir` a trained cell checkpoints there (every epochs/20 and on a stop) and a later call resumes
 * it, ending at exactly the uninterrupted result; the folder is removed when the cell is done. A checkpoint of other
 * settings or code is ignored (the cell starts again).
 */
export async function runCell(
  c: SweepConfig,
  cell: SweepCell,
  threads?: number,
  opts: { dir?: string } = {},
): Promise<CellResult> {
  const t0 = performance.now();
  if (cell.kind === 'exact') {
    const r = runExact({
      schedule: cell.schedule,
      d: cell.d,
      steps: c.T,
      samples: c.exact.samples,
      p: c.p,
      kappa: c.kappa,
      sigma: c.sigma,
      seed: cell.seed,
      method: c.exact.method,
      grid: 'paper',
      full: false,
    });
    return {
      ...cell,
      pHat: r.pHat,
      pHatStdErr: r.pHatStdErr,
      modeMean: r.modeMean,
      variance: r.variance,
      trainP: null,
      msPerEpoch: null,
      seconds: (performance.now() - t0) / 1000,
    };
  }
  const cfg: GmmConfig = {
    schedule: cell.schedule,
    d: cell.d,
    T: c.T,
    p: c.p,
    sigma: c.sigma,
    kappa: c.kappa,
    seed: cell.seed,
    ...c.trained,
    logEvery: Math.max(1, Math.floor(c.trained.epochs / 50)),
  };
  const dir = opts.dir;
  let resume = false;
  if (dir && existsSync(checkpointPath(dir))) {
    try {
      const ck = readGmmCheckpoint(dir).meta;
      resume = (ck.algorithm ?? 1) === GMM_ALGORITHM_VERSION && configDiff(ck.config, cfg).length === 0;
    } catch {
      resume = false;
    }
    if (!resume) rmSync(dir, { recursive: true, force: true });
  }
  const out = await runGmm({
    config: cfg,
    threads,
    dir,
    resume,
    checkpointEvery: dir ? Math.max(1, Math.floor(cfg.epochs / 20)) : undefined,
  });
  if (out.status !== 'done') {
    throw new StopError(
      stopSignal(),
      `in cell ${cell.index} at epoch ${out.epoch} of ${cfg.epochs}`,
      dir ? checkpointPath(dir) : null,
    );
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  const r = out.result;
  return {
    ...cell,
    pHat: r.pHat,
    pHatStdErr: r.pHatStdErr,
    modeMean: r.modeMean,
    variance: r.variance,
    trainP: r.trainP,
    msPerEpoch: r.msPerEpoch,
    seconds: (performance.now() - t0) / 1000,
  };
}

export interface ShardFile {
  format: 'phaseflow.sweep-shard';
  version: 1;
  config: SweepConfig;
  configHash: string;
  shard: Shard | null;
  cells: CellResult[];
}

/** Combine shard files into the full set of cells; refuses mixed configurations, duplicates and gaps. */
export function mergeShards(files: Array<{ name: string; data: ShardFile }>): {
  config: SweepConfig;
  cells: CellResult[];
} {
  const { first, cells } = mergeIndexedShards<CellResult, ShardFile>(files, {
    format: 'phaseflow.sweep-shard',
    what: 'sweep',
    expected: (f) => enumerateCells(f.config),
  });
  return { config: first.config, cells };
}

export interface SweepRow {
  kind: SweepKind;
  schedule: SweepSchedule;
  d: number;
  seeds: number;
  /** Mean over seeds. */
  pHat: number;
  /** Standard error: across seeds when there are several, else binomial. */
  pHatStdErr: number;
  variancePlus: number | null;
  varianceMinus: number | null;
  trainP: number | null;
}

function meanOf(xs: (number | null)[]): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/** Mean over seeds per (kind, schedule, d). */
export function aggregate(cells: CellResult[]): SweepRow[] {
  const groups = new Map<string, CellResult[]>();
  for (const c of cells) {
    const key = `${c.kind}|${c.schedule}|${c.d}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(c);
  }
  return [...groups.values()].map((g) => {
    const ps = g.map((c) => c.pHat);
    const m = ps.reduce((a, b) => a + b, 0) / ps.length;
    const se =
      ps.length > 1
        ? Math.sqrt(ps.reduce((a, b) => a + (b - m) ** 2, 0) / (ps.length - 1) / ps.length)
        : g[0].pHatStdErr;
    return {
      kind: g[0].kind,
      schedule: g[0].schedule,
      d: g[0].d,
      seeds: g.length,
      pHat: m,
      pHatStdErr: se,
      variancePlus: meanOf(g.map((c) => c.variance.plus)),
      varianceMinus: meanOf(g.map((c) => c.variance.minus)),
      trainP: meanOf(g.map((c) => c.trainP)),
    };
  });
}
