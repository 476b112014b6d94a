/** The stages of `phaseflow reproduce`, in the order they run. */
import type { Stage } from './stage.js';
import { exactStage, gmmDilatedStage, gmmLinearStage, theoryStage } from './gmmStages.js';

export const STAGES: Stage[] = [exactStage, gmmDilatedStage, gmmLinearStage, theoryStage];
