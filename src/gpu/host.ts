/**
 * The caller's side of the WebGPU backend: a worker thread that owns the device (worker.ts), driven by requests
 * that the caller can wait for synchronously or asynchronously (protocol.ts).
 *
 * Why a thread: WebGPU only reads results back through promises, but phaseflow's engines have synchronous
 * interfaces (the autoencoder trainer's `step()`/`exportState()`, the nn `Backend`). With the device in a worker,
 * a synchronous call blocks the calling thread on `Atomics.wait` while the worker's event loop runs the GPU work.
 *
 * Lifecycle: `await GpuHost.open()` (throws `GpuUnavailableError` when the package or an adapter is missing, and
 * leaves no thread behind), `await host.program(url, args)` for each program, `close()` frees every device buffer
 * (`GPUBuffer.destroy`) and the device, and ends the thread. The thread does not keep the process alive between
 * calls.
 */
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { fromWire, GpuDeviceLostError, GpuError } from './errors.js';
import type { AdapterSummary } from './device.js';
import { CONTROL_WORDS, DEAD, DONE, type Reply, type Request } from './protocol.js';

/** `Atomics.waitAsync` (Node >= 16; not in the ES2022 library typings this project compiles against). */
const atomics = Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string };
};
const waitAsync = (a: Int32Array, i: number, v: number, t: number) => atomics.waitAsync(a, i, v, t);

type Body = Request extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * The worker's script. From the compiled package, dist/gpu/worker.js. From the TypeScript sources (tests, the
 * benchmarks), a bootstrap that registers tsx in the new thread first: Node 20 does not carry the parent's module
 * hooks into workers.
 */
function workerScript(): { script: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { script: new URL('./worker.js', import.meta.url), eval: false };
  const tsx = import.meta.resolve('tsx/esm/api');
  const worker = new URL('./worker.ts', import.meta.url).href;
  return {
    script: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`,
    eval: true,
  };
}

/** A program created in the worker; methods are called by name. */
export interface GpuProgramHandle {
  callSync<T>(method: string, ...args: unknown[]): T;
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  dispose(): Promise<void>;
}

export class GpuHost {
  private readonly ctrl = new Int32Array(new SharedArrayBuffer(4 * CONTROL_WORDS));
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private nextId = 1;
  private busy = false;
  private closed = false;
  private broken: Error | null = null;
  adapter!: AdapterSummary;

  private constructor() {
    const ch = new MessageChannel();
    this.port = ch.port1;
    const w = workerScript();
    this.worker = new Worker(w.script, {
      eval: w.eval,
      workerData: { control: this.ctrl.buffer, port: ch.port2 },
      transferList: [ch.port2],
    });
    this.worker.on('error', (err) => {
      this.broken ??= new GpuDeviceLostError(`the GPU worker thread failed (${err?.message ?? String(err)})`);
    });
    this.worker.on('exit', (code) => {
      if (!this.closed) this.broken ??= new GpuDeviceLostError(`the GPU worker thread exited (code ${code})`);
    });
  }

  /** Start the worker and open the device. */
  static async open(): Promise<GpuHost> {
    const h = new GpuHost();
    try {
      h.adapter = await h.request<AdapterSummary>({ op: 'open' });
    } catch (err) {
      await h.worker.terminate();
      h.closed = true;
      throw err;
    }
    h.worker.unref();
    return h;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Create a program from module `url` (see program.ts) with `args`. */
  async program(url: string, args: unknown): Promise<GpuProgramHandle> {
    const handle = await this.request<number>({ op: 'create', module: url, args });
    let disposed = false;
    return {
      callSync: <T>(method: string, ...a: unknown[]) => this.requestSync<T>({ op: 'call', handle, method, args: a }),
      call: <T>(method: string, ...a: unknown[]) => this.request<T>({ op: 'call', handle, method, args: a }),
      dispose: async () => {
        if (disposed || this.closed) return;
        disposed = true;
        await this.request({ op: 'dispose', handle });
      },
    };
  }

  /** Free all device memory, the device and the thread (idempotent). */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      if (!this.broken && !this.busy) await this.request({ op: 'close' });
    } finally {
      this.closed = true;
      await this.worker.terminate();
    }
  }

  private begin(body: Body): number {
    if (this.closed) throw new GpuError('the GPU host is closed');
    if (this.broken) throw this.broken;
    if (this.busy) throw new GpuError('the GPU host is busy with another call');
    this.busy = true;
    const id = this.nextId++;
    this.worker.postMessage({ ...body, id });
    return id;
  }

  private finish<T>(id: number): T {
    this.busy = false;
    const got = receiveMessageOnPort(this.port);
    if (!got) {
      this.broken ??= new GpuDeviceLostError('the GPU worker stopped answering');
      throw this.broken;
    }
    const r = got.message as Reply;
    if (r.id !== id) throw new GpuError(`GPU worker answered request ${r.id}, expected ${id}`);
    if (!r.ok) throw fromWire(r.error);
    return r.value as T;
  }

  /** Send a request and block until the worker has answered it. */
  requestSync<T>(body: Body): T {
    const id = this.begin(body);
    while (Atomics.load(this.ctrl, DONE) !== id) {
      if (Atomics.load(this.ctrl, DEAD)) break;
      Atomics.wait(this.ctrl, DONE, Atomics.load(this.ctrl, DONE), 1000);
    }
    return this.finish<T>(id);
  }

  /** Send a request and wait for the answer without blocking the event loop. */
  async request<T>(body: Body): Promise<T> {
    const id = this.begin(body);
    this.worker.ref(); // the pending answer keeps the process alive
    try {
      while (Atomics.load(this.ctrl, DONE) !== id) {
        if (Atomics.load(this.ctrl, DEAD) || this.broken) break;
        const w = waitAsync(this.ctrl, DONE, Atomics.load(this.ctrl, DONE), 200);
        if (w.async) await w.value;
      }
    } finally {
      this.worker.unref();
    }
    if (this.broken && Atomics.load(this.ctrl, DONE) !== id) {
      this.busy = false;
      throw this.broken;
    }
    return this.finish<T>(id);
  }
}
