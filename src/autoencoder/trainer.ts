/**
 * Training the paper's per-time-step autoencoder on the two-mode Gaussian mixture (docs/method.md §2.1, §2.5–2.6,
 * §2.9).
 *
 *   data   x1^mu = s^mu 1_d + sigma eta^mu,  P(s = +1) = p,  mu = 1..n   (fixed training set, shape (n, d))
 *   grid   t_j = j tEnd / T,  j = 0..T-1;  schedule 'linear' (the paper's VP), 've' or 'dilated' (dVP, kappa)
 *   model  f_j(x) = c_j x + u_j tanh(b_j + <w_j, x> / (sqrt(d) c0))
 *   epoch  z ~ N(0, I) of shape (T, n, d), fresh;  x = alpha_j z + beta_j x1
 *          L = (1/(d T)) sum_j sum_mu |f_j(x) - x1^mu|^2;  one full-batch Adam step on all T time steps jointly
 *          (PyTorch semantics, betas 0.9/0.999, eps 1e-8, coupled weight decay lU on u, lW on w, none on b, c)
 * Gradient formulas: model.ts.
 *
 * Reproducibility: everything derives from `seed` through `Rng.seeded(seed)`: split(0) initialises the parameters,
 * split(1) draws the training set, split(2) keys the noise. The noise of epoch e is a function of (seed, e) only —
 * for the wasm backend of (seed, e, j, mu), so the thread count does not matter — so `exportState` after k epochs
 * followed by `importState` and more steps gives exactly the same parameters as an uninterrupted run.
 * The reference backend draws different (equally distributed) noise, so its trajectory differs; the webgpu backend
 * draws the wasm backend's noise, in float32 on the device, and follows the wasm trajectory to float rounding.
 *
 * Example
 * ```ts
 * const tr = await createAeTrainer({ schedule: 'dilated', d: 500, n: 128, T: 40, seed: 1 });
 * for (let e = 0; e < 1000; e++) tr.step();
 * const p = tr.params(); // { T, d, c, b, u, w }
 * await tr.close();
 * ```
 */
import { availableParallelism } from 'node:os';
import { Rng } from '../random/rng.js';
import { makeInterpolant } from '../interpolant/index.js';
import { GaussianMixture } from '../mixture/gaussianMixture.js';
import { createPool, type KernelPool } from '../kernels/pool.js';
import { type AeGrid, type AeParams, makeGrid, initParams, cloneParams, zeroParams } from './model.js';
import { aeLossAndGradChunks, type LossAndGrad } from './reference.js';
import { type AdamOptions, type AdamState, adamInit, adamStep, cloneAdam } from './adam.js';
import { WasmAeKernel } from './wasmBackend.js';
import { WebGpuAeKernel } from './webgpuBackend.js';

export type AeSchedule = 'linear' | 've' | 'dilated';
export type AeBackend = 'wasm' | 'reference' | 'webgpu';

export interface AeTrainerOptions {
  schedule: AeSchedule;
  /** Dimension. */
  d: number;
  /** Training samples. */
  n: number;
  /** Time steps (one parameter set each). */
  T: number;
  /** Weight of the +1 mode (default 0.8). */
  p?: number;
  /** Per-coordinate std of each mode (default 1). */
  sigma?: number;
  /** Dilation constant of the 'dilated' schedule (default 2). */
  kappa?: number;
  /** Adam learning rate (default 1e-4, the paper's figure). */
  lr?: number;
  /** Weight decay on u (default 1e-5). */
  lU?: number;
  /** Weight decay on w (default 1e-5). */
  lW?: number;
  seed: number;
  /** Executors for the wasm backend (default: all cores); ignored when `pool` is given. */
  threads?: number;
  /**
   * 'wasm' (default): fused f32 SIMD kernel on worker threads; 'reference': plain TypeScript, float64; 'webgpu': the
   * fused f32 step in WGSL on a WebGPU device (docs/gpu.md; the same noise as 'wasm').
   */
  backend?: AeBackend;
  /** Run on this pool (shared with other engines; not closed by the trainer). */
  pool?: KernelPool;
}

/** The options after defaults (no pool). */
export interface AeTrainerConfig {
  schedule: AeSchedule;
  d: number;
  n: number;
  T: number;
  p: number;
  sigma: number;
  kappa: number;
  lr: number;
  lU: number;
  lW: number;
  seed: number;
  threads: number;
  backend: AeBackend;
}

/** Scalar part of a trainer checkpoint. */
export interface AeTrainerMeta {
  format: 'phaseflow.ae-trainer';
  version: 1;
  config: Omit<AeTrainerConfig, 'threads'>;
  /** Epochs (Adam steps) completed. */
  epoch: number;
  /** The four noise-key words (derived from the seed; stored to detect a mismatch). */
  noiseKey: number[];
}

