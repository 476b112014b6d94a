/**
 * Declarative, typed command-line flags. A flag is a spec (type, bounds, help, default); `parseArgs(argv, specs)`
 * returns values whose TypeScript types follow from the specs (`int` → number, `enum` with choices 'a' | 'b' → 'a' | 'b',
 * `ints` → number[], a flag without a default → `T | undefined`), so commands read them without casts.
 *
 * Every bad input becomes a `UsageError` whose message names the flag and the allowed range; the CLI prints it as
 * one line and exits with status 2 (never a stack trace). Deprecated flag names are accepted through `aliases`
 * (old name → new name) and reported in `warnings`, one line each. The shared vocabulary (one definition per concept)
 * is in `flags.ts`.
 */
import type { PathRule } from '../io/paths.js';

export type FlagType = 'int' | 'number' | 'string' | 'bool' | 'enum' | 'ints' | 'numbers' | 'strings' | 'path';

/** Defaults that a preset or scale flag sets (shown in --help; the command applies them). */
export interface PresetDefaults {
  /** The flag that chooses the preset, e.g. 'preset' or 'scale'. */
  flag: string;
  /** Preset name → the default under that preset. */
  values: Readonly<Record<string, unknown>>;
}

interface BaseSpec {
  help: string;
  /** One-letter alias. */
  short?: string;
  /** Placeholder shown in --help. */
  metavar?: string;
  /** Shown as the default in --help when the default is computed at run time ("all cores", "epochs/200"). */
  defaultText?: string;
  /** Defaults that depend on a preset or scale flag (shown in --help). */
  presetDefaults?: PresetDefaults;
}

/** Inclusive (`min`, `max`) and exclusive (`gt`, `lt`) bounds of a number or of each entry of a list. */
export interface Bounds {
  min?: number;
  max?: number;
  gt?: number;
  lt?: number;
}

export interface NumberSpec extends BaseSpec, Bounds {
  type: 'int' | 'number';
  default?: number;
}
export interface ListSpec extends BaseSpec, Bounds {
  /** Comma-separated numbers; `ints` requires integers. */
  type: 'ints' | 'numbers';
  default?: readonly number[];
  /** Refuse repeated entries. */
  distinct?: boolean;
}
export interface StringSpec extends BaseSpec {
  type: 'string';
  default?: string;
}
export interface PathSpec extends BaseSpec {
  type: 'path';
  default?: string;
  /** What the path must be (checked before any work by the CLI; see `io/paths.ts`). */
  path?: PathRule;
}
export interface EnumSpec extends BaseSpec {
  type: 'enum';
  choices: readonly string[];
  default?: string;
}
export interface StringsSpec extends BaseSpec {
  type: 'strings';
  /** Allowed entries. */
  choices?: readonly string[];
  default?: readonly string[];
}
export interface BoolSpec extends BaseSpec {
  type: 'bool';
  /** Absent booleans are false unless the default says true (`--no-NAME` turns them off). */
  default?: boolean;
}

export type FlagSpec = NumberSpec | ListSpec | StringSpec | PathSpec | EnumSpec | StringsSpec | BoolSpec;
export type FlagSpecs = Record<string, FlagSpec>;

/** The TypeScript type of a parsed flag value. */
export type FlagValue<S> = S extends { type: 'int' | 'number' }
  ? number
  : S extends { type: 'bool' }
    ? boolean
    : S extends { type: 'enum'; choices: readonly (infer C)[] }
      ? C
      : S extends { type: 'ints' | 'numbers' }
        ? number[]
        : S extends { type: 'strings'; choices: readonly (infer C)[] }
          ? C[]
          : S extends { type: 'strings' }
            ? string[]
            : string;

type Always<S> = S extends { type: 'bool' } ? true : S extends { default: unknown } ? true : false;

/** Parsed values of a spec record: flags with a default (and booleans) are always set, the others may be undefined. */
export type Values<S extends FlagSpecs> = {
  -readonly [K in keyof S]: Always<S[K]> extends true ? FlagValue<S[K]> : FlagValue<S[K]> | undefined;
};

/** Keeps the literal types of a spec record (so that `Values` can follow them). */
export function defineFlags<const S extends FlagSpecs>(specs: S): S {
  return specs;
}

