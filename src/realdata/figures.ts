/**
 * Figures and HTML pages of the real-data stages (SVG from `src/report`), pure functions of the stage results
 * (`results.ts`; this module imports no stage code):
 *   uturn.svg            the paper's Figure 2 layout: fraction ending as class A against the turn time t0, one curve
 *                        per start class with Wilson bands, the generated class fraction (dashed), the measured
 *                        decision window (shaded) and, faintly, the paper's curves, 0.882 line and [0.2, 0.6] window
 *   samples.svg          generated images of the uniform (U-Turn) model
 *   retrain-samples.svg  generated digits of each arm at each evaluated step (first seed, the evaluation's own images)
 *   learning-curve.svg   class error, Fréchet distance and confident / typical fractions against training steps, both
 *                        arms, mean over seeds with 95 % bands; the compared budgets marked
 *   retrain-error.svg    class error |pHat_A - p| at the compared budgets, uniform vs phase-aware (mean, 95 % CI)
 *   retrain-fd.svg       the Fréchet distance at the compared budgets
 *   scan-vs-uturn.svg    the U-Turn curves and window beside the class-error improvement per training-time interval on
 *                        the same time axis, titled with the answer ("which interval improves the feature most")
 *   scan.svg             improvement of the class error per training-time interval (bar chart, 95 % CI)
 * and the sections of the stage pages and of the main report (`pipelineSections`).
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic.js';
import { barChart } from '../report/barChart.js';
import { fmt } from '../report/format.js';
import { gridOfPlots } from '../report/grid.js';
import { htmlReport, type ReportSection } from '../report/html.js';
import { linePlot } from '../report/linePlot.js';
import { resolveColor } from '../report/palette.js';
import type { LineSeries } from '../report/series.js';
import type { MeanCI } from '../metrics/summary.js';
import { gridSvg } from './png.js';
import type {
  ArmName,
  LearningCurvePoint,
  RetrainStageResult,
  ScanIntervalSummary,
  ScanStageResult,
  UTurnStageResult,
} from './results.js';
import type { ClaimRow } from './verdicts.js';

export type { FigureFile } from '../report/figure.js';
import type { FigureFile } from '../report/figure.js';

/** Display name of a class: digits for MNIST sources, "class k" otherwise. */
export function className(k: number, source = 'mnist'): string {
  return /fashion/i.test(source) || !/mnist/i.test(source) ? `class ${k}` : `digit ${k}`;
}

const pct = (p: { value: number; low: number; high: number }) =>
  `${fmt(100 * p.value, 3)} % [${fmt(100 * p.low, 3)}, ${fmt(100 * p.high, 3)}]`;
const ci = (m: { mean: number; low: number; high: number }, d = 3) =>
  Number.isFinite(m.low) ? `${fmt(m.mean, d)} [${fmt(m.low, d)}, ${fmt(m.high, d)}]` : fmt(m.mean, d);

