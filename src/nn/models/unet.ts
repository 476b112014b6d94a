/**
 * A configurable U-Net noise / velocity predictor f(x_t, t), laid out as diffusers' UNet2DModel (the network of the
 * paper, §4.3) so its weights map onto that model's names:
 *
 *   temb = time_embedding(sinusoid(timeScale t))                      (N, 4 c0), a = SiLU(temb) shared by all blocks
 *   h = conv_in(x)                                                     skips: [h]
 *   down_blocks.l (l < L):  blocks x [resnets.b (ResBlock) -> attentions.b if l in attention]   push after each
 *                           downsamplers.0 (3x3 conv, stride 2) if l < L - 1                     push
 *   mid_block:              resnets.0 -> attentions.0 (if midAttention) -> resnets.1
 *   up_blocks.i (level L-1-i): (blocks + 1) x [concat(h, pop skip) -> resnets.j -> attentions.j]
 *                           upsamplers.0 (nearest 2x + 3x3 conv) if not the last
 *   y = conv_out(SiLU(conv_norm_out(h)))
 *
 * Input (N, inChannels, H, W) with H, W divisible by 2^(L-1); t one time per sample; output (N, outChannels, H, W).
 * Differences from diffusers: q/k/v are one fused 1x1 projection (`to_qkv`), and SiLU(temb) is computed once instead
 * of inside every block (the same function).
 */
import { at, type Backend, type Ptr } from '../kernels/backend.js';
import { SiLU } from '../layers/activation.js';
import { SelfAttention2d } from '../layers/attention.js';
import { ConcatChannels } from '../layers/concat.js';
import { Conv2d } from '../layers/conv2d.js';
import { GroupNorm } from '../layers/groupnorm.js';
import { Module } from '../layers/module.js';
import { Downsample, Upsample } from '../layers/resample.js';
import { ResBlock } from '../layers/resblock.js';
import { ModuleList } from '../layers/sequential.js';
import { TimeEmbedding } from '../layers/timeEmbedding.js';
import type { Rng } from '../../random/rng.js';
import { expectNCHW, numel, shapeStr, tensor, type Tensor } from '../tensor.js';

export interface UNetConfig {
  /** Discriminates configs in checkpoint files. */
  model: 'unet';
  inChannels: number;
  outChannels: number;
  /** Channels per resolution level, e.g. [32, 64, 128]; the resolution halves between levels. */
  channels: number[];
  /** Residual blocks per level on the way down (the way up has one more, as diffusers' layers_per_block). */
  blocksPerLevel: number;
  /** Levels (indices into channels) with self-attention after each residual block. */
  attentionLevels: number[];
  /** Self-attention between the two middle residual blocks. */
  midAttention: boolean;
  /** GroupNorm groups (must divide every channel count). */
  groups: number;
  /** Channels per attention head (diffusers' attention_head_dim); heads = channels / headDim. */
  headDim: number;
  /** Times are multiplied by this before the sinusoid (the paper feeds s * 1000). */
  timeScale: number;
  /** What the network is trained to predict (metadata for users of the weights). */
  prediction: 'epsilon' | 'velocity';
  /** Training image size (metadata; any size divisible by 2^(L-1) runs). */
  sampleSize: number;
}

/**
 * Defaults: the paper's MNIST U-Net (diffusers UNet2DModel, two blocks per level) scaled to CPU: channels 16/32/64,
 * attention at the lowest resolution and in the middle.
 */
export function unetConfig(partial: Partial<UNetConfig> = {}): UNetConfig {
  const c: UNetConfig = {
    model: 'unet',
    inChannels: 1,
    outChannels: 1,
    channels: [16, 32, 64],
    blocksPerLevel: 2,
    attentionLevels: [2],
    midAttention: true,
    groups: 8,
    headDim: 8,
    timeScale: 1000,
    prediction: 'epsilon',
    sampleSize: 32,
    ...partial,
  };
  validateUNetConfig(c);
  return c;
}

