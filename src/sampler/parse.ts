/**
 * `parseSampler(spec)`: time samplers from short CLI strings.
 *
 *   uniform
 *   logit-normal[:m,s]        (aliases lognorm, logit_normal; default 0,1; project time, see LogitNormalSampler)
 *   mode[:scale]              (SD3 mode; default 1.29; −1 ≤ scale ≤ 2/(π−2))
 *   cosmap
 *   edm[:pMean,pStd]          (default −1.2,1.2)
 *   beta:a,b
 *   window:lo,hi,massInside
 *   piecewise:lo-hi:mass,lo-hi:mass,...
 *   paper-mnist[:resolved|literal]
 *
 * Any spec may end in `@tEnd` to stretch it to [0, tEnd] (`scaleToInterval`), e.g. `window:0.2,0.6,0.5@2`.
 * Numbers may be written as fractions (`1/6`). Errors are one-line RangeErrors naming the sampler and what is allowed.
 */
import type { TimeSampler } from './base.js';
import { betaSampler, edmSampler, logitNormalSampler, uniformSampler } from './basic.js';
import { paperMnistSampler, piecewiseSampler, windowSampler, type PiecewiseSegment } from './piecewise.js';
import { cosmapSampler, modeSampler } from './sd3.js';
import { scaleToInterval } from './transform.js';

/** Canonical sampler names accepted by `parseSampler`. */
export const TIME_SAMPLER_NAMES = [
  'uniform',
  'logit-normal',
  'mode',
  'cosmap',
  'edm',
  'beta',
  'window',
  'piecewise',
  'paper-mnist',
] as const;
export type TimeSamplerName = (typeof TIME_SAMPLER_NAMES)[number];

const ALIASES: Record<string, TimeSamplerName> = {
  uniform: 'uniform',
  'logit-normal': 'logit-normal',
  logit_normal: 'logit-normal',
  logitnormal: 'logit-normal',
  lognorm: 'logit-normal',
  mode: 'mode',
  cosmap: 'cosmap',
  edm: 'edm',
  beta: 'beta',
  window: 'window',
  piecewise: 'piecewise',
  'paper-mnist': 'paper-mnist',
};

const USAGE: Record<TimeSamplerName, string> = {
  uniform: '"uniform" (no arguments)',
  'logit-normal': '"logit-normal" or "logit-normal:m,s" with s > 0',
  mode: '"mode" or "mode:scale" with -1 <= scale <= 2/(π-2) ≈ 1.7519',
  cosmap: '"cosmap" (no arguments)',
  edm: '"edm" or "edm:pMean,pStd" with pStd > 0',
  beta: '"beta:a,b" with a, b > 0',
  window: '"window:lo,hi,massInside" with 0 <= lo < hi <= 1 and 0 < massInside <= 1',
  piecewise: '"piecewise:lo-hi:mass,..." with 0 <= lo < hi <= 1, masses > 0 summing to 1, no overlaps',
  'paper-mnist': '"paper-mnist", "paper-mnist:resolved" or "paper-mnist:literal"',
};

