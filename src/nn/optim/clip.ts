/**
 * Gradient-norm clipping (torch.nn.utils.clip_grad_norm_): with ||g|| the 2-norm over all parameters,
 * g *= maxNorm / (||g|| + 1e-6) when ||g|| > maxNorm. Returns ||g|| before clipping.
 */
import type { Module } from '../layers/module.js';

export function gradNorm(model: Module): number {
  const { grads, size } = model.params;
  return Math.sqrt(model.be.sumSq(grads, size));
}

export function clipGradNorm(model: Module, maxNorm: number): number {
  const norm = gradNorm(model);
  if (norm > maxNorm) {
    const { grads, size } = model.params;
    model.be.scale(grads, size, maxNorm / (norm + 1e-6));
  }
  return norm;
}
