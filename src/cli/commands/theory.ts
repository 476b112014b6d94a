/**
 * `phaseflow theory`: the asymptotic predictions of docs/method.md §3 — phase-1 overlaps (finite n by minimising the
 * saddle-point objective, with its first-order jump), phase-2 closed forms, the generated weight p̂ and per-mode
 * variance σ̂², Bayes-MSE curves and the dilation-constant study.
 */
import { join } from 'node:path';
import { defineCommand } from '../command.js';
import { FLAGS, aliasesFor } from '../flags.js';
import { writeJsonAtomic, jsonReplacer } from '../../io/atomic.js';
import { writeReport } from '../../report/write.js';
import {
  computeTheory,
  summarizeTheory,
  DEFAULT_THEORY_OPTIONS,
  type TheoryOptions,
  type TheoryReport,
} from '../../theory/compute.js';
import { theoryFigures } from '../../theory/figures.js';
import { PHASE1_NUMERATORS } from '../../theory/phase1.js';
import { PHASE2_VARIANTS } from '../../theory/phase2.js';

const D = DEFAULT_THEORY_OPTIONS;

function keyNumbers(r: TheoryReport): { columns: string[]; rows: (string | number | null)[][] } {
  const tr = r.phase1.transition;
  return {
    columns: ['quantity', 'finite n', 'infinite n'],
    rows: [
      ['p̂ (continuous ODE)', r.pHat.finite, r.pHat.infinite],
      [`p̂ (Euler, ${r.pHat.eulerPoints} phase-1 points)`, r.pHat.finiteEuler, r.pHat.infiniteEuler],
      ['σ̂² (continuous)', r.sigmaHat2.finite, r.sigmaHat2.infinite],
      [`σ̂² (Euler, ${r.pHat.eulerPoints} phase-2 points)`, r.sigmaHat2.finiteEuler, r.sigmaHat2.infiniteEuler],
      ['phase-1 global switch t*', tr?.globalSwitch.t ?? null, null],
      ['ω just after the switch', tr?.globalSwitch.after.omega ?? null, null],
      ['spinodal (interior minimum born)', tr?.spinodal?.t ?? null, null],
      ['notebook-descent switch', tr?.notebookSwitch?.t ?? null, null],
    ],
  };
}

