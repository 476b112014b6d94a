/**
 * Time grids for integrators. A grid is an increasing (or, for noising, decreasing) list of times; an integrator
 * steps from grid[0] through every grid point to grid[last].
 */

/**
 * The paper's training/generation grid (docs/method.md §2.6–2.7): `t_j = j tEnd / T`, j = 0..T−1
 * (`linspace(0, end, T+1)[:-1]`). Integrating through it makes T − 1 Euler steps: the last grid point is never
 * stepped from, so the sample ends at tEnd − tEnd/T, with no final denoising step.
 */
export function paperGrid(tEnd: number, T: number): Float64Array {
  if (!(Number.isInteger(T) && T >= 2)) throw new RangeError(`grid needs T >= 2 points, got ${T}`);
  const g = new Float64Array(T);
  for (let j = 0; j < T; j++) g[j] = (j * tEnd) / T;
  return g;
}

/** n points from t0 to t1 inclusive (n − 1 equal steps). */
export function uniformGrid(t0: number, t1: number, n: number): Float64Array {
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`grid needs n >= 2 points, got ${n}`);
  const g = new Float64Array(n);
  for (let k = 0; k < n; k++) g[k] = t0 + ((t1 - t0) * k) / (n - 1);
  g[n - 1] = t1;
  return g;
}

/** Validates a custom grid: finite and strictly monotone. */
export function checkGrid(grid: ArrayLike<number>): void {
  if (grid.length < 2) throw new RangeError('a time grid needs at least 2 points');
  const dir = Math.sign(grid[1] - grid[0]);
  for (let k = 1; k < grid.length; k++) {
    if (!Number.isFinite(grid[k]) || Math.sign(grid[k] - grid[k - 1]) !== dir || dir === 0) {
      throw new RangeError('a time grid must be finite and strictly monotone');
    }
  }
}
