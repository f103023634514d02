"""One training step of the seed's toy CNN at batch 32: Ember against torch, interleaved.

Step = forward, cross-entropy (log_softmax + gather + mean, so this runs before the loss modules
exist), backward, SGD update (p -= lr * grad under no_grad), zero_grad. ``--forward`` times the
forward alone under no_grad instead. Both models start from the same weights (torch's, loaded
through load_state_dict). Torch and Ember steps alternate, so both see the same machine load;
times are medians in ms and the ratio is the median of the per-pair ratios.

Run: python benchmarks/bench_seed_step.py [--steps N] [--batch B] [--threads T] [--forward]
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


def forward(lib, model, x):
    with lib.no_grad():
        return model(x)


def interleaved(fa, fb, steps):
    """Median times of fa and fb (ms) and the median of their per-pair ratios b/a."""
    for _ in range(2):
        fa()
        fb()
    ta, tb = [], []
    for _ in range(steps):
        t0 = time.perf_counter()
        fa()
        t1 = time.perf_counter()
        fb()
        t2 = time.perf_counter()
        ta.append(t1 - t0)
        tb.append(t2 - t1)
    ratio = statistics.median(b / a for a, b in zip(ta, tb))
    return statistics.median(ta) * 1e3, statistics.median(tb) * 1e3, ratio


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=15)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--threads", type=int, default=0, help="0: each library's default")
    ap.add_argument("--forward", action="store_true", help="time the no_grad forward only")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
        ember.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    x = rng.random((args.batch, 3, 32, 32), dtype=np.float32)
    y = rng.integers(0, 10, args.batch)

    torch.manual_seed(0)
    tm = toy_model(torch.nn)
    em = toy_model(ember.nn)
    em.load_state_dict({k: ember.tensor(v.numpy().copy()) for k, v in tm.state_dict().items()})
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    ex, ey = ember.tensor(x), ember.tensor(y)

    if args.forward:
        what = "no_grad forward"
        t_ms, e_ms, ratio = interleaved(
            lambda: forward(torch, tm, tx), lambda: forward(ember, em, ex), args.steps
        )
    else:
        what = "train step"
        t_ms, e_ms, ratio = interleaved(
            lambda: step(torch, tm, tx, ty), lambda: step(ember, em, ex, ey), args.steps
        )
    print(
        f"seed toy CNN {what}, batch {args.batch}, threads torch {torch.get_num_threads()} "
        f"ember {ember.get_num_threads()}, median of {args.steps}"
    )
    print(f"ember {e_ms:8.2f} ms   torch {t_ms:8.2f} ms   ratio {ratio:5.2f}")


if __name__ == "__main__":
    main()
