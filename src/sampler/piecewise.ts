/**
 * Piecewise-uniform ("window mixture") time samplers — the paper's phase-aware schedule: put a chosen fraction of
 * the training times inside the interval where a feature is decided, and spread the rest uniformly elsewhere.
 */
import { UnitIntervalSampler, fmt } from './base.js';

/** One piece: mass `mass` spread uniformly on [lo, hi]. */
export interface PiecewiseSegment {
  lo: number;
  hi: number;
  mass: number;
}

const MASS_TOLERANCE = 1e-9;

/** How a piecewise sampler describes itself in result files. */
interface Description {
  name: string;
  params: Record<string, unknown>;
  spec?: string;
}

/**
 * `Array.isArray` for the run-time check of arguments typed as readonly arrays (a caller from JavaScript may pass
 * anything): unlike `Array.isArray`, whose `any[]` guard turns such an argument into `any`, this keeps its type.
 */
function isArray(x: unknown): x is readonly unknown[] {
  return Array.isArray(x);
}

function describe(s: PiecewiseSegment): string {
  return `[${s.lo}, ${s.hi}] (mass ${s.mass})`;
}

/**
 * Checks and normalises a segment list: every lo/hi finite with 0 ≤ lo < hi ≤ 1, every mass finite and > 0, masses
 * summing to 1 within 1e-9 (then divided by their sum so the cdf ends at exactly 1), no two intervals overlapping
 * (touching ends are fine). Returns the segments sorted by lo.
 */
function normaliseSegments(who: string, segments: readonly PiecewiseSegment[]): PiecewiseSegment[] {
  if (!isArray(segments) || segments.length === 0) throw new RangeError(`${who}: need at least one interval`);
  for (const s of segments) {
    if (!(Number.isFinite(s.lo) && Number.isFinite(s.hi) && s.lo >= 0 && s.hi <= 1 && s.lo < s.hi)) {
      throw new RangeError(`${who}: interval ${describe(s)} must satisfy 0 <= lo < hi <= 1`);
    }
    if (!(Number.isFinite(s.mass) && s.mass > 0)) {
      throw new RangeError(`${who}: interval ${describe(s)} must have a finite mass > 0`);
    }
  }
  const sorted = segments.map((s) => ({ lo: s.lo, hi: s.hi, mass: s.mass })).sort((x, y) => x.lo - y.lo);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].lo < sorted[i - 1].hi) {
      throw new RangeError(`${who}: intervals ${describe(sorted[i - 1])} and ${describe(sorted[i])} overlap`);
    }
  }
  const total = sorted.reduce((acc, s) => acc + s.mass, 0);
  if (!(Math.abs(total - 1) <= MASS_TOLERANCE)) {
    throw new RangeError(`${who}: masses must sum to 1, got ${total}`);
  }
  for (const s of sorted) s.mass /= total;
  return sorted;
}

/**
 * Piecewise-uniform density on [0, 1] (zero between pieces):
 *
 *   pdf(t)      = m_i / (hi_i − lo_i)                        for t in piece i, 0 in gaps
 *   cdf(t)      = Σ_i m_i · clamp((t − lo_i) / (hi_i − lo_i), 0, 1)
 *   quantile(u) = lo_i + (u − M_{i−1}) / m_i · (hi_i − lo_i)   for M_{i−1} < u ≤ M_i,  M_i = m_1 + … + m_i
 *
 * Pieces are half-open [lo, hi); a piece's right end belongs to it when no piece starts there (so pdf(1) > 0 when
 * the last piece ends at 1). quantile(u) is the left-most t with cdf(t) ≥ u, so it never lands in a gap.
 */
export class PiecewiseSampler extends UnitIntervalSampler {
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly spec: string;
  /** Normalised pieces, sorted by lo. */
  readonly segments: readonly Readonly<PiecewiseSegment>[];
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;
  private readonly dens: Float64Array;
  private readonly cumBefore: Float64Array;
  private readonly mass: Float64Array;

