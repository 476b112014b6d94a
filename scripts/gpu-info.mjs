// Prints the WebGPU adapter Dawn (npm `webgpu`) finds, in one line; exits 1 with the reason when there is none.
// Used by .ci/run before the tests, and by hand: `node scripts/gpu-info.mjs`.
let pkg;
try {
  pkg = await import('webgpu');
} catch (err) {
  console.error(`gpu-info: the optional package "webgpu" cannot be loaded (${String(err.message).split('\n')[0]})`);
  process.exit(1);
}
const gpu = pkg.create([]);
const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
if (!adapter) {
  console.error(
    'gpu-info: Dawn found no WebGPU adapter (a hardware GPU needs its Vulkan driver; for a software adapter: ' +
      'apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1)',
  );
  process.exit(1);
}
const i = adapter.info;
console.log(`WebGPU adapter: ${i.description || i.device} (${i.vendor}, ${i.architecture})`);
// keep the instance referenced until here (Dawn crashes when it is collected while in use)
void gpu;
