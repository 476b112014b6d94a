/**
 * Finding and compiling the AssemblyScript kernels `build/<name>.wasm` (built by `npm run build:wasm`).
 *
 * The build folder sits at the package root, two levels above this file both in the sources (src/kernels/) and in
 * the compiled package (dist/kernels/), so one relative path serves both.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cache = new Map<string, WebAssembly.Module>();

/** Absolute path of `build/<name>.wasm`. */
export function wasmPath(name: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new RangeError(`invalid kernel module name "${name}"`);
  return join(packageRoot, 'build', `${name}.wasm`);
}

/** The compiled module `build/<name>.wasm` (compiled once per process and cached). */
export async function compileKernel(name: string, path = wasmPath(name)): Promise<WebAssembly.Module> {
  const key = `${name}\u0000${path}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (!existsSync(path)) {
    throw new Error(`kernel ${path} not found: run \`npm run build:wasm\` (needs the assemblyscript dev dependency)`);
  }
  const mod = await WebAssembly.compile(readFileSync(path));
  cache.set(key, mod);
  return mod;
}

/** Whether `build/<name>.wasm` exists (callers can fall back to a plain-TypeScript path). */
export function kernelAvailable(name: string): boolean {
  return existsSync(wasmPath(name));
}
