"""Per-iteration overhead of tiny graphs, Ember against torch in one run.

Two workloads on 3-element tensors: ``(a - b).abs().mean().backward()`` and a 20-op chain with
backward. Prints the median per-iteration time of each library over several repeats and the
ratio (target: Ember at most 0.5x torch).

    python benchmarks/bench_tiny_graph.py [--repeats 7] [--iters 2000]
"""

from __future__ import annotations

import argparse
import statistics
import time

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


def per_iter(fn, m, iters: int, repeats: int) -> float:
    a = m.tensor([1.0, 2.0, 5.0], requires_grad=True)
    b = m.tensor([1.0, 2.0, 3.0])
    for _ in range(min(iters, 200)):
        fn(m, a, b)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(iters):
            fn(m, a, b)
        times.append((time.perf_counter() - t0) / iters)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--iters", type=int, default=2000)
    args = ap.parse_args()
    torch.set_num_threads(1)
    print(f"{'workload':<28}{'ember (us)':>12}{'torch (us)':>12}{'ratio':>8}")
    for name, fn in (
        ("(a - b).abs().mean().backward", seed_loss),
        ("20-op chain + backward", chain20),
    ):
        e = per_iter(fn, ember, args.iters, args.repeats) * 1e6
        t = per_iter(fn, torch, args.iters, args.repeats) * 1e6
        print(f"{name:<28}{e:>12.1f}{t:>12.1f}{e / t:>8.2f}x")


if __name__ == "__main__":
    main()
