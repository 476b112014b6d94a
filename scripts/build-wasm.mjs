// Compiles every AssemblyScript entry file `assembly/<name>.ts` (files starting with `_` and the
// `assembly/lib/` folder are shared sources, not entries) into `build/<name>.wasm`.
// Flags follow docs/engines.md: stub runtime, imported shared memory, SIMD + threads, no asserts.
// Entries listed in RELAXED are built twice: `build/<name>.wasm` (plain SIMD) and `build/<name>-relaxed.wasm` with
// `--enable relaxed-simd` (fused multiply-add through assembly/_simd.ts); the host picks one at load time.
// Progress goes to stderr, so `npm run -s bench -- --json` prints only JSON on stdout.
import { readdirSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync as readText } from 'node:fs';
import { exportsSource, TARGETS } from './kernel-exports.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'assembly');
const out = join(root, 'build');
mkdirSync(out, { recursive: true });
const asc = join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
if (!existsSync(asc)) {
  console.error('build-wasm: assemblyscript is not installed; run `npm install` first');
  process.exit(1);
}
const entries = existsSync(src)
  ? readdirSync(src).filter((f) => f.endsWith('.ts') && !f.startsWith('_') && statSync(join(src, f)).isFile())
  : [];
const RELAXED = new Set(['nn']);
for (const file of entries) {
  const name = file.replace(/\.ts$/, '');
  const variants = RELAXED.has(name)
    ? [
        [name, []],
        [`${name}-relaxed`, ['--enable', 'relaxed-simd']],
      ]
    : [[name, []]];
  for (const [target, extra] of variants) {
    const args = [
      asc,
      join(src, file),
      '-O3',
      '--runtime',
      'stub',
      '--importMemory',
      '--sharedMemory',
      '--initialMemory',
      '1',
      '--maximumMemory',
      '65536',
      '--enable',
      'simd',
      '--enable',
      'threads',
      ...extra,
      '--noAssert',
      '-o',
      join(out, `${target}.wasm`),
    ];
    execFileSync(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    console.error(`build-wasm: ${file} -> build/${target}.wasm`);
  }
}

// Typed export contracts (scripts/kernel-exports.mjs), rewritten only when they change.
for (const entry of Object.keys(TARGETS)) {
  const file = join(root, TARGETS[entry][0]);
  const text = exportsSource(root, entry);
  if (!existsSync(file) || readText(file, 'utf8') !== text) {
    writeFileSync(file, text);
    console.error(`build-wasm: ${TARGETS[entry][0]} (typed exports of ${entry}) updated`);
  }
}
