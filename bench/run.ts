/**
 * `npm run bench [-- --json] [-- --only NAME] [-- --out FILE] [-- --backend webgpu]`: runs every `bench/*.bench.ts`
 * module. Each exports
 *   `name: string` and `run(opts: { json: boolean; log: (line: string) => void; backend }): Promise<Record<...>>`,
 * and optionally `backends: string[]` (default ['wasm']): with `--backend webgpu` only the modules that list it run,
 * and they time their WebGPU cases (docs/gpu.md).
 * and prints its own human-readable lines through `log` (stderr). With --json, one JSON object is printed on stdout
 * whose keys are the union of the figures the modules return (plus `machine`); everything else goes to stderr, so
 * `npm run -s bench -- --json > figures.json` (npm's `-s` drops its own two-line banner) or `--out FILE` (the same
 * object written to FILE, atomically) give clean JSON.
 * Benchmarks, not tests: the machines are shared and noisy, so every speed is reported beside PyTorch measured in the
 * same run, as a ratio.
 */
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpus } from 'node:os';
import { torchIsaCap } from './nn.bench.js';

const here = dirname(fileURLToPath(import.meta.url));
const argv = process.argv.slice(2);
const json = argv.includes('--json');
const onlyIdx = argv.indexOf('--only');
const only = onlyIdx >= 0 ? argv[onlyIdx + 1] : undefined;
const outIdx = argv.indexOf('--out');
const outFile = outIdx >= 0 ? argv[outIdx + 1] : undefined;
const backendIdx = argv.indexOf('--backend');
const backend = backendIdx >= 0 ? argv[backendIdx + 1] : 'wasm';
if (backend !== 'wasm' && backend !== 'webgpu') {
  process.stderr.write(`bench: --backend: expected wasm or webgpu, got "${backend}"\n`);
  process.exit(2);
}
try {
  torchIsaCap();
} catch (err) {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exit(2);
}
if (outIdx >= 0 && (!outFile || outFile.startsWith('--'))) {
  process.stderr.write('bench: --out: expected a file name\n');
  process.exit(2);
}
const log = (line: string) => process.stderr.write(line + '\n');

/** The code version the figures belong to (commit, "+dirty" with uncommitted changes), or null outside git. */
function gitCommit(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: here,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: here,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return null;
  }
}

const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .sort();
const figures: Record<string, unknown> = {
  machine: { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version },
};
let failed = false;
for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as {
    name: string;
    backends?: string[];
    run: (o: { json: boolean; log: (l: string) => void; backend: string }) => Promise<Record<string, unknown>>;
  };
  if (only && mod.name !== only) continue;
  if (!(mod.backends ?? ['wasm']).includes(backend)) continue;
  log(`== ${mod.name} (${f})${backend === 'wasm' ? '' : `, backend ${backend}`}`);
  try {
    Object.assign(figures, await mod.run({ json, log, backend }));
  } catch (err) {
    failed = true;
    log(`bench ${mod.name} failed: ${(err as Error).message}`);
  }
}
figures.commit = gitCommit();
if (json) process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
if (outFile) {
  writeFileSync(outFile + '.tmp', JSON.stringify(figures, null, 2) + '\n');
  renameSync(outFile + '.tmp', outFile);
  log(`bench: figures written to ${outFile}`);
}
process.exit(failed ? 1 : 0);
