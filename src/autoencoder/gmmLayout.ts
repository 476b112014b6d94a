// The context block of the `gmm` kernel, the one definition both sides use: the host (src/autoencoder/wasmBackend.ts,
// through wasmLayout.ts) writes it, assembly/gmm.ts reads it. An array of 8-byte slots: integer and pointer slots
// hold a u32 in their first four bytes; the slots listed in wasmLayout.ts's F64_SLOTS hold a double. (Storing
// integers as doubles cost a trapping float-to-int conversion at every use, and V8 left some of those inside the
// inner loops: a third of the step, measured.) This file is compiled by TypeScript and by AssemblyScript alike, so
// it holds integer constants only (AssemblyScript types them i32).

/** d */
export const CTX_D = 0;
/** d padded to a multiple of 8 */
export const CTX_DP = 1;
/** n training samples */
export const CTX_N = 2;
/** T time steps */
export const CTX_T = 3;
/** sample chunks per time step (work units = T * NCHUNK) */
export const CTX_NCHUNK = 4;
/** samples per cache block */
export const CTX_BLOCK = 5;
/** f32 (n, dp) training data, zero padded */
export const CTX_X1 = 6;
/** f64 (n) |x1_mu|^2 */
export const CTX_X1SQ = 7;
/** f64 (T) */
export const CTX_ALPHA = 8;
/** f64 (T) */
export const CTX_BETA = 9;
/** f64 (T, dp) master weights */
export const CTX_W = 10;
/** f64 (T, dp) */
export const CTX_U = 11;
/** f64 (T) */
export const CTX_B = 12;
/** f64 (T) */
export const CTX_C = 13;
/** f32 (T, dp) working copy of w */
export const CTX_WF = 14;
/** f32 (T, dp) working copy of u */
export const CTX_UF = 15;
/** f64 (T) |uf_j|^2 */
export const CTX_UU = 16;
/** Adam first/second moments, f64, shaped like the parameters */
export const CTX_MW = 17;
export const CTX_VW = 18;
export const CTX_MU = 19;
export const CTX_VU = 20;
export const CTX_MB = 21;
export const CTX_VB = 22;
export const CTX_MC = 23;
export const CTX_VC = 24;
/** f32 per unit: gu (dp), gw (dp) */
export const CTX_SLOTS = 25;
/** f64 per unit: loss, gb, gc, sum h^2 */
export const CTX_SLOTSC = 26;
/** f64 (T, dp) gradient dL/dw of the last step (no weight decay) */
export const CTX_GW = 27;
/** f64 (T, dp) */
export const CTX_GU = 28;
/** f64 (T) */
export const CTX_GB = 29;
/** f64 (T) */
export const CTX_GC = 30;
/** f64 (T) loss contribution of each time step: K sum_mu |r|^2 */
export const CTX_LOSS = 31;
/** i32: [0] next unit, [1 + j] finished chunks of time j */
export const CTX_COUNTERS = 32;
/** per-executor scratch base */
export const CTX_SCRATCH = 33;
/** bytes per executor */
export const CTX_SCRATCH_STRIDE = 34;
/** 0, or f32 (T, n, dp) explicit noise (tests) */
export const CTX_NOISE = 35;
/** 128-bit noise key, four uint32 */
export const CTX_KEY0 = 36;
export const CTX_KEY1 = 37;
export const CTX_KEY2 = 38;
export const CTX_KEY3 = 39;
/** noise counter (the epoch) */
export const CTX_EPOCH = 40;
/** f64: s = 1/(sqrt(d) c0) */
export const CTX_SCALE = 41;
/** f64: K = 1/(d T) */
export const CTX_K = 42;
/** f64, unused by the kernel (the host folds it into STEP_SIZE); kept for the record */
export const CTX_LR = 43;
/** f64 (this and the next six) */
export const CTX_BETA1 = 44;
export const CTX_BETA2 = 45;
export const CTX_EPS = 46;
/** f64: weight decay of u (coupled: grad += lU u) */
export const CTX_LU = 47;
/** f64: weight decay of w */
export const CTX_LW = 48;
/** f64: lr / (1 - beta1^t) */
export const CTX_STEP_SIZE = 49;
/** f64: sqrt(1 - beta2^t) */
export const CTX_BC2_SQRT = 50;
/** FLAG_* */
export const CTX_FLAGS = 51;
export const CTX_SLOT_COUNT = 52;
/** apply the Adam update after reducing the gradient */
export const FLAG_ADAM = 1;

/** Version of this layout; the kernel reports it (`layoutVersion()`) and the host checks it. */
export const LAYOUT_VERSION = 2;
