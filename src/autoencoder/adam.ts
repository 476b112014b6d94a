/**
 * Adam with PyTorch semantics (torch.optim.Adam, non-amsgrad) and the paper's parameter groups (docs/method.md §2.6):
 * coupled L2 weight decay lU on u and lW on w, none on b and c. For step t = 1, 2, ... and each parameter theta:
 *
 *   g     = dL/dtheta + wd theta
 *   m     = beta1 m + (1 - beta1) g
 *   v     = beta2 v + (1 - beta2) g^2
 *   theta = theta - (lr / (1 - beta1^t)) m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *
 * The wasm kernel evaluates exactly these expressions in the same order, so both backends agree to the last bit
 * given the same gradient.
 */
import type { AeParams } from './model.js';
import { zeroParams, cloneParams } from './model.js';

export interface AdamOptions {
  lr: number;
  /** Weight decay of u (coupled L2, grad += lU u). */
  lU: number;
  /** Weight decay of w. */
  lW: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
}

/** Optimiser state: first and second moments (shaped like the parameters) and the number of steps taken. */
export interface AdamState {
  m: AeParams;
  v: AeParams;
  t: number;
}

export function adamInit(d: number, T: number): AdamState {
  return { m: zeroParams(d, T), v: zeroParams(d, T), t: 0 };
}

export function cloneAdam(s: AdamState): AdamState {
  return { m: cloneParams(s.m), v: cloneParams(s.v), t: s.t };
}

/** Step size lr/(1 - beta1^t) and sqrt(1 - beta2^t) for step t (shared by both backends). */
export function adamFactors(o: AdamOptions, t: number): { stepSize: number; bc2Sqrt: number } {
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  return { stepSize: o.lr / (1 - Math.pow(b1, t)), bc2Sqrt: Math.sqrt(1 - Math.pow(b2, t)) };
}

/** One Adam step in place (increments `state.t` first). */
export function adamStep(p: AeParams, grad: AeParams, state: AdamState, o: AdamOptions): void {
  state.t += 1;
  const b1 = o.beta1 ?? 0.9;
  const b2 = o.beta2 ?? 0.999;
  const eps = o.eps ?? 1e-8;
  const { stepSize, bc2Sqrt } = adamFactors(o, state.t);
  const upd = (theta: Float64Array, g0: Float64Array, m: Float64Array, v: Float64Array, wd: number) => {
    for (let i = 0; i < theta.length; i++) {
      const g = g0[i] + wd * theta[i];
      const mi = b1 * m[i] + (1 - b1) * g;
      const vi = b2 * v[i] + (1 - b2) * g * g;
      m[i] = mi;
      v[i] = vi;
      theta[i] -= stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps));
    }
  };
  upd(p.u, grad.u, state.m.u, state.v.u, o.lU);
  upd(p.w, grad.w, state.m.w, state.v.w, o.lW);
  upd(p.b, grad.b, state.m.b, state.v.b, 0);
  upd(p.c, grad.c, state.m.c, state.v.c, 0);
}
