import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './cli.js';
import { gpuForTests } from '../helpers/gpu.js';

// `phaseflow gmm --backend webgpu` from the built package: the one-line exit-2 messages without the package or an
// adapter, and a small run with a checkpoint and a resume (on Mesa's software adapter in CI).

const gpu = await gpuForTests();
await gpu.host?.close();
const small = [
  '--d',
  '64',
  '--n',
  '16',
  '--grid-points',
  '6',
  '--lr',
  '3e-3',
  '--gen-samples',
  '200',
  '--theory',
  'none',
];

/** The last line of stderr (Dawn prints its own warnings before phaseflow's message). */
const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';

test('gmm --backend webgpu without the webgpu package: exit 2, one line saying what to install', () => {
  const r = runCli(['gmm', ...small, '--epochs', '5', '--backend', 'webgpu'], {
    env: { PHASEFLOW_WEBGPU_MODULE: 'webgpu-not-installed-here' },
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(lastLine(r.stderr), /^phaseflow gmm: --backend webgpu: the optional package .* npm install webgpu$/);
});

test('gmm --backend webgpu without a Vulkan driver: exit 2, naming the Debian packages', { skip: gpu.skip }, () => {
  const r = runCli(['gmm', ...small, '--epochs', '5', '--backend', 'webgpu'], {
    env: { VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' },
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(lastLine(r.stderr), /no WebGPU adapter: .*mesa-vulkan-drivers libvulkan1$/);
});

test(
  "gmm --backend webgpu: a small run gives the wasm backend's pHat and writes its outputs",
  { skip: gpu.skip },
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-gpu-gmm-'));
    try {
      const args = ['gmm', ...small, '--epochs', '40', '--json', '--quiet'];
      const g = runCli([...args, '--backend', 'webgpu', '--out', dir]);
      assert.equal(g.status, 0, g.stderr);
      const w = runCli([...args, '--backend', 'wasm', '--threads', '1']);
      assert.equal(w.status, 0, w.stderr);
      type Summary = { pHat: number; config: { backend: string }; loss: { final: number } };
      const jg = JSON.parse(g.stdout) as Summary;
      const jw = JSON.parse(w.stdout) as Summary;
      assert.equal(jg.config.backend, 'webgpu');
      assert.ok(Math.abs(jg.pHat - jw.pHat) <= 2 / 200, `pHat ${jg.pHat} vs wasm ${jw.pHat}`);
      assert.ok(Math.abs(jg.loss.final - jw.loss.final) < 1e-4 * jw.loss.final);
      const saved = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as Summary;
      assert.equal(saved.pHat, jg.pHat);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test(
  "reproduce --backend webgpu: the gmm stages train on the GPU and give the wasm backend's pHat",
  { skip: gpu.skip },
  () => {
    const dirs = [mkdtempSync(join(tmpdir(), 'pf-gpu-rep-')), mkdtempSync(join(tmpdir(), 'pf-wasm-rep-'))];
    try {
      type Rec = { status: string; summary: { pHat: number; config: { backend: string }; lossFinal: number } };
      const [g, w] = (['webgpu', 'wasm'] as const).map((backend, i) => {
        const r = runCli([
          'reproduce',
          '--scale',
          'tiny',
          '--only',
          'gmm-linear',
          '--backend',
          backend,
          '--threads',
          '1',
          '--quiet',
          '--out',
          dirs[i],
        ]);
        assert.equal(r.status, 0, r.stderr);
        return JSON.parse(readFileSync(join(dirs[i], 'stages', 'gmm-linear.json'), 'utf8')) as Rec;
      });
      assert.equal(g.status, 'done');
      assert.equal(g.summary.config.backend, 'webgpu');
      assert.equal(w.summary.config.backend, 'wasm');
      // Same seed, data and in-kernel normals: the runs differ by float32 rounding only.
      assert.ok(Math.abs(g.summary.pHat - w.summary.pHat) <= 2 / 400, `pHat ${g.summary.pHat} vs ${w.summary.pHat}`);
      assert.ok(Math.abs(g.summary.lossFinal - w.summary.lossFinal) < 1e-4 * w.summary.lossFinal);
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  },
);