/** The U-Turn curves in the style of the paper's Figure 2. */
export function uturnPlot(r: UTurnStageResult, opts: { width?: number; height?: number } = {}): string {
  const src = r.oracle.heldOut.source;
  const A = className(r.classes.A, src),
    B = className(r.classes.B, src);
  const P = r.paper;
  const series: LineSeries[] = [
    {
      name: `paper: start from 0`,
      x: P.t0,
      y: P.startFromA,
      style: 'dashed',
      color: 'C0',
      opacity: 0.35,
      lineWidth: 1.5,
    },
    {
      name: `paper: start from 1`,
      x: P.t0,
      y: P.startFromB,
      style: 'dashed',
      color: 'C1',
      opacity: 0.35,
      lineWidth: 1.5,
    },
    ...r.curves.map((c, i): LineSeries => ({
      name: `start from ${c.start === 'A' ? A : B} (n = ${c.trajectories}${c.distinctImages < c.trajectories ? `, ${c.distinctImages} images` : ''})`,
      x: r.turnTimes,
      y: c.toA.map((p) => p.value),
      yLow: c.toA.map((p) => p.low),
      yHigh: c.toA.map((p) => p.high),
      style: 'line+points',
      color: i === 0 ? 'C0' : 'C1',
    })),
  ];
  const hLines = [
    ...(r.reference
      ? [
          {
            value: r.reference.value,
            label: `generated fraction of ${A}: ${fmt(r.reference.value, 3)}`,
            color: 'C2',
            inLegend: true,
          },
        ]
      : []),
    {
      value: r.trueFractionA,
      label: `training fraction ${fmt(r.trueFractionA, 3)}`,
      dashed: true,
      color: '#999999',
      width: 1,
      inLegend: true,
    },
    {
      value: P.generatedFractionA,
      label: `paper: generated ${P.generatedFractionA}`,
      dashed: true,
      color: '#cccccc',
      width: 1,
      inLegend: true,
    },
  ];
  const w = r.window;
  return linePlot({
    title: `U-Turn starting from ${A} or ${B}`,
    xLabel: 'time t0 of the U-Turn (0 = noise, 1 = data)',
    yLabel: `proportion that ends as ${A}`,
    xDomain: [0, 1],
    yDomain: [0, 1.05],
    width: opts.width ?? 720,
    height: opts.height ?? 440,
    series,
    hLines,
    vBands: [
      { from: P.window[0], to: P.window[1], color: '#bbbbbb', opacity: 0.2 },
      { from: w.lo, to: w.hi, color: 'C2', opacity: 0.15 },
    ],
    extraLegend: [
      {
        label: `decision window [${fmt(w.lo, 3)}, ${fmt(w.hi, 3)}]`,
        color: resolveColor('C2', 2),
        swatch: true,
        opacity: 0.3,
      },
      { label: "paper's window [0.2, 0.6]", color: '#bbbbbb', swatch: true, opacity: 0.4 },
    ],
    legend: 'bottom',
    description: `Measured decision window by the rule: ${w.rule}. Faint dashed curves: the paper's Figure 2 (${P.note}).`,
  });
}

export function uturnFigures(r: UTurnStageResult): FigureFile[] {
  const figs: FigureFile[] = [
    {
      file: 'uturn.svg',
      svg: uturnPlot(r),
      caption: `U-Turn: fraction of regenerated images classified as class A against the turn time t0, Wilson 95 % bands; window [${fmt(r.window.lo, 3)}, ${fmt(r.window.hi, 3)}] from the class-memory rule; faint: the paper's Figure 2.`,
    },
  ];
  if (r.preview) {
    figs.push({
      file: 'samples.svg',
      svg: gridSvg(r.preview.grid, {
        title: `Generated by the uniform model (${r.preview.method}, ${r.preview.stepsPerUnit} steps)`,
      }),
      caption: `${r.preview.n} images generated from noise by the U-Turn model${r.model.steps ? ` (${r.model.steps} steps)` : ''}.`,
    });
  }
  return figs;
}

const ARM_COLOR: Record<ArmName, string> = { uniform: 'C0', 'phase-aware': 'C3' };

function armLabel(r: RetrainStageResult, a: ArmName): string {
  return a === 'uniform'
    ? 'uniform t'
    : `phase-aware (${fmt(r.massInside, 2)} in [${fmt(r.window.lo, 3)}, ${fmt(r.window.hi, 3)}])`;
}

