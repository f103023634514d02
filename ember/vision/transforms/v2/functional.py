"""torchvision's ``transforms.v2.functional``: each operation dispatches on its input's type.

Plain tensors, ``Image`` and ``Video`` use the v1 image kernels (``transforms.functional``) and
keep their type; PIL images use the v1 PIL path; ``Mask`` uses the image kernels with nearest
interpolation; ``BoundingBoxes`` are moved with the image by the box kernels here.

torchvision's per-type kernels (``resize_image``, ``crop_mask``, ``rotate_bounding_boxes``, ...)
live in ``_kernels`` and ``_box_kernels`` and are exported here; ``register_kernel`` adds a
kernel for a custom TVTensor type to any dispatcher.
"""

from __future__ import annotations

import inspect
import math
from typing import Any

import numpy as np

import ember
from ember._tensor import Tensor
from ember.vision import tv_tensors
from ember.vision.tv_tensors import BoundingBoxes, BoundingBoxFormat, Mask, TVTensor

from .. import functional as _F
from .._color import _at_least
from ..functional import (
    InterpolationMode,
    _is_pil_image,
    pil_to_tensor,
    to_pil_image,
)

__all__ = [
    "InterpolationMode",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_hue",
    "adjust_saturation",
    "adjust_gamma",
    "adjust_sharpness",
    "get_image_num_channels",
    "get_num_channels",
    "grayscale_to_rgb",
    "autocontrast",
    "equalize",
    "equalize_image",
    "invert",
    "invert_image",
    "is_pure_tensor",
    "posterize",
    "posterize_image",
    "solarize",
    "solarize_image",
    "affine",
    "center_crop",
    "clamp_bounding_boxes",
    "convert_bounding_box_format",
    "convert_image_dtype",
    "crop",
    "erase",
    "five_crop",
    "gaussian_blur",
    "gaussian_noise",
    "get_dimensions",
    "get_size",
    "hflip",
    "horizontal_flip",
    "normalize",
    "pad",
    "pil_to_tensor",
    "resize",
    "resized_crop",
    "rgb_to_grayscale",
    "rotate",
    "ten_crop",
    "to_dtype",
    "to_grayscale",
    "to_image",
    "to_pil_image",
    "to_pure_tensor",
    "vertical_flip",
    "vflip",
]


def is_pure_tensor(inpt: Any) -> bool:
    """Whether ``inpt`` is a tensor that is not a TVTensor."""
    return isinstance(inpt, Tensor) and not isinstance(inpt, TVTensor)


def _signature_as(fn, first: str) -> inspect.Signature:
    """``fn``'s signature with its first parameter (the input) named ``first``."""
    sig = inspect.signature(fn)
    params = list(sig.parameters.values())
    return sig.replace(parameters=[params[0].replace(name=first), *params[1:]])


def _plain(t: Tensor) -> Tensor:
    return tv_tensors._as_subclass(t, Tensor) if isinstance(t, TVTensor) else t


def _type_error(inpt: Any) -> TypeError:
    return TypeError(
        "Input can either be a plain tensor, any TVTensor subclass, or a PIL image, but got "
        f"{type(inpt)} instead."
    )


def _on_mask(fn, mask: Tensor, *args, **kwargs) -> Tensor:
    """An image kernel on a mask: ``[H, W]`` masks get a channel dimension for the call."""
    m = _plain(mask)
    if m.ndim < 3:
        return fn(m.unsqueeze(0), *args, **kwargs).squeeze(0)
    return fn(m, *args, **kwargs)


def _noop(x):
    return x


def _dispatch(inpt, image_fn, box_fn=None, mask_fn=None):
    """Apply the kernel for ``inpt``'s type and give the result ``inpt``'s type back.

    ``_noop`` for ``box_fn`` / ``mask_fn`` passes those through (what v2 does for colour ops).
    """
    if isinstance(inpt, BoundingBoxes):
        if box_fn is _noop:
            return inpt
        if box_fn is None:
            raise NotImplementedError("this operation does not support BoundingBoxes in Ember")
        _rotated_check(inpt.format)
        out, canvas = box_fn(inpt)
        return tv_tensors.wrap(out, like=inpt, canvas_size=canvas)
    if isinstance(inpt, Mask):
        if mask_fn is _noop:
            return inpt
        return tv_tensors.wrap(_on_mask(mask_fn or image_fn, inpt), like=inpt)
    if isinstance(inpt, TVTensor):
        return tv_tensors.wrap(image_fn(_plain(inpt)), like=inpt)
    if isinstance(inpt, Tensor) or _is_pil_image(inpt):
        return image_fn(inpt)
    raise _type_error(inpt)


