/**
 * Context layout of the `gmm` wasm kernel: an array of 8-byte slots; the slots in `F64_SLOTS` hold a double, all
 * others a u32 (pointer or integer) in their first four bytes. Mirrors the CTX_* constants of assembly/gmm.ts; the
 * kernel's `layoutSlots()` must equal `CTX.SLOT_COUNT`.
 */
export const CTX = {
  D: 0,
  DP: 1,
  N: 2,
  T: 3,
  NCHUNK: 4,
  BLOCK: 5,
  X1: 6,
  X1SQ: 7,
  ALPHA: 8,
  BETA: 9,
  W: 10,
  U: 11,
  B: 12,
  C: 13,
  WF: 14,
  UF: 15,
  UU: 16,
  MW: 17,
  VW: 18,
  MU: 19,
  VU: 20,
  MB: 21,
  VB: 22,
  MC: 23,
  VC: 24,
  SLOTS: 25,
  SLOTSC: 26,
  GW: 27,
  GU: 28,
  GB: 29,
  GC: 30,
  LOSS: 31,
  COUNTERS: 32,
  SCRATCH: 33,
  SCRATCH_STRIDE: 34,
  NOISE: 35,
  KEY0: 36,
  KEY1: 37,
  KEY2: 38,
  KEY3: 39,
  EPOCH: 40,
  SCALE: 41,
  K: 42,
  LR: 43,
  BETA1: 44,
  BETA2: 45,
  EPS: 46,
  LU: 47,
  LW: 48,
  STEP_SIZE: 49,
  BC2_SQRT: 50,
  FLAGS: 51,
  SLOT_COUNT: 52,
} as const;

export const FLAG_ADAM = 1;

/** Must equal the kernel's `layoutVersion()`. */
export const LAYOUT_VERSION = 2;

/** Slots that hold a float64; every other slot holds a uint32. */
export const F64_SLOTS: ReadonlySet<number> = new Set([
  CTX.SCALE, CTX.K, CTX.LR, CTX.BETA1, CTX.BETA2, CTX.EPS, CTX.LU, CTX.LW, CTX.STEP_SIZE, CTX.BC2_SQRT,
]);