export const theoryCommand = defineCommand({
  name: 'theory',
  summary: 'Asymptotic theory: phase-1/phase-2 overlaps, their first-order jump, predicted p-hat and sigma-hat^2',
  description: [
    'Evaluates the d → ∞ theory of the autoencoder on the dilated schedule (docs/method.md §3) at finite and infinite n.',
    'Phase 1 (t in [0,1]) minimises E(ω,b) = -N/(λ_u + n<φ²>) + λ_w ω² with Gauss–Hermite expectations; the',
    'degenerate minimiser ω = 0, b = ∞ is reported with b = Infinity (null in JSON). Phase 2 (t in [1,2]) uses closed',
    'forms. p̂ comes from the reduced 1-D phase-1 flow and the mode-locking rule p̂ = P(b_1 + ω_1 y_1 > 0).',
    '',
    'Examples:',
    '  phaseflow theory',
    '  phaseflow theory --n 1000 --variant cui --json',
    '  phaseflow theory --kappas 1,2,4,8 --out runs/theory',
  ].join('\n'),
  aliases: aliasesFor('theory'),
  flags: {
    n: { type: 'int', min: 1, max: 1e9, default: D.n, help: 'number of training samples' },
    'lambda-u': {
      type: 'number',
      min: 0,
      max: 1e12,
      default: D.lambdaU,
      help: 'ridge on the decoder u (sum-over-samples units)',
    },
    'lambda-w': { type: 'number', min: 0, max: 1e12, default: D.lambdaW, help: 'ridge on the encoder w' },
    kappa: { ...FLAGS.kappa, max: 50, default: D.kappa, help: 'dilation constant' },
    p: { ...FLAGS.p, default: D.p },
    sigma: { ...FLAGS.sigma, max: 1e6, default: D.sigma },
    'curve-points': {
      type: 'int',
      min: 2,
      max: 2001,
      default: D.grid,
      help: 'time points per phase of the theory curves',
    },
    variant: {
      type: 'enum',
      choices: PHASE2_VARIANTS,
      default: D.variant,
      help: 'phase-2 c denominator: notebook (λ+n+1), cui (λ+n−1), fresh (λ+n)',
    },
    numerator: {
      type: 'enum',
      choices: PHASE1_NUMERATORS,
      default: D.numerator,
      help: 'phase-1 objective numerator: notebook n(n+1)<φs>², fixed n²<φs>²+σ²n<φ²>, old (n<φs>)²+n<φ>²',
    },
    'theory-selection': { ...FLAGS['theory-selection'], default: D.selection },
    nodes: { type: 'int', min: 16, max: 1024, default: D.nodes, help: 'Gauss–Hermite nodes' },
    'euler-points': {
      type: 'int',
      min: 2,
      max: 100000,
      default: D.eulerPoints,
      help: "generator's Euler grid points per phase (paper: T/2 = 40)",
    },
    'ode-steps': {
      type: 'int',
      min: 4,
      max: 100000,
      default: D.odeSteps,
      help: 'RK4 steps per smooth segment of the reduced phase-1 ODE',
    },
    kappas: {
      type: 'numbers',
      gt: 0,
      max: 50,
      default: [...D.kappas],
      metavar: 'LIST',
      help: 'κ values of the dilation-constant study',
    },
    'kappa-study': { type: 'bool', default: true, help: 'run the dilation-constant study (--no-kappa-study skips it)' },
    d: { ...FLAGS.d, max: 1e15, default: D.d, help: 'dimension for the phase-1 window κ/√d in the κ study' },
    json: FLAGS.json,
    out: { ...FLAGS.out, help: 'write theory.json, SVG figures and index.html to DIR' },
  },
  // eslint-disable-next-line @typescript-eslint/require-await -- synchronous work; async keeps the interface's promise and turns a throw into a rejection
  async run(v, { io }) {
    const opts: TheoryOptions = {
      ...D,
      n: v.n,
      lambdaU: v['lambda-u'],
      lambdaW: v['lambda-w'],
      kappa: v.kappa,
      p: v.p,
      sigma: v.sigma,
      grid: v['curve-points'],
      variant: v.variant,
      numerator: v.numerator,
      selection: v['theory-selection'],
      nodes: v.nodes,
      eulerPoints: v['euler-points'],
      odeSteps: v['ode-steps'],
      kappas: v['kappa-study'] ? v.kappas : [],
      d: v.d,
    };
    const t0 = performance.now();
    const report = computeTheory(opts);
    const seconds = (performance.now() - t0) / 1000;
    if (v.out) {
      const dir = v.out;
      writeJsonAtomic(join(dir, 'theory.json'), { ...report, timing: { seconds } });
      const figs = theoryFigures(report);
      writeReport(dir, {
        title: 'phaseflow theory — asymptotic predictions for the dilated schedule',
        subtitle: `n = ${opts.n}, λ_u = ${opts.lambdaU}, λ_w = ${opts.lambdaW}, κ = ${opts.kappa}, p = ${opts.p}, σ = ${opts.sigma}`,
        sections: [
          { heading: 'Summary', code: summarizeTheory(report) },
          { heading: 'Key numbers', table: { ...keyNumbers(report), digits: 5 } },
          { heading: 'Figures', figures: figs.map((f) => ({ svg: f.svg, caption: f.caption, file: f.file })) },
          { heading: 'Configuration', code: JSON.stringify(report.config, null, 2) },
        ],
      });
    }
    if (v.json) io.stdout.write(JSON.stringify({ ...report, timing: { seconds } }, jsonReplacer) + '\n');
    else
      io.stdout.write(
        summarizeTheory(report) + `\n${seconds.toFixed(1)} s${v.out ? `; wrote ${v.out}/index.html` : ''}\n`,
      );
    return 0;
  },
});