/** The image grids of the first seed: one row per arm, one column per evaluated step (null when none was kept). */
export function retrainSamplesFigure(r: RetrainStageResult): FigureFile | null {
  const seed = r.arms[0].seeds[0];
  const arms = ['uniform', 'phase-aware'] as const;
  const gridOf = (arm: ArmName, step: number) =>
    r.parts.find((q) => q.arm === arm && q.seed === seed && q.budget === step)?.grid;
  const steps = r.curve.steps.filter((st) => arms.every((a) => gridOf(a, st)));
  if (!steps.length) return null;
  const budgets = r.arms[0].budgets;
  const panels = arms.flatMap((arm) =>
    steps.map((step) => {
      const g = gridOf(arm, step)!;
      return gridSvg(g, {
        title: `${arm}, ${step} steps${budgets.includes(step) ? '' : ' (curve)'}`,
        scale: g.size <= 16 ? 2 : 1,
      });
    }),
  );
  const n = gridOf('uniform', steps[0])!.n;
  return {
    file: 'retrain-samples.svg',
    svg: gridOfPlots(panels, {
      columns: steps.length,
      title: `Generated digits per arm and training steps (seed ${seed})`,
    }),
    caption: `The first ${n} of the ${r.arms[0].generation.images} images each evaluation generated (seed ${seed}, the same generation noise in both arms): top row uniform, bottom row phase-aware; columns ${steps.join(', ')} steps (compared: ${budgets.join(', ')}; the others are learning-curve steps).`,
  };
}

/** A learning curve's series: a name, a colour and its points. */
export interface CurveSeries {
  name: string;
  color: string;
  points: readonly LearningCurvePoint[];
}

/**
 * Three panels against training steps, one series per curve (mean over seeds with 95 % bands): class error |pHat_A −
 * p|, Fréchet distance, and the quality gate's confident (p >= 0.9, solid) and typical (dashed) fractions with the
 * 0.9 gate;
 * `marks` (e.g. the compared budgets) are dotted vertical lines.
 */
export function curveFigure(
  curves: readonly CurveSeries[],
  opts: { title: string; marks?: readonly number[] },
): string {
  const band = (m: MeanCI[]) => ({
    y: m.map((v) => v.mean),
    yLow: m.map((v) => (Number.isFinite(v.low) ? v.low : v.mean)),
    yHigh: m.map((v) => (Number.isFinite(v.high) ? v.high : v.mean)),
  });
  const vLines = (opts.marks ?? []).map((value) => ({ value, dashed: true, color: '#bbbbbb', width: 1 }));
  const panel = (title: string, yLabel: string, pick: (p: LearningCurvePoint) => MeanCI) =>
    linePlot({
      title,
      xLabel: 'training steps',
      yLabel,
      width: 380,
      height: 280,
      series: curves.map((c) => ({
        name: c.name,
        color: c.color,
        x: c.points.map((p) => p.step),
        ...band(c.points.map(pick)),
        style: 'line+points' as const,
      })),
      vLines,
      legend: curves.length > 1 ? 'bottom' : 'auto',
    });
  return gridOfPlots(
    [
      panel('Class error |pHat_A − p|', 'class error', (p) => p.classError),
      panel('Fréchet distance (oracle features)', 'FD', (p) => p.fd),
      linePlot({
        title: 'Confident and typical (dashed)',
        xLabel: 'training steps',
        yLabel: 'fraction of images',
        width: 380,
        height: 280,
        yDomain: [0, 1],
        series: curves.flatMap((c): LineSeries[] => [
          {
            name: `${c.name}: confident`,
            color: c.color,
            x: c.points.map((p) => p.step),
            ...band(c.points.map((p) => p.confident)),
            style: 'line+points',
          },
          {
            name: `${c.name}: typical`,
            color: c.color,
            x: c.points.map((p) => p.step),
            ...band(c.points.map((p) => p.typical)),
            style: 'dashed',
            legend: false,
          },
        ]),
        hLines: [{ value: 0.9, label: 'gate 0.9', dashed: true, color: '#999999', inLegend: true }],
        vLines,
        legend: 'bottom',
      }),
    ],
    { columns: 3, title: opts.title },
  );
}

