"""Pieces shared by the datasets that list image files with a label each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from .utils import VisionDataset

__all__ = [
    "NOT_FOUND",
    "NOT_FOUND_OR_CORRUPTED",
    "LabelledFiles",
    "SampleList",
    "open_image",
    "split_repr",
]

# torchvision's wording, which differs between datasets.
NOT_FOUND = "Dataset not found. You can use download=True to download it"
NOT_FOUND_OR_CORRUPTED = "Dataset not found or corrupted. You can use download=True to download it"


def open_image(path: str | Path, mode: str | None = "RGB") -> Any:
    """Open an image with Pillow, decoded now and the file closed; converted to ``mode`` if given.

    torchvision leaves some of these files open until the image is garbage collected; reading the
    pixels at once gives the same image without leaking a file handle per item.
    """
    from PIL import Image

    with open(path, "rb") as f:
        image = Image.open(f)
        image.load()
    return image.convert(mode) if mode is not None else image


class LabelledFiles(VisionDataset):
    """Base of datasets whose items are ``(loader(path), label)`` from ``_image_files`` and
    ``_labels``, two parallel lists a subclass fills in its constructor."""

    _image_files: list[Any]
    _labels: list[Any]
    loader: Callable[[Any], Any]

    def _sample(self, idx: int) -> tuple[Any, Any]:
        return self._image_files[idx], self._labels[idx]

    def __len__(self) -> int:
        return len(self._image_files)

    def __getitem__(self, idx: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: the loaded image and its class index, transformed."""
        path, label = self._sample(idx)
        return self._apply_transforms(self.loader(path), label)


class SampleList(LabelledFiles):
    """A :class:`LabelledFiles` whose subclass fills one list ``_samples`` of ``(path, label)``."""

    _samples: list[tuple[Any, Any]]

    def _sample(self, idx: int) -> tuple[Any, Any]:
        return self._samples[idx]

    def __len__(self) -> int:
        return len(self._samples)


def split_repr(dataset: Any) -> str:
    """The ``split=...`` line several torchvision datasets show in their repr."""
    return f"split={dataset._split}"
