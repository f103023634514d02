"""More handwritten-digit datasets: USPS, SEMEION and QMNIST."""

from __future__ import annotations

import bz2
import lzma
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

import ember

from ._listing import NOT_FOUND_OR_CORRUPTED
from .mnist import MNIST, read_idx
from .utils import VisionDataset, check_integrity, download_url, verify_str_arg

__all__ = ["QMNIST", "SEMEION", "USPS"]


class _GrayDigits(VisionDataset):
    """Items from a uint8 ``(N, H, W)`` array ``data`` and integer ``labels``."""

    data: np.ndarray
    _targets: Any

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: a PIL image of mode ``"L"`` and the digit."""
        from PIL import Image

        img = Image.fromarray(self.data[index], mode="L")
        return self._apply_transforms(img, int(self._targets[index]))

    def __len__(self) -> int:
        return len(self.data)


class USPS(_GrayDigits):
    """`USPS <https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass.html#usps>`_
    Dataset: 16x16 digits from the bzip2-compressed LIBSVM files ``usps.bz2`` / ``usps.t.bz2``.

    Args:
        root: directory holding the files.
        train: ``usps.bz2`` if True, else ``usps.t.bz2``.
        transform: callable applied to the PIL image (mode ``"L"``).
        target_transform: callable applied to the int target.
        download: fetch the file (MD5-checked) if missing.

    Labels 1..10 become 0..9; pixel values in [-1, 1] become 0..255. A missing file raises
    ``FileNotFoundError`` (there is no "not found" check, as in torchvision).
    """

    split_list = {
        "train": [
            "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass/usps.bz2",
            "usps.bz2",
            "ec16c51db3855ca6c91edd34d0e9b197",
        ],
        "test": [
            "https://www.csie.ntu.edu.tw/~cjlin/libsvmtools/datasets/multiclass/usps.t.bz2",
            "usps.t.bz2",
            "8ea070ee2aca1ac39742fdd1ef5ed118",
        ],
    }

    def __init__(
        self,
        root: str | Path,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        url, filename, checksum = self.split_list["train" if train else "test"]
        full_path = os.path.join(self.root, filename)
        if download and not os.path.exists(full_path):
            download_url(url, self.root, filename, md5=checksum)
        with bz2.open(full_path) as fp:
            rows = [line.decode().split() for line in fp]
        values = []
        for n, row in enumerate(rows):
            if len(row) != 257:
                raise RuntimeError(
                    f"USPS file {full_path}, line {n + 1}: expected a label and 256 pixels, "
                    f"got {len(row)} fields"
                )
            values.append([field.split(":")[-1] for field in row[1:]])
        # Parsed straight to float32 and scaled in float32, the arithmetic torchvision does.
        pixels = np.asarray(values, dtype=np.float32).reshape(-1, 16, 16)
        self.data: np.ndarray = ((pixels + 1) / 2 * 255).astype(np.uint8)
        self.targets: list[int] = [int(row[0]) - 1 for row in rows]
        self._targets = self.targets


class SEMEION(_GrayDigits):
    """`SEMEION <http://archive.ics.uci.edu/ml/datasets/semeion+handwritten+digit>`_ Dataset:
    1,593 16x16 binary digits from the text file ``semeion.data``.

    Args:
        root: directory holding ``semeion.data``.
        transform: callable applied to the PIL image (mode ``"L"``).
        target_transform: callable applied to the int target.
        download: fetch the file (MD5-checked) if missing. Default: True, as in torchvision.
    """

    url = "http://archive.ics.uci.edu/ml/machine-learning-databases/semeion/semeion.data"
    filename = "semeion.data"
    md5_checksum = "cb545d371d2ce14ec121470795a77432"

    def __init__(
        self,
        root: str | Path,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = True,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        path = os.path.join(self.root, self.filename)
        table = np.loadtxt(path, ndmin=2)
        if table.shape[1] != 266:
            raise RuntimeError(
                f"SEMEION file {path}: expected 256 pixels and 10 one-hot labels per line, got "
                f"{table.shape[1]} values"
            )
        self.data: np.ndarray = (table[:, :256] * 255).astype(np.uint8).reshape(-1, 16, 16)
        rows, self.labels = np.nonzero(table[:, 256:])
        if len(rows) != len(table) or (rows != np.arange(len(table))).any():
            raise RuntimeError(f"SEMEION file {path}: every line needs exactly one label set")
        self._targets = self.labels

    def _check_integrity(self) -> bool:
        return check_integrity(os.path.join(self.root, self.filename))

    def download(self) -> None:
        """Fetch ``semeion.data`` unless it is already present."""
        if not self._check_integrity():
            download_url(self.url, self.root, self.filename, self.md5_checksum)


class QMNIST(MNIST):
    """`QMNIST <https://github.com/facebookresearch/qmnist>`_ Dataset: MNIST with extended labels.

    Args:
        root: directory holding ``QMNIST/raw/qmnist-{train|test}-...`` or ``xnist-...`` files (raw
            or ``.gz``).
        what: ``"train"``, ``"test"`` (60k), ``"test10k"``, ``"test50k"`` or ``"nist"``; by
            default ``"train"`` or ``"test"`` according to ``train``.
        compat: targets are the class index if True, else the row of 8 label fields (an int64
            tensor: class, NIST HSF series, writer id, digit index, ...).
        train: picks ``what`` when it is None.
        **kwargs: ``transform``, ``target_transform``, ``download`` as for :class:`MNIST`.
    """

    subsets = {
        "train": "train",
        "test": "test",
        "test10k": "test",
        "test50k": "test",
        "nist": "nist",
    }
    _prefix = "https://raw.githubusercontent.com/facebookresearch/qmnist/master/"
    resources = {  # type: ignore[assignment]
        "train": [
            (_prefix + "qmnist-train-images-idx3-ubyte.gz", "ed72d4157d28c017586c42bc6afe6370"),
            (_prefix + "qmnist-train-labels-idx2-int.gz", "0058f8dd561b90ffdd0f734c6a30e5e4"),
        ],
        "test": [
            (_prefix + "qmnist-test-images-idx3-ubyte.gz", "1394631089c404de565df7b7aeaf9412"),
            (_prefix + "qmnist-test-labels-idx2-int.gz", "5b5b05890a5e13444e108efe57b788aa"),
        ],
        "nist": [
            (_prefix + "xnist-images-idx3-ubyte.xz", "7f124b3b8ab81486c9d8c2749c17f834"),
            (_prefix + "xnist-labels-idx2-int.xz", "5ed0e788978e45d4a8bd4b7caec3d79d"),
        ],
    }

    def __init__(
        self,
        root: str | Path,
        what: str | None = None,
        compat: bool = True,
        train: bool = True,
        **kwargs: Any,
    ) -> None:
        if what is None:
            what = "train" if train else "test"
        self.what = verify_str_arg(what, "what", tuple(self.subsets))
        self.compat = compat
        super().__init__(root, train, **kwargs)

    def _raw_file(self, which: int) -> str:
        url, _ = self.resources[self.subsets[self.what]][which]
        return os.path.join(self.raw_folder, os.path.splitext(os.path.basename(url))[0])

    @property
    def images_file(self) -> str:
        return self._raw_file(0)

    @property
    def labels_file(self) -> str:
        return self._raw_file(1)

    def _required_files(self) -> list[str]:
        return [self.images_file, self.labels_file]

    def _load_data(self) -> tuple[ember.Tensor, ember.Tensor]:
        images_path, labels_path = self._present(self.images_file), self._present(self.labels_file)
        images, labels = read_idx(images_path), read_idx(labels_path)
        if images.dtype != np.uint8:
            raise TypeError(f"data should be of dtype torch.uint8 instead of {images.dtype}")
        if images.ndim != 3:
            raise ValueError(f"data should have 3 dimensions instead of {images.ndim}")
        if labels.ndim != 2:
            raise ValueError(f"targets should have 2 dimensions instead of {labels.ndim}")
        if len(images) != len(labels):
            raise ValueError(
                f"{images_path} holds {len(images)} images but {labels_path} holds "
                f"{len(labels)} label rows"
            )
        part = {"test10k": slice(0, 10000), "test50k": slice(10000, None)}.get(self.what)
        if part is not None:
            images, labels = images[part], labels[part]
        return ember.from_numpy(images), ember.from_numpy(labels.astype(np.int64))

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: a PIL image of mode ``"L"`` and the class (``compat``)
        or the int64 tensor of the 8 label fields."""
        from PIL import Image

        img = Image.fromarray(self.data[index].numpy(), mode="L")
        if self.transform is not None:
            img = self.transform(img)
        target = self.targets[index]
        if self.compat:
            target = int(target[0])
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def download(self) -> None:
        """Fetch the two files of ``what`` (``.gz`` kept as is, ``.xz`` decompressed)."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for url, md5 in self.resources[self.subsets[self.what]]:
            archive = download_url(url, self.raw_folder, md5=md5)
            if archive.endswith(".xz"):
                with lzma.open(archive) as src, open(os.path.splitext(archive)[0], "wb") as dst:
                    shutil.copyfileobj(src, dst)
            elif not archive.endswith(".gz"):
                raise RuntimeError(f"Unexpected QMNIST file {archive}")

    def extra_repr(self) -> str:
        """The split line of the repr."""
        return f"Split: {self.what}"