  /**
   * @param segments pieces (validated, see `piecewiseSampler`)
   * @param describeAs name/params/spec overriding the generic description (used by the window and paper factories;
   *   without a spec the generic `piecewise:` spec of the normalised pieces is used)
   */
  constructor(segments: readonly PiecewiseSegment[], describeAs?: Description) {
    super();
    const who = describeAs?.name ?? 'piecewise';
    const segs = normaliseSegments(who, segments);
    this.segments = segs.map((s) => Object.freeze({ ...s }));
    const k = segs.length;
    this.lo = Float64Array.from(segs, (s) => s.lo);
    this.hi = Float64Array.from(segs, (s) => s.hi);
    this.mass = Float64Array.from(segs, (s) => s.mass);
    this.dens = Float64Array.from(segs, (s) => s.mass / (s.hi - s.lo));
    this.cumBefore = new Float64Array(k);
    for (let i = 1; i < k; i++) this.cumBefore[i] = this.cumBefore[i - 1] + segs[i - 1].mass;
    const specOf = () => `piecewise:${segs.map((s) => `${fmt(s.lo)}-${fmt(s.hi)}:${fmt(s.mass)}`).join(',')}`;
    this.name = describeAs?.name ?? 'piecewise';
    this.params = describeAs?.params ?? { segments: segs.map((s) => ({ ...s })) };
    this.spec = describeAs?.spec || specOf();
  }

  protected density(t: number): number {
    const k = this.lo.length;
    for (let i = 0; i < k; i++) if (t >= this.lo[i] && t < this.hi[i]) return this.dens[i];
    for (let i = 0; i < k; i++) if (t === this.hi[i]) return this.dens[i];
    return 0;
  }

  protected distribution(t: number): number {
    let acc = 0;
    for (let i = 0; i < this.lo.length; i++) {
      if (t >= this.hi[i]) acc += this.mass[i];
      else if (t > this.lo[i]) acc += (this.mass[i] * (t - this.lo[i])) / (this.hi[i] - this.lo[i]);
    }
    return acc;
  }

  protected inverse(u: number): number {
    const k = this.lo.length;
    if (u <= 0) return this.lo[0];
    let i = 0;
    while (i < k - 1 && u > this.cumBefore[i + 1]) i++;
    const frac = Math.min(1, Math.max(0, (u - this.cumBefore[i]) / this.mass[i]));
    return this.lo[i] + frac * (this.hi[i] - this.lo[i]);
  }
}

/**
 * General piecewise-uniform sampler from explicit pieces `{lo, hi, mass}`: masses > 0 summing to 1 (±1e-9),
 * 0 ≤ lo < hi ≤ 1, non-overlapping intervals (touching ends allowed; gaps have density 0). RangeError otherwise.
 */
export function piecewiseSampler(segments: readonly PiecewiseSegment[]): PiecewiseSampler {
  return new PiecewiseSampler(segments);
}

/** A window with the probability mass it should receive. */
export interface WeightedWindow {
  lo: number;
  hi: number;
  mass: number;
}

/** Pieces of [0, 1] not covered by the (sorted, non-overlapping) windows. */
function complement(windows: readonly WeightedWindow[]): { lo: number; hi: number }[] {
  const out: { lo: number; hi: number }[] = [];
  let at = 0;
  for (const w of windows) {
    if (w.lo > at) out.push({ lo: at, hi: w.lo });
    at = Math.max(at, w.hi);
  }
  if (at < 1) out.push({ lo: at, hi: 1 });
  return out;
}

/**
 * Several windows with given masses; the remaining mass 1 − Σ mass is spread uniformly over the rest of [0, 1]
 * (the complement of the union of the windows). Total window mass must be in (0, 1], and < 1 needs a non-empty
 * complement.
 */
