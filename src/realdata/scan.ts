/**
 * The interval scan: the paper's own phrasing of its method — "for a given feature, find the intervals of time where
 * training improves accuracy the most on that feature" — checked directly, independently of the U-Turn:
 *
 *   base        the uniform run of each scan seed at `baseSteps` (a partly trained model, full training state)
 *   arms        for each interval I_j = [e_j, e_{j+1}] of the edges, continue the base for `extraSteps` steps with
 *               training times uniform on I_j only; plus a control continuing with t ~ U(0, 1). Same steps, images,
 *               noise and learning-rate schedule for every arm (continuations of one run).
 *   measure     class error |pHat_A - p| before (base) and after each continuation, from the same number of images
 *               with the same generation noise per seed; change  delta_j = error_after - error_before  (< 0: the
 *               interval helped), mean over seeds with a Student-t 95 % interval; also the change of the FD.
 *
 * Comparison with the U-Turn window: which interval helps most, how much of it lies inside the window, and the
 * mean improvement of intervals inside vs outside the window. Reported as measured.
 */
import { join } from 'node:path';
import { meanCI, type MeanCI } from '../metrics/summary.js';
import { windowSampler } from '../sampler/piecewise.js';
import { ensureOracle, ensureRun, evaluateSnapshot, oracleSummary, type RealDataContext } from './context.js';
import { runKey, runSpec } from './denoiser.js';
import { scanFigures, writeStageReport } from './figures.js';
import { hashOf, readCached, writeCached } from './store.js';
import { uniformKeeps, type UTurnStageResult } from './uturnImages.js';

export interface ScanStageOptions {
  /** The U-Turn result whose window the scan is compared with (optional). */
  uturn?: UTurnStageResult;
}

export interface ScanEval {
  fractionA: number;
  classError: number;
  fd: number | null;
}

export interface ScanPart {
  seed: number;
  /** Interval index, or -1 for the uniform control. */
  interval: number;
  key: string;
  before: ScanEval;
  after: ScanEval;
  deltaError: number;
  deltaFd: number | null;
}

export interface ScanIntervalSummary {
  /** -1 = uniform control. */
  index: number;
  lo: number;
  hi: number;
  label: string;
  sampler: string;
  /** Mean change of the class error over seeds (negative = improvement), 95 % interval. */
  deltaError: MeanCI;
  /** -deltaError: how much the interval reduced the class error. */
  improvement: MeanCI;
  deltaFd: MeanCI;
  errorAfter: MeanCI;
  /** Fraction of the interval inside the U-Turn window (null without a U-Turn result). */
  insideWindow: number | null;
}

export interface ScanStageResult {
  stage: 'scan';
  edges: number[];
  baseSteps: number;
  extraSteps: number;
  seeds: number[];
  genSamples: number;
  targetFractionA: number;
  base: { seed: number; key: string; eval: ScanEval }[];
  intervals: ScanIntervalSummary[];
  control: ScanIntervalSummary;
  parts: ScanPart[];
  comparison: {
    window: [number, number] | null;
    bestInterval: string;
    bestImprovement: MeanCI;
    bestInsideWindow: number | null;
    meanImprovementInside: number | null;
    meanImprovementOutside: number | null;
    verdict: string;
  };
  oracle: ReturnType<typeof oracleSummary>;
  timing: { seconds: number; trainSeconds: number; evalSeconds: number };
  figures: string[];
}

