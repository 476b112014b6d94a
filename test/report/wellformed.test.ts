import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wellFormedProblems } from './wellformed.js';

test('well-formedness checker accepts good markup and catches the usual mistakes', () => {
  assert.deepEqual(
    wellFormedProblems('<svg a="1"><g><text x="1">a &amp; b &#215;</text></g><path d="M0 0"/></svg>'),
    [],
  );
  const bad: Array<[string, RegExp]> = [
    ['<svg><g></svg>', /closes <g>/],
    ['<svg><g>', /never closed/],
    ['<svg a=1></svg>', /unquoted/],
    ['<svg a="1" a="2"></svg>', /duplicate/],
    ['<svg>a & b</svg>', /bare '&'/],
    ['<svg>a < b</svg>', /stray '<'/],
    ['<svg></svg><svg></svg>', /one root/],
    ['<svg a="<"></svg>', /'<' in attribute/],
    ['</g>', /without a start tag/],
  ];
  for (const [m, re] of bad) {
    const p = wellFormedProblems(m);
    assert.ok(
      p.some((x) => re.test(x)),
      `${m}: expected ${re}, got ${JSON.stringify(p)}`,
    );
  }
  assert.deepEqual(
    wellFormedProblems(
      '<!DOCTYPE html><html><head><meta charset="utf-8"><style>a > b { x: 1 }</style></head><body><p>x<br></p></body></html>',
      { html: true },
    ),
    [],
  );
  assert.ok(wellFormedProblems('<html><body><p></body></html>', { html: true }).length > 0);
});
