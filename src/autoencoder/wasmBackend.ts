/**
 * Host side of the `gmm` wasm kernel (assembly/gmm.ts): lays out one training problem in the module's shared memory
 * and runs fused training steps on a kernel pool.
 *
 * Memory (all in the `gmm` module's memory; dp = d rounded up to a multiple of 8, padding kept at zero):
 *   x1 f32 (n, dp), |x1|^2 f64 (n), alpha/beta f64 (T), master parameters f64 (w, u: (T, dp); b, c: (T)),
 *   their f32 working copies, Adam moments f64, per-work-unit gradient slots, per-executor scratch (a few rows of
 *   noise), and the context block (wasmLayout.ts).
 *
 * Work units are (time step, chunk of samples) with boundaries fixed by (n, T), and the noise of (epoch, j, mu) is
 * the wasm generator's stream seeded by (key, epoch, j, mu): the result of a step does not depend on the number of
 * threads, bit for bit.
 */
import type { KernelModule, KernelPool } from '../kernels/pool.js';
import type { AeGrid, AeParams } from './model.js';
import { zeroParams } from './model.js';
import type { AdamOptions, AdamState } from './adam.js';
import { adamFactors } from './adam.js';
import { CTX, F64_SLOTS, FLAG_ADAM, LAYOUT_VERSION } from './wasmLayout.js';
import { asBytes, type ByteAddr } from '../kernels/addresses.js';
import type { GmmExports } from './exports.gen.js';

/** The kernel's exports, typed by the contract generated from assembly/gmm.ts (test/kernels/contracts.test.ts). */
function gmmExports(mod: KernelModule): GmmExports {
  return mod.exports as unknown as GmmExports;
}

export interface WasmAeOptions {
  pool: KernelPool;
  grid: AeGrid;
  /** Training data, (n, d) row-major. */
  x1: Float64Array;
  n: number;
  /** 128-bit noise key (four uint32), e.g. `Rng.seeded(seed).split(2).seedWords()`. */
  noiseKey: Uint32Array;
  adam: AdamOptions;
  /** Sample chunks per time step (default: enough for >= 64 work units). Changing it changes float rounding only. */
  chunks?: number;
  /** Samples per cache block (default: as many rows of noise as fit in about 24 KiB). */
  block?: number;
}

export interface StepOptions {
  /** Apply the Adam update (default true). */
  adam?: boolean;
}

/** Default chunking: the fewest chunks per time step that give at least 64 work units (capped by n). */
export function defaultChunks(n: number, T: number): number {
  return Math.max(1, Math.min(n, Math.ceil(64 / T)));
}

/** Default cache block: rows of noise (f32, dp wide) that fit in about 24 KiB, between 2 and 16. */
export function defaultBlock(dp: number): number {
  return Math.max(2, Math.min(16, Math.floor(24576 / (4 * dp))));
}

const warmed = new WeakSet<KernelPool>();

/**
 * One training problem on the `gmm` kernel. Lifecycle: `await WasmAeKernel.create(opts)`, `setParams(p)` (and
 * `setAdam(s)` when resuming), then `step(epoch)` once per epoch — the noise of a step is a function of
 * (noiseKey, epoch) only; `getParams`, `getAdam`, `grads`, `lossPerTime` read the state back; `close()` frees the
 * memory. Steps run synchronously on all executors of the pool (`pool.runSync`).
 */
export class WasmAeKernel {
  readonly d: number;
  readonly dp: number;
  readonly n: number;
  readonly T: number;
  readonly chunks: number;
  readonly block: number;
  private readonly mod: KernelModule;
  private readonly pool: KernelPool;
  private readonly ptrs: Record<string, ByteAddr> = {};
  private readonly ctxPtr: ByteAddr;
  private readonly adamOpts: AdamOptions;
  private noisePtr: ByteAddr = asBytes(0);
  private t = 0;
  private closed = false;

