import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binEdges, computeHistogram, histogram } from '../../src/report/histogram.js';
import { assertWellFormed, count } from './wellformed.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

test('histogram counts sum to n; non-finite and out-of-range values are reported, not counted', () => {
  const r = lcg(7);
  const data = Array.from({ length: 1000 }, () => r() * 4 - 2);
  for (const bins of [1, 7, 30, 'auto'] as const) {
    const h = computeHistogram(data, { bins });
    assert.equal(
      h.counts.reduce((a, b) => a + b, 0),
      1000,
    );
    assert.equal(h.n, 1000);
    assert.equal(h.edges.length, h.counts.length + 1);
    assert.equal(h.edges[0], Math.min(...data));
    assert.equal(h.edges[h.edges.length - 1], Math.max(...data), 'the maximum lands in the last (closed) bin');
  }
  const withJunk = [...data, NaN, Infinity, -Infinity];
  const h = computeHistogram(withJunk, { bins: 10, range: [-1, 1] });
  const inside = data.filter((v) => v >= -1 && v <= 1).length;
  assert.equal(h.n, inside);
  assert.equal(
    h.counts.reduce((a, b) => a + b, 0),
    inside,
  );
  assert.equal(h.nonFinite, 3);
  assert.equal(h.outside, 1000 - inside);
});

test('bins are half-open except the last; explicit edges are validated', () => {
  const h = computeHistogram([0, 0.5, 1, 1, 1.5, 2, 2], { edges: [0, 1, 2] });
  assert.deepEqual(h.counts, [2, 5]);
  const g = computeHistogram([0, 1, 2, 3], { edges: [0, 1, 2, 3] });
  assert.deepEqual(g.counts, [1, 1, 2]);
  assert.throws(() => computeHistogram([1], { edges: [0, 0, 1] }), /strictly increasing/);
  assert.throws(() => computeHistogram([1], { edges: [0] }), /at least two/);
  assert.throws(() => computeHistogram([1], { edges: [0, NaN] }), /not finite/);
  assert.throws(() => computeHistogram([1], { bins: 0 }), /bins/);
  assert.throws(() => computeHistogram([1], { bins: 2.5 }), /bins/);
  assert.deepEqual(binEdges([3, 3, 3], { bins: 2 }), [2.5, 3, 3.5]);
  assert.deepEqual(binEdges([], { bins: 2 }), [0, 0.5, 1]);
});

test('density normalisation integrates to one; auto bins grow with n', () => {
  const r = lcg(3);
  const data = Array.from({ length: 5000 }, () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()));
  const h = computeHistogram(data, { density: true, edges: [-5, -2, -1, -0.5, 0, 0.5, 1, 2, 5] });
  const area = h.values.reduce((s, v, i) => s + v * (h.edges[i + 1] - h.edges[i]), 0);
  assert.ok(Math.abs(area - 1) < 1e-12, `area ${area}`);
  const small = computeHistogram(data.slice(0, 50)).counts.length;
  const large = computeHistogram(data).counts.length;
  assert.ok(small >= 3 && large > small && large <= 200, `${small} vs ${large}`);
});

test('histogram figure: bars, curves, reference lines, legend; well-formed and NaN-free', () => {
  const r = lcg(11);
  const data = [...Array.from({ length: 800 }, () => (r() < 0.8 ? 1 : -1) + 0.3 * (r() + r() + r() - 1.5)), NaN];
  const xs = Array.from({ length: 101 }, (_, i) => -2 + i * 0.04);
  const svg = histogram({
    title: 'projection <x, mu>/d',
    xLabel: 'x',
    data,
    name: 'generated',
    density: true,
    bins: 40,
    curves: [{ name: 'theory', x: xs, y: xs.map((x) => Math.exp(-x * x)) }],
    vLines: [{ value: 0, label: 'boundary' }],
  });
  assertWellFormed(svg);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  assert.match(svg, /class="phaseflow-figure histogram"/);
  assert.match(svg, /<title>projection &lt;x, mu&gt;\/d<\/title>/);
  assert.ok(count(svg, /<rect x=/) >= 20, 'one rect per non-empty bin');
  assert.equal(count(svg, /<g class="legend-entry">/), 2);
  assert.match(svg, />density</);
  assert.match(svg, />boundary</);
  // Overlaid step histograms share edges; log y skips empty bins.
  const two = histogram({
    datasets: [
      { name: 'a', data: [0, 0.1, 0.2] },
      { name: 'b', data: [0.5, 0.9, 1] },
    ],
    histtype: 'step',
    bins: 5,
    yScale: 'log',
  });
  assertWellFormed(two);
  assert.equal(count(two, /class="series series-\d step"/), 2);
  assert.doesNotMatch(two, /NaN/);
  // Empty data still renders axes.
  const empty = histogram({ data: [] });
  assertWellFormed(empty);
  assert.match(empty, /class="axis x"/);
});
