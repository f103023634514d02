"""PatchCamelyon (PCAM): 96x96 histopathology patches in HDF5 files, read through h5py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._listing import NOT_FOUND
from .utils import VisionDataset, verify_str_arg

__all__ = ["PCAM"]


class PCAM(VisionDataset):
    """`PCAM <https://github.com/basveeling/pcam>`_ Dataset: binary labels (metastatic tissue).

    Needs the optional ``h5py`` package (``pip install h5py``); without it the constructor raises
    ``RuntimeError``, as torchvision does.

    Args:
        root: directory holding ``pcam/camelyonpatch_level_2_split_{train,valid,test}_{x,y}.h5``.
        split: ``"train"``, ``"test"`` or ``"val"``.
        transform: callable applied to the PIL RGB image.
        target_transform: callable applied to the int target.
        download: the files live on Google Drive, which Ember does not download from: with
            files missing this raises a ``RuntimeError`` saying where to put them.
    """

    _FILES = {
        "train": (
            "camelyonpatch_level_2_split_train_x.h5",
            "camelyonpatch_level_2_split_train_y.h5",
        ),
        "test": ("camelyonpatch_level_2_split_test_x.h5", "camelyonpatch_level_2_split_test_y.h5"),
        "val": ("camelyonpatch_level_2_split_valid_x.h5", "camelyonpatch_level_2_split_valid_y.h5"),
    }

    def __init__(
        self,
        root: str | Path,
        split: str = "train",
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        download: bool = False,
    ) -> None:
        try:
            import h5py
        except ImportError:
            raise RuntimeError(
                "h5py is not found. This dataset needs to have h5py installed: please run pip "
                "install h5py"
            ) from None
        self.h5py = h5py
        self._split = verify_str_arg(split, "split", ("train", "test", "val"))
        super().__init__(root, transform=transform, target_transform=target_transform)
        self._base_folder = Path(self.root) / "pcam"
        images, targets = self._FILES[self._split]
        self._images_file, self._targets_file = (
            self._base_folder / images,
            self._base_folder / targets,
        )
        exists = self._images_file.exists() and self._targets_file.exists()
        if download and not exists:
            raise RuntimeError(
                "PCAM is hosted on Google Drive, which Ember does not download from. Download "
                "the .h5 files from https://github.com/basveeling/pcam (decompressed) into "
                f"{self._base_folder}"
            )
        if not exists:
            raise RuntimeError(NOT_FOUND)

    def __len__(self) -> int:
        with self.h5py.File(self._images_file) as images:
            return images["x"].shape[0]

    def __getitem__(self, idx: int) -> tuple[Any, Any]:
        """Returns ``(image, target)``: a 96x96 PIL RGB image and 0 or 1."""
        from PIL import Image

        with self.h5py.File(self._images_file) as images:
            image = Image.fromarray(images["x"][idx]).convert("RGB")
        with self.h5py.File(self._targets_file) as targets:
            target = int(targets["y"][idx, 0, 0, 0])  # stored as (N, 1, 1, 1)
        return self._apply_transforms(image, target)