  private constructor(mod: KernelModule, o: WasmAeOptions) {
    const { grid, n } = o;
    const { d, T } = grid;
    this.mod = mod;
    this.pool = o.pool;
    this.d = d;
    this.dp = Math.ceil(d / 8) * 8;
    this.n = n;
    this.T = T;
    this.chunks = o.chunks ?? defaultChunks(n, T);
    this.block = o.block ?? defaultBlock(this.dp);
    this.adamOpts = o.adam;
    if (!(Number.isInteger(this.chunks) && this.chunks >= 1 && this.chunks <= n))
      throw new RangeError(`chunks must be in [1, n], got ${this.chunks}`);
    if (!(Number.isInteger(this.block) && this.block >= 1))
      throw new RangeError(`block must be a positive integer, got ${this.block}`);
    if (o.x1.length !== n * d) throw new RangeError(`x1 has ${o.x1.length} entries, expected n*d = ${n * d}`);
    if (o.noiseKey.length !== 4) throw new RangeError('noiseKey must have four uint32 words');
    const dp = this.dp;
    const units = T * this.chunks;
    const exe = this.pool.size;
    const scratch = align16(gmmExports(mod).scratchBytes(this.block, dp));
    const sizes: Record<string, number> = {
      ctx: 8 * CTX.SLOT_COUNT,
      x1: 4 * n * dp,
      x1sq: 8 * n,
      alpha: 8 * T,
      beta: 8 * T,
      w: 8 * T * dp,
      u: 8 * T * dp,
      b: 8 * T,
      c: 8 * T,
      wf: 4 * T * dp,
      uf: 4 * T * dp,
      uu: 8 * T,
      mw: 8 * T * dp,
      vw: 8 * T * dp,
      mu: 8 * T * dp,
      vu: 8 * T * dp,
      mb: 8 * T,
      vb: 8 * T,
      mc: 8 * T,
      vc: 8 * T,
      slots: 8 * units * dp,
      slotsc: 32 * units,
      gw: 8 * T * dp,
      gu: 8 * T * dp,
      gb: 8 * T,
      gc: 8 * T,
      loss: 8 * T,
      counters: 4 * (T + 1),
      scratch: scratch * exe,
      // An idle context for executor 0 in `stepAsync` (T = 0: no work units; its own counter).
      idleCtx: 8 * CTX.SLOT_COUNT,
      idleCounters: 16,
    };
    try {
      for (const [k, bytes] of Object.entries(sizes)) this.ptrs[k] = mod.alloc(bytes);
    } catch (err) {
      this.freeAll();
      throw err;
    }
    this.ctxPtr = this.ptrs.ctx;
    const set = (k: keyof typeof CTX, v: number) => this.setSlot(CTX[k], v);
    set('D', d);
    set('DP', dp);
    set('N', n);
    set('T', T);
    set('NCHUNK', this.chunks);
    set('BLOCK', this.block);
    const ptrSlots: [keyof typeof CTX, string][] = [
      ['X1', 'x1'],
      ['X1SQ', 'x1sq'],
      ['ALPHA', 'alpha'],
      ['BETA', 'beta'],
      ['W', 'w'],
      ['U', 'u'],
      ['B', 'b'],
      ['C', 'c'],
      ['WF', 'wf'],
      ['UF', 'uf'],
      ['UU', 'uu'],
      ['MW', 'mw'],
      ['VW', 'vw'],
      ['MU', 'mu'],
      ['VU', 'vu'],
      ['MB', 'mb'],
      ['VB', 'vb'],
      ['MC', 'mc'],
      ['VC', 'vc'],
      ['SLOTS', 'slots'],
      ['SLOTSC', 'slotsc'],
      ['GW', 'gw'],
      ['GU', 'gu'],
      ['GB', 'gb'],
      ['GC', 'gc'],
      ['LOSS', 'loss'],
      ['COUNTERS', 'counters'],
      ['SCRATCH', 'scratch'],
    ];
    for (const [slot, name] of ptrSlots) set(slot, this.ptrs[name]);
    set('SCRATCH_STRIDE', scratch);
    set('NOISE', 0);
    for (let k = 0; k < 4; k++) this.setSlot(CTX.KEY0 + k, o.noiseKey[k] >>> 0);
    set('SCALE', 1 / (Math.sqrt(d) * grid.c0));
    set('K', 1 / (d * T));
    set('LR', o.adam.lr);
    set('BETA1', o.adam.beta1 ?? 0.9);
    set('BETA2', o.adam.beta2 ?? 0.999);
    set('EPS', o.adam.eps ?? 1e-8);
    set('LU', o.adam.lU);
    set('LW', o.adam.lW);
    mod.f64(this.ptrs.alpha, T).set(grid.alpha);
    mod.f64(this.ptrs.beta, T).set(grid.beta);
    const x1f = mod.f32(this.ptrs.x1, n * dp);
    const x1sq = mod.f64(this.ptrs.x1sq, n);
    for (let mu = 0; mu < n; mu++) {
      let s = 0;
      for (let i = 0; i < d; i++) {
        const v = o.x1[mu * d + i];
        x1f[mu * dp + i] = v;
        s += v * v;
      }
      x1sq[mu] = s;
    }
  }

