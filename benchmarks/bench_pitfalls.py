"""What the training-loop checks cost: one training step never enabled, checks on, checks off again.

The step is the seed loop's (forward, CrossEntropyLoss, zero_grad, backward, SGD step, running
loss with .item()) on a small MLP, where Python overhead, and so any wrapper, shows most; and on
the seed CNN at batch 32. Times are the best of several repeats, in ms; torch's step is printed
for reference.

Run: python benchmarks/bench_pitfalls.py [--repeat N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from _common import toy_model as cnn  # noqa: E402 - the seed CNN, built once

import ember  # noqa: E402


def mlp(nn):
    return nn.Sequential(
        nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)
    )


def make_step(lib, build, shape):
    lib.manual_seed(0)
    model = build(lib.nn)
    criterion = lib.nn.CrossEntropyLoss()
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    x, y = lib.rand(*shape), lib.randint(0, 10, (shape[0],))
    running = [0.0]

    def step():
        out = model(x)
        loss = criterion(out, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        running[0] += loss.item()

    return step


def best_ms(step, repeat: int) -> float:
    for _ in range(3):
        step()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    return min(times) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    torch.set_num_threads(1)
    cases = [
        ("MLP 32-64-64-10, batch 16", mlp, (16, 32), args.repeat),
        ("seed CNN, batch 32", cnn, (32, 3, 32, 32), max(5, args.repeat // 10)),
    ]
    print(
        f"{'step':<28}{'never on':>10}{'checks on':>11}{'off again':>11}{'torch':>9}"
        f"{'on/never':>10}{'off/never':>11}"
    )
    for name, build, shape, repeat in cases:
        step = make_step(ember, build, shape)
        never = best_ms(step, repeat)
        with ember.autograd.set_detect_pitfalls(True):
            on = best_ms(step, repeat)
        off = best_ms(step, repeat)
        ref = best_ms(make_step(torch, build, shape), repeat)
        print(
            f"{name:<28}{never:>10.3f}{on:>11.3f}{off:>11.3f}{ref:>9.3f}"
            f"{on / never:>10.2f}{off / never:>11.2f}"
        )
    print(
        "times in ms (best of repeats); 'off again' = after set_detect_pitfalls(True) then (False)"
    )


if __name__ == "__main__":
    main()