/**
 * Serialisable trainer state, shaped for the binary checkpoint container (src/io/checkpoint.ts):
 * arrays `c`, `b` (T), `u`, `w` (T*d) and the Adam moments `m.c`, `m.b`, `m.u`, `m.w`, `v.c`, ... (same shapes).
 */
export interface AeTrainerState {
  meta: AeTrainerMeta;
  arrays: Record<string, Float64Array>;
}

export interface AeTrainer {
  readonly config: AeTrainerConfig;
  readonly grid: AeGrid;
  /** Epochs completed (= Adam steps taken). */
  readonly epoch: number;
  /** One epoch: fresh noise, forward, backward, Adam. Returns the loss of the parameters before the update. */
  step(): number;
  /**
   * `step()` that can be abandoned: between work chunks it yields to the event loop (at most every ~50 ms) and
   * calls `shouldStop`; when that returns true the step is dropped (state unchanged) and the result is null. The
   * reference backend checks between rows; the wasm kernel's step is one synchronous call (checked before it).
   */
  stepAsync(shouldStop: () => boolean | Promise<boolean>): Promise<number | null>;
  /** Per-time-step loss contributions of the last step (sum = its loss). */
  lossPerTime(): Float64Array;
  /** Copy of the parameters. */
  params(): AeParams;
  /** The fixed training set: x1 (n, d) row-major, labels s in {+1, -1}. */
  trainSet(): { x1: Float64Array; s: Int8Array };
  exportState(): AeTrainerState;
  importState(state: AeTrainerState): void;
  /** Release memory and (unless a pool was passed in) the worker threads. */
  close(): Promise<void>;
}

/** Apply defaults and validate. */
export function aeTrainerConfig(o: AeTrainerOptions): AeTrainerConfig {
  const c: AeTrainerConfig = {
    schedule: o.schedule,
    d: o.d,
    n: o.n,
    T: o.T,
    p: o.p ?? 0.8,
    sigma: o.sigma ?? 1,
    kappa: o.kappa ?? 2,
    lr: o.lr ?? 1e-4,
    lU: o.lU ?? 1e-5,
    lW: o.lW ?? 1e-5,
    seed: o.seed,
    threads: o.pool ? o.pool.size : (o.threads ?? availableParallelism()),
    backend: o.backend ?? 'wasm',
  };
  if (!['linear', 've', 'dilated'].includes(c.schedule))
    throw new RangeError(`schedule must be linear, ve or dilated, got "${c.schedule}"`);
  for (const k of ['d', 'n', 'T'] as const) {
    if (!(Number.isInteger(c[k]) && c[k] >= 1)) throw new RangeError(`${k} must be an integer >= 1, got ${c[k]}`);
  }
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new RangeError(`lr must be > 0, got ${c.lr}`);
  if (!(c.lU >= 0 && c.lW >= 0)) throw new RangeError(`weight decays must be >= 0, got lU=${c.lU}, lW=${c.lW}`);
  if (!(Number.isInteger(c.threads) && c.threads >= 1))
    throw new RangeError(`threads must be an integer >= 1, got ${c.threads}`);
  if (c.backend !== 'wasm' && c.backend !== 'reference' && c.backend !== 'webgpu')
    throw new RangeError(`backend must be wasm, reference or webgpu, got "${String(c.backend)}"`);
  return c;
}

