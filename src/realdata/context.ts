/**
 * What the real-data stages share within one process: the backend, the resolved config, the data, the run store,
 * the oracle (trained or loaded once) with its FD reference, and progress reporting. Create one with
 * `realDataContext` and pass it to the stage functions; `phaseflow reproduce` can hold one for all stages.
 *
 * Output layout under `out` (all optional):
 *   classifier/   the oracle (model.safetensors, config.json, oracle.json)
 *   runs/<key>/   training runs (state.ckpt, step-<n>/ snapshots, state-<n>.ckpt)
 *   uturn/ retrain/ scan/ denoise/   stage results (result.json + SVG + index.html)
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BinaryDataset } from '../data/binary.js';
import type { GaussianFit } from '../metrics/frechet.js';
import { Progress } from '../io/progress.js';
import { StopError } from '../io/stop.js';
import type { Backend } from '../nn/kernels/backend.js';
import { realDataBackend, type RealDataBackendName } from './backend.js';
import { loadOracle, saveOracle, trainOracle, type Oracle } from './classifier.js';
import { resolveConfig, type ConfigOverrides, type RealDataConfig, type ScaleName } from './config.js';
import { generativeDataset, oracleDataset } from './dataset.js';
import {
  loadSnapshotNet,
  runKey as runKeyOf,
  runSpec,
  trainDenoiser,
  type RunSpec,
  type TrainedRun,
} from './denoiser.js';
import {
  evaluateImages,
  generateImages,
  realismFit,
  referenceFit,
  type RealismFit,
  type SampleEvaluation,
} from './generate.js';
import { versionsOf } from './versions.js';
import { dirStore, hashOf, memoryStore, readCached, type RunStore } from './store.js';

export interface Reporter {
  /** A progress bar with ETA on stderr (plain lines when not a terminal). */
  progress(
    label: string,
    total: number,
  ): {
    start(done: number): void;
    update(done: number, extra?: string): void;
    done(extra?: string): void;
    stopped(done: number, extra?: string): void;
  };
  log(message: string): void;
}

export function streamReporter(stream: (NodeJS.WritableStream & { isTTY?: boolean }) | null, quiet = false): Reporter {
  return {
    progress(label, total) {
      const p = new Progress({
        total: Math.max(1, total),
        label,
        stream: stream ?? undefined,
        quiet: quiet || !stream,
      });
      return {
        start: (d) => p.setStart(Math.round(d)),
        update: (d, e) => p.update(Math.round(d), e),
        done: (e) => p.done(e),
        stopped: (d, e) => p.stopped(Math.round(d), e),
      };
    },
    log(message) {
      if (!quiet && stream) stream.write(`${message}\n`);
    },
  };
}

export interface RealDataContext {
  be: Backend;
  config: RealDataConfig;
  /** Generative (unbalanced) training and held-out images. */
  data: BinaryDataset;
  /** Identity of the training images inside run specs. */
  dataKey: string;
  store: RunStore;
  out?: string;
  reporter: Reporter;
  /** Folder of a saved oracle to use instead of training one. */
  classifierDir?: string;
  oracle?: Oracle;
  reference?: GaussianFit;
  /** The "typical image" test of the quality gate (generate.ts `realismFit`), set with the oracle. */
  realism?: RealismFit;
  /** Where the oracle came from: trained now, reused from the output folder, or loaded from --classifier. */
  oracleOrigin?: 'trained' | 'cached' | 'loaded';
  /**
   * Recompute instead of reusing: cached stage results and the cached oracle are ignored, and every training run is
   * trained again from its start the first time this context asks for it (`reproduce --force STAGE`).
   */
  force?: boolean;
  /** Runs already retrained under `force` (each only once per context). */
  freshRuns?: Set<string>;
}

