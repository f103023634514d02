"""FakeData: random images that are a pure function of their index."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .utils import VisionDataset

__all__ = ["FakeData"]


def _fake_image(seed: int, image_size: tuple[int, ...], num_classes: int) -> tuple[np.ndarray, int]:
    """Return ``(image, target)`` for one seed: a float32 array of shape ``image_size`` with
    standard-normal entries, then a class drawn uniformly from ``range(num_classes)``.

    torchvision draws these with ``torch.manual_seed(seed); torch.randn(*image_size);
    torch.randint(0, num_classes, (1,))`` on the global generator, saved and restored around the
    draws. A fresh torch-compatible generator seeded with ``seed`` gives the same numbers and
    leaves Ember's global generator untouched.
    """
    from ember.kernels.random import Generator  # lazy: datasets import without the core

    g = Generator().manual_seed(seed)
    image = g.normal(tuple(image_size), np.float32)
    target = int(g.randint(0, num_classes, (1,))[0])
    return image, target


def _float_chw_to_pil(image: np.ndarray) -> Any:
    """Convert a float CHW (or HW) array in [0, 1] to a PIL image the way ``ToPILImage`` does:
    scale by 255 and cast to uint8 (values outside [0, 1] wrap, as in torchvision)."""
    from PIL import Image

    hwc = np.moveaxis(image, 0, -1) if image.ndim == 3 else image[..., None]
    pixels = (hwc * 255).astype(np.uint8)
    channels = pixels.shape[-1]
    if channels == 1:
        return Image.fromarray(pixels[..., 0])
    if channels not in (2, 3, 4):
        raise ValueError(f"pic should not have > 4 channels. Got {channels} channels.")
    return Image.fromarray(pixels)


class FakeData(VisionDataset):
    """A dataset of random PIL images; item ``i`` is the same on every access.

    Args:
        size: number of items. Default: 1000.
        image_size: ``(C, H, W)`` of the images. Default: ``(3, 224, 224)``.
        num_classes: targets are drawn from ``range(num_classes)``. Default: 10.
        transform: callable applied to the PIL image.
        target_transform: callable applied to the int target.
        random_offset: added to the index to form each item's seed. Default: 0.
    """

    def __init__(
        self,
        size: int = 1000,
        image_size: tuple[int, int, int] = (3, 224, 224),
        num_classes: int = 10,
        transform: Callable | None = None,
        target_transform: Callable | None = None,
        random_offset: int = 0,
    ) -> None:
        super().__init__(transform=transform, target_transform=target_transform)
        self.size = size
        self.num_classes = num_classes
        self.image_size = image_size
        self.random_offset = random_offset

    def __getitem__(self, index: int) -> tuple[Any, Any]:
        if index >= len(self):
            raise IndexError(f"{type(self).__name__} index out of range")
        image, target = _fake_image(
            index + self.random_offset, tuple(self.image_size), self.num_classes
        )
        return self._apply_transforms(_float_chw_to_pil(image), target)

    def __len__(self) -> int:
        return self.size
