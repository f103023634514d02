"""``RandAugment`` and ``TrivialAugmentWide``: random picks from a space of image operations,
drawn as torchvision's v2 draws them (``randint`` for the operation, ``randint`` for a magnitude
bin, ``rand() <= 0.5`` for its sign), so seeded results match."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

import ember
from ember._tensor import Tensor
from ember.func._pytree import tree_flatten, tree_unflatten
from ember.utils.data import _rng
from ember.vision.tv_tensors import BoundingBoxes, Image, Mask, Video

from .._augment import _tensor_fill
from ..functional import _is_pil_image, _max_value
from . import functional as F
from ._transform import Transform, is_pure_tensor

__all__ = ["RandAugment", "TrivialAugmentWide"]


def _linspace(start: float, end: float) -> Callable:
    return lambda bins, h, w: ember.linspace(start, end, bins)


def _posterize_bits(steps: int) -> Callable:
    """``8 - round(arange(bins) / ((bins - 1) / steps))`` bits, in float32 as torch divides."""

    def bits(num_bins: int, h: int, w: int) -> np.ndarray:
        ratio = np.arange(num_bins, dtype=np.float32) / np.float32((num_bins - 1) / steps)
        return 8 - np.round(ratio).astype(np.int64)

    return bits


def _none(num_bins: int, h: int, w: int) -> None:
    return None


def _space(shear: float, dx: float, dy: float, degrees: float, enhance: float, bits: int) -> dict:
    """Each operation's ``(magnitudes(num_bins, h, w), signed)``: magnitudes run from 0 to the
    given maximum (shear tangent, pixels, degrees, enhancement factor offset); posterize keeps
    8 down to ``8 - bits`` bits, solarize's threshold falls from the top to 0."""
    return {
        "Identity": (_none, False),
        "ShearX": (_linspace(0.0, shear), True),
        "ShearY": (_linspace(0.0, shear), True),
        "TranslateX": (_linspace(0.0, dx), True),
        "TranslateY": (_linspace(0.0, dy), True),
        "Rotate": (_linspace(0.0, degrees), True),
        "Brightness": (_linspace(0.0, enhance), True),
        "Color": (_linspace(0.0, enhance), True),
        "Contrast": (_linspace(0.0, enhance), True),
        "Sharpness": (_linspace(0.0, enhance), True),
        "Posterize": (_posterize_bits(bits), False),
        "Solarize": (_linspace(1.0, 0.0), False),
        "AutoContrast": (_none, False),
        "Equalize": (_none, False),
    }


def _apply_op(image, op: str, magnitude: float, interpolation, fill):
    """One augmentation ``op`` at ``magnitude`` (shears are tangents, turned into degrees)."""
    if op == "Identity":
        return image
    if op in ("ShearX", "ShearY"):
        angle = math.degrees(math.atan(magnitude))
        shear = [angle, 0.0] if op == "ShearX" else [0.0, angle]
        return F.affine(image, angle=0.0, translate=[0, 0], scale=1.0, shear=shear,
                        interpolation=interpolation, fill=fill, center=[0, 0])  # fmt: skip
    if op in ("TranslateX", "TranslateY"):
        shift = [int(magnitude), 0] if op == "TranslateX" else [0, int(magnitude)]
        return F.affine(image, angle=0.0, translate=shift, scale=1.0, shear=[0.0, 0.0],
                        interpolation=interpolation, fill=fill)  # fmt: skip
    if op == "Rotate":
        return F.rotate(image, magnitude, interpolation=interpolation, fill=fill)
    factors = {"Brightness": F.adjust_brightness, "Color": F.adjust_saturation,
               "Contrast": F.adjust_contrast, "Sharpness": F.adjust_sharpness}  # fmt: skip
    if op in factors:
        return factors[op](image, 1.0 + magnitude)
    if op == "Posterize":
        return F.posterize(image, int(magnitude))
    if op == "Solarize":
        bound = _max_value(np.dtype(image.dtype.np)) if isinstance(image, Tensor) else 255.0
        return F.solarize(image, bound * magnitude)
    return {"AutoContrast": F.autocontrast, "Equalize": F.equalize}[op](image)


