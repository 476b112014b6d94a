/**
 * The cache and report halves of a real-data stage (uturn, retrain, scan), shared by all three so each stage is
 * computed, cached and reported apart:
 *
 *   compute   the stage module's `compute*` function: trains or reuses runs, evaluates, summarises; writes only its
 *             work files (runs, parts) and returns the result;
 *   cache     `<out>/<stage>/result.json` holds the result with the hash of the settings that produced it
 *             (`store.ts` `readCached` / `writeCached`, which add every algorithm version); a matching file is
 *             reused instead of computing;
 *   report    the stage's figures (`figures.ts`, pure functions of the result) and `index.html` (`writeStageReport`),
 *             written beside the result; they can be rebuilt from a stored result alone.
 */
import { join } from 'node:path';
import type { FigureFile } from '../report/figure.js';
import type { RealDataContext } from './context.js';
import { writeStageReport } from './figures.js';
import type { RetrainStageResult, ScanStageResult, UTurnStageResult } from './results.js';
import { readCached, writeCached } from './store.js';

export type RealDataStageName = 'uturn' | 'retrain' | 'scan';
type StageResult = UTurnStageResult | RetrainStageResult | ScanStageResult;

/** Folder of a stage under the context's output folder (undefined without one). */
export function stageDir(ctx: Pick<RealDataContext, 'out'>, name: RealDataStageName): string | undefined {
  return ctx.out ? join(ctx.out, name) : undefined;
}

/**
 * The stored result of a stage when it was made under settings `hash` by code of the same versions and `accept`
 * (a further check of the stored result, e.g. its window) agrees; null otherwise (or without an output folder, or
 * under `force`).
 */
export function reuseStage<R extends StageResult>(
  ctx: RealDataContext,
  name: RealDataStageName,
  hash: string,
  accept: (r: R) => boolean = () => true,
): (R & { configHash: string }) | null {
  const dir = stageDir(ctx, name);
  if (!dir) return null;
  const path = join(dir, 'result.json');
  const cached = readCached<R>(path, hash, { force: ctx.force });
  if (!cached || !accept(cached)) return null;
  ctx.reporter.log(`${name}: reusing ${path}`);
  return cached;
}

/**
 * Stores a computed result: its figure files are recorded in `result.figures`; with a folder the figures and
 * `index.html` are written and the result is cached under `hash` (and returned as stored); without one the result
 * comes back with the raw hash.
 */
export function storeStage<R extends StageResult>(
  dir: string | undefined,
  name: RealDataStageName,
  hash: string,
  result: R,
  figures: FigureFile[],
): R & { configHash: string } {
  result.figures = figures.map((f) => f.file);
  if (!dir) return { ...result, configHash: hash };
  writeStageReport(dir, name, result, figures);
  return writeCached(join(dir, 'result.json'), hash, result);
}
