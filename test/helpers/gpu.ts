/**
 * The WebGPU device for tests. Tests that need it skip, with the reason, only where it genuinely cannot be had: the
 * optional `webgpu` package is not installed, or (outside CI) Dawn finds no adapter. In CI (CI=true, where .ci/run
 * installs Mesa's software adapter) or with PHASEFLOW_REQUIRE_GPU=1 a missing adapter fails instead.
 */
import { GpuHost } from '../../src/gpu/host.js';
import { GpuUnavailableError } from '../../src/gpu/errors.js';

export interface TestGpu {
  host: GpuHost | null;
  /** false, or why the GPU tests are skipped */
  skip: string | false;
}

export async function gpuForTests(): Promise<TestGpu> {
  try {
    return { host: await GpuHost.open(), skip: false };
  } catch (err) {
    if (!(err instanceof GpuUnavailableError)) throw err;
    const packageMissing = err.message.includes('cannot be loaded');
    if (!packageMissing && (process.env.CI === 'true' || process.env.PHASEFLOW_REQUIRE_GPU === '1')) throw err;
    return { host: null, skip: `no WebGPU here: ${err.message}` };
  }
}
