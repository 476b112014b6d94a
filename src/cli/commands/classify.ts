/**
 * `phaseflow classify`: train (or load and re-evaluate) the feature oracle of the real-data experiments.
 */
import { defineCommand } from '../command.js';
import {
  COMMON_FLAGS,
  ORACLE_FLAGS,
  configFromFlags,
  contextFromFlags,
  emit,
  guarded,
  pctCI,
} from '../../realdata/cliOptions.js';
import { runClassifierStage } from '../../realdata/stages.js';
import { writeJsonAtomic } from '../../io/atomic.js';
import { join } from 'node:path';

export const classifyCommand = defineCommand({
  name: 'classify',
  stoppable: true,
  summary: 'Train the two-class CNN oracle on real images and report its held-out accuracy',
  description: [
    'The oracle classifies generated images for the U-Turn, the retraining comparison and the interval scan, and',
    'its penultimate features define the Fréchet distance. It is trained on a balanced set of the two classes',
    '(same source, held-out fraction and seed as the generative set) and evaluated on the held-out images.',
    'With --out DIR the weights go to DIR/classifier (reuse them with --classifier DIR/classifier).',
    '',
    'Examples:',
    '  phaseflow classify --scale quick --out runs/oracle',
    '  phaseflow classify --data /usr/share/datasets/fashion-mnist --classes 7,9 --json',
  ].join('\n'),
  flags: { ...COMMON_FLAGS, ...ORACLE_FLAGS },
  async run(v, { io }) {
    const config = configFromFlags(v);
    const ctx = await contextFromFlags(v, config, io);
    const r = await guarded(() => runClassifierStage(ctx));
    if (v.out) writeJsonAtomic(join(v.out, 'classify.json'), r);
    emit(io, v, r, [
      `oracle held-out accuracy ${pctCI(r.oracle.accuracy)} on ${r.oracle.heldOut.n} images (class ${r.data.classA}: ${pctCI(r.oracle.accuracyA)}, class ${r.data.classB}: ${pctCI(r.oracle.accuracyB)})`,
      `${r.oracle.params} parameters, ${r.oracle.origin}; ${r.seconds.toFixed(1)} s`,
    ]);
    return 0;
  },
});
