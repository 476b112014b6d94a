/**
 * Channel concatenation of NCHW maps (the U-Net skip connections): y = [a ; b] along C,
 * (N, Ca, H, W) + (N, Cb, H, W) -> (N, Ca + Cb, H, W). Backward splits dy into da (first Ca channels) and db.
 */
import { at, type Backend } from '../kernels/backend.js';
import { expectNCHW, shapeStr, tensor, type Tensor } from '../tensor.js';
import { Module } from './module.js';

export class ConcatChannels extends Module {
  private shapes: [readonly number[], readonly number[]] | null = null;
  constructor(be: Backend) {
    super(be);
  }

  forward(a: Tensor, b: Tensor): Tensor {
    const [N, Ca, H, W] = expectNCHW(a, undefined, 'ConcatChannels');
    const [Nb, Cb, Hb, Wb] = expectNCHW(b, undefined, 'ConcatChannels');
    if (N !== Nb || H !== Hb || W !== Wb) {
      throw new Error(`ConcatChannels: shapes ${shapeStr(a.shape)} and ${shapeStr(b.shape)} do not match`);
    }
    const P = H * W,
      C = Ca + Cb;
    const y = this.ws('y', N * C * P);
    this.be.copyRows(a.ptr, Ca * P, y, C * P, Ca * P, N);
    this.be.copyRows(b.ptr, Cb * P, at(y, Ca * P), C * P, Cb * P, N);
    this.shapes = [a.shape, b.shape];
    return tensor([N, C, H, W], y);
  }

  backward(dy: Tensor): [Tensor, Tensor] {
    if (!this.shapes) throw new Error('ConcatChannels.backward before forward');
    const [sa, sb] = this.shapes;
    const [N, Ca, H, W] = sa,
      Cb = sb[1],
      P = H * W,
      C = Ca + Cb;
    const da = this.ws('da', N * Ca * P),
      db = this.ws('db', N * Cb * P);
    this.be.copyRows(dy.ptr, C * P, da, Ca * P, Ca * P, N);
    this.be.copyRows(at(dy.ptr, Ca * P), C * P, db, Cb * P, Cb * P, N);
    return [tensor(sa, da), tensor(sb, db)];
  }
}
