// Typed contracts between the host and the wasm kernels: the generated export interface is up to date with the
// AssemblyScript sources and names exactly the functions the compiled modules export (both SIMD builds), and the
// shared layout definitions are well formed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { compileKernel } from '../../src/kernels/wasm.js';
import { enableRelaxedSimd } from '../../src/kernels/simd.js';
import { NN_EXPORT_NAMES } from '../../src/nn/kernels/exports.gen.js';
import { GMM_EXPORT_NAMES } from '../../src/autoencoder/exports.gen.js';
import * as conv from '../../src/nn/kernels/convLayout.js';
import * as gmm from '../../src/autoencoder/gmmLayout.js';
import * as control from '../../src/kernels/control.mjs';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const { exportsSource, TARGETS } = (await import(join(root, 'scripts', 'kernel-exports.mjs'))) as {
  exportsSource: (root: string, entry: string) => string;
  TARGETS: Record<string, [string, string, string]>;
};

test('the generated export contracts match the AssemblyScript sources (rerun npm run build:wasm if not)', () => {
  for (const entry of Object.keys(TARGETS)) {
    const committed = readFileSync(join(root, TARGETS[entry][0]), 'utf8');
    assert.equal(committed, exportsSource(root, entry), `${TARGETS[entry][0]} is stale`);
  }
});

test('the contracts name exactly the functions of the compiled modules (nn: both builds; gmm)', async () => {
  assert.ok(enableRelaxedSimd(), 'relaxed SIMD available in this runtime');
  for (const name of ['nn', 'nn-relaxed']) {
    const mod = await compileKernel(name);
    const fns = WebAssembly.Module.exports(mod)
      .filter((e) => e.kind === 'function')
      .map((e) => e.name);
    assert.deepEqual([...fns].sort(), [...NN_EXPORT_NAMES].sort(), name);
  }
  const gmmFns = WebAssembly.Module.exports(await compileKernel('gmm')).filter((e) => e.kind === 'function');
  assert.deepEqual(gmmFns.map((e) => e.name).sort(), [...GMM_EXPORT_NAMES].sort(), 'gmm');
});

test('the convolution geometry block: distinct slots 0 .. GEO_SLOTS - 1', () => {
  const slots = Object.entries(conv)
    .filter(([k]) => k !== 'GEO_SLOTS')
    .map(([, v]) => v as number);
  assert.deepEqual(
    [...slots].sort((a, b) => a - b),
    Array.from({ length: conv.GEO_SLOTS }, (_, i) => i),
  );
});

test('the gmm context block: distinct slots 0 .. CTX_SLOT_COUNT - 1, and the compiled kernel agrees', async () => {
  const slots = Object.entries(gmm)
    .filter(([k]) => k.startsWith('CTX_') && k !== 'CTX_SLOT_COUNT')
    .map(([, v]) => v as number);
  assert.deepEqual(
    [...slots].sort((a, b) => a - b),
    Array.from({ length: gmm.CTX_SLOT_COUNT }, (_, i) => i),
  );
  const inst = new WebAssembly.Instance(await compileKernel('gmm'), {
    env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true }), abort() {}, seed: () => 0 },
  });
  const ex = inst.exports as { layoutSlots: () => number; layoutVersion: () => number };
  assert.equal(ex.layoutSlots(), gmm.CTX_SLOT_COUNT);
  assert.equal(ex.layoutVersion(), gmm.LAYOUT_VERSION);
});

test('the pool control block: distinct header words below the task area', () => {
  const header = [control.SEQ, control.PENDING, control.CMD, control.ERRORS];
  assert.equal(new Set(header).size, header.length);
  assert.ok(Math.max(...header) < control.TASK_BASE);
  assert.equal(new Set([control.CMD_RUN, control.CMD_MSG, control.CMD_EXIT]).size, 3);
});