export function validateUNetConfig(c: UNetConfig): void {
  const bad = (msg: string): never => {
    throw new Error(`U-Net config: ${msg}`);
  };
  if (c.model !== 'unet') bad(`model must be "unet", got ${JSON.stringify(c.model)}`);
  if (!c.channels.length) bad('channels must be non-empty');
  for (const ch of c.channels) {
    if (!(Number.isInteger(ch) && ch > 0)) bad(`channel count ${ch} is not a positive integer`);
    if (ch % c.groups) bad(`${ch} channels are not divisible into ${c.groups} groups`);
  }
  for (const l of c.attentionLevels) {
    if (!(Number.isInteger(l) && l >= 0 && l < c.channels.length)) bad(`attention level ${l} does not exist`);
    if (c.channels[l] % c.headDim) bad(`head size ${c.headDim} does not divide ${c.channels[l]} channels`);
  }
  if (c.midAttention && c.channels[c.channels.length - 1] % c.headDim)
    bad('head size does not divide the middle channels');
  if (!(Number.isInteger(c.blocksPerLevel) && c.blocksPerLevel >= 1)) bad('blocksPerLevel must be >= 1');
  if (c.channels[0] % 2) bad('channels[0] (the sinusoid width) must be even');
  if (c.prediction !== 'epsilon' && c.prediction !== 'velocity') bad(`unknown prediction ${String(c.prediction)}`);
}

class DownBlock extends Module {
  readonly resnets: ModuleList<ResBlock>;
  readonly attentions: ModuleList<SelfAttention2d> | null;
  readonly downsampler: Downsample | null;
  constructor(
    be: Backend,
    cin: number,
    cout: number,
    blocks: number,
    tdim: number,
    c: UNetConfig,
    attn: boolean,
    down: boolean,
  ) {
    super(be);
    this.resnets = this.child('resnets', new ModuleList<ResBlock>(be));
    this.attentions = attn ? this.child('attentions', new ModuleList<SelfAttention2d>(be)) : null;
    for (let b = 0; b < blocks; b++) {
      this.resnets.push(new ResBlock(be, { cin: b === 0 ? cin : cout, cout, tdim, groups: c.groups }));
      this.attentions?.push(new SelfAttention2d(be, { channels: cout, heads: cout / c.headDim, groups: c.groups }));
    }
    if (down) {
      const list = this.child('downsamplers', new ModuleList<Downsample>(be));
      this.downsampler = list.push(new Downsample(be, cout));
    } else this.downsampler = null;
  }
}

class UpBlock extends Module {
  readonly resnets: ModuleList<ResBlock>;
  readonly attentions: ModuleList<SelfAttention2d> | null;
  readonly concats: ConcatChannels[] = [];
  readonly upsampler: Upsample | null;
  constructor(
    be: Backend,
    ins: [number, number][],
    cout: number,
    tdim: number,
    c: UNetConfig,
    attn: boolean,
    up: boolean,
  ) {
    super(be);
    this.resnets = this.child('resnets', new ModuleList<ResBlock>(be));
    this.attentions = attn ? this.child('attentions', new ModuleList<SelfAttention2d>(be)) : null;
    ins.forEach(([ch, skip], j) => {
      this.concats.push(this.child(`cat${j}`, new ConcatChannels(be)));
      this.resnets.push(new ResBlock(be, { cin: ch + skip, cout, tdim, groups: c.groups }));
      this.attentions?.push(new SelfAttention2d(be, { channels: cout, heads: cout / c.headDim, groups: c.groups }));
    });
    if (up) {
      const list = this.child('upsamplers', new ModuleList<Upsample>(be));
      this.upsampler = list.push(new Upsample(be, cout));
    } else this.upsampler = null;
  }
}

/** One step of the down path whose output is a skip connection. */
interface DownUnit {
  forward(h: Tensor): Tensor;
  backward(dh: Tensor): Tensor;
}

export class UNet extends Module {
  readonly config: UNetConfig;
  readonly timeEmbedding: TimeEmbedding;
  readonly convIn: Conv2d;
  readonly down: DownBlock[] = [];
  readonly midResnets: ModuleList<ResBlock>;
  readonly midAttention: ModuleList<SelfAttention2d> | null;
  readonly up: UpBlock[] = [];
  readonly normOut: GroupNorm;
  readonly convOut: Conv2d;
  private readonly tact: SiLU;
  private units: DownUnit[] = [];
  private a: Tensor | null = null;

