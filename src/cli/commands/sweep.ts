/**
 * `phaseflow sweep`: pHat and variance against d for chosen schedules and seeds, exact field and/or trained models;
 * sharding (`--shard i/k`) and merging (`--merge DIR...`) for batch schedulers.
 */
import { join } from 'node:path';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { Command } from '../command.js';
import { CliError } from '../command.js';
import { UsageError } from '../args.js';
import {
  enumerateCells, shardCells, parseShard, configHash, runCell, mergeShards, aggregate,
  type SweepConfig, type ShardFile, type CellResult, type SweepRow, type Shard,
} from '../../sweep/sweep.js';
import { writeJsonAtomic, writeFileAtomic, jsonReplacer } from '../../io/atomic.js';
import { runMeta } from '../../io/meta.js';
import { Progress } from '../../io/progress.js';
import { sweepFigures } from '../../report/figures/sweep.js';
import { htmlReport } from '../../report/html.js';
import { fmt } from '../../report/format.js';
import { GMM_PRESETS } from '../../autoencoder/experiment.js';

const q = GMM_PRESETS.quick;

export const sweepCommand: Command = {
  name: 'sweep',
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
  flags: {
    kinds: { type: 'strings', choices: ['exact', 'trained'], default: ['exact', 'trained'], metavar: 'LIST', help: 'exact field and/or trained autoencoder' },
    schedules: { type: 'strings', choices: ['linear', 've', 'dilated'], default: ['linear', 'dilated'], metavar: 'LIST', help: 'schedules' },
    'sweep-d': { type: 'numbers', min: 1, default: [100, 300, 1000], metavar: 'INT,INT,...', help: 'dimensions' },
    seeds: { type: 'numbers', min: 0, default: [0], metavar: 'INT,INT,...', help: 'seeds (one cell each)' },
    p: { type: 'number', gt: 0, lt: 1, default: 0.8, help: 'weight of the +mu mode' },
    sigma: { type: 'number', gt: 0, default: 1, help: 'per-coordinate std of each mode' },
    kappa: { type: 'number', gt: 0, default: 2, help: 'dilation constant' },
    steps: { type: 'int', min: 2, default: q.T, help: 'grid points T' },
    'exact-samples': { type: 'int', min: 1, default: 20000, help: 'generated samples per exact cell' },
    n: { type: 'int', min: 1, default: q.n, help: 'training samples (trained cells)' },
    epochs: { type: 'int', min: 1, default: 1500, help: 'epochs (trained cells)' },
    lr: { type: 'number', gt: 0, default: q.lr, help: 'learning rate (trained cells)' },
    lu: { type: 'number', min: 0, default: q.lU, help: 'weight decay on u' },
    lw: { type: 'number', min: 0, default: q.lW, help: 'weight decay on w' },
    'gen-samples': { type: 'int', min: 1, default: 1000, help: 'generated samples per trained cell' },
    threads: { type: 'int', min: 1, max: 256, help: 'worker threads for training' },
    shard: { type: 'string', metavar: 'i/k', help: 'run only shard i of k (1-based) and write <out>/shard-i-of-k.json' },
    merge: { type: 'bool', help: 'merge the shard files found in the folders given as arguments' },
    out: { type: 'path', metavar: 'DIR', help: 'output folder (required)' },
    json: { type: 'bool', help: 'print the JSON result on stdout' },
    quiet: { type: 'bool', help: 'no progress output' },
  },
  async run(v, { io, positionals }) {
    if (v.merge) return merge(v, positionals, io);
    if (positionals.length) throw new UsageError(`unexpected argument "${positionals[0]}" (folders are only taken with --merge)`);
    if (!v.out) throw new UsageError('--out: required (the folder for results and resumable progress)');
    const out = v.out as string;
    const ds = v['sweep-d'] as number[];
    const seeds = v.seeds as number[];
    for (const d of ds) if (!Number.isInteger(d)) throw new UsageError(`--sweep-d: expected integers >= 1, got ${d}`);
    for (const s of seeds) if (!Number.isInteger(s)) throw new UsageError(`--seeds: expected integers >= 0, got ${s}`);
    const schedules = v.schedules as SweepConfig['schedules'];
    if (schedules.includes('dilated')) for (const d of ds) if (!((v.kappa as number) < Math.sqrt(d))) throw new UsageError(`--kappa: the dilated schedule needs kappa < sqrt(d); kappa = ${v.kappa} but d = ${d}`);
    let shard: Shard | undefined;
    try {
      shard = v.shard ? parseShard(v.shard as string) : undefined;
    } catch (err) {
      throw new UsageError((err as Error).message.replace(/^--shard: /, '--shard: '));
    }
    const config: SweepConfig = {
      kinds: v.kinds as SweepConfig['kinds'],
      schedules,
      ds,
      seeds,
      p: v.p as number,
      sigma: v.sigma as number,
      kappa: v.kappa as number,
      T: v.steps as number,
      exact: { samples: v['exact-samples'] as number, method: 'euler' },
      trained: { n: v.n as number, epochs: v.epochs as number, lr: v.lr as number, lU: v.lu as number, lW: v.lw as number, genSamples: v['gen-samples'] as number, genMethod: 'euler', backend: 'wasm' },
    };
    const hash = configHash(config);
    const file = join(out, shard ? `shard-${shard.index}-of-${shard.count}.json` : 'cells.json');
    const done: CellResult[] = [];
    if (existsSync(file)) {
      const prev = readShardFile(file);
      if (prev.configHash !== hash) throw new UsageError(`--out: ${file} belongs to a sweep with other settings; choose another folder`);
      done.push(...prev.cells);
    }
    const todo = shardCells(enumerateCells(config), shard).filter((c) => !done.some((d) => d.index === c.index));
    const progress = new Progress({ total: todo.length + done.length, label: 'sweep cells', stream: io.stderr, quiet: Boolean(v.quiet), plainEveryMs: 0 });
    progress.setStart(done.length);
    for (const cell of todo) {
      done.push(await runCell(config, cell, v.threads as number | undefined));
      done.sort((a, b) => a.index - b.index);
      const data: ShardFile = { format: 'phaseflow.sweep-shard', version: 1, config, configHash: hash, shard: shard ?? null, cells: done };
      writeJsonAtomic(file, data);
      progress.update(done.length, `${cell.kind} ${cell.schedule} d=${cell.d} seed=${cell.seed}`);
    }
    progress.done();
    if (shard) {
      const summary = { shard, cells: done, configHash: hash, file };
      if (v.json) io.stdout.write(JSON.stringify(summary, jsonReplacer) + '\n');
      else io.stdout.write(`shard ${shard.index}/${shard.count}: ${done.length} cells in ${file}; merge with: phaseflow sweep --merge ${out} --out ${out}\n`);
      return 0;
    }
    return finish(out, config, done, v, io);
  },
};

