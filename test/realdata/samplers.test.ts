// The few-step samplers where images are generated: --sample-method ddim|dpm++2m with --sample-eta reach the config
// and the generator, the U-Turn refuses deterministic samplers, and the sampler table formats its rows.
import { NONE } from '../../src/nn/kernels/backend.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RefBackend } from '../../src/nn/kernels/ref.js';
import { tensor, numel, type Tensor } from '../../src/nn/tensor.js';
import { UsageError } from '../../src/cli/args.js';
import { UTURN_FLAGS } from '../../src/cli/commands/uturn.js';
import { DENOISER_FLAGS, configFromFlags, overridesFromFlags } from '../../src/realdata/cliOptions.js';
import { resolveConfig } from '../../src/realdata/config.js';
import { VP_SDE } from '../../src/realdata/denoiser.js';
import { evaluationsPerImage, generateImages } from '../../src/realdata/generate.js';
import type { TimeConditionedNet } from '../../src/realdata/predictor.js';
import { fewStepGrid } from '../../src/solver/fewStep.js';
import {
  parseSamplers,
  samplerLabel,
  samplerTableMarkdown,
  type SamplerTableRow,
} from '../../src/realdata/samplerTable.js';
import { wilson } from '../../src/uturn/binomial.js';

test('--sample-method offers ddim and dpm++2m; --sample-eta is one number in [0, 1] that reaches sampling.eta', () => {
  const m = DENOISER_FLAGS['sample-method'];
  assert.ok(m.choices.includes('ddim') && m.choices.includes('dpm++2m') && m.choices.includes('sde'));
  const e = DENOISER_FLAGS['sample-eta'];
  assert.equal(e.type, 'number');
  assert.equal(e.min, 0);
  assert.equal(e.max, 1);
  const o = overridesFromFlags({ 'sample-method': 'ddim', 'sample-eta': 0.25 });
  assert.equal(o.sampling!.method, 'ddim');
  assert.equal(o.sampling!.eta, 0.25);
  const c = configFromFlags({ scale: 'tiny', 'sample-method': 'dpm++2m' });
  assert.equal(c.sampling.method, 'dpm++2m');
  assert.equal(c.sampling.eta, undefined, 'absent = 0, and the default config (and its hashes) are unchanged');
  assert.throws(
    () => resolveConfig('tiny', { sampling: { eta: 1.5 } }),
    /sampling\.eta: expected a number in \[0, 1\]/,
  );
});

test('the U-Turn keeps a stochastic sampler: sde, or ddim with eta > 0; deterministic ones are refused', () => {
  assert.deepEqual([...UTURN_FLAGS['uturn-method'].choices], ['sde', 'ddim']);
  assert.equal(resolveConfig('tiny').uturn.method, 'sde');
  for (const method of ['ode', 'euler', 'dpm++2m'] as const) {
    assert.throws(
      () => resolveConfig('tiny', { uturn: { method } }),
      (e) =>
        e instanceof RangeError &&
        e.message.startsWith('uturn.method: the U-Turn regenerates with a stochastic sampler') &&
        e.message.includes(`got ${method};`),
    );
  }
  assert.throws(
    () => resolveConfig('tiny', { uturn: { method: 'ddim' } }),
    /got ddim with --sample-eta 0; use sde \(the paper\) or ddim with --sample-eta > 0/,
  );
  assert.equal(resolveConfig('tiny', { uturn: { method: 'ddim' }, sampling: { eta: 1 } }).uturn.method, 'ddim');
  // From flags the refusal is a usage error (exit 2).
  assert.throws(
    () =>
      configFromFlags({ scale: 'tiny', 'uturn-method': 'ddim' }, (o) => Object.assign(o.uturn!, { method: 'ddim' })),
    (e) => e instanceof UsageError && /stochastic/.test(e.message),
  );
});

const mData = 0.3,
  sData = 0.5,
  size = 4;

/** Exact eps for data N(mData, sData^2 I) under the VP-SDE, as a stand-in U-Net (network time s = 1 - t). */
function gaussianNet(be: RefBackend): TimeConditionedNet {
  let out = NONE;
  return {
    be,
    config: { inChannels: 1, sampleSize: size },
    forward(x: Tensor, s: ArrayLike<number>): Tensor {
      const n = x.shape[0],
        P = numel(x.shape) / n;
      if (out) be.free(out);
      out = be.alloc(n * P);
      for (let k = 0; k < n; k++) {
        const { alpha, beta } = VP_SDE.at(1 - s[k]);
        const g = alpha / (alpha * alpha + beta * beta * sData * sData);
        for (let i = 0; i < P; i++) be.heap[out + k * P + i] = g * (be.heap[x.ptr + k * P + i] - beta * mData);
      }
      return tensor(x.shape, out);
    },
  };
}

