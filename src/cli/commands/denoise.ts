/**
 * `phaseflow denoise`: train one U-Net noise predictor on the two-class images with any time sampler, save it and
 * measure its generated class fraction and Fréchet distance.
 */
import type { Command } from '../command.js';
import { UsageError } from '../args.js';
import { COMMON_FLAGS, DENOISER_FLAGS, ORACLE_FLAGS, configFromFlags, contextFromFlags, emit, guarded, pctCI } from '../../realdata/cliOptions.js';
import { runDenoiseStage } from '../../realdata/stages.js';
import { parseSampler } from '../../sampler/parse.js';

export const denoiseCommand: Command = {
  name: 'denoise',
  summary: 'Train a U-Net on two-class images with the VP-SDE and any time sampler; generate and evaluate',
  description: [
    "Epsilon prediction with the paper's VP-SDE (betaMin 0.1, betaMax 20); the network's time input is the paper's",
    'code time s = 1 - t (times 1000 inside the embedding). AdamW, cosine schedule with warm-up, gradient clip 1,',
    'EMA. Checkpoints go to DIR/runs (a rerun with the same --out continues); the model is saved to DIR/denoise/model',
    '(reusable with `phaseflow uturn --model`).',
    '',
    'Examples:',
    '  phaseflow denoise --scale quick --out runs/den',
    '  phaseflow denoise --sampler window:0.2,0.6,0.5 --steps 2000 --out runs/den-window',
    '  phaseflow denoise --scale paper --sampler paper-mnist --out runs/den-paper',
  ].join('\n'),
  flags: {
    ...COMMON_FLAGS,
    ...DENOISER_FLAGS,
    ...ORACLE_FLAGS,
    sampler: { type: 'string', default: 'uniform', metavar: 'SPEC', help: 'training-time sampler (uniform, window:lo,hi,mass, paper-mnist, logit-normal:m,s, ...)' },
    seed: { type: 'int', min: 0, max: 4294967295, default: 0, help: 'seed of the network, batches and noise' },
    preview: { type: 'int', min: 0, max: 1024, help: 'images in the preview picture' },
  },
  async run(v, { io }) {
    try {
      parseSampler(v.sampler as string);
    } catch (e) {
      throw new UsageError(`--sampler: ${(e as Error).message}`);
    }
    const config = configFromFlags(v);
    const ctx = await contextFromFlags(v, config, io);
    const r = await guarded(() => runDenoiseStage(ctx, { sampler: v.sampler as string, seed: v.seed as number, preview: v.preview as number | undefined }));
    const ev = r.evaluation;
    emit(io, v, r, [
      `trained ${r.steps} steps (${r.sampler.spec}, seed ${r.seed}), ${r.unet.params} parameters${r.run.msPerStep ? `, ${r.run.msPerStep.toFixed(0)} ms/step` : ' (reused)'}`,
      ev
        ? `generated fraction of class ${r.data.classA}: ${pctCI(ev.fractionA)} (target ${(100 * ev.target).toFixed(1)} %), class error ${ev.classError.toFixed(3)}, FD ${ev.fd?.toFixed(3) ?? '-'} (oracle accuracy ${pctCI(ev.oracle.accuracy)})`
        : 'no evaluation',
    ]);
    return 0;
  },
};
