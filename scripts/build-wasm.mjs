// Compiles every AssemblyScript entry file `assembly/<name>.ts` (files starting with `_` and the
// `assembly/lib/` folder are shared sources, not entries) into `build/<name>.wasm`.
// Flags follow ENGINES.md: stub runtime, imported shared memory, SIMD + threads, no asserts.
import { readdirSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

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
for (const file of entries) {
  const name = file.replace(/\.ts$/, '');
  const args = [
    asc, join(src, file), '-O3', '--runtime', 'stub', '--importMemory', '--sharedMemory',
    '--initialMemory', '1', '--maximumMemory', '65536', '--enable', 'simd', '--enable', 'threads',
    '--noAssert', '-o', join(out, `${name}.wasm`),
  ];
  execFileSync(process.execPath, args, { stdio: 'inherit' });
  console.log(`build-wasm: ${file} -> build/${name}.wasm`);
}
