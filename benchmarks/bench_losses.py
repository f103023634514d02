"""Loss forward+backward, Ember vs torch, in one run: CrossEntropyLoss at (32x10) and (256x1000),
and the seed's 3-element L1Loss. Prints both times per call and the ratio (Ember / torch).

    python benchmarks/bench_losses.py
"""

from __future__ import annotations

import os
import sys
import timeit

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import ember  # noqa: E402
from ember.nn.modules import loss as EL  # noqa: E402

torch.set_num_threads(1)


def _time(fn, min_time=0.3) -> float:
    """Best-of-5 seconds per call."""
    timer = timeit.Timer(fn)
    n, _ = timer.autorange()
    n = max(n, int(n * min_time / 0.2))
    return min(timer.repeat(5, n)) / n


def _case(name, e_loss, t_loss, x, y):
    ex = ember.tensor(x, requires_grad=True)
    tx = torch.tensor(x, requires_grad=True)
    ey, ty = ember.tensor(y), torch.tensor(y)

    def run_e():
        ex.grad = None
        e_loss(ex, ey).backward()

    def run_t():
        tx.grad = None
        t_loss(tx, ty).backward()

    run_e()
    run_t()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-6)
    te, tt = _time(run_e), _time(run_t)
    print(f"{name:<34} ember {te * 1e6:9.1f} us   torch {tt * 1e6:9.1f} us   ratio {te / tt:5.2f}")


def main() -> None:
    rng = np.random.default_rng(0)
    print("forward + backward, per call (torch on 1 thread)")
    for n, c in ((32, 10), (256, 1000)):
        x = rng.standard_normal((n, c)).astype(np.float32)
        y = rng.integers(0, c, n).astype(np.int64)
        _case(
            f"CrossEntropyLoss ({n}x{c})", EL.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(), x, y
        )
    _case(
        "L1Loss (3,)",
        EL.L1Loss(),
        torch.nn.L1Loss(),
        np.array([1, 2, 5], np.float32),
        np.array([1, 2, 3], np.float32),
    )
    _case(
        "MSELoss (3,)",
        EL.MSELoss(),
        torch.nn.MSELoss(),
        np.array([1, 2, 5], np.float32),
        np.array([1, 2, 3], np.float32),
    )


if __name__ == "__main__":
    main()