  /** Builds the network; with `rng`, also allocates and initialises its parameters (`materialize`). */
  constructor(be: Backend, config: Partial<UNetConfig> = {}, rng?: Rng) {
    super(be);
    const c = (this.config = unetConfig(config));
    const L = c.channels.length,
      c0 = c.channels[0],
      tdim = 4 * c0;
    this.timeEmbedding = this.child(
      'time_embedding',
      new TimeEmbedding(be, { dim: c0, hidden: tdim, timeScale: c.timeScale }),
    );
    this.tact = this.child('time_act', new SiLU(be));
    this.convIn = this.child('conv_in', new Conv2d(be, { cin: c.inChannels, cout: c0, kernel: 3, inputGrad: false }));
    const skips: number[] = [c0];
    this.units.push({ forward: (h) => this.convIn.forward(h), backward: (d) => this.convIn.backward(d) });
    const downList = this.child('down_blocks', new ModuleList<DownBlock>(be));
    let ch = c0;
    for (let l = 0; l < L; l++) {
      const blk = downList.push(
        new DownBlock(be, ch, c.channels[l], c.blocksPerLevel, tdim, c, c.attentionLevels.includes(l), l < L - 1),
      );
      this.down.push(blk);
      ch = c.channels[l];
      for (let b = 0; b < c.blocksPerLevel; b++) {
        const res = blk.resnets.items[b],
          att = blk.attentions?.items[b];
        this.units.push({
          forward: (h) => {
            const y = res.forward(h, this.a);
            return att ? att.forward(y) : y;
          },
          backward: (d) => res.backward(att ? att.backward(d) : d, this.daPtr()),
        });
        skips.push(ch);
      }
      if (blk.downsampler) {
        const ds = blk.downsampler;
        this.units.push({ forward: (h) => ds.forward(h), backward: (d) => ds.backward(d) });
        skips.push(ch);
      }
    }
    const mid = this.child('mid_block', new MidBlockNames(be));
    this.midResnets = mid.resnets;
    this.midResnets.push(new ResBlock(be, { cin: ch, cout: ch, tdim, groups: c.groups }));
    this.midAttention = c.midAttention ? mid.addAttentions() : null;
    this.midAttention?.push(new SelfAttention2d(be, { channels: ch, heads: ch / c.headDim, groups: c.groups }));
    this.midResnets.push(new ResBlock(be, { cin: ch, cout: ch, tdim, groups: c.groups }));
    const upList = this.child('up_blocks', new ModuleList<UpBlock>(be));
    for (let i = 0; i < L; i++) {
      const l = L - 1 - i,
        cout = c.channels[l];
      const ins: [number, number][] = [];
      for (let j = 0; j <= c.blocksPerLevel; j++) {
        ins.push([j === 0 ? ch : cout, skips.pop()!]);
      }
      this.up.push(upList.push(new UpBlock(be, ins, cout, tdim, c, c.attentionLevels.includes(l), i < L - 1)));
      ch = cout;
    }
    this.normOut = this.child(
      'conv_norm_out',
      new GroupNorm(be, { groups: c.groups, channels: ch, activation: 'silu' }),
    );
    this.convOut = this.child('conv_out', new Conv2d(be, { cin: ch, cout: c.outChannels, kernel: 3 }));
    if (rng) this.materialize(rng);
  }

  private daPtr(): Ptr {
    return this.ws('da', this.a ? numel(this.a.shape) : 1);
  }

  /** Predicts noise (or velocity) for images x (N, C, H, W) at times t (length N). */
  forward(x: Tensor, t: ArrayLike<number>): Tensor {
    const c = this.config;
    const [N, , H, W] = expectNCHW(x, c.inChannels, 'UNet');
    const f = 2 ** (c.channels.length - 1);
    if (H % f || W % f) throw new Error(`UNet: input ${shapeStr(x.shape)} is not divisible by ${f}`);
    if (t.length !== N) throw new Error(`UNet: ${t.length} times for a batch of ${N}`);
    this.a = this.tact.forward(this.timeEmbedding.forward(t));
    const skips: Tensor[] = [];
    let h = x;
    for (const u of this.units) {
      h = u.forward(h);
      skips.push(h);
    }
    h = this.midResnets.items[0].forward(h, this.a);
    if (this.midAttention) h = this.midAttention.items[0].forward(h);
    h = this.midResnets.items[1].forward(h, this.a);
    for (const blk of this.up) {
      blk.resnets.items.forEach((res, j) => {
        h = res.forward(blk.concats[j].forward(h, skips.pop()!), this.a);
        if (blk.attentions) h = blk.attentions.items[j].forward(h);
      });
      if (blk.upsampler) h = blk.upsampler.forward(h);
    }
    return this.convOut.forward(this.normOut.forward(h));
  }

