/**
 * Named seed streams of the experiments: one documented name per purpose instead of numeric offsets (`7000 + seed`).
 * The seed of stream `name` under a base seed is the first uint32 of `Rng.seeded(base).split(SEED_STREAMS[name])`:
 * distinct streams are independent (the split keys differ), the same name under the same base seed is the same
 * stream everywhere (so two measurements that must share generation noise both ask for it by name), and adding a
 * stream never moves the others. Stream numbers are part of the results: never renumber one; add new names at the
 * end.
 */
import { Rng } from './rng.js';

export const SEED_STREAMS = {
  /**
   * Generation noise of an evaluation of a trained denoiser at a budget: shared by the two arms of the retraining
   * comparison (so their difference is paired) and by the learning curve (so its points match the uniform arm).
   */
  evaluation: 1,
  /** Generation noise of the interval scan's evaluations (continuations of a partly trained model). */
  scanEvaluation: 2,
  /** The U-Turn: noising the held-out starts, regenerating them and the reference samples. */
  uturn: 3,
  /** The preview grid generated after the U-Turn model is trained. */
  uturnPreview: 4,
  /** The preview grid of the `denoise` stage. */
  trainPreview: 5,
} as const;

export type SeedStream = keyof typeof SEED_STREAMS;

/** The seed (a uint32) of stream `name` under `base` (an integer in [0, 2^53)). */
export function streamSeed(base: number, name: SeedStream): number {
  return Rng.seeded(base).split(SEED_STREAMS[name]).nextU32();
}
