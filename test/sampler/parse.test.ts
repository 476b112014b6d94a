// parseSampler: the CLI grammar, aliases, defaults, @tEnd, and one-line RangeErrors naming the sampler and range.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TIME_SAMPLER_NAMES, parseSampler } from '../../src/sampler/index.js';
import { assertRangeError } from './helpers.js';

test('parses every documented spec into the right sampler and parameters', () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['uniform', 'uniform', {}],
    ['logit-normal:0,1', 'logit-normal', { m: 0, s: 1 }],
    ['logit-normal', 'logit-normal', { m: 0, s: 1 }],
    ['lognorm:0.5,0.8', 'logit-normal', { m: 0.5, s: 0.8 }],
    ['logit_normal:-1,2', 'logit-normal', { m: -1, s: 2 }],
    ['mode:1.29', 'mode', { scale: 1.29 }],
    ['mode', 'mode', { scale: 1.29 }],
    ['mode:-1', 'mode', { scale: -1 }],
    ['cosmap', 'cosmap', {}],
    ['edm:-1.2,1.2', 'edm', { pMean: -1.2, pStd: 1.2 }],
    ['edm', 'edm', { pMean: -1.2, pStd: 1.2 }],
    ['edm:-0.4,1', 'edm', { pMean: -0.4, pStd: 1 }],
    ['beta:2,2', 'beta', { a: 2, b: 2 }],
    ['beta:1e-1,5E0', 'beta', { a: 0.1, b: 5 }],
    ['window:0.2,0.6,0.5', 'window', { lo: 0.2, hi: 0.6, massInside: 0.5 }],
    [
      'piecewise:0-0.2:0.1,0.2-0.6:0.5,0.6-1:0.4',
      'piecewise',
      {
        segments: [
          { lo: 0, hi: 0.2, mass: 0.1 },
          { lo: 0.2, hi: 0.6, mass: 0.5 },
          { lo: 0.6, hi: 1, mass: 0.4 },
        ],
      },
    ],
    [' Mode : 1.5 ', 'mode', { scale: 1.5 }],
  ];
  for (const [spec, name, params] of cases) {
    const s = parseSampler(spec);
    assert.equal(s.name, name, spec);
    assert.deepEqual(s.params, params, spec);
  }
  const p = parseSampler('piecewise:0-0.2:0.1,0.2-0.6:0.5,0.6-1:0.4');
  assert.ok(Math.abs(p.cdf(0.2) - 0.1) < 1e-15 && Math.abs(p.cdf(0.6) - 0.6) < 1e-15);
  assert.equal(parseSampler('paper-mnist').name, 'paper-mnist');
  assert.deepEqual(parseSampler('paper-mnist:literal').params.variant, 'literal');
  assert.deepEqual(
    [...TIME_SAMPLER_NAMES],
    ['uniform', 'logit-normal', 'mode', 'cosmap', 'edm', 'beta', 'window', 'piecewise', 'paper-mnist'],
  );
});

test('fractions, @tEnd scaling and spec round trips', () => {
  const p = parseSampler('piecewise:0-0.2:1/6,0.2-0.6:1/2,0.6-1:1/3');
  const paper = parseSampler('paper-mnist');
  for (const t of [0.1, 0.2, 0.45, 0.6, 0.8]) assert.ok(Math.abs(p.cdf(t) - paper.cdf(t)) < 1e-15);
  const scaled = parseSampler('window:0.2,0.6,0.5@2');
  assert.equal(scaled.name, 'scaled');
  assert.deepEqual(scaled.support, [0, 2]);
  assert.equal(scaled.cdf(0.4), parseSampler('window:0.2,0.6,0.5').cdf(0.2));
  assert.equal(parseSampler('uniform@2').quantile(0.5), 1);
  for (const spec of [
    'uniform',
    'logit-normal:0.3,1.7',
    'mode:1.29',
    'cosmap',
    'edm:-1.2,1.2',
    'beta:0.5,3',
    'window:0.2,0.6,0.5',
    'paper-mnist:literal',
    'cosmap@2',
  ]) {
    assert.equal(parseSampler(spec).spec, spec);
  }
  const pw = parseSampler('piecewise:1e-7-0.2:0.25,0.2-1:0.75'); // exponent with '-' inside an interval
  assert.equal(pw.quantile(0), 1e-7);
});

