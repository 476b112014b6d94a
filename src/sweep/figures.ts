/** Figures of `phaseflow sweep`: pHat and the per-mode variance against d, one line per (kind, schedule). */
import { linePlot } from '../report/linePlot.js';
import type { FigureFile } from '../report/figure.js';
import type { SweepRow } from './sweep.js';

const COLORS: Record<string, string> = { linear: 'C0', dilated: 'C1', ve: 'C2' };

function byLine(rows: SweepRow[]) {
  const keys = [...new Set(rows.map((r) => `${r.kind}|${r.schedule}`))];
  return keys.map((key) => {
    const [kind, schedule] = key.split('|');
    return {
      kind,
      schedule,
      rows: rows.filter((r) => r.kind === kind && r.schedule === schedule).sort((a, b) => a.d - b.d),
    };
  });
}

export function sweepFigures(rows: SweepRow[], p: number, sigma: number): FigureFile[] {
  const lines = byLine(rows);
  const pHat = linePlot({
    title: 'Generated mode weight pHat against d',
    xLabel: 'dimension d',
    yLabel: 'pHat (mean over seeds, 95 % interval)',
    xScale: 'log',
    series: lines.map((l) => ({
      name: `${l.schedule} (${l.kind})`,
      x: l.rows.map((r) => r.d),
      y: l.rows.map((r) => r.pHat),
      yLow: l.rows.map((r) => r.pHat - 1.96 * r.pHatStdErr),
      yHigh: l.rows.map((r) => r.pHat + 1.96 * r.pHatStdErr),
      interval: 'errorbars' as const,
      style: 'line+points' as const,
      color: COLORS[l.schedule],
      ...(l.kind === 'exact' ? { style: 'dashed' as const } : {}),
    })),
    hLines: [{ value: p, label: `p = ${p}` }],
  });
  const variance = linePlot({
    title: 'Generated per-mode variance (+ mode) against d',
    xLabel: 'dimension d',
    yLabel: 'variance orthogonal to μ',
    xScale: 'log',
    series: lines.map((l) => ({
      name: `${l.schedule} (${l.kind})`,
      x: l.rows.map((r) => r.d),
      y: l.rows.map((r) => r.variancePlus ?? NaN),
      style: l.kind === 'exact' ? ('dashed' as const) : ('line+points' as const),
      color: COLORS[l.schedule],
    })),
    hLines: [{ value: sigma * sigma, label: `σ² = ${sigma * sigma}` }],
  });
  return [
    {
      file: 'phat-vs-d.svg',
      svg: pHat,
      caption:
        'pHat against d: exact field (dashed) and trained autoencoder (solid), mean over seeds with 95 % intervals.',
    },
    {
      file: 'variance-vs-d.svg',
      svg: variance,
      caption: 'Per-mode variance orthogonal to μ of the generated + mode against d.',
    },
  ];
}
