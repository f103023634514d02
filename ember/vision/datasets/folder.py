"""Datasets read from a directory tree with one sub-folder per class."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .utils import VisionDataset

__all__ = [
    "IMG_EXTENSIONS",
    "DatasetFolder",
    "ImageFolder",
    "default_loader",
    "find_classes",
    "has_file_allowed_extension",
    "is_image_file",
    "make_dataset",
    "pil_loader",
]

IMG_EXTENSIONS = (".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp")


def has_file_allowed_extension(filename: str, extensions: str | tuple[str, ...]) -> bool:
    """True if ``filename`` (case-insensitively) ends with one of ``extensions``."""
    suffixes = extensions if isinstance(extensions, str) else tuple(extensions)
    return filename.lower().endswith(suffixes)


def is_image_file(filename: str) -> bool:
    return has_file_allowed_extension(filename, IMG_EXTENSIONS)


def find_classes(directory: str | Path) -> tuple[list[str], dict[str, int]]:
    """The sorted names of the sub-folders of ``directory`` and their indices."""
    with os.scandir(directory) as entries:
        classes = sorted(e.name for e in entries if e.is_dir())
    if not classes:
        raise FileNotFoundError(f"Couldn't find any class folder in {directory}.")
    return classes, {name: i for i, name in enumerate(classes)}


def make_dataset(
    directory: str | Path,
    class_to_idx: dict[str, int] | None = None,
    extensions: str | tuple[str, ...] | None = None,
    is_valid_file: Callable[[str], bool] | None = None,
    allow_empty: bool = False,
) -> list[tuple[str, int]]:
    """List ``(path, class_index)`` for every accepted file, class by class in sorted order.

    Exactly one of ``extensions`` and ``is_valid_file`` selects the files. A class with no
    accepted file raises ``FileNotFoundError`` unless ``allow_empty``.
    """
    directory = os.path.expanduser(directory)
    if class_to_idx is None:
        _, class_to_idx = find_classes(directory)
    elif not class_to_idx:
        raise ValueError("'class_to_index' must have at least one entry to collect any samples.")
    if (extensions is None) == (is_valid_file is None):
        raise ValueError(
            "Both extensions and is_valid_file cannot be None or not None at the same time"
        )
    if extensions is not None:

        def is_valid_file(path: str) -> bool:
            return has_file_allowed_extension(path, extensions)

    instances: list[tuple[str, int]] = []
    found: set[str] = set()
    for name in sorted(class_to_idx):
        class_dir = os.path.join(directory, name)
        if not os.path.isdir(class_dir):
            continue
        for root, _, fnames in sorted(os.walk(class_dir, followlinks=True)):
            for fname in sorted(fnames):
                path = os.path.join(root, fname)
                if is_valid_file(path):
                    instances.append((path, class_to_idx[name]))
                    found.add(name)
    empty = set(class_to_idx) - found
    if empty and not allow_empty:
        msg = f"Found no valid file for the classes {', '.join(sorted(empty))}. "
        if extensions is not None:
            shown = extensions if isinstance(extensions, str) else ", ".join(extensions)
            msg += f"Supported extensions are: {shown}"
        raise FileNotFoundError(msg)
    return instances


class DatasetFolder(VisionDataset):
    """A dataset of files arranged as ``root/<class>/**/<file>``.

    Args:
        root: root directory path.
        loader: callable loading a sample from its path.
        extensions: accepted file suffixes (lowercase); exclusive with ``is_valid_file``.
        transform: callable applied to the loaded sample.
        target_transform: callable applied to the class index.
        is_valid_file: callable deciding from a path whether a file is a sample.
        allow_empty: accept class folders with no valid file.

    Attributes: ``classes`` (sorted folder names), ``class_to_idx``, ``samples``
    (list of ``(path, class_index)``) and ``targets`` (the class indices).
    """

    def __init__(
        self,
        root: str | Path,
        loader: Callable[[str], Any],
        extensions: tuple[str, ...] | None = None,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> None:
        super().__init__(root, transform=transform, target_transform=target_transform)
        classes, class_to_idx = self.find_classes(self.root)
        samples = self.make_dataset(
            self.root,
            class_to_idx=class_to_idx,
            extensions=extensions,
            is_valid_file=is_valid_file,
            allow_empty=allow_empty,
        )
        self.loader = loader
        self.extensions = extensions
        self.classes = classes
        self.class_to_idx = class_to_idx
        self.samples = samples
        self.targets = [target for _, target in samples]

    @staticmethod
    def make_dataset(
        directory: str | Path,
        class_to_idx: dict[str, int],
        extensions: tuple[str, ...] | None = None,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> list[tuple[str, int]]:
        """Override to collect samples differently; see :func:`make_dataset`."""
        if class_to_idx is None:
            # The module function would fall back to find_classes(), bypassing an overridden
            # find_classes method.
            raise ValueError("The class_to_idx parameter cannot be None.")
        return make_dataset(directory, class_to_idx, extensions, is_valid_file, allow_empty)

    def find_classes(self, directory: str | Path) -> tuple[list[str], dict[str, int]]:
        """Override to choose the classes differently; see :func:`find_classes`."""
        return find_classes(directory)

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        path, target = self.samples[index]
        return self._apply_transforms(self.loader(path), target)

    def __len__(self) -> int:
        return len(self.samples)


def pil_loader(path: str | Path) -> Any:
    """Open an image file with Pillow and convert it to RGB."""
    from PIL import Image

    with open(path, "rb") as f:  # closes the file; Image.open(path) would leave it to the GC
        return Image.open(f).convert("RGB")


def default_loader(path: str | Path) -> Any:
    return pil_loader(path)


class ImageFolder(DatasetFolder):
    """A :class:`DatasetFolder` of images (``IMG_EXTENSIONS``) loaded as RGB PIL images.

    Args:
        root: root directory path, laid out as ``root/<class>/**/<image>``.
        transform: callable applied to the PIL image.
        target_transform: callable applied to the class index.
        loader: callable loading an image from its path (default: Pillow, RGB).
        is_valid_file: callable deciding from a path whether a file is a sample; replaces the
            extension check.
        allow_empty: accept class folders with no valid file.

    ``imgs`` is the same list as ``samples``.
    """

    def __init__(
        self,
        root: str | Path,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        loader: Callable[[str], Any] = default_loader,
        is_valid_file: Callable[[str], bool] | None = None,
        allow_empty: bool = False,
    ) -> None:
        super().__init__(
            root,
            loader,
            IMG_EXTENSIONS if is_valid_file is None else None,
            transform=transform,
            target_transform=target_transform,
            is_valid_file=is_valid_file,
            allow_empty=allow_empty,
        )
        self.imgs = self.samples
