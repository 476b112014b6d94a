/**
 * A generic pool of executors for wasm kernels on shared memory (one pool can serve several kernel modules, e.g. the
 * Gaussian-mixture autoencoder `gmm` and the neural-network engine `nn`).
 *
 * Model
 * - A pool has `size` executors: executor 0 is the calling (main) thread, executors 1..size-1 are worker threads.
 *   `size = 1` means no workers at all: everything runs synchronously on the calling thread.
 * - Each kernel module (`build/<name>.wasm`, compiled by `npm run build:wasm` from `assembly/<name>.ts` with an
 *   imported shared memory) gets its own shared `WebAssembly.Memory` and compiled `WebAssembly.Module`; every
 *   executor instantiates every loaded module on that module's memory. Imports provided: `env.memory`,
 *   `env.abort` (throws) and `env.seed`.
 * - The host owns all memory above the module's static data: `mod.alloc(bytes)` / `mod.free(ptr)` (16-byte aligned,
 *   zero-filled, first-fit free list, grows the memory in 64 KiB pages). The module must export `heapBase()`
 *   returning AssemblyScript's `__heap_base` (or export a global `__heap_base`), and must not allocate itself
 *   (`--runtime stub`, no `new`). Views: `mod.f32(ptr, len)`, `mod.f64`, `mod.i32`, `mod.u32`, `mod.u8` (make them
 *   after allocating: growth does not extend views made before it).
 * - `pool.runSync(module, export, argsPerWorker)` calls `export(...argsPerWorker[k])` on executor k for every
 *   k < argsPerWorker.length (at most `size`; executors beyond the list idle), executor 0's share on the calling
 *   thread, and returns when all have finished. `pool.run(...)` is the same but resolves a promise (share 0 still
 *   runs synchronously on the calling thread first). Arguments are numbers (i32/u32/f32/f64 parameters; no i64).
 *   A kernel that splits work dynamically (e.g. an atomic counter in its memory) can give every executor the same
 *   arguments plus its index. An exception in any executor is rethrown by run/runSync after all have finished.
 * - Synchronisation: a SharedArrayBuffer control block; workers sleep in `Atomics.wait` on a sequence word, the host
 *   bumps it and `Atomics.notify`s, workers decrement a pending counter and the last one notifies the host.
 *   One job at a time per pool: asynchronous jobs (`load`, `run`) queue; `runSync` first waits (blocking) for the
 *   workers of an asynchronous job already dispatched, so engines sharing a pool may mix both styles.
 * - Warm-up: V8 first runs wasm with its baseline compiler and tiers up hot functions; call a kernel a few times on
 *   small inputs before timing it.
 * - Shutdown: workers are `unref`ed, so a forgotten pool never keeps the process alive; `close()` stops and
 *   terminates them. `sharedPool()` is a lazily created process-wide pool (all cores) for engines that want to
 *   share threads instead of oversubscribing.
 *
 * Example
 * ```ts
 * const pool = await createPool({ threads: 4 });
 * const nn = await pool.load('nn');
 * const a = nn.alloc(4 * 1024);
 * nn.f32(a, 1024).fill(1);
 * pool.runSync('nn', 'scale', Array.from({ length: pool.size }, (_, k) => [a, 1024, k, pool.size]));
 * await pool.close();
 * ```
 */
import { Worker, MessageChannel, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WasmHeap } from './heap.js';
import { compileKernel } from './wasm.js';
import { asBytes, type ByteAddr } from './addresses.js';

// control block layout: control.mjs (shared with worker.mjs)
import {
  SEQ,
  PENDING,
  CMD,
  ERRORS,
  TASK_BASE,
  TASK_STRIDE,
  MAX_ARGS,
  ERR_BYTES,
  CMD_RUN,
  CMD_MSG,
  CMD_EXIT,
} from './control.mjs';
const DEFAULT_MAX_PAGES = 65536; // build-wasm.mjs: --maximumMemory 65536

export interface PoolOptions {
  /** Executors including the calling thread (default: all cores, `os.availableParallelism()`). */
  threads?: number;
}

export interface LoadOptions {
  /** Path of the .wasm file (default `build/<name>.wasm` at the package root). */
  path?: string;
  /** Initial memory in 64 KiB pages (default: just enough for the static data). */
  initialPages?: number;
  /** Maximum pages; must not exceed the module's declared maximum (default 65536 = 4 GiB). */
  maximumPages?: number;
}

type WasmFn = (...a: number[]) => number | void;

