/**
 * Acquiring a WebGPU device through the optional npm package `webgpu` (Dawn). Runs in the GPU worker thread
 * (worker.ts); the caller's side is host.ts.
 *
 * - The package is imported dynamically, so phaseflow installs, builds and runs without it; a missing package or a
 *   missing adapter is a `GpuUnavailableError` with one line saying what to install.
 * - The device is requested with the adapter's largest storage-buffer limits (the autoencoder's noise tensor is the
 *   biggest binding).
 * - Loss: `device.lost` marks the context; every later operation fails with `GpuDeviceLostError` (the message says
 *   why). Uncaught device errors (validation, internal) are recorded and reported by the next `check()`.
 */
import { ADAPTER_HINT, GpuDeviceLostError, GpuError, GpuUnavailableError } from './errors.js';
import type { Gpu, GpuAdapter, GpuAdapterInfo, GpuDevice, WebGpuPackage } from './types.js';

/** A one-line description of an adapter, e.g. "llvmpipe: Mesa 25.0.7 (mesa, software)". */
export function describeAdapter(info: GpuAdapterInfo): string {
  const what = info.description || info.device || 'unknown adapter';
  const extra = [info.vendor, info.architecture].filter((s) => s).join(', ');
  return extra ? `${what} (${extra})` : what;
}

export interface AdapterSummary {
  description: string;
  vendor: string;
  architecture: string;
  /** Dawn's own judgement: a CPU (software) implementation such as llvmpipe or SwiftShader. */
  software: boolean;
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
}

export class GpuContext {
  lostReason: string | null = null;
  private uncaptured: string | null = null;

  constructor(
    /**
     * The Dawn instance and adapter, held for the device's lifetime: when the garbage collector takes the instance
     * while its device lives, Dawn crashes at the next event it processes (seen as segfaults and futex errors).
     */
    private readonly owners: readonly [Gpu, GpuAdapter],
    readonly device: GpuDevice,
    readonly adapter: AdapterSummary,
  ) {
    void device.lost.then((info) => {
      this.lostReason = `${info.reason}: ${info.message}`.trim();
    });
    device.onuncapturederror = (ev) => {
      this.uncaptured ??= `${ev.error.constructor.name}: ${ev.error.message}`;
    };
  }

  /** Throw if the device is lost or an uncaught device error happened since the last check. */
  check(): void {
    if (this.lostReason !== null) throw new GpuDeviceLostError(`the GPU device was lost (${this.lostReason})`);
    if (this.uncaptured !== null) {
      const m = this.uncaptured;
      this.uncaptured = null;
      throw new GpuError(`WebGPU error: ${m}`);
    }
  }

  destroy(): void {
    if (this.lostReason === null) this.lostReason = 'destroyed: closed by phaseflow';
    this.device.destroy();
  }

  /** The adapter object (kept alive with the device). */
  get gpuAdapter(): GpuAdapter {
    return this.owners[1];
  }
}

/**
 * The module Dawn is loaded from: `webgpu`, or PHASEFLOW_WEBGPU_MODULE (tests use a missing name to check the
 * message a machine without the package gets).
 */
export function webgpuModuleName(): string {
  return process.env.PHASEFLOW_WEBGPU_MODULE || 'webgpu';
}

async function loadPackage(): Promise<WebGpuPackage> {
  const name = webgpuModuleName(); // not a literal import: the package is optional and has no types here
  try {
    return (await import(name)) as WebGpuPackage;
  } catch (err) {
    const why = (err as Error).message.split('\n')[0];
    throw new GpuUnavailableError(
      `the optional package "${name}" (Dawn for Node) cannot be loaded (${why}); install it with npm install webgpu`,
    );
  }
}

/** Load `webgpu`, pick the high-performance adapter and open a device on it. */
export async function openDevice(): Promise<GpuContext> {
  const pkg = await loadPackage();
  const gpu = pkg.create([]);
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new GpuUnavailableError(`Dawn found no WebGPU adapter: ${ADAPTER_HINT}`);
  const L = adapter.limits;
  const device = await adapter.requestDevice({
    label: 'phaseflow',
    requiredLimits: {
      maxStorageBufferBindingSize: L.maxStorageBufferBindingSize,
      maxBufferSize: L.maxBufferSize,
      maxComputeWorkgroupStorageSize: L.maxComputeWorkgroupStorageSize,
    },
  });
  const info = adapter.info;
  return new GpuContext([gpu, adapter], device, {
    description: describeAdapter(info),
    vendor: info.vendor,
    architecture: info.architecture,
    software: Boolean(info.isFallbackAdapter) || /llvmpipe|lavapipe|swiftshader/i.test(info.description + info.device),
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
  });
}
