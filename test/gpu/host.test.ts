import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { GpuHost } from '../../src/gpu/host.js';
import { programUrl } from '../../src/gpu/protocol.js';
import { GpuDeviceLostError, GpuOutOfMemoryError, GpuUnavailableError } from '../../src/gpu/errors.js';
import { gpuForTests } from '../helpers/gpu.js';

// The GPU worker thread and its protocol (src/gpu/host.ts, worker.ts) through a probe program
// (test/gpu/probeProgram.ts): synchronous and asynchronous calls, deterministic freeing, errors.

const gpu = await gpuForTests();
const skip = gpu.skip;
after(() => gpu.host?.close());
const probeUrl = programUrl(import.meta.url, 'probeProgram');

test('synchronous and asynchronous calls run a kernel and read it back', { skip }, async () => {
  const prog = await gpu.host!.program(probeUrl, null);
  const x = Float32Array.from({ length: 100 }, (_, i) => i - 50.5);
  const want = x.map((v) => 2 * v);
  assert.deepEqual(prog.callSync<Float32Array>('double', x), want);
  assert.deepEqual(await prog.call<Float32Array>('double', x), want);
  await prog.dispose();
  assert.ok(gpu.host!.adapter.description.length > 0);
});

test(
  'buffers are freed at dispose, not by the garbage collector; a replaced buffer is freed at once',
  { skip },
  async () => {
    const prog = await gpu.host!.program(probeUrl, null);
    assert.equal(await prog.call('alloc', 'a', 1000), 1);
    assert.equal(await prog.call('alloc', 'b', 4096), 2);
    assert.equal(await prog.call('alloc', 'a', 64), 2, 'same name: replaced');
    assert.equal(prog.callSync('bytes'), 64 + 4096);
    await prog.dispose();
    await assert.rejects(prog.call('count'), /no GPU program/);
  },
);

test('a buffer larger than the adapter allows is a GpuOutOfMemoryError naming it', { skip }, async () => {
  const prog = await gpu.host!.program(probeUrl, null);
  const tooBig = gpu.host!.adapter.maxBufferSize + 16;
  await assert.rejects(prog.call('alloc', 'huge', tooBig), (e: Error) => {
    assert.ok(e instanceof GpuOutOfMemoryError, e.name);
    assert.match(e.message, /buffer "huge" needs .* MiB/);
    return true;
  });
  await prog.dispose();
});

test('a lost device makes every later call fail with GpuDeviceLostError; close still works', { skip }, async () => {
  const host = await GpuHost.open();
  const prog = await host.program(probeUrl, null);
  await prog.call('loseDevice');
  assert.throws(
    () => prog.callSync('double', new Float32Array(4)),
    (e: Error) => e instanceof GpuDeviceLostError && /device was lost/.test(e.message),
  );
  await host.close();
  assert.equal(host.isClosed, true);
});

test('without the webgpu package: GpuUnavailableError saying what to install, in one line', async () => {
  process.env.PHASEFLOW_WEBGPU_MODULE = 'webgpu-not-installed-here';
  try {
    await assert.rejects(GpuHost.open(), (e: Error) => {
      assert.ok(e instanceof GpuUnavailableError, e.name);
      assert.match(e.message, /optional package "webgpu-not-installed-here".*npm install webgpu/);
      assert.ok(!e.message.includes('\n'), 'one line');
      return true;
    });
  } finally {
    delete process.env.PHASEFLOW_WEBGPU_MODULE;
  }
});
