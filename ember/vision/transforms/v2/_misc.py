"""Small v2 transforms: the random point operations (one ``rand(1)`` draw each, then the v1
kernel), ``Identity``, ``RGB`` and ``ConvertBoundingBoxFormat``."""

from __future__ import annotations

from typing import Any

from ember.vision.tv_tensors import BoundingBoxes

from . import functional as F
from ._transform import Transform, _RandomApplyTransform

__all__ = [
    "ConvertBoundingBoxFormat",
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
