"""The v2 ``Transform`` base: any nested structure of inputs in, the same structure out.

The inputs are flattened (tuples, lists, dicts); images, videos, masks and boxes are transformed
with one set of random parameters; anything else (labels, strings) passes through untouched. As
in torchvision, a plain tensor is treated as the image only when the sample has no ``Image``,
``Video`` or PIL image, and then only the first one met.
"""

from __future__ import annotations

import enum
from typing import Any

from ember._tensor import Tensor
from ember.func._pytree import tree_flatten, tree_unflatten
from ember.nn.modules.module import Module
from ember.vision.tv_tensors import BoundingBoxes, Image, Mask, Video

from ..functional import _is_pil_image
from ..transforms import _happens
from . import functional as F
from .functional import is_pure_tensor


def _is_image_like(x: Any) -> bool:
    return isinstance(x, Image | Video) or _is_pil_image(x)


def query_size(flat_inputs: list) -> tuple[int, int]:
    """The one ``(height, width)`` shared by the spatial inputs of a sample."""
    sizes = {
        tuple(F.get_size(x))
        for x in flat_inputs
        if isinstance(x, Image | Video | Mask | BoundingBoxes)
        or is_pure_tensor(x)
        or _is_pil_image(x)
    }
    if not sizes:
        raise TypeError("No image, video, mask or bounding box was found in the sample")
    if len(sizes) > 1:
        raise ValueError(f"Found multiple HxW dimensions in the sample: {sorted(sizes)}")
    return next(iter(sizes))


def query_chw(flat_inputs: list) -> tuple[int, int, int]:
    """The one ``(channels, height, width)`` shared by the images of a sample."""
    dims = {
        tuple(F.get_dimensions(x))
        for x in flat_inputs
        if isinstance(x, Image | Video) or is_pure_tensor(x) or _is_pil_image(x)
    }
    if not dims:
        raise TypeError("No image or video was found in the sample")
    if len(dims) > 1:
        raise ValueError(f"Found multiple CxHxW dimensions in the sample: {sorted(dims)}")
    return next(iter(dims))


def find_labels(sample: Any) -> Any:
    """The default ``labels_getter``: a plain tensor sample itself, the ``"labels"`` key of a
    dict sample (or of the dict second in a tuple), or the tensor second in a tuple."""
    if is_pure_tensor(sample):
        return sample
    pair = isinstance(sample, tuple | list) and len(sample) >= 2
    if pair and isinstance(sample[1], dict | Tensor):
        sample = sample[1]
        if isinstance(sample, Tensor):
            return sample
    elif not isinstance(sample, dict):
        raise ValueError(
            "When using the default labels_getter, the input passed to forward must be a "
            "dictionary or a two-tuple whose second item is a dictionary or a tensor, but got "
            f"{sample} instead."
        )
    for key in sample:
        if isinstance(key, str) and key.lower() == "labels":
            return sample[key]
    raise ValueError(
        "Could not infer where the labels are in the sample. Try passing a callable as the "
        "labels_getter parameter?If there are no labels in the sample by design, pass "
        "labels_getter=None."
    )


class Transform(Module):
    """Base of the v2 transforms: ``make_params`` draws once per call, ``transform`` applies the
    parameters to each input that needs it."""

    # Types this transform changes; others pass through. ``_pil``: PIL images too.
    _transformed_types: tuple = (Tensor,)
    _pil = True

    def __init__(self) -> None:
        super().__init__()

    def _needs(self, x: Any) -> bool:
        return isinstance(x, self._transformed_types) or (self._pil and _is_pil_image(x))

    def check_inputs(self, flat_inputs: list) -> None:
        """Reject unsupported inputs before any random draw; subclasses override."""

    def _needs_transform_list(self, flat_inputs: list) -> list[bool]:
        take_pure = not any(_is_image_like(x) for x in flat_inputs)
        needs = []
        for x in flat_inputs:
            need = self._needs(x)
            if need and is_pure_tensor(x):
                need, take_pure = take_pure, False
            needs.append(need)
        return needs

    def make_params(self, flat_inputs: list) -> dict:
        """The random parameters for one call."""
        return {}

    def transform(self, inpt: Any, params: dict) -> Any:
        """Apply ``params`` to one input."""
        raise NotImplementedError

    def _apply_flat(self, flat: list) -> list:
        needs = self._needs_transform_list(flat)
        if not any(needs):
            return flat
        params = self.make_params([x for x, n in zip(flat, needs, strict=True) if n])
        return [self.transform(x, params) if n else x for x, n in zip(flat, needs, strict=True)]

    def forward(self, *inputs: Any) -> Any:
        """Transform the sample (one input, or several as a tuple)."""
        sample = inputs if len(inputs) > 1 else inputs[0]
        flat, spec = tree_flatten(sample)
        self.check_inputs(flat)
        return tree_unflatten(self._apply_flat(flat), spec)

    def extra_repr(self) -> str:
        extra = []
        for name, value in self.__dict__.items():
            if name.startswith("_") or name == "training":
                continue
            if not isinstance(value, bool | int | float | str | tuple | list | enum.Enum):
                continue
            extra.append(f"{name}={value}")
        return ", ".join(extra)


class _RandomApplyTransform(Transform):
    """A transform applied with probability ``p``: one ``rand(1)`` draw before any other."""

    def __init__(self, p: float = 0.5) -> None:
        if not (0.0 <= p <= 1.0):
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        super().__init__()
        self.p = p

    def forward(self, *inputs: Any) -> Any:
        sample = inputs if len(inputs) > 1 else inputs[0]
        flat, spec = tree_flatten(sample)
        self.check_inputs(flat)
        if not _happens(self.p):
            return sample
        return tree_unflatten(self._apply_flat(flat), spec)
