// The benchmark's host description and PyTorch ISA cap (bench/nn.bench.ts): parsing and input checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { hostVectorIsa, torchIsaCap } from '../../bench/nn.bench.js';

const cpuinfo = (flags: string): string =>
  `processor\t: 0\nmodel name\t: Some CPU\nflags\t\t: ${flags}\n\nprocessor\t: 1\n`;

test('hostVectorIsa reads the widest x86 vector extension from the cpuinfo flags', () => {
  assert.equal(hostVectorIsa(cpuinfo('fpu sse sse2 avx fma avx2 avx512f avx512dq')), 'avx512');
  assert.equal(hostVectorIsa(cpuinfo('fpu sse sse2 avx fma avx2')), 'avx2');
  // avx512 variants without the foundation flag do not count; nor does a flag that merely contains "avx2"
  assert.equal(hostVectorIsa(cpuinfo('sse2 avx avx512_vnni_x avx2x')), 'sse');
  assert.equal(hostVectorIsa('no flags line here'), null);
});

test('torchIsaCap accepts avx2 and avx512 (any case), defaults when unset, and names the variable otherwise', () => {
  assert.equal(torchIsaCap({}), 'default');
  assert.equal(torchIsaCap({ NN_BENCH_TORCH_ISA: ' AVX2 ' }), 'avx2');
  assert.equal(torchIsaCap({ NN_BENCH_TORCH_ISA: 'avx512' }), 'avx512');
  assert.throws(
    () => torchIsaCap({ NN_BENCH_TORCH_ISA: 'sse4' }),
    /^Error: NN_BENCH_TORCH_ISA: expected avx2 or avx512, got "sse4"$/,
  );
});

test('npm run bench with a bad NN_BENCH_TORCH_ISA exits 2 with one line, before measuring anything', () => {
  const run = fileURLToPath(new URL('../../bench/run.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', run, '--only', 'nn', '--json'], {
    encoding: 'utf8',
    env: { ...process.env, NN_BENCH_TORCH_ISA: 'neon' },
    timeout: 60_000,
  });
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr, 'bench: NN_BENCH_TORCH_ISA: expected avx2 or avx512, got "neon"\n');
});
