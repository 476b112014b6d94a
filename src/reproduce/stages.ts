/** The stages of `phaseflow reproduce`, in the order they run. */
import type { Stage } from './stage.js';
import { exactStage, gmmDilatedStage, gmmLinearStage, theoryStage } from './gmmStages.js';
import { uturnStage, retrainStage, scanStage } from './realdataStages.js';

export const STAGES: Stage[] = [
  exactStage,
  gmmDilatedStage,
  gmmLinearStage,
  theoryStage,
  uturnStage,
  retrainStage,
  scanStage,
];
