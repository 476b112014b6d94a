/**
 * `phaseflow gmm`: train the paper's two-layer autoencoder on the Gaussian mixture, generate, measure, report.
 */
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Command } from '../command.js';
import { CliError } from '../command.js';
import { UsageError } from '../args.js';
import { GMM_PRESETS, runGmm, readGmmCheckpoint, checkpointPath, NonFiniteLossError, type GmmConfig, type GmmPreset, type GmmResult } from '../../autoencoder/experiment.js';
import { theoryOverlay, type TheoryLambdas, type TheoryOverlay } from '../../autoencoder/theoryOverlay.js';
import { CheckpointError } from '../../io/checkpoint.js';
import { writeJsonAtomic, writeFileAtomic, jsonReplacer } from '../../io/atomic.js';
import { runMeta } from '../../io/meta.js';
import { Progress } from '../../io/progress.js';
import { gmmFigures } from '../../report/figures/gmm.js';
import { htmlReport } from '../../report/html.js';
import { fmt } from '../../report/format.js';
import { availableParallelism } from 'node:os';

/** Flag name -> config key for the hyper-parameters (everything that determines the result). */
const HYPER: Record<string, keyof GmmConfig> = {
  schedule: 'schedule', d: 'd', n: 'n', steps: 'T', epochs: 'epochs', lr: 'lr', lu: 'lU', lw: 'lW', kappa: 'kappa', p: 'p',
  sigma: 'sigma', seed: 'seed', backend: 'backend', 'gen-samples': 'genSamples', 'gen-method': 'genMethod', 'log-every': 'logEvery',
};