function fmtEdge(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

function overlap(lo: number, hi: number, w: [number, number]): number {
  return Math.max(0, Math.min(hi, w[1]) - Math.max(lo, w[0])) / (hi - lo);
}

export function scanHash(ctx: RealDataContext): string {
  const c = ctx.config;
  return hashOf({ stage: 'scan', data: c.data, oracle: ctx.classifierDir ?? c.oracle, denoiser: c.denoiser, sampling: c.sampling, scan: c.scan, budgets: c.retrain.budgets });
}

/** Run (or reuse) the interval scan. */
export async function runScanStage(ctx: RealDataContext, o: ScanStageOptions = {}): Promise<ScanStageResult> {
  const c = ctx.config;
  const sc = c.scan;
  const hash = scanHash(ctx);
  const window: [number, number] | null = o.uturn ? [o.uturn.window.lo, o.uturn.window.hi] : null;
  const dir = ctx.out ? join(ctx.out, 'scan') : undefined;
  if (dir) {
    const cached = readCached<ScanStageResult>(join(dir, 'result.json'), hash, { force: ctx.force });
    if (cached && JSON.stringify(cached.comparison.window) === JSON.stringify(window)) {
      ctx.reporter.log(`scan: reusing ${join(dir, 'result.json')}`);
      return cached;
    }
  }
  const t0 = performance.now();
  await ensureOracle(ctx);
  // The base is the uniform run of the retraining stage (same spec), so the pipeline trains it once.
  const scheduleSteps = Math.max(...c.retrain.budgets, sc.baseSteps);
  const keeps = uniformKeeps(c).filter((s) => s <= scheduleSteps);
  const intervals = sc.edges.slice(0, -1).map((lo, j) => {
    const hi = sc.edges[j + 1];
    return { index: j, lo, hi, label: `[${fmtEdge(lo)}, ${fmtEdge(hi)}]`, sampler: windowSampler({ window: [lo, hi], massInside: 1 }).spec };
  });
  const control = { index: -1, lo: 0, hi: 1, label: 'uniform (control)', sampler: 'uniform' };
  const arms = [...intervals, control];
  const genSeed = (seed: number) => 9000 + seed;
  const parts: ScanPart[] = [];
  const base: ScanStageResult['base'] = [];
  let trainSeconds = 0, evalSeconds = 0;
  const toEval = (e: { fractionA: { value: number }; classError: number; fd: number | null }): ScanEval => ({ fractionA: e.fractionA.value, classError: e.classError, fd: e.fd });
  for (const seed of sc.seeds) {
    const baseSpec = runSpec({ data: ctx.dataKey, size: ctx.data.size, denoiser: c.denoiser, sampler: 'uniform', seed, scheduleSteps });
    const baseLabel = `uniform-s${seed}`;
    const baseKey = runKey(baseSpec, baseLabel);
    const basePath = dir ? join(dir, 'parts', `base-s${seed}.json`) : '';
    const baseHash = hashOf({ baseKey, step: sc.baseSteps, n: sc.genSamples, sampling: c.sampling, oracle: ctx.classifierDir ?? c.oracle });
    let before = dir ? readCached<{ eval: ScanEval }>(basePath, baseHash, { force: ctx.force })?.eval ?? null : null;
    const needBase = !before || arms.some((a) => !(dir && readCached(join(dir, 'parts', `s${seed}-i${a.index}.json`), hashOf({ baseHash, sampler: a.sampler, extra: sc.extraSteps }), { force: ctx.force })));
    if (needBase) {
      const tt = performance.now();
      await ensureRun(ctx, { label: baseLabel, sampler: 'uniform', seed, steps: sc.baseSteps, scheduleSteps, snapshots: keeps.filter((k) => k <= sc.baseSteps), fullStates: keeps.filter((k) => k <= sc.baseSteps) });
      trainSeconds += (performance.now() - tt) / 1000;
    }
    if (!before) {
      const ev = await evaluateSnapshot(ctx, { key: baseKey, spec: baseSpec, step: sc.baseSteps, n: sc.genSamples, seed: genSeed(seed), label: `${baseLabel} (scan base)` });
      evalSeconds += ev.seconds;
      before = toEval(ev);
      if (dir) writeCached(basePath, baseHash, { eval: before });
    }
    base.push({ seed, key: baseKey, eval: before });
    for (const a of arms) {
      const path = dir ? join(dir, 'parts', `s${seed}-i${a.index}.json`) : '';
      const phash = hashOf({ baseHash, sampler: a.sampler, extra: sc.extraSteps });
      const cached = dir ? readCached<ScanPart>(path, phash, { force: ctx.force }) : null;
      if (cached) {
        parts.push(cached);
        continue;
      }
      const label = `scan-s${seed}-${a.index < 0 ? 'control' : `i${a.index}`}`;
      const spec = runSpec({ data: ctx.dataKey, size: ctx.data.size, denoiser: c.denoiser, sampler: a.sampler, seed, scheduleSteps, init: { key: baseKey, step: sc.baseSteps } });
      const end = sc.baseSteps + sc.extraSteps;
      const tt = performance.now();
      const run = await ensureRun(ctx, { label, sampler: a.sampler, seed, steps: end, scheduleSteps, snapshots: [end], init: { key: baseKey, step: sc.baseSteps } });
      trainSeconds += (performance.now() - tt) / 1000;
      const ev = await evaluateSnapshot(ctx, { key: run.key, spec, step: end, n: sc.genSamples, seed: genSeed(seed), label });
      evalSeconds += ev.seconds;
      const after = toEval(ev);
      const part: ScanPart = {
        seed, interval: a.index, key: runKey(spec, label), before, after, deltaError: after.classError - before.classError,
        deltaFd: after.fd !== null && before.fd !== null ? after.fd - before.fd : null,
      };
      parts.push(dir ? writeCached(path, phash, part) : part);
      ctx.reporter.log(`scan s${seed} ${a.label}: class error ${before.classError.toFixed(3)} -> ${after.classError.toFixed(3)}`);
    }
  }
  const summarise = (a: (typeof arms)[number]): ScanIntervalSummary => {
    const ps = parts.filter((p) => p.interval === a.index);
    const d = meanCI(ps.map((p) => p.deltaError));
    return {
      index: a.index, lo: a.lo, hi: a.hi, label: a.label, sampler: a.sampler,
      deltaError: d,
      improvement: { ...d, mean: -d.mean, low: -d.high, high: -d.low },
      deltaFd: meanCI(ps.map((p) => p.deltaFd ?? NaN)),
      errorAfter: meanCI(ps.map((p) => p.after.classError)),
      insideWindow: window && a.index >= 0 ? overlap(a.lo, a.hi, window) : null,
    };
  };
  const sums = intervals.map(summarise);
  const ctrl = summarise(control);
  const best = sums.reduce((b, s) => (s.improvement.mean > b.improvement.mean ? s : b), sums[0]);
  let inside: number | null = null, outside: number | null = null;
  if (window) {
    const wIn = sums.reduce((s, x) => s + x.insideWindow!, 0), wOut = sums.reduce((s, x) => s + (1 - x.insideWindow!), 0);
    inside = wIn > 0 ? sums.reduce((s, x) => s + x.insideWindow! * x.improvement.mean, 0) / wIn : null;
    outside = wOut > 0 ? sums.reduce((s, x) => s + (1 - x.insideWindow!) * x.improvement.mean, 0) / wOut : null;
  }
  const sig = Number.isFinite(best.improvement.low) && best.improvement.low > 0;
  const verdict = [
    `largest mean improvement of the class error: ${best.label} (${best.improvement.mean.toFixed(3)}, 95 % interval [${best.improvement.low.toFixed(3)}, ${best.improvement.high.toFixed(3)}]${sig ? ', excludes 0' : ', contains 0'})`,
    window
      ? `${Math.round(100 * best.insideWindow!)} % of it lies inside the U-Turn window [${window[0].toFixed(3)}, ${window[1].toFixed(3)}]; mean improvement inside the window ${inside?.toFixed(3) ?? '-'} vs outside ${outside?.toFixed(3) ?? '-'}`
      : 'no U-Turn window to compare with',
    `uniform control: ${ctrl.improvement.mean.toFixed(3)}`,
  ].join('; ');
  const result: ScanStageResult = {
    stage: 'scan',
    edges: sc.edges,
    baseSteps: sc.baseSteps,
    extraSteps: sc.extraSteps,
    seeds: sc.seeds,
    genSamples: sc.genSamples,
    targetFractionA: ctx.data.trainFractionA,
    base,
    intervals: sums,
    control: ctrl,
    parts,
    comparison: { window, bestInterval: best.label, bestImprovement: best.improvement, bestInsideWindow: best.insideWindow, meanImprovementInside: inside, meanImprovementOutside: outside, verdict },
    oracle: oracleSummary(ctx),
    timing: { seconds: (performance.now() - t0) / 1000, trainSeconds, evalSeconds },
    figures: [],
  };
  const figs = scanFigures(result, o.uturn);
  result.figures = figs.map((f) => f.file);
  if (dir) {
    writeStageReport(dir, 'scan', result, figs);
    return writeCached(join(dir, 'result.json'), hash, result);
  }
  return { ...result, configHash: hash } as ScanStageResult;
}
