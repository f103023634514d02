"""``ember train``'s loop on the bundled digits against the same loop in torch.

Both train the seed's toy CNN (CrossEntropyLoss, SGD lr 0.01, batch 32, shuffled) on the same
32x32 RGB digits tensors from the same seed, then evaluate on the test split. Printed per run:
seconds per epoch (training only, median), final test accuracy, and the Ember/torch time ratio.

Run: python benchmarks/bench_train.py [--epochs N] [--seed S] [--threads T]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from _common import toy_model  # noqa: E402

import ember  # noqa: E402
from ember.cli import train as T  # noqa: E402


def torch_model() -> torch.nn.Module:
    return toy_model(torch.nn)


def run(lib, make_model, x_tr, y_tr, x_te, y_te, epochs: int, seed: int):
    lib.manual_seed(seed)
    model = make_model()
    opt = lib.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = lib.nn.CrossEntropyLoss()
    data = lib.utils.data
    loader = data.DataLoader(data.TensorDataset(x_tr, y_tr), batch_size=32, shuffle=True)
    times = []
    for _ in range(epochs):
        t = time.perf_counter()
        for x, y in loader:
            loss = loss_fn(model(x), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss.item()
        times.append(time.perf_counter() - t)
    with lib.no_grad():
        acc = (model(x_te).argmax(1) == y_te).float().mean().item()
    return times, acc


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None)
    args = p.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
        ember.set_num_threads(args.threads)
    train, test, _ = T.build_datasets("digits", "")
    arrays = [train.images.numpy(), train.labels.numpy(), test.images.numpy(), test.labels.numpy()]
    e_times, e_acc = run(
        ember,
        lambda: T.build_model("toy", 3, (32, 32), 10),
        *[ember.tensor(a) for a in arrays],
        args.epochs,
        args.seed,
    )
    t_times, t_acc = run(
        torch, torch_model, *[torch.from_numpy(a) for a in arrays], args.epochs, args.seed
    )
    e, t = statistics.median(e_times), statistics.median(t_times)
    print(
        f"digits, toy CNN, batch 32, {args.epochs} epochs, seed {args.seed}, "
        f"{ember.get_num_threads()} threads"
    )
    print(f"{'':10}{'s/epoch':>10}{'test acc':>10}")
    print(f"{'ember':10}{e:>10.3f}{100 * e_acc:>9.1f}%")
    print(f"{'torch':10}{t:>10.3f}{100 * t_acc:>9.1f}%")
    print(f"ratio ember/torch: {e / t:.2f}")


if __name__ == "__main__":
    main()
