"""The v2 auto-augment base, ``RandAugment`` and ``TrivialAugmentWide``: random picks from a space
of image operations, drawn as torchvision's v2 draws them (``randint`` for the operation,
``randint`` for a magnitude bin, ``rand() <= 0.5`` for its sign), applied to the one image or
video of a sample with the v1 op applier through ``v2.functional``, so seeded results match."""

from __future__ import annotations

from typing import Any

import numpy as np

from ember._tensor import Tensor
from ember.func._pytree import tree_flatten, tree_unflatten
from ember.utils.data import _rng
from ember.vision.tv_tensors import BoundingBoxes, Image, Mask, Video

from .. import autoaugment as _v1
from .._augment import _tensor_fill
from ..functional import _is_pil_image, _max_value
from . import functional as F
from ._transform import Transform, is_pure_tensor
from ._utils import _check_fill, _get_fill

__all__ = ["RandAugment", "TrivialAugmentWide"]


def _bound(image) -> float:
    """The top value solarize's fraction scales to: the dtype's for tensors, 255 for PIL."""
    return _max_value(np.dtype(image.dtype.np)) if isinstance(image, Tensor) else 255.0


class _AutoAugmentBase(Transform):
    """Find the one image or video of a sample (masks and boxes are refused) and apply ops."""

    def __init__(self, interpolation="nearest", fill=None) -> None:
        super().__init__()
        F._mode(interpolation)
        _check_fill(fill)
        self.interpolation = interpolation  # kept as given, as torchvision's repr shows it
        self.fill = fill

    def _fill_for(self, image):
        fill = _get_fill(self.fill, image)  # a dict gives a fill per input type
        return None if fill is None else _tensor_fill(image, fill)

    def _needs(self, x: Any) -> bool:
        return isinstance(x, Image | Video) or is_pure_tensor(x) or _is_pil_image(x)

    def _extract(self, inputs: tuple) -> tuple[list, Any, int]:
        flat, spec = tree_flatten(inputs if len(inputs) > 1 else inputs[0])
        found = []
        for idx, (x, need) in enumerate(zip(flat, self._needs_transform_list(flat), strict=True)):
            if need:
                found.append(idx)
            elif isinstance(x, BoundingBoxes | Mask):
                name = type(self).__name__
                raise TypeError(f"Inputs of type {type(x).__name__} are not supported by {name}()")
        if not found:
            raise TypeError("Found no image in the sample.")
        if len(found) > 1:
            raise TypeError(
                "Auto augment transformations are only properly defined for a single image or "
                f"video, but found {len(found)}."
            )
        return flat, spec, found[0]

    def _op(self, image, op: str, magnitude: float):
        return _v1._apply_op(image, op, magnitude, self.interpolation, self._fill_for(image), F=F,
                            solarize_bound=_bound)  # fmt: skip

    @staticmethod
    def _signed(magnitude: float, signed: bool) -> float:
        if signed and _rng.rand() <= 0.5:
            return -magnitude
        return magnitude

    def _space(self, h: int, w: int) -> dict:
        raise NotImplementedError

    def _draws(self, space: dict):
        raise NotImplementedError

    def forward(self, *inputs: Any) -> Any:
        """Transform the sample's image or video."""
        flat, spec, idx = self._extract(inputs)
        image = flat[idx]
        for op, magnitude in self._draws(self._space(*F.get_size(image))):
            image = self._op(image, op, magnitude)
        flat[idx] = image
        return tree_unflatten(flat, spec)


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
        return _v1.augmentation_space(_v1.RANDAUGMENT_OPS, self.num_magnitude_bins, 0.3,
                                      150.0 / 331.0 * w, 150.0 / 331.0 * h, 30.0, 0.9, 8, 4,
                                      1.0)  # fmt: skip

    def _draws(self, space: dict):
        for _ in range(self.num_ops):
            op, mags, signed = _v1._picked(space)
            magnitude = 0.0 if mags is None else float(mags[self.magnitude])
            yield op, (self._signed(magnitude, signed) if mags is not None else magnitude)


class TrivialAugmentWide(_AutoAugmentBase):
    """One operation drawn uniformly, at a magnitude bin drawn uniformly."""

    def __init__(self, num_magnitude_bins: int = 31, interpolation="nearest",
                 fill=None) -> None:  # fmt: skip
        super().__init__(interpolation=interpolation, fill=fill)
        self.num_magnitude_bins = num_magnitude_bins

    def _space(self, h: int, w: int) -> dict:
        return _v1.augmentation_space(_v1.RANDAUGMENT_OPS, self.num_magnitude_bins, 0.99, 32.0,
                                      32.0, 135.0, 0.99, 8, 6, 1.0)  # fmt: skip

    def _draws(self, space: dict):
        op, mags, signed = _v1._picked(space)
        if mags is None:
            yield op, 0.0
            return
        magnitude = float(mags[_rng.randint(0, self.num_magnitude_bins, 1)[0]])
        yield op, self._signed(magnitude, signed)
