"""Per-iteration overhead of tiny graphs, Ember against torch in one run.

Workloads: ``(a - b).abs().mean().backward()`` on 3-element tensors, a 20-op chain of 3-element
tensors with backward, the seed's 3-element ``nn.L1Loss()`` forward and backward, and
``nn.CrossEntropyLoss()`` forward and backward at 32x10. The two libraries run interleaved
(Ember's block, then torch's, repeated), so that a loaded machine slows both alike; the median
and the minimum per-iteration time of each are printed with the ratios (target: Ember at most
0.5x torch on the first two, at most 1x on the losses).

    python benchmarks/bench_tiny_graph.py [--repeats 15] [--iters 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

import ember


def seed_loss(m, a, b):
    a.grad = None
    (a - b).abs().mean().backward()


def chain20(m, a, b):
    a.grad = None
    x = a * b  # 1
    x = x + 1.0  # 2
    x = x.tanh()  # 3
    x = x * a  # 4
    x = x - b  # 5
    x = x.exp()  # 6
    x = x / (b + 2.0)  # 7, 8
    x = x.sigmoid()  # 9
    x = x**2  # 10
    x = x.relu()  # 11
    x = x * 0.5  # 12
    x = x + a  # 13
    x = x.sin()  # 14
    x = x.abs()  # 15
    x = x.sqrt()  # 16
    x = -x  # 17
    x = x.clamp(-1.0, 1.0)  # 18
    x = x.sum()  # 19
    (x * 3.0).backward()  # 20


def _three(m):
    return m.tensor([1.0, 2.0, 5.0], requires_grad=True), m.tensor([1.0, 2.0, 3.0])


def _logits(m):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 10)).astype(np.float32)
    y = rng.integers(0, 10, 32).astype(np.int64)
    return m.tensor(x, requires_grad=True), m.tensor(y)


def _loss_step(loss_name):
    losses = {}

    def step(m, a, b):
        loss = losses.get(m)
        if loss is None:
            loss = losses[m] = getattr(m.nn, loss_name)()
        a.grad = None
        loss(a, b).backward()

    return step


WORKLOADS = (
    ("(a - b).abs().mean().backward", seed_loss, _three, 0.5),
    ("20-op chain + backward", chain20, _three, 0.5),
    ("L1Loss (3,) fwd+bwd", _loss_step("L1Loss"), _three, 1.0),
    ("CrossEntropyLoss 32x10 fwd+bwd", _loss_step("CrossEntropyLoss"), _logits, 1.0),
)


def interleaved(fn, make, iters: int, repeats: int) -> dict:
    """Per-iteration seconds of each library, ``repeats`` alternating blocks of ``iters`` calls."""
    args = {m: make(m) for m in (ember, torch)}
    for m in (ember, torch):
        for _ in range(min(iters, 200)):
            fn(m, *args[m])
    times: dict = {ember: [], torch: []}
    for _ in range(repeats):
        for m in (ember, torch):
            a, b = args[m]
            t0 = time.perf_counter()
            for _ in range(iters):
                fn(m, a, b)
            times[m].append((time.perf_counter() - t0) / iters)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--iters", type=int, default=1000)
    args = ap.parse_args()
    torch.set_num_threads(1)
    with open("/proc/loadavg") as f:
        print("load average:", " ".join(f.read().split()[:3]))
    print(
        f"{'workload (us per iteration)':<32}{'ember med/min':>16}{'torch med/min':>16}"
        f"{'ratio med/min':>16}{'target':>8}"
    )
    for name, fn, make, target in WORKLOADS:
        t = interleaved(fn, make, args.iters, args.repeats)
        em, tm = statistics.median(t[ember]) * 1e6, statistics.median(t[torch]) * 1e6
        e0, t0 = min(t[ember]) * 1e6, min(t[torch]) * 1e6
        print(
            f"{name:<32}{em:>9.1f}/{e0:<6.1f}{tm:>9.1f}/{t0:<6.1f}"
            f"{em / tm:>9.2f}/{e0 / t0:<6.2f}{target:>7.1f}x"
        )


if __name__ == "__main__":
    main()
