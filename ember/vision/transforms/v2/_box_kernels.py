"""torchvision's v2 kernels for bounding boxes given as plain tensors with their ``format`` and
``canvas_size`` (``resize_bounding_boxes``, ``crop_bounding_boxes``, ...),
``sanitize_bounding_boxes``, and ``register_kernel`` for custom TVTensor types.

Each kernel wraps the boxes as ``BoundingBoxes`` and runs the v2 dispatcher's box path, then
returns the plain result (with the new canvas where torchvision's kernel returns one).
"""

from __future__ import annotations

import inspect

import numpy as np

import ember
from ember._tensor import Tensor
from ember.vision import tv_tensors
from ember.vision.tv_tensors import BoundingBoxes, BoundingBoxFormat

from . import functional as F
from ._geometry_extra import elastic, perspective


def _on_boxes(dispatcher, boxes: Tensor, format, canvas_size, clamping_mode, *args, **kwargs):
    """``dispatcher`` on ``boxes`` as ``BoundingBoxes``: (plain result, its canvas)."""
    if isinstance(format, str):
        format = BoundingBoxFormat[format.upper()]
    wrapped = BoundingBoxes._wrap(F._plain(boxes), format=format, canvas_size=tuple(canvas_size),
                                  clamping_mode=clamping_mode)  # fmt: skip
    out = dispatcher(wrapped, *args, **kwargs)
    return F._plain(out), tuple(out.canvas_size)


def horizontal_flip_bounding_boxes(bounding_boxes: Tensor, format: BoundingBoxFormat,
                                   canvas_size: tuple[int, int]) -> Tensor:  # fmt: skip
    """Mirror boxes left-right on their canvas."""
    return _on_boxes(F.horizontal_flip, bounding_boxes, format, canvas_size, "soft")[0]


def vertical_flip_bounding_boxes(bounding_boxes: Tensor, format: BoundingBoxFormat,
                                 canvas_size: tuple[int, int]) -> Tensor:  # fmt: skip
    """Mirror boxes top-bottom on their canvas."""
    return _on_boxes(F.vertical_flip, bounding_boxes, format, canvas_size, "soft")[0]


def crop_bounding_boxes(bounding_boxes: Tensor, format: BoundingBoxFormat, top: int, left: int,
                        height: int, width: int,
                        clamping_mode: str | None = "soft") -> tuple:  # fmt: skip
    """Boxes moved into the ``height x width`` crop at ``(top, left)``: (boxes, new canvas)."""
    # the crop's own size is the only canvas the result depends on
    return _on_boxes(F.crop, bounding_boxes, format, (height, width), clamping_mode, top, left,
                     height, width)  # fmt: skip


def resize_bounding_boxes(bounding_boxes: Tensor, canvas_size: tuple[int, int], size,
                          max_size=None, format: BoundingBoxFormat = BoundingBoxFormat.XYXY,
                          clamping_mode: str | None = "soft") -> tuple:  # fmt: skip
    """Boxes scaled with their canvas to ``size``: (boxes, new canvas)."""
    return _on_boxes(F.resize, bounding_boxes, format, canvas_size, clamping_mode, size,
                     max_size=max_size)  # fmt: skip


def center_crop_bounding_boxes(bounding_boxes: Tensor, format: BoundingBoxFormat,
                               canvas_size: tuple[int, int], output_size: list[int],
                               clamping_mode: str | None = "soft") -> tuple:  # fmt: skip
    """Boxes moved into the central ``output_size`` crop: (boxes, new canvas)."""
    return _on_boxes(F.center_crop, bounding_boxes, format, canvas_size, clamping_mode,
                     output_size)  # fmt: skip


def pad_bounding_boxes(bounding_boxes: Tensor, format: BoundingBoxFormat,
                       canvas_size: tuple[int, int], padding: list[int],
                       padding_mode: str = "constant",
                       clamping_mode: str | None = "soft") -> tuple:  # fmt: skip
    """Boxes shifted onto the padded canvas: (boxes, new canvas)."""
    if padding_mode not in ("constant",):
        raise ValueError(f"Padding mode '{padding_mode}' is not supported with bounding boxes")
    return _on_boxes(F.pad, bounding_boxes, format, canvas_size, clamping_mode, padding)


