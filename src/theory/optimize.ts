/**
 * Small, dependable minimisers for the low-dimensional problems of the theory (the phase-1 saddle point of
 * docs/method.md §3.2 is a 2-D problem on a box): a bounded Nelder–Mead and a grid scan that lists every discrete local
 * minimum.
 */

export interface Box {
  lo: readonly number[];
  hi: readonly number[];
}

export interface MinimizeResult {
  x: number[];
  f: number;
  evaluations: number;
  converged: boolean;
}

function clampInto(x: number[], box: Box): number[] {
  return x.map((v, i) => Math.min(box.hi[i], Math.max(box.lo[i], v)));
}

/**
 * Nelder–Mead on a box: every trial point is projected onto the box (so the simplex may collapse onto a face, which
 * is exactly where constrained minima live). Stops when both the simplex diameter (relative to the box) and the spread
 * of function values fall below their tolerances, or after `maxEvaluations`.
 *
 * Why Nelder–Mead: the objective is cheap, smooth in the interior and only needs to be located to ~1e-8; a derivative
 * free method avoids differentiating quadrature sums and copes with the corner where b = ∞.
 */
export function nelderMeadBox(
  f: (x: number[]) => number,
  start: readonly number[],
  box: Box,
  opts: { step?: readonly number[]; xTol?: number; fTol?: number; maxEvaluations?: number } = {},
): MinimizeResult {
  const dim = start.length;
  const xTol = opts.xTol ?? 1e-10;
  const fTol = opts.fTol ?? 1e-13;
  const maxEval = opts.maxEvaluations ?? 2000;
  let evaluations = 0;
  const F = (x: number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  const widths = box.hi.map((h, i) => h - box.lo[i]);
  const x0 = clampInto([...start], box);
  const simplex: number[][] = [x0];
  for (let i = 0; i < dim; i++) {
    const step = opts.step?.[i] ?? 0.05 * widths[i];
    const x = [...x0];
    // step inwards if the start sits on the upper face
    x[i] = x[i] + step <= box.hi[i] ? x[i] + step : x[i] - step;
    simplex.push(clampInto(x, box));
  }
  const values = simplex.map(F);
  let converged = false;
  while (evaluations < maxEval) {
    const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b]);
    const s = order.map((i) => simplex[i]);
    const v = order.map((i) => values[i]);
    for (let i = 0; i <= dim; i++) {
      simplex[i] = s[i];
      values[i] = v[i];
    }
    let diam = 0;
    for (let i = 1; i <= dim; i++)
      for (let k = 0; k < dim; k++) diam = Math.max(diam, Math.abs(simplex[i][k] - simplex[0][k]) / (widths[k] || 1));
    const spread = Math.abs(values[dim] - values[0]);
    if (diam < xTol && spread <= fTol * (1 + Math.abs(values[0]))) {
      converged = true;
      break;
    }
    if (diam < xTol * 1e-3) {
      // degenerate simplex on a face: accept
      converged = true;
      break;
    }
    const centroid = new Array<number>(dim).fill(0);
    for (let i = 0; i < dim; i++) for (let k = 0; k < dim; k++) centroid[k] += simplex[i][k] / dim;
    const worst = simplex[dim];
    const along = (c: number) =>
      clampInto(
        centroid.map((ck, k) => ck + c * (worst[k] - ck)),
        box,
      );
    const xr = along(-1);
    const fr = F(xr);
    if (fr < values[0]) {
      const xe = along(-2);
      const fe = F(xe);
      if (fe < fr) {
        simplex[dim] = xe;
        values[dim] = fe;
      } else {
        simplex[dim] = xr;
        values[dim] = fr;
      }
      continue;
    }
    if (fr < values[dim - 1]) {
      simplex[dim] = xr;
      values[dim] = fr;
      continue;
    }
    const outside = fr < values[dim];
    const xc = along(outside ? -0.5 : 0.5);
    const fc = F(xc);
    if (fc < (outside ? fr : values[dim])) {
      simplex[dim] = xc;
      values[dim] = fc;
      continue;
    }
    // shrink towards the best point
    for (let i = 1; i <= dim; i++) {
      simplex[i] = simplex[i].map((xk, k) => simplex[0][k] + 0.5 * (xk - simplex[0][k]));
      values[i] = F(simplex[i]);
    }
  }
  let best = 0;
  for (let i = 1; i <= dim; i++) if (values[i] < values[best]) best = i;
  return { x: simplex[best], f: values[best], evaluations, converged };
}

/**
 * Evaluate f on the tensor grid `axes[0] × axes[1]` and return the grid points that are no larger than any of their
 * (up to 8) neighbours, lowest first. These seed local refinements, so every basin wider than a grid cell is found.
 */
export function gridLocalMinima2d(
  f: (x: number[]) => number,
  axes: readonly [readonly number[], readonly number[]],
): { x: number[]; f: number }[] {
  const [ax, ay] = axes;
  const nx = ax.length;
  const ny = ay.length;
  const vals = new Float64Array(nx * ny);
  for (let i = 0; i < nx; i++)
    for (let j = 0; j < ny; j++) {
      const v = f([ax[i], ay[j]]);
      vals[i * ny + j] = Number.isNaN(v) ? Infinity : v;
    }
  const out: { x: number[]; f: number }[] = [];
  for (let i = 0; i < nx; i++) {
    for (let j = 0; j < ny; j++) {
      const v = vals[i * ny + j];
      let isMin = Number.isFinite(v);
      for (let di = -1; di <= 1 && isMin; di++) {
        for (let dj = -1; dj <= 1; dj++) {
          if (di === 0 && dj === 0) continue;
          const ii = i + di;
          const jj = j + dj;
          if (ii < 0 || jj < 0 || ii >= nx || jj >= ny) continue;
          if (vals[ii * ny + jj] < v) {
            isMin = false;
            break;
          }
        }
      }
      if (isMin) out.push({ x: [ax[i], ay[j]], f: v });
    }
  }
  return out.sort((a, b) => a.f - b.f);
}
