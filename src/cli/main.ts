/**
 * `phaseflow` command-line entry: dispatches to subcommands, prints one-line errors, never stack traces.
 *
 * Order of a run: parse the flags (typed values, deprecated names warned about on stderr), check every path flag
 * and lock the output folder (`pathFlags.ts`), then the command's own work. Exit status 2 for bad input (flags,
 * paths, a folder in use), 1 for a failed run, 130/143 for a run stopped by a signal. SIGINT and SIGTERM only set a
 * stop flag (io/stop.ts) that long loops poll between work chunks; they save their state and unwind, this function
 * prints where the run stopped and how to continue, and the output-folder lock is released on the way out.
 */
import { UsageError, parseArgs, formatFlags, formatAliases } from './args.js';
import { CliError, type Command, type CommandIO } from './command.js';
import { COMMANDS } from './commands/index.js';
import { checkPathFlags, lockPathFlags, usageFromPath } from './pathFlags.js';
import { readdirSync } from 'node:fs';
import { PathError } from '../io/paths.js';
import { LOCK_FILE } from '../io/lock.js';
import { usageFromField } from './fields.js';
import { clearStop, installStopHandlers, StopError, stopExitCode } from '../io/stop.js';
import { VERSION } from '../version.js';

function topHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `phaseflow ${VERSION} — phase-aware time schedules for flow-based generative models`,
    '',
    'Usage: phaseflow <command> [flags]      phaseflow <command> --help      phaseflow help <command>',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    'Global: --version, --help',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  return [
    `Usage: phaseflow ${c.name} [flags]`,
    '',
    c.summary,
    ...(c.description ? ['', c.description] : []),
    '',
    'Flags:',
    formatFlags(c.flags, [['--help', 'show this help']]),
    ...(c.aliases && Object.keys(c.aliases).length ? ['', formatAliases(c.aliases)] : []),
  ].join('\n');
}

function findCommand(name: string, io: CommandIO): Command | undefined {
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd)
    io.stderr.write(
      `phaseflow: unknown command "${name}"; expected one of ${COMMANDS.map((c) => c.name).join(', ')}\n`,
    );
  return cmd;
}

export async function main(
  argv: string[],
  io: CommandIO = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout.write(topHelp() + '\n');
    return name ? 0 : 2;
  }
  if (name === 'help') {
    if (rest.length === 0) {
      io.stdout.write(topHelp() + '\n');
      return 0;
    }
    const cmd = findCommand(rest[0], io);
    if (!cmd) return 2;
    io.stdout.write(commandHelp(cmd) + '\n');
    return 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const cmd = findCommand(name, io);
  if (!cmd) return 2;
  let release = () => {};
  let uninstall = () => {};
  try {
    const parsed = parseArgs(rest, cmd.flags, { positionals: cmd.positionals, aliases: cmd.aliases });
    if (parsed.help) {
      io.stdout.write(commandHelp(cmd) + '\n');
      return 0;
    }
    for (const w of parsed.warnings) io.stderr.write(`phaseflow ${name}: warning: ${w}\n`);
    checkPathFlags(cmd.flags, parsed.values);
    release = lockPathFlags(cmd.flags, parsed.values, {
      command: name,
      log: (line) => io.stderr.write(`phaseflow ${name}: ${line}\n`),
    });
    // Commands whose loops poll the stop flag get the cooperative handlers; the others (short, synchronous work)
    // keep Node's default, so that Ctrl-C ends them at once (a lock they leave is taken over by the next run).
    if (cmd.stoppable) uninstall = installStopHandlers();
    try {
      return await cmd.run(parsed.values, { io, given: parsed.given, positionals: parsed.positionals });
    } catch (err) {
      if (err instanceof StopError) {
        const out = (parsed.values as Record<string, unknown>).out ?? (parsed.values as Record<string, unknown>).resume;
        const kept = err.checkpoint
          ? `checkpoint written to ${err.checkpoint}; continue with: ${continueCommand(argv)}`
          : typeof out === 'string' && hasWork(out)
            ? `finished work is kept in ${out}; continue with: ${continueCommand(argv)}`
            : typeof out === 'string'
              ? `nothing was finished yet; start again with: ${continueCommand(argv)}`
              : 'nothing was kept (no --out)';
        io.stderr.write(`phaseflow ${name}: ${err.message}; ${kept}\n`);
        return stopExitCode(err.signal);
      }
      throw err;
    }
  } catch (caught) {
    let err = caught;
    if (err instanceof PathError) err = usageFromPath(err);
    err = usageFromField(err);
    if (err instanceof UsageError) {
      io.stderr.write(`phaseflow ${name}: ${err.message}\n`);
      return 2;
    }
    if (err instanceof CliError) {
      io.stderr.write(`phaseflow ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof RangeError) {
      io.stderr.write(`phaseflow ${name}: ${err.message}\n`);
      return 2;
    }
    const e = err as Error;
    io.stderr.write(`phaseflow ${name}: internal error: ${e?.message ?? String(err)}\n`);
    if (process.env.PHASEFLOW_DEBUG) io.stderr.write(`${e?.stack ?? ''}\n`);
    return 1;
  } finally {
    uninstall();
    clearStop();
    release();
  }
}

/** True if `dir` holds anything besides the run lock. */
function hasWork(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => f !== LOCK_FILE);
  } catch {
    return false;
  }
}

/** The command line that continues a stopped run (the same command: finished work is skipped, runs resume). */
export function continueCommand(argv: readonly string[]): string {
  return ['phaseflow', ...argv]
    .map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`))
    .join(' ');
}

// Run when executed directly (e.g. `node --import tsx src/cli/main.ts exact ...`).
if (import.meta.url === `file://${process.argv[1]}`) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
