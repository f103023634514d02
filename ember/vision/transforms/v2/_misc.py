"""Small v2 transforms: the random point operations (one ``rand(1)`` draw each, then the v1
kernel), ``Identity``, ``RGB``, ``ConvertBoundingBoxFormat``, ``GaussianNoise`` and the
five/ten crops."""

from __future__ import annotations

from typing import Any

from ember.vision.tv_tensors import BoundingBoxes, Image, Mask, Video

from .. import transforms as _v1
from . import functional as F
from ._transform import Transform, _RandomApplyTransform, is_pure_tensor

__all__ = [
    "ConvertBoundingBoxFormat",
    "FiveCrop",
    "GaussianNoise",
    "TenCrop",
    "Identity",
    "RGB",
    "RandomAdjustSharpness",
    "RandomAutocontrast",
    "RandomEqualize",
    "RandomInvert",
    "RandomPosterize",
    "RandomSolarize",
]


class Identity(Transform):
    """Return the inputs unchanged."""

    def forward(self, *inputs: Any) -> Any:
        return inputs if len(inputs) > 1 else inputs[0]


class RGB(Transform):
    """Grayscale images to three channels (RGB images unchanged)."""

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.grayscale_to_rgb(inpt)


class ConvertBoundingBoxFormat(Transform):
    """Boxes converted to ``format``."""

    _transformed_types = (BoundingBoxes,)
    _pil = False

    def __init__(self, format) -> None:
        super().__init__()
        self.format = format

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.convert_bounding_box_format(inpt, new_format=self.format)


class RandomInvert(_RandomApplyTransform):
    """Invert with probability ``p``."""

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.invert(inpt)


class RandomAutocontrast(_RandomApplyTransform):
    """Autocontrast with probability ``p``."""

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.autocontrast(inpt)


class RandomEqualize(_RandomApplyTransform):
    """Equalize the histogram with probability ``p``."""

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.equalize(inpt)


class RandomPosterize(_RandomApplyTransform):
    """Keep ``bits`` bits per channel with probability ``p``."""

    def __init__(self, bits: int, p: float = 0.5) -> None:
        super().__init__(p=p)
        self.bits = bits

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.posterize(inpt, bits=self.bits)


class RandomSolarize(_RandomApplyTransform):
    """Invert values at or above ``threshold`` with probability ``p``."""

    def __init__(self, threshold: float, p: float = 0.5) -> None:
        super().__init__(p=p)
        self.threshold = threshold

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.solarize(inpt, threshold=self.threshold)


class RandomAdjustSharpness(_RandomApplyTransform):
    """Adjust sharpness by ``sharpness_factor`` with probability ``p``."""

    def __init__(self, sharpness_factor: float, p: float = 0.5) -> None:
        super().__init__(p=p)
        self.sharpness_factor = sharpness_factor

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.adjust_sharpness(inpt, sharpness_factor=self.sharpness_factor)


class GaussianNoise(Transform):
    """Add ``mean + sigma * randn`` noise to float images (clipped to [0, 1] when ``clip``)."""

    _pil = False

    def __init__(self, mean: float = 0.0, sigma: float = 0.1, clip: bool = True) -> None:
        super().__init__()
        self.mean = mean
        self.sigma = sigma
        self.clip = clip

    def _needs(self, x: Any) -> bool:
        return isinstance(x, Image | Video) or is_pure_tensor(x)

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.gaussian_noise(inpt, mean=self.mean, sigma=self.sigma, clip=self.clip)


class FiveCrop(Transform):
    """The four corner crops and the central crop of ``size``, as a tuple."""

    def __init__(self, size) -> None:
        super().__init__()
        self.size = tuple(
            _v1._setup_size(size, "Please provide only two dimensions (h, w) for size.")
        )

    def _needs(self, x: Any) -> bool:
        return not isinstance(x, BoundingBoxes | Mask) and super()._needs(x)

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.five_crop(inpt, self.size)


class TenCrop(FiveCrop):
    """``FiveCrop`` of the image and of its flip (vertical when ``vertical_flip``)."""

    def __init__(self, size, vertical_flip: bool = False) -> None:
        super().__init__(size)
        self.vertical_flip = vertical_flip

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.ten_crop(inpt, self.size, vertical_flip=self.vertical_flip)
