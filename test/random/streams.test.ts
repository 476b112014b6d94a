// Named seed streams: deterministic per (base, name), distinct across names and bases, and stable (the numbers are
// part of stored results: a change of the derivation must come with new algorithm versions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SEED_STREAMS, streamSeed, type SeedStream } from '../../src/random/streams.js';
import { Rng } from '../../src/random/rng.js';

test('a stream seed is the first word of the named split of the base seed', () => {
  for (const name of Object.keys(SEED_STREAMS) as SeedStream[]) {
    assert.equal(streamSeed(7, name), Rng.seeded(7).split(SEED_STREAMS[name]).nextU32());
    assert.equal(streamSeed(7, name), streamSeed(7, name));
  }
});

test('stream seeds differ across names and across base seeds', () => {
  const seen = new Set<number>();
  for (let base = 0; base < 20; base++) {
    for (const name of Object.keys(SEED_STREAMS) as SeedStream[]) seen.add(streamSeed(base, name));
  }
  assert.equal(seen.size, 20 * Object.keys(SEED_STREAMS).length);
});

test('stream numbers are distinct and never renumbered (append only)', () => {
  assert.deepEqual(Object.values(SEED_STREAMS), [1, 2, 3, 4, 5]);
});
