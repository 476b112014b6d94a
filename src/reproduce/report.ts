/**
 * The one self-contained HTML report of `phaseflow reproduce`: the "paper claims / what phaseflow measured" table,
 * every stage's figures (inline SVG), tables and notes, failures with their errors, the configuration, versions, seeds
 * and timings. No scripts, no network.
 */
import { join } from 'node:path';
import { readFileSync, existsSync } from 'node:fs';
import { htmlReport, escapeHtml } from '../report/index.js';
import type { StageRecord } from './stage.js';
import type { RunMeta } from '../io/meta.js';

export function buildReport(
  out: string,
  records: StageRecord[],
  meta: RunMeta & { scale: string; seed: number; totalSeconds: number },
): string {
  const claims = records.flatMap((r) =>
    (r.claims ?? []).map(
      (c) =>
        [c.claim, c.paper, c.measured, c.verdict, c.criterion ?? 'no sharp threshold', r.name] as (
          string | number | null
        )[],
    ),
  );
  const failed = records.filter((r) => r.status === 'failed');
  const sections = [
    {
      heading: 'Paper claims and what phaseflow measured',
      html:
        `<p>Scale <b>${escapeHtml(meta.scale)}</b>, seed ${meta.seed}, ${records.filter((r) => r.status === 'done').length} of ${records.length} stages done` +
        (failed.length
          ? `, <b>${failed.length} failed</b> (${failed.map((f) => escapeHtml(f.name)).join(', ')})`
          : '') +
        `; total ${meta.totalSeconds.toFixed(1)} s. The verdict applies the stated criterion; n/a marks a comparison without a sharp threshold.</p>`,
      table: { columns: ['claim', 'paper', 'measured', 'verdict', 'criterion', 'stage'], rows: claims },
    },
    ...records.map((r) => {
      if (r.status === 'failed') {
        return {
          heading: `${r.title} — FAILED`,
          html: `<p class="error">This stage failed after ${r.seconds.toFixed(1)} s: <code>${escapeHtml(r.error ?? '')}</code>. The other stages ran.</p>`,
        };
      }
      const figures = (r.figures ?? [])
        .filter((f) => existsSync(join(out, f.file)))
        .map((f) => ({ svg: readFileSync(join(out, f.file), 'utf8'), caption: f.caption, file: f.file }));
      const notes = (r.notes ?? []).map((n) => `<p>${escapeHtml(n)}</p>`).join('');
      return {
        heading: r.title,
        html: `<p>Stage <code>${escapeHtml(r.name)}</code>: ${r.seconds.toFixed(1)} s, started ${escapeHtml(r.startedAt)}.</p>${notes}`,
        figures,
        tables: (r.tables ?? []).map((t) => ({ columns: t.columns, rows: t.rows, caption: t.heading })),
      };
    }),
    {
      heading: 'Configuration, versions, seeds and timings',
      code: JSON.stringify(
        {
          meta,
          stages: records.map((r) => ({
            name: r.name,
            status: r.status,
            seconds: r.seconds,
            seed: r.seed,
            scale: r.scale,
            settings: r.settings,
          })),
        },
        null,
        2,
      ),
    },
  ];
  return htmlReport({
    title: 'phaseflow reproduce — Phase-aware Training Schedule Simplifies Learning in Flow-Based Generative Models',
    subtitle: `Aranguri & Insulla, arXiv 2412.07972 — phaseflow ${meta.version}, ${meta.createdAt}, ${meta.platform}, ${meta.cpus} CPUs, node ${meta.node}`,
    sections,
  });
}