/** A kernel module loaded into a pool. */
export interface KernelModule {
  readonly name: string;
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  /** Exports of the calling thread's instance (executor 0). */
  readonly exports: Readonly<Record<string, WasmFn>>;
  readonly heap: WasmHeap;
  /** Allocate `bytes` in this module's memory (16-byte aligned, zeroed); returns the byte offset. */
  alloc(bytes: number, align?: number): ByteAddr;
  free(ptr: ByteAddr): void;
  f32(ptr: ByteAddr, length: number): Float32Array;
  f64(ptr: ByteAddr, length: number): Float64Array;
  i32(ptr: ByteAddr, length: number): Int32Array;
  u32(ptr: ByteAddr, length: number): Uint32Array;
  u8(ptr: ByteAddr, length: number): Uint8Array;
}

interface Loaded extends KernelModule {
  readonly id: number;
  readonly fnIndex: ReadonlyMap<string, number>;
}

function resolveWorkerPath(): string {
  const here = fileURLToPath(new URL('./worker.mjs', import.meta.url));
  if (existsSync(here)) return here;
  // compiled package without the copied worker: fall back to the sources next to dist/
  const src = fileURLToPath(new URL('../../src/kernels/worker.mjs', import.meta.url));
  if (existsSync(src)) return src;
  throw new Error(
    `kernel worker script not found at ${here} (copy src/kernels/worker.mjs next to the compiled pool.js)`,
  );
}

export class KernelPool {
  readonly size: number;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly ctrl: Int32Array;
  private readonly args: Float64Array;
  private readonly errText: Uint8Array;
  private readonly modules = new Map<string, Loaded>();
  private readonly loading = new Map<string, Promise<KernelModule>>();
  /** The asynchronous job whose workers may still be running (its errors are taken by whoever waits first). */
  private inflight: { settled: boolean; error: Error | null } | null = null;
  private running = false;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  private broken: Error | null = null;

  private constructor(size: number) {
    this.size = size;
    this.ctrl = new Int32Array(new SharedArrayBuffer(4 * (TASK_BASE + TASK_STRIDE * size)));
    this.args = new Float64Array(new SharedArrayBuffer(8 * MAX_ARGS * size));
    this.errText = new Uint8Array(new SharedArrayBuffer(ERR_BYTES * size));
  }

  /** Create a pool with `threads` executors (the calling thread counts as one). */
  static async create(opts: PoolOptions = {}): Promise<KernelPool> {
    const size = opts.threads ?? availableParallelism();
    if (!(Number.isInteger(size) && size >= 1 && size <= 256))
      throw new RangeError(`threads must be an integer in [1, 256], got ${size}`);
    const pool = new KernelPool(size);
    if (size > 1) {
      const path = resolveWorkerPath();
      const online: Promise<void>[] = [];
      for (let k = 1; k < size; k++) {
        const ch = new MessageChannel();
        const w = new Worker(path, {
          workerData: {
            index: k,
            control: pool.ctrl.buffer,
            args: pool.args.buffer,
            errors: pool.errText.buffer,
            port: ch.port2,
          },
          transferList: [ch.port2],
          execArgv: [], // plain JS: no need for the parent's TypeScript loader in every worker
        });
        w.on('error', (err) => {
          pool.broken = err instanceof Error ? err : new Error(String(err));
        });
        online.push(
          new Promise((resolve, reject) => {
            w.once('online', resolve);
            w.once('error', reject);
          }),
        );
        ch.port1.unref();
        pool.workers.push(w);
        pool.ports.push(ch.port1);
      }
      // workers stay referenced while the pool awaits them (else the event loop could run dry and exit the process)
      try {
        await Promise.all(online);
      } catch (err) {
        await Promise.all(pool.workers.map((w) => w.terminate()));
        throw err;
      } finally {
        for (const w of pool.workers) w.unref();
      }
    }
    return pool;
  }

  /** Load (once) the kernel module `name` into every executor; later calls return the same module. */
  load(name: string, opts: LoadOptions = {}): Promise<KernelModule> {
    if (this.closed) return Promise.reject(new Error('kernel pool is closed'));
    const have = this.loading.get(name);
    if (have) return have;
    const p = this.enqueue(() => this.doLoad(name, opts));
    this.loading.set(name, p);
    p.catch(() => this.loading.delete(name));
    return p;
  }

  /** A module already loaded by `load`. */
  get(name: string): KernelModule {
    const m = this.modules.get(name);
    if (!m) throw new Error(`kernel module "${name}" is not loaded in this pool (await pool.load("${name}") first)`);
    return m;
  }