  /** Load the `gmm` module into `o.pool` (once) and lay out the problem. Warms the kernel up on first use. */
  static async create(o: WasmAeOptions): Promise<WasmAeKernel> {
    const mod = await o.pool.load('gmm');
    const ex = gmmExports(mod);
    const slots = ex.layoutSlots();
    const version = typeof mod.exports.layoutVersion === 'function' ? ex.layoutVersion() : 1;
    if (slots !== CTX.SLOT_COUNT || version !== LAYOUT_VERSION) {
      throw new Error(
        `build/gmm.wasm has context layout ${version}/${slots} slots, this code expects ${LAYOUT_VERSION}/${CTX.SLOT_COUNT}: ` +
          'rebuild it with `npm run build:wasm`',
      );
    }
    if (!warmed.has(o.pool)) {
      warmed.add(o.pool);
      WasmAeKernel.warmUp(o.pool, mod);
    }
    return new WasmAeKernel(mod, o);
  }

  /**
   * Bring the kernel's hot functions to V8's optimising tier on every executor: a fresh module starts in the baseline
   * compiler, and a long step never tiers up while it runs. A few hundred small steps on a throwaway problem suffice.
   */
  static warmUp(pool: KernelPool, mod: KernelModule): void {
    const d = 64,
      n = 8,
      T = 4;
    const grid: AeGrid = {
      d,
      T,
      c0: 1,
      alpha: Float64Array.of(1, 0.7, 0.4, 0.1),
      beta: Float64Array.of(0, 0.3, 0.6, 0.9),
      t: new Float64Array(T),
    };
    const x1 = new Float64Array(n * d).fill(0.5);
    const k = new WasmAeKernel(mod, {
      pool,
      grid,
      x1,
      n,
      noiseKey: Uint32Array.of(1, 2, 3, 4),
      adam: { lr: 1e-3, lU: 0, lW: 0 },
      chunks: 2,
      block: 2,
    });
    try {
      const p = zeroParams(d, T);
      p.u.fill(0.1);
      p.w.fill(0.1);
      k.setParams(p);
      for (let e = 0; e < 300; e++) k.step(e, { adam: (e & 3) !== 3 });
    } finally {
      k.close();
    }
  }

