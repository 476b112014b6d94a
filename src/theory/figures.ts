/**
 * Figures of the theory report (SVG strings from `src/report`): the overlap figure of the paper (finite n solid,
 * infinite n dashed; c blue, m orange, ω green, b red, docs/method.md §5 item 1), the Bayes-MSE curves (§3.4) and the
 * dilation-constant study. Also `overlapSeries`, the curves alone, for overlaying on an experiment's points.
 */
import { linePlot, type LineSeries } from '../report/index.js';
import { OVERLAP_COLORS } from '../report/palette.js';
import { pow10Label } from '../report/format.js';
import type { TheoryReport } from './compute.js';
import type { FigureFile } from '../report/figure.js';

/** A theory figure (the common figure type). */
export type TheoryFigure = FigureFile;

/** x–y arrays of one overlap, finite or infinite n, on t ∈ [0, 2] (NaN breaks the line, e.g. where b = ∞). */
export interface OverlapLine {
  name: 'c' | 'm' | 'omega' | 'b';
  x: number[];
  y: number[];
}

function finiteOrNaN(v: number): number {
  return Number.isFinite(v) ? v : NaN;
}

/**
 * The theory curves of the overlap figure on the dilated axis: c and m over [0, 2] (phase 1 then phase 2), ω and b
 * over [0, 1] only (phase 2 does not predict them). At a jump of the phase-1 minimiser both sides are inserted at the
 * jump time so that the line drawn is vertical there. Use these to overlay theory on measured overlaps.
 */
export function overlapSeries(r: TheoryReport): { finite: OverlapLine[]; infinite: OverlapLine[] } {
  const p1 = r.phase1;
  const p2 = r.phase2;
  const t1: number[] = [];
  const w: number[] = [];
  const b: number[] = [];
  const m1: number[] = [];
  const jumps = [...p1.jumps].sort((x, y) => x.t - y.t);
  let k = 0;
  for (let i = 0; i < p1.t.length; i++) {
    while (k < jumps.length && jumps[k].t <= p1.t[i]) {
      const j = jumps[k++];
      if (i > 0 && j.t > p1.t[i - 1]) {
        for (const q of [j.before, j.after]) {
          t1.push(j.t);
          w.push(q.omega);
          b.push(finiteOrNaN(q.b));
          m1.push(q.m);
        }
      }
    }
    t1.push(p1.t[i]);
    w.push(p1.omega[i]);
    b.push(finiteOrNaN(p1.b[i]));
    m1.push(p1.m[i]);
  }
  const tAll = [...t1, ...p2.t];
  const finite: OverlapLine[] = [
    { name: 'c', x: tAll, y: [...t1.map(() => 0), ...p2.c] },
    { name: 'm', x: tAll, y: [...m1, ...p2.m] },
    { name: 'omega', x: t1, y: w },
    { name: 'b', x: t1, y: b },
  ];
  const tInf = [...p1.t, ...p2.t];
  const infinite: OverlapLine[] = [
    { name: 'c', x: tInf, y: [...p1.infinite.c, ...p2.infinite.c] },
    { name: 'm', x: tInf, y: [...p1.infinite.m, ...p2.infinite.m] },
    { name: 'omega', x: [...p1.t], y: [...p1.infinite.omega] },
    { name: 'b', x: [...p1.t], y: [...p1.infinite.b] },
  ];
  return { finite, infinite };
}

const LABEL: Record<OverlapLine['name'], string> = { c: 'c', m: 'm', omega: 'ω', b: 'b' };

function overlapFigure(r: TheoryReport): string {
  const { finite, infinite } = overlapSeries(r);
  const series: LineSeries[] = [];
  for (const l of finite)
    series.push({ name: `${LABEL[l.name]} (finite n)`, x: l.x, y: l.y, style: 'line', color: OVERLAP_COLORS[l.name] });
  for (const l of infinite)
    series.push({
      name: `${LABEL[l.name]} (infinite n)`,
      x: l.x,
      y: l.y,
      style: 'dashed',
      color: OVERLAP_COLORS[l.name],
      legend: false,
    });
  // metastable interior branch where it is not the selected minimiser
  const br = r.phase1.branches.interior;
  const metaW = r.phase1.t.map((_, i) =>
    br.omega[i] !== null && r.phase1.branch[i] !== 'interior' ? br.omega[i] : NaN,
  );
  if (metaW.some(Number.isFinite))
    series.push({
      name: 'ω (metastable branch)',
      x: r.phase1.t,
      y: metaW,
      style: 'dotted',
      color: OVERLAP_COLORS.omega,
    });
  const c = r.config;
  return linePlot({
    title: `Overlaps: theory at n = ${c.n}, λ_u = ${c.lambdaU}, λ_w = ${c.lambdaW}, κ = ${c.kappa}, p = ${c.p}`,
    xLabel: 't (phase 1 on [0, 1], phase 2 on [1, 2])',
    yLabel: 'overlap',
    series,
    xDomain: [0, 2],
    yDomain: [0, Math.max(2.1, c.kappa + 0.1)],
    vLines: [{ value: 1, label: 'phase 1 | phase 2' }],
    extraLegend: [
      { label: 'finite n (solid)', color: '#444', line: 'solid' },
      { label: 'infinite n (dashed)', color: '#444', line: 'dashed' },
    ],
    width: 760,
    height: 460,
  });
}