export function retrainFigures(r: RetrainStageResult): FigureFile[] {
  const xs = r.budgets.map((b) => b.budget);
  const arms = ['uniform', 'phase-aware'] as const;
  // The two arms are drawn slightly apart so that their intervals do not hide each other.
  const dx = xs.length > 1 ? 0.012 * (xs[xs.length - 1] - xs[0]) : 0;
  const curve = (metric: 'classError' | 'fd'): LineSeries[] =>
    arms.map((a, i) => ({
      name: armLabel(r, a),
      x: xs.map((x) => x + (i - 0.5) * dx),
      y: r.budgets.map((b) => b.arms[a][metric].mean),
      yLow: r.budgets.map((b) => b.arms[a][metric].low),
      yHigh: r.budgets.map((b) => b.arms[a][metric].high),
      style: 'line+points',
      color: ARM_COLOR[a],
      interval: 'errorbars',
    }));
  const seeds = r.arms[0].seeds.length;
  const samples = retrainSamplesFigure(r);
  const steps = r.curve.steps;
  return [
    ...(samples ? [samples] : []),
    {
      file: 'learning-curve.svg',
      svg: curveFigure(
        arms.map((a) => ({ name: armLabel(r, a), color: ARM_COLOR[a], points: r.curve.arms[a] })),
        {
          title: `Learning curves of both arms (${seeds} seeds, ${r.arms[0].generation.images} images per point)`,
          marks: r.arms[0].budgets,
        },
      ),
      caption: `Learning curves from the comparison's own runs, evaluated at ${steps.join(', ')} steps: mean over ${seeds} seeds with 95 % bands (the learning-rate schedule spans ${r.arms[0].scheduleSteps} steps in both arms). Dotted lines: the compared budgets, gated at 0.9 confident and 0.9 typical images.`,
    },
    {
      file: 'retrain-error.svg',
      svg: linePlot({
        title: 'Class-fraction error of generated images',
        xLabel: 'training budget (optimiser steps)',
        yLabel: '|pHat_A − p| (mean over seeds, 95 % CI)',
        series: curve('classError'),
        hLines: [{ value: 0, dashed: false, color: '#999999', width: 1 }],
        legend: 'bottom',
      }),
      caption: `Class error against budget, ${seeds} seeds per arm, ${r.arms[0].generation.images} generated images per evaluation; both arms share seeds, steps and generator.`,
    },
    {
      file: 'retrain-fd.svg',
      svg: linePlot({
        title: 'Fréchet distance in the oracle feature space',
        xLabel: 'training budget (optimiser steps)',
        yLabel: 'FD to training images (mean, 95 % CI)',
        series: curve('fd'),
        legend: 'bottom',
      }),
      caption:
        'Sample quality: Fréchet distance between oracle features of generated and real training images (biased upward at small n, equally for both arms).',
    },
  ];
}

/** The scan's improvements on the time axis: each interval's extent and mean (95 % CI), the best one marked. */
function scanAxisPlot(r: ScanStageResult, best: ScanIntervalSummary | undefined): string {
  const window = r.comparison.window;
  const others = r.intervals.filter((s) => s !== best);
  const pts = (xs: readonly ScanIntervalSummary[], name: string, color: string): LineSeries => ({
    name,
    x: xs.map((s) => (s.lo + s.hi) / 2),
    y: xs.map((s) => s.improvement.mean),
    yLow: xs.map((s) => s.improvement.low),
    yHigh: xs.map((s) => s.improvement.high),
    style: 'points',
    color,
    interval: 'errorbars',
  });
  return linePlot({
    title: best
      ? `Most improvement: ${best.label}, ${ci(best.improvement)}${r.comparison.gate.passed ? '' : ' (gate failed)'}`
      : 'Interval scan on the time axis',
    xLabel: 'training-time interval (0 = noise, 1 = data)',
    yLabel: 'decrease of |pHat_A − p| (mean, 95 % CI)',
    xDomain: [0, 1],
    series: [
      // Each interval's extent, at its mean improvement.
      ...r.intervals.map((s): LineSeries => ({
        x: [s.lo, s.hi],
        y: [s.improvement.mean, s.improvement.mean],
        color: s === best ? 'C1' : 'C3',
        opacity: 0.5,
        lineWidth: 3,
        legend: false,
      })),
      ...(others.length ? [pts(others, 'interval (mean, 95 % CI)', 'C3')] : []),
      ...(best ? [pts([best], `largest improvement ${best.label}`, 'C1')] : []),
    ],
    hLines: [
      { value: 0, dashed: false, color: '#555555', width: 1 },
      { value: r.control.improvement.mean, label: 'uniform control (mean)', color: '#999999', inLegend: true },
    ],
    vBands: window ? [{ from: window[0], to: window[1], color: 'C2', opacity: 0.15 }] : [],
    extraLegend: window
      ? [
          {
            label: `U-Turn window [${fmt(window[0], 3)}, ${fmt(window[1], 3)}]`,
            color: resolveColor('C2', 2),
            swatch: true,
            opacity: 0.3,
          },
        ]
      : [],
    width: 560,
    height: 440,
    legend: 'bottom',
  });
}

