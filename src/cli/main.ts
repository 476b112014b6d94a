/**
 * `phaseflow` command-line entry: dispatches to subcommands, prints one-line errors, never stack traces.
 */
import { UsageError, parseArgs, formatFlags } from './args.js';
import { CliError, type Command, type CommandIO } from './command.js';
import { COMMANDS } from './commands/index.js';
import { VERSION } from '../version.js';

function topHelp(): string {
  const w = Math.max(...COMMANDS.map((c) => c.name.length)) + 2;
  return [
    `phaseflow ${VERSION} — phase-aware time schedules for flow-based generative models`,
    '',
    'Usage: phaseflow <command> [flags]      phaseflow <command> --help',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(w)}${c.summary}`),
    '',
    'Global: --version, --help',
  ].join('\n');
}

export function commandHelp(c: Command): string {
  return [`Usage: phaseflow ${c.name} [flags]`, '', c.summary, ...(c.description ? ['', c.description] : []), '', 'Flags:', formatFlags(c.flags), '      --help  show this help'].join('\n');
}

export async function main(argv: string[], io: CommandIO = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(topHelp() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    io.stderr.write(`phaseflow: unknown command "${name}"; expected one of ${COMMANDS.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  try {
    const parsed = parseArgs(rest, cmd.flags, { positionals: cmd.positionals });
    if (parsed.values.help) {
      io.stdout.write(commandHelp(cmd) + '\n');
      return 0;
    }
    return await cmd.run(parsed.values, { io, given: parsed.given, positionals: parsed.positionals });
  } catch (err) {
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
  }
}

// Run when executed directly (e.g. `node --import tsx src/cli/main.ts exact ...`).
if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
