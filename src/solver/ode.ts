/**
 * Fixed-grid integrators for the probability-flow ODE dx/dt = v(t, x).
 *
 *   euler: x_{k+1} = x_k + h v(t_k, x_k)                                   (the paper's generator, docs/method.md §2.7)
 *   heun:  x~ = x_k + h v(t_k, x_k);  x_{k+1} = x_k + h/2 [v(t_k, x_k) + v(t_{k+1}, x~)]   (EDM's 2nd order)
 *   rk4:   classical fourth-order Runge–Kutta (evaluates v at midpoints)
 *
 * The state is a flat Float64Array (e.g. a row-major (n, d) batch); the field writes v into `out`.
 */
import { checkGrid } from './grid.js';

export type VectorField = (t: number, x: Float64Array, out: Float64Array) => void;
export type OdeMethod = 'euler' | 'heun' | 'rk4';
export const ODE_METHODS: readonly OdeMethod[] = ['euler', 'heun', 'rk4'];

export interface OdeOptions {
  field: VectorField;
  /** Initial state; integrated in place unless `copy` is set. */
  x0: Float64Array;
  grid: ArrayLike<number>;
  method?: OdeMethod;
  copy?: boolean;
  /** Called after each step with the step index k (state now at grid[k + 1]). */
  onStep?: (k: number, t: number, x: Float64Array) => void;
}

/** Integrate through every grid point; returns the state at grid[last]. */
export function integrateOde(opts: OdeOptions): Float64Array {
  const { field, grid } = opts;
  const method = opts.method ?? 'euler';
  checkGrid(grid);
  const x = opts.copy ? Float64Array.from(opts.x0) : opts.x0;
  const n = x.length;
  const k1 = new Float64Array(n);
  const k2 = method === 'euler' ? k1 : new Float64Array(n);
  const k3 = method === 'rk4' ? new Float64Array(n) : k1;
  const k4 = method === 'rk4' ? new Float64Array(n) : k1;
  const tmp = method === 'euler' ? k1 : new Float64Array(n);
  for (let k = 0; k + 1 < grid.length; k++) {
    const t = grid[k];
    const h = grid[k + 1] - t;
    field(t, x, k1);
    if (method === 'euler') {
      for (let i = 0; i < n; i++) x[i] += h * k1[i];
    } else if (method === 'heun') {
      for (let i = 0; i < n; i++) tmp[i] = x[i] + h * k1[i];
      field(t + h, tmp, k2);
      for (let i = 0; i < n; i++) x[i] += 0.5 * h * (k1[i] + k2[i]);
    } else {
      for (let i = 0; i < n; i++) tmp[i] = x[i] + 0.5 * h * k1[i];
      field(t + 0.5 * h, tmp, k2);
      for (let i = 0; i < n; i++) tmp[i] = x[i] + 0.5 * h * k2[i];
      field(t + 0.5 * h, tmp, k3);
      for (let i = 0; i < n; i++) tmp[i] = x[i] + h * k3[i];
      field(t + h, tmp, k4);
      for (let i = 0; i < n; i++) x[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    }
    opts.onStep?.(k, grid[k + 1], x);
  }
  return x;
}
