/**
 * `phaseflow sweep`: pHat and variance against d for chosen schedules and seeds, exact field and/or trained models;
 * sharding (`--shard i/k`) and merging (`--merge DIR...`) for batch schedulers.
 */
import { join } from 'node:path';
import { existsSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { CliError, defineCommand, type CommandIO } from '../command.js';
import { UsageError, defineFlags, type Values } from '../args.js';
import { FLAGS, aliasesFor, seedList } from '../flags.js';
import { checkInput } from '../../io/paths.js';
import { lockFolder } from '../pathFlags.js';
import {
  enumerateCells,
  shardCells,
  parseShard,
  configHash,
  runCell,
  mergeShards,
  aggregate,
  type SweepConfig,
  type ShardFile,
  type CellResult,
  type SweepRow,
  type Shard,
} from '../../sweep/sweep.js';
import { writeJsonAtomic, writeFileAtomic, jsonReplacer } from '../../io/atomic.js';
import { runMeta } from '../../io/meta.js';
import { Progress } from '../../io/progress.js';
import { sweepFigures } from '../../sweep/figures.js';
import { htmlReport } from '../../report/html.js';
import { fmt } from '../../report/format.js';
import { GMM_PRESETS } from '../../autoencoder/experiment.js';
import { usageFromField } from '../fields.js';
import { StopError } from '../../io/stop.js';

const q = GMM_PRESETS.quick;

const SWEEP_FLAGS = defineFlags({
  kinds: {
    type: 'strings',
    choices: ['exact', 'trained'],
    default: ['exact', 'trained'],
    metavar: 'LIST',
    help: 'exact field and/or trained autoencoder',
  },
  schedules: {
    type: 'strings',
    choices: ['linear', 've', 'dilated'],
    default: ['linear', 'dilated'],
    metavar: 'LIST',
    help: 'schedules',
  },
  'sweep-d': { type: 'ints', min: 1, default: [100, 300, 1000], metavar: 'INT,INT,...', help: 'dimensions' },
  seeds: { ...seedList('seeds (one cell each)'), default: [0] },
  p: { ...FLAGS.p, default: 0.8 },
  sigma: { ...FLAGS.sigma, default: 1 },
  kappa: { ...FLAGS.kappa, default: 2 },
  'grid-points': { ...FLAGS['grid-points'], default: q.T },
  'exact-samples': { type: 'int', min: 1, default: 20000, help: 'generated samples per exact cell' },
  n: { type: 'int', min: 1, default: q.n, help: 'training samples (trained cells)' },
  epochs: { type: 'int', min: 1, default: 1500, help: 'epochs (trained cells)' },
  lr: { type: 'number', gt: 0, default: q.lr, help: 'learning rate (trained cells)' },
  lu: { type: 'number', min: 0, default: q.lU, help: 'weight decay on u' },
  lw: { type: 'number', min: 0, default: q.lW, help: 'weight decay on w' },
  'gen-samples': { ...FLAGS['gen-samples'], default: 1000, help: 'generated samples per trained cell' },
  threads: { ...FLAGS.threads, help: 'worker threads for training' },
  shard: { type: 'string', metavar: 'i/k', help: 'run only shard i of k (1-based) and write <out>/shard-i-of-k.json' },
  merge: { type: 'bool', help: 'merge the shard files found in the folders given as arguments' },
  out: { ...FLAGS.out, help: 'output folder (required; with --merge default: the first folder)' },
  json: { ...FLAGS.json, help: 'print the JSON result on stdout' },
  quiet: FLAGS.quiet,
});

type SweepValues = Values<typeof SWEEP_FLAGS>;

export const sweepCommand = defineCommand({
  name: 'sweep',
  stoppable: true,
  summary: 'pHat and variance against d for schedules and seeds, exact and trained; sharding for clusters',
  positionals: true,
  description: [
    'Each cell is (kind, schedule, d, seed); kind exact integrates the exact velocity field, kind trained trains the',
    'autoencoder (flags as in phaseflow gmm) and samples it. Finished cells are saved after each one, so rerunning the',
    'same command resumes. For a batch scheduler, run shard i of k (1-based) per job and merge the folders:',
    '',
    '  phaseflow sweep --kinds exact,trained --sweep-d 100,1000,10000 --seeds 0,1,2 --shard $SLURM_ARRAY_TASK_ID/8 --out runs/sw',
    '  phaseflow sweep --merge runs/sw --out runs/sw',
    '',
    'Shard files are <out>/shard-<i>-of-<k>.json; merging checks that they belong to one sweep and that no cell is missing.',
  ].join('\n'),
  aliases: aliasesFor('sweep'),
  flags: SWEEP_FLAGS,
  async run(v, { io, positionals }) {
    if (v.merge) return merge(v, positionals, io);
    if (positionals.length)
      throw new UsageError(`unexpected argument "${positionals[0]}" (folders are only taken with --merge)`);
    if (!v.out) throw new UsageError('--out: required (the folder for results and resumable progress)');
    const out = v.out;
    const ds = v['sweep-d'];
    const seeds = v.seeds;
    const schedules = v.schedules;
    if (schedules.includes('dilated'))
      for (const d of ds)
        if (!(v.kappa < Math.sqrt(d)))
          throw new UsageError(`--kappa: the dilated schedule needs kappa < sqrt(d); kappa = ${v.kappa} but d = ${d}`);
    let shard: Shard | undefined;
    try {
      shard = v.shard ? parseShard(v.shard) : undefined;
    } catch (err) {
      throw usageFromField(err);
    }
    const config: SweepConfig = {
      kinds: v.kinds,
      schedules,
      ds,
      seeds,
      p: v.p,
      sigma: v.sigma,
      kappa: v.kappa,
      T: v['grid-points'],
      exact: { samples: v['exact-samples'], method: 'euler' },
      trained: {
        n: v.n,
        epochs: v.epochs,
        lr: v.lr,
        lU: v.lu,
        lW: v.lw,
        genSamples: v['gen-samples'],
        genMethod: 'euler',
        backend: 'wasm',
      },
    };
    const hash = configHash(config);
    const file = join(out, shard ? `shard-${shard.index}-of-${shard.count}.json` : 'cells.json');
    const done: CellResult[] = [];
    if (existsSync(file)) {
      const prev = readShardFile(file);
      if (prev.configHash !== hash)
        throw new UsageError(`--out: ${file} belongs to a sweep with other settings; choose another folder`);
      done.push(...prev.cells);
    }
    const todo = shardCells(enumerateCells(config), shard).filter((c) => !done.some((d) => d.index === c.index));
    const progress = new Progress({
      total: todo.length + done.length,
      label: 'sweep cells',
      stream: io.stderr,
      quiet: v.quiet,
      plainEveryMs: 0,
    });
    progress.setStart(done.length);
    for (const cell of todo) {
      // A trained cell checkpoints in <out>/cells/<hash>-<index>/ and resumes there after a stop or a crash.
      const cellDir = join(out, 'cells', `${hash}-${cell.index}`);
      done.push(
        await runCell(config, cell, v.threads, { dir: cell.kind === 'trained' ? cellDir : undefined }).catch(
          (e: unknown) => {
            if (e instanceof StopError) progress.stopped(done.length, `stopped by ${e.signal ?? 'request'}`);
            throw e;
          },
        ),
      );
      done.sort((a, b) => a.index - b.index);
      const data: ShardFile = {
        format: 'phaseflow.sweep-shard',
        version: 1,
        config,
        configHash: hash,
        shard: shard ?? null,
        cells: done,
      };
      writeJsonAtomic(file, data);
      progress.update(done.length, `${cell.kind} ${cell.schedule} d=${cell.d} seed=${cell.seed}`);
    }
    progress.done();
    try {
      rmdirSync(join(out, 'cells')); // the cells' checkpoint folders are removed as they finish
    } catch {
      /* absent or not empty */
    }
    if (shard) {
      const summary = { shard, cells: done, configHash: hash, file };
      if (v.json) io.stdout.write(JSON.stringify(summary, jsonReplacer) + '\n');
      else
        io.stdout.write(
          `shard ${shard.index}/${shard.count}: ${done.length} cells in ${file}; merge with: phaseflow sweep --merge ${out} --out ${out}\n`,
        );
      return 0;
    }
    return finish(out, config, done, v, io);
  },
});

function readShardFile(path: string): ShardFile {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as ShardFile;
    if (data.format !== 'phaseflow.sweep-shard') throw new Error('format');
    return data;
  } catch {
    throw new CliError(`${path} is not a readable phaseflow sweep file`);
  }
}

