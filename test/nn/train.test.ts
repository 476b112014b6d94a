// End-to-end training smoke tests through the host-array trainers: the losses must fall.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/random/rng.js';
import { WasmBackend } from '../../src/nn/kernels/wasm.js';
import { UNet } from '../../src/nn/models/unet.js';
import { Classifier } from '../../src/nn/models/classifier.js';
import { AdamW, Adam, cosineWithWarmup, Ema } from '../../src/nn/optim/index.js';
import { ClassifierTrainer, DenoiserTrainer } from '../../src/nn/train.js';

const be = await WasmBackend.create({ threads: 2 });
after(() => be.dispose());

test('U-Net learns to denoise a two-image data set (loss falls well below the noise variance)', () => {
  const rng = Rng.seeded(1);
  const net = new UNet(be, { channels: [8, 16], blocksPerLevel: 1, attentionLevels: [1], groups: 4, headDim: 8 }, rng);
  const ema = new Ema(net, { decay: 0.99 });
  const trainer = new DenoiserTrainer(net, new AdamW(net, { lr: 2e-3 }), {
    clip: 1,
    schedule: cosineWithWarmup({ base: 2e-3, warmupSteps: 10, totalSteps: 150 }),
    ema,
  });
  const N = 8,
    P = 64,
    shape = [N, 1, 8, 8];
  const images = [
    Float64Array.from({ length: P }, (_, i) => (i % 8 < 4 ? 1 : -1)),
    Float64Array.from({ length: P }, (_, i) => (i < 32 ? 1 : -1)),
  ];
  const xt = new Float64Array(N * P),
    eps = new Float64Array(N * P);
  let early = 0,
    late = 0;
  for (let s = 0; s < 150; s++) {
    const t = Array.from({ length: N }, () => rng.uniform() * 0.8);
    for (let n = 0; n < N; n++) {
      const img = images[n % 2],
        b = Math.cos((Math.PI / 2) * t[n]),
        a = Math.sin((Math.PI / 2) * t[n]);
      for (let i = 0; i < P; i++) {
        eps[n * P + i] = rng.normal();
        xt[n * P + i] = a * eps[n * P + i] + b * img[i];
      }
    }
    const r = trainer.step(xt, t, eps, shape);
    assert.ok(Number.isFinite(r.loss) && Number.isFinite(r.gradNorm));
    if (s < 10) early += r.loss / 10;
    if (s >= 140) late += r.loss / 10;
  }
  assert.ok(late < 0.5 * early && late < 0.5, `loss ${early} -> ${late}`);
  assert.equal(trainer.steps, 150);
  assert.equal(trainer.predict(xt, new Array(N).fill(0.5), shape).length, N * P);
  trainer.dispose();
  ema.dispose();
  net.dispose();
});

test('classifier trainer reaches full accuracy on separable classes', () => {
  const rng = Rng.seeded(2);
  const net = new Classifier(be, { size: 8, channels: [4, 8], hidden: 16, classes: 3 }, rng);
  const trainer = new ClassifierTrainer(net, new Adam(net, { lr: 5e-3 }));
  const N = 12,
    shape = [N, 1, 8, 8];
  const x = new Float64Array(N * 64),
    labels: number[] = [];
  for (let n = 0; n < N; n++) {
    const k = n % 3;
    labels.push(k);
    for (let i = 0; i < 64; i++) x[n * 64 + i] = (Math.floor(i / 8) % 3 === k ? 1 : 0) + 0.1 * rng.normal();
  }
  let acc = 0;
  for (let s = 0; s < 60; s++) acc = trainer.step(x, labels, shape).accuracy;
  assert.equal(acc, 1);
  assert.deepEqual(Array.from(trainer.predict(x, shape)), labels);
  assert.throws(() => trainer.step(x.subarray(1), labels, shape), /expected 768 values/);
  trainer.dispose();
  net.dispose();
});