def resized_crop_bounding_boxes(bounding_boxes: Tensor, format: BoundingBoxFormat, top: int,
                                left: int, height: int, width: int, size: list[int],
                                clamping_mode: str | None = "soft") -> tuple:  # fmt: skip
    """Boxes cropped then scaled to ``size``: (boxes, new canvas)."""
    return _on_boxes(F.resized_crop, bounding_boxes, format, (height, width), clamping_mode,
                     top, left, height, width, size)  # fmt: skip


def rotate_bounding_boxes(bounding_boxes: Tensor, format: BoundingBoxFormat,
                          canvas_size: tuple[int, int], angle: float, expand: bool = False,
                          center=None, clamping_mode: str | None = "soft") -> tuple:  # fmt: skip
    """The boxes around the rotated boxes' corners: (boxes, canvas, grown when ``expand``)."""
    return _on_boxes(F.rotate, bounding_boxes, format, canvas_size, clamping_mode, angle,
                     expand=expand, center=center)  # fmt: skip


def affine_bounding_boxes(bounding_boxes: Tensor, format: BoundingBoxFormat,
                          canvas_size: tuple[int, int], angle: int | float,
                          translate: list[float], scale: float, shear: list[float], center=None,
                          clamping_mode: str | None = "soft") -> Tensor:  # fmt: skip
    """The boxes around the affinely mapped boxes' corners."""
    return _on_boxes(F.affine, bounding_boxes, format, canvas_size, clamping_mode, angle,
                     translate, scale, shear, center=center)[0]  # fmt: skip


def perspective_bounding_boxes(bounding_boxes: Tensor, format: BoundingBoxFormat,
                               canvas_size: tuple[int, int], startpoints, endpoints,
                               coefficients=None,
                               clamping_mode: str | None = "soft") -> Tensor:  # fmt: skip
    """The boxes around the boxes' corners under the homography."""
    return _on_boxes(perspective, bounding_boxes, format, canvas_size, clamping_mode,
                     startpoints, endpoints, coefficients=coefficients)[0]  # fmt: skip


def elastic_bounding_boxes(bounding_boxes: Tensor, format: BoundingBoxFormat,
                           canvas_size: tuple[int, int], displacement: Tensor,
                           clamping_mode: str | None = "soft") -> Tensor:  # fmt: skip
    """The boxes around the displaced corners (torchvision's approximation)."""
    return _on_boxes(elastic, bounding_boxes, format, canvas_size, clamping_mode,
                     displacement)[0]  # fmt: skip


def get_size_bounding_boxes(bounding_box: BoundingBoxes) -> list[int]:
    """The boxes' canvas ``[height, width]``."""
    return list(bounding_box.canvas_size)


def _valid_boxes(boxes: BoundingBoxes, min_size: float, min_area: float) -> np.ndarray:
    """Which boxes are at least ``min_size`` wide and high, ``min_area`` large, and lie
    within the canvas."""
    a = F._to_xyxy(F._box_array(boxes), boxes.format)
    ws, hs = a[..., 2] - a[..., 0], a[..., 3] - a[..., 1]
    h, w = boxes.canvas_size
    valid = (ws >= min_size) & (hs >= min_size) & (ws * hs >= min_area) & (a >= 0).all(-1)
    return valid & (a[..., 0::2] <= w).all(-1) & (a[..., 1::2] <= h).all(-1)


def sanitize_bounding_boxes(bounding_boxes: Tensor, format=None, canvas_size=None,
                            min_size: float = 1.0, min_area: float = 1.0) -> tuple:  # fmt: skip
    """(the valid boxes, the boolean mask of which were valid); see ``_valid_boxes``."""
    if isinstance(bounding_boxes, BoundingBoxes):
        if format is not None or canvas_size is not None:
            raise ValueError(
                "format and canvas_size must be None when bounding_boxes is a "
                f"tv_tensors.BoundingBoxes instance. Got format={format} and "
                f"canvas_size={canvas_size}. Leave those to None or pass bounding_boxes as a "
                "pure tensor."
            )
        boxes = bounding_boxes
    elif format is None or canvas_size is None:
        raise ValueError(
            "format and canvas_size cannot be None if bounding_boxes is a pure tensor. Got "
            f"format={format} and canvas_size={canvas_size}.Set those to appropriate values or "
            "pass bounding_boxes as a tv_tensors.BoundingBoxes object."
        )
    else:
        if isinstance(format, str):
            format = BoundingBoxFormat[format.upper()]
        boxes = BoundingBoxes._wrap(bounding_boxes, format=format, canvas_size=tuple(canvas_size),
                                    clamping_mode="soft")  # fmt: skip
    valid = _valid_boxes(boxes, min_size, min_area)
    kept = F._plain(bounding_boxes)[ember.from_numpy(np.nonzero(valid)[0])]
    if isinstance(bounding_boxes, BoundingBoxes):
        kept = tv_tensors.wrap(kept, like=bounding_boxes)
    return kept, ember.from_numpy(valid)


