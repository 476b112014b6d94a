import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChart } from '../../src/report/barChart.js';
import { gridOfPlots, svgSize } from '../../src/report/grid.js';
import { linePlot } from '../../src/report/linePlot.js';
import { assertWellFormed, count } from './wellformed.js';

test('bar chart: one bar per finite value, error bars, highlights, reference line, escaped categories', () => {
  const svg = barChart({
    title: 'class-proportion error',
    yLabel: '|p̂ − 0.8|',
    categories: ['uniform', 'window [.2,.6]', '<late> & "early"', 'missing'],
    values: [0.082, 0.015, -0.01, NaN],
    low: [0.07, 0.01, -0.02, NaN],
    high: [0.095, 0.02, 0, NaN],
    highlight: ['window [.2,.6]'],
    name: 'uniform grid',
    highlightName: 'phase-aware',
    hLines: [{ value: 0.016, label: '5× better' }],
    valueLabels: true,
  });
  assertWellFormed(svg);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  assert.equal(count(svg, /<rect class="bar[ "]/), 3);
  assert.equal(count(svg, /<rect class="bar highlight"/), 1);
  assert.match(svg, /class="errorbars"/);
  assert.match(svg, /class="zero-line"/);
  assert.match(svg, />&lt;late&gt; &amp; &quot;early&quot;</);
  assert.match(svg, />5× better</);
  assert.equal(count(svg, /<g class="legend-entry">/), 2);
  assert.match(svg, />0\.082</);
  // Bars grow from zero: the top of a positive bar is above (smaller y than) the bottom.
  const bars = [...svg.matchAll(/<rect class="bar[^"]*" x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"/g)];
  assert.ok(bars.every((m) => Number(m[2]) > 0));
  assert.throws(() => barChart({ categories: ['a'], values: [1, 2] }), /1 categories but 2 values/);
  assert.throws(() => barChart({ categories: ['a'], values: [1], low: [0] }), /low and high/);
  assert.throws(() => barChart({ categories: ['a'], values: [1], yScale: 'log', yDomain: [0, 2] }), /positive domain/);
});

test('bar chart with many long categories rotates labels and stays well-formed', () => {
  const cats = Array.from({ length: 12 }, (_, i) => `a rather long category ${i}`);
  const svg = barChart({ categories: cats, values: cats.map((_, i) => i + 1), yScale: 'log' });
  assertWellFormed(svg);
  assert.ok(count(svg, /transform="rotate\(-35 /) === 12);
});

test('gridOfPlots nests panels in one well-formed SVG of the right size', () => {
  const a = linePlot({ title: 'a', series: [{ x: [0, 1], y: [0, 1] }], width: 300, height: 200 });
  const b = linePlot({ title: 'b', series: [{ x: [0, 1], y: [1, 0] }], width: 300, height: 250 });
  const c = barChart({ title: 'c', categories: ['x', 'y'], values: [1, 2], width: 400, height: 200 });
  const g = gridOfPlots([a, b, c], { columns: 2, title: 'three <panels>', gap: 10, letters: true });
  assertWellFormed(g);
  assert.match(g, /class="phaseflow-figure grid-of-plots"/);
  assert.match(g, /<title>three &lt;panels&gt;<\/title>/);
  assert.equal(count(g, /<svg /), 4);
  assert.equal(count(g, /<g class="panel panel-\d">/), 3);
  assert.match(g, />\(c\)</);
  const size = svgSize(g);
  assert.equal(size.width, 400 + 300 + 3 * 10);
  assert.equal(size.height, 17 + 20 + 250 + 200 + 3 * 10);
  // Each panel keeps a distinct clip id.
  const ids = [...g.matchAll(/<clipPath id="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, 3);
  assert.throws(() => gridOfPlots([]), /no panels/);
  assert.throws(() => gridOfPlots(['<div/>']), /SVG string/);
});