class _AutoAugmentBase(Transform):
    _SPACE: dict = {}

    def __init__(self, interpolation="nearest", fill=None) -> None:
        super().__init__()
        F._mode(interpolation)
        self.interpolation = interpolation  # kept as given, as torchvision's repr shows it
        self.fill = fill

    def _fill_for(self, image):
        return None if self.fill is None else _tensor_fill(image, self.fill)

    def _space(self, h: int, w: int) -> dict:
        return self._SPACE

    def forward(self, *inputs: Any) -> Any:
        sample = inputs if len(inputs) > 1 else inputs[0]
        flat, spec = tree_flatten(sample)
        needs = self._needs_transform_list(flat)
        found = [i for i, (x, n) in enumerate(zip(flat, needs, strict=True)) if n]
        if any(isinstance(x, BoundingBoxes | Mask) for x in flat):
            raise TypeError(f"{type(self).__name__}() is only supported for images or videos.")
        if len(found) != 1:
            raise TypeError(
                f"{type(self).__name__}() requires a single image or video, but found {len(found)}"
            )
        idx = found[0]
        image = flat[idx]
        h, w = F.get_size(image)
        space = self._space(h, w)
        for op, magnitude in self._draws(space, h, w):
            mode = F._mode(self.interpolation)
            image = _apply_op(image, op, magnitude, mode, self._fill_for(image))
        flat = [*flat[:idx], image, *flat[idx + 1 :]]
        return tree_unflatten(flat, spec)

    def _needs(self, x: Any) -> bool:
        return isinstance(x, Image | Video) or is_pure_tensor(x) or _is_pil_image(x)

    @staticmethod
    def _signed(magnitude: float, signed: bool) -> float:
        if signed and _rng.rand() <= 0.5:
            return -magnitude
        return magnitude

    @staticmethod
    def _pick(space: dict) -> str:
        keys = list(space)
        return keys[_rng.randint(0, len(keys), 1)[0]]


class RandAugment(_AutoAugmentBase):
    """``num_ops`` operations drawn uniformly, each at bin ``magnitude`` of
    ``num_magnitude_bins``."""

    def __init__(self, num_ops: int = 2, magnitude: int = 9, num_magnitude_bins: int = 31,
                 interpolation="nearest", fill=None) -> None:  # fmt: skip
        super().__init__(interpolation=interpolation, fill=fill)
        if not isinstance(num_ops, int) or (num_ops < 0):
            raise ValueError(
                f"num_ops should be a non-negative integer, but got {num_ops} instead."
            )
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.num_magnitude_bins = num_magnitude_bins

    def _space(self, h: int, w: int) -> dict:
        return _space(0.3, 150.0 / 331.0 * w, 150.0 / 331.0 * h, 30.0, 0.9, 4)

    def _draws(self, space: dict, h: int, w: int):
        for _ in range(self.num_ops):
            op = self._pick(space)
            fn, signed = space[op]
            mags = fn(self.num_magnitude_bins, h, w)
            magnitude = 0.0 if mags is None else float(mags[self.magnitude])
            yield op, (self._signed(magnitude, signed) if mags is not None else magnitude)


class TrivialAugmentWide(_AutoAugmentBase):
    """One operation drawn uniformly, at a magnitude bin drawn uniformly."""

    def __init__(self, num_magnitude_bins: int = 31, interpolation="nearest",
                 fill=None) -> None:  # fmt: skip
        super().__init__(interpolation=interpolation, fill=fill)
        self.num_magnitude_bins = num_magnitude_bins

    _SPACE = _space(0.99, 32.0, 32.0, 135.0, 0.99, 6)

    def _draws(self, space: dict, h: int, w: int):
        op = self._pick(space)
        fn, signed = space[op]
        mags = fn(self.num_magnitude_bins, h, w)
        if mags is None:
            yield op, 0.0
            return
        magnitude = float(mags[_rng.randint(0, self.num_magnitude_bins, 1)[0]])
        yield op, self._signed(magnitude, signed)
