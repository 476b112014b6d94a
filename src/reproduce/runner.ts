/**
 * Runs the stages of `phaseflow reproduce` in order, resumably: a stage whose record in `<out>/stages/<name>.json`
 * says 'done' at the same scale and seed is not run again. A failed stage is recorded with its error and the others
 * still run. Every record and figure is written atomically, and the report is rebuilt from the records at the end.
 */
import { join } from 'node:path';
import { existsSync, readFileSync, mkdirSync } from 'node:fs';
import { writeJsonAtomic, writeFileAtomic } from '../io/atomic.js';
import type { Scale, Stage, StageRecord } from './stage.js';
import type { RealDataBackendName } from '../realdata/backend.js';
import { StopError } from '../io/stop.js';

export interface RunStagesOptions {
  stages: Stage[];
  out: string;
  scale: Scale;
  seed: number;
  threads: number;
  /** The real-data stages' backend (`StageContext.backend`). */
  backend?: RealDataBackendName;
  quiet: boolean;
  /** Rerun these stages even if done ('all' for every stage). */
  force?: string[] | 'all';
  log: (line: string) => void;
}

export function stageRecordPath(out: string, name: string): string {
  return join(out, 'stages', `${name}.json`);
}

export function readStageRecord(out: string, name: string): StageRecord | null {
  const p = stageRecordPath(out, name);
  if (!existsSync(p)) return null;
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as StageRecord;
  } catch {
    return null;
  }
}

export async function runStages(o: RunStagesOptions): Promise<StageRecord[]> {
  const records: StageRecord[] = [];
  const previous: Record<string, StageRecord> = {};
  for (const [i, stage] of o.stages.entries()) {
    const settings = stage.settings(o.scale);
    const old = readStageRecord(o.out, stage.name);
    const forced = o.force === 'all' || (o.force ?? []).includes(stage.name);
    if (
      old &&
      old.status === 'done' &&
      old.scale === o.scale &&
      old.seed === o.seed &&
      old.version === stage.version &&
      !forced
    ) {
      o.log(
        `[${i + 1}/${o.stages.length}] ${stage.title}: done in an earlier run (${old.seconds.toFixed(1)} s), skipped`,
      );
      records.push(old);
      previous[stage.name] = old;
      continue;
    }
    if (old && old.status === 'done' && old.version !== stage.version && !forced) {
      o.log(
        `[${i + 1}/${o.stages.length}] ${stage.title}: the earlier result was made by other code (${old.version ?? 'unversioned'}, now ${stage.version}); recomputing`,
      );
    }
    o.log(`[${i + 1}/${o.stages.length}] ${stage.title}`);
    o.log(`    settings: ${JSON.stringify(settings)}`);
    const dir = join(o.out, 'work', stage.name);
    mkdirSync(dir, { recursive: true });
    const startedAt = new Date().toISOString();
    const t0 = performance.now();
    let rec: StageRecord;
    try {
      const res = await stage.run({
        dir,
        scale: o.scale,
        seed: o.seed,
        threads: o.threads,
        backend: o.backend,
        quiet: o.quiet,
        log: o.log,
        previous,
        force: forced,
      });
      const figures = res.figures.map((f) => {
        const file = join('figures', `${stage.name}-${f.file}`);
        writeFileAtomic(join(o.out, file), f.svg);
        return { file, caption: f.caption };
      });
      rec = {
        name: stage.name,
        title: stage.title,
        status: 'done',
        scale: o.scale,
        seed: o.seed,
        settings,
        startedAt,
        version: stage.version,
        seconds: (performance.now() - t0) / 1000,
        summary: res.summary,
        claims: res.claims,
        tables: res.tables,
        notes: res.notes,
        figures,
      };
      o.log(`    done in ${rec.seconds.toFixed(1)} s`);
    } catch (err) {
      if (err instanceof StopError) throw err; // not a failure: the stage resumes on the next run
      const e = err as Error;
      rec = {
        name: stage.name,
        title: stage.title,
        status: 'failed',
        scale: o.scale,
        seed: o.seed,
        settings,
        startedAt,
        version: stage.version,
        seconds: (performance.now() - t0) / 1000,
        error: `${e?.name ?? 'Error'}: ${e?.message ?? String(err)}`,
      };
      o.log(`    FAILED: ${rec.error}`);
    }
    writeJsonAtomic(stageRecordPath(o.out, stage.name), rec);
    records.push(rec);
    previous[stage.name] = rec;
  }
  return records;
}