function readShardFile(path: string): ShardFile {
  try {
    const data = JSON.parse(readFileSync(path, 'utf8')) as ShardFile;
    if (data.format !== 'phaseflow.sweep-shard') throw new Error('format');
    return data;
  } catch {
    throw new CliError(`${path} is not a readable phaseflow sweep file`);
  }
}

async function merge(v: Record<string, unknown>, dirs: string[], io: Parameters<Command['run']>[1]['io']): Promise<number> {
  if (dirs.length === 0) throw new UsageError('--merge: give the folders that hold shard-*.json files');
  const files: Array<{ name: string; data: ShardFile }> = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new UsageError(`--merge: no folder ${dir}`);
    for (const f of readdirSync(dir).filter((x) => /^shard-\d+-of-\d+\.json$/.test(x)).sort()) files.push({ name: join(dir, f), data: readShardFile(join(dir, f)) });
  }
  if (files.length === 0) throw new CliError(`--merge: no shard-*.json files in ${dirs.join(', ')}`);
  let merged;
  try {
    merged = mergeShards(files);
  } catch (err) {
    throw new CliError(`--merge: ${(err as Error).message}`);
  }
  return finish((v.out as string | undefined) ?? dirs[0], merged.config, merged.cells, v, io);
}

function finish(out: string, config: SweepConfig, cells: CellResult[], v: Record<string, unknown>, io: Parameters<Command['run']>[1]['io']): number {
  const rows: SweepRow[] = aggregate(cells);
  const result = { rows, cells, config, configHash: configHash(config), meta: runMeta() };
  writeJsonAtomic(join(out, 'result.json'), result);
  const figs = sweepFigures(rows, config.p, config.sigma);
  for (const f of figs) writeFileAtomic(join(out, f.file), f.svg);
  const table = {
    columns: ['kind', 'schedule', 'd', 'seeds', 'pHat', '± s.e.', 'train p', 'variance (+)', 'variance (−)'],
    rows: rows.map((r) => [r.kind, r.schedule, r.d, r.seeds, fmt(r.pHat, 4), fmt(r.pHatStdErr, 2), fmt(r.trainP, 3), fmt(r.variancePlus, 4), fmt(r.varianceMinus, 4)]),
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
    io.stdout.write(table.columns.join('\t') + '\n' + table.rows.map((r) => r.join('\t')).join('\n') + `\nwrote ${join(out, 'index.html')}\n`);
  }
  return 0;
}