test('errors: one-line RangeErrors naming the sampler and the allowed range', () => {
  const bad: [string, RegExp][] = [
    ['', /time sampler spec must be a non-empty string/],
    [
      'foo',
      /^unknown time sampler "foo" in "foo" \(expected one of uniform, logit-normal, mode, cosmap, edm, beta, window, piecewise, paper-mnist\)/,
    ],
    ['uniform:1', /^uniform: expected "uniform" \(no arguments\), got "uniform:1"/],
    ['cosmap:2', /^cosmap: expected "cosmap" \(no arguments\)/],
    [
      'logit-normal:0',
      /^logit-normal: expected "logit-normal" or "logit-normal:m,s" with s > 0, got "logit-normal:0" \(1 argument\(s\)\)/,
    ],
    ['logit-normal:0,x', /^logit-normal: expected .* \("x" is not a number\)/],
    ['logit-normal:0,-1', /^logit-normal: s must be finite and > 0, got -1 in "logit-normal:0,-1"/],
    [
      'mode:2',
      /^mode: scale must be in \[-1, 2\/\(π-2\) ≈ 1\.7519\] \(where SD3's map is monotone\), got 2 in "mode:2"/,
    ],
    ['mode:-1.5', /^mode: scale must be in \[-1,/],
    ['mode:1,2', /^mode: expected "mode" or "mode:scale" with -1 <= scale <= 2\/\(π-2\)/],
    ['edm:-1.2,0', /^edm: pStd must be finite and > 0, got 0/],
    ['edm:1', /^edm: expected "edm" or "edm:pMean,pStd" with pStd > 0/],
    ['beta:2', /^beta: expected "beta:a,b" with a, b > 0, got "beta:2"/],
    ['beta', /^beta: expected "beta:a,b"/],
    ['beta:0,1', /^beta: a and b must be finite and > 0, got a = 0, b = 1 in "beta:0,1"/],
    ['window:0.6,0.2,0.5', /^window: window \[0\.6, 0\.2\] must satisfy 0 <= lo < hi <= 1/],
    ['window:0.2,0.6,1.5', /^window: massInside must be in \(0, 1\], got 1\.5/],
    ['window:0.2,0.6', /^window: expected "window:lo,hi,massInside" with 0 <= lo < hi <= 1 and 0 < massInside <= 1/],
    ['piecewise', /^piecewise: expected "piecewise:lo-hi:mass,\.\.\." .* \(no intervals\)/],
    ['piecewise:0-0.5:0.5', /^piecewise: masses must sum to 1, got 0\.5 in "piecewise:0-0\.5:0\.5"/],
    ['piecewise:0-0.6:0.5,0.5-1:0.5', /^piecewise: intervals \[0, 0\.6\] .* overlap/],
    ['piecewise:0-0.5:0.5,0.5-1', /^piecewise: expected .* \(bad interval "0\.5-1"\)/],
    ['piecewise:0-0.5:0,0.5-1:1', /^piecewise: interval \[0, 0\.5\] \(mass 0\) must have a finite mass > 0/],
    [
      'paper-mnist:foo',
      /^paper-mnist: expected "paper-mnist", "paper-mnist:resolved" or "paper-mnist:literal", got "paper-mnist:foo" \(unknown variant "foo"\)/,
    ],
    ['uniform@0', /^scaled: "@tEnd" must be a number > 0, got "0"/],
    ['uniform@x', /^scaled: "@tEnd" must be a number > 0, got "x"/],
  ];
  for (const [spec, re] of bad) assertRangeError(() => parseSampler(spec), re, spec);
  assertRangeError(() => parseSampler(undefined as unknown as string), /time sampler spec must be a non-empty string/);
});
