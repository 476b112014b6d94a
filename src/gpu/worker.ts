/**
 * The GPU worker thread: owns the WebGPU device and the programs created on it, and answers the host's requests
 * (protocol.ts) one at a time, in order. Started by host.ts; not an entry point of its own.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { openDevice, type GpuContext } from './device.js';
import { GpuError, toWire } from './errors.js';
import { DEAD, DONE, type Reply, type Request } from './protocol.js';
import type { CreateProgram, GpuProgram } from './program.js';

const { control, port } = workerData as { control: SharedArrayBuffer; port: MessagePort };
const ctrl = new Int32Array(control);
let ctx: GpuContext | null = null;
const programs = new Map<number, GpuProgram>();
let nextHandle = 1;
let current = 0;

function reply(r: Reply): void {
  const transfer: ArrayBuffer[] = [];
  if (r.ok && ArrayBuffer.isView(r.value) && r.value.buffer instanceof ArrayBuffer) transfer.push(r.value.buffer);
  port.postMessage(r, transfer);
  Atomics.store(ctrl, DONE, r.id);
  Atomics.notify(ctrl, DONE);
}

function die(err: unknown): void {
  if (current) reply({ id: current, ok: false, error: toWire(err) });
  Atomics.store(ctrl, DEAD, 1);
  Atomics.notify(ctrl, DONE);
}
process.on('uncaughtException', die);
process.on('unhandledRejection', die);

function device(): GpuContext {
  if (!ctx) throw new GpuError('the GPU worker has no device');
  ctx.check();
  return ctx;
}

async function handle(req: Request): Promise<unknown> {
  switch (req.op) {
    case 'open':
      ctx ??= await openDevice();
      return ctx.adapter;
    case 'create': {
      const mod = (await import(req.module)) as { createProgram?: CreateProgram };
      if (typeof mod.createProgram !== 'function') throw new GpuError(`${req.module} exports no createProgram`);
      const prog = await mod.createProgram(device(), req.args as never);
      const h = nextHandle++;
      programs.set(h, prog);
      return h;
    }
    case 'call': {
      const prog = programs.get(req.handle);
      if (!prog) throw new GpuError(`no GPU program ${req.handle} (disposed?)`);
      const fn = (prog as unknown as Record<string, unknown>)[req.method];
      if (typeof fn !== 'function') throw new GpuError(`GPU program has no method ${req.method}`);
      device();
      return await (fn as (...a: unknown[]) => unknown).apply(prog, req.args);
    }
    case 'dispose': {
      programs.get(req.handle)?.dispose();
      programs.delete(req.handle);
      return null;
    }
    case 'close': {
      for (const p of programs.values()) p.dispose();
      programs.clear();
      ctx?.destroy();
      ctx = null;
      return null;
    }
  }
}

// Requests are handled strictly one after another (the host never sends a second before the first is answered).
parentPort!.on('message', (req: Request) => {
  current = req.id;
  handle(req).then(
    (value) => {
      current = 0;
      reply({ id: req.id, ok: true, value });
    },
    (err: unknown) => {
      current = 0;
      reply({ id: req.id, ok: false, error: toWire(err) });
    },
  );
});
