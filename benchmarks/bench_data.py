"""Data-pipeline benchmark: Ember vs torchvision + torch on the seed program's input pipeline.

1. One epoch of ``CIFAR10(train=False, transform=ToTensor())`` + ``DataLoader(batch_size=32)``
   over a 10,000-image test split (a byte-faithful fixture), in both frameworks, same run.
2. ``num_workers=2`` vs ``0`` on a per-item transform that costs real time (PIL colour jitter and
   a random resized crop to 96x96), in both frameworks.

Run: ``python benchmarks/bench_data.py [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
sys.path.insert(0, os.path.join(HERE, ".."))

from fixtures.vision_fixtures import write_cifar10  # noqa: E402

import ember.utils.data as ed  # noqa: E402
from ember.vision import datasets as evd  # noqa: E402
from ember.vision import transforms as ET  # noqa: E402


def _torch():
    import torch
    import torch.utils.data as td

    sys.modules.setdefault("torchvision._meta_registrations", types.ModuleType("_meta"))
    import torchvision

    # The fixture is not the official file: reduce torchvision's MD5 check to "it exists".
    torchvision.datasets.cifar.check_integrity = lambda p, md5=None: os.path.isfile(p)
    return torch, td, torchvision


def epoch_time(loader, repeat: int) -> tuple[float, int]:
    best, n = float("inf"), 0
    for _ in range(repeat):
        start = time.perf_counter()
        n = 0
        for _imgs, labels in loader:
            n += labels.shape[0]
        best = min(best, time.perf_counter() - start)
    return best, n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jitter-items", type=int, default=2000)
    args = parser.parse_args()
    torch, td, tv = _torch()
    torch.set_num_threads(1)

    with tempfile.TemporaryDirectory() as root:
        write_cifar10(root, n_per_batch=8, n_test=10_000)
        ours_ds = evd.CIFAR10(root, train=False, transform=ET.ToTensor(), download=False)
        theirs_ds = tv.datasets.CIFAR10(root, train=False, transform=tv.transforms.ToTensor())
        t_ours, n = epoch_time(ed.DataLoader(ours_ds, batch_size=32), args.repeat)
        t_theirs, _ = epoch_time(td.DataLoader(theirs_ds, batch_size=32), args.repeat)
        print(f"CIFAR-10 test split, ToTensor, batch_size=32: one epoch over {n} images")
        print(f"  ember  {t_ours * 1e3:8.1f} ms")
        print(f"  torch  {t_theirs * 1e3:8.1f} ms")
        print(f"  ratio ember/torch = {t_ours / t_theirs:.2f} (below 1: Ember faster)")

        def heavy(T):
            return T.Compose(
                [T.RandomResizedCrop(96), T.ColorJitter(0.4, 0.4, 0.4, 0.1), T.ToTensor()]
            )

        ours_ds = ed.Subset(
            evd.CIFAR10(root, train=False, transform=heavy(ET)), range(args.jitter_items)
        )
        theirs_ds = td.Subset(
            tv.datasets.CIFAR10(root, train=False, transform=heavy(tv.transforms)),
            range(args.jitter_items),
        )
        print(
            f"\nRandomResizedCrop(96) + ColorJitter + ToTensor on {args.jitter_items} images, "
            "batch_size=32"
        )
        for workers in (0, 2):
            t_o, _ = epoch_time(ed.DataLoader(ours_ds, 32, num_workers=workers), args.repeat)
            t_t, _ = epoch_time(td.DataLoader(theirs_ds, 32, num_workers=workers), args.repeat)
            print(
                f"  num_workers={workers}: ember {t_o * 1e3:8.1f} ms   torch {t_t * 1e3:8.1f} ms"
                f"   ratio {t_o / t_t:.2f}"
            )
            if workers == 0:
                base_o, base_t = t_o, t_t
        print(
            f"  speed-up with 2 workers: ember {base_o / t_o:.2f}x, torch {base_t / t_t:.2f}x "
            f"({len(os.sched_getaffinity(0))} CPUs)"
        )


if __name__ == "__main__":
    main()
