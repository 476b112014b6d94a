/**
 * `phaseflow gmm`: train the paper's two-layer autoencoder on the Gaussian mixture, generate, measure, report.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { CliError, defineCommand } from '../command.js';
import { UsageError } from '../args.js';
import { FLAGS, aliasesFor } from '../flags.js';
import { checkMemory } from '../../io/memory.js';
import {
  GMM_ALGORITHM_VERSION,
  GMM_PRESETS,
  gmmMemory,
  runGmm,
  readGmmCheckpoint,
  checkpointPath,
  NonFiniteLossError,
  DeviceFailureError,
  type GmmConfig,
  type GmmResult,
} from '../../autoencoder/experiment.js';
import { theoryOverlay, type TheoryOverlay } from '../../autoencoder/theoryOverlay.js';
import { CheckpointError } from '../../io/checkpoint.js';
import { writeJsonAtomic, writeFileAtomic, jsonReplacer } from '../../io/atomic.js';
import { runMeta } from '../../io/meta.js';
import { Progress } from '../../io/progress.js';
import { stopExitCode, stopRequested, stopSignal as stopSignal_ } from '../../io/stop.js';
import { gmmFigures } from '../../autoencoder/figures.js';
import { htmlReport } from '../../report/html.js';
import { fmt } from '../../report/format.js';
import { availableParallelism } from 'node:os';
import { GpuUnavailableError, isGpuRunFailure } from '../../gpu/errors.js';

/** Flag name -> config key for the hyper-parameters (everything that determines the result). */
const HYPER = [
  ['schedule', 'schedule'],
  ['d', 'd'],
  ['n', 'n'],
  ['grid-points', 'T'],
  ['epochs', 'epochs'],
  ['lr', 'lr'],
  ['lu', 'lU'],
  ['lw', 'lW'],
  ['kappa', 'kappa'],
  ['p', 'p'],
  ['sigma', 'sigma'],
  ['seed', 'seed'],
  ['backend', 'backend'],
  ['gen-samples', 'genSamples'],
  ['gen-method', 'genMethod'],
  ['log-every', 'logEvery'],
] as const satisfies ReadonlyArray<readonly [string, keyof GmmConfig]>;

/** The defaults of a preset key under each preset (shown by --help). */
function byPreset(key: keyof (typeof GMM_PRESETS)['quick']) {
  return { flag: 'preset', values: { quick: GMM_PRESETS.quick[key], paper: GMM_PRESETS.paper[key] } };
}

