/**
 * Figures of `phaseflow gmm`: the paper's overlap figure (trained network as dots, finite-n theory solid, infinite-n
 * dashed; c blue, m orange, ω green, b red — docs/method.md §5 item 1), all six overlaps, the loss curve, and the
 * histogram of the generated <x, mu>/d; and the Figure-1 comparison of runs trained with different weight decays against
 * one set of finite-n theory curves (docs/method.md §5.1).
 */
import { linePlot, type LineSeries } from '../report/index.js';
import { histogram } from '../report/histogram.js';
import { OVERLAP_COLORS } from '../report/palette.js';
import type { FigureFile } from '../report/figure.js';
import type { Overlaps } from './overlaps.js';
import type { OverlapLine } from '../theory/figures.js';
import type { MarkerShape } from '../report/marks.js';

const LABEL = { c: 'c', m: 'm', omega: 'ω', b: 'b' } as const;

export interface GmmFigureInput {
  overlaps: Overlaps;
  loss: { epochs: number[]; values: number[] };
  projections: Float64Array;
  pHat: number;
  schedule: string;
  d: number;
  /** Theory curves on the dilated axis (only for the dilated schedule). */
  theory?: { finite: OverlapLine[]; infinite: OverlapLine[]; label: string };
}

export function overlapFigure(inp: GmmFigureInput): string {
  const series: LineSeries[] = [];
  for (const k of ['c', 'm', 'omega', 'b'] as const) {
    series.push({
      name: `|${LABEL[k]}| experiment`,
      x: inp.overlaps.t,
      y: inp.overlaps[k].map(Math.abs),
      style: 'points',
      color: OVERLAP_COLORS[k],
    });
  }
  if (inp.theory) {
    for (const l of inp.theory.finite)
      series.push({
        name: `${LABEL[l.name]} finite-n theory`,
        x: l.x,
        y: l.y,
        style: 'line',
        color: OVERLAP_COLORS[l.name],
      });
    for (const l of inp.theory.infinite)
      series.push({
        name: `${LABEL[l.name]} infinite-n theory`,
        x: l.x,
        y: l.y,
        style: 'dashed',
        color: OVERLAP_COLORS[l.name],
      });
  }
  const tEnd = inp.overlaps.t.length ? inp.overlaps.t[inp.overlaps.t.length - 1] * (1 + 1 / inp.overlaps.t.length) : 1;
  return linePlot({
    title: `Learned overlaps per time step (${inp.schedule}, d = ${inp.d})${inp.theory ? ' with the asymptotic theory' : ''}`,
    xLabel: 'time t',
    yLabel: 'overlap',
    width: 760,
    height: 460,
    series,
    yDomain: [0, Math.max(2.1, ...inp.overlaps.b.map((v) => Math.min(4, Math.abs(v))))],
    xDomain: [0, tEnd],
    vLines: inp.schedule === 'dilated' ? [{ value: 1, label: 'phase 1 | phase 2', dashed: true }] : [],
    legend: 'right',
  });
}

/** One trained run of {@link overlapComparisonFigure}: its overlaps per grid time, legend label and marker. */
export interface ComparedRun {
  label: string;
  overlaps: Overlaps;
  marker: MarkerShape;
}

/**
 * Several trained runs against the same finite-n theory (solid lines): |c|, |m|, |ω|, |b| per grid time, one marker
 * shape per run, the paper's colours per overlap (c C0, m C1, ω C2, b C3). The legend keys colours and markers
 * separately (a run's dots are not repeated per overlap). Shapes: every run's overlaps on its own time grid.
 */
