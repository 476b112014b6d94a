"""One training step of the paper's per-time-step autoencoder in PyTorch, vectorised like the authors' code
(aranguri/diffusion, theoretical_predictions/learnGMM.py; docs/method.md §2.5-2.6), for the speed comparison in
bench/gmm.bench.ts.

Layout as in the authors' code: noise z and x_t are (d, n, T); u, w are (d, T); b, c are (T).
  x_t  = a(t_j) z + b(t_j) x1
  f    = c x_t + u tanh(b + <w, x_t> / (sqrt(d) c0))
  loss = n * MSELoss(f, x1)        (mean over d n T entries)
Adam (betas 0.9/0.999, eps 1e-8) with weight-decay groups: u -> lU, w -> lW, b and c -> 0. float32, fresh
torch.randn noise every step.

Run with OPENBLAS_NUM_THREADS=1 (the bench sets it). Prints one JSON line: {"msMedian": ..., "msAll": [...], ...}.
"""
import argparse
import json
import math
import time

import torch


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--d", type=int, default=1000)
    ap.add_argument("--n", type=int, default=128)
    ap.add_argument("--T", type=int, default=40)
    ap.add_argument("--kappa", type=float, default=2.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    d, n, T, kappa = args.d, args.n, args.T, args.kappa

    # dilated VP schedule on [0, 2] (docs/method.md §2.3), grid t_j = j * 2 / T; c0 = 1
    edge = kappa / math.sqrt(d)
    ts = torch.arange(T, dtype=torch.float64) * 2.0 / T
    tau = torch.where(ts < 1, edge * ts, edge + (1 - edge) * (ts - 1))
    a_t = (1 - tau).float()
    b_t = tau.float()
    c0 = 1.0

    p = 0.8
    s = torch.where(torch.rand(n) < p, 1.0, -1.0)
    x1 = torch.randn(d, n) + s[None, :]

    c = torch.randn(T, requires_grad=True)
    b = torch.randn(T, requires_grad=True)
    u = torch.randn(d, T, requires_grad=True)
    w = torch.randn(d, T, requires_grad=True)
    opt = torch.optim.Adam(
        [
            {"params": [u], "weight_decay": 1e-5},
            {"params": [w], "weight_decay": 1e-5},
            {"params": [b, c], "weight_decay": 0.0},
        ],
        lr=1e-4,
    )
    mse = torch.nn.MSELoss()
    target = x1[:, :, None].expand(d, n, T)
    scale = 1.0 / (math.sqrt(d) * c0)

    def step() -> float:
        z = torch.randn(d, n, T)
        xt = a_t * z + b_t * x1[:, :, None]
        pre = b + torch.einsum("dt,dnt->nt", w, xt) * scale
        f = c * xt + u[:, None, :] * torch.tanh(pre)[None, :, :]
        loss = n * mse(f, target)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return float(loss)

    for _ in range(args.warmup):
        step()
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    srt = sorted(times)
    print(
        json.dumps(
            {
                "msMedian": srt[len(srt) // 2],
                "msMin": srt[0],
                "msAll": times,
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "d": d,
                "n": n,
                "T": T,
            }
        )
    )


if __name__ == "__main__":
    main()
