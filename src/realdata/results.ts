/**
 * The result types of the real-data stages, in one module (types only: no stage code, so `figures.ts` and the
 * orchestration import them without importing the stages):
 *
 *   ClassifierStageResult   the feature oracle and its held-out accuracy
 *   DenoiseStageResult      one U-Net trained with a time sampler, evaluated
 *   UTurnStageResult        decision curves, generated fraction, quality gate and window of the uniform model
 *   RetrainStageResult      uniform against phase-aware at every budget (summaries, verdicts, learning curve, grids)
 *   ScanStageResult         the interval scan: improvement of the class error per training-time interval
 *   PipelineResult          all of them, as `phaseflow mnist` writes and prints them
 *
 * Every stage result is JSON: numbers, strings, arrays and plain objects (images as PNG data in `ImageGrid`), with the
 * settings hash of its cache (`configHash`) once stored. Time convention: t in [0, 1], 0 = noise, 1 = data.
 */
import type { MeanCI, RatioCI } from '../metrics/summary.js';
import type { Judgement, QualityGate, Verdict } from '../metrics/verdict.js';
import type { Proportion } from '../uturn/binomial.js';
import type { DecisionWindow } from '../uturn/window.js';
import type { RunMeta } from '../io/meta.js';
import type { PAPER_UTURN, RealDataConfig } from './config.js';
import type { oracleSummary } from './context.js';
import type { describeDataset } from './dataset.js';
import type { SampleEvaluation } from './generate.js';
import type { ClaimRow, Power } from './verdicts.js';

/** Oracle facts recorded in every result that uses the oracle (`context.ts` `oracleSummary`). */
export type OracleSummary = ReturnType<typeof oracleSummary>;
/** The data a result was computed on (`dataset.ts` `describeDataset`). */
export type DataSummary = ReturnType<typeof describeDataset>;

/**
 * A grid of generated images as one grayscale PNG: `n` images of `size` x `size` pixels tiled `columns` per row
 * with a 1-pixel border (`png.ts` `tileImages`), picture `width` x `height`, `png` the base-64 PNG bytes.
 */
export interface ImageGrid {
  n: number;
  size: number;
  columns: number;
  width: number;
  height: number;
  png: string;
}

// ---------------------------------------------------------------------------------------------- classify, denoise

export interface ClassifierStageResult {
  stage: 'classify';
  oracle: OracleSummary;
  data: DataSummary;
  /** Folder holding the oracle (reusable with --classifier), when there is an output folder. */
  dir: string | null;
  /** The engine's backend of this process (an oracle reused from disk may have been trained on another). */
  backend: 'ref' | 'wasm' | 'webgpu';
  seconds: number;
}

export interface DenoiseStageResult {
  stage: 'denoise';
  sampler: { spec: string; name: string; params: Record<string, unknown> };
  seed: number;
  steps: number;
  run: { key: string; startedAt: number; msPerStep: number | null; trainSeconds: number; losses: [number, number][] };
  unet: { channels: number[]; blocksPerLevel: number; params: number };
  /** Folder of the saved model (loadable with --model). */
  modelDir: string | null;
  evaluation: (SampleEvaluation & { seconds: number; oracle: OracleSummary }) | null;
  data: DataSummary;
  /** The engine's backend of this process (a run reused from --out may have been trained on another). */
  backend: 'ref' | 'wasm' | 'webgpu';
  seconds: number;
}

// ---------------------------------------------------------------------------------------------------------- U-Turn

export interface UTurnStageOptions {
  /** A saved U-Net folder (model.safetensors + config.json; ema.safetensors preferred) instead of training one. */
  modelDir?: string;
  /** Seed of the uniform model (default: the first retraining seed, so the retraining stage reuses the run). */
  seed?: number;
}

export interface UTurnStageCurve {
  start: 'A' | 'B';
  startLabel: number;
  /** Fraction ending as class A per turn time (Wilson 95 %). */
  toA: Proportion[];
  /** Fraction ending in the start class per turn time. */
  retention: Proportion[];
  trajectories: number;
  distinctImages: number;
}

export interface UTurnStageResult {
  stage: 'uturn';
  classes: { A: number; B: number };
  turnTimes: number[];
  curves: UTurnStageCurve[];
  /** Fraction of class A among images generated from noise. */
  reference: Proportion | null;
  /**
   * The quality gate of the comparisons applied to the model the window comes from, on the same images as the
   * reference: confidently classified (p >= 0.9) and typical (real-like oracle features) fractions; `passed` when
   * both are >= 0.9 (verdicts.ts). Null without reference samples.
   */
  quality: { confident: Proportion; typical: Proportion | null; passed: boolean } | null;
  /** Fraction of class A in the training set (the truth the reference should match). */
  trueFractionA: number;
  window: DecisionWindow;
  paper: typeof PAPER_UTURN;
  model: {
    origin: 'trained' | 'loaded';
    key: string | null;
    dir: string | null;
    steps: number | null;
    sampler: string | null;
    seed: number | null;
    channels: number[];
    params: number;
    msPerStep: number | null;
    losses: [number, number][];
  };
  oracle: OracleSummary;
  protocol: {
    method: string;
    stepsPerUnit: number;
    forward: string;
    startsPerClass: number;
    referenceSamples: number;
    seed: number;
    windowRule: { lo: number; hi: number };
  };
  /** Images generated from noise by the U-Turn model (the report's picture), null with --preview 0. */
  preview: { n: number; method: string; stepsPerUnit: number; size: number; grid: ImageGrid } | null;
  timing: { trainSeconds: number; uturnSeconds: number; seconds: number };
  /** Figure files written beside the stage's result. */
  figures: string[];
}