export function scanFigures(r: ScanStageResult, uturn?: UTurnStageResult): FigureFile[] {
  const cats = [...r.intervals.map((s) => s.label), r.control.label];
  const all = [...r.intervals, r.control];
  const window = r.comparison.window;
  const highlight = window ? r.intervals.filter((s) => (s.insideWindow ?? 0) > 0).map((s) => s.label) : [];
  const best = r.intervals.find((s) => s.label === r.comparison.bestInterval);
  const onAxis = scanAxisPlot(r, best);
  const figs: FigureFile[] = [];
  if (uturn) {
    figs.push({
      file: 'scan-vs-uturn.svg',
      svg: gridOfPlots([uturnPlot(uturn, { width: 560, height: 440 }), onAxis], {
        columns: 2,
        letters: true,
        title: 'Where the class is decided (U-Turn) and where training improves it most (interval scan)',
      }),
      caption: `(a) U-Turn curves and their decision window; (b) class-error improvement per training-time interval on the same time axis, with the window shaded. ${r.comparison.answer}.`,
    });
  } else {
    figs.push({
      file: 'scan-axis.svg',
      svg: onAxis,
      caption: `Class-error improvement per training-time interval on the time axis. ${r.comparison.answer}.`,
    });
  }
  figs.push({
    file: 'scan.svg',
    svg: barChart({
      title: `Improvement of the class error after ${r.extraSteps} extra steps per interval`,
      xLabel: 'training times restricted to (our t: 0 = noise, 1 = data)',
      yLabel: 'decrease of |pHat_A − p| (mean, 95 % CI)',
      categories: cats,
      values: all.map((s) => s.improvement.mean),
      low: all.map((s) => s.improvement.low),
      high: all.map((s) => s.improvement.high),
      colors: all.map((s) => (s.index < 0 ? '#999999' : undefined)),
      highlight,
      name: 'interval',
      highlightName: window ? 'overlaps the U-Turn window' : undefined,
      hLines: [{ value: 0, dashed: false, color: '#555555', width: 1 }],
      width: 720,
      height: 420,
    }),
    caption: `Interval scan from the uniform model at ${r.baseSteps} steps, ${r.extraSteps} extra steps per interval (own schedule: warm-up ${r.schedule.warmup} steps to lr ${r.schedule.lr}, cosine to 0), ${r.seeds.length} seeds, ${r.genSamples} images per evaluation. ${r.comparison.statement}.`,
  });
  return figs;
}

function oracleText(o: UTurnStageResult['oracle']): string {
  return `Feature oracle: a ${o.params.toLocaleString('en')}-parameter CNN (${o.origin ?? 'trained'}), held-out accuracy ${pct(o.accuracy)} on ${o.heldOut.n} images (class A ${pct(o.accuracyA)}, class B ${pct(o.accuracyB)}).`;
}

