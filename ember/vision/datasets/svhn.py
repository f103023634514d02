"""SVHN (cropped 32x32 digits) and STL-10, both stored as raw uint8 image arrays."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ._listing import NOT_FOUND_OR_CORRUPTED
from ._matfile import loadmat
from .utils import (
    VisionDataset,
    check_integrity,
    download_and_extract_archive,
    download_url,
    verify_str_arg,
)

__all__ = ["SVHN", "STL10"]


def _pil_from_chw(image: np.ndarray) -> Any:
    from PIL import Image

    return Image.fromarray(np.transpose(image, (1, 2, 0)))


class SVHN(VisionDataset):
    """`SVHN <http://ufldl.stanford.edu/housenumbers/>`_ Dataset (format 2: 32x32 crops).

    Args:
        root: directory holding ``{split}_32x32.mat``.
        split: ``"train"``, ``"test"`` or ``"extra"``.
        transform: callable applied to the PIL RGB image.
        target_transform: callable applied to the int target.
        download: fetch the ``.mat`` file (MD5-checked) if missing.

    The files use label 10 for the digit 0; like torchvision, targets map it to 0. The ``.mat``
    files are read by Ember's own MAT-file reader (scipy is not needed). Present files are not
    MD5-checked (their structure is validated instead), unlike torchvision.
    """

    split_list = {
        "train": [
            "http://ufldl.stanford.edu/housenumbers/train_32x32.mat",
            "train_32x32.mat",
            "e26dedcc434d2e4c54c9b2d4a06d8373",
        ],
        "test": [
            "http://ufldl.stanford.edu/housenumbers/test_32x32.mat",
            "test_32x32.mat",
            "eb5a983be6a315427106f1b164d9cef3",
        ],
        "extra": [
            "http://ufldl.stanford.edu/housenumbers/extra_32x32.mat",
            "extra_32x32.mat",
            "a93ce644f1a588dc4d68dda5feec44a7",
        ],
    }

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.split = verify_str_arg(split, "split", tuple(self.split_list))
        self.url, self.filename, self.file_md5 = self.split_list[split]
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        path = os.path.join(self.root, self.filename)
        mat = loadmat(path)
        images, labels = mat.get("X"), mat.get("y")
        if not isinstance(images, np.ndarray) or images.dtype != np.uint8 or images.ndim != 4:
            raise RuntimeError(f"SVHN file {path}: 'X' must be a 4-dimensional uint8 array")
        if not isinstance(labels, np.ndarray) or labels.size != images.shape[3]:
            raise RuntimeError(f"SVHN file {path}: 'y' must hold one label per image")
        self.labels: np.ndarray = labels.astype(np.int64).squeeze()
        self.labels[self.labels == 10] = 0
        # Stored as (H, W, C, N); kept as an (N, C, H, W) view, the layout torchvision exposes.
        self.data: np.ndarray = np.transpose(images, (3, 2, 0, 1))

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: a 32x32 PIL RGB image and the digit."""
        return self._apply_transforms(_pil_from_chw(self.data[index]), int(self.labels[index]))

    def __len__(self) -> int:
        return len(self.data)

    def _check_integrity(self) -> bool:
        return check_integrity(os.path.join(self.root, self.filename))

    def download(self) -> None:
        """Fetch the split's ``.mat`` file unless it is already present."""
        if not self._check_integrity():
            download_url(self.url, self.root, self.filename, self.file_md5)

    def extra_repr(self) -> str:
        """The split line of the repr."""
        return f"Split: {self.split}"


