/**
 * Which SIMD build of a kernel module to load: `plain` (WebAssembly SIMD 128, separate multiply and add) or
 * `relaxed` (the same sources built with relaxed SIMD, whose `f32x4.relaxed_madd` becomes a fused multiply-add).
 *
 * Node 20 implements relaxed SIMD behind the V8 flag `--experimental-wasm-relaxed-simd` (newer Node versions enable
 * it by default). `relaxedSimdSupported()` asks the engine by validating a one-instruction module; with
 * `enableRelaxedSimd()` the flag is switched on at run time (V8 flags are process-wide, so worker threads compiled
 * later see it too). The choice: `PHASEFLOW_SIMD=plain|relaxed|auto` in the environment, else the caller's
 * preference, else `auto` (relaxed where the engine validates it, plain otherwise).
 *
 * The two builds agree to float32 rounding: a fused multiply-add rounds once where the plain build rounds twice, so
 * results differ in the last bits (docs/engines.md, "Relaxed SIMD"); each build is tested against the float64
 * TypeScript reference.
 */
import { setFlagsFromString } from 'node:v8';

export type SimdVariant = 'plain' | 'relaxed';
export type SimdPreference = SimdVariant | 'auto';
export const SIMD_PREFERENCES: readonly SimdPreference[] = ['auto', 'plain', 'relaxed'];

// (module (func (param v128 v128 v128) (result v128) local.get 0 local.get 1 local.get 2 f32x4.relaxed_madd))
const PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 8, 1, 96, 3, 123, 123, 123, 1, 123, 3, 2, 1, 0, 10, 13, 1, 11, 0, 32, 0, 32, 1, 32, 2,
  253, 133, 2, 11,
]);

/** Whether this engine validates relaxed-SIMD code now. */
export function relaxedSimdSupported(): boolean {
  return WebAssembly.validate(PROBE);
}

/** Switches relaxed SIMD on where the engine has it behind a flag (Node 20); returns whether it is available. */
export function enableRelaxedSimd(): boolean {
  if (relaxedSimdSupported()) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return relaxedSimdSupported();
}

/** Error for an unknown or unavailable SIMD choice; `field` names the setting ('PHASEFLOW_SIMD' or 'simd'). */
export class SimdChoiceError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimdChoiceError';
  }
}

/** Resolves the build to load from the environment and the caller's preference (see the module comment). */
export function resolveSimd(preference: SimdPreference = 'auto', env: NodeJS.ProcessEnv = process.env): SimdVariant {
  const fromEnv = env.PHASEFLOW_SIMD?.trim();
  let want: SimdPreference = preference;
  let field = 'simd';
  if (fromEnv) {
    if (!(SIMD_PREFERENCES as readonly string[]).includes(fromEnv)) {
      throw new SimdChoiceError('PHASEFLOW_SIMD', `PHASEFLOW_SIMD: expected auto, plain or relaxed, got "${fromEnv}"`);
    }
    want = fromEnv as SimdPreference;
    field = 'PHASEFLOW_SIMD';
  }
  if (want === 'plain') return 'plain';
  const ok = enableRelaxedSimd();
  if (want === 'relaxed' && !ok) {
    throw new SimdChoiceError(
      field,
      `${field}: relaxed SIMD is not available in this runtime (Node ${process.version})`,
    );
  }
  return ok ? 'relaxed' : 'plain';
}

/** The build file name of a module for a variant: `nn` -> `nn` or `nn-relaxed`. */
export function variantName(module: string, variant: SimdVariant): string {
  return variant === 'relaxed' ? `${module}-relaxed` : module;
}
