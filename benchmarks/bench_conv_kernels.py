"""Conv and pooling kernels of the seed CNN at batch 32: Ember's NumPy kernels against torch.

Layers: Conv2d(3,32,5,p=2) -> MaxPool2d(2) -> Conv2d(32,32,5,p=2) -> MaxPool2d(2)
-> Conv2d(32,64,5,p=2) -> MaxPool2d(2), input 32x3x32x32 float32. Each kernel runs on the layout
it sees in training (the previous kernel's output). The first conv needs no input gradient, as
in training (the images do not require grad). Times are the best of several repeats, in ms.

Run: python benchmarks/bench_conv_kernels.py [--repeat N] [--threads T] [--winograd]
"""

from __future__ import annotations

import argparse
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from ember.kernels import conv as C  # noqa: E402
from ember.kernels import pool as P  # noqa: E402
from ember.kernels import winograd as W  # noqa: E402

LAYERS = [(3, 32, 32), (32, 32, 16), (32, 64, 8)]  # (C_in, C_out, H=W)


def best(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=0, help="0: each library's default")
    ap.add_argument("--winograd", action="store_true", help="stride-1 convs on Winograd")
    args = ap.parse_args()
    W.ENABLED = args.winograd
    if args.threads:
        import ember

        torch.set_num_threads(args.threads)
        ember.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    rows = []
    x = rng.standard_normal((args.batch, 3, 32, 32), dtype=np.float32)
    tx = torch.from_numpy(x.copy())
    for i, (cin, cout, _) in enumerate(LAYERS):
        w = (rng.standard_normal((cout, cin, 5, 5)) * 0.1).astype(np.float32)
        b = np.zeros(cout, np.float32)
        first = i == 0
        needs = (not first, True, True)

        # ---- Ember
        y = C.conv2d_forward(x, w, b, 1, 2)
        gy = np.moveaxis(
            np.ascontiguousarray(
                np.moveaxis(rng.standard_normal(y.shape, dtype=np.float32), 1, -1)
            ),
            -1,
            1,
        )
        e_cf = best(partial(C.conv2d_forward, x, w, b, 1, 2), args.repeat)
        e_cb = best(partial(C.conv2d_backward, gy, x, w, 1, 2, 1, 1, needs), args.repeat)
        p, idx = P.max_pool2d_forward(y, 2)
        gp = np.moveaxis(
            np.ascontiguousarray(
                np.moveaxis(rng.standard_normal(p.shape, dtype=np.float32), 1, -1)
            ),
            -1,
            1,
        )
        e_pf = best(partial(P.max_pool2d_forward, y, 2), args.repeat)
        # the window, as the max-pool primitive passes it: tiling windows skip the scatter
        win = P.tiled_window(y.shape, 2)
        e_pb = best(partial(P.max_pool2d_backward, gp, idx, y.shape, win), args.repeat)

        # ---- torch (autograd through the same ops)
        tw = torch.from_numpy(w).requires_grad_()
        tb = torch.from_numpy(b).requires_grad_()
        txg = tx.detach().requires_grad_(not first)
        ty = F.conv2d(txg, tw, tb, 1, 2)
        tgy = torch.from_numpy(np.ascontiguousarray(gy))
        inputs = (tw, tb) if first else (txg, tw, tb)
        t_cf = best(partial(F.conv2d, txg, tw, tb, 1, 2), args.repeat)
        t_cb = best(partial(torch.autograd.grad, ty, inputs, tgy, retain_graph=True), args.repeat)
        tyd = ty.detach().requires_grad_()
        tp = F.max_pool2d(tyd, 2)
        tgp = torch.from_numpy(np.ascontiguousarray(gp))
        t_pf = best(partial(F.max_pool2d, tyd, 2), args.repeat)
        t_pb = best(partial(torch.autograd.grad, tp, (tyd,), tgp, retain_graph=True), args.repeat)

        name = f"conv{i + 1} {cin}->{cout}"
        rows += [
            (f"{name} fwd", e_cf, t_cf),
            (f"{name} bwd", e_cb, t_cb),
            (f"pool{i + 1} fwd", e_pf, t_pf),
            (f"pool{i + 1} bwd", e_pb, t_pb),
        ]
        x, tx = p, tp.detach()

    print(
        f"batch {args.batch}, torch threads {torch.get_num_threads()}, best of {args.repeat}, "
        f"winograd {'on' if args.winograd else 'off'}"
    )
    print(f"{'kernel':<22}{'ember ms':>10}{'torch ms':>10}{'ratio':>8}")
    for name, e, t in rows:
        print(f"{name:<22}{e:>10.3f}{t:>10.3f}{e / t:>8.2f}")
    te, tt = sum(r[1] for r in rows), sum(r[2] for r in rows)
    print(f"{'total':<22}{te:>10.3f}{tt:>10.3f}{te / tt:>8.2f}")


if __name__ == "__main__":
    main()