class STL10(VisionDataset):
    """`STL10 <https://cs.stanford.edu/~acoates/stl10/>`_ Dataset (96x96 RGB images).

    Args:
        root: directory holding ``stl10_binary``.
        split: ``"train"``, ``"test"``, ``"unlabeled"`` or ``"train+unlabeled"`` (unlabeled
            images get target -1).
        folds: one of the ten predefined 1,000-image training folds (0-9), or None for all.
        transform: callable applied to the PIL RGB image.
        target_transform: callable applied to the int target.
        download: fetch and extract the official archive if files are missing.
    """

    base_folder = "stl10_binary"
    url = "http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz"
    filename = "stl10_binary.tar.gz"
    tgz_md5 = "91f7769df0f17e558f3565bffb0c7dfb"
    class_names_file = "class_names.txt"
    folds_list_file = "fold_indices.txt"
    train_list = [
        ["train_X.bin", "918c2871b30a85fa023e0c44e0bee87f"],
        ["train_y.bin", "5a34089d4802c674881badbb80307741"],
        ["unlabeled_X.bin", "5242ba1fed5e4be9e1e742405eb56ca4"],
    ]
    test_list = [
        ["test_X.bin", "7f263ba9f9e0b06b93213547f721ac82"],
        ["test_y.bin", "36f9794fa4beb8a2c72628de14fa638e"],
    ]
    splits = ("train", "train+unlabeled", "unlabeled", "test")
    _IMAGE_BYTES = 3 * 96 * 96

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        folds: int | None = None,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.split = verify_str_arg(split, "split", self.splits)
        self.folds = self._verify_folds(folds)
        if download:
            self.download()
        elif not self._check_integrity():
            raise RuntimeError(NOT_FOUND_OR_CORRUPTED)
        if self.split in ("train", "train+unlabeled"):
            self.data, self.labels = self._load("train_X.bin", "train_y.bin")
            self._select_fold(folds)
        if self.split in ("unlabeled", "train+unlabeled"):
            unlabeled, _ = self._load("unlabeled_X.bin")
            missing = np.asarray([-1] * len(unlabeled))
            if self.split == "unlabeled":
                self.data, self.labels = unlabeled, missing
            else:
                self.data = np.concatenate((self.data, unlabeled))
                self.labels = np.concatenate((self.labels, missing))
        if self.split == "test":
            self.data, self.labels = self._load("test_X.bin", "test_y.bin")
        class_file = self._path(self.class_names_file)
        if os.path.isfile(class_file):
            with open(class_file) as f:
                self.classes = f.read().splitlines()

    def _path(self, name: str) -> str:
        return os.path.join(self.root, self.base_folder, name)

    @staticmethod
    def _verify_folds(folds: int | None) -> int | None:
        if folds is None:
            return folds
        if isinstance(folds, int):
            if folds in range(10):
                return folds
            raise ValueError(
                f"Value for argument folds should be in the range [0, 10), but got {folds}."
            )
        raise ValueError(
            f"Expected type None or int for argument folds, but got type {type(folds)}."
        )

    def _load(self, data_file: str, labels_file: str | None = None) -> tuple[np.ndarray, Any]:
        labels = None
        if labels_file is not None:
            # 1-based on disk; uint8 arithmetic as torchvision, so a 0 label would wrap to 255.
            labels = np.fromfile(self._path(labels_file), dtype=np.uint8) - 1
        path = self._path(data_file)
        raw = np.fromfile(path, dtype=np.uint8)
        if raw.size % self._IMAGE_BYTES:
            raise RuntimeError(
                f"STL10 file {path} holds {raw.size} bytes, not a whole number of 96x96 RGB images"
            )
        # Each image is stored channel by channel, column-major within a channel.
        images = raw.reshape(-1, 3, 96, 96).transpose(0, 1, 3, 2)
        if labels is not None and len(labels) != len(images):
            raise RuntimeError(f"STL10 file {path}: {len(images)} images but {len(labels)} labels")
        return images, labels

    def _select_fold(self, folds: int | None) -> None:
        if folds is None:
            return
        with open(self._path(self.folds_list_file)) as f:
            line = f.read().splitlines()[folds]
        index = np.array(line.split(), dtype=np.int64)
        self.data, self.labels = self.data[index], self.labels[index]

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: a 96x96 PIL RGB image and the class (-1: unlabeled)."""
        img = _pil_from_chw(self.data[index])
        return self._apply_transforms(img, int(self.labels[index]))

    def __len__(self) -> int:
        return self.data.shape[0]

    def _check_integrity(self) -> bool:
        names = [name for name, _ in self.train_list + self.test_list]
        return all(check_integrity(self._path(name)) for name in names)

    def download(self) -> None:
        """Fetch and extract the official archive unless the files are already present."""
        if not self._check_integrity():
            download_and_extract_archive(
                self.url, self.root, filename=self.filename, md5=self.tgz_md5
            )

    def extra_repr(self) -> str:
        """The split line of the repr."""
        return f"Split: {self.split}"
