"""PyTorch reference timings for bench/nn.bench.ts (CPU, same models and step definitions).

Usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_nn.py [conv|unet|all] [--threads 2] [--steps N]
Prints one JSON object: {"convStepTorchMs": ..., "unetStepTorchMs": ...} (medians over timed steps, after warm-up).

conv: docs/engines.md's conv-net step: input 64x1x28x28; conv3x3 1->32 same, ReLU; conv3x3 32->64 stride 2, ReLU;
      conv3x3 64->64 same; dense 12544->784; MSE; Adam.
unet: the U-Net of src/nn/models/unet.ts with the bench config (channels 32/64/128, 2 blocks per level, attention at
      the lowest level and in the middle, 8 groups, head size 32), batch 32, 32x32x1, eps-MSE, AdamW.
"""
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def sinusoid(t, dim):
    half = dim // 2
    f = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32) / half)
    a = t[:, None] * f[None, :]
    return torch.cat([torch.cos(a), torch.sin(a)], dim=1)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, tdim, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(tdim, cout)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, a):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(a)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return (self.conv_shortcut(x) if self.conv_shortcut is not None else x) + h


class Attention(nn.Module):
    def __init__(self, c, heads, groups):
        super().__init__()
        self.heads = heads
        self.group_norm = nn.GroupNorm(groups, c)
        self.to_qkv = nn.Conv2d(c, 3 * c, 1)
        self.to_out = nn.Conv2d(c, c, 1)

    def forward(self, x):
        n, c, h, w = x.shape
        d, p = c // self.heads, h * w
        # Batched GEMMs over (batch * heads, tokens, head dim), the way attention is written for torch 1.x
        # (a 4-D einsum is pathologically slow on torch 1.13's CPU path).
        qkv = self.to_qkv(self.group_norm(x)).reshape(n, 3, self.heads * d, p)
        q = qkv[:, 0].reshape(n * self.heads, d, p).transpose(1, 2)  # (nh, P, d)
        k = qkv[:, 1].reshape(n * self.heads, d, p)  # (nh, d, P)
        v = qkv[:, 2].reshape(n * self.heads, d, p)  # (nh, d, P)
        a = torch.softmax(torch.bmm(q, k) * (1.0 / math.sqrt(d)), dim=-1)  # (nh, P, P) over keys
        o = torch.bmm(v, a.transpose(1, 2)).reshape(n, c, h, w)  # (nh, d, P)
        return x + self.to_out(o)


class TimeEmbedding(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.linear_1 = nn.Linear(dim, hidden)
        self.linear_2 = nn.Linear(hidden, hidden)


class Conv(nn.Module):
    """A module whose only child is `conv` (diffusers' Downsample2D / Upsample2D naming)."""

    def __init__(self, c, stride):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, stride=stride, padding=1)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.resnets = nn.ModuleList()
        self.attentions = nn.ModuleList()


