/**
 * Learning-rate schedules as functions of the step index (0-based, the step about to be taken).
 * cosineWithWarmup follows diffusers / transformers `get_cosine_schedule_with_warmup` (half a cosine cycle):
 *   lr(s) = base s / warmup                                            for s < warmup
 *   lr(s) = min + (base - min) max(0, (1 + cos(pi p)) / 2),  p = (s - warmup) / (total - warmup)   afterwards.
 */
export type LrSchedule = (step: number) => number;

export interface CosineOptions {
  base: number;
  warmupSteps: number;
  totalSteps: number;
  /** Floor of the cosine (default 0). */
  min?: number;
}

export function cosineWithWarmup(o: CosineOptions): LrSchedule {
  if (!(o.totalSteps > 0) || o.warmupSteps < 0)
    throw new Error('cosine schedule: need totalSteps > 0 and warmupSteps >= 0');
  const min = o.min ?? 0;
  return (s) => {
    if (s < o.warmupSteps) return (o.base * s) / Math.max(1, o.warmupSteps);
    const p = (s - o.warmupSteps) / Math.max(1, o.totalSteps - o.warmupSteps);
    return min + (o.base - min) * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * Math.min(p, 1))));
  };
}

export function constantLr(base: number): LrSchedule {
  return () => base;
}