const NUMBER = String.raw`[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;
const NUMBER_RE = new RegExp(`^(${NUMBER})(?:/(${NUMBER}))?$`);
const UNSIGNED = String.raw`(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?`;
const SEGMENT_RE = new RegExp(`^(${UNSIGNED})-(${UNSIGNED}):(${UNSIGNED}(?:/${UNSIGNED})?)$`);

/** A decimal number or a fraction p/q; NaN when malformed. */
function parseNumber(text: string): number {
  const m = NUMBER_RE.exec(text.trim());
  if (!m) return NaN;
  const x = Number(m[1]);
  return m[2] === undefined ? x : x / Number(m[2]);
}

function fail(name: TimeSamplerName, spec: string, why?: string): never {
  throw new RangeError(`${name}: expected ${USAGE[name]}, got "${spec}"${why ? ` (${why})` : ''}`);
}

function numbers(name: TimeSamplerName, spec: string, args: string | undefined, counts: readonly number[]): number[] {
  const parts = args === undefined || args.trim() === '' ? [] : args.split(',');
  if (!counts.includes(parts.length)) fail(name, spec, `${parts.length} argument(s)`);
  const xs = parts.map(parseNumber);
  const bad = xs.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) fail(name, spec, `"${parts[bad].trim()}" is not a number`);
  return xs;
}

/** Rewrites constructor errors ("beta: a and b must be …") so they quote the spec too. */
function build(spec: string, make: () => TimeSampler): TimeSampler {
  try {
    return make();
  } catch (e) {
    if (e instanceof RangeError) throw new RangeError(`${e.message} in "${spec}"`);
    throw e;
  }
}

function parseBody(body: string, whole: string): TimeSampler {
  const colon = body.indexOf(':');
  const rawName = (colon < 0 ? body : body.slice(0, colon)).trim().toLowerCase();
  const args = colon < 0 ? undefined : body.slice(colon + 1);
  const name = ALIASES[rawName];
  if (name === undefined) {
    throw new RangeError(
      `unknown time sampler "${rawName}" in "${whole}" (expected one of ${TIME_SAMPLER_NAMES.join(', ')})`,
    );
  }
  switch (name) {
    case 'uniform':
      numbers(name, whole, args, [0]);
      return uniformSampler();
    case 'cosmap':
      numbers(name, whole, args, [0]);
      return cosmapSampler();
    case 'logit-normal': {
      const [m, s] = numbers(name, whole, args, [0, 2]);
      return build(whole, () => logitNormalSampler(m ?? 0, s ?? 1));
    }
    case 'mode': {
      const [scale] = numbers(name, whole, args, [0, 1]);
      return build(whole, () => modeSampler(scale));
    }
    case 'edm': {
      const [pMean, pStd] = numbers(name, whole, args, [0, 2]);
      return build(whole, () => edmSampler(pMean ?? -1.2, pStd ?? 1.2));
    }
    case 'beta': {
      const [a, b] = numbers(name, whole, args, [2]);
      return build(whole, () => betaSampler(a, b));
    }
    case 'window': {
      const [lo, hi, massInside] = numbers(name, whole, args, [3]);
      return build(whole, () => windowSampler({ window: [lo, hi], massInside }));
    }
    case 'piecewise': {
      if (args === undefined || args.trim() === '') fail(name, whole, 'no intervals');
      const segments: PiecewiseSegment[] = args.split(',').map((part) => {
        const m = SEGMENT_RE.exec(part.trim());
        if (!m) fail(name, whole, `bad interval "${part.trim()}"`);
        return { lo: Number(m[1]), hi: Number(m[2]), mass: parseNumber(m[3]) };
      });
      return build(whole, () => piecewiseSampler(segments));
    }
    case 'paper-mnist': {
      const variant = (args ?? 'resolved').trim() || 'resolved';
      if (variant !== 'resolved' && variant !== 'literal') fail(name, whole, `unknown variant "${variant}"`);
      return paperMnistSampler(variant);
    }
  }
}

/**
 * Builds a sampler from a CLI string (grammar in the module docs). Throws a one-line RangeError on bad input.
 * `parseSampler(s.spec)` rebuilds any sampler of this module that has a spec.
 */
export function parseSampler(spec: string): TimeSampler {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new RangeError(`time sampler spec must be a non-empty string (one of ${TIME_SAMPLER_NAMES.join(', ')})`);
  }
  const at = spec.lastIndexOf('@');
  if (at < 0) return parseBody(spec.trim(), spec.trim());
  const endText = spec.slice(at + 1).trim();
  const tEnd = parseNumber(endText);
  if (!(Number.isFinite(tEnd) && tEnd > 0)) {
    throw new RangeError(`scaled: "@tEnd" must be a number > 0, got "${endText}" in "${spec.trim()}"`);
  }
  return scaleToInterval(parseBody(spec.slice(0, at).trim(), spec.trim()), tEnd);
}
