/**
 * The flag vocabulary of `phaseflow`: one definition (name, type, bounds, help, default) per concept, shared by every
 * command that takes it, and the table of renamed flags. Commands spread these specs into their flag records; a
 * command may add a default or a more specific help line, never other bounds.
 *
 * Names, one per concept:
 *   --grid-points  the number T of grid times of a time grid (exact, gmm, sweep); was --steps there
 *   --train-steps  optimiser steps of a model trained from scratch (real-data commands); was --steps there
 *   --gen-samples  generated samples per measurement (every command that generates); exact had --samples
 *   --gen-method   the integrator of the generator (exact, gmm); exact had --method
 *   --retrain-seeds / --scan-seeds  the seeds of the retraining comparison / of the interval scan; --seeds meant
 *                  one or the other depending on the command (sweep keeps --seeds: one cell per seed)
 *   --theory-selection  the phase-1 minimiser (theory, gmm); theory had --selection
 *   --curve-points the time points per phase of the theory curves; theory had --grid (exact's --grid is the layout)
 * Every seed is an integer in [0, 2^32 − 1] and every seed list refuses repeated seeds.
 */
import { defineFlags } from './args.js';
import { PHASE1_SELECTIONS } from '../theory/phase1.js';

/** The largest seed any command accepts (derived streams add offsets to seeds, so 2^32 − 1 keeps them exact). */
export const MAX_SEED = 4294967295;

/** A renamed flag: the old name is accepted (with a warning) by these commands until the next release. */
export interface Rename {
  old: string;
  now: string;
  commands: readonly string[];
  why: string;
}

/** Every rename of this release (README "Renamed flags"; the commands' `aliases` follow from it). */
export const RENAMES: readonly Rename[] = [
  {
    old: 'steps',
    now: 'grid-points',
    commands: ['exact', 'gmm', 'sweep'],
    why: '--steps meant grid points here and optimiser steps in the real-data commands',
  },
  {
    old: 'steps',
    now: 'train-steps',
    commands: ['denoise', 'uturn', 'retrain', 'scan', 'mnist'],
    why: 'see --grid-points',
  },
  {
    old: 'samples',
    now: 'gen-samples',
    commands: ['exact'],
    why: 'the same concept is --gen-samples in gmm, sweep and the real-data commands',
  },
  { old: 'method', now: 'gen-method', commands: ['exact'], why: 'the same concept is --gen-method in gmm' },
  {
    old: 'seeds',
    now: 'retrain-seeds',
    commands: ['retrain', 'mnist'],
    why: '--seeds meant the retraining seeds here and the scan seeds in scan',
  },
  { old: 'seeds', now: 'scan-seeds', commands: ['scan'], why: 'mnist already called them --scan-seeds' },
  {
    old: 'selection',
    now: 'theory-selection',
    commands: ['theory'],
    why: 'gmm calls the same choice --theory-selection',
  },
  {
    old: 'grid',
    now: 'curve-points',
    commands: ['theory'],
    why: '--grid is the grid layout (paper|endpoint) in exact',
  },
];

/** The deprecated names a command accepts: old → new. */
export function aliasesFor(command: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of RENAMES) if (r.commands.includes(command)) out[r.old] = r.now;
  return out;
}

/** Shared definitions. */
export const FLAGS = defineFlags({
  seed: { type: 'int', min: 0, max: MAX_SEED, default: 0, help: 'random seed' },
  threads: { type: 'int', min: 1, max: 256, defaultText: 'all cores', help: 'worker threads' },
  // gmm's --backend has these two and `reference` (its plain float64 trainer).
  backend: {
    type: 'enum',
    choices: ['wasm', 'webgpu'],
    default: 'wasm',
    help: 'wasm: SIMD kernels on worker threads; webgpu: WGSL on a GPU (docs/gpu.md)',
  },
  json: { type: 'bool', help: 'print the result as one JSON object on stdout' },
  quiet: { type: 'bool', help: 'no progress output' },
  out: { type: 'path', metavar: 'DIR', path: { mode: 'output', lock: true }, help: 'output folder' },
  'grid-points': { type: 'int', min: 2, help: "number T of grid times t_j = j tEnd/T (the paper's num_steps)" },
  'train-steps': { type: 'int', min: 1, help: 'optimiser steps of a model trained from scratch' },
  'gen-samples': { type: 'int', min: 1, help: 'generated samples per measurement' },
  d: { type: 'int', min: 1, help: 'dimension' },
  p: { type: 'number', gt: 0, lt: 1, help: 'weight of the +mu mode' },
  sigma: { type: 'number', gt: 0, help: 'per-coordinate standard deviation of each mode' },
  kappa: { type: 'number', gt: 0, help: 'dilation constant of the dilated schedule (needs kappa < sqrt(d))' },
  'theory-selection': {
    type: 'enum',
    choices: PHASE1_SELECTIONS,
    help: "phase-1 minimiser: global (the minimum of the objective) or notebook (the authors' local descent, their figure)",
  },
} as const);

/** A list of seeds: integers in [0, MAX_SEED], no repeats. */
export function seedList(help: string) {
  return { type: 'ints', min: 0, max: MAX_SEED, distinct: true, metavar: 'INT,INT,...', help } as const;
}
