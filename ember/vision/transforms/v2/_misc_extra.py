"""More v2 transforms: channel permutations and SSD's photometric distortion, the whitening
``LinearTransformation``, ``JPEG`` round trips (Pillow's encoder), ``UniformTemporalSubsample``
for videos and ``SetClampingMode`` for boxes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

import ember
from ember._tensor import Tensor
from ember.utils.data import _rng
from ember.vision import tv_tensors
from ember.vision.tv_tensors import BoundingBoxes, Image, Video

from .. import _augment as _v1a
from .. import functional as _F
from ..transforms import _check_sequence_input, _happens
from . import functional as F
from ._transform import Transform, is_pure_tensor, query_chw

__all__ = [
    "JPEG",
    "LinearTransformation",
    "RandomChannelPermutation",
    "RandomPhotometricDistort",
    "SetClampingMode",
    "UniformTemporalSubsample",
]


def _via_tensor(fn):
    """``fn`` on tensors; a PIL image goes through a uint8 tensor and back."""

    def op(img, *args):
        if isinstance(img, Tensor):
            return fn(img, *args)
        return _F.to_pil_image(fn(_F.pil_to_tensor(img), *args), mode=img.mode)

    return op


def _permute(img: Tensor, permutation) -> Tensor:
    c = img.shape[-3]
    if len(permutation) != c:
        raise ValueError(
            f"Length of permutation does not match number of channels: {len(permutation)} != {c}"
        )
    return _F._tensor(_F._array(img)[..., list(permutation), :, :])


def permute_channels(inpt: Tensor, permutation: list[int]) -> Tensor:
    """The channels of an image or video in the order ``permutation`` (masks and boxes pass)."""
    return F._dispatch(inpt, lambda x: _via_tensor(_permute)(x, permutation), F._noop, F._noop)


class RandomChannelPermutation(Transform):
    """Permute the channels of images and videos (``randperm``)."""

    def make_params(self, flat_inputs: list) -> dict:
        return {"permutation": _rng.randperm(query_chw(flat_inputs)[0])}

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.permute_channels(inpt, params["permutation"])


class RandomPhotometricDistort(Transform):
    """SSD's photometric distortion: brightness, contrast (before or after the rest),
    saturation, hue and a channel permutation, each with probability ``p``."""

    def __init__(self, brightness: tuple[float, float] = (0.875, 1.125),
                 contrast: tuple[float, float] = (0.5, 1.5),
                 saturation: tuple[float, float] = (0.5, 1.5),
                 hue: tuple[float, float] = (-0.05, 0.05), p: float = 0.5) -> None:  # fmt: skip
        super().__init__()
        self.brightness = brightness
        self.contrast = contrast
        self.hue = hue
        self.saturation = saturation
        self.p = p

    def make_params(self, flat_inputs: list) -> dict:
        c = query_chw(flat_inputs)[0]
        params = {}
        for key in ("brightness", "contrast", "saturation", "hue"):
            lo, hi = getattr(self, key)
            params[key] = _rng.uniform(lo, hi) if _happens(self.p) else None
        params["contrast_before"] = _happens(0.5)
        params["permutation"] = _rng.randperm(c) if _happens(self.p) else None
        return params

    def transform(self, inpt: Any, params: dict) -> Any:
        contrast, before = params["contrast"], params["contrast_before"]
        if params["brightness"] is not None:
            inpt = F.adjust_brightness(inpt, params["brightness"])
        if contrast is not None and before:
            inpt = F.adjust_contrast(inpt, contrast)
        if params["saturation"] is not None:
            inpt = F.adjust_saturation(inpt, params["saturation"])
        if params["hue"] is not None:
            inpt = F.adjust_hue(inpt, params["hue"])
        if contrast is not None and not before:
            inpt = F.adjust_contrast(inpt, contrast)
        if params["permutation"] is not None:
            inpt = permute_channels(inpt, params["permutation"])
        return inpt


class LinearTransformation(Transform):
    """Flatten images and videos, subtract ``mean_vector`` and multiply by the square
    ``transformation_matrix`` (e.g. ZCA whitening); no PIL images."""

    _pil = False

    def __init__(self, transformation_matrix: Tensor, mean_vector: Tensor) -> None:
        super().__init__()
        self._v1 = _v1a.LinearTransformation(transformation_matrix, mean_vector)
        self.transformation_matrix = transformation_matrix
        self.mean_vector = mean_vector

    def _needs(self, x: Any) -> bool:
        return isinstance(x, Image | Video) or is_pure_tensor(x)

    def check_inputs(self, flat_inputs: list) -> None:
        if any(F._is_pil_image(x) for x in flat_inputs):
            raise TypeError(f"{type(self).__name__}() does not support PIL images.")

    def transform(self, inpt: Any, params: dict) -> Any:
        out = self._v1(F.to_pure_tensor(inpt))
        return tv_tensors.wrap(out, like=inpt) if isinstance(inpt, Image | Video) else out


def _jpeg_pil(img, quality: int):
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=quality)
    from PIL import Image as PILImage

    return PILImage.open(buf).copy()


def _jpeg_tensor(img: Tensor, quality: int) -> Tensor:
    """Each ``[C, H, W]`` uint8 image through Pillow's JPEG encoder and decoder."""
    if img.dtype != ember.uint8:
        raise TypeError(f"Input tensor dtype should be uint8. Got {img.dtype}.")
    a = _F._array(img)
    flat = a.reshape((-1,) + a.shape[-3:])
    out = [_F.pil_to_tensor(_jpeg_pil(_F.to_pil_image(_F._tensor(x)), quality)).numpy()
           for x in flat]  # fmt: skip
    return _F._tensor(np.stack(out).reshape(a.shape) if out else a.copy())