function uturnSections(r: UTurnStageResult): ReportSection[] {
  const rows = r.turnTimes.map((t, j) => [
    fmt(t, 3),
    ...r.curves.map((c) => pct(c.toA[j])),
    fmt(r.window.memory[j] ?? NaN, 3),
  ]);
  const paperRows = r.paper.t0.map((t, j) => [fmt(t, 3), fmt(r.paper.startFromA[j], 3), fmt(r.paper.startFromB[j], 3)]);
  return [
    {
      heading: 'U-Turn',
      text: [
        `Decision window [${fmt(r.window.lo, 3)}, ${fmt(r.window.hi, 3)}] (paper, by eye: [0.2, 0.6]). Rule: ${r.window.rule}.${r.window.bracketedLo && r.window.bracketedHi ? '' : ' Note: the window is not bracketed by the scanned turn times on one side; that bound is the end of the scanned range.'}`,
        `Generated fraction of class A: ${r.reference ? pct(r.reference) : 'not measured'}; training fraction ${fmt(r.trueFractionA, 4)} (paper: 0.882 generated vs 0.800).`,
        r.quality
          ? `Quality gate of this model (the one the window comes from), on the same generated images: ${pct(r.quality.confident)} classified with oracle probability >= 0.9, ${r.quality.typical ? pct(r.quality.typical) : 'n/a'} typical (real-like oracle features); ${r.quality.passed ? 'passes' : 'fails'} (both >= 90 %).${r.quality.passed ? '' : ' Its window and generated fraction are measured on a model that does not draw recognisable digits.'}`
          : 'Quality gate of this model: not measured (no reference samples).',
        oracleText(r.oracle),
        `Model: ${r.model.origin}, channels ${r.model.channels.join('/')}, ${r.model.params.toLocaleString('en')} parameters${r.model.steps ? `, ${r.model.steps} steps` : ''}${r.model.msPerStep ? `, ${fmt(r.model.msPerStep, 3)} ms per step` : ''}. Regeneration: ${r.protocol.method}, ${r.protocol.stepsPerUnit} steps per unit time, forward ${r.protocol.forward}.`,
      ].join('\n\n'),
      table: {
        columns: ['t0', ...r.curves.map((c) => `ends as A, start from ${c.start} (95 % CI)`), 'class memory D'],
        rows,
      },
    },
    {
      heading: "The paper's Figure 2 numbers",
      table: { columns: ['t0', 'start from 0', 'start from 1'], rows: paperRows, caption: r.paper.source },
    },
  ];
}

