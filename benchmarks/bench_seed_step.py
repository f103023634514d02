"""One training step of the seed's toy CNN at batch 32: Ember against torch.

Step = forward, cross-entropy (log_softmax + gather + mean, so this runs before the loss modules
exist), backward, SGD update (p -= lr * grad under no_grad), zero_grad. Both models start from
the same weights (torch's, loaded through load_state_dict). Times are the median of several
steps after a warm-up, in ms, from one run.

Run: python benchmarks/bench_seed_step.py [--steps N] [--batch B]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from _common import toy_model  # noqa: E402

import ember  # noqa: E402


def step(lib, model, x, y, lr=0.01):
    out = model(x)
    loss = -lib.nn.functional.log_softmax(out, 1).gather(1, y.unsqueeze(1)).mean()
    loss.backward()
    with lib.no_grad():
        for p in model.parameters():
            p -= lr * p.grad
    model.zero_grad()
    return loss


def timed(fn, steps):
    fn()
    fn()
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    x = rng.random((args.batch, 3, 32, 32), dtype=np.float32)
    y = rng.integers(0, 10, args.batch)

    torch.manual_seed(0)
    tm = toy_model(torch.nn)
    em = toy_model(ember.nn)
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    ex, ey = ember.tensor(x), ember.tensor(y)

    t_ms = timed(lambda: step(torch, tm, tx, ty), args.steps)
    e_ms = timed(lambda: step(ember, em, ex, ey), args.steps)
    print(
        f"seed toy CNN train step, batch {args.batch}, torch threads {torch.get_num_threads()}, "
        f"median of {args.steps}"
    )
    print(f"ember {e_ms:8.2f} ms   torch {t_ms:8.2f} ms   ratio {e_ms / t_ms:5.2f}")


if __name__ == "__main__":
    main()
