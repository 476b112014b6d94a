/**
 * pHat (and the other generated statistics) of the exact velocity field against the dimension d, per schedule —
 * the paper's core observation (docs/method.md §3.1): on a fixed grid the linear schedule drifts to the majority mode
 * as d grows, the dilated one keeps pHat near p.
 */
import { makeInterpolant, type ScheduleName } from '../interpolant/schedules.js';
import { GaussianMixture } from './gaussianMixture.js';
import { sampleExactFlow, type GeneratedStats } from './exactFlow.js';
import { paperGrid, uniformGrid } from '../solver/grid.js';
import type { OdeMethod } from '../solver/ode.js';
import type { Interpolant } from '../interpolant/interpolant.js';
import type { MemoryEstimate } from '../io/memory.js';

export type GridKind = 'paper' | 'endpoint';

export interface ExactRunConfig {
  schedule: ScheduleName;
  d: number;
  /** Number T of grid points (the paper's num_steps). */
  steps: number;
  samples: number;
  p: number;
  kappa: number;
  sigma: number;
  seed: number;
  method: OdeMethod;
  /** 'paper': t_j = j tEnd/T, j < T (T − 1 steps, ends at tEnd − tEnd/T); 'endpoint': T points from 0 to tEnd. */
  grid: GridKind;
  full: boolean;
}

export type ExactRow = GeneratedStats & { d: number; schedule: ScheduleName; seconds: number };

/**
 * Algorithm version of the exact-field runs (runExact, exactSweep, the grids): part of the cache keys of sweeps and
 * reproduce stages; bump it with any change that alters their numbers (docs/architecture.md, "Caches").
 */
export const EXACT_ALGORITHM_VERSION = 1;

export function buildGrid(interp: Interpolant, steps: number, kind: GridKind): Float64Array {
  return kind === 'paper' ? paperGrid(interp.tEnd, steps) : uniformGrid(0, interp.tEnd, steps);
}

/** The memory of one exact-field run (the mode vector and, with `full`, all coordinates of every sample). */
export function exactMemory(cfg: Pick<ExactRunConfig, 'd' | 'samples' | 'full'>): MemoryEstimate {
  const { d, samples } = cfg;
  if (cfg.full) return { bytes: 8 * d + 3 * 8 * samples * d, largest: samples * d, wasm: 0 };
  return { bytes: 8 * d + 16 * 8 * samples, largest: Math.max(d, samples), wasm: 0 };
}

/** One exact-field run; `keepProjections` also returns each sample's <x, mu>/d (for histograms). */
export function runExact(
  cfg: ExactRunConfig,
  opts: { keepProjections?: boolean } = {},
): ExactRow & { projections?: Float64Array } {
  const t0 = performance.now();
  const interp = makeInterpolant(cfg.schedule, { d: cfg.d, kappa: cfg.kappa });
  const mixture = new GaussianMixture({ d: cfg.d, p: cfg.p, sigma: cfg.sigma });
  const { samples, ...stats } = sampleExactFlow({
    interp,
    mixture,
    grid: buildGrid(interp, cfg.steps, cfg.grid),
    samples: cfg.samples,
    seed: cfg.seed,
    method: cfg.method,
    full: cfg.full,
  });
  const row: ExactRow & { projections?: Float64Array } = {
    d: cfg.d,
    schedule: cfg.schedule,
    ...stats,
    seconds: (performance.now() - t0) / 1000,
  };
  if (opts.keepProjections) {
    const scale = Math.sqrt(mixture.muNorm2) / cfg.d;
    row.projections = samples.y.map((y) => y * scale);
  }
  return row;
}

/** Every (d, schedule) pair, with the same seed per pair so the schedules see the same starting noise. */
export function exactSweep(
  base: Omit<ExactRunConfig, 'd' | 'schedule'>,
  ds: readonly number[],
  schedules: readonly ScheduleName[],
): ExactRow[] {
  const rows: ExactRow[] = [];
  for (const d of ds) for (const schedule of schedules) rows.push(runExact({ ...base, d, schedule }));
  return rows;
}
