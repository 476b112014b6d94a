/**
 * `phaseflow reproduce`: regenerate the paper's results, stage by stage and resumably, into one HTML report.
 */
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { defineCommand } from '../command.js';
import { FLAGS } from '../flags.js';
import { UsageError } from '../args.js';
import { runStages, buildReport, STAGES, SCALES } from '../../reproduce/index.js';
import { writeFileAtomic, writeJsonAtomic, jsonReplacer } from '../../io/atomic.js';
import { runMeta } from '../../io/meta.js';
import { realDataBackend } from '../../realdata/backend.js';
import { cliError } from '../../realdata/cliOptions.js';

export const reproduceCommand = defineCommand({
  name: 'reproduce',
  stoppable: true,
  summary:
    "Regenerate the paper's results (exact field, trained autoencoder, theory, U-Turn, retraining) into one HTML report",
  description: [
    'Stages, in order: ' + STAGES.map((s) => s.name).join(', ') + '.',
    'A finished stage is not run again (rerun the same command to resume; --force NAME,... or --force all to redo).',
    'A failed stage is shown in the report with its error; the other stages still run and the exit status is 1.',
    '',
    "Scales: quick (default, about 10 minutes on 2 cores), standard (the real-data stages at 32 x 32 with the paper's",
    "network, 85 minutes on 2 cores, measured), paper (the paper's settings; hours on a CPU), tiny (seconds; for tests).",
    '',
    'Examples:',
    '  phaseflow reproduce --out runs/repro && open runs/repro/index.html',
    '  phaseflow reproduce --scale paper --out runs/paper',
  ].join('\n'),
  flags: {
    scale: { type: 'enum', choices: SCALES, default: 'quick', help: 'how big: tiny | quick | standard | paper' },
    out: { ...FLAGS.out, default: 'runs/reproduce', help: 'output folder (report at DIR/index.html)' },
    seed: { ...FLAGS.seed, help: 'random seed for every stage' },
    threads: FLAGS.threads,
    backend: {
      ...FLAGS.backend,
      help: 'the backend of every trained stage: the autoencoder step of the gmm stages, the network engine of uturn, retrain and scan',
    },
    only: { type: 'strings', choices: STAGES.map((s) => s.name), metavar: 'LIST', help: 'run only these stages' },
    force: {
      type: 'strings',
      choices: ['all', ...STAGES.map((s) => s.name)],
      metavar: 'LIST',
      help: 'rerun these stages even if done',
    },
    json: { ...FLAGS.json, help: 'print the stage records as JSON on stdout' },
    quiet: FLAGS.quiet,
  },
  async run(v, { io }) {
    const out = v.out;
    const scale = v.scale;
    const only = v.only;
    const stages = only ? STAGES.filter((s) => only.includes(s.name)) : STAGES;
    if (stages.length === 0) throw new UsageError('--only: no stage selected');
    const force = v.force;
    const log = (line: string) => {
      if (!v.quiet) io.stderr.write(line + '\n');
    };
    if (v.backend === 'webgpu') {
      // Open the device now: without the package or an adapter, stop before any stage runs (exit 2).
      try {
        await realDataBackend(v.threads, 'webgpu');
      } catch (e) {
        throw cliError(e);
      }
    }
    log(`phaseflow reproduce: scale ${scale}, ${stages.length} stages, output ${out}`);
    const t0 = performance.now();
    const records = await runStages({
      stages,
      out,
      scale,
      seed: v.seed,
      threads: v.threads ?? availableParallelism(),
      backend: v.backend,
      quiet: v.quiet,
      force: force?.includes('all') ? 'all' : force,
      log,
    });
    const meta = {
      ...runMeta(),
      scale,
      seed: v.seed,
      backend: v.backend,
      totalSeconds: (performance.now() - t0) / 1000,
    };
    writeJsonAtomic(join(out, 'result.json'), { meta, stages: records });
    writeFileAtomic(join(out, 'index.html'), buildReport(out, records, meta));
    const failed = records.filter((r) => r.status === 'failed');
    if (v.json) io.stdout.write(JSON.stringify({ meta, stages: records }, jsonReplacer) + '\n');
    else {
      io.stdout.write(
        records
          .map(
            (r) =>
              `${r.status === 'done' ? 'done  ' : 'FAILED'}  ${r.name.padEnd(14)} ${r.seconds.toFixed(1).padStart(7)} s${r.error ? `  ${r.error}` : ''}`,
          )
          .join('\n') + `\nreport: ${join(out, 'index.html')}\n`,
      );
    }
    if (failed.length)
      io.stderr.write(
        `phaseflow reproduce: ${failed.length} stage(s) failed: ${failed.map((f) => f.name).join(', ')} (details in the report)\n`,
      );
    return failed.length ? 1 : 0;
  },
});
