"""CIFAR-10 and CIFAR-100 from the "python version" batch files."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from . import _safe_pickle
from .utils import VisionDataset, check_integrity, download_and_extract_archive

__all__ = ["CIFAR10", "CIFAR100"]

_IMAGE_BYTES = 3 * 32 * 32


def _load_batch(path: str) -> dict[str, Any]:
    """Unpickle one batch file with the restricted unpickler; any damage names the file."""
    try:
        entry = _safe_pickle.load(path, encoding="latin1")
    except _safe_pickle.UnsafePickleError as e:
        raise _safe_pickle.UnsafePickleError(f"{path}: {e}") from None
    except Exception as e:  # truncated / garbled pickles raise many types
        raise RuntimeError(
            f"CIFAR file {path} is corrupted or not a pickle ({type(e).__name__}: {e})"
        ) from e
    if not isinstance(entry, dict):
        raise RuntimeError(
            f"CIFAR file {path} is not a CIFAR batch: expected a dict, got {type(entry).__name__}"
        )
    return entry


def _int_list(values: Any, path: str, key: str, limit: int) -> list[int]:
    if isinstance(values, np.ndarray) and values.ndim == 1 and values.dtype.kind in "iu":
        values = values.tolist()
    if not isinstance(values, list | tuple) or not all(
        isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values
    ):
        raise RuntimeError(f"CIFAR file {path}: '{key}' must be a list of ints")
    out = [int(v) for v in values]
    if out and (min(out) < 0 or max(out) >= limit):
        bad = min(out) if min(out) < 0 else max(out)
        raise RuntimeError(f"CIFAR file {path}: label {bad} in '{key}' is outside [0, {limit})")
    return out


def _is_plain_to_tensor(transform: Any) -> bool:
    """Whether ``transform`` is exactly ``transforms.ToTensor`` (no subclass, no wrapper)."""
    # Looked up in sys.modules: a ToTensor instance implies its module is loaded, and importing
    # the transforms here would pull ember.nn into the datasets' import.
    module = sys.modules.get("ember.vision.transforms.transforms")
    return module is not None and type(transform) is module.ToTensor


class CIFAR10(VisionDataset):
    """`CIFAR10 <https://www.cs.toronto.edu/~kriz/cifar.html>`_ Dataset.

    Args:
        root: directory holding ``cifar-10-batches-py`` (or where ``download`` puts it).
        train: the five training batches if True, else ``test_batch``.
        transform: callable applied to the PIL image.
        target_transform: callable applied to the int target.
        download: fetch and extract the official archive (MD5-checked) if files are missing.

    Unlike torchvision, the batch files are not required to match the official MD5s: they are
    read with a restricted unpickler and their structure is validated instead, so CIFAR-format
    files of one's own load too.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {
        "filename": "batches.meta",
        "key": "label_names",
        "md5": "5ff9c542aee3614f3951f8cda6e48888",
    }
    _label_key = "labels"

    def __init__(
        self,
        root: str | Path,
        train: bool = True,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(
                "Dataset not found or corrupted. You can use download=True to download it"
            )
        self._load_meta()
        files = self.train_list if self.train else self.test_list
        batches = [self._read_batch(name) for name, _ in files]
        data = np.concatenate([b[0] for b in batches]) if len(batches) > 1 else batches[0][0]
        # The files store each image as 1024 R, then G, then B bytes: CHW. Items are HWC. Like
        # torchvision, keep the transposed view: a contiguous copy would triple the load time.
        self.data: np.ndarray = data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
        self.targets: list[int] = [t for b in batches for t in b[1]]

    def _path(self, name: str) -> str:
        return os.path.join(self.root, self.base_folder, name)

    def _read_batch(self, name: str) -> tuple[np.ndarray, list[int]]:
        path = self._path(name)
        entry = _load_batch(path)
        for key in ("data", self._label_key):
            if key not in entry:
                raise RuntimeError(f"CIFAR file {path} has no '{key}' entry")
        data = entry["data"]
        if not (isinstance(data, np.ndarray) and data.dtype == np.uint8):
            raise RuntimeError(f"CIFAR file {path}: 'data' must be a uint8 array")
        if data.ndim != 2 or data.shape[1] != _IMAGE_BYTES:
            raise RuntimeError(
                f"CIFAR file {path}: 'data' has shape {data.shape}, expected (N, {_IMAGE_BYTES})"
            )
        targets = _int_list(entry[self._label_key], path, self._label_key, len(self.classes))
        if len(targets) != len(data):
            raise RuntimeError(f"CIFAR file {path}: {len(data)} images but {len(targets)} labels")
        self._read_extra_labels(entry, path, len(data))
        return data, targets

    def _read_extra_labels(self, entry: dict[str, Any], path: str, n: int) -> None:
        pass

    def _read_names(self, meta: dict[str, Any], key: str, path: str) -> list[str]:
        names = meta.get(key)
        if not isinstance(names, list) or not all(isinstance(c, str) for c in names) or not names:
            raise RuntimeError(f"CIFAR metadata file {path}: '{key}' must be a list of names")
        return names

    def _load_meta(self) -> None:
        path = self._path(self.meta["filename"])
        if not check_integrity(path):
            raise RuntimeError(
                "Dataset metadata file not found or corrupted. You can use download=True to "
                "download it"
            )
        meta = _load_batch(path)
        self.classes: list[str] = self._read_names(meta, self.meta["key"], path)
        self.class_to_idx = {c: i for i, c in enumerate(self.classes)}
        self._read_extra_meta(meta, path)

    def _read_extra_meta(self, meta: dict[str, Any], path: str) -> None:
        pass

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: a PIL RGB image and the class index, transformed."""
        img, target = self.data[index], self.targets[index]
        if (
            _is_plain_to_tensor(self.transform)
            and isinstance(img, np.ndarray)
            and img.dtype == np.uint8
            and img.ndim == 3
            and img.shape[2] == 3
        ):
            # ToTensor makes the same tensor from these HWC bytes as from the RGB image that
            # Image.fromarray would copy them into, so the image is not built: it cost more than
            # the conversion itself (about 10 of 22 us an item), and Pillow's first import.
            return self._apply_transforms(img, target)
        from PIL import Image

        return self._apply_transforms(Image.fromarray(img), target)

    def __len__(self) -> int:
        return len(self.data)

    def _check_integrity(self) -> bool:
        return all(
            check_integrity(self._path(name)) for name, _ in self.train_list + self.test_list
        )

    def download(self) -> None:
        """Fetch and extract the official archive unless the batch files are already present."""
        if self._check_integrity():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.tgz_md5)

    def extra_repr(self) -> str:
        """The split line of the repr: ``Split: Train`` or ``Split: Test``."""
        return f"Split: {'Train' if self.train is True else 'Test'}"


class CIFAR100(CIFAR10):
    """`CIFAR100 <https://www.cs.toronto.edu/~kriz/cifar.html>`_ Dataset.

    Targets are the fine labels (100 classes). The coarse labels (20 superclasses) are kept too:
    ``coarse_targets`` (list of int, parallel to ``targets``) and ``coarse_classes``.
    """

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [["train", "16019d7e3df5f24257cddd939b257f8d"]]
    test_list = [["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"]]
    meta = {
        "filename": "meta",
        "key": "fine_label_names",
        "md5": "7973b15100ade9c7d40fb424638fde48",
    }
    _label_key = "fine_labels"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.coarse_targets: list[int] = []
        super().__init__(*args, **kwargs)

    def _read_extra_meta(self, meta: dict[str, Any], path: str) -> None:
        self.coarse_classes: list[str] = self._read_names(meta, "coarse_label_names", path)

    def _read_extra_labels(self, entry: dict[str, Any], path: str, n: int) -> None:
        if "coarse_labels" not in entry:
            raise RuntimeError(f"CIFAR file {path} has no 'coarse_labels' entry")
        coarse = _int_list(entry["coarse_labels"], path, "coarse_labels", len(self.coarse_classes))
        if len(coarse) != n:
            raise RuntimeError(f"CIFAR file {path}: {n} images but {len(coarse)} coarse labels")
        self.coarse_targets.extend(coarse)
