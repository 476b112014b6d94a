/**
 * Context layout of the `gmm` wasm kernel, host view: the slot numbers of src/autoencoder/gmmLayout.ts (the one
 * definition, which assembly/gmm.ts imports too) as an object, and which slots hold a double. The kernel's
 * `layoutSlots()` and `layoutVersion()` are checked against CTX.SLOT_COUNT and LAYOUT_VERSION at load.
 */
import * as G from './gmmLayout.js';

export const CTX = {
  D: G.CTX_D,
  DP: G.CTX_DP,
  N: G.CTX_N,
  T: G.CTX_T,
  NCHUNK: G.CTX_NCHUNK,
  BLOCK: G.CTX_BLOCK,
  X1: G.CTX_X1,
  X1SQ: G.CTX_X1SQ,
  ALPHA: G.CTX_ALPHA,
  BETA: G.CTX_BETA,
  W: G.CTX_W,
  U: G.CTX_U,
  B: G.CTX_B,
  C: G.CTX_C,
  WF: G.CTX_WF,
  UF: G.CTX_UF,
  UU: G.CTX_UU,
  MW: G.CTX_MW,
  VW: G.CTX_VW,
  MU: G.CTX_MU,
  VU: G.CTX_VU,
  MB: G.CTX_MB,
  VB: G.CTX_VB,
  MC: G.CTX_MC,
  VC: G.CTX_VC,
  SLOTS: G.CTX_SLOTS,
  SLOTSC: G.CTX_SLOTSC,
  GW: G.CTX_GW,
  GU: G.CTX_GU,
  GB: G.CTX_GB,
  GC: G.CTX_GC,
  LOSS: G.CTX_LOSS,
  COUNTERS: G.CTX_COUNTERS,
  SCRATCH: G.CTX_SCRATCH,
  SCRATCH_STRIDE: G.CTX_SCRATCH_STRIDE,
  NOISE: G.CTX_NOISE,
  KEY0: G.CTX_KEY0,
  KEY1: G.CTX_KEY1,
  KEY2: G.CTX_KEY2,
  KEY3: G.CTX_KEY3,
  EPOCH: G.CTX_EPOCH,
  SCALE: G.CTX_SCALE,
  K: G.CTX_K,
  LR: G.CTX_LR,
  BETA1: G.CTX_BETA1,
  BETA2: G.CTX_BETA2,
  EPS: G.CTX_EPS,
  LU: G.CTX_LU,
  LW: G.CTX_LW,
  STEP_SIZE: G.CTX_STEP_SIZE,
  BC2_SQRT: G.CTX_BC2_SQRT,
  FLAGS: G.CTX_FLAGS,
  SLOT_COUNT: G.CTX_SLOT_COUNT,
} as const;

export const FLAG_ADAM = G.FLAG_ADAM;

/** Must equal the kernel's `layoutVersion()`. */
export const LAYOUT_VERSION = G.LAYOUT_VERSION;

/** Slots that hold a float64; every other slot holds a uint32. */
export const F64_SLOTS: ReadonlySet<number> = new Set([
  CTX.SCALE,
  CTX.K,
  CTX.LR,
  CTX.BETA1,
  CTX.BETA2,
  CTX.EPS,
  CTX.LU,
  CTX.LW,
  CTX.STEP_SIZE,
  CTX.BC2_SQRT,
]);
