/**
 * The U-Turn (docs/method.md §4.5; Behjoo & Chertkov; Sclocchi et al.): start from real samples of a known class, noise
 * them to a turn time t0, regenerate from t0 to the data end, and classify the result. Plotted against t0 (time from
 * noise, t = 0, to data, t = tEnd), the fraction that ends in each class shows where the generative process decides the
 * feature: for t0 near the data end the class survives, for t0 near the noise end the outcome is the model's generated
 * class fraction whatever the start. Works with any noise predictor and any feature oracle (a classifier for images,
 * sign(<x, mu>) for the Gaussian mixture).
 */
import type { Interpolant } from '../interpolant/interpolant.js';
import { Rng } from '../random/rng.js';
import { reverseSample, noiseTo, type NoisePredictor, type GenerativeMethod } from '../solver/sample.js';
import { integrateSde, noisingSde } from '../solver/sde.js';
import { uniformGrid } from '../solver/grid.js';
import { wilson, type Proportion } from './binomial.js';
import { classMemory, decisionWindow, type DecisionWindow, type WindowRule } from './window.js';

/** Labels for a row-major (n, dim) batch. */
export type FeatureOracle = (x: Float64Array, n: number) => Int32Array | Promise<Int32Array>;

export interface UTurnOptions {
  interp: Interpolant;
  model: NoisePredictor;
  classify: FeatureOracle;
  /** Real samples per start class, row-major (n, dim). */
  starts: Array<{ label: number; x: Float64Array }>;
  /** Turn times t0 (our convention: 0 noise, tEnd data). */
  turnTimes: number[];
  /** Class whose fraction the curves report (the paper: "proportion that end up being 0"). */
  targetLabel: number;
  /** Reverse-integration steps per unit of time (the paper used 1000; about 250 suffice). */
  stepsPerUnit?: number;
  method?: GenerativeMethod;
  /** DDIM's eta when method is 'ddim' (default 0). The image U-Turn (`realdata/uturnImages.ts`) admits only stochastic samplers. */
  eta?: number;
  /** 'exact': draw x_t0 = alpha x0 + beta x1 directly; 'sde': Euler–Maruyama on the noising SDE (the paper's code). */
  forward?: 'exact' | 'sde';
  /** Samples generated from pure noise for the reference line (0 to skip). */
  referenceSamples?: number;
  /** Reference start time (default 0; paths whose reverse SDE is singular at 0 start slightly later). */
  referenceStart?: number;
  batchSize?: number;
  seed: number;
  window?: WindowRule;
  onProgress?: (done: number, total: number) => void;
}

export interface UTurnCurve {
  startLabel: number;
  /** Fraction ending as targetLabel at each turn time, with Wilson 95 % intervals. */
  toTarget: Proportion[];
  /** Fraction ending in the start class (retention R_c). */
  retention: Proportion[];
}

export interface UTurnResult {
  turnTimes: number[];
  targetLabel: number;
  curves: UTurnCurve[];
  /** Fraction of targetLabel among samples generated from noise. */
  reference: Proportion | null;
  window: DecisionWindow;
}

async function inBatches(
  x: Float64Array,
  dim: number,
  batch: number,
  fn: (xb: Float64Array, k: number) => Promise<void>,
): Promise<void> {
  const n = x.length / dim;
  for (let s = 0, k = 0; s < n; s += batch, k++) await fn(x.subarray(s * dim, Math.min(n, s + batch) * dim), k);
}

async function classifyAll(classify: FeatureOracle, x: Float64Array, dim: number): Promise<Int32Array> {
  return classify(x, x.length / dim);
}

export async function uTurn(opts: UTurnOptions): Promise<UTurnResult> {
  const { interp, model, turnTimes } = opts;
  const dim = model.dim;
  const spu = opts.stepsPerUnit ?? 250;
  const batch = opts.batchSize ?? 256;
  const root = Rng.seeded(opts.seed);
  for (const t of turnTimes)
    if (!(t > 0 && t < interp.tEnd)) throw new RangeError(`turn times must lie in (0, ${interp.tEnd}), got ${t}`);
  const refN = opts.referenceSamples ?? 0;
  const total = opts.starts.reduce((s, st) => s + (st.x.length / dim) * turnTimes.length, 0) + refN;
  let done = 0;
  const regenerate = async (x: Float64Array, t0: number, rng: Rng) => {
    const steps = Math.max(2, Math.ceil((interp.tEnd - t0) * spu));
    const grid = uniformGrid(t0, interp.tEnd, steps + 1);
    await inBatches(x, dim, batch, async (xb, k) => {
      await reverseSample({
        interp,
        model,
        x: xb,
        grid,
        method: opts.method ?? 'sde',
        eta: opts.eta,
        rng: rng.split(k),
      });
      done += xb.length / dim;
      opts.onProgress?.(done, total);
    });
  };
  const curves: UTurnCurve[] = [];
  for (const [si, st] of opts.starts.entries()) {
    const toTarget: Proportion[] = [];
    const retention: Proportion[] = [];
    for (const [ti, t0] of turnTimes.entries()) {
      const rng = root.split(1000 * si + ti + 1);
      let x: Float64Array;
      if ((opts.forward ?? 'exact') === 'exact') {
        x = noiseTo(interp, st.x, t0, rng.split(0));
      } else {
        x = Float64Array.from(st.x);
        const start = interp.tEnd - 1e-3 * interp.tEnd;
        const c = interp.at(start);
        const nr = rng.split(0);
        for (let i = 0; i < x.length; i++) x[i] = c.beta * x[i] + c.alpha * nr.normal();
        integrateSde({
          ...noisingSde(interp),
          x0: x,
          grid: uniformGrid(start, t0, Math.max(2, Math.ceil((start - t0) * spu) + 1)),
          rng: nr,
        });
      }
      await regenerate(x, t0, rng.split(1));
      const labels = await classifyAll(opts.classify, x, dim);
      let kt = 0,
        ks = 0;
      for (const l of labels) {
        if (l === opts.targetLabel) kt++;
        if (l === st.label) ks++;
      }
      toTarget.push(wilson(kt, labels.length));
      retention.push(wilson(ks, labels.length));
    }
    curves.push({ startLabel: st.label, toTarget, retention });
  }
  let reference: Proportion | null = null;
  if (refN > 0) {
    const rng = root.split(999999);
    const t0 = opts.referenceStart ?? 0;
    const x = rng.split(0).fillNormal(new Float64Array(refN * dim), 0, interp.at(t0).alpha);
    await regenerate(x, t0, rng.split(1));
    const labels = await classifyAll(opts.classify, x, dim);
    reference = wilson(labels.filter((l) => l === opts.targetLabel).length, labels.length);
  }
  const memory = classMemory(curves.map((c) => c.retention.map((p) => p.value)));
  return {
    turnTimes: [...turnTimes],
    targetLabel: opts.targetLabel,
    curves,
    reference,
    window: decisionWindow(turnTimes, memory, opts.window),
  };
}