class UNet(nn.Module):
    """src/nn/models/unet.ts in PyTorch, with the same parameter names, so its safetensors files load directly:
    model.load_state_dict(load_safetensors('dir/model.safetensors')). `config` is the JSON of dir/config.json."""

    def __init__(self, config):
        super().__init__()
        c = config
        chans, blocks, groups, head = c['channels'], c['blocksPerLevel'], c['groups'], c['headDim']
        attn = set(c['attentionLevels'])
        c0 = chans[0]
        tdim = 4 * c0
        self.c0, self.time_scale, self.blocks = c0, c['timeScale'], blocks
        self.time_embedding = TimeEmbedding(c0, tdim)
        self.conv_in = nn.Conv2d(c['inChannels'], c0, 3, padding=1)
        self.down_blocks = nn.ModuleList()
        skips = [c0]
        ch = c0
        L = len(chans)
        for l, co in enumerate(chans):
            blk = Block()
            for b in range(blocks):
                blk.resnets.append(ResBlock(ch if b == 0 else co, co, tdim, groups))
                if l in attn:
                    blk.attentions.append(Attention(co, co // head, groups))
                skips.append(co)
            ch = co
            if l < L - 1:
                blk.downsamplers = nn.ModuleList([Conv(co, 2)])
                skips.append(co)
            self.down_blocks.append(blk)
        self.mid_block = Block()
        self.mid_block.resnets.append(ResBlock(ch, ch, tdim, groups))
        if c['midAttention']:
            self.mid_block.attentions.append(Attention(ch, ch // head, groups))
        self.mid_block.resnets.append(ResBlock(ch, ch, tdim, groups))
        self.up_blocks = nn.ModuleList()
        for i in range(L):
            l = L - 1 - i
            co = chans[l]
            blk = Block()
            for j in range(blocks + 1):
                blk.resnets.append(ResBlock((ch if j == 0 else co) + skips.pop(), co, tdim, groups))
                if l in attn:
                    blk.attentions.append(Attention(co, co // head, groups))
            ch = co
            if i < L - 1:
                blk.upsamplers = nn.ModuleList([Conv(co, 1)])
            self.up_blocks.append(blk)
        self.conv_norm_out = nn.GroupNorm(groups, ch)
        self.conv_out = nn.Conv2d(ch, c['outChannels'], 3, padding=1)

    def forward(self, x, t):
        te = self.time_embedding
        a = F.silu(te.linear_2(F.silu(te.linear_1(sinusoid(t * self.time_scale, self.c0)))))
        h = self.conv_in(x)
        skips = [h]
        for blk in self.down_blocks:
            for b, res in enumerate(blk.resnets):
                h = res(h, a)
                if len(blk.attentions):
                    h = blk.attentions[b](h)
                skips.append(h)
            if hasattr(blk, 'downsamplers'):
                h = blk.downsamplers[0].conv(h)
                skips.append(h)
        h = self.mid_block.resnets[0](h, a)
        if len(self.mid_block.attentions):
            h = self.mid_block.attentions[0](h)
        h = self.mid_block.resnets[1](h, a)
        for blk in self.up_blocks:
            for j, res in enumerate(blk.resnets):
                h = res(torch.cat([h, skips.pop()], dim=1), a)
                if len(blk.attentions):
                    h = blk.attentions[j](h)
            if hasattr(blk, 'upsamplers'):
                h = blk.upsamplers[0].conv(F.interpolate(h, scale_factor=2, mode='nearest'))
        return self.conv_out(F.silu(self.conv_norm_out(h)))


BENCH_UNET = {
    'model': 'unet', 'inChannels': 1, 'outChannels': 1, 'channels': [32, 64, 128], 'blocksPerLevel': 2,
    'attentionLevels': [2], 'midAttention': True, 'groups': 8, 'headDim': 32, 'timeScale': 1000,
    'prediction': 'epsilon', 'sampleSize': 32,
}


def load_safetensors(path):
    """Minimal reader of the safetensors format (F32/F64) with the standard library and numpy."""
    import numpy as np
    b = open(path, 'rb').read()
    n = struct.unpack('<Q', b[:8])[0]
    header = json.loads(b[8:8 + n])
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        lo, hi = v['data_offsets']
        dt = {'F32': '<f4', 'F64': '<f8'}[v['dtype']]
        out[k] = torch.from_numpy(np.frombuffer(b[8 + n + lo:8 + n + hi], dtype=dt).reshape(v['shape']).copy())
    return out


def blas_library():
    """The BLAS shared library this process loaded (after a matmul), e.g. 'openblas-pthread/libblas.so.3'.
    Debian's python3-torch is built with BLAS_INFO=generic: its matrix products (Linear layers, torch.bmm) run on
    whatever libblas.so.3 the system provides, the slow reference BLAS unless OpenBLAS is installed
    (libopenblas0-pthread). A benchmark on the reference BLAS flatters every ratio that includes a matmul."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if 'blas' in line and line.split()[-1].startswith('/')}
    except OSError:
        return None
    real = sorted(os.path.realpath(p) for p in libs)
    return ', '.join('/'.join(p.split('/')[-2:]) for p in real) or None


def median_ms(step, warmup, steps):
    for _ in range(warmup):
        step()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return times[len(times) // 2]


def conv_step_ms(steps):
    torch.manual_seed(0)
    net = nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
        nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),
        nn.Conv2d(64, 64, 3, padding=1), nn.Flatten(), nn.Linear(12544, 784))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(64, 1, 28, 28)
    y = torch.randn(64, 784)

    def step():
        opt.zero_grad(set_to_none=False)
        loss = F.mse_loss(net(x), y)
        loss.backward()
        opt.step()

    return median_ms(step, 3, steps)


def unet_step_ms(steps):
    torch.manual_seed(0)
    net = UNet(BENCH_UNET)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4)
    x = torch.randn(32, 1, 32, 32)
    eps = torch.randn(32, 1, 32, 32)
    t = torch.rand(32)

    def step():
        opt.zero_grad(set_to_none=False)
        loss = F.mse_loss(net(x, t), eps)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()

    return median_ms(step, 2, steps)


def unet_case_ms(config, resolution, train_batch, infer_batch, steps):
    """Training step (forward, backward, clip 1, AdamW) at train_batch and forward-only inference (torch.no_grad,
    as a PyTorch user samples) at infer_batch, both medians in ms, and the parameter count."""
    torch.manual_seed(0)
    net = UNet(config)
    opt = torch.optim.AdamW(net.parameters(), lr=1e-4)
    x = torch.randn(train_batch, config['inChannels'], resolution, resolution)
    eps = torch.randn_like(x)
    t = torch.rand(train_batch)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.mse_loss(net(x, t), eps)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()

    train = median_ms(step, 2, steps)
    xi = torch.randn(infer_batch, config['inChannels'], resolution, resolution)
    ti = torch.rand(infer_batch)

    def infer():
        with torch.no_grad():
            net(xi, ti)

    infer_ms = median_ms(infer, 1, max(3, steps // 2))
    return {'trainTorchMs': train, 'inferTorchMs': infer_ms, 'paramsTorch': sum(p.numel() for p in net.parameters())}


def forward_from_files(model_dir, inputs, out_path):
    """Parity check: load dir/config.json + dir/model.safetensors, run on x, t from `inputs` (safetensors), write y."""
    config = json.load(open(model_dir + '/config.json'))
    net = UNet(config).double()
    net.load_state_dict({k: v.double() for k, v in load_safetensors(model_dir + '/model.safetensors').items()})
    io = load_safetensors(inputs)
    with torch.no_grad():
        y = net(io['x'].double(), io['t'].double())
    y = y.float().numpy().ravel()
    header = json.dumps({'y': {'dtype': 'F32', 'shape': [int(y.size)], 'data_offsets': [0, 4 * int(y.size)]}}).encode()
    header += b' ' * ((8 - len(header) % 8) % 8)
    with open(out_path, 'wb') as f:
        f.write(struct.pack('<Q', len(header)) + header + y.astype('<f4').tobytes())


def main():
    args = sys.argv[1:]
    if args and args[0] == 'forward':
        forward_from_files(args[1], args[2], args[3])
        return
    if args and args[0] == 'cases':
        # cases JSON: [{"name", "resolution", "trainBatch", "inferBatch", "config": {...}}]
        cases = json.loads(args[1])
        threads = int(args[args.index('--threads') + 1]) if '--threads' in args else 2
        steps = int(args[args.index('--steps') + 1]) if '--steps' in args else 10
        torch.set_num_threads(threads)
        out = {c['name']: unet_case_ms(c['config'], c['resolution'], c['trainBatch'], c['inferBatch'], steps) for c in cases}
        print(json.dumps({'torchVersion': torch.__version__, 'torchThreads': threads, 'torchBlas': blas_library(), 'cases': out}))
        return
    which = args[0] if args and not args[0].startswith('--') else 'all'
    threads = int(args[args.index('--threads') + 1]) if '--threads' in args else 2
    steps = int(args[args.index('--steps') + 1]) if '--steps' in args else 10
    torch.set_num_threads(threads)
    out = {'torchVersion': torch.__version__, 'torchThreads': threads, 'torchBlas': blas_library()}
    if which in ('conv', 'all'):
        out['convStepTorchMs'] = conv_step_ms(steps)
    if which in ('unet', 'all'):
        out['unetStepTorchMs'] = unet_step_ms(steps)
        out['unetParamsTorch'] = sum(p.numel() for p in UNet(BENCH_UNET).parameters())
    print(json.dumps(out))


if __name__ == '__main__':
    main()
