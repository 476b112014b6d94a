/**
 * Real-data experiments of the paper (docs/method.md §4): two-class MNIST-style images, a U-Net trained with the
 * VP-SDE, a CNN feature oracle, the U-Turn and its decision window, phase-aware retraining against uniform training,
 * and the interval scan. Stage entry points take a `RealDataContext` and return plain JSON-able results.
 *
 * ```ts
 * const ctx = await realDataContext({ scale: 'quick', out: 'runs/mnist' });
 * const all = await runRealDataPipeline(ctx);             // oracle, U-Turn, retraining, scan, report
 * // or stage by stage, with the same window rule and verdicts:
 * const uturn = (await uturnStep(ctx)).result;
 * const { result: retrain, claims } = await retrainStep(ctx, { uturn });
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
  computeUTurn,
  uniformRunPlan,
  uniformKeeps,
  uniformFullStates,
  uturnHash,
} from './uturnImages.js';
export {
  runRetrainStage,
  computeRetrain,
  summariseRetrain,
  summariseBudgets,
  summariseCurve,
  chooseWindow,
  armSampler,
  retrainHash,
  runRetrainShard,
  mergeRetrainShards,
  ARMS,
  type RetrainShardFile,
} from './retrain.js';
export {
  runScanStage,
  computeScan,
  summariseScan,
  scanAnswer,
  scanSchedule,
  runScanShard,
  mergeScanShards,
  type ScanShardFile,
} from './scan.js';
export { runClassifierStage, runDenoiseStage, type DenoiseStageOptions } from './stages.js';
export {
  runRealDataPipeline,
  runRealDataShard,
  mergePipelineShards,
  writePipelineReport,
  uturnStep,
  retrainStep,
  scanStep,
  uturnFor,
  REAL_DATA_STEPS,
  type RealDataStep,
  type StepOutput,
  type WindowSource,
  type PipelineOptions,
  type PipelineShardFile,
} from './pipeline.js';
export type * from './results.js';
export {
  uturnPlot,
  uturnFigures,
  retrainFigures,
  retrainSamplesFigure,
  curveFigure,
  scanFigures,
  pipelineSections,
  writeStageReport,
  className,
  type CurveSeries,
  type FigureFile,
} from './figures.js';
export { encodeGrayPng, tileImages, imageGrid, gridSvg, imageGridSvg } from './png.js';
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