export function windowsSampler(windows: readonly WeightedWindow[], describeAs?: Description): PiecewiseSampler {
  const who = describeAs?.name ?? 'windows';
  if (!isArray(windows) || windows.length === 0) throw new RangeError(`${who}: need at least one window`);
  for (const w of windows) {
    if (!(Number.isFinite(w.lo) && Number.isFinite(w.hi) && w.lo >= 0 && w.hi <= 1 && w.lo < w.hi)) {
      throw new RangeError(`${who}: window [${w.lo}, ${w.hi}] must satisfy 0 <= lo < hi <= 1`);
    }
    if (!(Number.isFinite(w.mass) && w.mass > 0 && w.mass <= 1)) {
      throw new RangeError(`${who}: window [${w.lo}, ${w.hi}] must have mass in (0, 1], got ${w.mass}`);
    }
  }
  const sorted = [...windows].sort((x, y) => x.lo - y.lo);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].lo < sorted[i - 1].hi) {
      throw new RangeError(
        `${who}: windows [${sorted[i - 1].lo}, ${sorted[i - 1].hi}] and [${sorted[i].lo}, ${sorted[i].hi}] overlap`,
      );
    }
  }
  const inside = sorted.reduce((acc, w) => acc + w.mass, 0);
  if (inside > 1 + MASS_TOLERANCE) throw new RangeError(`${who}: window masses must sum to at most 1, got ${inside}`);
  const rest = Math.max(0, 1 - inside);
  const segments: PiecewiseSegment[] = sorted.map((w) => ({ lo: w.lo, hi: w.hi, mass: w.mass }));
  if (rest > MASS_TOLERANCE) {
    const gaps = complement(sorted);
    const len = gaps.reduce((acc, g) => acc + (g.hi - g.lo), 0);
    if (!(len > 0)) {
      throw new RangeError(`${who}: the windows cover [0, 1], so their masses must sum to 1 (got ${inside})`);
    }
    for (const g of gaps) segments.push({ lo: g.lo, hi: g.hi, mass: (rest * (g.hi - g.lo)) / len });
  }
  return new PiecewiseSampler(
    segments,
    describeAs ?? { name: 'windows', params: { windows: sorted.map((w) => ({ ...w })) } },
  );
}

/** Options of `windowSampler`: the window and either the mass inside it or the weight of a uniform floor. */
export interface WindowSamplerOptions {
  /** [lo, hi] ⊆ [0, 1], lo < hi, in project time (t = 0 noise, t = 1 data). */
  window: readonly [number, number];
  /** Probability of landing in the window, in (0, 1]. */
  massInside?: number;
  /**
   * Alternative to `massInside`: the mixture λ·U(0, 1) + (1 − λ)·U(window), λ = floor ∈ [0, 1), which is the same
   * distribution with massInside = 1 − λ + λ(hi − lo).
   */
  floor?: number;
}

/**
 * The paper's phase-aware sampler: mass `massInside` uniform on [lo, hi], the rest uniform on [0, 1] \ [lo, hi]:
 *
 *   pdf(t) = massInside / (hi − lo)                 on [lo, hi]
 *          = (1 − massInside) / (1 − (hi − lo))     elsewhere
 *
 * massInside = hi − lo is uniform; massInside = 1 samples only the window.
 */
export function windowSampler(options: WindowSamplerOptions): PiecewiseSampler {
  const { window } = options;
  if (!Array.isArray(window) || window.length !== 2) throw new RangeError('window: expected window: [lo, hi]');
  const [lo, hi] = window;
  if (options.massInside !== undefined && options.floor !== undefined) {
    throw new RangeError('window: give either massInside or floor, not both');
  }
  let massInside: number;
  if (options.floor !== undefined) {
    const f = options.floor;
    if (!(f >= 0 && f < 1)) throw new RangeError(`window: floor must be in [0, 1), got ${f}`);
    massInside = 1 - f + f * (hi - lo);
  } else if (options.massInside !== undefined) {
    massInside = options.massInside;
  } else {
    throw new RangeError('window: massInside (in (0, 1]) or floor (in [0, 1)) is required');
  }
  if (!(massInside > 0 && massInside <= 1))
    throw new RangeError(`window: massInside must be in (0, 1], got ${massInside}`);
  return windowsSampler([{ lo, hi, mass: massInside }], {
    name: 'window',
    params: { lo, hi, massInside },
    spec: `window:${fmt(lo)},${fmt(hi)},${fmt(massInside)}`,
  });
}