export interface ContextOptions {
  scale?: ScaleName;
  overrides?: ConfigOverrides;
  /** A resolved config (takes precedence over scale + overrides). */
  config?: RealDataConfig;
  out?: string;
  threads?: number;
  /** The engine's backend (`wasm` by default; `webgpu`: docs/gpu.md). Opened before the data are loaded. */
  backend?: RealDataBackendName;
  classifierDir?: string;
  reporter?: Reporter;
  /** See `RealDataContext.force`. */
  force?: boolean;
}

export async function realDataContext(o: ContextOptions = {}): Promise<RealDataContext> {
  const config = o.config ?? resolveConfig(o.scale ?? 'quick', o.overrides);
  const be = await realDataBackend(o.threads, o.backend);
  const data = generativeDataset(config.data);
  return {
    be,
    config,
    data,
    dataKey: hashOf({ data: config.data, n: data.train.n, source: data.source }),
    store: o.out ? dirStore(join(o.out, 'runs')) : memoryStore(),
    out: o.out,
    reporter: o.reporter ?? streamReporter(process.stderr),
    classifierDir: o.classifierDir,
    force: o.force ?? false,
    freshRuns: new Set(),
  };
}

/** The oracle of the context: loaded from `classifierDir`, reused from `<out>/classifier`, or trained (and saved). */
export async function ensureOracle(ctx: RealDataContext): Promise<Oracle> {
  if (ctx.oracle) return ctx.oracle;
  const odata = oracleDataset(ctx.config.data);
  const cached = ctx.out ? join(ctx.out, 'classifier') : undefined;
  const want = hashOf({ oracle: ctx.config.oracle, data: ctx.config.data, code: versionsOf('data', 'oracle') });
  if (ctx.classifierDir) {
    ctx.oracle = loadOracle(ctx.classifierDir, ctx.be, odata);
    ctx.oracleOrigin = 'loaded';
  } else if (
    cached &&
    existsSync(join(cached, 'model.safetensors')) &&
    readCached(join(cached, 'oracle.json'), want, { force: ctx.force })
  ) {
    ctx.oracle = loadOracle(cached, ctx.be, odata);
    ctx.oracleOrigin = 'cached';
  } else {
    const bar = ctx.reporter.progress('oracle', ctx.config.oracle.steps);
    let reached = 0;
    ctx.oracle = await trainOracle({
      be: ctx.be,
      config: ctx.config.oracle,
      data: odata,
      onProgress: (s, _n, loss) => {
        reached = s;
        bar.update(s, `loss ${loss.toFixed(4)}`);
      },
    }).catch((e: unknown) => {
      if (e instanceof StopError) bar.stopped(reached, `stopped by ${e.signal ?? 'request'}`);
      throw e;
    });
    bar.done();
    ctx.oracleOrigin = 'trained';
    if (cached) saveOracle(cached, ctx.oracle, { configHash: want, data: ctx.config.data });
  }
  const oracle = ctx.oracle;
  ctx.reference = referenceFit(oracle, ctx.data.train);
  ctx.realism = realismFit(oracle, ctx.data.train, ctx.data.test);
  const a = oracle.info.accuracy;
  ctx.reporter.log(
    `oracle: held-out accuracy ${(100 * a.value).toFixed(2)} % (${a.k}/${a.n}, 95 % CI ${(100 * a.low).toFixed(1)}-${(100 * a.high).toFixed(1)} %)`,
  );
  return oracle;
}

/** Oracle facts recorded in every result that uses the oracle (after `ensureOracle`). */
export function oracleSummary(ctx: RealDataContext) {
  const o = ctx.oracle;
  if (!o) throw new Error('oracleSummary before ensureOracle');
  return { ...o.info, origin: ctx.oracleOrigin ?? null, classifierDir: ctx.classifierDir ?? null };
}

