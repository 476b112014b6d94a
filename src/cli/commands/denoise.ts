/**
 * `phaseflow denoise`: train one U-Net noise predictor on the two-class images with any time sampler, save it and
 * measure its generated class fraction and Fréchet distance.
 */
import { defineCommand } from '../command.js';
import { FLAGS, aliasesFor } from '../flags.js';
import { UsageError } from '../args.js';
import {
  COMMON_FLAGS,
  DENOISER_FLAGS,
  ORACLE_FLAGS,
  configFromFlags,
  contextFromFlags,
  emit,
  guarded,
  pctCI,
} from '../../realdata/cliOptions.js';
import { runDenoiseStage } from '../../realdata/stages.js';
import { parseSampler } from '../../sampler/parse.js';
import { UTURN_FLAGS } from './uturn.js';

export const denoiseCommand = defineCommand({
  name: 'denoise',
  stoppable: true,
  summary: 'Train a U-Net on two-class images with the VP-SDE and any time sampler; generate and evaluate',
  description: [
    "Epsilon prediction with the paper's VP-SDE (betaMin 0.1, betaMax 20); the network's time input is the paper's",
    'code time s = 1 - t (times 1000 inside the embedding). AdamW, cosine schedule with warm-up, gradient clip 1,',
    'EMA. Checkpoints go to DIR/runs (a rerun with the same --out continues); the model is saved to DIR/denoise/model',
    '(reusable with `phaseflow uturn --model`).',
    '',
    'Examples:',
    '  phaseflow denoise --scale quick --out runs/den',
    '  phaseflow denoise --sampler window:0.2,0.6,0.5 --train-steps 2000 --out runs/den-window',
    '  phaseflow denoise --scale paper --sampler paper-mnist --out runs/den-paper',
  ].join('\n'),
  aliases: aliasesFor('denoise'),
  flags: {
    ...COMMON_FLAGS,
    ...DENOISER_FLAGS,
    ...ORACLE_FLAGS,
    sampler: {
      type: 'string',
      default: 'uniform',
      metavar: 'SPEC',
      help: 'training-time sampler (uniform, window:lo,hi,mass, paper-mnist, logit-normal:m,s, ...)',
    },
    seed: { ...FLAGS.seed, help: 'seed of the network, batches and noise' },
    preview: { ...UTURN_FLAGS.preview, help: 'images in the preview picture' },
  },
  async run(v, { io }) {
    try {
      parseSampler(v.sampler);
    } catch (e) {
      throw new UsageError(`--sampler: ${(e as Error).message}`);
    }
    const config = configFromFlags(v);
    const ctx = await contextFromFlags(v, config, io);
    const r = await guarded(() => runDenoiseStage(ctx, { sampler: v.sampler, seed: v.seed, preview: v.preview }));
    const ev = r.evaluation;
    emit(io, v, r, [
      `trained ${r.steps} steps (${r.sampler.spec}, seed ${r.seed}), ${r.unet.params} parameters${r.run.msPerStep ? `, ${r.run.msPerStep.toFixed(0)} ms/step` : ' (reused)'}`,
      ev
        ? `generated fraction of class ${r.data.classA}: ${pctCI(ev.fractionA)} (target ${(100 * ev.target).toFixed(1)} %), class error ${ev.classError.toFixed(3)}, FD ${ev.fd?.toFixed(3) ?? '-'} (oracle accuracy ${pctCI(ev.oracle.accuracy)})`
        : 'no evaluation',
    ]);
    return 0;
  },
});
