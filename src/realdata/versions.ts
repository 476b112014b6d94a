/**
 * Algorithm versions of the real-data code, one per module, part of every cache key of the real-data store
 * (store.ts): trained runs are keyed with the data and denoiser versions (`runKey`), the oracle with the data and
 * oracle versions, and every cached stage result (`readCached` / `writeCached`) with all of them. Bump a module's
 * number in the same commit as any change that alters what it computes (numbers, not just speed or messages):
 * results made by the old code are then recomputed instead of reused. See docs/architecture.md, "Caches".
 */
export const ALGORITHM_VERSIONS = {
  /** dataset.ts: loading, class split, held-out split, resolution. */
  data: 1,
  /** denoiser.ts: the U-Net training step, batches, noise, schedule, EMA (and the nn engine it runs on). */
  denoiser: 3, // 2: the nn engine's Winograd F(4x4), FMA, fused GroupNorm + SiLU; 3: fitted exp, reordered sums (rounding)
  /** classifier.ts: the feature oracle's training and evaluation. */
  oracle: 3, // 2: the nn engine's new convolution kernels, 3: its fitted exp and reordered sums (float32 rounding)
  /** generate.ts: generation and the class-fraction / Fréchet measurements. */
  generate: 4, // 2: the confidently classified fraction, 3: the typical fraction (issue 11), 4: named seed streams
  /** uturnImages.ts: the U-Turn decision curves and window rule. */
  uturn: 4, // 2: the quality gate of the U-Turn model (issue 11), 3: named seed streams, 4: preview grid in the result
  /** retrain.ts: the uniform vs phase-aware comparison. */
  retrain: 5, // 2: gate, power, verdicts, shards, 3: typical in the gate, 4: seed streams, 5: learning curve, grids
  /** scan.ts: the interval scan. */
  scan: 6, // 2: gate, verdict, shards, 3: typical, 4: seed streams, 5: gated base, own schedule, 6: compared arms' gate
  /** stages.ts: the classify and denoise stage results. */
  stages: 2, // 2: named seed streams
} as const;

export type RealDataModule = keyof typeof ALGORITHM_VERSIONS;

/** The versions of some modules, to put into a cache key. */
export function versionsOf(...modules: RealDataModule[]): Record<string, number> {
  return Object.fromEntries(modules.map((m) => [m, ALGORITHM_VERSIONS[m]]));
}

/** One string for all of them (recorded in stage records of `phaseflow reproduce`). */
export function realDataCodeVersion(): string {
  return Object.entries(ALGORITHM_VERSIONS)
    .map(([k, v]) => `${k}${v}`)
    .join('.');
}