function retrainSections(r: RetrainStageResult): ReportSection[] {
  const rows = r.budgets.map((b) => [
    b.budget,
    ci(b.arms.uniform.classError),
    ci(b.arms['phase-aware'].classError),
    `${fmt(b.errorRatio.ratio, 3)} [${fmt(b.errorRatio.low, 3)}, ${fmt(b.errorRatio.high, 3)}]`,
    ci(b.errorDiff),
    ci(b.arms.uniform.confident),
    ci(b.arms['phase-aware'].confident),
    ci(b.arms.uniform.typical),
    ci(b.arms['phase-aware'].typical),
    b.power.sdDiff === null ? null : fmt(b.power.sdDiff, 3),
    b.power.seedsNeeded,
    b.verdict,
    ci(b.arms.uniform.fd, 3),
    ci(b.arms['phase-aware'].fd, 3),
    `${fmt(b.fdRatio.ratio, 3)} [${fmt(b.fdRatio.low, 3)}, ${fmt(b.fdRatio.high, 3)}]`,
  ]);
  return [
    {
      heading: 'Phase-aware vs uniform retraining',
      text: [
        `Window [${r.window.lo}, ${r.window.hi}] (${r.window.source})${r.window.note ? ` — ${r.window.note}` : ''}, mass inside ${r.massInside}. Target fraction of class A p = ${fmt(r.targetFractionA, 4)}.`,
        `Both arms: seeds ${r.arms[0].seeds.join(', ')}, budgets ${r.arms[0].budgets.join(', ')} steps (learning curve also at ${r.arms[0].curveSteps.join(', ') || 'no other steps'}), batch ${r.arms[0].optim.batch}, lr ${r.arms[0].optim.lr} (${r.arms[0].optim.schedule}), EMA ${r.arms[0].optim.emaDecay}; generator ${r.arms[0].generation.method} with ${r.arms[0].generation.stepsPerUnit} steps, ${r.arms[0].generation.images} images per evaluation.`,
        `Paper's claim: ${r.paperClaim.statement}.`,
        `Quality gate: a budget is compared only where both arms draw, as means over seeds, at least 90 % images the oracle classifies with confidence >= 0.9 and at least 90 % typical images (oracle features within the 99th percentile of held-out real images' Mahalanobis distance: the oracle labels blank frames and noise confidently); otherwise its verdict is "not comparable". Verdicts (docs/method.md, src/metrics/verdict.ts): agrees = the 95 % interval lies on the claim's side, differs = it excludes the claim, unresolved = it contains both the claim and values outside it.`,
        ...r.budgets.map((b) => `Budget ${b.budget}: ${b.statement}.`),
        oracleText(r.oracle),
      ].join('\n\n'),
      table: {
        columns: [
          'budget',
          'class error uniform',
          'class error phase-aware',
          'ratio uniform/phase',
          'paired difference u − p',
          'confident uniform',
          'confident phase-aware',
          'typical uniform',
          'typical phase-aware',
          'SD of difference',
          'seeds for ±0.015',
          'verdict',
          'FD uniform',
          'FD phase-aware',
          'FD ratio',
        ],
        rows,
      },
    },
    {
      heading: 'Per run',
      table: {
        columns: ['arm', 'seed', 'steps', 'pHat_A', 'class error', 'confident', 'typical', 'FD'],
        rows: r.parts.map((p) => [
          p.arm,
          p.seed,
          p.budget,
          fmt(p.fractionA.value, 4),
          fmt(p.classError, 4),
          fmt(p.confident, 3),
          p.typical === null ? null : fmt(p.typical, 3),
          p.fd === null ? null : fmt(p.fd, 4),
        ]),
      },
    },
  ];
}

function scanSections(r: ScanStageResult): ReportSection[] {
  const all = [...r.intervals, r.control];
  return [
    {
      heading: 'Interval scan',
      text: [
        `From the uniform model at ${r.baseSteps} steps, ${r.extraSteps} extra steps with training times restricted to each interval, each on its own learning-rate schedule (linear warm-up over ${r.schedule.warmup} steps to ${r.schedule.lr}, then a cosine to 0 at the last extra step; docs/method.md §6.4); ${r.seeds.length} seeds, ${r.genSamples} images per evaluation, same generation noise before and after.`,
        `${r.comparison.answer}.`,
        `${r.comparison.statement}.`,
        `Quality gate of the verdict (the base and the two compared continuations): ${r.comparison.gate.reason}. Every arm: ${r.comparison.allArms.reason}.`,
        oracleText(r.oracle),
      ].join('\n\n'),
      table: {
        columns: [
          'interval',
          'improvement of class error (95 % CI)',
          'class error after',
          'confident after',
          'typical after',
          'passes the gate',
          'change of FD',
          'inside U-Turn window',
        ],
        rows: all.map((s) => [
          s.label,
          ci(s.improvement),
          ci(s.errorAfter),
          ci(s.confident),
          ci(s.typical),
          s.passes ? 'yes' : 'no',
          ci(s.deltaFd, 3),
          s.insideWindow === null ? null : `${Math.round(100 * s.insideWindow)} %`,
        ]),
      },
    },
  ];
}

