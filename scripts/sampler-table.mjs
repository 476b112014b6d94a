// The README's sampler table: generate with each sampler and step count from one trained digit model and print a
// markdown table (class fraction of class A with its Wilson 95 % interval, class error, Fréchet distance in the
// oracle's feature space, wall time of the generation). Every cell starts from the same noise.
//
//   npx tsx src/cli/main.ts denoise --scale quick --train-steps 1500 --out runs/den   # a trained model + oracle
//   node --import tsx scripts/sampler-table.mjs runs/den [--n 500] [--steps 5,10,20,50,100]
//        [--samplers sde,ode,ddim,ddim:1,dpm++2m] [--threads 2] [--seed 1] [--repeat 2] [--json FILE]
//        [--data DIR] [--held-out F]     (the denoise run's --data / --held-out, if it was not run with the defaults)
//
// --samplers: comma list of methods; ddim:ETA sets DDIM's eta; a suffix @logsnr or @karras picks that grid.
// --repeat R: generate each cell R times and report the fastest (on a shared machine); the images must be identical.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadDenoiseFolder, parseSamplers, samplerTable, samplerTableMarkdown } from '../src/realdata/samplerTable.ts';
import { streamReporter } from '../src/realdata/context.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    n: { type: 'string', default: '500' },
    steps: { type: 'string', default: '5,10,20,50,100' },
    samplers: { type: 'string', default: 'sde,ode,ddim,ddim:1,dpm++2m' },
    threads: { type: 'string' },
    seed: { type: 'string', default: '1' },
    repeat: { type: 'string', default: '1' },
    json: { type: 'string' },
    data: { type: 'string' },
    'held-out': { type: 'string' },
  },
});
if (positionals.length !== 1) {
  console.error(
    'usage: node --import tsx scripts/sampler-table.mjs DIR [--n N] [--steps 5,10,20] [--samplers sde,ddim:1,dpm++2m] [--threads T] [--seed S] [--json FILE]',
  );
  process.exit(2);
}
const dir = positionals[0];
const data = {};
if (values.data) data.dir = values.data;
if (values['held-out']) data.heldOut = Number(values['held-out']);
const reporter = streamReporter(process.stderr);
const { ctx, net, result } = await loadDenoiseFolder(dir, {
  threads: values.threads ? Number(values.threads) : undefined,
  reporter,
  data,
});
const samplers = parseSamplers(values.samplers);
const steps = values.steps.split(',').map(Number);
const n = Number(values.n);
const seed = Number(values.seed);
const rows = await samplerTable({
  ctx,
  net,
  samplers,
  steps,
  n,
  seed,
  repeat: Number(values.repeat),
  onCell: (r) =>
    console.error(
      `${r.sampler} ${r.steps} steps: class A ${(100 * r.evaluation.fractionA.value).toFixed(1)} %, FD ${r.evaluation.fd?.toFixed(2)}, ${r.seconds.toFixed(1)} s`,
    ),
});
net.dispose();
const info = result;
console.log(
  `Model: ${dir} (${info.steps} training steps, channels ${info.unet?.channels?.join('/')}, ${info.unet?.params} parameters, ${info.data?.size}×${info.data?.size}); classes ${info.data?.classA} vs ${info.data?.classB}, training fraction of class A ${(100 * ctx.data.trainFractionA).toFixed(1)} %; ${n} images per cell, seed ${seed}, threads ${values.threads ?? 'all'}, time: fastest of ${values.repeat}.\n`,
);
console.log(samplerTableMarkdown(rows));
if (values.json) writeFileSync(values.json, JSON.stringify({ dir, n, seed, steps, samplers, rows }, null, 1) + '\n');
process.exit(0);
