/**
 * Model weights on disk: `<dir>/model.safetensors` (float32, PyTorch state-dict names), `<dir>/config.json` (the
 * model config; also embedded in the safetensors metadata under "config") and optionally `<dir>/ema.safetensors`
 * (EMA weights). Every file is written atomically.
 *
 * In PyTorch:
 *   from safetensors.torch import load_file; sd = load_file("dir/model.safetensors")   # dict name -> tensor
 *
 * Loading checks that the file holds exactly the module's parameter names, with the same shapes, in float32, and
 * fails with a message naming the first mismatches (or the truncation) otherwise.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../io/atomic.js';
import type { Backend } from '../kernels/backend.js';
import type { Module } from '../layers/module.js';
import { Classifier, classifierConfig, type ClassifierConfig } from '../models/classifier.js';
import { UNet, validateUNetConfig, type UNetConfig } from '../models/unet.js';
import { Rng } from '../../random/rng.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './safetensors.js';

export type ModelConfig = UNetConfig | ClassifierConfig;

/** Serialises the module's parameters (or `values`, an arena-sized array such as EMA weights). */
export function encodeWeights(
  module: Module,
  metadata: Record<string, string> = {},
  values?: ArrayLike<number>,
): Uint8Array {
  const be = module.be;
  const base = module.params.values;
  const tensors = module.namedParams().map(([name, p]) => ({
    name,
    shape: p.shape,
    data: values
      ? (Array.prototype.slice.call(values, p.ptr - base, p.ptr - base + p.size) as number[])
      : be.read(p.ptr, p.size),
  }));
  return encodeSafetensors(tensors, { format: 'pt', ...metadata });
}

/** Writes the module's weights to `path` atomically. */
export function saveWeights(
  path: string,
  module: Module,
  metadata: Record<string, string> = {},
  values?: ArrayLike<number>,
): void {
  writeFileAtomic(path, encodeWeights(module, metadata, values));
}

/** Checks a decoded file against the module and copies the values in; throws SafetensorsError on any mismatch. */
export function loadWeightsFromBytes(module: Module, bytes: Uint8Array, what = 'weights'): Record<string, string> {
  const file = decodeSafetensors(bytes, what);
  const params = module.namedParams();
  const want = new Set(params.map(([n]) => n));
  const missing = params.map(([n]) => n).filter((n) => !file.tensors.has(n));
  const unexpected = [...file.tensors.keys()].filter((n) => !want.has(n));
  const problems: string[] = [];
  if (missing.length)
    problems.push(
      `missing ${missing.length} tensor(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`,
    );
  if (unexpected.length) {
    problems.push(
      `unexpected ${unexpected.length} tensor(s): ${unexpected.slice(0, 5).join(', ')}${unexpected.length > 5 ? ', ...' : ''}`,
    );
  }
  for (const [name, p] of params) {
    const t = file.tensors.get(name);
    if (!t) continue;
    if (t.dtype !== 'F32') problems.push(`${name} has dtype ${t.dtype}, expected F32`);
    else if (t.shape.length !== p.shape.length || t.shape.some((d, i) => d !== p.shape[i])) {
      problems.push(`${name} has shape [${t.shape.join(',')}], the model expects [${p.shape.join(',')}]`);
    }
  }
  if (problems.length) throw new SafetensorsError(`${what} do not match the model: ${problems.slice(0, 8).join('; ')}`);
  for (const [name, p] of params) module.be.write(p.ptr, file.tensors.get(name)!.data);
  return file.metadata;
}

export function loadWeights(path: string, module: Module): Record<string, string> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new SafetensorsError(`cannot read ${path}: ${(e as Error).message}`);
  }
  return loadWeightsFromBytes(module, bytes, path);
}

/** A model with a config (U-Net or classifier). */
export interface ConfiguredModel extends Module {
  readonly config: ModelConfig;
}

/** Writes `<dir>/config.json`, `<dir>/model.safetensors` and, given EMA weights, `<dir>/ema.safetensors`. */
export function saveModel(
  dir: string,
  model: ConfiguredModel,
  opts: { ema?: ArrayLike<number>; metadata?: Record<string, string> } = {},
): void {
  const meta = { ...opts.metadata, config: JSON.stringify(model.config) };
  saveWeights(join(dir, 'model.safetensors'), model, meta);
  if (opts.ema) saveWeights(join(dir, 'ema.safetensors'), model, meta, opts.ema);
  writeJsonAtomic(join(dir, 'config.json'), model.config);
}

/** Validates a parsed config.json and builds the (unmaterialised) model it describes. */
export function buildModel(be: Backend, config: unknown): ConfiguredModel {
  const c = config as ModelConfig;
  if (c && c.model === 'unet') {
    validateUNetConfig(c);
    return new UNet(be, c);
  }
  if (c && c.model === 'classifier') return new Classifier(be, classifierConfig(c));
  throw new Error(
    `unknown model config (expected "model": "unet" or "classifier"): ${JSON.stringify(config)?.slice(0, 200)}`,
  );
}

/** Reads `<dir>/config.json`, builds the model and loads `<dir>/model.safetensors` (or ema.safetensors). */
export function loadModel(dir: string, be: Backend, opts: { ema?: boolean } = {}): ConfiguredModel {
  let config: unknown;
  const cpath = join(dir, 'config.json');
  try {
    config = JSON.parse(readFileSync(cpath, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read model config ${cpath}: ${(e as Error).message}`);
  }
  const model = buildModel(be, config);
  model.materialize(Rng.seeded(0));
  try {
    loadWeights(join(dir, opts.ema ? 'ema.safetensors' : 'model.safetensors'), model);
  } catch (e) {
    model.dispose();
    throw e;
  }
  return model;
}