/** Variants of the paper's MNIST schedule (docs/method.md §4.7, §7 item 9). */
export type PaperMnistVariant = 'resolved' | 'literal';

/**
 * The MNIST phase-aware sampler of the paper, converted from the authors' VP-SDE code time s (s = 0 data,
 * s = 1 noise) to project time t = 1 − s.
 *
 * - `'resolved'` (default; docs/method.md §7 item 9 best guess): half of the mass uniformly in the decision window
 *   s ∈ [0.4, 0.8] (= t ∈ [0.2, 0.6], the U-Turn window of §4.7), the other half uniform on the rest:
 *     code time:    1/3 on [0, 0.4),  1/2 on [0.4, 0.8],  1/6 on (0.8, 1]
 *     project time: 1/6 on [0, 0.2),  1/2 on [0.2, 0.6],  1/3 on (0.6, 1]      (densities 5/6, 5/4, 5/6)
 *   This is `windowSampler({ window: [0.2, 0.6], massInside: 0.5 })`.
 * - `'literal'`: the commented-out code as written (batch//8 in U(0, 0.2), batch//2 in U(0.2, 0.4), 3·batch//8 in
 *   U(0.4, 1), all in code time), which boosts s ∈ [0.2, 0.4] — outside the decision window:
 *     code time:    1/8 on [0, 0.2),  1/2 on [0.2, 0.4),  3/8 on [0.4, 1]
 *     project time: 3/8 on [0, 0.6],  1/2 on (0.6, 0.8],  1/8 on (0.8, 1]      (densities 5/8, 5/2, 5/8)
 *
 * The authors draw fixed counts per bin in each batch; this sampler draws i.i.d. with those probabilities (use
 * `sampleStratified` for a batch with per-bin counts within one of the expected ones).
 */
export function paperMnistSampler(variant: PaperMnistVariant = 'resolved'): PiecewiseSampler {
  const codeTime: PiecewiseSegment[] =
    variant === 'resolved'
      ? [
          { lo: 0, hi: 0.4, mass: 1 / 3 },
          { lo: 0.4, hi: 0.8, mass: 1 / 2 },
          { lo: 0.8, hi: 1, mass: 1 / 6 },
        ]
      : variant === 'literal'
        ? [
            { lo: 0, hi: 0.2, mass: 1 / 8 },
            { lo: 0.2, hi: 0.4, mass: 1 / 2 },
            { lo: 0.4, hi: 1, mass: 3 / 8 },
          ]
        : (() => {
            throw new RangeError(`paper-mnist: variant must be "resolved" or "literal", got "${String(variant)}"`);
          })();
  // s ∈ [lo, hi] ↔ t ∈ [1 − hi, 1 − lo]; 1 − 0.8 is computed as 0.2 exactly by writing the mirrored ends out.
  const mirror = (x: number) => Math.round((1 - x) * 1e12) / 1e12;
  const segments = codeTime.map((s) => ({ lo: mirror(s.hi), hi: mirror(s.lo), mass: s.mass }));
  return new PiecewiseSampler(segments, {
    name: 'paper-mnist',
    params: { variant, codeTimeSegments: codeTime, segments: [...segments].sort((x, y) => x.lo - y.lo) },
    spec: `paper-mnist:${variant}`,
  });
}
