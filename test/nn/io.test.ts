// safetensors encoding, model save/load with config, and the failure messages on mismatched or damaged files.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Rng } from '../../src/random/rng.js';
import { RefBackend } from '../../src/nn/kernels/ref.js';
import { WasmBackend } from '../../src/nn/kernels/wasm.js';
import { decodeSafetensors, encodeSafetensors } from '../../src/nn/io/safetensors.js';
import { loadModel, loadWeights, saveModel, saveWeights } from '../../src/nn/io/weights.js';
import { UNet } from '../../src/nn/models/unet.js';
import { Classifier } from '../../src/nn/models/classifier.js';
import { Linear } from '../../src/nn/layers/linear.js';

const dir = mkdtempSync(join(tmpdir(), 'phaseflow-nn-io-'));
const wasm = await WasmBackend.create();
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await wasm.dispose();
});

test('safetensors layout: u64 header length, JSON header padded to 8 bytes, F32 little-endian data', () => {
  const bytes = encodeSafetensors(
    [
      { name: 'a', shape: [2], data: [1.5, -2] },
      { name: 'b.c', shape: [1, 1], data: [3] },
    ],
    { k: 'v' },
  );
  const dv = new DataView(bytes.buffer);
  const n = Number(dv.getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
  assert.deepEqual(header.a, { dtype: 'F32', shape: [2], data_offsets: [0, 8] });
  assert.deepEqual(header['b.c'], { dtype: 'F32', shape: [1, 1], data_offsets: [8, 12] });
  assert.deepEqual(header.__metadata__, { k: 'v' });
  assert.equal(bytes.length, 8 + n + 12);
  assert.equal(dv.getFloat32(8 + n + 4, true), -2);
  const back = decodeSafetensors(bytes);
  assert.deepEqual(Array.from(back.tensors.get('a')!.data), [1.5, -2]);
  assert.deepEqual(back.metadata, { k: 'v' });
});

test('U-Net save / load round trip through config.json (+ EMA file), across backends', () => {
  const ref = new RefBackend();
  const cfg = { channels: [8, 16], blocksPerLevel: 1, attentionLevels: [1], groups: 4, headDim: 8 };
  const net = new UNet(wasm, cfg, Rng.seeded(5));
  const ema = Float32Array.from(wasm.read(net.params.values, net.params.size), (v) => v * 0.5);
  const out = join(dir, 'unet');
  saveModel(out, net, { ema });
  assert.deepEqual(readdirSync(out).sort(), ['config.json', 'ema.safetensors', 'model.safetensors']);
  const cfgFile = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { model: string; channels: number[] };
  assert.equal(cfgFile.model, 'unet');
  assert.deepEqual(cfgFile.channels, [8, 16]);
  const meta = decodeSafetensors(readFileSync(join(out, 'model.safetensors'))).metadata;
  assert.equal((JSON.parse(meta.config) as { headDim: number }).headDim, 8);
  const back = loadModel(out, ref);
  assert.ok(back instanceof UNet);
  const a = wasm.read(net.params.values, net.params.size),
    b = ref.read(back.params.values, back.params.size);
  assert.deepEqual(Array.from(b), Array.from(a)); // f32 -> f32 exact, then widened
  const backEma = loadModel(out, ref, { ema: true });
  assert.ok(Math.abs(ref.read(backEma.params.values, 4)[0] - a[0] * 0.5) < 1e-7);
  net.dispose();
});

test('classifier config round trip', () => {
  const c = new Classifier(wasm, { size: 16, channels: [4, 8], hidden: 8, classes: 3 }, Rng.seeded(2));
  saveModel(join(dir, 'cls'), c);
  const back = loadModel(join(dir, 'cls'), wasm);
  assert.ok(back instanceof Classifier);
  assert.deepEqual(back.config, c.config);
  back.dispose();
  c.dispose();
});

test('loading refuses wrong names, shapes, dtypes and truncated files with clear messages', () => {
  const m = new Linear(wasm, { in: 3, out: 2 });
  m.materialize(Rng.seeded(1));
  const good = join(dir, 'lin.safetensors');
  saveWeights(good, m);
  loadWeights(good, m);

  const wrongShape = new Linear(wasm, { in: 4, out: 2 });
  wrongShape.materialize(Rng.seeded(1));
  assert.throws(() => loadWeights(good, wrongShape), /weight has shape \[2,3\], the model expects \[2,4\]/);

  const noBias = new Linear(wasm, { in: 3, out: 2, bias: false });
  noBias.materialize(Rng.seeded(1));
  assert.throws(() => loadWeights(good, noBias), /unexpected 1 tensor\(s\): bias/);

  const renamed = join(dir, 'renamed.safetensors');
  writeFileSync(renamed, encodeSafetensors([{ name: 'weight', shape: [2, 3], data: new Float32Array(6) }]));
  assert.throws(() => loadWeights(renamed, m), /missing 1 tensor\(s\): bias/);

  // An F64 file: same names and shapes, wrong dtype.
  const f64 = join(dir, 'f64.safetensors');
  const hdr = JSON.stringify({
    weight: { dtype: 'F64', shape: [2, 3], data_offsets: [0, 48] },
    bias: { dtype: 'F32', shape: [2], data_offsets: [48, 56] },
  });
  const hb = new TextEncoder().encode(hdr);
  const buf = new Uint8Array(8 + hb.length + 56);
  new DataView(buf.buffer).setBigUint64(0, BigInt(hb.length), true);
  buf.set(hb, 8);
  writeFileSync(f64, buf);
  assert.throws(() => loadWeights(f64, m), /weight has dtype F64, expected F32/);

  const bytes = readFileSync(good);
  const cut = join(dir, 'cut.safetensors');
  writeFileSync(cut, bytes.subarray(0, bytes.length - 5));
  assert.throws(() => loadWeights(cut, m), /truncated: tensor "bias" ends at data byte 32 but the file holds only 27/);
  writeFileSync(cut, bytes.subarray(0, 20));
  assert.throws(() => loadWeights(cut, m), /truncated: the header needs \d+ bytes but only 12 follow/);
  writeFileSync(cut, bytes.subarray(0, 3));
  assert.throws(() => loadWeights(cut, m), /truncated: 3 bytes/);
  writeFileSync(cut, 'hello world, not a tensor file');
  assert.throws(() => loadWeights(cut, m), /implausible|not valid UTF-8 JSON|truncated/);
  assert.throws(() => loadWeights(join(dir, 'nope.safetensors'), m), /cannot read/);
  assert.throws(() => loadModel(join(dir, 'nothing-here'), wasm), /cannot read model config/);
  for (const x of [m, wrongShape, noBias]) x.dispose();
});

test('PyTorch reads the file (skipped without /usr/bin/python3 + torch)', (t) => {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch, numpy'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip('torch not available');
    return;
  }
  const m = new Linear(wasm, { in: 3, out: 2 });
  m.materialize(Rng.seeded(9));
  const path = join(dir, 'torch.safetensors');
  saveWeights(path, m);
  // The documented format decoded with the standard library, loaded into torch.nn.Linear via load_state_dict.
  const py = `
import json, struct, sys, numpy as np, torch
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8 + n])
sd = {k: torch.from_numpy(np.frombuffer(b[8 + n + v['data_offsets'][0]:8 + n + v['data_offsets'][1]], dtype='<f4').reshape(v['shape']).copy())
      for k, v in h.items() if k != '__metadata__'}
lin = torch.nn.Linear(3, 2)
lin.load_state_dict(sd)
print(json.dumps(lin(torch.ones(1, 3)).tolist()[0]))`;
  const r = spawnSync('/usr/bin/python3', ['-c', py, path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const want = wasm.read(m.weight.ptr, 6),
    bias = wasm.read(m.bias!.ptr, 2);
  const got = JSON.parse(r.stdout) as number[];
  for (let o = 0; o < 2; o++) {
    const y = bias[o] + want[3 * o] + want[3 * o + 1] + want[3 * o + 2];
    assert.ok(Math.abs(got[o] - y) < 1e-5, `${got[o]} vs ${y}`);
  }
  m.dispose();
});
