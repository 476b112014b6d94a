/**
 * Real-data experiments of the paper (docs/method.md §4): two-class MNIST-style images, a U-Net trained with the
 * VP-SDE, a CNN feature oracle, the U-Turn and its decision window, phase-aware retraining against uniform training,
 * and the interval scan. Stage entry points take a `RealDataContext` and return plain JSON-able results.
 *
 * ```ts
 * const ctx = await realDataContext({ scale: 'quick', out: 'runs/mnist' });
 * const uturn = await runUTurnStage(ctx);
 * const retrain = await runRetrainStage(ctx, { uturn });
 * const scan = await runScanStage(ctx, { uturn });
 * ```
 */
export * from './config.js';
export { realDataBackend } from './backend.js';
export {
  generativeDataset,
  oracleDataset,
  imagesOfLabel,
  describeDataset,
  splitDim,
  imageSide,
  halve,
  IMAGE_SIZE,
  IMAGE_DIM,
} from './dataset.js';
export {
  Oracle,
  trainOracle,
  saveOracle,
  loadOracle,
  EpochBatches,
  type OracleInfo,
  type TrainOracleOptions,
} from './classifier.js';
export { networkTime, unetPredictor, type TimeConditionedNet, type UNetPredictor } from './predictor.js';
export {
  VP_SDE,
  trainDenoiser,
  loadSnapshotNet,
  runSpec,
  runKey,
  unetOf,
  lrSchedule,
  DenoiserDivergedError,
  type RunSpec,
  type TrainDenoiserOptions,
  type TrainedRun,
} from './denoiser.js';
export {
  generateImages,
  evaluateImages,
  referenceFit,
  evaluationsPerImage,
  type GenerateImagesOptions,
  type SampleEvaluation,
} from './generate.js';
export {
  dirStore,
  memoryStore,
  hashOf,
  stableJson,
  readCached,
  writeCached,
  type RunStore,
  type TrainState,
} from './store.js';
export {
  realDataContext,
  ensureOracle,
  ensureRun,
  evaluateSnapshot,
  oracleSummary,
  streamReporter,
  type RealDataContext,
  type ContextOptions,
  type Reporter,
} from './context.js';
export {
  runUTurnStage,
  uniformRunPlan,
  uniformKeeps,
  type UTurnStageOptions,
  type UTurnStageResult,
  type UTurnStageCurve,
} from './uturnImages.js';
export {
  runRetrainStage,
  chooseWindow,
  armSampler,
  ARMS,
  type RetrainStageOptions,
  type RetrainStageResult,
  type ArmName,
  type ArmRecord,
  type BudgetSummary,
  type RetrainPart,
  type WindowChoice,
} from './retrain.js';
export {
  runScanStage,
  type ScanStageOptions,
  type ScanStageResult,
  type ScanIntervalSummary,
  type ScanPart,
} from './scan.js';
export {
  runClassifierStage,
  runDenoiseStage,
  runRealDataPipeline,
  type ClassifierStageResult,
  type DenoiseStageOptions,
  type DenoiseStageResult,
  type PipelineOptions,
  type PipelineResult,
} from './stages.js';
export {
  uturnPlot,
  uturnFigures,
  retrainFigures,
  scanFigures,
  stageSections,
  writeStageReport,
  className,
  type FigureFile,
} from './figures.js';
export { encodeGrayPng, tileImages, imageGridSvg } from './png.js';
export {
  samplerTable,
  samplerTableMarkdown,
  samplerLabel,
  parseSamplers,
  loadDenoiseFolder,
  type SamplerChoice,
  type SamplerTableRow,
  type SamplerTableOptions,
} from './samplerTable.js';