/** Create a trainer (see the module docstring). */
export async function createAeTrainer(o: AeTrainerOptions): Promise<AeTrainer> {
  const config = aeTrainerConfig(o);
  const { d, n, T, seed } = config;
  const interp = makeInterpolant(config.schedule, { d, kappa: config.kappa });
  const grid = makeGrid(interp, d, T);
  const root = Rng.seeded(seed);
  const init = initParams(root.split(0), d, T);
  const data = new GaussianMixture({ d, p: config.p, sigma: config.sigma }).sample(root.split(1), n);
  const noiseKey = root.split(2).seedWords();
  const adamOpts: AdamOptions = { lr: config.lr, lU: config.lU, lW: config.lW };
  const core =
    config.backend === 'wasm'
      ? await WasmCore.create(config, grid, data.x, noiseKey, adamOpts, o.pool)
      : config.backend === 'webgpu'
        ? await WebGpuCore.create(grid, data.x, config.n, noiseKey, adamOpts)
        : new ReferenceCore(config, grid, data.x, root.split(2), adamOpts);
  core.setState(init, adamInit(d, T));
  let epoch = 0;
  let lastLoss: Float64Array = new Float64Array(T);
  let closed = false;
  const live = () => {
    if (closed) throw new Error('AE trainer is closed');
  };

  return {
    config,
    grid,
    get epoch() {
      return epoch;
    },
    step() {
      live();
      const loss = core.step(epoch);
      lastLoss = core.lossPerTime();
      epoch += 1;
      return loss;
    },
    async stepAsync(shouldStop) {
      live();
      const loss = await core.stepAsync(epoch, shouldStop);
      if (loss === null) return null;
      lastLoss = core.lossPerTime();
      epoch += 1;
      return loss;
    },
    lossPerTime: () => lastLoss.slice(),
    params: () => (live(), core.params()),
    trainSet: () => ({ x1: data.x.slice(), s: data.s.slice() }),
    exportState() {
      live();
      const p = core.params();
      const a = core.adam();
      const { threads: _threads, ...cfg } = config;
      void _threads;
      // lossPerTime: the last step's per-time losses, so that a run resumed at its final epoch reports them too.
      const arrays: Record<string, Float64Array> = { c: p.c, b: p.b, u: p.u, w: p.w, lossPerTime: lastLoss.slice() };
      for (const [name, src] of [
        ['m', a.m],
        ['v', a.v],
      ] as const) {
        arrays[`${name}.c`] = src.c;
        arrays[`${name}.b`] = src.b;
        arrays[`${name}.u`] = src.u;
        arrays[`${name}.w`] = src.w;
      }
      return {
        meta: { format: 'phaseflow.ae-trainer', version: 1, config: cfg, epoch, noiseKey: Array.from(noiseKey) },
        arrays,
      };
    },
    importState(state) {
      live();
      const m = state.meta;
      if (!m || m.format !== 'phaseflow.ae-trainer' || m.version !== 1)
        throw new Error('not a phaseflow AE trainer state (format/version)');
      for (const k of [
        'schedule',
        'd',
        'n',
        'T',
        'p',
        'sigma',
        'kappa',
        'lr',
        'lU',
        'lW',
        'seed',
        'backend',
      ] as const) {
        if (m.config[k] !== config[k])
          throw new Error(`trainer state has ${k}=${m.config[k]}, this trainer has ${config[k]}`);
      }
      if (m.noiseKey.length !== 4 || m.noiseKey.some((v, i) => v !== noiseKey[i]))
        throw new Error('trainer state noise key does not match the seed');
      if (!(Number.isInteger(m.epoch) && m.epoch >= 0)) throw new Error(`invalid epoch ${m.epoch}`);
      const get = (name: string, len: number) => {
        const a = state.arrays[name];
        if (!(a instanceof Float64Array) || a.length !== len)
          throw new Error(`trainer state array "${name}" missing or not Float64Array(${len})`);
        return a.slice();
      };
      const params = { T, d, c: get('c', T), b: get('b', T), u: get('u', T * d), w: get('w', T * d) };
      const mom = (k: string): AeParams => ({
        T,
        d,
        c: get(`${k}.c`, T),
        b: get(`${k}.b`, T),
        u: get(`${k}.u`, T * d),
        w: get(`${k}.w`, T * d),
      });
      core.setState(params, { m: mom('m'), v: mom('v'), t: m.epoch });
      epoch = m.epoch;
      const lp = state.arrays.lossPerTime;
      lastLoss = lp instanceof Float64Array && lp.length === T ? lp.slice() : new Float64Array(T);
    },
    async close() {
      if (closed) return;
      closed = true;
      await core.close();
    },
  };
}

/** n d T above which a wasm step counts as long (about 0.3 s on one core) and is run interruptibly. */
export const LONG_STEP_WORK = 2.5e7;

/** What a backend provides to the trainer. */
interface Core {
  step(epoch: number): number;
  stepAsync(epoch: number, shouldStop: () => boolean | Promise<boolean>): Promise<number | null>;
  lossPerTime(): Float64Array;
  params(): AeParams;
  adam(): AdamState;
  setState(p: AeParams, a: AdamState): void;
  close(): Promise<void>;
}

/** Plain-TypeScript float64 backend; noise of (epoch e, time j) is stream noiseRoot.split(e).split(j), row by row. */
class ReferenceCore implements Core {
  private p: AeParams;
  private a: AdamState;
  private last: Float64Array = new Float64Array(0);
  private readonly grad: AeParams;

  constructor(
    private readonly c: AeTrainerConfig,
    private readonly grid: AeGrid,
    private readonly x1: Float64Array,
    private readonly noiseRoot: Rng,
    private readonly opts: AdamOptions,
  ) {
    this.p = zeroParams(c.d, c.T);
    this.a = adamInit(c.d, c.T);
    this.grad = zeroParams(c.d, c.T);
  }

  step(epoch: number): number {
    const it = this.chunks(epoch);
    for (;;) {
      const r = it.next();
      if (r.done) return this.finish(r.value);
    }
  }

