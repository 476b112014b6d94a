/**
 * The interval scan: the paper's own phrasing of its method — "for a given feature, find the intervals of time where
 * training improves accuracy the most on that feature" — checked directly, independently of the U-Turn:
 *
 *   base        the uniform run of each scan seed at `baseSteps` (full training state). By default the end of the
 *               uniform runs (2000 steps at the quick scale, the U-Turn model for seed 0): a model that passes the
 *               quality gate, so that a change of its class fraction is a change of a model that draws digits.
 *   arms        for each interval I_j = [e_j, e_{j+1}] of the edges, continue the base for `extraSteps` steps with
 *               training times uniform on I_j only; plus a control continuing with t ~ U(0, 1). Same steps, images,
 *               noise and learning-rate schedule for every arm (continuations of one run). The base's schedule has
 *               ended (its cosine reaches 0 at the base), so every continuation has its own: lr(k) = lr·k/warmup for
 *               the k-th extra step below `warmup`, then lr·(1 + cos(π (k − warmup)/(extraSteps − warmup)))/2
 *               (`scan.lr`, `scan.warmup`; docs/method.md §6.4). Adam moments and EMA continue from the base.
 *   measure     class error |pHat_A - p| before (base) and after each continuation, from the same number of images
 *               with the same generation noise per seed; change  delta_j = error_after - error_before  (< 0: the
 *               interval helped), mean over seeds with a Student-t 95 % interval; also the change of the FD.
 *
 * Comparison with the U-Turn window: which interval helps most (the abstract's question, answered with its interval),
 * how much of it lies inside the window, and the best interval inside against the best outside (paired over seeds),
 * gated on the base and those two continuations (each arm's own gate is reported). Reported as measured. Computed
 * (`computeScan`), cached (`<out>/scan/result.json`, each cell in `<out>/scan/parts/`) and reported (`figures.ts`)
 * apart.
 */
import { join } from 'node:path';
import { meanCI } from '../metrics/summary.js';
import { writeJsonAtomic } from '../io/atomic.js';
import { mergeIndexedShards, shardCells, type Shard } from '../sweep/shard.js';
import { CONFIDENT_GATE, judgeScan, scanGate } from './verdicts.js';
import { windowSampler } from '../sampler/piecewise.js';
import { ensureOracle, ensureRun, evaluateSnapshot, oracleSummary, type RealDataContext } from './context.js';
import { runKey, runSpec } from './denoiser.js';
import { scanFigures } from './figures.js';
import { hashOf, readCached, writeCached } from './store.js';
import { reuseStage, stageDir, storeStage } from './stageCache.js';
import { uniformFullStates, uniformKeeps } from './uturnImages.js';
import { streamSeed } from '../random/streams.js';
import type {
  ScanEval,
  ScanIntervalSummary,
  ScanPart,
  ScanSchedule,
  ScanStageOptions,
  ScanStageResult,
  UTurnStageResult,
} from './results.js';

export type { ScanEval, ScanIntervalSummary, ScanPart, ScanStageOptions, ScanStageResult } from './results.js';

