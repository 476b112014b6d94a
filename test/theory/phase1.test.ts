import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Phase1Solver, linspace, phase1Infinite, biasConstant, uToBias, biasToU } from '../../src/theory/phase1.js';

const PAPER = { n: 128, lambdaU: 50, lambdaW: 1, kappa: 2, p: 0.8 };

test('infinite-n phase-1 overlaps are (κt, h, m = 1, √q = 1, √r = κt, c = 0)', () => {
  const q = phase1Infinite(0.5, 2, 0.8);
  assert.deepEqual(q, { omega: 1, b: biasConstant(0.8), m: 1, sqrtQ: 1, sqrtR: 1, c: 0 });
  assert.ok(Math.abs(biasConstant(0.8) - Math.atanh(0.6)) < 1e-15);
  assert.equal(uToBias(1), Infinity);
  assert.equal(biasToU(Infinity), 1);
  assert.ok(Math.abs(uToBias(biasToU(2.5)) - 2.5) < 1e-14);
});

test('degenerate corner: ω = 0, b = ∞, m = n(2p − 1)/(λ_u + n), and it is the minimiser at t = 0', () => {
  const s = new Phase1Solver(PAPER);
  const c = s.degenerate(0.3);
  assert.equal(c.b, Infinity);
  assert.equal(c.omega, 0);
  assert.ok(Math.abs(c.m - (128 * 0.6) / 178) < 1e-14);
  assert.ok(Math.abs(c.m - 0.4315) < 1e-4);
  // energy of the corner: −n(n+1)(2p−1)²/(λ_u + n)
  assert.ok(Math.abs(c.energy + (128 * 129 * 0.36) / 178) < 1e-10);
  const g = s.minimise(0);
  assert.equal(g.branch, 'degenerate');
  assert.equal(g.b, Infinity);
  // along ω = 0 the energy decreases towards b = ∞
  assert.ok(s.energy(0.5, 0, 3) > s.energy(0.5, 0, 6));
  assert.ok(s.energy(0.5, 0, 6) > c.energy);
});

test('overlaps follow from the moments: m = n q_η, √q = sqrt(m² + n q_η²), √r = ω', () => {
  const s = new Phase1Solver(PAPER);
  const q = s.point(0.6, 1.2, 0.9);
  const mo = s.moments(0.6, 1.2, 0.9);
  assert.ok(Math.abs(q.m - (128 * mo.phiS) / (50 + 128 * mo.phi2)) < 1e-14);
  assert.ok(Math.abs(q.m - 128 * q.qEta) < 1e-14);
  assert.ok(Math.abs(q.sqrtQ - Math.hypot(q.m, Math.sqrt(128) * q.qEta)) < 1e-14);
  assert.equal(q.sqrtR, 1.2);
  assert.ok(Math.abs(q.energy - (-(128 * 129 * mo.phiS ** 2) / (50 + 128 * mo.phi2) + 1.2 ** 2)) < 1e-10);
});

test('first-order jump for the paper constants: spinodal ≈ 0.134, notebook switch ≈ 0.135 (0.138 on its grid), global switch ≈ 0.150', () => {
  const s = new Phase1Solver(PAPER);
  // seed: the interior minimum at t = 0.2 (where it is global)
  const at02 = s.minimise(0.2);
  assert.equal(at02.branch, 'interior');
  const tr = s.transition(0.1, 0.2, at02);
  const g = tr.globalSwitch;
  assert.ok(Math.abs(g.t - 0.15) < 2e-3, `global switch ${g.t}`);
  assert.ok(Math.abs(g.after.energy - g.before.energy) < 1e-6);
  assert.equal(g.before.b, Infinity);
  assert.ok(g.after.omega > 0.7 && g.after.omega < 0.9, `ω after ${g.after.omega}`);
  assert.ok(tr.spinodal && tr.spinodal.t > 0.13 && tr.spinodal.t < 0.138, `spinodal ${tr.spinodal?.t}`);
  assert.ok(tr.notebookSwitch && tr.notebookSwitch.t >= tr.spinodal.t && tr.notebookSwitch.t < 0.138);
  // the authors' grid t = linspace(0, 1, 160): descent from (κt, h) first lands on the interior branch at t_22 = 0.138
  const before = s.notebookMinimise(21 / 159);
  const after = s.notebookMinimise(22 / 159);
  assert.equal(before.branch, 'degenerate');
  assert.equal(after.branch, 'interior');
  assert.ok(Math.abs(22 / 159 - 0.138) < 1e-3);
  assert.ok(after.omega > 0.6 && after.omega < 0.9, `ω ${after.omega}`);
  // both minima coexist just above the spinodal and the corner wins there
  const mins = s.localMinima(0.14);
  assert.deepEqual(
    mins.map((q) => q.branch),
    ['degenerate', 'interior'],
  );
});

