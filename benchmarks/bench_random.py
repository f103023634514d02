"""RNG benchmark: Ember's torch-identical random streams vs torch on CPU, same run.

Each row times one call on 2**20 elements (best of ``--repeat``), Ember then torch, and prints
their ratio.  Ember's numbers are bit-identical to torch's (tests/test_same_seed.py); this shows
what that costs.

Run: ``python benchmarks/bench_random.py [--repeat 5] [--size 1048576]``.

Kernel-level figures from one run on the development machine (2 shared cores under heavy load
from other jobs, so absolute times are inflated; 2**20 elements, best of 5), the previous kernel
(per-block Python twist, emulated FMA on every element, Python swap loop) against this one:

    call            before      after     torch    speed-up   ratio to torch now
    randn float32   901 ms     332 ms    9.5 ms      2.7x          35
    randn float64   511 ms     284 ms     44 ms      1.8x           6.5
    rand float32    155 ms      11 ms    9.2 ms     13.9x           1.2
    randperm       1287 ms     300 ms     32 ms      4.3x           9.5
    exponential_    517 ms     224 ms     32 ms      2.3x           7.1
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ember  # noqa: E402


def best_of(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def cases(m, n: int):
    return {
        "rand float32": lambda: m.rand(n),
        "rand float64": lambda: m.rand(n, dtype=m.float64),
        "randn float32": lambda: m.randn(n),
        "randn float64": lambda: m.randn(n, dtype=m.float64),
        "randint(0, 10)": lambda: m.randint(0, 10, (n,)),
        "randperm": lambda: m.randperm(n),
        "bernoulli_(0.5)": lambda: m.empty(n).bernoulli_(0.5),
        "exponential_()": lambda: m.empty(n).exponential_(),
        "normal_ (transposed)": lambda: m.empty(1024, n // 1024).t().normal_(),
        "multinomial(k=1000)": lambda: m.multinomial(m.ones(n), 1000),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--size", type=int, default=2**20)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(1)
    ours, theirs = cases(ember, args.size), cases(torch, args.size)
    print(f"{'call':24s} {'ember ms':>10s} {'torch ms':>10s} {'ratio':>8s}")
    for name in ours:
        ember.manual_seed(0)
        torch.manual_seed(0)
        a, b = best_of(ours[name], args.repeat), best_of(theirs[name], args.repeat)
        print(f"{name:24s} {a * 1e3:10.1f} {b * 1e3:10.1f} {a / b:8.1f}")


if __name__ == "__main__":
    main()
