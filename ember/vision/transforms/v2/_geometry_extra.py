"""More v2 geometry: ``RandomPerspective`` and ``ElasticTransform`` (images, videos, masks and
boxes), the detection crops and zooms (``RandomZoomOut``, ``RandomIoUCrop``) and the random
resizes (``ScaleJitter``, ``RandomShortestSize``, ``RandomResize``).

Random draws are torchvision's calls in its order; where torchvision does arithmetic on a drawn
float32 tensor (``lo + rand(1) * (hi - lo)``, ``int(w * r)``) it is done here in float32 too, so
the same seed gives the same sizes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import ember
from ember._tensor import Tensor
from ember.utils.data import _rng
from ember.vision import tv_tensors
from ember.vision.ops import box_iou
from ember.vision.tv_tensors import BoundingBoxes, Image

from .. import _augment as _v1a
from .. import functional as _F
from .._geometry import _perspective, _perspective_coeffs
from ..transforms import _check_sequence_input
from . import functional as F
from ._transform import Transform, _RandomApplyTransform, is_pure_tensor, query_size
from ._utils import _check_fill, _get_fill, get_bounding_boxes, has_all, has_any

__all__ = [
    "ElasticTransform",
    "RandomIoUCrop",
    "RandomPerspective",
    "RandomResize",
    "RandomShortestSize",
    "RandomZoomOut",
    "ScaleJitter",
]


def _f32(x: float) -> float:
    return float(np.float32(x))


def _drawn_scale(lo: float, hi: float) -> float:
    """``lo + torch.rand(1) * (hi - lo)``, in float32."""
    return _f32(np.float32(lo) + np.float32(_rng.rand() * _f32(hi - lo)))


def _stored(a: np.ndarray, boxes: BoundingBoxes) -> np.ndarray:
    """XYXY coordinates as torchvision holds them for ``boxes``: integer boxes are cast to
    their dtype (truncated) after each format conversion."""
    return a if boxes.is_floating_point() else np.trunc(a)


def _corner_points(a: np.ndarray) -> np.ndarray:
    """The (N, 4, 2) corners of XYXY boxes: top-left, top-right, bottom-right, bottom-left."""
    return a[..., [[0, 1], [2, 1], [2, 3], [0, 3]]].reshape(-1, 4, 2)


def _hull(points: np.ndarray, dtype) -> np.ndarray:
    """The XYXY boxes spanned by (N, 4, 2) points."""
    return np.concatenate([points.min(axis=1), points.max(axis=1)], axis=1).astype(dtype)


def _coefficients(startpoints, endpoints, coefficients) -> list[float]:
    """The sampling homography: ``coefficients`` as given, or solved from the point pairs."""
    if coefficients is not None:
        if startpoints is not None and endpoints is not None:
            raise ValueError(
                "The startpoints/endpoints and the coefficients shouldn't be defined concurrently."
            )
        if len(coefficients) != 8:
            raise ValueError("Argument coefficients should have 8 float values")
        return list(coefficients)
    if startpoints is None or endpoints is None:
        raise ValueError(
            "Either the startpoints/endpoints or the coefficients must have non `None` values."
        )
    return _perspective_coeffs(startpoints, endpoints)


def _perspective_boxes(boxes: BoundingBoxes, c: list[float]):
    """Each box's corners through the forward homography (the inverse of the image's sampling
    map ``c``), and the box around them."""
    denom = c[0] * c[4] - c[1] * c[3]
    if denom == 0:
        raise RuntimeError(
            f"Provided perspective_coeffs {c} can not be inverted to transform bounding boxes. "
            f"Denominator is zero, denom={denom}"
        )
    inv = [
        (c[4] - c[5] * c[7]) / denom,
        (-c[1] + c[2] * c[7]) / denom,
        (c[1] * c[5] - c[2] * c[4]) / denom,
        (-c[3] + c[5] * c[6]) / denom,
        (c[0] - c[2] * c[6]) / denom,
        (-c[0] * c[5] + c[2] * c[3]) / denom,
        (-c[4] * c[6] + c[3] * c[7]) / denom,
        (-c[0] * c[7] + c[1] * c[6]) / denom,
    ]

    def fn(a):
        pts = _corner_points(_stored(a, boxes)).reshape(-1, 2)
        pts = np.concatenate([pts, np.ones((len(pts), 1), a.dtype)], axis=1)
        numer = pts @ np.asarray([inv[0:3], inv[3:6]], a.dtype).T
        den = pts @ np.asarray([inv[6], inv[7], 1.0], a.dtype)
        return _hull((numer / den[:, None]).reshape(-1, 4, 2), a.dtype).reshape(a.shape)

    return F._moved(boxes, fn, boxes.canvas_size)


def perspective(inpt, startpoints, endpoints, interpolation=_F.InterpolationMode.BILINEAR,
                fill=None,
                coefficients=None):  # fmt: skip
    """Warp so that ``startpoints`` land on ``endpoints``, or sample at the homography
    ``coefficients`` (masks nearest; boxes by corners)."""
    mode = F._mode(interpolation)
    c = _coefficients(startpoints, endpoints, coefficients)
    return F._dispatch(
        inpt,
        lambda x: _perspective(x, c, mode, fill),
        lambda b: _perspective_boxes(b, c),
        lambda x: _perspective(x, c, _F.InterpolationMode.NEAREST, fill),
    )


def _elastic_boxes(boxes: BoundingBoxes, displacement: Tensor):
    """torchvision's approximation: corners looked up in ``identity - displacement`` (the
    inverse of the sampling grid to first order), then the box around them."""
    h, w = boxes.canvas_size
    expected = (1, h, w, 2)
    if tuple(displacement.shape) != expected:
        raise ValueError(
            f"Argument displacement shape should be {expected}, but given {displacement.shape}"
        )

    def fn(a):
        xs = ember.linspace((-w + 1) / w, (w - 1) / w, w).numpy().astype(a.dtype)
        ys = ember.linspace((-h + 1) / h, (h - 1) / h, h).numpy().astype(a.dtype)
        grid = np.stack(np.broadcast_arrays(xs[None, :], ys[:, None]), axis=-1)
        inv = grid - _F._array(displacement)[0].astype(a.dtype)
        idx = np.ceil(_corner_points(_stored(a, boxes)).reshape(-1, 2)).astype(np.int64)
        ix, iy = np.clip(idx[:, 0], 0, w - 1), np.clip(idx[:, 1], 0, h - 1)
        size = np.asarray([w, h], a.dtype)
        pts = (inv[iy, ix] + a.dtype.type(1)) * (a.dtype.type(0.5) * size) - a.dtype.type(0.5)
        return _stored(_hull(pts.reshape(-1, 4, 2), a.dtype).reshape(a.shape), boxes)

    return F._moved(boxes, fn, boxes.canvas_size)


def elastic(inpt, displacement: Tensor, interpolation=_F.InterpolationMode.BILINEAR, fill=None):
    """Sample each pixel at its position plus ``displacement`` (masks nearest; boxes
    approximately, as torchvision)."""
    mode = F._mode(interpolation)
    return F._dispatch(
        inpt,
        lambda x: _F.elastic_transform(x, displacement, mode, fill),
        lambda b: _elastic_boxes(b, displacement),
        lambda x: _F.elastic_transform(x, displacement, _F.InterpolationMode.NEAREST, fill),
    )


def _set_warp(t: Transform, interpolation, fill) -> None:
    """Check and keep a warp's ``interpolation`` (as given, as torchvision's repr shows it) and
    ``fill``."""
    F._mode(interpolation)
    t.interpolation = interpolation
    _check_fill(fill)
    t.fill = fill


class RandomPerspective(_RandomApplyTransform):
    """With probability ``p``, move each corner inwards by up to ``distortion_scale`` of half the
    size and warp the inputs accordingly."""

    def __init__(self, distortion_scale: float = 0.5, p: float = 0.5, interpolation="bilinear",
                 fill=0) -> None:  # fmt: skip
        super().__init__(p=p)
        if not (0 <= distortion_scale <= 1):
            raise ValueError("Argument distortion_scale value should be between 0 and 1")
        self.distortion_scale = distortion_scale
        _set_warp(self, interpolation, fill)

    def make_params(self, flat_inputs: list) -> dict:
        h, w = query_size(flat_inputs)
        start, end = _v1a.RandomPerspective.get_params(w, h, self.distortion_scale)
        return {"startpoints": start, "endpoints": end}

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.perspective(inpt, **params, interpolation=self.interpolation,
                           fill=_get_fill(self.fill, inpt))  # fmt: skip


def _number_or_pair(arg, name: str) -> list[float]:
    if not isinstance(arg, int | float | Sequence):
        raise TypeError(f"{name} should be a number or a sequence of numbers. Got {type(arg)}")
    if isinstance(arg, Sequence):
        if len(arg) not in (1, 2):
            raise ValueError(f"If {name} is a sequence its length should be 1 or 2. Got {len(arg)}")
        for v in arg:
            if not isinstance(v, int | float):
                raise ValueError(f"{name} should be a sequence of numbers. Got {type(v)}")
        return [float(arg[0]), float(arg[-1])]
    return [float(arg), float(arg)]


class ElasticTransform(Transform):
    """Displace pixels by a random field (uniform noise blurred with std ``sigma``, scaled by
    ``alpha`` pixels); boxes follow approximately."""

    def __init__(self, alpha=50.0, sigma=5.0, interpolation="bilinear", fill=0) -> None:
        super().__init__()
        self.alpha = _number_or_pair(alpha, "alpha")
        self.sigma = _number_or_pair(sigma, "sigma")
        _set_warp(self, interpolation, fill)

    def make_params(self, flat_inputs: list) -> dict:
        h, w = query_size(flat_inputs)
        return {"displacement": _v1a.ElasticTransform.get_params(self.alpha, self.sigma, [h, w])}

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.elastic(inpt, params["displacement"], self.interpolation,
                       _get_fill(self.fill, inpt))  # fmt: skip


class RandomZoomOut(_RandomApplyTransform):
    """SSD's zoom out: with probability ``p``, place the inputs at a random spot of a canvas
    ``side_range`` times larger, filled with ``fill``."""

    def __init__(self, fill=0, side_range: Sequence[float] = (1.0, 4.0), p: float = 0.5) -> None:
        super().__init__(p=p)
        _check_fill(fill)
        self.fill = fill
        _check_sequence_input(side_range, "side_range", req_sizes=(2,))
        self.side_range = side_range
        if side_range[0] < 1.0 or side_range[0] > side_range[1]:
            raise ValueError(f"Invalid side range provided {side_range}.")

    def make_params(self, flat_inputs: list) -> dict:
        h, w = query_size(flat_inputs)
        r = _drawn_scale(*self.side_range)
        canvas_w, canvas_h = int(_f32(w * r)), int(_f32(h * r))
        gen = _rng.kernel_generator(None)
        rx, ry = (float(v) for v in gen.uniform((2,), np.float32))
        left, top = int(_f32((canvas_w - w) * rx)), int(_f32((canvas_h - h) * ry))
        return {"padding": [left, top, canvas_w - (left + w), canvas_h - (top + h)]}

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.pad(inpt, params["padding"], fill=_get_fill(self.fill, inpt))


class RandomIoUCrop(Transform):
    """SSD's crop: a random crop (scale and aspect ratio bounded) whose overlap with some box
    centred in it reaches an IoU drawn from ``sampler_options``; boxes centred outside it are
    zeroed (follow with ``SanitizeBoundingBoxes``)."""

    def __init__(self, min_scale: float = 0.3, max_scale: float = 1.0,
                 min_aspect_ratio: float = 0.5, max_aspect_ratio: float = 2.0,
                 sampler_options: list[float] | None = None, trials: int = 40) -> None:  # fmt: skip
        super().__init__()
        self.min_scale = min_scale
        self.max_scale = max_scale
        self.min_aspect_ratio = min_aspect_ratio
        self.max_aspect_ratio = max_aspect_ratio
        if sampler_options is None:
            sampler_options = [0.0, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0]
        self.options = sampler_options
        self.trials = trials

    def check_inputs(self, flat_inputs: list) -> None:
        images = has_any(flat_inputs, Image, is_pure_tensor, F._is_pil_image)
        if not (has_all(flat_inputs, BoundingBoxes) and images):
            raise TypeError(
                f"{type(self).__name__}() requires input sample to contain tensor or PIL images "
                "and bounding boxes. Sample can also contain masks."
            )

    def _unit_pair(self) -> tuple[float, float]:
        u = _rng.kernel_generator(None).uniform((2,), np.float32)
        return float(u[0]), float(u[1])

    def make_params(self, flat_inputs: list) -> dict:
        h, w = query_size(flat_inputs)
        boxes = get_bounding_boxes(flat_inputs)
        xyxy = F._to_xyxy(F._F._array(boxes), boxes.format)
        while True:
            min_iou = self.options[_rng.randint(0, len(self.options), 1)[0]]
            if min_iou >= 1.0:  # the "leave as is" option
                return {}
            for _ in range(self.trials):
                span = _f32(self.max_scale - self.min_scale)
                r = [_f32(np.float32(self.min_scale) + np.float32(span * u))
                     for u in self._unit_pair()]  # fmt: skip
                new_w, new_h = int(_f32(w * r[0])), int(_f32(h * r[1]))
                if not (self.min_aspect_ratio <= new_w / new_h <= self.max_aspect_ratio):
                    continue
                rx, ry = self._unit_pair()
                left, top = int(_f32((w - new_w) * rx)), int(_f32((h - new_h) * ry))
                right, bottom = left + new_w, top + new_h
                if left == right or top == bottom:
                    continue
                half = xyxy.dtype.type(0.5) if xyxy.dtype.kind == "f" else np.float32(0.5)
                cx, cy = half * (xyxy[..., 0] + xyxy[..., 2]), half * (xyxy[..., 1] + xyxy[..., 3])
                inside = (left < cx) & (cx < right) & (top < cy) & (cy < bottom)
                if not inside.any():
                    continue
                crop = ember.tensor([[left, top, right, bottom]], dtype=boxes.dtype)
                ious = box_iou(ember.from_numpy(np.ascontiguousarray(xyxy[inside])), crop)
                if np.float32(ious.max().item()) < np.float32(min_iou):
                    continue
                return {"top": top, "left": left, "height": new_h, "width": new_w,
                        "is_within_crop_area": inside}  # fmt: skip

    def transform(self, inpt: Any, params: dict) -> Any:
        if not params:
            return inpt
        out = F.crop(inpt, params["top"], params["left"], params["height"], params["width"])
        if isinstance(out, BoundingBoxes):
            a = F._F._array(out).copy()
            a[~params["is_within_crop_area"]] = 0
            out = tv_tensors.wrap(ember.from_numpy(a), like=out)
        return out


class _RandomSize(Transform):
    """Resize every input to a size drawn in ``make_params``."""

    def _setup(self, interpolation, antialias: bool | None) -> None:
        F._mode(interpolation)
        self.interpolation = interpolation
        self.antialias = antialias

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.resize(inpt, params["size"], self.interpolation, antialias=self.antialias)


class ScaleJitter(_RandomSize):
    """Large scale jitter: resize by a factor drawn from ``scale_range`` times the scale that
    fits the inputs in ``target_size`` (h, w)."""

    def __init__(self, target_size: tuple[int, int], scale_range: tuple[float, float] = (0.1, 2.0),
                 interpolation="bilinear", antialias: bool | None = True) -> None:  # fmt: skip
        super().__init__()
        self.target_size = target_size
        self.scale_range = scale_range
        self._setup(interpolation, antialias)

    def make_params(self, flat_inputs: list) -> dict:
        h, w = query_size(flat_inputs)
        scale = _drawn_scale(*self.scale_range)
        r = _f32(_f32(min(self.target_size[1] / h, self.target_size[0] / w)) * scale)
        return {"size": [int(_f32(h * r)), int(_f32(w * r))]}


class RandomShortestSize(_RandomSize):
    """Resize so the shorter side is one of ``min_size`` (drawn), the longer side at most
    ``max_size``."""

    def __init__(self, min_size: list[int] | tuple[int] | int, max_size: int | None = None,
                 interpolation="bilinear", antialias: bool | None = True) -> None:  # fmt: skip
        super().__init__()
        self.min_size = [min_size] if isinstance(min_size, int) else list(min_size)
        self.max_size = max_size
        self._setup(interpolation, antialias)

    def make_params(self, flat_inputs: list) -> dict:
        h, w = query_size(flat_inputs)
        r = self.min_size[_rng.randint(0, len(self.min_size), 1)[0]] / min(h, w)
        if self.max_size is not None:
            r = min(r, self.max_size / max(h, w))
        return {"size": [int(h * r), int(w * r)]}


class RandomResize(_RandomSize):
    """Resize the shorter side to a size drawn from ``[min_size, max_size)``."""

    def __init__(self, min_size: int, max_size: int, interpolation="bilinear",
                 antialias: bool | None = True) -> None:  # fmt: skip
        super().__init__()
        self.min_size = min_size
        self.max_size = max_size
        self._setup(interpolation, antialias)

    def make_params(self, flat_inputs: list) -> dict:
        return {"size": [_rng.randint(self.min_size, self.max_size, 1)[0]]}