# -- sizes -----------------------------------------------------------------------------------
def get_dimensions(inpt) -> list[int]:
    """``[channels, height, width]`` of an image or video."""
    return _F.get_dimensions(inpt)


def get_size(inpt) -> list[int]:
    """``[height, width]`` of an image, video, mask or the canvas of boxes."""
    if isinstance(inpt, BoundingBoxes):
        return list(inpt.canvas_size)
    if isinstance(inpt, Mask):
        return list(inpt.shape[-2:])
    if isinstance(inpt, Tensor) or _is_pil_image(inpt):
        return get_dimensions(inpt)[1:]
    raise _type_error(inpt)


# -- boxes -----------------------------------------------------------------------------------
def _rotated_check(fmt: BoundingBoxFormat) -> None:
    if tv_tensors._is_rotated(fmt):
        raise NotImplementedError(f"Ember's v2 kernels do not support {fmt} boxes")


def _to_xyxy(a: np.ndarray, fmt: BoundingBoxFormat) -> np.ndarray:
    x, y, c, d = (a[..., i] for i in range(4))
    if fmt == BoundingBoxFormat.XYWH:
        return np.stack([x, y, x + c, y + d], axis=-1)
    if fmt == BoundingBoxFormat.CXCYWH:
        return np.stack([x - c / 2, y - d / 2, x + c / 2, y + d / 2], axis=-1)
    return a


def _from_xyxy(a: np.ndarray, fmt: BoundingBoxFormat) -> np.ndarray:
    x1, y1, x2, y2 = (a[..., i] for i in range(4))
    if fmt == BoundingBoxFormat.XYWH:
        return np.stack([x1, y1, x2 - x1, y2 - y1], axis=-1)
    if fmt == BoundingBoxFormat.CXCYWH:
        return np.stack([(x1 + x2) / 2, (y1 + y2) / 2, x2 - x1, y2 - y1], axis=-1)
    return a


def _box_array(boxes: Tensor) -> np.ndarray:
    """The boxes as floats (integer boxes are worked on in float32 and cast back)."""
    a = _F._array(boxes)
    return a if a.dtype.kind == "f" else a.astype(np.float32)


def _box_back(a: np.ndarray, dtype) -> Tensor:
    """Back to the boxes' dtype; integer coordinates round down, as torchvision's do."""
    dt = np.dtype(dtype.np)
    if dt.kind != "f":
        a = np.floor(a)
    return _F._tensor(a.astype(dt))


def convert_bounding_box_format(inpt, old_format=None, new_format=None, inplace: bool = False):
    """Boxes converted from ``old_format`` (the boxes' own for ``BoundingBoxes``) to
    ``new_format``."""
    if new_format is None:
        raise TypeError("convert_bounding_box_format() missing 1 required argument: 'new_format'")
    if isinstance(new_format, str):
        new_format = BoundingBoxFormat[new_format.upper()]
    if isinstance(inpt, BoundingBoxes):
        if old_format is not None:
            raise ValueError("For bounding box tv_tensor inputs, `old_format` must not be passed.")
        old_format = inpt.format
    elif old_format is None:
        raise ValueError("For pure tensor inputs, `old_format` has to be passed.")
    if isinstance(old_format, str):
        old_format = BoundingBoxFormat[old_format.upper()]
    _rotated_check(old_format)
    _rotated_check(new_format)
    if old_format == new_format:
        return inpt
    # integer centres round down, as torchvision's integer division does
    a = _from_xyxy(_to_xyxy(_box_array(inpt), old_format), new_format)
    out = _box_back(a, inpt.dtype)
    if isinstance(inpt, BoundingBoxes):
        return tv_tensors.wrap(out, like=inpt, format=new_format)
    return out


def _clamp_xyxy(a: np.ndarray, canvas) -> np.ndarray:
    h, w = canvas
    out = a.copy()
    out[..., 0::2] = np.clip(out[..., 0::2], 0, w)
    out[..., 1::2] = np.clip(out[..., 1::2], 0, h)
    return out