  async stepAsync(epoch: number, shouldStop: () => boolean | Promise<boolean>): Promise<number | null> {
    const it = this.chunks(epoch);
    let last = performance.now();
    for (;;) {
      const r = it.next();
      if (r.done) return this.finish(r.value);
      if (performance.now() - last >= 50) {
        await new Promise<void>((res) => setImmediate(res));
        if (await shouldStop()) return null; // Adam not applied: the state is that of the step's start
        last = performance.now();
      }
    }
  }

  private finish(r: LossAndGrad): number {
    adamStep(this.p, r.grad, this.a, this.opts);
    this.last = r.lossPerTime;
    return r.loss;
  }

  private chunks(epoch: number): Generator<void, LossAndGrad> {
    const ep = this.noiseRoot.split(epoch);
    let j0 = -1;
    let stream: Rng = ep;
    const noise = (j: number, _mu: number, out: Float64Array) => {
      if (j !== j0) {
        j0 = j;
        stream = ep.split(j);
      }
      stream.fillNormal(out);
    };
    return aeLossAndGradChunks(this.grid, this.p, this.x1, this.c.n, noise, this.grad);
  }

  lossPerTime(): Float64Array {
    return this.last.slice();
  }

  params(): AeParams {
    return cloneParams(this.p);
  }

  adam(): AdamState {
    return cloneAdam(this.a);
  }

  setState(p: AeParams, a: AdamState): void {
    this.p = cloneParams(p);
    this.a = cloneAdam(a);
  }

  async close(): Promise<void> {}
}

/** wasm backend: the fused kernel on a pool (its own unless one is passed in). */
class WasmCore implements Core {
  private constructor(
    private readonly kernel: WasmAeKernel,
    private readonly pool: KernelPool,
    private readonly ownPool: boolean,
    /** Steps run with the calling thread free (`WasmAeKernel.stepAsync`), so that a stop is honoured mid-step. */
    private readonly interruptible: boolean,
  ) {}

  static async create(
    c: AeTrainerConfig,
    grid: AeGrid,
    x1: Float64Array,
    noiseKey: Uint32Array,
    adam: AdamOptions,
    pool?: KernelPool,
  ): Promise<WasmCore> {
    const own = !pool;
    // A long step (about 0.3 s or more) runs on `threads` workers plus an idle calling thread, which stays free to
    // notice a stop; the result does not depend on the number of executors.
    const interruptible = own && c.n * c.d * c.T >= LONG_STEP_WORK;
    const pl = pool ?? (await createPool({ threads: interruptible ? c.threads + 1 : c.threads }));
    try {
      const kernel = await WasmAeKernel.create({ pool: pl, grid, x1, n: c.n, noiseKey, adam });
      return new WasmCore(kernel, pl, own, interruptible);
    } catch (err) {
      if (own) await pl.close();
      throw err;
    }
  }

  step(epoch: number): number {
    return this.kernel.step(epoch);
  }

  async stepAsync(epoch: number, shouldStop: () => boolean | Promise<boolean>): Promise<number | null> {
    if (this.interruptible) return this.kernel.stepAsync(epoch, shouldStop);
    if (await shouldStop()) return null;
    return this.kernel.step(epoch);
  }

  lossPerTime(): Float64Array {
    return this.kernel.lossPerTime();
  }

  params(): AeParams {
    return this.kernel.getParams();
  }

  adam(): AdamState {
    return this.kernel.getAdam();
  }

  setState(p: AeParams, a: AdamState): void {
    this.kernel.setParams(p);
    this.kernel.setAdam(a);
  }

  async close(): Promise<void> {
    this.kernel.close();
    if (this.ownPool) await this.pool.close();
  }
}

/** WebGPU backend: the fused WGSL step on a device of its own (webgpuBackend.ts); the calling thread stays free. */
class WebGpuCore implements Core {
  private constructor(private readonly kernel: WebGpuAeKernel) {}

  static async create(
    grid: AeGrid,
    x1: Float64Array,
    n: number,
    noiseKey: Uint32Array,
    adam: AdamOptions,
  ): Promise<WebGpuCore> {
    return new WebGpuCore(await WebGpuAeKernel.create({ grid, x1, n, noiseKey, adam }));
  }

  step(epoch: number): number {
    return this.kernel.step(epoch);
  }

  stepAsync(epoch: number, shouldStop: () => boolean | Promise<boolean>): Promise<number | null> {
    return this.kernel.stepAsync(epoch, shouldStop);
  }

  lossPerTime(): Float64Array {
    return this.kernel.lossPerTime();
  }

  params(): AeParams {
    return this.kernel.getParams();
  }

  adam(): AdamState {
    return this.kernel.getAdam();
  }

  setState(p: AeParams, a: AdamState): void {
    this.kernel.setParams(p);
    this.kernel.setAdam(a);
  }

  close(): Promise<void> {
    return this.kernel.close();
  }
}
