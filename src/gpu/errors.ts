/**
 * Failures of the WebGPU backend, each with a one-line message a user can act on. They cross the boundary between
 * the GPU worker thread and the caller as `{ name, message }` (`toWire` / `fromWire`) and are rebuilt as the same
 * classes, so callers can tell "no GPU here" (exit 2: nothing ran) from "the GPU failed mid-run" (exit 1: the last
 * checkpoint is kept).
 */

/** How to get a WebGPU adapter, for the messages below. */
export const ADAPTER_HINT =
  'a hardware GPU needs its driver with Vulkan support (the vendor ICD, e.g. NVIDIA libnvidia-gl); for a software ' +
  'adapter install Mesa >= 25 lavapipe: apt-get install -t bookworm-backports mesa-vulkan-drivers libvulkan1';

/** The optional `webgpu` package cannot be loaded, or Dawn finds no usable adapter. Nothing was computed. */
export class GpuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuUnavailableError';
  }
}

/** The device was lost (driver reset, destroyed, process-wide GPU failure) while in use. */
export class GpuDeviceLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuDeviceLostError';
  }
}

/** A buffer could not be allocated on the device. */
export class GpuOutOfMemoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuOutOfMemoryError';
  }
}

/** A WebGPU validation or internal error (a bug in phaseflow's use of the API, or a driver fault). */
export class GpuError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuError';
  }
}

/** A failure that ends a run on the device (as opposed to bad input): lost device or out of memory. */
export function isGpuRunFailure(err: unknown): err is GpuDeviceLostError | GpuOutOfMemoryError {
  return err instanceof GpuDeviceLostError || err instanceof GpuOutOfMemoryError;
}

export interface WireError {
  name: string;
  message: string;
}

export function toWire(err: unknown): WireError {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: 'Error', message: String(err) };
}

const CLASSES: Record<string, new (m: string) => Error> = {
  GpuUnavailableError,
  GpuDeviceLostError,
  GpuOutOfMemoryError,
  GpuError,
  RangeError,
  TypeError,
};

export function fromWire(w: WireError): Error {
  const C = CLASSES[w.name];
  if (C) return new C(w.message);
  const e = new Error(w.message);
  e.name = w.name;
  return e;
}
