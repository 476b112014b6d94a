/**
 * The sampler table: one trained digit model generates `n` images with each sampler and step count, and each set is
 * scored as every real-data evaluation is (`generate.ts`): the oracle's class fraction of class A (Wilson 95 %
 * interval) and the Fréchet distance to the training images in the oracle's feature space, with the wall time of
 * the generation. Every cell starts from the same noise (the same `seed`), so rows differ by the sampler only.
 * `scripts/sampler-table.mjs` runs it on a `phaseflow denoise --out DIR` folder and prints the markdown table.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../nn/io/weights.js';
import { UNet } from '../nn/models/unet.js';
import type { TimeConditionedNet } from './predictor.js';
import { evaluationsPerSample, type GenerativeMethod } from '../solver/sample.js';
import type { GridSpacing } from '../solver/fewStep.js';
import type { DataConfig } from './config.js';
import { ensureOracle, realDataContext, type RealDataContext, type Reporter } from './context.js';
import { evaluateImages, generateImages, type SampleEvaluation } from './generate.js';

/** One sampler of the table: a method, DDIM's eta, a grid spacing. */
export interface SamplerChoice {
  method: GenerativeMethod;
  eta?: number;
  spacing?: GridSpacing;
}

export interface SamplerTableRow {
  sampler: string;
  method: GenerativeMethod;
  eta: number;
  steps: number;
  /** Network evaluations per image. */
  nfe: number;
  evaluation: SampleEvaluation;
  seconds: number;
}

/** "ddim η=1", "dpm++2m", "sde" (with ", logsnr" for the log-SNR grid). */
export function samplerLabel(s: SamplerChoice): string {
  const base = s.method === 'ddim' ? `ddim η=${s.eta ?? 0}` : s.method;
  return s.spacing && s.spacing !== 'uniform' ? `${base}, ${s.spacing}` : base;
}

/** Parses "sde,ode,ddim,ddim:1,dpm++2m" (ddim:ETA; a "@logsnr" suffix picks the log-SNR grid). */
export function parseSamplers(spec: string): SamplerChoice[] {
  return spec.split(',').map((raw) => {
    const [head, spacing] = raw.trim().split('@');
    const [method, eta] = head.split(':');
    const choice: SamplerChoice = { method: method as GenerativeMethod };
    if (eta !== undefined) choice.eta = Number(eta);
    if (spacing !== undefined) choice.spacing = spacing as GridSpacing;
    return choice;
  });
}

export interface SamplerTableOptions {
  ctx: RealDataContext;
  /** A U-Net noise predictor (or a stand-in) in the network-time convention of `predictor.ts`. */
  net: TimeConditionedNet;
  samplers: SamplerChoice[];
  steps: number[];
  /** Images per cell. */
  n: number;
  seed: number;
  batch?: number;
  /** Generate each cell this many times and report the fastest (the images are identical; default 1). */
  repeat?: number;
  onCell?: (row: SamplerTableRow) => void;
}

/** Generates and scores every (sampler, steps) cell; rows in sampler-major order. */
export async function samplerTable(o: SamplerTableOptions): Promise<SamplerTableRow[]> {
  const oracle = await ensureOracle(o.ctx);
  const rows: SamplerTableRow[] = [];
  for (const s of o.samplers) {
    for (const steps of o.steps) {
      let images: Float64Array | null = null;
      let seconds = Infinity;
      for (let r = 0; r < Math.max(1, o.repeat ?? 1); r++) {
        const t0 = performance.now();
        const im = await generateImages({
          net: o.net,
          n: o.n,
          method: s.method,
          eta: s.eta,
          spacing: s.spacing,
          stepsPerUnit: steps,
          batch: o.batch ?? o.ctx.config.sampling.batch,
          seed: o.seed,
        });
        seconds = Math.min(seconds, (performance.now() - t0) / 1000);
        if (images && im.some((v, i) => v !== images![i]))
          throw new Error(`${samplerLabel(s)} at ${steps} steps: a repeat with the same seed gave different images`);
        images = im;
      }
      if (!images) throw new Error('unreachable');
      const evaluation = evaluateImages({
        oracle,
        images,
        target: o.ctx.data.trainFractionA,
        reference: o.ctx.reference ?? null,
      });
      const row: SamplerTableRow = {
        sampler: samplerLabel(s),
        method: s.method,
        eta: s.eta ?? 0,
        steps,
        nfe: evaluationsPerSample(s.method, Math.max(2, Math.ceil(steps))),
        evaluation,
        seconds,
      };
      rows.push(row);
      o.onCell?.(row);
    }
  }
  return rows;
}

/** Markdown table: sampler, steps, NFE, class fraction [95 % CI], class error, FD, seconds. */
export function samplerTableMarkdown(rows: SamplerTableRow[]): string {
  const pct = (x: number) => (100 * x).toFixed(1);
  const lines = [
    '| sampler | steps | NFE | class A fraction [95 % CI] | class error | Fréchet distance | time (s) |',
    '|---|---:|---:|---|---:|---:|---:|',
  ];
  for (const r of rows) {
    const f = r.evaluation.fractionA;
    lines.push(
      `| ${r.sampler} | ${r.steps} | ${r.nfe} | ${pct(f.value)} % [${pct(f.low)}, ${pct(f.high)}] | ${r.evaluation.classError.toFixed(3)} | ${r.evaluation.fd === null ? '—' : r.evaluation.fd.toFixed(2)} | ${r.seconds.toFixed(1)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * A context and the U-Net of a `phaseflow denoise --out DIR` folder: the data settings come from
 * DIR/denoise/result.json, the oracle from DIR/classifier, the weights from DIR/denoise/model (EMA if saved apart).
 */
export async function loadDenoiseFolder(
  dir: string,
  o: {
    threads?: number;
    reporter?: Reporter;
    /** The denoise run's --data and --held-out, if not the defaults. */ data?: Partial<DataConfig>;
  } = {},
): Promise<{ ctx: RealDataContext; net: UNet; result: Record<string, unknown> }> {
  const resultPath = join(dir, 'denoise', 'result.json');
  if (!existsSync(resultPath))
    throw new Error(`${dir}: no denoise/result.json (expected a \`phaseflow denoise --out DIR\` folder)`);
  const result = JSON.parse(readFileSync(resultPath, 'utf8')) as Record<string, unknown> & {
    data: Partial<DataConfig> & { maxTrain?: number | null };
  };
  const d = result.data;
  const data: Partial<DataConfig> = {
    classA: d.classA,
    classB: d.classB,
    fraction: d.fraction,
    resolution: d.resolution,
    seed: d.seed,
  };
  if (d.maxTrain != null) data.maxTrain = d.maxTrain;
  Object.assign(data, o.data ?? {});
  const classifierDir = join(dir, 'classifier');
  if (!existsSync(join(classifierDir, 'model.safetensors'))) throw new Error(`${dir}: no classifier/model.safetensors`);
  const ctx = await realDataContext({
    scale: 'quick',
    overrides: { data },
    threads: o.threads,
    classifierDir,
    reporter: o.reporter,
  });
  const modelDir = join(dir, 'denoise', 'model');
  const m = loadModel(modelDir, ctx.be, { ema: existsSync(join(modelDir, 'ema.safetensors')) });
  if (!(m instanceof UNet)) {
    m.dispose();
    throw new Error(`${modelDir} holds a ${m.config.model}, not a U-Net`);
  }
  return { ctx, net: m, result };
}