export const gmmCommand: Command = {
  name: 'gmm',
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
  flags: {
    preset: { type: 'enum', choices: ['quick', 'paper'], default: 'quick', help: 'base settings (flags override them)' },
    schedule: { type: 'enum', choices: ['linear', 've', 'dilated'], help: 'interpolant: linear (paper VP), ve, dilated (paper dVP)' },
    d: { type: 'int', min: 1, help: 'dimension' },
    n: { type: 'int', min: 1, help: 'training samples (fixed set)' },
    steps: { type: 'int', min: 2, help: 'number T of grid times (one parameter set each)' },
    epochs: { type: 'int', min: 1, help: 'Adam steps (full batch, fresh noise each)' },
    lr: { type: 'number', gt: 0, help: 'Adam learning rate' },
    lu: { type: 'number', min: 0, help: 'weight decay l_u on u (coupled L2, PyTorch Adam semantics)' },
    lw: { type: 'number', min: 0, help: 'weight decay l_w on w' },
    kappa: { type: 'number', gt: 0, help: 'dilation constant (dilated schedule; kappa < sqrt(d))' },
    p: { type: 'number', gt: 0, lt: 1, help: 'weight of the +mu mode' },
    sigma: { type: 'number', gt: 0, help: 'per-coordinate std of each mode' },
    seed: { type: 'int', min: 0, max: Number.MAX_SAFE_INTEGER, default: 0, help: 'random seed (init, data, noise)' },
    backend: { type: 'enum', choices: ['wasm', 'reference'], default: 'wasm', help: 'wasm: fused SIMD kernel on worker threads; reference: plain TypeScript float64' },
    threads: { type: 'int', min: 1, max: 256, help: 'worker threads (default: all cores); results do not depend on it' },
    'gen-samples': { type: 'int', min: 1, help: 'generated samples for pHat and the histograms' },
    'gen-method': { type: 'enum', choices: ['euler', 'heun'], default: 'euler', help: "generator: the paper's Euler protocol, or Heun" },
    'log-every': { type: 'int', min: 1, help: 'record the loss every this many epochs (default epochs/200)' },
    'checkpoint-every': { type: 'int', min: 1, help: 'checkpoint every K epochs with --out (default epochs/20)' },
    theory: { type: 'enum', choices: ['paper', 'consistent', 'none'], default: 'paper', help: "theory overlay ridge constants: paper (lambda_u 50, lambda_w 1), consistent (l d T / 2), none" },
    'theory-selection': { type: 'enum', choices: ['notebook', 'global'], default: 'notebook', help: "phase-1 minimiser: the authors' local descent (their figure) or the global minimum" },
    out: { type: 'path', metavar: 'DIR', help: 'write config, checkpoints, result.json, overlaps.json, SVG figures and index.html' },
    resume: { type: 'path', metavar: 'DIR', help: 'continue the run in DIR from its checkpoint' },
    json: { type: 'bool', help: 'print a JSON summary on stdout' },
    quiet: { type: 'bool', help: 'no progress output' },
  },
  async run(v, { io, given }) {
    if (v.out && v.resume && v.out !== v.resume) throw new UsageError('--resume: the run continues in its own folder; drop --out or give the same DIR');
    const dir = (v.resume ?? v.out) as string | undefined;
    let cfg: GmmConfig;
    if (v.resume) {
      let saved: GmmConfig;
      try {
        saved = readGmmCheckpoint(v.resume as string).meta.config;
      } catch (err) {
        throw new CliError(`--resume: ${(err as Error).message}`);
      }
      for (const [flag, key] of Object.entries(HYPER)) {
        if (given.has(flag) && v[flag] !== saved[key]) {
          throw new UsageError(`--${flag}: the checkpoint in ${v.resume} has ${String(saved[key])}, not ${String(v[flag])}; drop the flag or start a new run`);
        }
      }
      if (given.has('preset')) throw new UsageError('--preset: a resumed run keeps its own settings; drop --preset');
      cfg = saved;
    } else {
      const preset = GMM_PRESETS[v.preset as GmmPreset];
      const pick = <V,>(flag: string, fallback: V): V => (v[flag] !== undefined ? (v[flag] as V) : fallback);
      const epochs = pick<number>('epochs', preset.epochs);
      cfg = {
        schedule: pick<GmmConfig['schedule']>('schedule', preset.schedule),
        d: pick<number>('d', preset.d),
        n: pick<number>('n', preset.n),
        T: pick<number>('steps', preset.T),
        p: pick<number>('p', preset.p),
        sigma: pick<number>('sigma', preset.sigma),
        kappa: pick<number>('kappa', preset.kappa),
        lr: pick<number>('lr', preset.lr),
        lU: pick<number>('lu', preset.lU),
        lW: pick<number>('lw', preset.lW),
        seed: v.seed as number,
        backend: v.backend as GmmConfig['backend'],
        epochs,
        genSamples: pick<number>('gen-samples', preset.genSamples),
        genMethod: v['gen-method'] as GmmConfig['genMethod'],
        logEvery: pick<number>('log-every', Math.max(1, Math.floor(epochs / 200))),
      };
      if (cfg.schedule === 'dilated' && !(cfg.kappa < Math.sqrt(cfg.d))) {
        throw new UsageError(`--kappa: the dilated schedule needs kappa < sqrt(d); kappa = ${cfg.kappa} but d = ${cfg.d}`);
      }
      if (cfg.d * cfg.genSamples > 5e8) throw new UsageError(`--gen-samples: d × samples must be <= 5e8 (got ${cfg.d} × ${cfg.genSamples})`);
      if (dir && existsSync(checkpointPath(dir))) {
        throw new UsageError(`--out: ${dir} already holds a run; continue it with --resume ${dir} or choose another folder`);
      }
    }
    const checkpointEvery = (v['checkpoint-every'] as number | undefined) ?? Math.max(1, Math.floor(cfg.epochs / 20));
    const threads = (v.threads as number | undefined) ?? availableParallelism();
    const meta = runMeta();
    if (dir) writeJsonAtomic(join(dir, 'config.json'), { config: cfg, threads, checkpointEvery, meta });

    let stopSignal: NodeJS.Signals | null = null;
    const onSignal = (s: NodeJS.Signals) => {
      if (stopSignal) process.exit(s === 'SIGINT' ? 130 : 143); // second signal: give up at once
      stopSignal = s;
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const progress = new Progress({ total: cfg.epochs, label: `gmm ${cfg.schedule} d=${cfg.d}`, stream: io.stderr, quiet: Boolean(v.quiet) });
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
        shouldStop: () => stopSignal !== null,
        onProgress: (epoch, loss) => {
          if (first) {
            progress.setStart(epoch - 1);
            first = false;
          }
          progress.update(epoch, `loss ${loss.toPrecision(5)}`);
        },
      });
    } catch (err) {
      if (err instanceof NonFiniteLossError || err instanceof CheckpointError) throw new CliError(err.message);
      throw err;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
    if (outcome.status === 'interrupted') {
      progress.done();
      io.stderr.write(
        dir
          ? `phaseflow gmm: stopped by ${stopSignal ?? 'request'} at epoch ${outcome.epoch}; checkpoint written to ${outcome.checkpoint}; continue with: phaseflow gmm --resume ${dir}\n`
          : `phaseflow gmm: stopped by ${stopSignal ?? 'request'} at epoch ${outcome.epoch}; no checkpoint (no --out)\n`,
      );
      return stopSignal === 'SIGTERM' ? 143 : 130;
    }
    progress.done();
    const r = outcome.result;
    let overlay: TheoryOverlay | undefined;
    if (v.theory !== 'none' && cfg.schedule === 'dilated') {
      overlay = theoryOverlay(
        { n: cfg.n, p: cfg.p, sigma: cfg.sigma, kappa: cfg.kappa, d: cfg.d, T: cfg.T, lU: cfg.lU, lW: cfg.lW, lambdas: v.theory as TheoryLambdas, selection: v['theory-selection'] as 'notebook' | 'global' },
        r.overlaps,
      );
    }
    const summary = gmmSummary(r, overlay, meta, (performance.now() - t0) / 1000);
    if (dir) writeOutputs(dir, r, overlay, summary);
    if (v.json) io.stdout.write(JSON.stringify(summary, jsonReplacer) + '\n');
    else io.stdout.write(humanSummary(r, overlay, dir) + '\n');
    return 0;
  },
};

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
      ? { lambdaU: overlay.lambdaU, lambdaW: overlay.lambdaW, lambdas: overlay.lambdas, selection: overlay.selection, pHat: overlay.pHat, sigmaHat2: overlay.sigmaHat2, comparison: overlay.comparison, note: overlay.note }
      : null,
    config: r.config,
    meta,
    timing: { seconds },
  };
}