/** A shared spec without its default (for a command where absence means "decided elsewhere"). */
export function withoutDefault<S extends FlagSpec>(spec: S): Omit<S, 'default'> {
  return Object.fromEntries(Object.entries(spec).filter(([k]) => k !== 'default')) as Omit<S, 'default'>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function rangeText(s: Bounds): string {
  const parts: string[] = [];
  if (s.min !== undefined) parts.push(`>= ${s.min}`);
  if (s.gt !== undefined) parts.push(`> ${s.gt}`);
  if (s.max !== undefined) parts.push(`<= ${s.max}`);
  if (s.lt !== undefined) parts.push(`< ${s.lt}`);
  return parts.join(' and ');
}

function bounds(s: FlagSpec): Bounds {
  return s.type === 'int' || s.type === 'number' || s.type === 'ints' || s.type === 'numbers' ? s : {};
}

function expectation(s: FlagSpec): string {
  const what =
    s.type === 'int' ? 'an integer' : s.type === 'number' ? 'a number' : s.type === 'path' ? 'a path' : 'a value';
  const r = rangeText(bounds(s));
  return r ? `${what} ${r}` : what;
}

function parseNumber(flag: string, raw: string, s: Bounds, integer: boolean): number {
  const v = raw.trim() === '' ? NaN : Number(raw);
  const kind = integer ? 'an integer' : 'a number';
  const r = rangeText(s);
  const want = r ? `${kind} ${r}` : kind;
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v)))
    throw new UsageError(`--${flag}: expected ${want}, got "${raw}"`);
  if (
    (s.min !== undefined && v < s.min) ||
    (s.max !== undefined && v > s.max) ||
    (s.gt !== undefined && !(v > s.gt)) ||
    (s.lt !== undefined && !(v < s.lt))
  ) {
    throw new UsageError(`--${flag}: expected ${want}, got ${raw}`);
  }
  return v;
}

function listItems(raw: string): string[] {
  return raw
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
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
      if (!s.choices.includes(raw))
        throw new UsageError(`--${flag}: expected one of ${s.choices.join('|')}, got "${raw}"`);
      return raw;
    case 'ints':
    case 'numbers': {
      const items = listItems(raw);
      const integer = s.type === 'ints';
      if (items.length === 0)
        throw new UsageError(
          `--${flag}: expected a comma-separated list of ${integer ? 'integers' : 'numbers'}, got "${raw}"`,
        );
      const xs = items.map((x) => parseNumber(flag, x, s, integer));
      if (s.distinct && new Set(xs).size !== xs.length)
        throw new UsageError(`--${flag}: entries must be distinct, got ${xs.join(',')}`);
      return xs;
    }
    case 'strings': {
      const items = listItems(raw);
      if (items.length === 0) throw new UsageError(`--${flag}: expected a comma-separated list, got "${raw}"`);
      if (s.choices)
        for (const x of items)
          if (!s.choices.includes(x))
            throw new UsageError(`--${flag}: expected entries from ${s.choices.join('|')}, got "${x}"`);
      return items;
    }
    case 'bool':
      return true;
  }
}

/** True for an argument that is a flag rather than a value (`--json`, `-h`); negative numbers are values. */
function looksLikeFlag(arg: string, s: FlagSpec): boolean {
  if (s.type === 'path') return arg.startsWith('-') && arg !== '-';
  return arg.startsWith('--') || /^-[A-Za-z]$/.test(arg);
}

export interface Parsed<S extends FlagSpecs> {
  values: Values<S>;
  positionals: string[];
  /** Flags the user gave explicitly, by their current names (to distinguish them from defaults and presets). */
  given: Set<string>;
  /** One line per deprecated name used ("--steps is deprecated; use --grid-points"). */
  warnings: string[];
  /** `--help` or `-h` was given. */
  help: boolean;
}

export interface ParseOptions {
  /** Accept positional arguments. */
  positionals?: boolean;
  /** Deprecated names: old flag name → current flag name. */
  aliases?: Readonly<Record<string, string>>;
}

/**
 * Parse `argv` against `specs`. Accepts `--flag value`, `--flag=value`, `-x value`, `--no-flag` for booleans.
 * A value that is itself a flag (`--out --json`) is refused.
 */