function merge(v: SweepValues, dirs: string[], io: CommandIO): number {
  if (dirs.length === 0) throw new UsageError('--merge: give the folders that hold shard-*.json files');
  const files: Array<{ name: string; data: ShardFile }> = [];
  for (const dir of dirs) checkInput(dir, { kind: 'dir' }, { field: 'merge' });
  for (const dir of dirs) {
    for (const f of readdirSync(dir)
      .filter((x) => /^shard-\d+-of-\d+\.json$/.test(x))
      .sort())
      files.push({ name: join(dir, f), data: readShardFile(join(dir, f)) });
  }
  if (files.length === 0) throw new CliError(`--merge: no shard-*.json files in ${dirs.join(', ')}`);
  let merged;
  try {
    merged = mergeShards(files);
  } catch (err) {
    throw new CliError(`--merge: ${(err as Error).message}`);
  }
  // Without --out the merged result goes to the first folder, which then needs the run lock as an --out would.
  const release = v.out
    ? () => {}
    : lockFolder(dirs[0], {
        flag: 'merge',
        command: 'sweep',
        log: (line) => io.stderr.write(`phaseflow sweep: ${line}\n`),
      });
  try {
    return finish(v.out ?? dirs[0], merged.config, merged.cells, v, io);
  } finally {
    release();
  }
}

