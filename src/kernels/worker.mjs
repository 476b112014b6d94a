// Worker thread of the kernel pool (src/kernels/pool.ts). Plain JavaScript on purpose: it runs unchanged from the
// sources (under tsx) and from the compiled package, without a TypeScript loader.
//
// The worker never returns to its event loop: it sleeps in Atomics.wait on the control block and, when the host bumps
// the sequence word, executes the command (CMD_RUN: call one export of one module with this worker's arguments;
// CMD_MSG: take a message from its port synchronously, e.g. a module to instantiate; CMD_EXIT: stop), then
// decrements the pending counter and wakes the host when it reaches zero. The control-block layout is control.mjs.
import { workerData, receiveMessageOnPort } from 'node:worker_threads';

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

const { index, control, args: argsBuf, errors: errBuf, port } = workerData;
const ctrl = new Int32Array(control);
const args = new Float64Array(argsBuf);
const errText = new Uint8Array(errBuf);
const encoder = new TextEncoder();
/** modules[id] = array of the instance's function exports, in the module's export order */
const modules = [];

function report(err) {
  const msg = encoder.encode(String((err && err.stack) || err).slice(0, ERR_BYTES - 1));
  const off = index * ERR_BYTES;
  errText.fill(0, off, off + ERR_BYTES);
  errText.set(msg, off);
  Atomics.store(ctrl, TASK_BASE + index * TASK_STRIDE + 3, 1);
  Atomics.add(ctrl, ERRORS, 1);
}

function takeMessage() {
  // the host posts before it bumps the sequence word; allow for delivery lag anyway
  for (let tries = 0; tries < 10000; tries++) {
    const got = receiveMessageOnPort(port);
    if (got) return got.message;
    Atomics.wait(ctrl, CMD, CMD_MSG, 1);
  }
  throw new Error(`worker ${index}: expected a message from the pool, none arrived`);
}

function handleMessage(msg) {
  if (msg.type === 'load') {
    const imports = {
      env: {
        memory: msg.memory,
        abort(_m, _f, line, col) {
          throw new Error(`wasm abort in module ${msg.name} at ${line}:${col}`);
        },
        seed() {
          return Date.now();
        },
      },
    };
    const inst = new WebAssembly.Instance(msg.module, imports);
    const fns = WebAssembly.Module.exports(msg.module)
      .filter((e) => e.kind === 'function')
      .map((e) => inst.exports[e.name]);
    modules[msg.id] = fns;
  } else {
    throw new Error(`worker ${index}: unknown message type ${msg.type}`);
  }
}

// Spin briefly on the sequence word before sleeping: a kernel call follows the previous one within microseconds during
// training, and a futex wake-up costs tens of microseconds; the spin is bounded, so an idle pool sleeps.
const SPIN = 20000;
function waitSeq(seq) {
  for (let i = 0; i < SPIN; i++) if (Atomics.load(ctrl, SEQ) !== seq) return;
  Atomics.wait(ctrl, SEQ, seq);
}

let seq = 0;
for (;;) {
  waitSeq(seq);
  const now = Atomics.load(ctrl, SEQ);
  if (now === seq) continue;
  seq = now;
  const cmd = Atomics.load(ctrl, CMD);
  if (cmd === CMD_EXIT) break;
  try {
    if (cmd === CMD_MSG) {
      handleMessage(takeMessage());
    } else if (cmd === CMD_RUN) {
      const t = TASK_BASE + index * TASK_STRIDE;
      const mod = Atomics.load(ctrl, t);
      const fn = Atomics.load(ctrl, t + 1);
      const nargs = Atomics.load(ctrl, t + 2);
      if (mod >= 0) {
        const f = modules[mod] && modules[mod][fn];
        if (!f) throw new Error(`worker ${index}: module ${mod} export ${fn} is not loaded`);
        const a = index * MAX_ARGS;
        switch (nargs) {
          case 0:
            f();
            break;
          case 1:
            f(args[a]);
            break;
          case 2:
            f(args[a], args[a + 1]);
            break;
          case 3:
            f(args[a], args[a + 1], args[a + 2]);
            break;
          case 4:
            f(args[a], args[a + 1], args[a + 2], args[a + 3]);
            break;
          default:
            f(...args.subarray(a, a + nargs));
        }
      }
    }
  } catch (err) {
    report(err);
  }
  if (Atomics.sub(ctrl, PENDING, 1) === 1) Atomics.notify(ctrl, PENDING);
}