export const gmmCommand = defineCommand({
  name: 'gmm',
  stoppable: true,
  summary: "Train the paper's two-layer autoencoder on the Gaussian mixture; pHat, overlaps, theory overlay",
  description: [
    'One parameter set per grid time t_j = j tEnd/T, f_j(x) = c_j x + u_j tanh(b_j + <w_j, x>/(sqrt(d) c0)), trained',
    'jointly full-batch with Adam on a fixed training set with fresh noise every epoch (docs/method.md §2.5-2.6), then',
    "sampled with the paper's Euler protocol. Presets: quick (default, about a minute on 2 cores) and paper",
    '(d 5000, n 128, T 80, 40000 epochs, lr 1e-4, l_u = l_w = 1e-5, kappa 2, p 0.8). Flags override the preset.',
    '',
    'With --out DIR a checkpoint is written atomically every --checkpoint-every epochs and on Ctrl-C/SIGTERM;',
    '`phaseflow gmm --resume DIR` continues and ends at the same result as an uninterrupted run.',
    '',
    'Examples:',
    '  phaseflow gmm --out runs/gmm-quick',
    '  phaseflow gmm --preset paper --out runs/gmm-paper',
    '  phaseflow gmm --resume runs/gmm-paper',
    '  phaseflow gmm --schedule linear --d 2000 --epochs 2000 --lr 5e-3 --json',
  ].join('\n'),
  aliases: aliasesFor('gmm'),
  flags: {
    preset: {
      type: 'enum',
      choices: ['quick', 'paper'],
      default: 'quick',
      help: 'base settings (flags override them)',
    },
    schedule: {
      type: 'enum',
      choices: ['linear', 've', 'dilated'],
      presetDefaults: byPreset('schedule'),
      help: 'interpolant: linear (paper VP), ve, dilated (paper dVP)',
    },
    d: { ...FLAGS.d, presetDefaults: byPreset('d') },
    n: { type: 'int', min: 1, presetDefaults: byPreset('n'), help: 'training samples (fixed set)' },
    'grid-points': {
      ...FLAGS['grid-points'],
      presetDefaults: byPreset('T'),
      help: 'number T of grid times (one parameter set each)',
    },
    epochs: {
      type: 'int',
      min: 1,
      presetDefaults: byPreset('epochs'),
      help: 'Adam steps (full batch, fresh noise each)',
    },
    lr: { type: 'number', gt: 0, presetDefaults: byPreset('lr'), help: 'Adam learning rate' },
    lu: {
      type: 'number',
      min: 0,
      presetDefaults: byPreset('lU'),
      help: 'weight decay l_u on u (coupled L2, PyTorch Adam semantics)',
    },
    lw: { type: 'number', min: 0, presetDefaults: byPreset('lW'), help: 'weight decay l_w on w' },
    kappa: { ...FLAGS.kappa, presetDefaults: byPreset('kappa') },
    p: { ...FLAGS.p, presetDefaults: byPreset('p') },
    sigma: { ...FLAGS.sigma, presetDefaults: byPreset('sigma') },
    seed: { ...FLAGS.seed, help: 'random seed (init, data, noise)' },
    backend: {
      type: 'enum',
      choices: ['wasm', 'reference', 'webgpu'],
      default: 'wasm',
      help: 'wasm: fused SIMD kernel on worker threads; reference: plain TypeScript float64; webgpu: WGSL on a GPU (docs/gpu.md)',
    },
    threads: { ...FLAGS.threads, help: 'worker threads; results do not depend on it' },
    'gen-samples': {
      ...FLAGS['gen-samples'],
      presetDefaults: byPreset('genSamples'),
      help: 'generated samples for pHat and the histograms',
    },
    'gen-method': {
      type: 'enum',
      choices: ['euler', 'heun'],
      default: 'euler',
      help: "generator: the paper's Euler protocol, or Heun",
    },
    'log-every': { type: 'int', min: 1, defaultText: 'epochs/200', help: 'record the loss every this many epochs' },
    'checkpoint-every': { type: 'int', min: 1, defaultText: 'epochs/20', help: 'checkpoint every K epochs with --out' },
    theory: {
      type: 'enum',
      choices: ['paper', 'consistent', 'none'],
      default: 'paper',
      help: 'theory overlay ridge constants: paper (lambda_u 50, lambda_w 1), consistent (l d T / 2), none',
    },
    'theory-selection': { ...FLAGS['theory-selection'], default: 'notebook' },
    out: { ...FLAGS.out, help: 'write config, checkpoints, result.json, overlaps.json, SVG figures and index.html' },
    resume: {
      type: 'path',
      metavar: 'DIR',
      path: { mode: 'input', kind: 'dir', writable: true, lock: true, contains: ['checkpoint.bin'] },
      help: 'continue the run in DIR from its checkpoint',
    },
    json: { ...FLAGS.json, help: 'print a JSON summary on stdout' },
    quiet: FLAGS.quiet,
  },
  async run(v, { io, given }) {
    if (v.out && v.resume && v.out !== v.resume)
      throw new UsageError('--resume: the run continues in its own folder; drop --out or give the same DIR');
    const dir = v.resume ?? v.out;
    let cfg: GmmConfig;
    if (v.resume) {
      let saved: GmmConfig;
      try {
        const ck = readGmmCheckpoint(v.resume).meta;
        saved = ck.config;
        if ((ck.algorithm ?? 1) !== GMM_ALGORITHM_VERSION) {
          throw new CheckpointError(
            `${checkpointPath(v.resume)} was written by gmm algorithm version ${ck.algorithm ?? 1}, this phaseflow has ${GMM_ALGORITHM_VERSION}; the run cannot continue exactly: start a new run`,
          );
        }
      } catch (err) {
        // A corrupt, foreign or outdated checkpoint is bad input (exit 2), found before any work.
        throw new UsageError(`--resume: ${(err as Error).message}`);
      }
      for (const [flag, key] of HYPER) {
        if (given.has(flag) && v[flag] !== saved[key]) {
          throw new UsageError(
            `--${flag}: the checkpoint in ${v.resume} has ${String(saved[key])}, not ${String(v[flag])}; drop the flag or start a new run`,
          );
        }
      }
      if (given.has('preset')) throw new UsageError('--preset: a resumed run keeps its own settings; drop --preset');
      cfg = saved;
    } else {
      const preset = GMM_PRESETS[v.preset];
      const epochs = v.epochs ?? preset.epochs;
      cfg = {
        schedule: v.schedule ?? preset.schedule,
        d: v.d ?? preset.d,
        n: v.n ?? preset.n,
        T: v['grid-points'] ?? preset.T,
        p: v.p ?? preset.p,
        sigma: v.sigma ?? preset.sigma,
        kappa: v.kappa ?? preset.kappa,
        lr: v.lr ?? preset.lr,
        lU: v.lu ?? preset.lU,
        lW: v.lw ?? preset.lW,
        seed: v.seed,
        backend: v.backend,
        epochs,
        genSamples: v['gen-samples'] ?? preset.genSamples,
        genMethod: v['gen-method'],
        logEvery: v['log-every'] ?? Math.max(1, Math.floor(epochs / 200)),
      };
      if (cfg.schedule === 'dilated' && !(cfg.kappa < Math.sqrt(cfg.d))) {
        throw new UsageError(
          `--kappa: the dilated schedule needs kappa < sqrt(d); kappa = ${cfg.kappa} but d = ${cfg.d}`,
        );
      }
      checkMemory(
        given.has('n') && !given.has('d') ? 'n' : 'd',
        `gmm with d = ${cfg.d}, n = ${cfg.n}, T = ${cfg.T}`,
        gmmMemory(cfg),
        'use a smaller --d or --n',
      );
      if (cfg.d * cfg.genSamples > 5e8)
        throw new UsageError(`--gen-samples: d × samples must be <= 5e8 (got ${cfg.d} × ${cfg.genSamples})`);
      if (dir && existsSync(checkpointPath(dir))) {
        throw new UsageError(
          `--out: ${dir} already holds a run; continue it with --resume ${dir} or choose another folder`,
        );
      }
    }
    const checkpointEvery = v['checkpoint-every'] ?? Math.max(1, Math.floor(cfg.epochs / 20));
    const threads = v.threads ?? availableParallelism();
    const meta = runMeta();
    if (dir) writeJsonAtomic(join(dir, 'config.json'), { config: cfg, threads, checkpointEvery, meta });

    if (v.resume) {
      const ck = readGmmCheckpoint(v.resume);
      io.stderr.write(
        `phaseflow gmm: resuming ${v.resume} from epoch ${ck.meta.trainer.epoch} of ${cfg.epochs} (${checkpointPath(v.resume)})\n`,
      );
    }
    const progress = new Progress({
      total: cfg.epochs,
      label: `gmm ${cfg.schedule} d=${cfg.d}`,
      stream: io.stderr,
      quiet: v.quiet,
    });
    let outcome;
    const t0 = performance.now();
    try {
      let first = true;
      outcome = await runGmm({
        config: cfg,
        dir,
        resume: Boolean(v.resume),
        checkpointEvery,
        threads,
        shouldStop: stopRequested,
        onProgress: (epoch, loss) => {
          if (first) {
            progress.setStart(epoch - 1);
            first = false;
          }
          progress.update(epoch, `loss ${loss.toPrecision(5)}`);
        },
      });
    } catch (err) {
      if (err instanceof NonFiniteLossError) throw new CliError(err.message);
      if (err instanceof GpuUnavailableError) throw new CliError(`--backend webgpu: ${err.message}`, 2);
      // out of device memory while laying out the problem (no epoch ran)
      if (isGpuRunFailure(err)) throw new CliError(`--backend webgpu: ${err.message}`);
      if (err instanceof DeviceFailureError)
        throw new CliError(dir ? `${err.message}; continue with: phaseflow gmm --resume ${dir}` : err.message);
      if (err instanceof CheckpointError) throw new UsageError(`--${v.resume ? 'resume' : 'out'}: ${err.message}`);
      throw err;
    }
    if (outcome.status === 'interrupted') {
      const stopSignal = stopSignal_();
      progress.stopped(outcome.epoch, `stopped by ${stopSignal ?? 'request'}`);
      io.stderr.write(
        dir
          ? `phaseflow gmm: stopped by ${stopSignal ?? 'request'} at epoch ${outcome.epoch}; checkpoint written to ${outcome.checkpoint}; continue with: phaseflow gmm --resume ${dir}\n`
          : `phaseflow gmm: stopped by ${stopSignal ?? 'request'} at epoch ${outcome.epoch}; no checkpoint (no --out)\n`,
      );
      return stopExitCode(stopSignal);
    }
    progress.done();
    const r = outcome.result;
    let overlay: TheoryOverlay | undefined;
    if (v.theory !== 'none' && cfg.schedule === 'dilated') {
      overlay = theoryOverlay(
        {
          n: cfg.n,
          p: cfg.p,
          sigma: cfg.sigma,
          kappa: cfg.kappa,
          d: cfg.d,
          T: cfg.T,
          lU: cfg.lU,
          lW: cfg.lW,
          lambdas: v.theory,
          selection: v['theory-selection'],
        },
        r.overlaps,
      );
    }
    const summary = gmmSummary(r, overlay, meta, (performance.now() - t0) / 1000);
    if (dir) writeOutputs(dir, r, overlay, summary);
    if (v.json) io.stdout.write(JSON.stringify(summary, jsonReplacer) + '\n');
    else io.stdout.write(humanSummary(r, overlay, dir) + '\n');
    return 0;
  },
});