function finish(out: string, config: SweepConfig, cells: CellResult[], v: SweepValues, io: CommandIO): number {
  const rows: SweepRow[] = aggregate(cells);
  const result = { rows, cells, config, configHash: configHash(config), meta: runMeta() };
  writeJsonAtomic(join(out, 'result.json'), result);
  const figs = sweepFigures(rows, config.p, config.sigma);
  for (const f of figs) writeFileAtomic(join(out, f.file), f.svg);
  const table = {
    columns: ['kind', 'schedule', 'd', 'seeds', 'pHat', '± s.e.', 'train p', 'variance (+)', 'variance (−)'],
    rows: rows.map((r) => [
      r.kind,
      r.schedule,
      r.d,
      r.seeds,
      fmt(r.pHat, 4),
      fmt(r.pHatStdErr, 2),
      fmt(r.trainP, 3),
      fmt(r.variancePlus, 4),
      fmt(r.varianceMinus, 4),
    ]),
  };
  writeFileAtomic(
    join(out, 'index.html'),
    htmlReport({
      title: 'phaseflow sweep — generated mode weight and variance against the dimension',
      subtitle: `p = ${config.p}, σ = ${config.sigma}, κ = ${config.kappa}, T = ${config.T}, seeds ${config.seeds.join(', ')}`,
      sections: [
        { heading: 'Results (mean over seeds)', table },
        { heading: 'Figures', figures: figs },
        { heading: 'Configuration', code: JSON.stringify(config, null, 2) },
      ],
    }),
  );
  if (v.json) io.stdout.write(JSON.stringify(result, jsonReplacer) + '\n');
  else {
    io.stdout.write(
      table.columns.join('\t') +
        '\n' +
        table.rows.map((r) => r.join('\t')).join('\n') +
        `\nwrote ${join(out, 'index.html')}\n`,
    );
  }
  return 0;
}