/** Mean and sd per pixel after DDIM(eta) on Gaussian data, exactly: each step is affine, x_t = A x_s + B + sigma xi. */
function ddimGaussianMoments(eta: number, grid: ArrayLike<number>): { mean: number; sd: number } {
  let mean = 0,
    v = VP_SDE.at(grid[0]).alpha ** 2; // generateImages starts from N(0, alpha(0)^2)
  for (let k = 0; k + 1 < grid.length; k++) {
    const s = VP_SDE.at(grid[k]),
      t = VP_SDE.at(grid[k + 1]);
    const alphaT = t.alpha < 1e-8 ? 0 : t.alpha;
    // Song et al. (2021) eq. 16 through the forward chain's posterior: sigma^2 = eta^2 alpha_t^2 (1 - (alpha_t beta_s / (alpha_s beta_t))^2).
    const r = (alphaT * s.beta) / (s.alpha * t.beta);
    const sig2 = eta * eta * alphaT * alphaT * (1 - r * r);
    const ce = Math.sqrt(alphaT * alphaT - sig2);
    // Bayes denoiser xhat = mData + g (x - beta_s mData), g = beta_s sData^2 / V_s; eps = (x - beta_s xhat) / alpha_s.
    const V = s.alpha ** 2 + s.beta ** 2 * sData ** 2;
    const g = (s.beta * sData * sData) / V;
    const affine = (x: number) => {
      const xhat = mData + g * (x - s.beta * mData);
      return t.beta * xhat + (ce * (x - s.beta * xhat)) / s.alpha;
    };
    const B = affine(0),
      A = affine(1) - B;
    mean = A * mean + B;
    v = A * A * v + sig2;
  }
  return { mean, sd: Math.sqrt(v) };
}

function moments(x: Float64Array): { mean: number; sd: number } {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return { mean, sd: Math.sqrt(x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length) };
}

for (const eta of [0, 1]) {
  test(`generateImages with ddim eta=${eta} at 20 steps: moments equal the exact affine recursion of DDIM on Gaussian data`, async () => {
    const net = gaussianNet(new RefBackend());
    const x = await generateImages({ net, n: 500, method: 'ddim', eta, stepsPerUnit: 20, batch: 128, seed: 4 });
    const got = moments(x);
    const want = ddimGaussianMoments(eta, fewStepGrid(VP_SDE, 20));
    // 8000 values: standard errors 0.006 (mean) and 0.004 (sd). DDIM shrinks the variance by about cos^2 of each step's
    // angle in (alpha, beta sData); the data sd is 0.5, the prediction for 20 steps ~0.43 (eta 0) and ~0.39 (eta 1).
    assert.ok(
      Math.abs(got.mean - want.mean) < 0.03 && Math.abs(got.sd - want.sd) < 0.02,
      `got ${JSON.stringify(got)}, exact ${JSON.stringify(want)}`,
    );
    assert.ok(want.sd < sData - 0.04, 'the check separates the sampler from the data law');
    const again = await generateImages({ net, n: 500, method: 'ddim', eta, stepsPerUnit: 20, batch: 128, seed: 4 });
    assert.deepEqual(again, x, 'seeded');
  });
}

for (const spacing of ['uniform', 'logsnr', 'karras'] as const) {
  test(`generateImages with dpm++2m (${spacing} grid) at 50 steps reproduces Gaussian data`, async () => {
    const got = moments(
      await generateImages({
        net: gaussianNet(new RefBackend()),
        n: 500,
        method: 'dpm++2m',
        spacing,
        stepsPerUnit: 50,
        batch: 128,
        seed: 4,
      }),
    );
    assert.ok(Math.abs(got.mean - mData) < 0.03 && Math.abs(got.sd - sData) < 0.02, `got ${JSON.stringify(got)}`);
  });
}

test('evaluations per image: one per step for the few-step samplers', () => {
  assert.equal(evaluationsPerImage('ddim', 20), 20);
  assert.equal(evaluationsPerImage('dpm++2m', 20), 20);
  assert.equal(evaluationsPerImage('ode', 20), 39);
});

test('sampler table: parse, labels and markdown', () => {
  const s = parseSamplers('sde, ddim:1,dpm++2m@logsnr,ddim');
  assert.deepEqual(s, [
    { method: 'sde' },
    { method: 'ddim', eta: 1 },
    { method: 'dpm++2m', spacing: 'logsnr' },
    { method: 'ddim' },
  ]);
  assert.deepEqual(s.map(samplerLabel), ['sde', 'ddim η=1', 'dpm++2m, logsnr', 'ddim η=0']);
  const row: SamplerTableRow = {
    sampler: 'ddim η=0',
    method: 'ddim',
    eta: 0,
    steps: 10,
    nfe: 10,
    seconds: 1.234,
    evaluation: {
      n: 100,
      fractionA: wilson(80, 100),
      target: 0.8,
      classError: 0,
      confident: wilson(95, 100),
      fd: 3.14159,
    } as SamplerTableRow['evaluation'],
  };
  const md = samplerTableMarkdown([row]).split('\n');
  assert.equal(md.length, 3);
  assert.match(md[2], /^\| ddim η=0 \| 10 \| 10 \| 80\.0 % \[71\.1, 86\.7\] \| 0\.000 \| 3\.14 \| 1\.2 \|$/);
});
