"""Optimizer step speed: Ember vs torch on an MLP 784-256-10, batch 64.

Prints, for Adam (and SGD with momentum, for reference), the time of one optimizer step alone
(gradients already computed), of the forward and backward alone, and of one whole training step
(forward, backward, step), for both frameworks from the same run, and their ratio (Ember / torch;
below 1 means Ember is faster).

    python benchmarks/bench_optim.py [--repeats N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

import ember  # noqa: E402


def _model(M, rng_arrays):
    return [M.tensor(a.copy(), requires_grad=True) for a in rng_arrays]


def _loss(M, params, x, y):
    w1, b1, w2, b2 = params
    h = M.tanh(M.matmul(x, w1) + b1)
    logp = M.log_softmax(M.matmul(h, w2) + b2, dim=1)
    return -(logp * y).sum() / x.shape[0]


def _best_of(fn, repeats: int, inner: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        best = min(best, (time.perf_counter() - t0) / inner)
    return best


def bench(name: str, kwargs: dict, repeats: int) -> None:
    rng = np.random.default_rng(0)
    arrays = [
        rng.uniform(-0.05, 0.05, (784, 256)).astype(np.float32),
        np.zeros(256, np.float32),
        rng.uniform(-0.06, 0.06, (256, 10)).astype(np.float32),
        np.zeros(10, np.float32),
    ]
    x = rng.standard_normal((64, 784)).astype(np.float32)
    y = np.eye(10, dtype=np.float32)[rng.integers(0, 10, 64)]
    times = {}
    for label, M in (("ember", ember), ("torch", torch)):
        params = _model(M, arrays)
        opt = getattr(M.optim, name)(params, **kwargs)
        xt, yt = M.tensor(x), M.tensor(y)
        _loss(M, params, xt, yt).backward()

        def step_only(opt=opt):
            opt.step()

        def forward_backward(M=M, opt=opt, params=params, xt=xt, yt=yt):
            opt.zero_grad()
            _loss(M, params, xt, yt).backward()

        def train_step(opt=opt, forward_backward=forward_backward):
            forward_backward()
            opt.step()

        step_only()
        train_step()
        times[label] = (
            _best_of(step_only, repeats, 50),
            _best_of(forward_backward, repeats, 20),
            _best_of(train_step, repeats, 20),
        )
    for i, what in enumerate(("optimizer step", "fwd + bwd", "training step")):
        e, t = times["ember"][i] * 1e3, times["torch"][i] * 1e3
        print(f"{name:5s} {what:15s} ember {e:7.3f} ms   torch {t:7.3f} ms   ratio {e / t:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(
        f"MLP 784-256-10, batch 64; torch {torch.__version__} with "
        f"{torch.get_num_threads()} threads; best of {args.repeats}"
    )
    bench("Adam", dict(lr=1e-3), args.repeats)
    bench("SGD", dict(lr=1e-2, momentum=0.9), args.repeats)


if __name__ == "__main__":
    main()