// ---------------------------------------------------------------------------------------------------- retraining

export type ArmName = 'uniform' | 'phase-aware';

export interface WindowChoice {
  lo: number;
  hi: number;
  source: 'uturn' | 'given' | 'paper';
  /** Set when the window had to be widened (a degenerate measured window). */
  note?: string;
}

export interface RetrainStageOptions {
  /** Window [lo, hi] in our time; default: the U-Turn result's window. */
  window?: [number, number];
  /** The U-Turn result the window comes from (when `window` is absent). */
  uturn?: UTurnStageResult;
  /** Use the paper's hand-picked window [0.2, 0.6] instead of a measured one. */
  paperWindow?: boolean;
}

export interface ArmRecord {
  name: ArmName;
  sampler: string;
  seeds: number[];
  /** The budgets both arms are compared at (gated, judged). */
  budgets: number[];
  /** Further steps evaluated for the learning curve only (not judged). */
  curveSteps: number[];
  steps: number;
  scheduleSteps: number;
  optim: {
    batch: number;
    lr: number;
    warmup: number;
    weightDecay: number;
    clip: number;
    emaDecay: number;
    schedule: string;
  };
  generation: { method: string; stepsPerUnit: number; images: number; seeds: number[] };
  runKeys: string[];
}

export interface RetrainPart {
  arm: ArmName;
  seed: number;
  /** The step evaluated: a compared budget or a learning-curve step. */
  budget: number;
  key: string;
  fractionA: Proportion;
  classError: number;
  /** Fraction of the generated images the oracle classifies with confidence >= 0.9 (the quality gate). */
  confident: number;
  /** Fraction of the generated images whose oracle features are typical of real images (null: not measured). */
  typical: number | null;
  fd: number | null;
  genSeconds: number;
  /** The first images of this evaluation (first seed of each arm only), for the report's grids. */
  grid?: ImageGrid;
}

export interface ArmSummary {
  classError: MeanCI;
  /** Mean over seeds of the confidently classified fraction (`RetrainPart.confident`), Student-t 95 % interval. */
  confident: MeanCI;
  /** Mean over seeds of the typical fraction (`RetrainPart.typical`; NaN when not measured). */
  typical: MeanCI;
  fd: MeanCI;
  fractionA: MeanCI;
}

export interface BudgetSummary {
  budget: number;
  arms: Record<ArmName, ArmSummary>;
  /** mean error (uniform) / mean error (phase-aware); > 1: phase-aware better. */
  errorRatio: RatioCI;
  fdRatio: RatioCI;
  /** Paired per-seed differences uniform - phase-aware (> 0: phase-aware better). */
  errorDiff: MeanCI;
  fdDiff: MeanCI;
  /** Seed-to-seed SD of the paired difference and the seeds a half-width of 0.015 needs (verdicts.ts). */
  power: Power;
  /** Both arms draw >= 90 % confidently classified and >= 90 % typical images; else the verdicts are 'not comparable'. */
  gate: QualityGate;
  /** The claims judged at this budget (verdicts.ts): paired difference > 0, and the paper's ratio > 5. */
  judgements: { difference: Judgement; ratio: Judgement };
  /** = judgements.difference.verdict. */
  verdict: Verdict;
  /** What the interval shows, in words, with the command that would resolve it where unresolved. */
  statement: string;
  /** That command (null unless unresolved). */
  resolve: string | null;
}

/**
 * One point of a learning curve: mean over seeds (Student-t 95 % interval) of the class error, Fréchet distance,
 * confident and typical fractions of the images generated after `step` training steps; `pass` when the mean
 * confident and mean typical fractions both reach the gate (0.9).
 */
export interface LearningCurvePoint {
  step: number;
  classError: MeanCI;
  fd: MeanCI;
  confident: MeanCI;
  /** Fraction of images with real-like oracle features (the gate's second half). */
  typical: MeanCI;
  pass: boolean;
}

