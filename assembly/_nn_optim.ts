// Optimiser kernels over flat parameter / gradient arenas (all parameters of a model are contiguous, so one call
// updates everything). Ranges [i0, i1) let the host split the arena over threads.

/**
 * One Adam / AdamW step on p[i0, i1) (Kingma & Ba 2015; Loshchilov & Hutter 2019):
 *   g' = g + l2 p                                  (Adam with L2 penalty; l2 = 0 for AdamW)
 *   m = b1 m + b1c g',  v = b2 v + b2c g'^2        (b1c = 1 - b1, b2c = 1 - b2)
 *   p = decay p - step m / (sqrt(v ic2) + eps)     (step = lr / (1 - b1^t), ic2 = 1 / (1 - b2^t),
 *                                                   decay = 1 - lr wd for AdamW, 1 for Adam, as torch.optim.AdamW)
 * The host derives the coefficients in float64: 1 - 0.999 rounded in float32 is off by 1e-5 relative.
 */
export function adam_step(
  p: usize, g: usize, m: usize, v: usize, i0: i32, i1: i32,
  b1: f32, b1c: f32, b2: f32, b2c: f32, step: f32, ic2: f32, eps: f32, l2: f32, decay: f32,
): void {
  const vb1 = f32x4.splat(b1), vb1c = f32x4.splat(b1c);
  const vb2 = f32x4.splat(b2), vb2c = f32x4.splat(b2c);
  const vstep = f32x4.splat(step);
  const vic2 = f32x4.splat(ic2);
  const veps = f32x4.splat(eps);
  const vl2 = f32x4.splat(l2);
  const vdecay = f32x4.splat(decay);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    const pv = v128.load(p + o);
    const gv = f32x4.add(v128.load(g + o), f32x4.mul(vl2, pv));
    const mv = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vb1c, gv));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vb2c, f32x4.mul(gv, gv)));
    v128.store(m + o, mv);
    v128.store(v + o, vv);
    const den = f32x4.add(f32x4.sqrt(f32x4.mul(vv, vic2)), veps);
    v128.store(p + o, f32x4.sub(f32x4.mul(pv, vdecay), f32x4.div(f32x4.mul(vstep, mv), den)));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    const pv = load<f32>(p + o);
    const gv = load<f32>(g + o) + l2 * pv;
    const mv = b1 * load<f32>(m + o) + b1c * gv;
    const vv = b2 * load<f32>(v + o) + b2c * gv * gv;
    store<f32>(m + o, mv);
    store<f32>(v + o, vv);
    store<f32>(p + o, pv * decay - step * mv / (Mathf.sqrt(vv * ic2) + eps));
  }
}

/** Exponential moving average of the weights: s = decay s + (1 - decay) p on [i0, i1). */
export function ema_update(s: usize, p: usize, i0: i32, i1: i32, decay: f32): void {
  const vd = f32x4.splat(decay), vc = f32x4.splat(1 - decay);
  let i = i0;
  for (; i + 4 <= i1; i += 4) {
    const o = <usize>i << 2;
    v128.store(s + o, f32x4.add(f32x4.mul(vd, v128.load(s + o)), f32x4.mul(vc, v128.load(p + o))));
  }
  for (; i < i1; i++) {
    const o = <usize>i << 2;
    store<f32>(s + o, decay * load<f32>(s + o) + (1 - decay) * load<f32>(p + o));
  }
}
