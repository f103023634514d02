"""Digits: the UCI optical-recognition handwritten digits (8x8), bundled with Ember.

The data (1,797 images, pixel values 0..16, labels 0..9) is the copy scikit-learn ships as
``sklearn/datasets/data/digits.csv.gz``; see ``data/DIGITS_LICENSE.txt`` for attribution and the
CC BY 4.0 licence. ``data/digits.npz`` holds:

- ``images``: uint8 ``(1797, 8, 8)``, values 0..16, in the fixed shuffled order described below;
- ``labels``: int64 ``(1797,)``;
- ``source_index``: uint16 ``(1797,)``, the row of each image in scikit-learn's file.

The split is fixed by that stored order: rows were shuffled once by
``numpy.random.default_rng(0).permutation(1797)`` when the file was built (see
:func:`_build_digits_npz`), and the first ``N_TRAIN = 1437`` (80%) are the training set, the last
360 the test set. Because the order is stored, the split does not depend on the NumPy version.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .utils import VisionDataset

__all__ = ["Digits"]

DATA_FILE = os.path.join(os.path.dirname(__file__), "data", "digits.npz")
N_TRAIN = 1437
SPLIT_SEED = 0


def _build_digits_npz(csv_gz: str | Path, out: str | Path = DATA_FILE) -> None:
    """Rebuild ``digits.npz`` from scikit-learn's ``digits.csv.gz`` (64 pixels then the label)."""
    with gzip.open(csv_gz, "rt") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    order = np.random.default_rng(SPLIT_SEED).permutation(len(table))
    table = table[order]
    np.savez_compressed(
        out,
        images=table[:, :64].reshape(-1, 8, 8).astype(np.uint8),
        labels=table[:, 64].astype(np.int64),
        source_index=order.astype(np.uint16),
    )


def _load_arrays() -> tuple[np.ndarray, np.ndarray]:
    with np.load(DATA_FILE, allow_pickle=False) as f:
        return f["images"], f["labels"]


class Digits(VisionDataset):
    """The bundled 8x8 handwritten digits (1,437 train / 360 test images, 10 classes).

    Args:
        root: unused (the data ships with Ember); accepted for a uniform signature and shown by
            ``repr`` when given.
        train: the training split if True, else the test split.
        transform: callable applied to the PIL image (mode ``"L"``, 8x8).
        target_transform: callable applied to the int target.

    ``data`` is a uint8 ``(N, 8, 8)`` array scaled from 0..16 to 0..255 (``v * 255 / 16``
    rounded half up), exactly the pixels of the items; ``targets`` is a list of int; ``classes``
    is ``"0"``..``"9"``.
    """

    classes = [str(d) for d in range(10)]

    def __init__(
        self,
        root: str | Path | None = None,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        images, labels = _load_arrays()
        part = slice(None, N_TRAIN) if train else slice(N_TRAIN, None)
        scaled = (images[part].astype(np.uint16) * 255 + 8) // 16
        self.data: np.ndarray = scaled.astype(np.uint8)
        self.targets: list[int] = labels[part].tolist()

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {c: i for i, c in enumerate(self.classes)}

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: an 8x8 PIL image of mode ``"L"`` and the digit."""
        from PIL import Image

        return self._apply_transforms(Image.fromarray(self.data[index]), self.targets[index])

    def __len__(self) -> int:
        return len(self.data)

    def extra_repr(self) -> str:
        """The split line of the repr: ``Split: Train`` or ``Split: Test``."""
        return f"Split: {'Train' if self.train is True else 'Test'}"