def jpeg(image: Tensor, quality: int) -> Tensor:
    """A JPEG compression round trip at ``quality`` (1 to 100)."""
    fn = _jpeg_tensor if isinstance(image, Tensor) else _jpeg_pil
    return F._dispatch(image, lambda x: fn(x, quality), F._noop, F._noop)


class JPEG(Transform):
    """JPEG-compress and decompress images at a quality drawn from ``quality`` (inclusive)."""

    def __init__(self, quality: int | Sequence[int]) -> None:
        super().__init__()
        if isinstance(quality, int):
            if isinstance(quality, bool):
                raise TypeError("quality can't be bool")
            quality = [quality, quality]
        else:
            _check_sequence_input(quality, "quality", req_sizes=(2,))
        ok = all(isinstance(q, int) for q in quality) and 1 <= quality[0] <= quality[1] <= 100
        if not ok:
            raise ValueError(f"quality must be an integer from 1 to 100, got quality ={quality!r}")
        self.quality = quality

    def make_params(self, flat_inputs: list) -> dict:
        return {"quality": _rng.randint(self.quality[0], self.quality[1] + 1, 1)[0]}

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.jpeg(inpt, params["quality"])


def uniform_temporal_subsample(inpt: Tensor, num_samples: int) -> Tensor:
    """``num_samples`` equispaced frames of ``[..., T, C, H, W]`` (repeats when T is smaller)."""
    t_max = inpt.shape[-4] - 1
    indices = ember.linspace(0, t_max, num_samples).long()
    out = F.to_pure_tensor(inpt).index_select(-4, indices)
    return tv_tensors.wrap(out, like=inpt) if isinstance(inpt, Video) else out


class UniformTemporalSubsample(Transform):
    """Keep ``num_samples`` equispaced frames of videos (and of a plain video tensor)."""

    _pil = False

    def __init__(self, num_samples: int) -> None:
        super().__init__()
        self.num_samples = num_samples

    def transform(self, inpt: Any, params: dict) -> Any:
        if isinstance(inpt, tv_tensors.TVTensor) and not isinstance(inpt, Video):
            return inpt  # torchvision has no kernel for them: they pass through
        return F.uniform_temporal_subsample(inpt, self.num_samples)


class SetClampingMode(Transform):
    """Set the boxes' ``clamping_mode`` ("soft", "hard" or None) for later transforms."""

    _transformed_types = (BoundingBoxes,)
    _pil = False

    def __init__(self, clamping_mode) -> None:
        super().__init__()
        self.clamping_mode = clamping_mode
        if self.clamping_mode not in (None, "soft", "hard"):
            raise ValueError(f"clamping_mode must be soft, hard or None, got {clamping_mode}")

    def transform(self, inpt: Any, params: dict) -> Any:
        out = inpt.clone()
        out.clamping_mode = self.clamping_mode
        return out
