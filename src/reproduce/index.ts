export { runStages, readStageRecord, stageRecordPath } from './runner.js';
export type { RunStagesOptions } from './runner.js';
export { buildReport } from './report.js';
export { exactStage, gmmDilatedStage, gmmLinearStage, theoryStage } from './gmmStages.js';
export { uturnStage, retrainStage, scanStage } from './realdataStages.js';
export { SCALES } from './stage.js';
export type { Scale, Stage, StageContext, StageOutput, StageRecord, Claim } from './stage.js';
export { STAGES } from './stages.js';