export function gmmSummary(r: GmmResult, overlay: TheoryOverlay | undefined, meta: object, seconds: number) {
  return {
    pHat: r.pHat,
    pHatStdErr: r.pHatStdErr,
    trainP: r.trainP,
    counts: r.counts,
    modeMean: r.modeMean,
    variance: r.variance,
    overlaps: r.overlaps,
    msPerEpoch: r.msPerEpoch,
    loss: { final: r.loss.final },
    theory: overlay
      ? {
          lambdaU: overlay.lambdaU,
          lambdaW: overlay.lambdaW,
          lambdas: overlay.lambdas,
          selection: overlay.selection,
          pHat: overlay.pHat,
          sigmaHat2: overlay.sigmaHat2,
          comparison: overlay.comparison,
          note: overlay.note,
        }
      : null,
    config: r.config,
    meta,
    timing: { seconds },
  };
}

function writeOutputs(
  dir: string,
  r: GmmResult,
  overlay: TheoryOverlay | undefined,
  summary: ReturnType<typeof gmmSummary>,
): void {
  writeJsonAtomic(join(dir, 'result.json'), { ...summary, loss: r.loss });
  writeJsonAtomic(join(dir, 'overlaps.json'), {
    overlaps: r.overlaps,
    theory: overlay ? { lines: overlay.lines, lambdaU: overlay.lambdaU, lambdaW: overlay.lambdaW } : null,
  });
  const figs = gmmFigures({
    overlaps: r.overlaps,
    loss: r.loss,
    projections: r.projections,
    pHat: r.pHat,
    schedule: r.config.schedule,
    d: r.config.d,
    theory: overlay ? { ...overlay.lines, label: overlay.note } : undefined,
  });
  for (const f of figs) writeFileAtomic(join(dir, f.file), f.svg);
  const c = r.config;
  const rows: (string | number | null)[][] = [
    [
      'pHat (generated weight of the +μ mode)',
      fmt(r.pHat, 4),
      overlay ? fmt(overlay.pHat.finiteEuler, 4) : '—',
      overlay ? fmt(overlay.pHat.infinite, 4) : '—',
    ],
    ['training set p', fmt(r.trainP, 4), '—', fmt(c.p, 4)],
    [
      'per-mode variance (+)',
      fmt(r.variance.plus, 4),
      overlay ? fmt(overlay.sigmaHat2.finiteEuler, 4) : '—',
      overlay ? fmt(overlay.sigmaHat2.infiniteEuler, 4) : '—',
    ],
    ['mean ⟨x, μ⟩/d (+ / −)', `${fmt(r.modeMean.plus, 4)} / ${fmt(r.modeMean.minus, 4)}`, '—', '±1'],
  ];
  const cmp = overlay
    ? {
        columns: [
          'overlap',
          'RMS |experiment| − finite-n theory',
          'RMS |experiment| − infinite-n theory',
          'grid points compared',
        ],
        rows: (['c', 'm', 'omega', 'b'] as const).map((k) => [
          k,
          fmt(overlay.comparison.rmsFinite[k], 3),
          fmt(overlay.comparison.rmsInfinite[k], 3),
          overlay.comparison.points[k],
        ]),
      }
    : undefined;
  writeFileAtomic(
    join(dir, 'index.html'),
    htmlReport({
      title: `phaseflow gmm — two-layer autoencoder on the Gaussian mixture (${c.schedule}, d = ${c.d})`,
      subtitle: `n = ${c.n}, T = ${c.T}, ${c.epochs} epochs, lr ${c.lr}, l_u = ${c.lU}, l_w = ${c.lW}, κ = ${c.kappa}, p = ${c.p}, seed ${c.seed}; ${fmt(r.msPerEpoch, 3)} ms per epoch`,
      sections: [
        {
          heading: 'What was generated',
          table: {
            columns: ['quantity', 'trained network', 'finite-n theory (Euler grid)', 'infinite n / target'],
            rows,
          },
        },
        ...(cmp
          ? [{ heading: 'Theory against experiment, per overlap', html: `<p>${overlay!.note}</p>`, table: cmp }]
          : []),
        { heading: 'Figures', figures: figs.map((f) => ({ svg: f.svg, caption: f.caption, file: f.file })) },
        {
          heading: 'Configuration',
          code: JSON.stringify({ config: c, meta: summary.meta, timing: summary.timing }, null, 2),
        },
      ],
    }),
  );
}

function humanSummary(r: GmmResult, overlay: TheoryOverlay | undefined, dir: string | undefined): string {
  const lines = [
    `pHat ${fmt(r.pHat, 4)} ± ${fmt(r.pHatStdErr, 2)}  (training set p ${fmt(r.trainP, 4)}, target ${r.config.p})`,
    `mode means ⟨x,μ⟩/d  + ${fmt(r.modeMean.plus, 4)}   − ${fmt(r.modeMean.minus, 4)}`,
    `per-mode variance   + ${fmt(r.variance.plus, 4)}   − ${fmt(r.variance.minus, 4)}`,
    `final loss ${fmt(r.loss.final, 5)}; ${fmt(r.msPerEpoch, 3)} ms per epoch`,
  ];
  if (overlay)
    lines.push(
      `theory (λu=${overlay.lambdaU}, λw=${overlay.lambdaW}): pHat finite-n ${fmt(overlay.pHat.finiteEuler, 4)}, infinite-n ${fmt(overlay.pHat.infinite, 4)}`,
    );
  if (dir) lines.push(`wrote ${join(dir, 'index.html')}`);
  return lines.join('\n');
}
