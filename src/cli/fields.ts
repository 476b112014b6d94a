/**
 * Library fields → CLI flags: a `FieldError` (src/io/errors.ts) or a `DataError` with a field names a setting in the
 * library's terms; the CLI reports it under the flag that sets it. A field without an entry is shown as is.
 */
import { UsageError } from './args.js';
import { FieldError } from '../io/errors.js';

export const FIELD_FLAGS: Readonly<Record<string, string>> = {
  scale: 'scale',
  'data.dir': 'data',
  'data.classes': 'classes',
  'data.fraction': 'fraction',
  'data.heldOut': 'held-out',
  'data.resolution': 'resolution',
  'data.maxTrain': 'max-train',
  'data.seed': 'data-seed',
  'oracle.steps': 'oracle-steps',
  'denoiser.batch': 'batch',
  'denoiser.steps': 'train-steps',
  'denoiser.lr': 'lr',
  'denoiser.emaDecay': 'ema',
  'sampling.stepsPerUnit': 'sample-steps',
  'sampling.eta': 'sample-eta',
  'uturn.method': 'uturn-method',
  'uturn.turnTimes': 'turn-times',
  'uturn.startsPerClass': 'starts',
  'uturn.window': 'window-rule',
  'retrain.budgets': 'budgets',
  'retrain.seeds': 'retrain-seeds',
  'retrain.massInside': 'mass-inside',
  'retrain.genSamples': 'gen-samples',
  'retrain.curveSteps': 'curve-steps',
  'scan.edges': 'intervals',
  'scan.baseSteps': 'base-steps',
  'scan.extraSteps': 'extra-steps',
  'scan.seeds': 'scan-seeds',
  'scan.lr': 'scan-lr',
  'scan.warmup': 'scan-warmup',
  T: 'grid-points',
  genSamples: 'gen-samples',
};

/** The flag that sets a library field. */
export function flagOf(field: string): string {
  return FIELD_FLAGS[field] ?? field;
}

/** A FieldError as the CLI shows it: a UsageError naming the flag (exit status 2). Anything else unchanged. */
export function usageFromField(e: unknown): unknown {
  if (e instanceof FieldError) return new UsageError(`--${flagOf(e.field)}: ${e.reason}`);
  return e;
}
