/**
 * Sharding for batch schedulers, shared by `phaseflow sweep`, `retrain` and `scan`: cells are enumerated in a fixed
 * order with an index; shard i of k (1-based) runs the cells whose index is congruent to i − 1 modulo k; merging
 * checks that the shard files belong to one study (format and settings hash) and that every cell is present exactly
 * once, naming the shards to rerun when some are missing.
 */

import { FieldError } from '../io/errors.js';

export interface Shard {
  index: number; // 1-based
  count: number;
}

export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new FieldError('shard', `expected i/k with 1 <= i <= k (e.g. 2/8), got "${text}"`);
  const index = Number(m[1]),
    count = Number(m[2]);
  if (!(count >= 1 && index >= 1 && index <= count))
    throw new FieldError('shard', `expected i/k with 1 <= i <= k, got "${text}"`);
  return { index, count };
}

export function shardCells<C extends { index: number }>(cells: C[], shard?: Shard): C[] {
  return shard ? cells.filter((c) => c.index % shard.count === shard.index - 1) : cells;
}

/** What every shard file carries. */
export interface IndexedShardFile<C extends { index: number }> {
  format: string;
  configHash: string;
  shard: Shard | null;
  cells: C[];
}

/**
 * Combine shard files into the full set of cells (in the expected order); refuses other formats, mixed settings,
 * duplicates and gaps. `what` names the study in messages ("sweep", "retrain", ...).
 */
export function mergeIndexedShards<C extends { index: number }, F extends IndexedShardFile<C>>(
  files: Array<{ name: string; data: F }>,
  o: { format: string; what: string; expected: (first: F) => { index: number }[] },
): { first: F; cells: C[] } {
  if (files.length === 0) throw new Error('no shard files to merge');
  const first = files[0].data;
  for (const f of files) {
    if (f.data.format !== o.format) throw new Error(`${f.name} is not a phaseflow ${o.what} shard`);
    if (f.data.configHash !== first.configHash)
      throw new Error(
        `${f.name} belongs to another ${o.what} (config ${f.data.configHash}, expected ${first.configHash})`,
      );
  }
  const expected = o.expected(first);
  const byIndex = new Map<number, C>();
  for (const f of files) {
    for (const c of f.data.cells) {
      if (byIndex.has(c.index)) throw new Error(`cell ${c.index} appears twice (again in ${f.name})`);
      byIndex.set(c.index, c);
    }
  }
  const missing = expected.filter((c) => !byIndex.has(c.index));
  if (missing.length) {
    const k = first.shard?.count;
    const shards = k
      ? [...new Set(missing.map((c) => (c.index % k) + 1))].sort((a, b) => a - b).map((i) => `${i}/${k}`)
      : [];
    throw new Error(
      `${missing.length} of ${expected.length} cells are missing${shards.length ? ` (shards ${shards.join(', ')})` : ''}`,
    );
  }
  return { first, cells: expected.map((c) => byIndex.get(c.index)!) };
}
