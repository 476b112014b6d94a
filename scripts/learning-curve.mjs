// The learning curve of the uniform U-Net (class error, Fréchet distance, confidently classified fraction against
// training steps, mean over seeds with 95 % intervals) at a scale, so that the comparison's budgets can be chosen
// where both arms draw recognisable digits (src/realdata/learningCurve.ts). Writes <out>/learning-curve/result.json
// and learning-curve.svg; prints a table. A rerun with the same --out reuses the trained runs and the oracle.
//
//   node --import tsx scripts/learning-curve.mjs --scale quick --steps 150,300,600,1200 --seeds 0,1,2 \
//        [--gen-samples 96] [--lr 2e-3] [--ema 0.995] [--threads 1] [--out runs/curve] [--json]
// --lr and --ema override the scale's denoiser learning rate and EMA decay (probes for sizing a scale).
import { parseArgs } from 'node:util';
import { realDataContext, streamReporter } from '../src/realdata/context.ts';
import { runLearningCurve } from '../src/realdata/learningCurve.ts';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'quick' },
    steps: { type: 'string', default: '150,300,600' },
    seeds: { type: 'string', default: '0,1,2' },
    'gen-samples': { type: 'string' },
    threads: { type: 'string' },
    lr: { type: 'string' },
    ema: { type: 'string' },
    out: { type: 'string' },
    json: { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
  },
});
const ints = (s) => s.split(',').map((x) => Number(x.trim()));
const ctx = await realDataContext({
  scale: values.scale,
  overrides: {
    denoiser: {
      ...(values.lr ? { lr: Number(values.lr) } : {}),
      ...(values.ema ? { emaDecay: Number(values.ema) } : {}),
    },
  },
  out: values.out,
  threads: values.threads ? Number(values.threads) : undefined,
  reporter: streamReporter(process.stderr, values.quiet),
});
const r = await runLearningCurve(ctx, {
  steps: ints(values.steps),
  seeds: ints(values.seeds),
  genSamples: values['gen-samples'] ? Number(values['gen-samples']) : undefined,
});
if (values.json) {
  process.stdout.write(JSON.stringify(r, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? null : x)) + '\n');
} else {
  const f = (m) =>
    Number.isFinite(m.low) ? `${m.mean.toFixed(3)} [${m.low.toFixed(3)}, ${m.high.toFixed(3)}]` : m.mean.toFixed(3);
  console.log(
    `scale ${r.scale}, ${r.seeds.length} seeds, ${r.genSamples} images per point; oracle accuracy ${(100 * r.oracle.accuracy.value).toFixed(2)} %`,
  );
  console.log(
    'steps   class error              FD                       confident                typical                  gate',
  );
  for (const p of r.points)
    console.log(
      `${String(p.step).padStart(5)}   ${f(p.classError).padEnd(23)}  ${f(p.fd).padEnd(23)}  ${f(p.confident).padEnd(23)}  ${f(p.typical).padEnd(23)}  ${p.pass ? 'pass' : '-'}`,
    );
  console.log(
    `first step count passing the gate (mean confident and mean typical >= 0.9): ${r.firstPassing ?? 'none'}; ${r.seconds.toFixed(1)} s${values.out ? `; wrote ${values.out}/learning-curve` : ''}`,
  );
}
