import type { FlagSpecs, Values } from './args.js';

/** Where a command writes: stdout for results (JSON), stderr for progress and messages. */
export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** What a command's `run` gets besides its values. */
export interface RunContext {
  io: CommandIO;
  /** Flags the user gave explicitly (current names). */
  given: Set<string>;
  positionals: string[];
}

/**
 * A `phaseflow <name>` subcommand: a thin layer that parses flags and calls the library. The values passed to
 * `run` are typed from `flags` (see `Values`); path flags have been checked and output folders locked before it runs.
 */
export interface Command<S extends FlagSpecs = FlagSpecs> {
  name: string;
  summary: string;
  /** Extra text for --help (usage examples, notes). */
  description?: string;
  flags: S;
  /** Deprecated flag names still accepted (old → new), usually `aliasesFor(name)`. */
  aliases?: Readonly<Record<string, string>>;
  positionals?: boolean;
  /**
   * The command's long loops poll the stop flag (io/stop.ts): SIGINT/SIGTERM then save state and unwind (exit
   * 130/143). Without it the signals keep Node's default and end the process at once.
   */
  stoppable?: boolean;
  /** Returns the exit status. Throw `UsageError` for bad input (exit 2) and `CliError` for a failed run (exit 1). */
  run(values: Values<S>, ctx: RunContext): Promise<number>;
}

/** Declares a command so that the types of its values follow from its flag specs. */
export function defineCommand<const S extends FlagSpecs>(c: Command<S>): Command<S> {
  return c;
}

/** A failure with a one-line, user-facing message (bad file, corrupt checkpoint, NaN loss...). Exit status 1. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}
