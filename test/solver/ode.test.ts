import { test } from 'node:test';
import assert from 'node:assert/strict';
import { integrateOde } from '../../src/solver/ode.js';
import { paperGrid, uniformGrid } from '../../src/solver/grid.js';

// dx/dt = cos(t) x  =>  x(t) = x(0) exp(sin t)
const field = (t: number, x: Float64Array, out: Float64Array) => {
  for (let i = 0; i < x.length; i++) out[i] = Math.cos(t) * x[i];
};

function error(method: 'euler' | 'heun' | 'rk4', steps: number): number {
  const x = integrateOde({ field, x0: Float64Array.of(1, -2), grid: uniformGrid(0, 2, steps + 1), method, copy: true });
  return Math.abs(x[0] - Math.exp(Math.sin(2)));
}

test('Euler, Heun and RK4 converge with orders 1, 2 and 4', () => {
  for (const [method, order] of [
    ['euler', 1],
    ['heun', 2],
    ['rk4', 4],
  ] as const) {
    const rate = Math.log2(error(method, 40) / error(method, 80));
    assert.ok(Math.abs(rate - order) < 0.15, `${method}: observed order ${rate}`);
  }
});

test('the paper grid has T points t_j = j tEnd / T and makes T − 1 steps', () => {
  const g = paperGrid(2, 80);
  assert.equal(g.length, 80);
  assert.equal(g[0], 0);
  assert.equal(g[79], 1.975);
  let steps = 0;
  integrateOde({ field, x0: Float64Array.of(1), grid: g, onStep: () => steps++ });
  assert.equal(steps, 79);
  assert.throws(() => paperGrid(1, 1), /T >= 2/);
});

test('custom non-uniform and decreasing grids', () => {
  const grid = [0, 0.1, 0.15, 0.7, 1.3, 2];
  const fine: number[] = [];
  for (let k = 0; k < grid.length - 1; k++)
    for (let j = 0; j < 200; j++) fine.push(grid[k] + ((grid[k + 1] - grid[k]) * j) / 200);
  fine.push(2);
  const x = integrateOde({ field, x0: Float64Array.of(1), grid: fine, method: 'rk4', copy: true });
  assert.ok(Math.abs(x[0] - Math.exp(Math.sin(2))) < 1e-10);
  const back = integrateOde({
    field,
    x0: Float64Array.of(Math.exp(Math.sin(2))),
    grid: uniformGrid(2, 0, 200),
    method: 'rk4',
  });
  assert.ok(Math.abs(back[0] - 1) < 1e-9);
  assert.throws(() => integrateOde({ field, x0: Float64Array.of(1), grid: [0, 1, 0.5] }), /strictly monotone/);
});