export function overlapComparisonFigure(inp: {
  runs: ComparedRun[];
  theory: OverlapLine[];
  d: number;
  title?: string;
}): string {
  const series: LineSeries[] = [];
  for (const l of inp.theory)
    series.push({ x: l.x, y: l.y, style: 'line', color: OVERLAP_COLORS[l.name], legend: false });
  for (const r of inp.runs)
    for (const k of ['c', 'm', 'omega', 'b'] as const)
      series.push({
        x: r.overlaps.t,
        y: r.overlaps[k].map(Math.abs),
        style: 'points',
        marker: r.marker,
        color: OVERLAP_COLORS[k],
        legend: false,
      });
  const tEnd = Math.max(
    1,
    ...inp.runs.map((r) =>
      r.overlaps.t.length ? r.overlaps.t[r.overlaps.t.length - 1] * (1 + 1 / r.overlaps.t.length) : 1,
    ),
  );
  const bMax = 1.04 * Math.max(2.1, ...inp.runs.flatMap((r) => r.overlaps.b.map((v) => Math.min(4, Math.abs(v)))));
  return linePlot({
    title: inp.title ?? `Learned overlaps against the finite-n theory (dilated, d = ${inp.d})`,
    xLabel: 'time t',
    yLabel: 'overlap',
    width: 760,
    height: 460,
    series,
    yDomain: [0, bMax],
    xDomain: [0, tEnd],
    vLines: [{ value: 1, label: 'phase 1 | phase 2', dashed: true }],
    legend: 'right',
    extraLegend: [
      ...(['c', 'm', 'omega', 'b'] as const).map((k) => ({
        label: `|${LABEL[k]}|`,
        color: OVERLAP_COLORS[k],
        line: 'solid' as const,
      })),
      ...inp.runs.map((r) => ({ label: r.label, color: '#444', line: 'none' as const, marker: r.marker })),
      { label: 'finite-n theory', color: '#444', line: 'solid' as const },
    ],
  });
}

export function allOverlapsFigure(o: Overlaps, title: string): string {
  const keys = ['c', 'm', 'omega', 'b', 'sqrtQ', 'sqrtR'] as const;
  const names = {
    c: 'c',
    m: 'm = ⟨u, μ⟩/d',
    omega: 'ω = ⟨w, μ⟩/d',
    b: 'b',
    sqrtQ: '√q = |u|/√d',
    sqrtR: '√r = |w|/√d',
  };
  return linePlot({
    title,
    xLabel: 'time t',
    yLabel: 'overlap (sign made canonical: m ≥ 0)',
    width: 760,
    height: 460,
    series: keys.map((k, i) => ({ name: names[k], x: o.t, y: o[k], style: 'line+points' as const, color: `C${i}` })),
    hLines: [{ value: 0, dashed: false, color: '#999' }],
    legend: 'right',
  });
}

export function lossFigure(loss: { epochs: number[]; values: number[] }): string {
  return linePlot({
    title: 'Training loss',
    xLabel: 'epoch',
    yLabel: 'loss (1/(dT)) Σ |f − x1|²',
    yScale: 'log',
    series: [{ name: 'loss', x: loss.epochs, y: loss.values, style: 'line' }],
    legend: 'none',
  });
}

export function gmmFigures(inp: GmmFigureInput): FigureFile[] {
  return [
    {
      file: 'overlaps.svg',
      svg: overlapFigure(inp),
      caption: inp.theory
        ? `The paper's overlap figure: |c|, |m|, |ω|, |b| of the trained network per time step (dots), finite-n theory (solid) and infinite-n theory (dashed); ${inp.theory.label}.`
        : 'Absolute overlaps |c|, |m|, |ω|, |b| of the trained network per time step (the theory overlay applies to the dilated schedule).',
    },
    {
      file: 'overlaps-all.svg',
      svg: allOverlapsFigure(inp.overlaps, 'All six overlaps per time step'),
      caption: 'All six overlaps, with the sign symmetry (u, w, b) → (−u, −w, −b) fixed by m ≥ 0.',
    },
    { file: 'loss.svg', svg: lossFigure(inp.loss), caption: 'Training loss against the epoch.' },
    {
      file: 'projection-histogram.svg',
      svg: histogram({
        title: `Generated ⟨x, μ⟩/d (${inp.schedule}, d = ${inp.d})`,
        xLabel: '⟨x, μ⟩/d',
        yLabel: 'density',
        data: Array.from(inp.projections),
        name: 'generated',
        bins: 60,
        density: true,
        vLines: [{ value: 0, label: 'mode boundary', dashed: true }],
      }),
      caption: `Histogram of ⟨x, μ⟩/d of the samples generated with the learned velocity (pHat = ${inp.pHat.toFixed(4)}).`,
    },
  ];
}
