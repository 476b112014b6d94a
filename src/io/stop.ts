/**
 * Cooperative cancellation for long runs. The CLI installs handlers for SIGINT and SIGTERM (`installStopHandlers`)
 * that only set a process-wide stop flag; long loops poll it between work chunks, steps or batches (`pollStop`, which
 * also yields to the event loop so that the handler can run at all while the run computes), then unwind cleanly:
 * write their checkpoint, throw `StopError` (or return an "interrupted" outcome), the CLI prints where the run stopped
 * and how to continue, the output-folder lock is released, and the process exits 130 (SIGINT) or 143 (SIGTERM).
 * A second signal ends the process at once (the `exit` hook of io/lock.ts still removes the lock).
 *
 * Rule for loops: call `await pollStop()` at least every few hundred milliseconds of work, and never between two
 * halves of an update that a checkpoint must not separate (stop before the update or after it).
 */
import { setImmediate as tick } from 'node:timers/promises';

let requested: NodeJS.Signals | null = null;
let lastYield = 0;

/** The signal that asked the run to stop, or null. */
export function stopSignal(): NodeJS.Signals | null {
  return requested;
}

/** True once a stop was asked for. */
export function stopRequested(): boolean {
  return requested !== null;
}

/** Ask the run to stop (what the signal handlers do; also for tests and embedding code). */
export function requestStop(signal: NodeJS.Signals = 'SIGINT'): void {
  requested ??= signal;
}

/** Forget a stop request (after the command that honoured it has returned). */
export function clearStop(): void {
  requested = null;
}

/** Exit status of a run stopped by `signal`: 128 + signal number (130 SIGINT, 143 SIGTERM). */
export function stopExitCode(signal: NodeJS.Signals | null): number {
  return signal === 'SIGTERM' ? 143 : 130;
}

/**
 * Installs the SIGINT and SIGTERM handlers (first signal: set the flag; second: exit at once). Returns a function
 * that removes them.
 */
export function installStopHandlers(): () => void {
  const onSignal = (s: NodeJS.Signals) => {
    if (requested) process.exit(stopExitCode(s));
    requested = s;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

/**
 * Yields to the event loop if more than `everyMs` passed since the last yield (so that a pending signal handler
 * runs), then says whether a stop was asked for. Cheap enough to call after every small work chunk.
 */
export async function pollStop(everyMs = 50): Promise<boolean> {
  if (requested) return true;
  const now = performance.now();
  if (now - lastYield >= everyMs) {
    await tick();
    lastYield = performance.now();
  }
  return requested !== null;
}

/** A run that stopped on request after saving what it could; the CLI reports it and exits 130/143. */
export class StopError extends Error {
  constructor(
    readonly signal: NodeJS.Signals | null,
    /** Where it stopped, e.g. "at step 120 of 300 of run uniform-3f2a…". */
    readonly where: string,
    /** The checkpoint written, if any. */
    readonly checkpoint: string | null,
  ) {
    super(`stopped by ${signal ?? 'request'} ${where}`);
    this.name = 'StopError';
  }
}

/** Throws a `StopError` if a stop was asked for (after the caller saved its state). */
export function throwIfStopped(where: string, checkpoint: string | null = null): void {
  if (requested) throw new StopError(requested, where, checkpoint);
}