/** Writes the figures and `index.html` of a stage folder. */
export function writeStageReport(
  dir: string,
  stage: 'uturn' | 'retrain' | 'scan',
  result: UTurnStageResult | RetrainStageResult | ScanStageResult,
  figs: FigureFile[],
): void {
  for (const f of figs) writeFileAtomic(join(dir, f.file), f.svg.endsWith('\n') ? f.svg : f.svg + '\n');
  const sections =
    stage === 'uturn'
      ? uturnSections(result as UTurnStageResult)
      : stage === 'retrain'
        ? retrainSections(result as RetrainStageResult)
        : scanSections(result as ScanStageResult);
  const titles = { uturn: 'U-Turn on images', retrain: 'Phase-aware retraining vs uniform', scan: 'Interval scan' };
  writeFileAtomic(
    join(dir, 'index.html'),
    htmlReport({
      title: `phaseflow — ${titles[stage]}`,
      subtitle: 'MNIST-style two-class experiment of Aranguri & Insulla (docs/method.md §4), measured by phaseflow',
      sections: [
        ...sections,
        { heading: 'Figures', figures: figs.map((f) => ({ svg: f.svg, caption: f.caption, file: f.file })) },
      ],
    }),
  );
}

/** A stage's figures as report figures, their files under the stage's folder. */
function under(stage: string, figs: readonly FigureFile[], files?: readonly string[]) {
  return figs
    .filter((f) => !files || files.includes(f.file))
    .map((f) => ({ svg: f.svg, caption: f.caption, file: `${stage}/${f.file}` }));
}

/**
 * The sections of the main report (`phaseflow mnist`'s index.html), what a reader looks at first: the claims and
 * verdicts, the generated digits of each arm at each step, the learning curves, the U-Turn with its window, the scan
 * beside the window with the abstract's question answered; then the stages' tables and remaining figures.
 */
export function pipelineSections(r: {
  uturn?: UTurnStageResult;
  retrain?: RetrainStageResult;
  scan?: ScanStageResult;
  claims: readonly ClaimRow[];
}): ReportSection[] {
  const out: ReportSection[] = [];
  const uf = r.uturn ? uturnFigures(r.uturn) : [];
  const rf = r.retrain ? retrainFigures(r.retrain) : [];
  const sf = r.scan ? scanFigures(r.scan, r.uturn) : [];
  if (r.claims.length)
    out.push({
      heading: 'Paper claims and what phaseflow measured',
      text: "Verdicts (src/metrics/verdict.ts, the same for mnist, retrain, scan and reproduce): agrees = the 95 % interval lies on the claim's side; differs = it excludes the claim; unresolved = it contains both the claim and values outside it; not comparable = the quality gate failed.",
      table: {
        columns: ['claim', 'paper', 'measured', 'verdict', 'criterion'],
        rows: r.claims.map((c) => [c.claim, c.paper, c.measured, c.verdict, c.criterion]),
      },
    });
  const samples = [...under('retrain', rf, ['retrain-samples.svg']), ...under('uturn', uf, ['samples.svg'])];
  if (samples.length) out.push({ heading: 'Generated digits', figures: samples });
  if (r.retrain)
    out.push({
      heading: 'Learning curves',
      text: `Both arms evaluated at ${r.retrain.curve.steps.join(', ')} steps from the comparison's runs; compared (gated and judged) at ${r.retrain.arms[0].budgets.join(', ')}. The budgets are chosen where both arms pass the gate (README, "Learning curve").`,
      figures: under('retrain', rf, ['learning-curve.svg']),
    });
  if (r.uturn)
    out.push(...uturnSections(r.uturn), { heading: 'U-Turn figure', figures: under('uturn', uf, ['uturn.svg']) });
  if (r.scan)
    out.push({
      heading: 'Which interval improves the feature most',
      text: `${r.scan.comparison.answer}.`,
      figures: under('scan', sf, ['scan-vs-uturn.svg', 'scan-axis.svg']),
    });
  if (r.retrain)
    out.push(...retrainSections(r.retrain), {
      heading: 'Retraining figures',
      figures: under('retrain', rf, ['retrain-error.svg', 'retrain-fd.svg']),
    });
  if (r.scan) out.push(...scanSections(r.scan), { heading: 'Scan figures', figures: under('scan', sf, ['scan.svg']) });
  return out;
}