def _moved(boxes: BoundingBoxes, fn, canvas, clamp: bool = True) -> tuple[Tensor, tuple]:
    """Run ``fn`` on the boxes in XYXY float coordinates, clamp them to the new ``canvas``
    (unless ``clamp`` is off or the boxes' ``clamping_mode`` is None), and cast back."""
    a = fn(_to_xyxy(_box_array(boxes), boxes.format))
    if clamp and boxes.clamping_mode is not None:
        a = _clamp_xyxy(a, canvas)
    # back in float, then cast: integer boxes truncate toward zero (unclamped ones can be < 0)
    return _F._tensor(_from_xyxy(a, boxes.format).astype(boxes.dtype.np)), canvas


def clamp_bounding_boxes(inpt, format=None, canvas_size=None, clamping_mode="auto"):
    """Boxes clipped to their canvas (plain tensors need ``format``, ``canvas_size`` and
    ``clamping_mode``; ``clamping_mode=None`` leaves them as they are)."""
    if isinstance(inpt, BoundingBoxes):
        if format is not None or canvas_size is not None:
            raise ValueError(
                "For bounding box tv_tensor inputs, `format` and `canvas_size` must not be passed."
            )
        boxes = inpt
    elif format is None or canvas_size is None or clamping_mode == "auto":
        raise ValueError(
            "For pure tensor inputs, `format`, `canvas_size` and `clamping_mode` have to be passed."
        )
    else:
        boxes = BoundingBoxes(inpt, format=format, canvas_size=canvas_size)
    _rotated_check(boxes.format)
    mode = boxes.clamping_mode if clamping_mode == "auto" else clamping_mode
    if mode is None:
        return inpt
    out, _ = _moved(boxes, _noop, boxes.canvas_size)
    return tv_tensors.wrap(out, like=inpt) if isinstance(inpt, BoundingBoxes) else out


# -- geometry --------------------------------------------------------------------------------
def horizontal_flip(inpt):
    """Mirror left-right."""

    def boxes(b):
        w = b.canvas_size[1]
        return _moved(b, lambda a: np.stack([w - a[..., 2], a[..., 1], w - a[..., 0],
                                             a[..., 3]], -1), b.canvas_size, False)  # fmt: skip

    return _dispatch(inpt, _F.hflip, boxes)


def vertical_flip(inpt):
    """Mirror top-bottom."""

    def boxes(b):
        h = b.canvas_size[0]
        return _moved(b, lambda a: np.stack([a[..., 0], h - a[..., 3], a[..., 2],
                                             h - a[..., 1]], -1), b.canvas_size, False)  # fmt: skip

    return _dispatch(inpt, _F.vflip, boxes)


hflip = horizontal_flip
vflip = vertical_flip


def _shift(a: np.ndarray, dx: float, dy: float) -> np.ndarray:
    out = a.copy()
    out[..., 0::2] += dx
    out[..., 1::2] += dy
    return out


def crop(inpt, top: int, left: int, height: int, width: int):
    """The ``height x width`` region at ``(top, left)`` (zero padding outside the image)."""
    return _dispatch(
        inpt,
        lambda x: _F.crop(x, top, left, height, width),
        lambda b: _moved(b, lambda a: _shift(a, -left, -top), (height, width)),
    )


def _resize_boxes(b: BoundingBoxes, new_h: int, new_w: int):
    """A pure scaling, so every format's x and y entries scale in place (no conversion to XYXY:
    integer boxes then truncate as torchvision's do)."""
    h, w = b.canvas_size
    a = _box_array(b)
    out = a.copy()
    out[..., 0::2] *= a.dtype.type(new_w / w)
    out[..., 1::2] *= a.dtype.type(new_h / h)
    return _F._tensor(out.astype(b.dtype.np)), (new_h, new_w)


def _mode(interpolation) -> InterpolationMode:
    """An ``InterpolationMode`` from a mode, its name (``"bilinear"``) or a Pillow constant."""
    if isinstance(interpolation, str):
        return InterpolationMode(interpolation.lower())
    return _F._interpolation(interpolation)