function mseDilatedFigure(r: TheoryReport): string {
  const i1 = r.phase1.t.length;
  const t = r.mse.t;
  const y = r.mse.dilated;
  return linePlot({
    title: `Bayes MSE per dimension, dilated schedule (d → ∞, κ = ${r.config.kappa})`,
    xLabel: 't',
    yLabel: 'MSE / d',
    series: [
      { name: 'phase 1: σ² + E[(s − E[s|y])²]', x: t.slice(0, i1), y: y.slice(0, i1), color: 'C0' },
      { name: 'phase 2: σ²(1−τ)²/((1−τ)²+τ²σ²)', x: t.slice(i1), y: y.slice(i1), color: 'C1' },
    ],
    xDomain: [0, 2],
    hLines: [{ value: r.mse.vp.atZero, label: 'σ² + 4p(1−p)' }],
    vLines: [{ value: 1 }],
  });
}

function mseVpFigure(r: TheoryReport): string {
  const { t, d, mse, atZero, plateau } = r.mse.vp;
  return linePlot({
    title: 'Bayes MSE per dimension, undilated linear (VP) schedule',
    xLabel: 't (log scale)',
    yLabel: 'MSE / d',
    xScale: 'log',
    series: d.map((dv, i) => ({ name: `d = ${dv.toExponential(0).replace('e+', 'e')}`, x: t, y: mse[i] })),
    hLines: [
      { value: atZero, label: 'σ² + 4p(1−p) (t = 0)' },
      { value: plateau, label: 'σ²' },
    ],
  });
}

function dimLabel(d: number): string {
  const k = Math.log10(d);
  return d >= 1e5 && Number.isInteger(k) ? pow10Label(k) : String(d);
}

function kappaFigures(r: TheoryReport): TheoryFigure[] {
  const k = r.kappaStudy;
  if (!k) return [];
  const nums = (a: (number | null)[]) => a.map((v) => (v === null ? NaN : v));
  const pHat = linePlot({
    title: `Generated weight p̂ against the dilation constant κ (p = ${k.p})`,
    xLabel: 'κ',
    yLabel: 'p̂',
    series: [
      { name: 'infinite n (closed form)', x: k.kappa, y: k.pHatInfinite, style: 'dashed', color: 'C0' },
      { name: 'infinite n, Euler grid', x: k.kappa, y: k.pHatInfiniteEuler, style: 'points', color: 'C0' },
      { name: `finite n = ${r.config.n} (ODE)`, x: k.kappa, y: nums(k.pHatFinite), style: 'line+points', color: 'C1' },
      {
        name: `finite n, Euler grid`,
        x: k.kappa,
        y: nums(k.pHatFiniteEuler),
        style: 'points',
        color: 'C1',
        marker: 'square',
      },
      { name: 'sign locking pΦ(κ)+(1−p)Φ(−κ)', x: k.kappa, y: k.pHatSignLocking, style: 'dotted', color: 'C7' },
      ...k.exactField.map((row, i) => ({
        name: `exact field, d = ${dimLabel(row.d)} (Euler grid)`,
        x: k.kappa,
        y: nums(row.pHat),
        style: 'points' as const,
        color: i === 0 ? 'C2' : 'C3',
        marker: (i === 0 ? 'diamond' : 'triangle') as 'diamond',
        yLow: row.pHat.map((v, j) => (v === null ? NaN : v - 1.96 * (row.stdErr[j] ?? 0))),
        yHigh: row.pHat.map((v, j) => (v === null ? NaN : v + 1.96 * (row.stdErr[j] ?? 0))),
        interval: 'errorbars' as const,
      })),
    ],
    hLines: [{ value: k.p, label: 'true p' }],
  });
  const window = linePlot({
    title: 'Phase-1 window against κ',
    xLabel: 'κ',
    yLabel: 'value',
    series: [
      {
        name: 'label uncertainty left at t = 1',
        x: k.kappa,
        y: k.labelUncertaintyEnd,
        style: 'line+points',
        color: 'C2',
      },
      {
        name: `jump time of ω (finite n = ${r.config.n})`,
        x: k.kappa,
        y: nums(k.jumpTime),
        style: 'line+points',
        color: 'C3',
      },
      { name: `window end κ/√d (d = ${k.d})`, x: k.kappa, y: nums(k.tauEnd), style: 'dashed', color: 'C4' },
    ],
  });
  return [
    {
      file: 'kappa-phat.svg',
      caption:
        'p̂ against κ: p̂ → p as κ grows (infinite and finite n, continuous ODE and Euler grid; the exact velocity field sampled at the study dimension and at d = 10^8 as a check: the theory is the d → ∞ limit).',
      svg: pHat,
    },
    {
      file: 'kappa-window.svg',
      caption:
        'Phase-1 window against κ: label uncertainty left at the end of phase 1, jump time of the phase-1 minimiser, end of the window in VP time.',
      svg: window,
    },
  ];
}

/** All figures of the theory report. */
export function theoryFigures(r: TheoryReport): TheoryFigure[] {
  return [
    {
      file: 'overlaps.svg',
      caption: 'Predicted overlaps c (blue), m (orange), ω (green), b (red): finite n solid, infinite n dashed.',
      svg: overlapFigure(r),
    },
    {
      file: 'mse-dilated.svg',
      caption: 'Bayes MSE along the dilated schedule (d → ∞): the phase transition at t = 1.',
      svg: mseDilatedFigure(r),
    },
    {
      file: 'mse-vp.svg',
      caption: 'Bayes MSE along the undilated VP schedule for several d: the jump from σ² + 4p(1−p) to σ² at t ~ 1/√d.',
      svg: mseVpFigure(r),
    },
    ...kappaFigures(r),
  ];
}
