import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from './cli.js';
import { gpuForTests } from '../helpers/gpu.js';

// The real-data commands with --backend webgpu from the built package: the one-line exit-2 messages without the
// package or an adapter, and one tiny `denoise` (oracle training, 12 U-Net steps, generation and evaluation) on both
// backends, compared (docs/gpu.md, "The real-data commands"). On Mesa's software adapter in CI the webgpu run takes
// about a minute on 2 cores, so it is the only full run here.

const gpu = await gpuForTests();
await gpu.host?.close();
const tiny = ['--scale', 'tiny', '--threads', '1', '--quiet'];
const lastLine = (s: string) => s.trim().split('\n').pop() ?? '';

test('classify --backend webgpu without the webgpu package: exit 2, one line saying what to install', () => {
  const r = runCli(['classify', ...tiny, '--backend', 'webgpu'], {
    env: { PHASEFLOW_WEBGPU_MODULE: 'webgpu-not-installed-here' },
  });
  assert.equal(r.status, 2, r.stderr);
  assert.match(
    lastLine(r.stderr),
    /^phaseflow classify: --backend webgpu: the optional package .* npm install webgpu$/,
  );
});

test('denoise and mnist --backend webgpu without a Vulkan driver: exit 2 before any work', { skip: gpu.skip }, () => {
  for (const cmd of ['denoise', 'mnist']) {
    const r = runCli([cmd, ...tiny, '--backend', 'webgpu'], {
      env: { VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(
      lastLine(r.stderr),
      new RegExp(`^phaseflow ${cmd}: --backend webgpu: .*no WebGPU adapter: .*libvulkan1$`),
    );
  }
});

interface Proportion {
  k: number;
  n: number;
  value: number;
  low: number;
  high: number;
}
interface DenoiseJson {
  backend: string;
  run: { losses: [number, number][] };
  evaluation: { fractionA: Proportion; oracle: { accuracy: Proportion } };
}

test(
  "denoise --scale tiny --backend webgpu: the wasm backend's losses, oracle accuracy and class fraction",
  { skip: gpu.skip },
  () => {
    const args = ['denoise', ...tiny, '--json', '--preview', '0'];
    const g = runCli([...args, '--backend', 'webgpu'], { timeoutMs: 900000 });
    assert.equal(g.status, 0, g.stderr);
    const w = runCli([...args, '--backend', 'wasm']);
    assert.equal(w.status, 0, w.stderr);
    const jg = JSON.parse(g.stdout) as DenoiseJson;
    const jw = JSON.parse(w.stdout) as DenoiseJson;
    assert.equal(jg.backend, 'webgpu');
    assert.equal(jw.backend, 'wasm');
    // Training losses, step by step: measured within 2e-6 relative after 12 AdamW steps (float32 sums in another
    // order); 1e-4 leaves room for hardware GPUs (fused multiply-adds, other division and square root).
    assert.equal(jg.run.losses.length, jw.run.losses.length);
    for (const [i, [step, lw]] of jw.run.losses.entries()) {
      const [sg, lg] = jg.run.losses[i];
      assert.equal(sg, step);
      assert.ok(Math.abs(lg - lw) <= 1e-4 * Math.abs(lw), `step ${step}: loss ${lg} (webgpu) vs ${lw} (wasm)`);
    }
    // The oracle's held-out accuracy (200 images) and the generated class fraction: measured equal (199/200, 12/12).
    // A count may move by one image near a decision boundary; each estimate must lie in the other's 95 % interval.
    const ag = jg.evaluation.oracle.accuracy,
      aw = jw.evaluation.oracle.accuracy;
    assert.equal(ag.n, aw.n);
    assert.ok(Math.abs(ag.k - aw.k) <= 2, `oracle accuracy ${ag.k}/${ag.n} (webgpu) vs ${aw.k}/${aw.n} (wasm)`);
    const fg = jg.evaluation.fractionA,
      fw = jw.evaluation.fractionA;
    assert.equal(fg.n, fw.n);
    assert.ok(Math.abs(fg.k - fw.k) <= 1, `class fraction ${fg.k}/${fg.n} (webgpu) vs ${fw.k}/${fw.n} (wasm)`);
    assert.ok(fg.value >= fw.low && fg.value <= fw.high, `webgpu fraction ${fg.value} outside wasm's interval`);
    assert.ok(fw.value >= fg.low && fw.value <= fg.high, `wasm fraction ${fw.value} outside webgpu's interval`);
  },
);