def _output_size(h: int, w: int, size, max_size) -> list[int]:
    """``[height, width]`` after ``resize``: ``size`` (h, w); an int or ``[s]`` for the shorter
    side (the longer one capped at ``max_size``); or None for the longer side at ``max_size``."""
    if size is None:
        if not isinstance(max_size, int):
            raise ValueError(
                f"max_size must be an integer when size is None, but got {max_size} instead."
            )
        if h <= w:
            return [int(h * max_size / w), max_size]
        return [max_size, int(w * max_size / h)]
    size = [size] if isinstance(size, int) else list(size)
    if max_size is not None and len(size) != 1:
        raise ValueError(
            "max_size should only be passed if size is None or specifies the length of the "
            "smaller edge, i.e. size should be an int or a sequence of length 1 in torchscript "
            "mode."
        )
    return _F._resized_output_size(h, w, size, max_size)


def resize(inpt, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` ((h, w), or the shorter side for an int or a 1-element list, or the
    longer side to ``max_size`` for None)."""
    interpolation = _mode(interpolation)
    out = _output_size(*get_size(inpt), size, max_size)
    return _dispatch(
        inpt,
        lambda x: _F.resize(x, out, interpolation, None, antialias),
        lambda b: _resize_boxes(b, *out),
        lambda x: _F.resize(x, out, InterpolationMode.NEAREST, None, antialias),
    )


def center_crop(inpt, output_size):
    """The central ``output_size`` region."""
    if isinstance(output_size, int):
        output_size = [output_size, output_size]
    elif len(output_size) == 1:
        output_size = [output_size[0], output_size[0]]
    th, tw = output_size

    def boxes(b):
        h, w = b.canvas_size
        top, left = int(round((h - th) / 2.0)), int(round((w - tw) / 2.0))
        return _moved(b, lambda a: _shift(a, -left, -top), (th, tw))

    return _dispatch(inpt, lambda x: _F.center_crop(x, output_size), boxes)


def resized_crop(inpt, top: int, left: int, height: int, width: int, size,
                 interpolation=InterpolationMode.BILINEAR, antialias=True):  # fmt: skip
    """``crop`` then ``resize``."""
    return resize(crop(inpt, top, left, height, width), size, interpolation, antialias=antialias)


def pad(inpt, padding, fill=None, padding_mode: str = "constant"):
    """Pad the borders: int, (lr, tb) or (l, t, r, b)."""

    def boxes(b):
        left, top, right, bottom = _F._ltrb(padding)
        h, w = b.canvas_size
        canvas = (h + top + bottom, w + left + right)
        return _moved(b, lambda a: _shift(a, left, top), canvas)

    return _dispatch(
        inpt,
        lambda x: _F.pad(x, padding, 0 if fill is None else fill, padding_mode),
        boxes,
        lambda x: _F.pad(x, padding, 0 if fill is None else fill, padding_mode),
    )


# -- dtypes and conversions -------------------------------------------------------------------
def to_image(inpt) -> tv_tensors.Image:
    """A PIL image, HWC ndarray or tensor as an ``Image``."""
    if isinstance(inpt, np.ndarray):
        out = ember.from_numpy(np.ascontiguousarray(np.atleast_3d(inpt).transpose(2, 0, 1)))
    elif _is_pil_image(inpt):
        out = pil_to_tensor(inpt)
    elif isinstance(inpt, Tensor):
        out = _plain(inpt)
    else:
        raise TypeError(
            f"Input can either be a pure Tensor, a numpy array, or a PIL image, but got "
            f"{type(inpt)} instead."
        )
    return tv_tensors.Image(out)


def to_pure_tensor(inpt: Tensor) -> Tensor:
    """A TVTensor as a plain tensor (sharing its data)."""
    return _plain(inpt)


def to_dtype(inpt, dtype=ember.float32, scale: bool = False):
    """``inpt`` as ``dtype``; with ``scale`` image values are rescaled to the new range."""
    if not isinstance(inpt, Tensor):
        raise _type_error(inpt)
    plain = _plain(inpt)
    src_int = not plain.is_floating_point()
    if scale and src_int and dtype.is_floating_point:
        # v2 multiplies by the reciprocal of the integer range (v1 divides by it)
        a = _F._array(plain).astype(dtype.np)
        out = _F._tensor(a * a.dtype.type(1.0 / _F._max_value(_F._array(plain).dtype)))
    elif scale and not isinstance(inpt, BoundingBoxes | Mask):
        out = convert_image_dtype(plain, dtype)
    else:
        out = plain.to(dtype)
    return tv_tensors.wrap(out, like=inpt) if isinstance(inpt, TVTensor) else out


# -- image-only operations (colour, blur, erase, normalize; rotate and affine move masks too) ---
def _image_op(fn, masks: bool = False, name: str | None = None):
    """The v2 form of the v1 kernel ``fn``: typed images keep their type; masks are warped with
    nearest interpolation when ``masks``, else passed through, as are boxes. The dispatcher is
    named ``name`` (default: ``fn``'s) and has ``fn``'s signature, its input called ``inpt``."""

    def op(inpt, *args, **kwargs):
        if "interpolation" in kwargs:
            kwargs["interpolation"] = _mode(kwargs["interpolation"])

        def mask_fn(x):
            return fn(x, *args, **{**kwargs, "interpolation": InterpolationMode.NEAREST})

        return _dispatch(
            inpt,
            lambda x: fn(x, *args, **kwargs),
            None if masks else _noop,
            mask_fn if masks else _noop,
        )

    op.__name__ = op.__qualname__ = name or fn.__name__
    op.__doc__ = fn.__doc__
    op.__signature__ = _signature_as(fn, "inpt")
    return op


adjust_brightness = _image_op(_F.adjust_brightness)
adjust_contrast = _image_op(_F.adjust_contrast)
adjust_saturation = _image_op(_F.adjust_saturation)
adjust_hue = _image_op(_F.adjust_hue)
gaussian_blur = _image_op(_F.gaussian_blur)
normalize = _image_op(_F.normalize)


def _grayscale(img, num_output_channels: int = 1):
    """v1 ``rgb_to_grayscale`` with v2's check of ``num_output_channels``."""
    if num_output_channels not in (1, 3):
        raise ValueError(f"num_output_channels must be 1 or 3, got {num_output_channels}.")
    return _F.rgb_to_grayscale(img, num_output_channels)


rgb_to_grayscale = _image_op(_grayscale, name="rgb_to_grayscale")


def to_grayscale(inpt, num_output_channels: int = 1):
    """``rgb_to_grayscale``."""
    return rgb_to_grayscale(inpt, num_output_channels)


def _erase_any(img, i: int, j: int, h: int, w: int, v, inplace: bool = False):
    """v1 ``erase``, with PIL images erased through a tensor copy (as v2 does)."""
    if _is_pil_image(img):
        out = _F.erase(pil_to_tensor(img), i, j, h, w, v)
        return to_pil_image(out, mode=img.mode)
    return _F.erase(img, i, j, h, w, v, inplace)


erase = _image_op(_erase_any, name="erase")


def convert_image_dtype(image: Tensor, dtype=ember.float32) -> Tensor:
    """A tensor image as ``dtype``, its values rescaled to the new range."""
    return _dispatch(image, lambda x: _F.convert_image_dtype(x, dtype), _noop, _noop)


adjust_sharpness = _image_op(_F.adjust_sharpness)


def _num_value_bits(dt: np.dtype) -> int:
    """The bits that hold an integer dtype's non-negative values (a sign bit does not)."""
    return 1 if dt == np.bool_ else np.iinfo(dt).bits - (dt.kind == "i")


def invert_image(image: Tensor) -> Tensor:
    """v2's invert of a tensor image: ``1 - x`` for floats, the value bits flipped for integers
    (``255 - x`` for uint8), ``~x`` for bool."""
    a = _F._array(image)
    if a.dtype.kind == "f":
        return _F._tensor(a.dtype.type(1) - a)
    if a.dtype == np.bool_:
        return _F._tensor(~a)
    return _F._tensor(a ^ a.dtype.type((1 << _num_value_bits(a.dtype)) - 1))


def posterize_image(image: Tensor, bits: int) -> Tensor:
    """Keep ``bits`` bits per value: the high bits of integers; floats floored onto ``2**bits``
    levels of [0, 1)."""
    if not isinstance(bits, int) or not 0 <= bits <= 8:
        raise TypeError(f"bits must be a positive integer in the range [0, 8], got {bits} instead.")
    a = _F._array(image)
    if a.dtype.kind == "f":
        levels = a.dtype.type(1 << bits)
        kept = np.clip(np.floor(a * levels), 0, levels - 1)
        return _F._tensor((kept * (a.dtype.type(1) / levels)).astype(a.dtype))
    value_bits = _num_value_bits(a.dtype)
    if bits >= value_bits:
        return image
    return _F._tensor(a & a.dtype.type(((1 << bits) - 1) << (value_bits - bits)))


def solarize_image(image: Tensor, threshold: float) -> Tensor:
    """Invert the values at or above ``threshold`` (compared in torch's promoted dtype)."""
    a = _F._array(image)
    if threshold > _F._max_value(a.dtype):
        raise TypeError(
            f"Threshold should be less or equal the maximum value of the dtype, but got {threshold}"
        )
    return _F._tensor(np.where(_at_least(a, threshold), _F._array(invert_image(image)), a))


def _tensor_or_pil(kernel, pil_kernel):
    """``kernel`` for tensors, the v1 ``pil_kernel`` for PIL images."""

    def fn(img, *args, **kwargs):
        return (kernel if isinstance(img, Tensor) else pil_kernel)(img, *args, **kwargs)

    fn.__signature__ = inspect.signature(kernel)
    return fn


invert = _image_op(_tensor_or_pil(invert_image, _F.invert), name="invert")
posterize = _image_op(_tensor_or_pil(posterize_image, _F.posterize), name="posterize")
solarize = _image_op(_tensor_or_pil(solarize_image, _F.solarize), name="solarize")


def _autocontrast_v2(img):
    """v1 ``autocontrast`` for PIL; tensors with v2's arithmetic, which divides by
    ``(max - min) / bound`` and so can differ from v1 (``* bound / (max - min)``) by one level."""
    if not isinstance(img, Tensor):
        return _F.autocontrast(img)
    a = _F._array(img)
    bound = _F._max_value(a.dtype)
    f = a if a.dtype.kind == "f" else a.astype(np.float32)
    lo = f.min(axis=(-2, -1), keepdims=True)
    hi = f.max(axis=(-2, -1), keepdims=True)
    flat = hi == lo
    inv_scale = np.where(flat, f.dtype.type(1), (hi - lo) * f.dtype.type(1.0 / bound))
    out = np.clip((f - np.where(flat, f.dtype.type(0), lo)) / inv_scale, 0, bound)
    return _F._tensor(out.astype(a.dtype))


autocontrast = _image_op(_autocontrast_v2, name="autocontrast")


def equalize_image(image: Tensor) -> Tensor:
    """Histogram equalization of each channel; other dtypes than uint8 are equalized on their
    uint8 scaling and scaled back, as v2 does."""
    if image.dtype == ember.uint8:
        return _F.equalize(image)
    out = _F.equalize(to_dtype(image, ember.uint8, scale=True))
    return to_dtype(out, image.dtype, scale=True)


equalize = _image_op(_tensor_or_pil(equalize_image, _F.equalize), name="equalize")
_rotate_image = _image_op(_F.rotate, masks=True)
_affine_image = _image_op(_F.affine, masks=True)


def _affine_boxes(boxes: BoundingBoxes, angle, translate, scale, shear, center, expand=False):
    """Boxes under the forward affine map: the bounding rectangle of each box's four corners,
    shifted onto the expanded canvas when ``expand`` (rotation about the centre only)."""
    from .._geometry import _inverse_affine_matrix

    h, w = boxes.canvas_size
    shear = [float(shear), 0.0] if isinstance(shear, int | float) else list(shear)
    shear = shear * 2 if len(shear) == 1 else shear
    c = [w * 0.5, h * 0.5] if center is None else center
    inv = _inverse_affine_matrix(c, angle, [float(t) for t in translate], scale, shear)
    fwd = np.linalg.inv(np.vstack([np.reshape(inv, (2, 3)), [0.0, 0.0, 1.0]]))[:2]
    canvas, shift = (h, w), (0.0, 0.0)
    if expand:
        # the image corners' images span the new canvas, whose origin is their minimum
        xs, ys = np.array([0.0, w, w, 0.0]), np.array([0.0, 0.0, h, h])
        px = fwd[0, 0] * xs + fwd[0, 1] * ys + fwd[0, 2]
        py = fwd[1, 0] * xs + fwd[1, 1] * ys + fwd[1, 2]
        nw, nh = (math.ceil(p.max() - p.min() - 1e-4) for p in (px, py))
        canvas, shift = (nh, nw), (-px.min(), -py.min())

    def fn(a):
        x1, y1, x2, y2 = (a[..., i : i + 1].astype(np.float64) for i in range(4))
        xs, ys = np.concatenate([x1, x2, x2, x1], -1), np.concatenate([y1, y1, y2, y2], -1)
        px = fwd[0, 0] * xs + fwd[0, 1] * ys + fwd[0, 2] + shift[0]
        py = fwd[1, 0] * xs + fwd[1, 1] * ys + fwd[1, 2] + shift[1]
        out = [px.min(-1), py.min(-1), px.max(-1), py.max(-1)]
        return np.stack(out, -1).astype(a.dtype)

    return _moved(boxes, fn, canvas)


def rotate(inpt, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center=None, fill=None):  # fmt: skip
    """Rotate counter-clockwise by ``angle`` degrees; boxes get the rotated corners' bounding
    rectangle."""
    if isinstance(inpt, BoundingBoxes):
        return _dispatch(inpt, None, lambda b: _affine_boxes(b, -angle, [0, 0], 1.0, [0.0, 0.0],
                                                              center, expand))  # fmt: skip
    return _rotate_image(inpt, angle, interpolation=interpolation, expand=expand, center=center,
                         fill=fill)  # fmt: skip


def affine(inpt, angle: float, translate, scale: float, shear,
           interpolation=InterpolationMode.NEAREST,
           fill=None, center=None):  # fmt: skip
    """Rotate, translate, scale and shear about ``center``; boxes get the mapped corners'
    bounding rectangle."""
    if isinstance(inpt, BoundingBoxes):
        return _dispatch(inpt, None, lambda b: _affine_boxes(b, angle, translate, scale, shear,
                                                              center))  # fmt: skip
    return _affine_image(inpt, angle, translate, scale, shear, interpolation=interpolation,
                         fill=fill, center=center)  # fmt: skip


def _gray_to_rgb(img):
    if not isinstance(img, Tensor):
        return img.convert("RGB")
    if get_dimensions(img)[0] == 3:
        return img
    return _F._tensor(np.repeat(_F._array(img), 3, axis=-3))


grayscale_to_rgb = _image_op(_gray_to_rgb, name="grayscale_to_rgb")
adjust_gamma = _image_op(_F.adjust_gamma)


def get_num_channels(inpt) -> int:
    """The channel count of an image or video."""
    return get_dimensions(inpt)[0]


get_image_num_channels = get_num_channels


def gaussian_noise(inpt, mean: float = 0.0, sigma: float = 0.1, clip: bool = True):
    """``inpt + mean + sigma * randn_like(inpt)`` on the [0, 1] scale (integer images add the
    noise times their maximum, truncated to whole levels), clipped to the value range when
    ``clip``."""

    def image_fn(x):
        noise = mean + ember.randn(*x.shape) * sigma
        if x.is_floating_point():
            out = x + noise
            return out.clamp(0, 1) if clip else out
        top = _F._max_value(np.dtype(x.dtype.np))
        out = x.float() + (noise * top).trunc()  # whole levels of noise, as torchvision adds
        return (out.clamp(0, top) if clip else out).to(x.dtype)

    if _is_pil_image(inpt):
        raise TypeError("gaussian_noise does not support PIL images")
    return _dispatch(inpt, image_fn, _noop, _noop)


def _crops(fn):
    """``fn`` (v1 ``five_crop`` / ``ten_crop``) with each crop given the input's type."""

    def op(inpt, *args, **kwargs):
        crops = fn(_plain(inpt), *args, **kwargs)
        if isinstance(inpt, TVTensor):
            return tuple(tv_tensors.wrap(c, like=inpt) for c in crops)
        return crops

    op.__name__ = op.__qualname__ = fn.__name__
    op.__doc__ = fn.__doc__
    op.__signature__ = _signature_as(fn, "inpt")
    return op


five_crop = _crops(_F.five_crop)
ten_crop = _crops(_F.ten_crop)


# The per-type kernels, the newer modules' functionals and register_kernel build on the
# dispatchers above, so they are imported last.
from . import _box_kernels, _kernels  # noqa: E402
from ._box_kernels import *  # noqa: E402, F403
from ._kernels import *  # noqa: E402, F403

_NOT_DISPATCHERS = {"InterpolationMode", "is_pure_tensor", "pil_to_tensor", "to_image",
                    "to_pil_image", "to_pure_tensor"}  # fmt: skip
_box_kernels._make_registrable(
    globals(),
    [n for n in __all__ if n not in _NOT_DISPATCHERS]
    + [
        "elastic",
        "elastic_transform",
        "jpeg",
        "permute_channels",
        "perspective",
        "uniform_temporal_subsample",
    ],  # fmt: skip
)
__all__ += _box_kernels.__all__ + _kernels.__all__
