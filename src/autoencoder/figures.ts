/**
 * Figures of `phaseflow gmm`: the paper's overlap figure (trained network as dots, finite-n theory solid, infinite-n
 * dashed; c blue, m orange, ω green, b red — docs/method.md §5 item 1), all six overlaps, the loss curve, and the
 * histogram of the generated <x, mu>/d.
 */
import { linePlot, type LineSeries } from '../report/index.js';
import { histogram } from '../report/histogram.js';
import { OVERLAP_COLORS } from '../report/palette.js';
import type { FigureFile } from '../report/figure.js';
import type { Overlaps } from './overlaps.js';
import type { OverlapLine } from '../theory/figures.js';

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