# -- custom kernels for custom TVTensor types ---------------------------------------------------
_REGISTRY: dict = {}
_BUILTIN = (tv_tensors.Image, tv_tensors.Video, tv_tensors.Mask, BoundingBoxes)


def _registrable(dispatcher):
    """``dispatcher``, first handing inputs of a type with a kernel registered for it (see
    ``register_kernel``) to that kernel."""

    sig = inspect.signature(dispatcher)

    def fn(inpt, *args, **kwargs):
        if isinstance(inpt, tv_tensors.TVTensor) and not isinstance(inpt, _BUILTIN):
            kernels = _REGISTRY[fn]
            kernel = next((kernels[c] for c in type(inpt).__mro__ if c in kernels), None)
            if kernel is None:
                raise TypeError(
                    f"Functional F.{dispatcher.__name__} supports inputs of type "
                    f"{[*_BUILTIN, *kernels]}, but got {type(inpt)} instead."
                )
            # as torchvision: every other argument by keyword, defaults filled in
            bound = sig.bind(inpt, *args, **kwargs)
            bound.apply_defaults()
            return kernel(inpt, **dict(list(bound.arguments.items())[1:]))
        return dispatcher(inpt, *args, **kwargs)

    fn.__name__ = fn.__qualname__ = dispatcher.__name__
    fn.__doc__ = dispatcher.__doc__
    fn.__wrapped__ = dispatcher  # inspect.signature shows the dispatcher's
    fn.__module__ = F.__name__
    return fn


def register_kernel(functional, tv_tensor_cls):
    """Decorator: the kernel for ``tv_tensor_cls`` (a custom TVTensor subclass) under the v2
    functional ``functional`` (a function or its name)."""
    if isinstance(functional, str):
        functional = getattr(F, functional)
    if functional not in _REGISTRY:
        raise ValueError(
            "Kernels can only be registered on functionals from the "
            f"torchvision.transforms.v2.functional namespace, but got {functional}."
        )
    if not (isinstance(tv_tensor_cls, type) and issubclass(tv_tensor_cls, tv_tensors.TVTensor)):
        raise ValueError(
            "Kernels can only be registered for subclasses of torchvision.tv_tensors.TVTensor, "
            f"but got {tv_tensor_cls}."
        )
    if tv_tensor_cls in _BUILTIN:
        raise ValueError(
            "Kernels cannot be registered for the builtin tv_tensor classes, but got "
            f"{tv_tensor_cls}"
        )
    if tv_tensor_cls in _REGISTRY[functional]:
        raise ValueError(
            f"Functional {functional} already has a kernel registered for type {tv_tensor_cls}."
        )

    def decorator(kernel):
        _REGISTRY[functional][tv_tensor_cls] = kernel
        return kernel

    return decorator


def _make_registrable(namespace: dict, names) -> None:
    """Replace each dispatcher ``names`` in ``namespace`` by its registrable form (aliases such
    as ``hflip`` and ``horizontal_flip`` share one)."""
    done: dict = {}
    for name in names:
        original = namespace[name]
        if id(original) not in done:
            done[id(original)] = _registrable(original)
            _REGISTRY[done[id(original)]] = {}
        namespace[name] = done[id(original)]


__all__ = [
    "affine_bounding_boxes",
    "center_crop_bounding_boxes",
    "crop_bounding_boxes",
    "elastic_bounding_boxes",
    "get_size_bounding_boxes",
    "horizontal_flip_bounding_boxes",
    "pad_bounding_boxes",
    "perspective_bounding_boxes",
    "register_kernel",
    "resize_bounding_boxes",
    "resized_crop_bounding_boxes",
    "rotate_bounding_boxes",
    "sanitize_bounding_boxes",
    "vertical_flip_bounding_boxes",
]
