export { Interpolant } from './interpolant.js';
export type { Coefficients } from './interpolant.js';
export {
  LinearInterpolant,
  VeInterpolant,
  CosineInterpolant,
  VpSdeInterpolant,
  ReclockedInterpolant,
  dilatedInterpolant,
  timeDilate,
  makeInterpolant,
  SCHEDULE_NAMES,
} from './schedules.js';
export type { ScheduleName, ScheduleOptions, TimeDilationOptions } from './schedules.js';
export * from './convert.js';