test('the objective depends on t only through κt: the jump time scales as 1/κ', () => {
  const a = new Phase1Solver({ ...PAPER, kappa: 1 });
  const b = new Phase1Solver(PAPER);
  for (const [t, w, bb] of [
    [0.4, 1.1, 0.8],
    [0.9, 0.3, 2],
  ] as const) {
    assert.ok(Math.abs(a.energy(t, w, bb) - b.energy(t / 2, w, bb)) < 1e-10);
  }
});

test('curve(): jumps, branches and infinite-n arrays on a coarse grid', () => {
  const s = new Phase1Solver(PAPER);
  const ts = linspace(0, 1, 6);
  const c = s.curve(ts, 'global', { transition: false });
  assert.equal(c.t.length, 6);
  assert.deepEqual(c.branch, ['degenerate', 'interior', 'interior', 'interior', 'interior', 'interior']);
  assert.equal(c.b[0], Infinity);
  assert.equal(c.jumps.length, 1);
  assert.ok(Math.abs(c.jumps[0].t - 0.15) < 2e-3);
  assert.deepEqual(
    c.infinite.omega,
    ts.map((t) => 2 * t),
  );
  assert.ok(c.infinite.b.every((v) => v === biasConstant(0.8)));
  // paper's t = 1 reading: ω ≈ 1.46, b ≈ 0.60, m ≈ 0.71 (finite n shrinks ω below κ and m below 1)
  assert.ok(
    Math.abs(c.omega[5] - 1.4613) < 2e-3 && Math.abs(c.b[5] - 0.5954) < 2e-3 && Math.abs(c.m[5] - 0.712) < 2e-3,
  );
  assert.ok(c.c.every((v) => v === 0));
});

test('finite-n minimiser tends to the infinite-n one (κt, h) as n grows with λ fixed, for every numerator', () => {
  for (const numerator of ['notebook', 'fixed', 'old'] as const) {
    const errs: number[] = [];
    for (const n of [1e3, 1e5]) {
      const s = new Phase1Solver({ ...PAPER, n, numerator });
      let err = 0;
      for (const t of [0.5, 1]) {
        const q = s.minimise(t);
        assert.equal(q.branch, 'interior');
        err = Math.max(
          err,
          Math.abs(q.omega - 2 * t),
          Math.abs(q.b - biasConstant(0.8)),
          Math.abs(q.m - 1),
          Math.abs(q.sqrtQ - 1),
        );
      }
      errs.push(err);
    }
    assert.ok(errs[1] < errs[0], `${numerator}: ${errs.join(', ')}`);
    assert.ok(errs[1] < 1e-2, `${numerator}: error at n = 1e5 is ${errs[1]}`);
  }
});

test('numerator variants give nearby but distinct finite-n minimisers', () => {
  const pts = (['notebook', 'fixed', 'old'] as const).map((numerator) =>
    new Phase1Solver({ ...PAPER, numerator }).minimise(0.5),
  );
  for (const q of pts) assert.ok(Math.abs(q.omega - pts[0].omega) < 0.02);
  assert.notEqual(pts[0].omega, pts[2].omega);
});

test('invalid configurations are rejected', () => {
  assert.throws(() => new Phase1Solver({ ...PAPER, n: 0 }), RangeError);
  assert.throws(() => new Phase1Solver({ ...PAPER, p: 1 }), RangeError);
  assert.throws(() => new Phase1Solver({ ...PAPER, kappa: 0 }), RangeError);
  assert.throws(() => new Phase1Solver({ ...PAPER, lambdaU: -1 }), RangeError);
  assert.throws(() => linspace(0, 1, 1), RangeError);
});

test('p < ½ is the mirror image: b → −b (corner at b = −∞), ω and m unchanged', () => {
  const a = new Phase1Solver(PAPER);
  const b = new Phase1Solver({ ...PAPER, p: 0.2 });
  assert.equal(b.degenerate(0).b, -Infinity);
  assert.ok(Math.abs(b.degenerate(0).m - a.degenerate(0).m) < 1e-15);
  const qa = a.minimise(0.5);
  const qb = b.minimise(0.5);
  assert.ok(Math.abs(qa.omega - qb.omega) < 1e-6 && Math.abs(qa.b + qb.b) < 1e-6 && Math.abs(qa.m - qb.m) < 1e-8);
  assert.ok(Math.abs(b.energy(0.5, 1.1, -0.4) - a.energy(0.5, 1.1, 0.4)) < 1e-10);
});