function writeOutputs(dir: string, r: GmmResult, overlay: TheoryOverlay | undefined, summary: ReturnType<typeof gmmSummary>): void {
  writeJsonAtomic(join(dir, 'result.json'), { ...summary, loss: r.loss });
  writeJsonAtomic(join(dir, 'overlaps.json'), { overlaps: r.overlaps, theory: overlay ? { lines: overlay.lines, lambdaU: overlay.lambdaU, lambdaW: overlay.lambdaW } : null });
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
    ['pHat (generated weight of the +μ mode)', fmt(r.pHat, 4), overlay ? fmt(overlay.pHat.finiteEuler, 4) : '—', overlay ? fmt(overlay.pHat.infinite, 4) : '—'],
    ['training set p', fmt(r.trainP, 4), '—', fmt(c.p, 4)],
    ['per-mode variance (+)', fmt(r.variance.plus, 4), overlay ? fmt(overlay.sigmaHat2.finiteEuler, 4) : '—', overlay ? fmt(overlay.sigmaHat2.infiniteEuler, 4) : '—'],
    ['mean ⟨x, μ⟩/d (+ / −)', `${fmt(r.modeMean.plus, 4)} / ${fmt(r.modeMean.minus, 4)}`, '—', '±1'],
  ];
  const cmp = overlay
    ? {
        columns: ['overlap', 'RMS |experiment| − finite-n theory', 'RMS |experiment| − infinite-n theory', 'grid points compared'],
        rows: (['c', 'm', 'omega', 'b'] as const).map((k) => [k, fmt(overlay.comparison.rmsFinite[k], 3), fmt(overlay.comparison.rmsInfinite[k], 3), overlay.comparison.points[k]]),
      }
    : undefined;
  writeFileAtomic(
    join(dir, 'index.html'),
    htmlReport({
      title: `phaseflow gmm — two-layer autoencoder on the Gaussian mixture (${c.schedule}, d = ${c.d})`,
      subtitle: `n = ${c.n}, T = ${c.T}, ${c.epochs} epochs, lr ${c.lr}, l_u = ${c.lU}, l_w = ${c.lW}, κ = ${c.kappa}, p = ${c.p}, seed ${c.seed}; ${fmt(r.msPerEpoch, 3)} ms per epoch`,
      sections: [
        { heading: 'What was generated', table: { columns: ['quantity', 'trained network', 'finite-n theory (Euler grid)', 'infinite n / target'], rows } },
        ...(cmp ? [{ heading: 'Theory against experiment, per overlap', html: `<p>${overlay!.note}</p>`, table: cmp }] : []),
        { heading: 'Figures', figures: figs.map((f) => ({ svg: f.svg, caption: f.caption, file: f.file })) },
        { heading: 'Configuration', code: JSON.stringify({ config: c, meta: summary.meta, timing: summary.timing }, null, 2) },
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
  if (overlay) lines.push(`theory (λu=${overlay.lambdaU}, λw=${overlay.lambdaW}): pHat finite-n ${fmt(overlay.pHat.finiteEuler, 4)}, infinite-n ${fmt(overlay.pHat.infinite, 4)}`);
  if (dir) lines.push(`wrote ${join(dir, 'index.html')}`);
  return lines.join('\n');
}

