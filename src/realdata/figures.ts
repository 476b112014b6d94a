/**
 * Figures and HTML pages of the real-data stages (SVG from `src/report`):
 *   uturn.svg            the paper's Figure 2 layout: fraction ending as class A against the turn time t0, one curve
 *                        per start class with Wilson bands, the generated class fraction (dashed), the measured
 *                        decision window (shaded) and, faintly, the paper's curves, 0.882 line and [0.2, 0.6] window
 *   samples.svg          generated images of the uniform model
 *   retrain-error.svg    learning curve of the class error |pHat_A - p|, uniform vs phase-aware (mean, 95 % CI)
 *   retrain-fd.svg       learning curve of the Fréchet distance
 *   scan.svg             improvement of the class error per training-time interval (bar chart, 95 % CI)
 *   scan-vs-uturn.svg    the same improvements on the time axis with the U-Turn window, beside the U-Turn curves
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
import { imageGridSvg } from './png.js';
import type { RetrainStageResult } from './retrain.js';
import type { ScanStageResult } from './scan.js';
import type { UTurnStageResult } from './uturnImages.js';

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

export function uturnFigures(r: UTurnStageResult, preview: Float64Array | null): FigureFile[] {
  const figs: FigureFile[] = [
    {
      file: 'uturn.svg',
      svg: uturnPlot(r),
      caption: `U-Turn: fraction of regenerated images classified as class A against the turn time t0, Wilson 95 % bands; window [${fmt(r.window.lo, 3)}, ${fmt(r.window.hi, 3)}] from the class-memory rule; faint: the paper's Figure 2.`,
    },
  ];
  if (preview && r.preview) {
    figs.push({
      file: 'samples.svg',
      svg: imageGridSvg(preview, r.preview.n, r.preview.size, {
        title: `Generated by the uniform model (${r.preview.method}, ${r.preview.stepsPerUnit} steps)`,
      }),
      caption: `${r.preview.n} images generated from noise by the U-Turn model.`,
    });
  }
  return figs;
}

export function retrainFigures(r: RetrainStageResult): FigureFile[] {
  const xs = r.budgets.map((b) => b.budget);
  const arms = ['uniform', 'phase-aware'] as const;
  // The two arms are drawn slightly apart so that their intervals do not hide each other.
  const dx = xs.length > 1 ? 0.012 * (xs[xs.length - 1] - xs[0]) : 0;
  const curve = (metric: 'classError' | 'fd'): LineSeries[] =>
    arms.map((a, i) => ({
      name:
        a === 'uniform'
          ? 'uniform t'
          : `phase-aware (${fmt(r.massInside, 2)} in [${fmt(r.window.lo, 3)}, ${fmt(r.window.hi, 3)}])`,
      x: xs.map((x) => x + (i - 0.5) * dx),
      y: r.budgets.map((b) => b.arms[a][metric].mean),
      yLow: r.budgets.map((b) => b.arms[a][metric].low),
      yHigh: r.budgets.map((b) => b.arms[a][metric].high),
      style: 'line+points',
      color: i === 0 ? 'C0' : 'C3',
      interval: 'errorbars',
    }));
  const seeds = r.arms[0].seeds.length;
  return [
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

export function scanFigures(r: ScanStageResult, uturn?: UTurnStageResult): FigureFile[] {
  const cats = [...r.intervals.map((s) => s.label), r.control.label];
  const all = [...r.intervals, r.control];
  const window = r.comparison.window;
  const highlight = window ? r.intervals.filter((s) => (s.insideWindow ?? 0) > 0).map((s) => s.label) : [];
  const bars = barChart({
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
  });
  const figs: FigureFile[] = [
    {
      file: 'scan.svg',
      svg: bars,
      caption: `Interval scan from a uniform model at ${r.baseSteps} steps, ${r.seeds.length} seeds, ${r.genSamples} images per evaluation. ${r.comparison.statement}.`,
    },
  ];
  const onAxis = linePlot({
    title: 'Interval scan on the time axis',
    xLabel: 'training-time interval centre t',
    yLabel: 'decrease of |pHat_A − p|',
    xDomain: [0, 1],
    series: [
      {
        name: 'interval (mean, 95 % CI)',
        x: r.intervals.map((s) => (s.lo + s.hi) / 2),
        y: r.intervals.map((s) => s.improvement.mean),
        yLow: r.intervals.map((s) => s.improvement.low),
        yHigh: r.intervals.map((s) => s.improvement.high),
        style: 'points',
        color: 'C3',
        interval: 'errorbars',
      },
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
  if (uturn) {
    figs.push({
      file: 'scan-vs-uturn.svg',
      svg: gridOfPlots([uturnPlot(uturn, { width: 560, height: 440 }), onAxis], {
        columns: 2,
        letters: true,
        title: 'Do the U-Turn window and the interval scan agree?',
      }),
      caption:
        '(a) U-Turn curves and their decision window; (b) class-error improvement per training-time interval on the same time axis, with the window shaded.',
    });
  } else {
    figs.push({
      file: 'scan-axis.svg',
      svg: onAxis,
      caption: 'Class-error improvement per training-time interval on the time axis.',
    });
  }
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
        `Both arms: seeds ${r.arms[0].seeds.join(', ')}, budgets ${r.arms[0].budgets.join(', ')} steps, batch ${r.arms[0].optim.batch}, lr ${r.arms[0].optim.lr} (${r.arms[0].optim.schedule}), EMA ${r.arms[0].optim.emaDecay}; generator ${r.arms[0].generation.method} with ${r.arms[0].generation.stepsPerUnit} steps, ${r.arms[0].generation.images} images per evaluation.`,
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
        columns: ['arm', 'seed', 'budget', 'pHat_A', 'class error', 'confident', 'typical', 'FD'],
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
        `From the uniform model at ${r.baseSteps} steps, ${r.extraSteps} extra steps with training times restricted to each interval; ${r.seeds.length} seeds, ${r.genSamples} images per evaluation, same generation noise before and after.`,
        `${r.comparison.statement}.`,
        `Quality gate: ${r.comparison.gate.reason}.`,
        oracleText(r.oracle),
      ].join('\n\n'),
      table: {
        columns: [
          'interval',
          'improvement of class error (95 % CI)',
          'class error after',
          'confident after',
          'typical after',
          'change of FD',
          'inside U-Turn window',
        ],
        rows: all.map((s) => [
          s.label,
          ci(s.improvement),
          ci(s.errorAfter),
          ci(s.confident),
          ci(s.typical),
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

/** Sections for a combined report (e.g. `phaseflow reproduce` or the pipeline command). */
export function stageSections(r: {
  uturn?: UTurnStageResult;
  retrain?: RetrainStageResult;
  scan?: ScanStageResult;
}): ReportSection[] {
  const out: ReportSection[] = [];
  if (r.uturn)
    out.push(...uturnSections(r.uturn), {
      heading: 'U-Turn figures',
      figures: uturnFigures(r.uturn, null).map((f) => ({ svg: f.svg, caption: f.caption, file: `uturn/${f.file}` })),
    });
  if (r.retrain)
    out.push(...retrainSections(r.retrain), {
      heading: 'Retraining figures',
      figures: retrainFigures(r.retrain).map((f) => ({ svg: f.svg, caption: f.caption, file: `retrain/${f.file}` })),
    });
  if (r.scan)
    out.push(...scanSections(r.scan), {
      heading: 'Scan figures',
      figures: scanFigures(r.scan, r.uturn).map((f) => ({ svg: f.svg, caption: f.caption, file: `scan/${f.file}` })),
    });
  return out;
}
