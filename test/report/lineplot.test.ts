import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linePlot } from '../../src/report/linePlot.js';
import { TAB10, OVERLAP_COLORS, resolveColor } from '../../src/report/palette.js';
import { assertWellFormed, count } from './wellformed.js';

function plotArea(svg: string): { x: number; y: number; w: number; h: number } {
  const m =
    /<clipPath id="[^"]+"><rect x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"\/><\/clipPath>/.exec(
      svg,
    );
  assert.ok(m, 'plot area clip rect');
  return { x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) };
}

/** Coordinates of the `d` attribute of the first `<path class="line">` in the i-th series group. */
function linePath(svg: string, i = 0): string {
  const g = new RegExp(`<g class="series series-${i}[^"]*"[^>]*>(.*?)</g>`).exec(svg);
  assert.ok(g, `series ${i}`);
  const p = /<path class="line" d="([^"]+)"/.exec(g[1]);
  assert.ok(p, `line path of series ${i}`);
  return p[1];
}

function points(d: string): Array<[number, number]> {
  return [...d.matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

const basic = {
  title: 'U-Turn starting from 0 or 1',
  xLabel: 'Time t0 of the U-Turn',
  yLabel: 'Proportion that end up being 0',
  series: [
    { name: 'starting from 0', x: [0.2, 0.3, 0.4, 0.5, 0.6], y: [0.886, 0.929, 0.954, 0.973, 0.996] },
    {
      name: 'starting from 1',
      x: [0.2, 0.3, 0.4, 0.5, 0.6],
      y: [0.857, 0.768, 0.384, 0.087, 0.007],
      style: 'line+points' as const,
    },
  ],
  hLines: [{ value: 0.8, label: 'true p = 0.8' }],
  vBands: [{ from: 0.2, to: 0.6, label: 'decision window' }],
};

test('a line plot is a well-formed, accessible SVG with axes, grid, series and legend', () => {
  const svg = linePlot(basic);
  assertWellFormed(svg);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /role="img"/);
  assert.match(svg, /<title>U-Turn starting from 0 or 1<\/title>/);
  assert.match(svg, /viewBox="0 0 640 400"/);
  assert.equal(count(svg, /<g class="axis x">/), 1);
  assert.equal(count(svg, /<g class="axis y">/), 1);
  assert.equal(count(svg, /<g class="grid"/), 1);
  assert.ok(count(svg, /<g class="tick">/) >= 6);
  assert.equal(count(svg, /<g class="series /), 2);
  assert.match(svg, /class="axis-label x"[^>]*>Time t0 of the U-Turn</);
  assert.match(svg, /class="axis-label y"[^>]*>Proportion that end up being 0</);
  assert.match(svg, />true p = 0\.8</);
  assert.match(svg, />decision window</);
  assert.match(svg, /class="refline hline"[^>]*stroke-dasharray/);
  assert.match(svg, /class="vband"/);
  assert.equal(count(svg, /<g class="legend[ "]/), 1);
  assert.doesNotMatch(svg, /NaN|Infinity|undefined|null/);
  // A plot without title still has an accessible name.
  const untitled = linePlot({ series: [{ x: [1, 2], y: [3, 4] }], xLabel: 't', yLabel: 'p' });
  assert.match(untitled, /<title>p vs t<\/title>/);
  assertWellFormed(untitled);
});

test('legend has exactly one entry per named series (unnamed and legend:false series excluded)', () => {
  const x = [0, 1, 2];
  const svg = linePlot({
    series: [
      { name: 'c', x, y: [0, 1, 2] },
      { name: 'm', x, y: [1, 1, 1], style: 'points' },
      { x, y: [2, 1, 0], style: 'dashed' },
      { name: 'hidden', x, y: [0, 0, 1], legend: false },
      { name: 'b', x, y: [0.5, 0.7, 0.6], style: 'dotted' },
    ],
  });
  assertWellFormed(svg);
  assert.equal(count(svg, /<g class="legend-entry">/), 3);
  const labels = [...svg.matchAll(/class="legend-label"[^>]*>([^<]*)</g)].map((m) => m[1]);
  assert.deepEqual(labels, ['c', 'm', 'b']);
  assert.equal(count(svg, /<g class="series /), 5);
  // No named series: no legend at all.
  assert.equal(count(linePlot({ series: [{ x, y: x }] }), /class="legend/), 0);
  // Reference lines can join the legend.
  const withRef = linePlot({ series: [{ name: 'a', x, y: x }], hLines: [{ value: 1, label: 'ref', inLegend: true }] });
  assert.equal(count(withRef, /<g class="legend-entry">/), 2);
});

test('data → pixel mapping hits the plot area edges at the domain ends and is monotone', () => {
  const svg = linePlot({ series: [{ x: [0, 0.25, 0.5, 1], y: [0, 0.1, 0.6, 1] }], xDomain: [0, 1], yDomain: [0, 1] });
  const a = plotArea(svg);
  const pts = points(linePath(svg));
  assert.equal(pts.length, 4);
  assert.deepEqual(pts[0], [a.x, a.y + a.h]);
  assert.deepEqual(
    pts[3],
    [a.x, a.y].map((v, i) => (i === 0 ? a.x + a.w : v)),
  );
  for (let i = 1; i < pts.length; i++) {
    assert.ok(pts[i][0] > pts[i - 1][0], 'x increases to the right');
    assert.ok(pts[i][1] < pts[i - 1][1], 'y increases upwards');
  }
  // Log axes: the decades 1, 10, 100 are equally spaced.
  const lg = linePlot({
    series: [{ x: [1, 10, 100], y: [1e-4, 1e-2, 1] }],
    xScale: 'log',
    yScale: 'log',
    xDomain: [1, 100],
    yDomain: [1e-4, 1],
  });
  const la = plotArea(lg);
  const lp = points(linePath(lg));
  assert.deepEqual(lp[0], [la.x, la.y + la.h]);
  assert.deepEqual(lp[2], [la.x + la.w, la.y]);
  assert.ok(Math.abs(lp[1][0] - (la.x + la.w / 2)) < 0.02);
  assert.ok(Math.abs(lp[1][1] - (la.y + la.h / 2)) < 0.02);
  assert.match(lg, />10⁻⁴</);
  assert.match(lg, />10²</);
  assertWellFormed(lg);
});

test('non-finite points are skipped and break the line; no NaN/Infinity reaches the SVG', () => {
  const y = [1, 2, NaN, 4, 5, Infinity, 7, -Infinity, 9];
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const svg = linePlot({
    series: [
      { name: 's', x, y, style: 'line+points', yLow: y.map((v) => v - 1), yHigh: y.map((v) => v + 1) },
      { name: 'q', x: [NaN, 1, 2], y: [1, NaN, 3], style: 'points', yLow: [0, 0, 2], yHigh: [2, 2, NaN] },
    ],
    vLines: [{ value: NaN, label: 'bad' }],
    hLines: [{ value: Infinity }],
  });
  assertWellFormed(svg);
  assert.doesNotMatch(svg, /NaN|Infinity/);
  const d = linePath(svg);
  assert.equal(count(d, /M/), 2, `two runs in ${d}`);
  assert.equal(points(d).length, 4, 'runs 1,2 | 4,5; the isolated points 7 and 9 are markers only');
  // An all-NaN series draws nothing but still renders the axes.
  const empty = linePlot({ series: [{ name: 'nan', x: [1, 2], y: [NaN, NaN] }] });
  assertWellFormed(empty);
  assert.doesNotMatch(empty, /NaN/);
  assert.match(empty, /class="axis x"/);
  // Log scale: non-positive values are skipped like non-finite ones.
  const lg = linePlot({ series: [{ x: [1, 2, 3, 4], y: [1, 0, -1, 10] }], yScale: 'log' });
  assert.doesNotMatch(lg, /NaN/);
  assertWellFormed(lg);
});

test('text is XML-escaped everywhere', () => {
  const nasty = `a<b & "c" > 'd'`;
  const svg = linePlot({
    title: nasty,
    xLabel: nasty,
    yLabel: nasty,
    series: [{ name: nasty, x: [1, 2], y: [1, 2] }],
    hLines: [{ value: 1.5, label: nasty }],
    vBands: [{ from: 1.2, to: 1.4, label: nasty }],
    description: nasty,
  });
  assertWellFormed(svg);
  assert.ok(!svg.includes(nasty));
  assert.ok(svg.includes('a&lt;b &amp; &quot;c&quot; &gt; &#39;d&#39;'));
  assert.ok(count(svg, /a&lt;b &amp;/) >= 6);
  // Control characters that XML cannot carry are dropped.
  assertWellFormed(linePlot({ title: 'x\u0000y\u001bz', series: [] }));
});

test('log axes reject non-positive domains and data with clear errors; bad input is reported', () => {
  assert.throws(
    () => linePlot({ series: [{ x: [1, 2], y: [1, 2] }], yScale: 'log', yDomain: [0, 1] }),
    /y axis: a log scale needs a positive domain, got \[0, 1\]/,
  );
  assert.throws(
    () => linePlot({ series: [{ x: [1, 2], y: [1, 2] }], xScale: 'log', xDomain: [-1, 1] }),
    /x axis: a log scale needs a positive domain/,
  );
  assert.throws(
    () => linePlot({ series: [{ x: [1, 2], y: [-1, 0] }], yScale: 'log' }),
    /y axis: a log scale needs positive data/,
  );
  assert.throws(
    () => linePlot({ series: [{ name: 'bad', x: [1, 2, 3], y: [1, 2] }] }),
    /series "bad": x has 3 values but y has 2/,
  );
  assert.throws(() => linePlot({ series: [{ x: [1], y: [1], yLow: [0] }] }), /yLow and yHigh/);
  assert.throws(() => linePlot({ series: [], width: NaN }), /width/);
});

test('colours follow tab10 (C0 blue, C1 orange, C2 green, C3 red) unless given', () => {
  assert.deepEqual([OVERLAP_COLORS.c, OVERLAP_COLORS.m, OVERLAP_COLORS.omega, OVERLAP_COLORS.b], TAB10.slice(0, 4));
  assert.equal(resolveColor('C3', 0), '#d62728');
  assert.equal(resolveColor(undefined, 11), TAB10[1]);
  const x = [0, 1];
  const svg = linePlot({
    series: [
      { x, y: x },
      { x, y: x },
      { x, y: x, color: 'C3' },
      { x, y: x, color: 'rebeccapurple' },
    ],
  });
  const strokes = [...svg.matchAll(/<path class="line"[^>]*stroke="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(strokes, ['#1f77b4', '#ff7f0e', '#d62728', 'rebeccapurple']);
});

test('automatic legend placement avoids the data, and falls back to below the plot', () => {
  const legendBox = (svg: string) => {
    const m = /class="legend-box" x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(svg);
    assert.ok(m);
    return { x: Number(m[1]), y: Number(m[2]), w: Number(m[3]), h: Number(m[4]) };
  };
  // Data rising to the top-right: the legend leaves that corner.
  const x = Array.from({ length: 50 }, (_, i) => i / 49);
  const rising = linePlot({
    series: [
      { name: 'rising', x, y: x.map((v) => v * v) },
      { name: 'flat', x, y: x.map(() => 0.9), style: 'points' },
    ],
  });
  const a = plotArea(rising);
  const box = legendBox(rising);
  const pts = [...points(linePath(rising))];
  for (const [px, py] of pts)
    assert.ok(
      !(px >= box.x && px <= box.x + box.w && py >= box.y && py <= box.y + box.h),
      'no data point under the legend',
    );
  assert.ok(box.y > a.y + a.h / 2, 'legend moved to a bottom corner');
  // Data everywhere: legend goes below the plot.
  const noise = Array.from({ length: 400 }, (_, i) => (Math.sin(i * 12.9898) * 43758.5453) % 1);
  const busy = linePlot({ series: [{ name: 'noise', x: noise.map((_, i) => i), y: noise, style: 'points' }] });
  assertWellFormed(busy);
  assert.match(busy, /class="legend legend-below"/);
  const below = /class="legend legend-below">.*?<text x="[\d.]+" y="([\d.]+)"/.exec(busy);
  assert.ok(below && Number(below[1]) > plotArea(busy).y + plotArea(busy).h);
  // Explicit placements are honoured.
  assert.match(linePlot({ series: [{ name: 'a', x: [0, 1], y: [0, 1] }], legend: 'right' }), /class="legend"/);
  assert.doesNotMatch(linePlot({ series: [{ name: 'a', x: [0, 1], y: [0, 1] }], legend: 'none' }), /class="legend/);
});

test('figures are deterministic and clip ids differ between different figures', () => {
  const a = linePlot(basic);
  assert.equal(a, linePlot(basic));
  const b = linePlot({ ...basic, title: 'other' });
  const id = (s: string) => /<clipPath id="([^"]+)"/.exec(s)![1];
  assert.notEqual(id(a), id(b));
  assert.match(a, new RegExp(`clip-path="url\\(#${id(a)}\\)"`));
});

test('large series stay fast and compact', () => {
  const n = 20000;
  const x = Float64Array.from({ length: n }, (_, i) => i / n);
  const y = x.map((v) => Math.sin(20 * v));
  const t0 = performance.now();
  const svg = linePlot({ series: [{ name: 'sin', x, y }] });
  assert.ok(performance.now() - t0 < 1500);
  assert.ok(svg.length < 40 * n);
  assert.doesNotMatch(svg, /NaN/);
});