export function parseArgs<S extends FlagSpecs>(argv: readonly string[], specs: S, opts: ParseOptions = {}): Parsed<S> {
  const values: Record<string, unknown> = {};
  const given = new Set<string>();
  const positionals: string[] = [];
  const warnings: string[] = [];
  const aliases = opts.aliases ?? {};
  for (const [old, now] of Object.entries(aliases)) {
    if (!(now in specs) || old in specs) throw new Error(`flag alias --${old} -> --${now} does not fit the specs`);
  }
  let help = false;
  const shortMap = new Map<string, string>();
  for (const [name, s] of Object.entries(specs)) if (s.short) shortMap.set(s.short, name);
  const resolve = (name: string): string => {
    const now = aliases[name];
    if (now === undefined) return name;
    const line = `--${name} is deprecated; use --${now} (the old name will be removed in the next release)`;
    if (!warnings.includes(line)) warnings.push(line);
    return now;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (arg === '--') {
      if (!opts.positionals && i + 1 < argv.length) throw new UsageError(`unexpected argument "${argv[i + 1]}"`);
      positionals.push(...argv.slice(i + 1));
      break;
    }
    let typed: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      typed = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (/^-[A-Za-z]$/.test(arg)) {
      typed = shortMap.get(arg.slice(1));
      if (!typed) throw new UsageError(`unknown flag ${arg}`);
    } else {
      if (!opts.positionals) throw new UsageError(`unexpected argument "${arg}"`);
      positionals.push(arg);
      continue;
    }
    if (!(typed in specs) && !(typed in aliases) && typed.startsWith('no-')) {
      const base = resolve(typed.slice(3));
      if (specs[base]?.type === 'bool') {
        if (inline !== undefined) throw new UsageError(`--${typed}: takes no value`);
        values[base] = false;
        given.add(base);
        continue;
      }
    }
    const name = resolve(typed);
    const spec = specs[name];
    if (!spec) throw new UsageError(`unknown flag --${typed} (see --help)`);
    if (spec.type === 'bool') {
      if (inline !== undefined && !['true', 'false'].includes(inline))
        throw new UsageError(`--${typed}: expected true or false, got "${inline}"`);
      values[name] = inline === undefined ? true : inline === 'true';
      given.add(name);
      continue;
    }
    let raw = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`--${typed}: missing value (${spec.metavar ?? expectation(spec)})`);
      if (looksLikeFlag(next, spec))
        throw new UsageError(`--${typed}: missing value (${spec.metavar ?? expectation(spec)}); "${next}" is a flag`);
      raw = next;
      i++;
    }
    values[name] = parseValue(typed, raw, spec);
    given.add(name);
  }
  for (const [name, s] of Object.entries(specs)) {
    if (name in values) continue;
    if (s.default !== undefined) values[name] = Array.isArray(s.default) ? [...(s.default as unknown[])] : s.default;
    else if (s.type === 'bool') values[name] = false;
  }
  return { values: values as Values<S>, positionals, given, warnings, help };
}

function show(v: unknown): string {
  return Array.isArray(v) ? v.join(',') : String(v);
}

/** The default as --help shows it: the value, the per-preset values, or the run-time rule. */
export function defaultText(s: FlagSpec): string | undefined {
  if (s.presetDefaults) {
    const entries = Object.entries(s.presetDefaults.values).map(([k, v]) => [k, show(v)] as const);
    if (entries.length && entries.every(([, v]) => v === entries[0][1])) return entries[0][1];
    return `by --${s.presetDefaults.flag}: ${entries.map(([k, v]) => `${k} ${v}`).join(', ')}`;
  }
  if (s.defaultText !== undefined) return s.defaultText;
  if (s.type === 'bool') return s.default ? 'on; --no-… turns it off' : undefined;
  return s.default !== undefined ? show(s.default) : undefined;
}

/**
 * Render the flag table for --help: every flag with its placeholder, range and default (`extra` rows, such as
 * `--help`, at the end). A help text always starts at least two spaces after the flag (on the next line when the
 * flag is too long).
 */
export function formatFlags(specs: FlagSpecs, extra: ReadonlyArray<readonly [string, string]> = []): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const meta =
      s.type === 'bool' ? '' : ` ${s.metavar ?? (s.type === 'enum' ? s.choices.join('|') : s.type.toUpperCase())}`;
    const left = `${s.short ? `-${s.short}, ` : '    '}--${name}${meta}`;
    const d = defaultText(s);
    const dflt = d === undefined ? '' : ` (default ${d.replace('--no-…', `--no-${name}`)})`;
    const r = rangeText(bounds(s));
    return [left, `${s.help}${r ? ` [${r}]` : ''}${dflt}`] as const;
  });
  rows.push(...extra.map(([flag, help]) => [`    ${flag}`, help] as const));
  const w = Math.min(38, Math.max(...rows.map((r) => r[0].length)) + 2);
  return rows
    .map(([l, r]) => (l.length + 2 <= w ? `  ${l.padEnd(w)}${r}` : `  ${l}\n  ${' '.repeat(w)}${r}`))
    .join('\n');
}

/** The deprecated names of a command for --help, or '' if it has none. */
export function formatAliases(aliases: Readonly<Record<string, string>> = {}): string {
  const old = Object.entries(aliases);
  if (!old.length) return '';
  return [
    'Deprecated names (accepted with a warning until the next release):',
    ...old.map(([o, n]) => `  --${o}  is now --${n}`),
  ].join('\n');
}
