/**
 * Stages of `phaseflow reproduce`. A stage is one step of the paper's results (exact field, trained autoencoder,
 * theory, U-Turn, retraining); it returns JSON-able numbers, figures and rows for the "paper claims / measured" table.
 * The runner persists each finished stage to `<out>/stages/<name>.json` (and its figures to `<out>/figures/`), so a
 * rerun skips finished stages and the report can always be rebuilt from disk.
 */
import type { FigureFile } from '../report/figure.js';
import type { RealDataBackendName } from '../realdata/backend.js';

export type Scale = 'tiny' | 'quick' | 'standard' | 'paper';
export const SCALES: readonly Scale[] = ['tiny', 'quick', 'standard', 'paper'];

/** The scale of the exact, theory and GMM stages: `standard` enlarges the real-data stages only (GMM ones as quick). */
export function theoryScale(s: Scale): 'tiny' | 'quick' | 'paper' {
  return s === 'standard' ? 'quick' : s;
}

/** One row of the claims table. */
export interface Claim {
  claim: string;
  paper: string;
  measured: string;
  /**
   * Whether the measurement supports the paper's statement (judged by a stated criterion), or n/a. Interval claims use
   * the one rule of metrics/verdict.ts, which adds 'unresolved' and 'not comparable'.
   */
  verdict: 'agrees' | 'differs' | 'unresolved' | 'not comparable' | 'n/a';
  /** The rule that decided the verdict (shown in the report). */
  criterion?: string;
}

export interface StageOutput {
  summary: Record<string, unknown>;
  figures: FigureFile[];
  claims: Claim[];
  tables?: Array<{ heading: string; columns: string[]; rows: Array<Array<string | number | null>> }>;
  notes?: string[];
}

export interface StageContext {
  /** The stage's own folder (checkpoints, models). */
  dir: string;
  scale: Scale;
  seed: number;
  threads: number;
  /** The backend of the trained stages: the gmm stages' autoencoder kernel and the real-data network engine. */
  backend?: RealDataBackendName;
  quiet: boolean;
  log: (line: string) => void;
  /** Outputs of stages that finished earlier in this or a previous run. */
  previous: Record<string, StageRecord>;
  /** `--force` names this stage: recompute everything under it (checkpoints, trained models, cached results). */
  force: boolean;
}

export interface Stage {
  name: string;
  title: string;
  /** The settings this stage uses at a scale (printed before running and recorded). */
  settings(scale: Scale): Record<string, unknown>;
  /**
   * The algorithm versions of the code behind the stage (e.g. "gmm2"): a record made under another version is not
   * reused. Built from the modules' version constants (docs/architecture.md, "Caches").
   */
  version: string;
  run(ctx: StageContext): Promise<StageOutput>;
}

export interface StageRecord {
  name: string;
  title: string;
  status: 'done' | 'failed';
  scale: Scale;
  seed: number;
  settings: Record<string, unknown>;
  seconds: number;
  startedAt: string;
  /** `Stage.version` of the code that made the record (absent in records of older code: never reused). */
  version?: string;
  error?: string;
  summary?: Record<string, unknown>;
  claims?: Claim[];
  tables?: StageOutput['tables'];
  notes?: string[];
  /** Figure files (relative to the output folder) with captions. */
  figures?: Array<{ file: string; caption: string }>;
}
