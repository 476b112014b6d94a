// The convolution geometry block, the one definition both sides use: the host (src/nn/kernels/wasm.ts, convArgs)
// writes it, the kernels (assembly/_nn_conv.ts, _nn_wino.ts, _nn_wino4.ts, through `geo` byte addresses) read it.
// GEO_SLOTS int32 values, each at its slot below. This file is compiled by TypeScript and by AssemblyScript alike,
// so it holds integer constants only (AssemblyScript types them i32).

/** Input channels. */
export const GEO_CI = 0;
/** Input height. */
export const GEO_H = 1;
/** Input width. */
export const GEO_W = 2;
/** Output channels. */
export const GEO_CO = 3;
/** Kernel height. */
export const GEO_KH = 4;
/** Kernel width. */
export const GEO_KW = 5;
/** Vertical stride. */
export const GEO_SH = 6;
/** Horizontal stride. */
export const GEO_SW = 7;
/** Vertical zero padding. */
export const GEO_PH = 8;
/** Horizontal zero padding. */
export const GEO_PW = 9;
/** Output height. */
export const GEO_HO = 10;
/** Output width. */
export const GEO_WO = 11;
/** Slots in the block. */
export const GEO_SLOTS = 12;
