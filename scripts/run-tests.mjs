// Runs the test suite with node's built-in runner (TypeScript through tsx).
//   unit: every test/**/*.test.ts outside test/e2e (fast, pure library checks)
//   e2e:  test/e2e/**/*.test.ts (CLI runs, end-to-end pipelines)
//   all:  both
import { readdirSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const which = process.argv[2] ?? 'all';
if (!['unit', 'e2e', 'all'].includes(which)) {
  console.error(`run-tests: expected unit, e2e or all, got "${which}"`);
  process.exit(2);
}
function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}
const files = walk(join(root, 'test'))
  .map((p) => relative(root, p))
  .filter((p) => (which === 'all' ? true : which === 'e2e' ? p.startsWith('test/e2e/') : !p.startsWith('test/e2e/')))
  .sort();
const extra = process.argv.slice(3);
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...extra, ...files], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(res.status ?? 1);