function fmtEdge(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

function overlap(lo: number, hi: number, w: [number, number]): number {
  return Math.max(0, Math.min(hi, w[1]) - Math.max(lo, w[0])) / (hi - lo);
}

export function scanHash(ctx: RealDataContext): string {
  const c = ctx.config;
  return hashOf({
    stage: 'scan',
    data: c.data,
    oracle: ctx.classifierDir ?? c.oracle,
    denoiser: c.denoiser,
    sampling: c.sampling,
    scan: c.scan,
    budgets: c.retrain.budgets,
    summary: SCAN_SUMMARY_VERSION,
  });
}

/** Version of the scan's summary (2: confident fractions, gate, verdict; 3: answer, schedule; 4: compared arms' gate). */
const SCAN_SUMMARY_VERSION = 4;
/** Version of an evaluation in a part (2: the confidently classified fraction; 3: continuations' own schedule). */
const SCAN_PART_VERSION = 3;

/** The continuations' schedule of a config (`ScanSchedule`). */
export function scanSchedule(sc: RealDataContext['config']['scan']): ScanSchedule {
  return { lr: sc.lr, warmup: sc.warmup, steps: sc.extraSteps, kind: 'cosine' };
}

/** A scan cell: one seed and one interval (index -1: the uniform control), in the order `--shard i/k` splits. */
export interface ScanCell {
  index: number;
  seed: number;
  interval: number;
}

export function scanCells(seeds: readonly number[], intervals: number): ScanCell[] {
  const arms = [...Array(intervals).keys(), -1];
  return seeds.flatMap((seed, i) => arms.map((interval, j) => ({ index: i * arms.length + j, seed, interval })));
}

/** The window a scan is compared with: the U-Turn result's, or none. */
function windowOf(uturn: UTurnStageResult | undefined): [number, number] | null {
  return uturn ? [uturn.window.lo, uturn.window.hi] : null;
}

/** Run (or reuse) the interval scan: compute, cache and report. */
export async function runScanStage(ctx: RealDataContext, o: ScanStageOptions = {}): Promise<ScanStageResult> {
  const hash = scanHash(ctx);
  const window = windowOf(o.uturn);
  const cached = reuseStage<ScanStageResult>(
    ctx,
    'scan',
    hash,
    (r) => JSON.stringify(r.comparison.window) === JSON.stringify(window),
  );
  if (cached) return cached;
  const r = await computeScan(ctx, o);
  return storeStage(stageDir(ctx, 'scan'), 'scan', hash, r, scanFigures(r, o.uturn));
}

/** The scan's result (trains or reuses bases, continuations and parts; no stage cache, no report). */
export async function computeScan(ctx: RealDataContext, o: ScanStageOptions = {}): Promise<ScanStageResult> {
  const sc = ctx.config.scan;
  const t0 = performance.now();
  const run = await scanParts(ctx, stageDir(ctx, 'scan'), windowOf(o.uturn), scanCells(sc.seeds, sc.edges.length - 1));
  return summariseScan(run.header, run.base, run.parts, {
    seconds: (performance.now() - t0) / 1000,
    trainSeconds: run.trainSeconds,
    evalSeconds: run.evalSeconds,
  });
}

type ScanHeader = Pick<
  ScanStageResult,
  'stage' | 'edges' | 'baseSteps' | 'extraSteps' | 'schedule' | 'seeds' | 'genSamples' | 'targetFractionA' | 'oracle'
> & { window: [number, number] | null };

function scanArms(edges: number[]) {
  const intervals = edges.slice(0, -1).map((lo, j) => {
    const hi = edges[j + 1];
    return {
      index: j,
      lo,
      hi,
      label: `[${fmtEdge(lo)}, ${fmtEdge(hi)}]`,
      sampler: windowSampler({ window: [lo, hi], massInside: 1 }).spec,
    };
  });
  const control = { index: -1, lo: 0, hi: 1, label: 'uniform (control)', sampler: 'uniform' };
  return { intervals, control };
}

/** The parts of the given cells (trained, resumed or reused from `dir/parts`) and the base evaluations they need. */
async function scanParts(
  ctx: RealDataContext,
  dir: string | undefined,
  window: [number, number] | null,
  cells: ScanCell[],
) {
  const c = ctx.config;
  const sc = c.scan;
  await ensureOracle(ctx);
  // The base is the uniform run of the retraining stage (same spec), so the pipeline trains it once.
  const scheduleSteps = Math.max(...c.retrain.budgets, sc.baseSteps);
  const keeps = uniformKeeps(c).filter((s) => s <= sc.baseSteps);
  const fullStates = uniformFullStates(c).filter((s) => s <= sc.baseSteps);
  const schedule = scanSchedule(sc);
  const { intervals, control } = scanArms(sc.edges);
  const allArms = [...intervals, control];
  const genSeed = (seed: number) => streamSeed(seed, 'scanEvaluation');
  const parts: ScanPart[] = [];
  const base: ScanStageResult['base'] = [];
  let trainSeconds = 0,
    evalSeconds = 0;
  const toEval = (e: {
    fractionA: { value: number };
    classError: number;
    confident: { value: number };
    typical: { value: number } | null;
    fd: number | null;
  }): ScanEval => ({
    fractionA: e.fractionA.value,
    classError: e.classError,
    confident: e.confident.value,
    typical: e.typical?.value ?? null,
    fd: e.fd,
  });
  for (const seed of sc.seeds) {
    const arms = allArms.filter((a) => cells.some((cell) => cell.seed === seed && cell.interval === a.index));
    if (!arms.length) continue;
    const baseSpec = runSpec({
      data: ctx.dataKey,
      size: ctx.data.size,
      denoiser: c.denoiser,
      sampler: 'uniform',
      seed,
      scheduleSteps,
    });
    const baseLabel = `uniform-s${seed}`;
    const baseKey = runKey(baseSpec, baseLabel);
    const basePath = dir ? join(dir, 'parts', `base-s${seed}.json`) : '';
    const baseHash = hashOf({
      baseKey,
      step: sc.baseSteps,
      n: sc.genSamples,
      sampling: c.sampling,
      oracle: ctx.classifierDir ?? c.oracle,
      v: SCAN_PART_VERSION,
    });
    let before = dir ? (readCached<{ eval: ScanEval }>(basePath, baseHash, { force: ctx.force })?.eval ?? null) : null;
    const needBase =
      !before ||
      arms.some(
        (a) =>
          !(
            dir &&
            readCached(
              join(dir, 'parts', `s${seed}-i${a.index}.json`),
              hashOf({ baseHash, sampler: a.sampler, extra: sc.extraSteps, schedule }),
              { force: ctx.force },
            )
          ),
      );
    if (needBase) {
      const tt = performance.now();
      await ensureRun(ctx, {
        label: baseLabel,
        sampler: 'uniform',
        seed,
        steps: sc.baseSteps,
        scheduleSteps,
        snapshots: keeps,
        fullStates,
      });
      trainSeconds += (performance.now() - tt) / 1000;
    }
    if (!before) {
      const ev = await evaluateSnapshot(ctx, {
        key: baseKey,
        spec: baseSpec,
        step: sc.baseSteps,
        n: sc.genSamples,
        seed: genSeed(seed),
        label: `${baseLabel} (scan base)`,
      });
      evalSeconds += ev.seconds;
      before = toEval(ev);
      if (dir) writeCached(basePath, baseHash, { eval: before });
    }
    base.push({ seed, key: baseKey, eval: before });
    for (const a of arms) {
      const path = dir ? join(dir, 'parts', `s${seed}-i${a.index}.json`) : '';
      const phash = hashOf({ baseHash, sampler: a.sampler, extra: sc.extraSteps, schedule });
      const cached = dir ? readCached<ScanPart>(path, phash, { force: ctx.force }) : null;
      if (cached) {
        parts.push(cached);
        continue;
      }
      const label = `scan-s${seed}-${a.index < 0 ? 'control' : `i${a.index}`}`;
      const spec = runSpec({
        data: ctx.dataKey,
        size: ctx.data.size,
        denoiser: c.denoiser,
        sampler: a.sampler,
        seed,
        init: { key: baseKey, step: sc.baseSteps },
        ownSchedule: schedule,
      });
      const end = sc.baseSteps + sc.extraSteps;
      const tt = performance.now();
      const run = await ensureRun(ctx, {
        label,
        sampler: a.sampler,
        seed,
        steps: end,
        snapshots: [end],
        init: { key: baseKey, step: sc.baseSteps },
        ownSchedule: schedule,
      });
      trainSeconds += (performance.now() - tt) / 1000;
      const ev = await evaluateSnapshot(ctx, {
        key: run.key,
        spec,
        step: end,
        n: sc.genSamples,
        seed: genSeed(seed),
        label,
      });
      evalSeconds += ev.seconds;
      const after = toEval(ev);
      const part: ScanPart = {
        seed,
        interval: a.index,
        key: runKey(spec, label),
        before,
        after,
        deltaError: after.classError - before.classError,
        deltaFd: after.fd !== null && before.fd !== null ? after.fd - before.fd : null,
      };
      parts.push(dir ? writeCached(path, phash, part) : part);
      ctx.reporter.log(
        `scan s${seed} ${a.label}: class error ${before.classError.toFixed(3)} -> ${after.classError.toFixed(3)}`,
      );
    }
  }
  const header: ScanHeader = {
    stage: 'scan',
    edges: sc.edges,
    baseSteps: sc.baseSteps,
    extraSteps: sc.extraSteps,
    schedule,
    seeds: sc.seeds,
    genSamples: sc.genSamples,
    targetFractionA: ctx.data.trainFractionA,
    oracle: oracleSummary(ctx),
    window,
  };
  return { header, base, parts, trainSeconds, evalSeconds };
}

/** The result from a complete set of parts (pure): summaries, the answer, the comparison with the window, verdict. */
export function summariseScan(
  header: ScanHeader,
  baseIn: ScanStageResult['base'],
  partsIn: ScanPart[],
  timing: ScanStageResult['timing'],
): ScanStageResult {
  const { window, ...h } = header;
  const { intervals, control } = scanArms(h.edges);
  const nArms = intervals.length + 1;
  const armPos = (i: number) => (i < 0 ? nArms - 1 : i);
  const parts = [...partsIn].sort(
    (a, b) =>
      h.seeds.indexOf(a.seed) * nArms + armPos(a.interval) - (h.seeds.indexOf(b.seed) * nArms + armPos(b.interval)),
  );
  const base = h.seeds.map((s) => baseIn.find((b) => b.seed === s)!);
  const summarise = (a: (typeof intervals)[number]): ScanIntervalSummary => {
    const ps = parts.filter((p) => p.interval === a.index);
    const d = meanCI(ps.map((p) => p.deltaError));
    const confident = meanCI(ps.map((p) => p.after.confident));
    const typical = meanCI(ps.map((p) => p.after.typical ?? NaN));
    return {
      index: a.index,
      lo: a.lo,
      hi: a.hi,
      label: a.label,
      sampler: a.sampler,
      deltaError: d,
      improvement: { ...d, mean: -d.mean, low: -d.high, high: -d.low },
      deltaFd: meanCI(ps.map((p) => p.deltaFd ?? NaN)),
      errorAfter: meanCI(ps.map((p) => p.after.classError)),
      confident,
      typical,
      passes: confident.mean >= CONFIDENT_GATE && typical.mean >= CONFIDENT_GATE,
      insideWindow: window && a.index >= 0 ? overlap(a.lo, a.hi, window) : null,
    };
  };
  const sums = intervals.map(summarise);
  const ctrl = summarise(control);
  const best = sums.reduce((b, s) => (s.improvement.mean > b.improvement.mean ? s : b), sums[0]);
  let inside: number | null = null,
    outside: number | null = null;
  if (window) {
    const wIn = sums.reduce((s, x) => s + x.insideWindow!, 0),
      wOut = sums.reduce((s, x) => s + (1 - x.insideWindow!), 0);
    inside = wIn > 0 ? sums.reduce((s, x) => s + x.insideWindow! * x.improvement.mean, 0) / wIn : null;
    outside = wOut > 0 ? sums.reduce((s, x) => s + (1 - x.insideWindow!) * x.improvement.mean, 0) / wOut : null;
  }
  // The gate of the base with some continuations; every arm's own gate is in its summary (`passes`).
  const baseQ = {
    confident: meanCI(base.map((b) => b.eval.confident)),
    typical: meanCI(base.map((b) => b.eval.typical ?? NaN)),
  };
  const gateOf = (xs: readonly ScanIntervalSummary[]) =>
    scanGate(
      baseQ,
      xs.map((x) => ({ label: x.label, confident: x.confident, typical: x.typical })),
    );
  // Improvement per interval and seed (paired: same base, same generation noise).
  const imp = sums.map((x) =>
    h.seeds.map((sd) => -(parts.find((p) => p.seed === sd && p.interval === x.index)?.deltaError ?? NaN)),
  );
  const js = window
    ? judgeScan(
        imp,
        sums.map((x) => x.insideWindow!),
        sums.map((x) => x.label),
        (bi, bo) => gateOf([sums[bi], sums[bo]]),
      )
    : null;
  // The verdict's gate: the base and the two compared continuations (without a comparison, the best interval's).
  const gate = js ? js.gate : gateOf([best]);
  const allArms = gateOf([...sums, ctrl]);
  const sig = Number.isFinite(best.improvement.low) && best.improvement.low > 0;
  const answer = scanAnswer(best, sums, h.seeds.length, h.extraSteps, window, gateOf([best]));
  const statement = [
    `${js ? js.judgement.verdict : 'n/a'}: ${js ? js.judgement.reason : !window ? 'no U-Turn window to compare with' : window[1] <= window[0] ? 'the U-Turn window has zero width (no interval overlaps it)' : 'no interval on one side of the window'}`,
    `largest mean improvement of the class error: ${best.label} (${best.improvement.mean.toFixed(3)}, 95 % interval [${best.improvement.low.toFixed(3)}, ${best.improvement.high.toFixed(3)}]${sig ? ', excludes 0' : ', contains 0'})`,
    ...(window
      ? [
          `${Math.round(100 * best.insideWindow!)} % of it lies inside the U-Turn window [${window[0].toFixed(3)}, ${window[1].toFixed(3)}]; mean improvement inside the window ${inside?.toFixed(3) ?? '-'} vs outside ${outside?.toFixed(3) ?? '-'}`,
        ]
      : []),
    ...(js
      ? [
          `best interval in the window ${js.insideBest} − best outside ${js.outsideBest}: ${js.difference.mean.toFixed(3)} [${js.difference.low.toFixed(3)}, ${js.difference.high.toFixed(3)}] over ${js.difference.n} seeds`,
        ]
      : []),
    `uniform control: ${ctrl.improvement.mean.toFixed(3)}`,
  ].join('; ');
  return {
    ...h,
    base,
    intervals: sums,
    control: ctrl,
    parts,
    comparison: {
      window,
      bestInterval: best.label,
      bestImprovement: best.improvement,
      bestInsideWindow: best.insideWindow,
      meanImprovementInside: inside,
      meanImprovementOutside: outside,
      gate,
      allArms,
      windowVsOutside: js ? { inside: js.insideBest, outside: js.outsideBest, difference: js.difference } : null,
      judgement: js?.judgement ?? null,
      verdict: js?.judgement.verdict ?? 'n/a',
      answer,
      statement,
    },
    timing,
    figures: [],
  };
}

/**
 * The abstract's question — "which interval of time improves the feature most?" — answered in one sentence: the
 * interval with the largest mean improvement of the class error, its 95 % interval over seeds and whether that
 * excludes 0, how far the runner-up is, where it lies against the U-Turn window, and the gate when it failed.
 */
export function scanAnswer(
  best: ScanIntervalSummary,
  all: readonly ScanIntervalSummary[],
  seeds: number,
  extraSteps: number,
  window: [number, number] | null,
  gate: ScanStageResult['comparison']['gate'],
): string {
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');
  const m = best.improvement;
  const second = all
    .filter((x) => x !== best)
    .reduce<ScanIntervalSummary | null>((b, x) => (!b || x.improvement.mean > b.improvement.mean ? x : b), null);
  const excludes = Number.isFinite(m.low) && m.low > 0;
  return [
    `Which interval improves the class fraction most: ${best.label}, lowering the class error by ${f(m.mean)} in ${extraSteps} steps (95 % interval [${f(m.low)}, ${f(m.high)}] over ${seeds} seeds, ${excludes ? 'excludes 0' : 'contains 0: not distinguishable from no change'})`,
    ...(second ? [`next ${second.label} (${f(second.improvement.mean)})`] : []),
    ...(window && best.insideWindow !== null
      ? [`${Math.round(100 * best.insideWindow)} % of it inside the U-Turn window [${f(window[0])}, ${f(window[1])}]`]
      : []),
    ...(gate.passed ? [] : [`not comparable: ${gate.reason}`]),
  ].join('; ');
}

/** A shard of the interval scan (`phaseflow scan --shard i/k`), merged by `mergeScanShards`. */
export interface ScanShardFile {
  format: 'phaseflow.scan-shard';
  version: 1;
  /** The scan's settings hash with the window: shards of one study agree on it. */
  configHash: string;
  shard: Shard | null;
  header: ScanHeader;
  base: ScanStageResult['base'];
  cells: Array<ScanCell & { part: ScanPart }>;
  timing: ScanStageResult['timing'];
}

export const SCAN_SHARD_FORMAT = 'phaseflow.scan-shard';

/**
 * Runs shard `shard` of the scan: the cells (seed x interval, control included) whose index is congruent to i − 1
 * modulo k; each shard trains (or reuses from its folder) the base run of every seed it touches. Writes
 * `<out>/scan/shard-i-of-k.json`.
 */
export async function runScanShard(ctx: RealDataContext, o: ScanStageOptions, shard: Shard): Promise<ScanShardFile> {
  const sc = ctx.config.scan;
  const window = windowOf(o.uturn);
  const dir = stageDir(ctx, 'scan');
  const t0 = performance.now();
  const mine = shardCells(scanCells(sc.seeds, sc.edges.length - 1), shard);
  const run = await scanParts(ctx, dir, window, mine);
  const file: ScanShardFile = {
    format: SCAN_SHARD_FORMAT,
    version: 1,
    configHash: hashOf({ scan: scanHash(ctx), window }),
    shard,
    header: run.header,
    base: run.base,
    cells: mine.map((cell) => ({
      ...cell,
      part: run.parts.find((p) => p.seed === cell.seed && p.interval === cell.interval)!,
    })),
    timing: { seconds: (performance.now() - t0) / 1000, trainSeconds: run.trainSeconds, evalSeconds: run.evalSeconds },
  };
  if (dir) writeJsonAtomic(join(dir, `shard-${shard.index}-of-${shard.count}.json`), file);
  return file;
}

/** Merges scan shard files (refusing other formats, other studies, duplicates and gaps) into the scan's result. */
export function mergeScanShards(
  files: Array<{ name: string; data: ScanShardFile }>,
  out?: string,
  uturn?: UTurnStageResult,
): ScanStageResult {
  const { first, cells } = mergeIndexedShards<ScanShardFile['cells'][number], ScanShardFile>(files, {
    format: SCAN_SHARD_FORMAT,
    what: 'scan',
    expected: (f) => scanCells(f.header.seeds, f.header.edges.length - 1),
  });
  const base = first.header.seeds.map((s) => files.map((f) => f.data.base.find((b) => b.seed === s)).find((b) => b)!);
  const sum = (k: 'seconds' | 'trainSeconds' | 'evalSeconds') => files.reduce((s, f) => s + f.data.timing[k], 0);
  const r = summariseScan(
    first.header,
    base,
    cells.map((c) => c.part),
    { seconds: sum('seconds'), trainSeconds: sum('trainSeconds'), evalSeconds: sum('evalSeconds') },
  );
  return storeStage(out ? join(out, 'scan') : undefined, 'scan', first.configHash, r, scanFigures(r, uturn));
}