  /**
   * Forward only, for sampling: y (N, outChannels, H, W) written to `out` (N outChannels H W elements), the batch run
   * in chunks so the layers' activation buffers are sized for a chunk, not the batch (inference at batch 500 then
   * needs the memory of one chunk). Default chunk: 65,536 pixels' worth of images (64 at 32 x 32, 256 at 16 x 16),
   * which keeps per-call overheads small against the work. Each sample's result does not depend on the chunking.
   * No backward after predict.
   */
  predict(x: Tensor, t: ArrayLike<number>, out: Ptr, chunk?: number): void {
    const [N, C, H, W] = expectNCHW(x, this.config.inChannels, 'UNet.predict');
    if (t.length !== N) throw new Error(`UNet.predict: ${t.length} times for a batch of ${N}`);
    chunk ??= Math.max(1, Math.round(65536 / (H * W)));
    if (!(Number.isInteger(chunk) && chunk >= 1))
      throw new Error(`UNet.predict: chunk must be a positive integer, got ${chunk}`);
    const inPer = C * H * W,
      outPer = this.config.outChannels * H * W;
    for (let n0 = 0; n0 < N; n0 += chunk) {
      const m = Math.min(chunk, N - n0);
      const ts = Array.from({ length: m }, (_, i) => t[n0 + i]);
      const y = this.forward(tensor([m, C, H, W], at(x.ptr, n0 * inPer)), ts);
      this.be.copy(y.ptr, at(out, n0 * outPer), m * outPer);
    }
    this.a = null;
  }

  /** Accumulates parameter gradients for dL/dy = dy (after `forward`). The input gets no gradient. */
  backward(dy: Tensor): void {
    if (!this.a) throw new Error('UNet.backward before forward');
    const da = this.daPtr();
    this.be.fill(da, numel(this.a.shape), 0);
    let d = this.normOut.backward(this.convOut.backward(dy));
    const dskips: Tensor[] = [];
    for (let i = this.up.length - 1; i >= 0; i--) {
      const blk = this.up[i];
      if (blk.upsampler) d = blk.upsampler.backward(d);
      for (let j = blk.resnets.length - 1; j >= 0; j--) {
        if (blk.attentions) d = blk.attentions.items[j].backward(d);
        const [dh, ds] = blk.concats[j].backward(blk.resnets.items[j].backward(d, da));
        d = dh;
        dskips.push(ds); // pushed in reverse pop order = forward push order of the skips
      }
    }
    d = this.midResnets.items[1].backward(d, da);
    if (this.midAttention) d = this.midAttention.items[0].backward(d);
    d = this.midResnets.items[0].backward(d, da);
    // Down path in reverse: each unit's output fed both the next unit and a skip, so its gradient is the sum.
    for (let k = this.units.length - 1; k >= 0; k--) {
      const ds = dskips[k];
      this.be.add(d.ptr, ds.ptr, ds.ptr, numel(ds.shape)); // in place in the concat's gradient buffer
      d = this.units[k].backward(ds);
    }
    this.timeEmbedding.backward(this.tact.backward(tensor(this.a.shape, da)));
  }
}

/** `mid_block` naming: resnets.0, attentions.0, resnets.1. */
class MidBlockNames extends Module {
  readonly resnets: ModuleList<ResBlock>;
  constructor(be: Backend) {
    super(be);
    this.resnets = this.child('resnets', new ModuleList<ResBlock>(be));
  }
  addAttentions(): ModuleList<SelfAttention2d> {
    return this.child('attentions', new ModuleList<SelfAttention2d>(this.be));
  }
}
