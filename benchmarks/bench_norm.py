"""Normalization layers, Ember vs torch, in one run: forward alone and forward+backward of
LayerNorm, BatchNorm1d/2d (train and eval), GroupNorm, InstanceNorm2d and RMSNorm at a
transformer-ish (8, 128, 256) and a CNN-ish (32, 64, 16, 16) shape. Prints both times per call and
the ratio (Ember / torch).

CPU time of this thread (``time.thread_time``), one thread each, the two libraries interleaved
and the best of several repeats kept: the figures hold on a loaded, shared machine.

    python benchmarks/bench_norm.py [filter]
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ember  # noqa: E402

torch.set_num_threads(1)
ember.set_num_threads(1)

SEQ, CNN = (8, 128, 256), (32, 64, 16, 16)


def _cases():
    """(name, module factory taking nn, input shape, train mode)."""
    return [
        ("LayerNorm(1024) (32,1024)", lambda nn: nn.LayerNorm(1024), (32, 1024), True),
        ("LayerNorm(256) (8,128,256)", lambda nn: nn.LayerNorm(256), SEQ, True),
        ("RMSNorm(256) (8,128,256)", lambda nn: nn.RMSNorm(256), SEQ, True),
        ("GroupNorm(8,128) (8,128,256)", lambda nn: nn.GroupNorm(8, 128), SEQ, True),
        ("BatchNorm1d(128) train (8,128,256)", lambda nn: nn.BatchNorm1d(128), SEQ, True),
        ("BatchNorm1d(128) eval (8,128,256)", lambda nn: nn.BatchNorm1d(128), SEQ, False),
        ("BatchNorm2d(64) train (32,64,8,8)", lambda nn: nn.BatchNorm2d(64), (32, 64, 8, 8), True),
        ("BatchNorm2d(64) train (32,64,16,16)", lambda nn: nn.BatchNorm2d(64), CNN, True),
        ("BatchNorm2d(64) eval (32,64,16,16)", lambda nn: nn.BatchNorm2d(64), CNN, False),
        ("GroupNorm(8,64) (32,64,16,16)", lambda nn: nn.GroupNorm(8, 64), CNN, True),
        ("InstanceNorm2d(64) (32,64,16,16)", lambda nn: nn.InstanceNorm2d(64, affine=1), CNN, True),
        ("LayerNorm([16,16]) (32,64,16,16)", lambda nn: nn.LayerNorm([16, 16]), CNN, True),
    ]


def _best(fns, repeats=7, min_time=0.02) -> list:
    """Best thread-CPU seconds per call of each fn, the fns interleaved repeat by repeat."""
    counts = []
    for fn in fns:  # calls per repeat: about min_time of CPU each
        fn()
        n, t0 = 0, time.thread_time()
        while n < 2 or time.thread_time() - t0 < min_time / 4:
            fn()
            n += 1
        counts.append(n * 4)
    best = [float("inf")] * len(fns)
    for _ in range(repeats):
        for i, (fn, n) in enumerate(zip(fns, counts)):
            t0 = time.thread_time()
            for _ in range(n):
                fn()
            best[i] = min(best[i], (time.thread_time() - t0) / n)
    return best


def _pair(make, shape, train, backward):
    """Ember's and torch's step: a module's forward (and backward), with the same input."""
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    steps = []
    for lib in (ember, torch):
        m = make(lib.nn)
        m.train(train)
        t = lib.tensor(x, requires_grad=backward)
        g = lib.ones(shape) if backward else None

        if backward:

            def step(m=m, t=t, g=g):
                t.grad = None
                m(t).backward(g)

        else:

            def step(m=m, t=t):
                m(t)

        steps.append(step)
    return steps


def main() -> None:
    pick = sys.argv[1] if len(sys.argv) > 1 else ""
    print("per call, thread CPU time, best of 7 (1 thread)")
    print(f"{'':<38}{'forward':>30}   {'forward + backward':>30}")
    for name, make, shape, train in _cases():
        if pick not in name:
            continue
        row = f"{name:<38}"
        for backward in (False, True):
            te, tt = _best(_pair(make, shape, train, backward))
            row += f" {te * 1e6:8.1f} /{tt * 1e6:8.1f} us x{te / tt:5.2f}"
        print(row, flush=True)


if __name__ == "__main__":
    main()