export interface RetrainStageResult {
  stage: 'retrain';
  window: WindowChoice;
  massInside: number;
  targetFractionA: number;
  arms: ArmRecord[];
  /** Every evaluation (arm x seed x step, compared budgets and learning-curve steps). */
  parts: RetrainPart[];
  /** The compared budgets. */
  budgets: BudgetSummary[];
  /** The learning curve of each arm over the curve steps and budgets (from the same runs and evaluations). */
  curve: { steps: number[]; arms: Record<ArmName, LearningCurvePoint[]> };
  paperClaim: { statement: string; ratio: number; paperWindow: [number, number]; uniformGeneratedFractionA: number };
  oracle: OracleSummary;
  timing: { seconds: number; trainSeconds: number; evalSeconds: number; msPerStep: number | null };
  figures: string[];
}

// ------------------------------------------------------------------------------------------------------------ scan

export interface ScanStageOptions {
  /** The U-Turn result whose window the scan is compared with (optional). */
  uturn?: UTurnStageResult;
}

export interface ScanEval {
  fractionA: number;
  classError: number;
  /** Fraction of the generated images the oracle classifies with confidence >= 0.9 (the quality gate). */
  confident: number;
  /** Fraction whose oracle features are typical of real images (null: not measured). */
  typical: number | null;
  fd: number | null;
}

export interface ScanPart {
  seed: number;
  /** Interval index, or -1 for the uniform control. */
  interval: number;
  key: string;
  before: ScanEval;
  after: ScanEval;
  deltaError: number;
  deltaFd: number | null;
}

export interface ScanIntervalSummary {
  /** -1 = uniform control. */
  index: number;
  lo: number;
  hi: number;
  label: string;
  sampler: string;
  /** Mean change of the class error over seeds (negative = improvement), 95 % interval. */
  deltaError: MeanCI;
  /** -deltaError: how much the interval reduced the class error. */
  improvement: MeanCI;
  deltaFd: MeanCI;
  errorAfter: MeanCI;
  /** Confidently classified fraction after the continuation (mean over seeds). */
  confident: MeanCI;
  /** Typical fraction after the continuation (mean over seeds). */
  typical: MeanCI;
  /** Mean confident and mean typical fractions after the continuation both >= 0.9 (this arm's own gate). */
  passes: boolean;
  /** Fraction of the interval inside the U-Turn window (null without a U-Turn result). */
  insideWindow: number | null;
}

/** The learning-rate schedule of every continuation (its own, over the extra steps; docs/method.md §6.4). */
export interface ScanSchedule {
  /** Peak learning rate. */
  lr: number;
  /** Linear warm-up steps from 0 to `lr`, counted from the base. */
  warmup: number;
  /** Steps of the continuation: the cosine reaches 0 after them. */
  steps: number;
  kind: 'cosine';
}

export interface ScanStageResult {
  stage: 'scan';
  edges: number[];
  baseSteps: number;
  extraSteps: number;
  /** The continuations' schedule. */
  schedule: ScanSchedule;
  seeds: number[];
  genSamples: number;
  targetFractionA: number;
  base: { seed: number; key: string; eval: ScanEval }[];
  intervals: ScanIntervalSummary[];
  control: ScanIntervalSummary;
  parts: ScanPart[];
  comparison: {
    window: [number, number] | null;
    bestInterval: string;
    bestImprovement: MeanCI;
    bestInsideWindow: number | null;
    meanImprovementInside: number | null;
    meanImprovementOutside: number | null;
    /**
     * The verdict's gate: the base and the two compared continuations (best inside and best outside the window; the
     * best interval without a comparison) draw >= 90 % confidently classified and typical images (verdicts.ts).
     */
    gate: QualityGate;
    /** The same test over the base and every continuation, the control included (reported, not a condition). */
    allArms: QualityGate;
    /** Best interval inside the window against the best outside it, paired over seeds (null without a window). */
    windowVsOutside: { inside: string; outside: string; difference: MeanCI } | null;
    /** The claim "the window's interval improves the feature most", judged (null without a window). */
    judgement: Judgement | null;
    verdict: Verdict | 'n/a';
    /** The abstract's question ("which interval improves the feature most?") answered with its interval, in words. */
    answer: string;
    /** What was measured, in words. */
    statement: string;
  };
  oracle: OracleSummary;
  timing: { seconds: number; trainSeconds: number; evalSeconds: number };
  figures: string[];
}

// -------------------------------------------------------------------------------------------------------- pipeline

export interface PipelineResult {
  stage: 'pipeline';
  scale: string;
  classifier: ClassifierStageResult;
  uturn: UTurnStageResult | null;
  retrain: RetrainStageResult | null;
  scan: ScanStageResult | null;
  /** Every claim judged, the same rows `phaseflow reproduce` puts into its claims table. */
  claims: ClaimRow[];
  config: RealDataConfig;
  /** The real-data algorithm versions of the code that made it (`versions.ts` `realDataCodeVersion`). */
  codeVersion: string;
  meta: RunMeta;
  timing: { seconds: number; stages: Record<string, number> };
  /** Set on a merged result: the shard files it was merged from. */
  merged?: { files: string[] };
}