  private async doLoad(name: string, opts: LoadOptions): Promise<KernelModule> {
    this.assertOpen();
    const module = await compileKernel(name, opts.path);
    const memory = new WebAssembly.Memory({
      initial: opts.initialPages ?? 1,
      maximum: opts.maximumPages ?? DEFAULT_MAX_PAGES,
      shared: true,
    });
    const instance = new WebAssembly.Instance(module, makeImports(name, memory));
    const exports = instance.exports as Record<string, unknown>;
    const fnNames = WebAssembly.Module.exports(module)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name);
    const fnIndex = new Map(fnNames.map((n, i) => [n, i] as const));
    let base: number;
    if (typeof exports.heapBase === 'function') base = (exports.heapBase as () => number)();
    else if (exports.__heap_base instanceof WebAssembly.Global) base = Number(exports.__heap_base.value);
    else throw new Error(`kernel module "${name}" exports neither heapBase() nor __heap_base`);
    const heap = new WasmHeap(memory, base);
    const id = this.modules.size;
    const fns: Record<string, WasmFn> = {};
    for (const n of fnNames) fns[n] = exports[n] as WasmFn;
    const mod: Loaded = {
      name,
      id,
      module,
      memory,
      exports: Object.freeze(fns),
      heap,
      fnIndex,
      alloc: (bytes, align) => asBytes(heap.alloc(bytes, align)),
      free: (ptr) => heap.free(ptr),
      f32: (ptr, len) => new Float32Array(memory.buffer, ptr, len),
      f64: (ptr, len) => new Float64Array(memory.buffer, ptr, len),
      i32: (ptr, len) => new Int32Array(memory.buffer, ptr, len),
      u32: (ptr, len) => new Uint32Array(memory.buffer, ptr, len),
      u8: (ptr, len) => new Uint8Array(memory.buffer, ptr, len),
    };
    if (this.workers.length > 0) {
      this.drain();
      for (const port of this.ports) port.postMessage({ type: 'load', id, name, module, memory });
      this.dispatch(CMD_MSG, this.size);
      await this.finishAsync();
    }
    this.modules.set(name, mod);
    return mod;
  }

  /**
   * Call `exportName` of `moduleName` on executors 0..argsPerWorker.length-1, executor k with `argsPerWorker[k]`;
   * returns when all have finished. Blocks the calling thread.
   */
  runSync(moduleName: string, exportName: string, argsPerWorker: ReadonlyArray<ReadonlyArray<number>>): void {
    if (this.running) throw new Error('kernel pool: runSync called from inside a running job');
    this.drain();
    this.running = true;
    try {
      const first = this.startRun(moduleName, exportName, argsPerWorker);
      let err0: unknown = null;
      try {
        first();
      } catch (e) {
        err0 = e;
      }
      this.waitWorkers();
      const errW = this.takeErrors();
      if (err0) throw err0 as Error;
      if (errW) throw errW;
    } finally {
      this.running = false;
    }
  }

  /** Same as `runSync` but resolves when all executors have finished (share 0 runs synchronously first). */
  run(moduleName: string, exportName: string, argsPerWorker: ReadonlyArray<ReadonlyArray<number>>): Promise<void> {
    return this.enqueue(async () => {
      this.drain();
      const first = this.startRun(moduleName, exportName, argsPerWorker);
      let err0: unknown = null;
      this.running = true;
      try {
        first();
      } catch (e) {
        err0 = e;
      } finally {
        this.running = false;
      }
      try {
        await this.finishAsync();
      } catch (e) {
        if (!err0) err0 = e;
      }
      if (err0) throw err0 as Error;
    });
  }

  /** Stop and terminate the workers. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    if (this.workers.length > 0) {
      Atomics.store(this.ctrl, CMD, CMD_EXIT);
      Atomics.add(this.ctrl, SEQ, 1);
      Atomics.notify(this.ctrl, SEQ);
      await Promise.all(this.workers.map((w) => w.terminate()));
      for (const p of this.ports) p.close();
    }
  }

  // ---- internals ----

  private assertOpen(): void {
    if (this.closed) throw new Error('kernel pool is closed');
    if (this.broken) throw new Error(`kernel pool worker failed: ${this.broken.message}`);
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const p = this.queue.then(async () => {
      // keep the process alive while an asynchronous job waits on the workers
      for (const w of this.workers) w.ref();
      try {
        return await job();
      } finally {
        for (const w of this.workers) w.unref();
      }
    });
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Write the tasks, wake the workers; returns executor 0's share as a thunk. */
  private startRun(
    moduleName: string,
    exportName: string,
    argsPerWorker: ReadonlyArray<ReadonlyArray<number>>,
  ): () => void {
    this.assertOpen();
    const mod = this.modules.get(moduleName);
    if (!mod) throw new Error(`kernel module "${moduleName}" is not loaded in this pool`);
    const fn = mod.fnIndex.get(exportName);
    if (fn === undefined) throw new Error(`kernel module "${moduleName}" has no exported function "${exportName}"`);
    if (argsPerWorker.length < 1 || argsPerWorker.length > this.size) {
      throw new RangeError(`argsPerWorker must have 1..${this.size} entries, got ${argsPerWorker.length}`);
    }
    for (const a of argsPerWorker) {
      if (a.length > MAX_ARGS) throw new RangeError(`at most ${MAX_ARGS} arguments per call`);
    }
    for (let k = 1; k < this.size; k++) {
      const t = TASK_BASE + k * TASK_STRIDE;
      const a = argsPerWorker[k];
      if (a) {
        Atomics.store(this.ctrl, t, mod.id);
        Atomics.store(this.ctrl, t + 1, fn);
        Atomics.store(this.ctrl, t + 2, a.length);
        this.args.set(a, k * MAX_ARGS);
      } else {
        Atomics.store(this.ctrl, t, -1);
      }
    }
    if (this.workers.length > 0) this.dispatch(CMD_RUN, this.size);
    const f = mod.exports[exportName];
    const a0 = argsPerWorker[0];
    return () => {
      f(...a0);
    };
  }

  private dispatch(cmd: number, size: number): void {
    Atomics.store(this.ctrl, PENDING, size - 1);
    Atomics.store(this.ctrl, CMD, cmd);
    Atomics.add(this.ctrl, SEQ, 1);
    Atomics.notify(this.ctrl, SEQ);
  }

  /** Block until the workers of the current job (if any) are done. */
  private waitWorkers(): void {
    if (this.workers.length === 0) return;
    // Spin briefly first: most kernel shares finish within microseconds of the caller's (see worker.mjs).
    for (let i = 0; i < 20000; i++) if (Atomics.load(this.ctrl, PENDING) === 0) return;
    for (;;) {
      const p = Atomics.load(this.ctrl, PENDING);
      if (p === 0) return;
      Atomics.wait(this.ctrl, PENDING, p, 1000);
      if (this.broken) throw new Error(`kernel pool worker failed: ${this.broken.message}`);
    }
  }

  /**
   * Synchronously settle an asynchronous job whose workers may still run (so that `runSync` can use the control
   * block while that job's promise has not resumed yet); its errors are kept for it.
   */
  private drain(): void {
    const job = this.inflight;
    if (!job || job.settled) return;
    this.waitWorkers();
    job.error = this.takeErrors();
    job.settled = true;
  }

  /** Await the workers of the job just dispatched (asynchronously), then throw its errors, if any. */
  private async finishAsync(): Promise<void> {
    const job = { settled: false, error: null as Error | null };
    this.inflight = job;
    try {
      if (this.workers.length > 0) {
        const waitAsync = (
          Atomics as unknown as {
            waitAsync: (
              a: Int32Array,
              i: number,
              v: number,
              t?: number,
            ) => { async: boolean; value: Promise<string> | string };
          }
        ).waitAsync;
        while (!job.settled) {
          const p = Atomics.load(this.ctrl, PENDING);
          if (p === 0) break;
          if (this.broken) throw new Error(`kernel pool worker failed: ${this.broken.message}`);
          const r = waitAsync(this.ctrl, PENDING, p, 1000);
          if (r.async) await r.value;
        }
      }
      if (!job.settled) {
        job.error = this.takeErrors();
        job.settled = true;
      }
      if (job.error) throw job.error;
    } finally {
      if (this.inflight === job) this.inflight = null;
    }
  }

  /** The workers' error reports of the last job as one Error (and clear them), or null. */
  private takeErrors(): Error | null {
    if (Atomics.load(this.ctrl, ERRORS) === 0) return null;
    const msgs: string[] = [];
    const dec = new TextDecoder();
    for (let k = 1; k < this.size; k++) {
      const t = TASK_BASE + k * TASK_STRIDE + 3;
      if (Atomics.load(this.ctrl, t) !== 0) {
        const bytes = this.errText.slice(k * ERR_BYTES, (k + 1) * ERR_BYTES);
        const end = bytes.indexOf(0);
        msgs.push(`executor ${k}: ${dec.decode(end >= 0 ? bytes.subarray(0, end) : bytes)}`);
        Atomics.store(this.ctrl, t, 0);
      }
    }
    Atomics.store(this.ctrl, ERRORS, 0);
    return new Error(`kernel failed in ${msgs.length} worker(s):\n${msgs.join('\n')}`);
  }
}

function makeImports(name: string, memory: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      memory,
      abort(_m: number, _f: number, line: number, col: number) {
        throw new Error(`wasm abort in module ${name} at ${line}:${col}`);
      },
      seed() {
        return Date.now();
      },
    },
  };
}

/** Create a pool (see the module docstring). */
export function createPool(opts: PoolOptions = {}): Promise<KernelPool> {
  return KernelPool.create(opts);
}

let shared: Promise<KernelPool> | null = null;

/** The process-wide pool over all cores, created on first use; never needs closing (its workers are unref'ed). */
export function sharedPool(): Promise<KernelPool> {
  if (!shared) {
    shared = KernelPool.create({});
    shared.catch(() => {
      shared = null;
    });
  }
  return shared;
}