/** Train (or resume, or reuse) a run of the context's denoiser config with a sampler spec and seed. */
export async function ensureRun(
  ctx: RealDataContext,
  o: {
    label: string;
    sampler: string;
    seed: number;
    steps: number;
    scheduleSteps?: number;
    snapshots?: number[];
    fullStates?: number[];
    init?: RunSpec['init'];
    /** A continuation's own schedule (`runSpec`). */
    ownSchedule?: { lr: number; warmup: number; steps: number };
  },
): Promise<TrainedRun> {
  const spec = runSpec({
    data: ctx.dataKey,
    size: ctx.data.size,
    denoiser: ctx.config.denoiser,
    sampler: o.sampler,
    seed: o.seed,
    scheduleSteps: o.scheduleSteps,
    init: o.init,
    ownSchedule: o.ownSchedule,
  });
  const from = o.init?.step ?? 0;
  const bar = ctx.reporter.progress(`train ${o.label}`, o.steps);
  let first = true;
  let reached = from;
  const key = runKeyOf(spec, o.label);
  const fresh = Boolean(ctx.force) && !ctx.freshRuns?.has(key);
  ctx.freshRuns?.add(key);
  const run = await trainDenoiser({
    fresh,
    be: ctx.be,
    store: ctx.store,
    spec,
    label: o.label,
    steps: o.steps,
    data: ctx.data.train,
    snapshots: o.snapshots,
    fullStates: o.fullStates,
    checkpointEvery: ctx.store.kind === 'dir' ? ctx.config.denoiser.checkpointEvery : undefined,
    onStart: (start, resumed) => {
      if (resumed)
        ctx.reporter.log(
          `resuming run ${o.label} from step ${start} of ${o.steps}${ctx.store.runDir ? ` (${join(ctx.store.runDir(runKeyOf(spec, o.label)), 'state.ckpt')})` : ''}`,
        );
      bar.start(start);
    },
    onProgress: (s, total, loss) => {
      if (first) {
        bar.update(Math.max(from, s - 1));
        first = false;
      }
      bar.update(s, `loss ${loss.toFixed(4)}`);
      reached = s;
      void total;
    },
  }).catch((e: unknown) => {
    if (e instanceof StopError) bar.stopped(reached, `stopped by ${e.signal ?? 'request'}`);
    throw e;
  });
  if (run.msPerStep !== null) bar.done(`${run.msPerStep.toFixed(0)} ms/step`);
  return run;
}

/**
 * Generate `n` images from run `key` at `step` with the context's sampler and evaluate them; with `keep` > 0 the
 * first `keep` images (row-major, `keep` x size x size, values in [-1, 1]) come back too, for a report's grid.
 */
export async function evaluateSnapshot(
  ctx: RealDataContext,
  o: { key: string; spec: RunSpec; step: number; n: number; seed: number; label?: string; keep?: number },
): Promise<SampleEvaluation & { seconds: number; images?: Float64Array }> {
  const oracle = await ensureOracle(ctx);
  const t0 = performance.now();
  const net = loadSnapshotNet(ctx.be, ctx.store, o.key, o.spec, o.step);
  const s = ctx.config.sampling;
  const bar = ctx.reporter.progress(`generate ${o.label ?? o.key}@${o.step}`, o.n);
  try {
    let done = 0;
    const images = await generateImages({
      net,
      n: o.n,
      method: s.method,
      eta: s.eta,
      stepsPerUnit: s.stepsPerUnit,
      batch: s.batch,
      seed: o.seed,
      onProgress: (d) => bar.update((done = d)),
    }).catch((e: unknown) => {
      if (e instanceof StopError) bar.stopped(done, `stopped by ${e.signal ?? 'request'}`);
      throw e;
    });
    bar.done();
    const keep = Math.min(o.keep ?? 0, o.n);
    const dim = ctx.data.size * ctx.data.size;
    return {
      ...evaluateImages({
        oracle,
        images,
        target: ctx.data.trainFractionA,
        reference: ctx.reference ?? null,
        realism: ctx.realism ?? null,
      }),
      seconds: (performance.now() - t0) / 1000,
      ...(keep > 0 ? { images: images.slice(0, keep * dim) } : {}),
    };
  } finally {
    net.dispose();
  }
}