  /** Write context slot k: a float64 for the slots in F64_SLOTS, else a uint32. */
  private setSlot(k: number, v: number): void {
    if (F64_SLOTS.has(k)) this.mod.f64(this.ctxPtr, CTX.SLOT_COUNT)[k] = v;
    else {
      if (!(Number.isInteger(v) && v >= 0 && v <= 0xffffffff))
        throw new RangeError(`context slot ${k} needs a uint32, got ${v}`);
      this.mod.u32(this.ctxPtr, 2 * CTX.SLOT_COUNT)[2 * k] = v;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('wasm AE kernel is closed');
  }

  /** Write parameters (f64 masters and f32 working copies). */
  setParams(p: AeParams): void {
    this.assertOpen();
    const { d, T } = this;
    if (p.d !== d || p.T !== T) throw new RangeError(`params are (T=${p.T}, d=${p.d}), kernel is (T=${T}, d=${d})`);
    this.writeRows(this.ptrs.w, p.w);
    this.writeRows(this.ptrs.u, p.u);
    this.mod.f64(this.ptrs.b, T).set(p.b);
    this.mod.f64(this.ptrs.c, T).set(p.c);
    gmmExports(this.mod).aePublish(asBytes(this.ctxPtr), 0, T);
    this.writeUu();
  }

  /**
   * |uf_j|^2 summed in the order of the Adam step (assembly/gmm.ts, finishTime: two f64 lanes, lane 0 over the
   * elements 4k and 4k+2, lane 1 over 4k+1 and 4k+3, then lane 0 + lane 1), not in aePublish's sequential order: the
   * first step after `setParams` (a resume) then sees the very value an uninterrupted run has, and the two runs stay
   * identical to the last bit. (Sequential summation differs in the last bits for some rows: 29 of 20000 u values
   * differed after a resume at d = 1000.)
   */
  private writeUu(): void {
    const { dp, T } = this;
    const uf = this.mod.f32(this.ptrs.uf, T * dp);
    const uu = this.mod.f64(this.ptrs.uu, T);
    for (let j = 0; j < T; j++) {
      let l0 = 0;
      let l1 = 0;
      for (let i = j * dp; i < (j + 1) * dp; i += 4) {
        const e0 = uf[i],
          e1 = uf[i + 1],
          e2 = uf[i + 2],
          e3 = uf[i + 3];
        l0 += e0 * e0 + e2 * e2;
        l1 += e1 * e1 + e3 * e3;
      }
      uu[j] = l0 + l1;
    }
  }

  /** Copy of the current f64 parameters. */
  getParams(): AeParams {
    this.assertOpen();
    const p = zeroParams(this.d, this.T);
    this.readRows(this.ptrs.w, p.w);
    this.readRows(this.ptrs.u, p.u);
    p.b.set(this.mod.f64(this.ptrs.b, this.T));
    p.c.set(this.mod.f64(this.ptrs.c, this.T));
    return p;
  }

  /** Write the optimiser state. */
  setAdam(s: AdamState): void {
    this.assertOpen();
    const { T } = this;
    this.writeRows(this.ptrs.mw, s.m.w);
    this.writeRows(this.ptrs.vw, s.v.w);
    this.writeRows(this.ptrs.mu, s.m.u);
    this.writeRows(this.ptrs.vu, s.v.u);
    this.mod.f64(this.ptrs.mb, T).set(s.m.b);
    this.mod.f64(this.ptrs.vb, T).set(s.v.b);
    this.mod.f64(this.ptrs.mc, T).set(s.m.c);
    this.mod.f64(this.ptrs.vc, T).set(s.v.c);
    this.t = s.t;
  }

  /** Copy of the optimiser state. */
  getAdam(): AdamState {
    this.assertOpen();
    const { d, T } = this;
    const m = zeroParams(d, T);
    const v = zeroParams(d, T);
    this.readRows(this.ptrs.mw, m.w);
    this.readRows(this.ptrs.vw, v.w);
    this.readRows(this.ptrs.mu, m.u);
    this.readRows(this.ptrs.vu, v.u);
    m.b.set(this.mod.f64(this.ptrs.mb, T));
    v.b.set(this.mod.f64(this.ptrs.vb, T));
    m.c.set(this.mod.f64(this.ptrs.mc, T));
    v.c.set(this.mod.f64(this.ptrs.vc, T));
    return { m, v, t: this.t };
  }

  /**
   * Test hook: use this (T, n, d) noise (rounded to f32) in every following step instead of the generator; `null`
   * goes back to generated noise.
   */
  setExplicitNoise(noise: Float64Array | Float32Array | null): void {
    this.assertOpen();
    const { d, dp, n, T } = this;
    if (this.noisePtr) {
      this.mod.free(this.noisePtr);
      this.noisePtr = asBytes(0);
    }
    if (noise) {
      if (noise.length !== T * n * d)
        throw new RangeError(`noise has ${noise.length} entries, expected T*n*d = ${T * n * d}`);
      this.noisePtr = this.mod.alloc(4 * T * n * dp);
      const z = this.mod.f32(this.noisePtr, T * n * dp);
      for (let r = 0; r < T * n; r++) for (let i = 0; i < d; i++) z[r * dp + i] = noise[r * d + i];
    }
    this.setSlot(CTX.NOISE, this.noisePtr);
  }

  /**
   * One training step on the noise of `epoch`: forward, backward and (by default) Adam. Returns the loss L of the
   * parameters before the update.
   */
  step(epoch: number, opts: StepOptions = {}): number {
    this.assertOpen();
    if (!(Number.isInteger(epoch) && epoch >= 0 && epoch <= 0xffffffff))
      throw new RangeError(`epoch must be a uint32, got ${epoch}`);
    const adam = opts.adam ?? true;
    this.setSlot(CTX.EPOCH, epoch);
    this.setSlot(CTX.FLAGS, adam ? FLAG_ADAM : 0);
    if (adam) {
      const f = adamFactors(this.adamOpts, this.t + 1);
      this.setSlot(CTX.STEP_SIZE, f.stepSize);
      this.setSlot(CTX.BC2_SQRT, f.bc2Sqrt);
    }
    Atomics.store(this.mod.i32(this.ptrs.counters, 1), 0, 0);
    const args: number[][] = [];
    for (let k = 0; k < this.pool.size; k++) args.push([this.ctxPtr, k]);
    this.pool.runSync('gmm', 'aeStep', args);
    if (adam) this.t += 1;
    const lp = this.mod.f64(this.ptrs.loss, this.T);
    let loss = 0;
    for (let j = 0; j < this.T; j++) loss += lp[j];
    return loss;
  }

  /**
   * `step` that can be abandoned (needs a pool of >= 2 executors): the workers do the work units while the calling
   * thread stays free (executor 0 gets an idle context), so signal handlers run; every ~20 ms `shouldStop` is asked,
   * and when it says yes the remaining work units are withdrawn (the shared unit counter is set past the end), the
   * units in flight finish, and the parameters and Adam moments are restored to their values before the step. The
   * result is then null; otherwise the loss, bit-identical to `step` (the work units and their order of reduction do
   * not depend on which executor runs them).
   */
  async stepAsync(
    epoch: number,
    shouldStop: () => boolean | Promise<boolean>,
    opts: StepOptions = {},
  ): Promise<number | null> {
    this.assertOpen();
    if (this.pool.size < 2) {
      if (await shouldStop()) return null;
      return this.step(epoch, opts);
    }
    if (!(Number.isInteger(epoch) && epoch >= 0 && epoch <= 0xffffffff))
      throw new RangeError(`epoch must be a uint32, got ${epoch}`);
    const adam = opts.adam ?? true;
    const before = { p: this.getParams(), a: this.getAdam() };
    this.setSlot(CTX.EPOCH, epoch);
    this.setSlot(CTX.FLAGS, adam ? FLAG_ADAM : 0);
    if (adam) {
      const f = adamFactors(this.adamOpts, this.t + 1);
      this.setSlot(CTX.STEP_SIZE, f.stepSize);
      this.setSlot(CTX.BC2_SQRT, f.bc2Sqrt);
    }
    // The idle context: a copy of the real one with no work units and a counter of its own.
    const slots = 2 * CTX.SLOT_COUNT;
    this.mod.u32(this.ptrs.idleCtx, slots).set(this.mod.u32(this.ctxPtr, slots));
    this.mod.u32(this.ptrs.idleCtx, slots)[2 * CTX.T] = 0;
    this.mod.u32(this.ptrs.idleCtx, slots)[2 * CTX.COUNTERS] = this.ptrs.idleCounters;
    this.mod.i32(this.ptrs.idleCounters, 4).fill(0);
    const counter = this.mod.i32(this.ptrs.counters, this.T + 1);
    Atomics.store(counter, 0, 0);
    const args: number[][] = [[this.ptrs.idleCtx, 0]];
    for (let k = 1; k < this.pool.size; k++) args.push([this.ctxPtr, k]);
    let withdrawn = false;
    let asking = false;
    const timer = setInterval(() => {
      if (withdrawn || asking) return;
      asking = true;
      void Promise.resolve(shouldStop()).then((stop) => {
        asking = false;
        if (stop && !withdrawn) {
          withdrawn = true;
          Atomics.store(counter, 0, this.T * this.chunks); // no unit is handed out any more
        }
      });
    }, 20);
    try {
      await this.pool.run('gmm', 'aeStep', args);
    } finally {
      clearInterval(timer);
    }
    if (withdrawn) {
      // Some time steps may have been updated: go back to the state before the step.
      const c = this.mod.i32(this.ptrs.counters, this.T + 1);
      c.fill(0);
      this.setParams(before.p);
      this.setAdam(before.a);
      return null;
    }
    if (adam) this.t += 1;
    const lp = this.mod.f64(this.ptrs.loss, this.T);
    let loss = 0;
    for (let j = 0; j < this.T; j++) loss += lp[j];
    return loss;
  }

  /** Loss contribution of each time step in the last step. */
  lossPerTime(): Float64Array {
    return this.mod.f64(this.ptrs.loss, this.T).slice();
  }

  /** The gradient dL/d(params) of the last step (without weight decay), evaluated at the parameters before it. */
  grads(): AeParams {
    this.assertOpen();
    const g = zeroParams(this.d, this.T);
    this.readRows(this.ptrs.gw, g.w);
    this.readRows(this.ptrs.gu, g.u);
    g.b.set(this.mod.f64(this.ptrs.gb, this.T));
    g.c.set(this.mod.f64(this.ptrs.gc, this.T));
    return g;
  }

  /** Free this problem's memory (the module stays loaded in the pool). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.freeAll();
  }

  private freeAll(): void {
    for (const p of Object.values(this.ptrs)) if (p) this.mod.free(p);
    if (this.noisePtr) this.mod.free(this.noisePtr);
    this.noisePtr = asBytes(0);
  }

  private writeRows(ptr: ByteAddr, src: Float64Array): void {
    const { d, dp, T } = this;
    const dst = this.mod.f64(ptr, T * dp);
    for (let j = 0; j < T; j++) dst.set(src.subarray(j * d, (j + 1) * d), j * dp);
  }

  private readRows(ptr: ByteAddr, out: Float64Array): void {
    const { d, dp, T } = this;
    const src = this.mod.f64(ptr, T * dp);
    for (let j = 0; j < T; j++) out.set(src.subarray(j * dp, j * dp + d), j * d);
  }
}

function align16(x: number): number {
  return Math.ceil(x / 16) * 16;
}
