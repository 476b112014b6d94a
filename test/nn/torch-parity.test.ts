// Cross-framework check (skipped without /usr/bin/python3 + torch): a U-Net saved by this engine, loaded into the
// PyTorch re-implementation of bench/torch_nn.py with load_state_dict, gives the same output in float64.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Rng } from '../../src/random/rng.js';
import { RefBackend } from '../../src/nn/kernels/ref.js';
import { UNet } from '../../src/nn/models/unet.js';
import { loadModel, saveModel } from '../../src/nn/io/weights.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/nn/io/safetensors.js';
import { tensor } from '../../src/nn/tensor.js';

const dir = mkdtempSync(join(tmpdir(), 'phaseflow-nn-torch-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const script = fileURLToPath(new URL('../../bench/torch_nn.py', import.meta.url));

test('U-Net output matches the PyTorch implementation loaded from our safetensors', (t) => {
  if (spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status !== 0) {
    t.skip('torch not available');
    return;
  }
  const be = new RefBackend();
  const cfg = { channels: [8, 16], blocksPerLevel: 2, attentionLevels: [1], groups: 4, headDim: 4, timeScale: 100 };
  const net = new UNet(be, cfg, Rng.seeded(3));
  // Non-trivial norms: draw GroupNorm affine parameters too.
  const rng = Rng.seeded(4);
  for (const [name, p] of net.namedParams()) {
    if (name.includes('norm'))
      be.write(
        p.ptr,
        Float64Array.from({ length: p.size }, () => 1 + 0.3 * rng.normal()),
      );
  }
  saveModel(dir, net);
  const model = loadModel(dir, be) as UNet; // weights rounded to float32 exactly as the file holds them
  const N = 3,
    shape = [N, 1, 8, 8];
  const x = Float32Array.from({ length: N * 64 }, () => rng.normal());
  const times = Float32Array.from([0.1, 0.55, 0.9]);
  const inputs = join(dir, 'inputs.safetensors');
  writeFileSync(
    inputs,
    encodeSafetensors([
      { name: 'x', shape, data: x },
      { name: 't', shape: [N], data: times },
    ]),
  );
  const outPath = join(dir, 'y.safetensors');
  const r = spawnSync('/usr/bin/python3', [script, 'forward', dir, inputs, outPath], {
    encoding: 'utf8',
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  const want = decodeSafetensors(readFileSync(outPath)).tensors.get('y')!.data;
  const xp = be.alloc(N * 64);
  be.write(xp, x);
  const y = model.forward(tensor(shape, xp), Array.from(times));
  const got = be.read(y.ptr, N * 64);
  let scale = 0,
    err = 0;
  for (let i = 0; i < got.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  // torch computes in float64 and writes float32: agreement to float32 rounding.
  assert.ok(err <= 1e-6 * scale, `max error ${err} at scale ${scale}`);
  be.free(xp);
  model.dispose();
  net.dispose();
});
