import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { escapeHtml, fmt, htmlReport, htmlTable } from '../../src/report/html.js';
import { linePlot } from '../../src/report/linePlot.js';
import { writeReport } from '../../src/report/write.js';
import * as api from '../../src/report/index.js';
import { assertWellFormed, count } from './wellformed.js';

const fig = linePlot({ title: 'U-turn', series: [{ name: 'from 0', x: [0.2, 0.6], y: [0.886, 0.996] }] });

test('escapeHtml escapes & < > " \' and fmt is re-exported', () => {
  assert.equal(
    escapeHtml(`<a href="x">Tom & 'Jerry'</a>`),
    '&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;',
  );
  assert.equal(escapeHtml(5), '5');
  assert.equal(escapeHtml(undefined), '');
  assert.equal(fmt(0.88234, 3), '0.882');
});

test('htmlReport: one self-contained, well-formed page with sections, tables, figures and code', () => {
  const page = htmlReport({
    title: 'phaseflow <report>',
    subtitle: 'p = 0.8 & d = 5000',
    sections: [
      {
        heading: 'Claims',
        text: 'First paragraph with <b>.\n\nSecond.',
        table: {
          columns: ['claim', 'paper', 'ours', 'verdict'],
          rows: [
            ['pHat (uniform)', 0.882, 0.88123456, 'reproduced'],
            ['5× improvement', 5, null, 'fail'],
            ['edge <case>', NaN, '0.5', 'n/a'],
          ],
          caption: 'claims vs paper',
          digits: 3,
        },
      },
      {
        heading: 'Figures',
        figures: [{ svg: fig, caption: 'U-turn <fig>', file: 'uturn.svg' }, { svg: `<?xml version="1.0"?>\n${fig}` }],
      },
      {
        heading: 'Configuration',
        code: JSON.stringify({ seed: 1, note: '<&>' }, null, 2),
        html: '<p class="note">trusted</p>',
      },
      { heading: 'Claims' },
    ],
    footer: 'phaseflow 0.1 <footer>',
  });
  assertWellFormed(page, { html: true });
  assert.match(page, /^<!DOCTYPE html>\n<html lang="en">/);
  assert.match(page, /<meta charset="utf-8">/);
  assert.match(page, /<meta name="viewport"/);
  assert.doesNotMatch(
    page,
    /<script|<link|https?:\/\/(?!www\.w3\.org\/2000\/svg)/,
    'no scripts, no external resources',
  );
  assert.match(page, /<title>phaseflow &lt;report&gt;<\/title>/);
  assert.match(page, /<p class="subtitle">p = 0\.8 &amp; d = 5000<\/p>/);
  assert.match(page, /<table class="claims">/);
  assert.match(page, /<td class="num">0\.881<\/td>/);
  assert.match(page, /<td class="num">\u2014<\/td>/);
  assert.match(page, /<td class="good">reproduced<\/td>/);
  assert.match(page, /<td class="bad">fail<\/td>/);
  assert.match(page, /<td>edge &lt;case&gt;<\/td>/);
  assert.match(page, /<p>First paragraph with &lt;b&gt;\.<\/p>\n<p>Second\.<\/p>/);
  assert.equal(count(page, /<figure>/), 2);
  assert.equal(count(page, /<svg /), 2);
  assert.doesNotMatch(page, /<\?xml/);
  assert.match(
    page,
    /<figcaption>U-turn &lt;fig&gt; <a class="figure-file" href="uturn.svg">\(SVG\)<\/a><\/figcaption>/,
  );
  assert.match(
    page,
    /<pre><code>\{\n {2}&quot;seed&quot;: 1,\n {2}&quot;note&quot;: &quot;&lt;&amp;&gt;&quot;\n\}<\/code><\/pre>/,
  );
  assert.match(page, /<p class="note">trusted<\/p>/);
  assert.match(page, /<nav class="toc"/);
  assert.match(page, /id="claims"/);
  assert.match(page, /id="claims-2"/, 'duplicate headings get distinct anchors');
  assert.match(page, /<footer><p>phaseflow 0\.1 &lt;footer&gt;<\/p><\/footer>/);
  assert.match(page, /figure svg \{[^}]*max-width: 100%[^}]*height: auto/);
});

test('htmlTable right-aligns numeric columns and honours a custom class', () => {
  const t = htmlTable({
    columns: ['d', 'name'],
    rows: [
      [100, 'a'],
      ['1e6', 'b'],
    ],
    className: 'runs',
  });
  assertWellFormed(`<div>${t}</div>`, { html: true });
  assert.match(t, /<table class="runs">/);
  assert.match(t, /<th scope="col" class="num">d<\/th><th scope="col">name<\/th>/);
});

test('writeReport writes each figure as an SVG file and an index.html that inlines them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phaseflow-report-'));
  try {
    const paths = writeReport(join(dir, 'out'), {
      title: 'run',
      sections: [
        {
          heading: 'Figures',
          figures: [
            { svg: fig, file: 'uturn.svg', caption: 'U-turn' },
            { svg: fig, caption: 'Overlaps (dVP)' },
            { svg: fig, file: 'uturn.svg' },
          ],
        },
      ],
    });
    const files = readdirSync(join(dir, 'out')).sort();
    assert.deepEqual(files, ['fig-02-overlaps-dvp.svg', 'index.html', 'uturn-3.svg', 'uturn.svg']);
    assert.equal(paths[paths.length - 1], join(dir, 'out', 'index.html'));
    for (const f of files) {
      const s = readFileSync(join(dir, 'out', f), 'utf8');
      assertWellFormed(s, { html: f.endsWith('.html') });
    }
    const index = readFileSync(join(dir, 'out', 'index.html'), 'utf8');
    assert.match(index, /href="fig-02-overlaps-dvp\.svg"/);
    assert.match(index, /href="uturn-3\.svg"/);
    assert.throws(
      () =>
        writeReport(join(dir, 'x'), {
          title: 't',
          sections: [{ heading: 'h', figures: [{ svg: fig, file: '../evil.svg' }] }],
        }),
      /bad figure file name/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the public API is exported from src/report/index.ts', () => {
  for (const name of [
    'linePlot',
    'histogram',
    'barChart',
    'gridOfPlots',
    'htmlReport',
    'escapeHtml',
    'escapeXml',
    'fmt',
    'computeHistogram',
    'niceStep',
    'linearTicks',
    'logTicks',
    'linearScale',
    'logScale',
    'writeReport',
    'TAB10',
    'OKABE_ITO',
    'OVERLAP_COLORS',
  ]) {
    assert.ok(name in api, name);
  }
});
