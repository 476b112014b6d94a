import type { FlagSpecs } from './args.js';

/** Where a command writes: stdout for results (JSON), stderr for progress and messages. */
export interface CommandIO {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A `phaseflow <name>` subcommand: a thin layer that parses flags and calls the library. */
export interface Command {
  name: string;
  summary: string;
  /** Extra text for --help (usage examples, notes). */
  description?: string;
  flags: FlagSpecs;
  positionals?: boolean;
  /** Returns the exit status. Throw `UsageError` for bad input (exit 2) and `CliError` for a failed run (exit 1). */
  run(values: Record<string, unknown>, ctx: { io: CommandIO; given: Set<string>; positionals: string[] }): Promise<number>;
}

/** A failure with a one-line, user-facing message (bad file, corrupt checkpoint, NaN loss...). Exit status 1. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}
