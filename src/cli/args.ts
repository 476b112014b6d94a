/**
 * Declarative command-line flags with validation. Every bad input becomes a `UsageError` whose message names
 * the flag and the allowed range; the CLI prints it as one line and exits with status 2 (never a stack trace).
 */

export type FlagType = 'int' | 'number' | 'string' | 'bool' | 'enum' | 'numbers' | 'strings' | 'path';

export interface FlagSpec {
  type: FlagType;
  help: string;
  default?: unknown;
  /** Inclusive bounds (numbers, and each entry of `numbers`). */
  min?: number;
  max?: number;
  /** Exclusive bounds. */
  gt?: number;
  lt?: number;
  /** Allowed values for `enum` and each entry of `strings`. */
  choices?: readonly string[];
  /** One-letter alias. */
  short?: string;
  /** Placeholder shown in --help. */
  metavar?: string;
}

export type FlagSpecs = Record<string, FlagSpec>;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function rangeText(s: FlagSpec): string {
  const parts: string[] = [];
  if (s.min !== undefined) parts.push(`>= ${s.min}`);
  if (s.gt !== undefined) parts.push(`> ${s.gt}`);
  if (s.max !== undefined) parts.push(`<= ${s.max}`);
  if (s.lt !== undefined) parts.push(`< ${s.lt}`);
  return parts.join(' and ');
}

function expectation(s: FlagSpec): string {
  const what = s.type === 'int' ? 'an integer' : s.type === 'number' ? 'a number' : 'a value';
  const r = rangeText(s);
  return r ? `${what} ${r}` : what;
}

function parseNumber(flag: string, raw: string, s: FlagSpec, integer: boolean): number {
  const v = raw.trim() === '' ? NaN : Number(raw);
  const kind = integer ? 'an integer' : 'a number';
  const r = rangeText(s);
  const want = r ? `${kind} ${r}` : kind;
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) throw new UsageError(`--${flag}: expected ${want}, got "${raw}"`);
  if ((s.min !== undefined && v < s.min) || (s.max !== undefined && v > s.max) || (s.gt !== undefined && !(v > s.gt)) || (s.lt !== undefined && !(v < s.lt))) {
    throw new UsageError(`--${flag}: expected ${want}, got ${raw}`);
  }
  return v;
}

function parseValue(flag: string, raw: string, s: FlagSpec): unknown {
  switch (s.type) {
    case 'int':
      return parseNumber(flag, raw, s, true);
    case 'number':
      return parseNumber(flag, raw, s, false);
    case 'string':
    case 'path':
      if (raw === '') throw new UsageError(`--${flag}: expected a non-empty value`);
      return raw;
    case 'enum':
      if (!s.choices!.includes(raw)) throw new UsageError(`--${flag}: expected one of ${s.choices!.join('|')}, got "${raw}"`);
      return raw;
    case 'numbers': {
      const items = raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
      if (items.length === 0) throw new UsageError(`--${flag}: expected a comma-separated list of numbers, got "${raw}"`);
      const integer = s.metavar?.startsWith('INT') ?? false;
      return items.map((x) => parseNumber(flag, x, s, integer));
    }
    case 'strings': {
      const items = raw.split(',').map((x) => x.trim()).filter((x) => x !== '');
      if (items.length === 0) throw new UsageError(`--${flag}: expected a comma-separated list, got "${raw}"`);
      if (s.choices) for (const x of items) if (!s.choices.includes(x)) throw new UsageError(`--${flag}: expected entries from ${s.choices.join('|')}, got "${x}"`);
      return items;
    }
    case 'bool':
      return true;
  }
}

export interface Parsed {
  values: Record<string, unknown>;
  positionals: string[];
  /** Flags the user gave explicitly (to distinguish them from defaults and presets). */
  given: Set<string>;
}

/**
 * Parse `argv` against `specs`. Accepts `--flag value`, `--flag=value`, `-x value`, `--no-flag` for booleans.
 * `--help` is reported through `values.help === true`.
 */
export function parseArgs(argv: readonly string[], specs: FlagSpecs, opts: { positionals?: boolean } = {}): Parsed {
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  const shortMap = new Map<string, string>();
  for (const [name, s] of Object.entries(specs)) if (s.short) shortMap.set(s.short, name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      values.help = true;
      continue;
    }
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (/^-[A-Za-z]$/.test(arg)) {
      name = shortMap.get(arg.slice(1));
      if (!name) throw new UsageError(`unknown flag ${arg}`);
    } else {
      if (!opts.positionals) throw new UsageError(`unexpected argument "${arg}"`);
      positionals.push(arg);
      continue;
    }
    let spec = specs[name];
    if (!spec && name.startsWith('no-') && specs[name.slice(3)]?.type === 'bool') {
      values[name.slice(3)] = false;
      given.add(name.slice(3));
      continue;
    }
    if (!spec) throw new UsageError(`unknown flag --${name} (see --help)`);
    if (spec.type === 'bool') {
      if (inline !== undefined && !['true', 'false'].includes(inline)) throw new UsageError(`--${name}: expected true or false, got "${inline}"`);
      values[name] = inline === undefined ? true : inline === 'true';
      given.add(name);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      if (i + 1 >= argv.length) throw new UsageError(`--${name}: missing value (${spec.metavar ?? expectation(spec)})`);
      raw = argv[++i];
    }
    values[name] = parseValue(name, raw, spec);
    given.add(name);
  }
  for (const [name, s] of Object.entries(specs)) if (!(name in values) && s.default !== undefined) values[name] = s.default;
  return { values, positionals, given };
}

/** Render the flag table for --help. */
export function formatFlags(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const meta = s.type === 'bool' ? '' : ` ${s.metavar ?? (s.type === 'enum' ? s.choices!.join('|') : s.type.toUpperCase())}`;
    const left = `${s.short ? `-${s.short}, ` : '    '}--${name}${meta}`;
    const dflt = s.default !== undefined && s.type !== 'bool' ? ` (default ${Array.isArray(s.default) ? s.default.join(',') : String(s.default)})` : '';
    const r = rangeText(s);
    return [left, `${s.help}${r ? ` [${r}]` : ''}${dflt}`];
  });
  const w = Math.min(38, Math.max(...rows.map((r) => r[0].length)) + 2);
  return rows.map(([l, r]) => `  ${l.padEnd(w)}${r}`).join('\n');
}
