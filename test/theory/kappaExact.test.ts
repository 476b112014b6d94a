import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kappaStudy } from '../../src/theory/kappa.js';

test('kappa study: the exact velocity field at d = 1e8 reproduces the infinite-n Euler prediction of pHat', () => {
  const k = kappaStudy(0.8, { kappas: [0.5, 1, 2], d: 5000, exact: { samples: 20000, seed: 3, dims: [1e8] } });
  const row = k.exactField[0];
  for (let i = 0; i < k.kappa.length; i++) {
    const got = row.pHat[i]!,
      se = row.stdErr[i]!;
    assert.ok(
      Math.abs(got - k.pHatInfiniteEuler[i]) < 4 * se,
      `kappa ${k.kappa[i]}: exact ${got} ± ${se} vs theory ${k.pHatInfiniteEuler[i]}`,
    );
  }
  // and pHat moves towards p as kappa grows
  assert.ok(
    k.pHatInfinite[0] > k.pHatInfinite[1] && k.pHatInfinite[1] > k.pHatInfinite[2] && k.pHatInfinite[2] - 0.8 < 0.005,
  );
});
