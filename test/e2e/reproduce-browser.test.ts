/**
 * End-to-end: `phaseflow reproduce --scale tiny` writes one self-contained report; open it in a real headless
 * Chromium (Debian's, driven by playwright-core) and check that every figure rendered with axes, that the claims
 * table holds numbers, and save a screenshot beside the report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from './cli.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);

/** The parts of `phaseflow reproduce --json` this test reads. */
interface ReproduceJson {
  stages: Array<{ name: string; status: string; error?: string; figures?: unknown[] }>;
}

test(
  'reproduce --scale tiny: report renders in Chromium with every figure and a numeric claims table',
  { skip: !haveChromium && !process.env.CI && 'chromium is not installed (.ci/run installs it)', timeout: 600000 },
  async () => {
    const out = mkdtempSync(join(tmpdir(), 'pf-repro-'));
    const r = runCli(['reproduce', '--scale', 'tiny', '--out', out, '--quiet', '--json'], { timeoutMs: 540000 });
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as ReproduceJson;
    assert.ok(
      j.stages.every((s) => s.status === 'done'),
      JSON.stringify(j.stages.map((s) => [s.name, s.status, s.error])),
    );
    const html = readFileSync(join(out, 'index.html'), 'utf8');
    assert.doesNotMatch(html, /<script/i, 'no scripts in the report');
    assert.doesNotMatch(html, /(src|href)="https?:/i, 'no network references');

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const failedRequests: string[] = [];
      page.on('requestfailed', (req) => failedRequests.push(req.url()));
      await page.goto(pathToFileURL(join(out, 'index.html')).href, { waitUntil: 'load' });
      const figures = await page.$$eval('figure', (figs) =>
        figs.map((fig) => {
          const s = fig.querySelector('svg[role="img"]')!;
          const box = s.getBoundingClientRect();
          // Image grids (one or several panels of embedded PNGs under titles) are not charts.
          const imgs = Array.from(s.querySelectorAll('image'));
          return {
            grid: s.classList.contains('image-grid') || s.querySelector('svg.image-grid') !== null,
            png:
              imgs.length > 0 && imgs.every((i) => (i.getAttribute('href') ?? '').startsWith('data:image/png;base64,')),
            imgW: Math.min(...imgs.map((i) => i.getBoundingClientRect().width)),
            w: box.width,
            h: box.height,
            axes: s.querySelectorAll('.axis.x, .axis.y, [class~="axis"]').length,
            marks: s.querySelectorAll('path, circle, rect, line, polyline').length,
            title: s.querySelector('title')?.textContent ?? '',
          };
        }),
      );
      const expected = j.stages.reduce((n, s) => n + (s.figures?.length ?? 0), 0);
      assert.equal(figures.length, expected, 'every stage figure is in the page');
      assert.ok(figures.length >= 8);
      for (const f of figures) {
        assert.ok(f.w > 100 && f.h > 80, `figure "${f.title}" has size ${f.w}×${f.h}`);
        if (f.grid) {
          assert.ok(f.png && f.imgW > 20, `image grid "${f.title}" embeds its PNGs (narrowest ${f.imgW} px)`);
          continue;
        }
        assert.ok(f.axes >= 1, `figure "${f.title}" has axes`);
        assert.ok(f.marks > 10, `figure "${f.title}" draws something`);
      }
      const claims = await page.$$eval('table.claims', (tables) => {
        const t = tables[0];
        return Array.from(t.querySelectorAll('tbody tr')).map((tr) =>
          Array.from(tr.querySelectorAll('td')).map((td) => td.textContent ?? ''),
        );
      });
      assert.ok(claims.length >= 5, `claims rows: ${claims.length}`);
      const withNumbers = claims.filter((row) => /\d\.\d/.test(row[2] ?? ''));
      assert.ok(
        withNumbers.length >= claims.length - 1,
        `measured column holds numbers: ${JSON.stringify(claims.map((c) => c[2]))}`,
      );
      assert.deepEqual(failedRequests, []);
      const shot = join(out, 'screenshot.png');
      await page.screenshot({ path: shot, fullPage: true });
      assert.ok(statSync(shot).size > 20000);
    } finally {
      await browser.close();
    }
  },
);
