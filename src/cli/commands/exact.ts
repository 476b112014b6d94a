/**
 * `phaseflow exact`: sample the Gaussian mixture by integrating its exact velocity field (no learning) and report
 * pHat, per-mode means and variances; `--sweep-d` gives pHat against d for each schedule.
 */
import { join } from 'node:path';
import { defineCommand } from '../command.js';
import { UsageError } from '../args.js';
import { FLAGS, aliasesFor } from '../flags.js';
import { runExact, exactSweep, type ExactRunConfig, type ExactRow } from '../../mixture/exactSweep.js';
import type { ScheduleName } from '../../interpolant/schedules.js';
import { ODE_METHODS } from '../../solver/ode.js';
import { writeJsonAtomic, writeFileAtomic } from '../../io/atomic.js';
import { runMeta } from '../../io/meta.js';
import { exactFigures } from '../../mixture/figures.js';
import { htmlReport } from '../../report/html.js';
import { fmt } from '../../report/format.js';
import { checkMemory } from '../../io/memory.js';
import { exactMemory } from '../../mixture/exactSweep.js';

const GMM_SCHEDULES = ['linear', 've', 'dilated', 'cosine'] as const;

export const exactCommand = defineCommand({
  name: 'exact',
  summary: 'Sample the Gaussian mixture with its exact velocity field; pHat against d for each schedule',
  description: [
    'Integrates the exact probability-flow field of p N(mu, sigma^2 I) + (1-p) N(-mu, sigma^2 I), mu = 1_d, with the',
    "paper's Euler protocol (T grid points t_j = j tEnd/T, the last one not stepped from). Through the exact reduction",
    'to the coordinate along mu plus a linear gain orthogonal to it, any d (10^6 and more) takes milliseconds;',
    '--full integrates all d coordinates instead (same result).',
    '',
    'Examples:',
    '  phaseflow exact --schedule dilated --d 5000 --grid-points 80',
    '  phaseflow exact --sweep-d 100,1000,10000,100000,1000000 --schedules linear,dilated --out runs/exact',
  ].join('\n'),
  aliases: aliasesFor('exact'),
  flags: {
    schedule: {
      type: 'enum',
      choices: GMM_SCHEDULES,
      default: 'dilated',
      help: 'interpolant: linear (paper VP), ve, dilated (paper dVP), cosine',
    },
    d: { ...FLAGS.d, default: 5000 },
    'grid-points': { ...FLAGS['grid-points'], default: 80 },
    'gen-samples': { ...FLAGS['gen-samples'], max: 1e8, default: 10000 },
    p: { ...FLAGS.p, default: 0.8 },
    kappa: { ...FLAGS.kappa, default: 2 },
    sigma: { ...FLAGS.sigma, default: 1 },
    seed: FLAGS.seed,
    'gen-method': { type: 'enum', choices: ODE_METHODS, default: 'euler', help: 'integrator of the exact field' },
    grid: {
      type: 'enum',
      choices: ['paper', 'endpoint'],
      default: 'paper',
      help: 'grid layout. paper: t_j = j tEnd/T (j < T); endpoint: T points 0..tEnd',
    },
    full: { type: 'bool', help: 'integrate all d coordinates instead of the exact reduction' },
    'sweep-d': { type: 'ints', min: 1, metavar: 'INT,INT,...', help: 'comma-separated dimensions: pHat against d' },
    schedules: {
      type: 'strings',
      choices: GMM_SCHEDULES,
      default: ['linear', 'dilated'],
      metavar: 'LIST',
      help: 'schedules for --sweep-d',
    },
    json: FLAGS.json,
    out: { ...FLAGS.out, help: 'write result.json, SVG figures and index.html to DIR' },
  },
  // eslint-disable-next-line @typescript-eslint/require-await -- synchronous work; async keeps the interface's promise and turns a throw into a rejection
  async run(v, { io }) {
    const base: Omit<ExactRunConfig, 'd' | 'schedule'> = {
      steps: v['grid-points'],
      samples: v['gen-samples'],
      p: v.p,
      kappa: v.kappa,
      sigma: v.sigma,
      seed: v.seed,
      method: v['gen-method'],
      grid: v.grid,
      full: v.full,
    };
    const sweep = v['sweep-d'];
    const ds = sweep ?? [v.d];
    const schedules: ScheduleName[] = sweep ? v.schedules : [v.schedule];
    for (const d of ds) {
      if (schedules.includes('dilated') && !(base.kappa < Math.sqrt(d))) {
        throw new UsageError(`--kappa: the dilated schedule needs kappa < sqrt(d); kappa = ${base.kappa} but d = ${d}`);
      }
      if (base.full && d * base.samples > 2e8)
        throw new UsageError(
          `--full: gen-samples × d must be <= 2e8 (got ${base.samples} × ${d}); drop --full to use the exact reduction`,
        );
      checkMemory(
        sweep ? 'sweep-d' : 'd',
        `exact with d = ${d}, ${base.samples} samples`,
        exactMemory({ d, samples: base.samples, full: base.full }),
        `use a smaller --${sweep ? 'sweep-d' : 'd'}`,
      );
    }
    const meta = runMeta();
    const t0 = performance.now();
    const single = sweep
      ? undefined
      : runExact({ ...base, d: ds[0], schedule: schedules[0] }, { keepProjections: Boolean(v.out) });
    const projections = single?.projections;
    if (single) delete single.projections;
    const rows: ExactRow[] = single ? [single] : exactSweep(base, ds, schedules);
    const seconds = (performance.now() - t0) / 1000;
    const config = {
      ...base,
      ...(sweep ? { sweepD: ds, schedules } : { d: ds[0], schedule: schedules[0] }),
      mu: 'ones',
    };
    const result = sweep
      ? { rows, config, meta, timing: { seconds } }
      : (() => {
          const { d: _d, schedule: _s, seconds: _t, ...stats } = rows[0];
          return { ...stats, config, meta, timing: { seconds } };
        })();
    if (v.out) {
      const dir = v.out;
      writeJsonAtomic(join(dir, 'result.json'), result);
      const figs = exactFigures(rows, { p: base.p, projections });
      for (const f of figs) writeFileAtomic(join(dir, f.file), f.svg);
      const table = {
        columns: [
          'd',
          'schedule',
          'pHat',
          '± s.e.',
          'mean <x,mu>/d (+)',
          'mean <x,mu>/d (−)',
          'variance (+)',
          'variance (−)',
        ],
        rows: rows.map((r) => [
          r.d,
          r.schedule,
          fmt(r.pHat, 4),
          fmt(r.pHatStdErr, 2),
          fmt(r.modeMean.plus, 4),
          fmt(r.modeMean.minus, 4),
          fmt(r.variance.plus, 4),
          fmt(r.variance.minus, 4),
        ]),
      };
      writeFileAtomic(
        join(dir, 'index.html'),
        htmlReport({
          title: 'phaseflow exact — sampling the Gaussian mixture with its exact velocity field',
          subtitle: `p = ${base.p}, sigma = ${base.sigma}, T = ${base.steps}, ${base.samples} samples, ${base.method}, seed ${base.seed}`,
          sections: [
            { heading: 'Generated statistics', table },
            { heading: 'Figures', figures: figs.map((f) => ({ svg: f.svg, caption: f.caption })) },
            { heading: 'Configuration', code: JSON.stringify({ config, meta, timing: { seconds } }, null, 2) },
          ],
        }),
      );
    }
    if (v.json) {
      io.stdout.write(
        JSON.stringify(result, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x)) + '\n',
      );
    } else {
      const lines = [
        `${'d'.padStart(9)}  ${'schedule'.padEnd(8)}  ${'pHat'.padStart(7)}  ${'±s.e.'.padStart(7)}  ${'mean+'.padStart(7)}  ${'mean−'.padStart(7)}  ${'var+'.padStart(7)}  ${'var−'.padStart(7)}`,
        ...rows.map(
          (r) =>
            `${String(r.d).padStart(9)}  ${r.schedule.padEnd(8)}  ${fmt(r.pHat, 4).padStart(7)}  ${fmt(r.pHatStdErr, 2).padStart(7)}  ${fmt(r.modeMean.plus, 4).padStart(7)}  ${fmt(r.modeMean.minus, 4).padStart(7)}  ${fmt(r.variance.plus, 4).padStart(7)}  ${fmt(r.variance.minus, 4).padStart(7)}`,
        ),
        `target p = ${base.p}; ${base.samples} samples; ${seconds.toFixed(2)} s${v.out ? `; wrote ${v.out}/index.html` : ''}`,
      ];
      io.stdout.write(lines.join('\n') + '\n');
    }
    return 0;
  },
});
