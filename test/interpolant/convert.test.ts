import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CosineInterpolant,
  VpSdeInterpolant,
  dilatedInterpolant,
  VeInterpolant,
  denoiserToNoise,
  noiseToDenoiser,
  denoiserToVelocity,
  noiseToVelocity,
  velocityToDenoiser,
  velocityToNoise,
  noiseToScore,
} from '../../src/interpolant/index.js';
import { Rng } from '../../src/random/rng.js';

test('converters are mutually consistent for the true (x0, x1) of a sample', () => {
  const rng = Rng.seeded(11);
  for (const it of [
    new CosineInterpolant(),
    new VpSdeInterpolant(),
    dilatedInterpolant(400, 2),
    new VeInterpolant(16),
  ]) {
    for (const t of [0.1 * it.tEnd, 0.37 * it.tEnd, 0.8 * it.tEnd]) {
      const c = it.at(t);
      const x0 = rng.fillNormal(new Float64Array(6));
      const x1 = rng.fillNormal(new Float64Array(6));
      const x = x0.map((v, i) => c.alpha * v + c.beta * x1[i]);
      const v = x0.map((z, i) => c.dAlpha * z + c.dBeta * x1[i]);
      const chk = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) => {
        for (let i = 0; i < a.length; i++)
          assert.ok(Math.abs(a[i] - b[i]) < 1e-9 * (1 + Math.abs(b[i])), `${it.name} ${what}`);
      };
      chk(denoiserToNoise(c, x, x1), x0, 'x1->x0');
      chk(noiseToDenoiser(c, x, x0), x1, 'x0->x1');
      chk(denoiserToVelocity(c, x, x1), v, 'x1->v');
      chk(noiseToVelocity(c, x, x0), v, 'x0->v');
      chk(velocityToDenoiser(c, x, v), x1, 'v->x1');
      chk(velocityToNoise(c, x, v), x0, 'v->x0');
      chk(
        noiseToScore(c, x0),
        x0.map((z) => -z / c.alpha),
        'score',
      );
    }
  }
});

test('out may alias an input and Float32 arrays stay Float32', () => {
  const it = new CosineInterpolant();
  const c = it.at(0.3);
  const x = Float32Array.of(1, 2, 3);
  const x1 = Float32Array.of(0.5, -1, 2);
  const v = denoiserToVelocity(c, x, x1);
  assert.ok(v instanceof Float32Array);
  const buf = Float32Array.from(x1);
  denoiserToVelocity(c, x, buf, buf);
  assert.deepEqual(Array.from(buf), Array.from(v));
});
