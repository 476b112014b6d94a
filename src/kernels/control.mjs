// The control block of the kernel pool, the one definition both sides use: src/kernels/pool.ts (the host) and
// src/kernels/worker.mjs (every worker thread) import it. Plain JavaScript, so the worker runs unchanged from the
// sources and from the compiled package; the types are in control.d.mts.
// Layout (Int32 words of a SharedArrayBuffer): SEQ, PENDING, CMD, ERRORS, then from TASK_BASE one task of
// TASK_STRIDE words per executor (module id, export id, argument count, error flag); arguments in a separate
// Float64Array, MAX_ARGS per executor; error texts ERR_BYTES per executor.

/** Sequence word: the host bumps it to start a command; workers wait on it. */
export const SEQ = 0;
/** Workers still running the current command; the last one to finish notifies the host. */
export const PENDING = 1;
/** The command of the current sequence number (CMD_*). */
export const CMD = 2;
/** Number of executors that failed in the current command. */
export const ERRORS = 3;
/** First word of the per-executor tasks. */
export const TASK_BASE = 16;
/** Words per task: module id, export id, argument count, error flag. */
export const TASK_STRIDE = 4;
/** Arguments per executor. */
export const MAX_ARGS = 16;
/** Bytes of error text per executor. */
export const ERR_BYTES = 512;
/** Call one export of one module with the executor's arguments. */
export const CMD_RUN = 1;
/** Take one message from the executor's port synchronously (e.g. a module to instantiate). */
export const CMD_MSG = 2;
/** Stop. */
export const CMD_EXIT = 3;
