"""LSTM forward plus backward, Ember against torch, interleaved in one run.

Both models start from the same weights (torch's, through load_state_dict). Ember runs each
float32 layer as one fused node (``kernels/rnn.py``); torch runs oneDNN's LSTM. Sizes: a tiny
one, where per-step Python overhead counts, and a language-model-like one.

    python benchmarks/bench_rnn.py [--repeats 7] [--threads 1]
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

import ember  # noqa: E402

# (steps, batch, input size, hidden size, layers, bidirectional)
SIZES = [(5, 3, 16, 32, 1, False), (35, 20, 64, 128, 1, False), (20, 8, 32, 64, 2, True)]


def _pair(steps, batch, inp, hid, layers, bidir):
    torch.manual_seed(0)
    tm = torch.nn.LSTM(inp, hid, num_layers=layers, bidirectional=bidir)
    em = ember.nn.LSTM(inp, hid, num_layers=layers, bidirectional=bidir)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((steps, batch, inp)).astype(np.float32)
    return {torch: (tm, torch.tensor(x)), ember: (em, ember.tensor(x))}


def _step(model, x):
    out, (h, c) = model(x)
    (out.sum() + h.sum()).backward()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ember.set_num_threads(args.threads)
    print(f"LSTM forward + backward, {args.threads} thread(s), median of {args.repeats} blocks")
    print(f"{'T, N, in, hidden, layers, bidir':<34}{'ember ms':>10}{'torch ms':>10}{'ratio':>8}")
    for size in SIZES:
        pair = _pair(*size)
        iters = 20 if size[0] * size[1] > 200 else 200
        times: dict = {ember: [], torch: []}
        for lib in (ember, torch):
            _step(*pair[lib])
        for _ in range(args.repeats):
            for lib in (ember, torch):
                t0 = time.perf_counter()
                for _ in range(iters):
                    _step(*pair[lib])
                times[lib].append((time.perf_counter() - t0) / iters * 1e3)
        e, t = statistics.median(times[ember]), statistics.median(times[torch])
        print(f"{str(size):<34}{e:>10.3f}{t:>10.3f}{e / t:>8.2f}")


if __name__ == "__main__":
    main()
