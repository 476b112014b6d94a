// Fused multiply-add on f32x4 where the build has relaxed SIMD (build/nn-relaxed.wasm, `--enable relaxed-simd`),
// separate multiply and add otherwise (build/nn.wasm). `ASC_FEATURE_RELAXED_SIMD` is a compile-time constant, so
// each build contains one branch only.
// relaxed_madd(a, b, c) = a b + c with either one rounding (an FMA instruction) or two (the plain sequence), chosen
// by the engine: results of the relaxed build may differ from the plain build in the last bits, never by more than
// the rounding of one multiply per term (docs/engines.md, "Relaxed SIMD").

@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
