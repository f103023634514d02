"""Image operations behind the transforms, on PIL images and on ember tensors (``[..., C, H, W]``).

PIL inputs go through the same Pillow calls torchvision makes, so results are identical. Tensor
inputs are computed on NumPy with torchvision's arithmetic (float32, the same operation order,
round-half-to-even when casting back to integers).
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from enum import Enum
from typing import Any

import numpy as np

import ember
from ember._tensor import Tensor
from ember.kernels.pool import _nearest_index

__all__ = [
    "elastic_transform",
    "ten_crop",
    "solarize",
    "posterize",
    "perspective",
    "invert",
    "gaussian_blur",
    "five_crop",
    "equalize",
    "autocontrast",
    "affine",
    "adjust_sharpness",
    "adjust_gamma",
    "InterpolationMode",
    "adjust_brightness",
    "adjust_contrast",
    "adjust_hue",
    "adjust_saturation",
    "center_crop",
    "convert_image_dtype",
    "crop",
    "erase",
    "get_dimensions",
    "get_image_num_channels",
    "get_image_size",
    "hflip",
    "normalize",
    "pad",
    "pil_to_tensor",
    "resize",
    "resized_crop",
    "rgb_to_grayscale",
    "rotate",
    "to_grayscale",
    "to_pil_image",
    "to_tensor",
    "vflip",
]


class InterpolationMode(Enum):
    """Interpolation modes, with the names torchvision uses."""

    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# Pillow's resampling constants
_PIL_MODES = {
    InterpolationMode.NEAREST: 0,
    InterpolationMode.NEAREST_EXACT: 0,
    InterpolationMode.BILINEAR: 2,
    InterpolationMode.BICUBIC: 3,
    InterpolationMode.BOX: 4,
    InterpolationMode.HAMMING: 5,
    InterpolationMode.LANCZOS: 1,
}
_FROM_INT = {0: "NEAREST", 2: "BILINEAR", 3: "BICUBIC", 4: "BOX", 5: "HAMMING", 1: "LANCZOS"}


def _interpolation_modes_from_int(i: int) -> InterpolationMode:
    return InterpolationMode[_FROM_INT[i]]


def _interpolation(mode) -> InterpolationMode:
    if isinstance(mode, int):
        return _interpolation_modes_from_int(mode)
    if not isinstance(mode, InterpolationMode):
        raise TypeError(
            "Argument interpolation should be a InterpolationMode or a corresponding Pillow "
            "integer constant"
        )
    return mode


# -- helpers ---------------------------------------------------------------------------------
def _is_pil_image(img: Any) -> bool:
    try:
        from PIL import Image
    except ImportError:
        return False
    return isinstance(img, Image.Image)


def _check_pil(img: Any, resize: bool = False) -> None:
    """torchvision's TypeError for an image that is neither a tensor nor a PIL image."""
    if not _is_pil_image(img):
        raise TypeError(
            f"Unexpected type {type(img)}"
            if resize
            else f"img should be PIL Image. Got {type(img)}"
        )


def _array(img: Tensor) -> np.ndarray:
    return img.detach().numpy() if img.requires_grad else img.numpy()


def _tensor(a: np.ndarray) -> Tensor:
    return ember.from_numpy(np.ascontiguousarray(a))


def _assert_image_tensor(img: Tensor) -> None:
    if img.ndim < 2:
        raise TypeError("Tensor is not a torch image.")


def _max_value(dt: np.dtype) -> float:
    return 1.0 if dt.kind == "f" else float(np.iinfo(dt).max)


def _to_dtype(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Tensor.to(dtype): floats to integers truncate toward zero."""
    return a.astype(dt)


def _round_to(a: np.ndarray, dt: np.dtype) -> np.ndarray:
    """torchvision's cast back after float work: round (half to even) for integer dtypes."""
    if dt.kind in "iu":
        a = np.round(a)
    return a.astype(dt)


def get_dimensions(img) -> list[int]:
    """``[channels, height, width]`` of a PIL image or a tensor."""
    if isinstance(img, Tensor):
        _assert_image_tensor(img)
        c = 1 if img.ndim == 2 else img.shape[-3]
        return [c, img.shape[-2], img.shape[-1]]
    if _is_pil_image(img):
        return [len(img.getbands()), img.height, img.width]
    raise TypeError(f"Unexpected type {type(img)}")


def get_image_num_channels(img) -> int:
    return get_dimensions(img)[0]


def get_image_size(img) -> list[int]:
    """``[width, height]``."""
    _, h, w = get_dimensions(img)
    return [w, h]


def _assert_channels(img: Tensor, permitted: list[int]) -> None:
    c = get_dimensions(img)[0]
    if c not in permitted:
        raise TypeError(
            f"Input image tensor permitted channel values are {permitted}, but found {c}"
        )


# -- conversions -----------------------------------------------------------------------------
def to_tensor(pic) -> Tensor:
    """A PIL image or HWC ndarray as a CHW tensor; uint8 data is scaled to float32 in [0, 1]."""
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        arr = pic[:, :, None] if pic.ndim == 2 else pic
    elif _is_pil_image(pic):
        # What np.array(pic) gives for the modes whose pixels are not bytes.
        dtypes = {"I": np.int32, "I;16": np.int16, "F": np.float32}
        arr = np.asarray(pic, dtypes.get(pic.mode, np.uint8))
        if pic.mode == "1":
            arr = arr * np.uint8(255)
        arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    chw = arr.transpose(2, 0, 1)
    if chw.dtype != np.uint8:
        return _tensor(chw)
    out = chw.astype(ember.get_default_dtype().np, order="C")
    out /= out.dtype.type(255)
    return ember.from_numpy(out)


def pil_to_tensor(pic) -> Tensor:
    """A PIL image as a CHW tensor of its own dtype (no scaling)."""
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    arr = np.array(pic, copy=True)
    arr = arr.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    return ember.from_numpy(arr.transpose(2, 0, 1))


def to_pil_image(pic, mode: str | None = None):
    """A CHW tensor or HWC ndarray as a PIL image (floats are scaled by 255)."""
    from PIL import Image

    if isinstance(pic, Tensor):
        arr = _array(pic)
        if arr.ndim == 3:
            arr = arr.transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        arr = pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(f"pic should be 2/3 dimensional. Got {arr.ndim} dimensions.")
    if arr.shape[-1] > 4:
        raise ValueError(f"pic should not have > 4 channels. Got {arr.shape[-1]} channels.")
    if np.issubdtype(arr.dtype, np.floating) and mode != "F":
        arr = (arr * 255).astype(np.uint8)
    channels = arr.shape[2]
    if channels == 1:
        arr = arr[:, :, 0]
        expected = {np.dtype(np.uint8): "L", np.dtype(np.int16): "I;16",
                    np.dtype(np.int32): "I", np.dtype(np.float32): "F"}.get(arr.dtype)  # fmt: skip
        if mode is not None and mode != expected:
            raise ValueError(
                f"Incorrect mode ({mode}) supplied for input type {np.dtype}. Should be {expected}"
            )
        mode = expected
    else:
        permitted, default = {2: (["LA"], "LA"), 4: (["RGBA", "CMYK", "RGBX"], "RGBA"),
                              3: (["RGB", "YCbCr", "HSV"], "RGB")}[channels]  # fmt: skip
        if mode is not None and mode not in permitted:
            raise ValueError(f"Only modes {permitted} are supported for {channels}D inputs")
        if mode is None and arr.dtype == np.uint8:
            mode = default
    if mode is None:
        raise TypeError(f"Input type {arr.dtype} is not supported")
    if arr.dtype == np.uint8:
        # Read the bytes as `mode` (Image.fromarray would infer the mode from the shape instead).
        data = np.ascontiguousarray(arr)
        return Image.frombuffer(mode, (arr.shape[1], arr.shape[0]), data, "raw", mode, 0, 1)
    return Image.fromarray(np.ascontiguousarray(arr))


def convert_image_dtype(image: Tensor, dtype=None) -> Tensor:
    """Convert a tensor image's dtype, rescaling values (floats live in [0, 1], integers in
    [0, max of the dtype])."""
    if not isinstance(image, Tensor):
        raise TypeError("Input img should be Tensor Image")
    dtype = ember.float32 if dtype is None else dtype
    if image.dtype == dtype:
        return image
    src, dst = image.dtype, dtype
    a = _array(image)
    dt = np.dtype(dst.np) if hasattr(dst, "np") else np.dtype(dst)
    if a.dtype.kind == "f":
        if dt.kind == "f":
            return _tensor(a.astype(dt))
        if (src == ember.float32 and dst in (ember.int32, ember.int64)) or (
            src == ember.float64 and dst == ember.int64
        ):
            raise RuntimeError(f"The cast from {src} to {dst} cannot be performed safely.")
        scale = a.dtype.type(_max_value(dt) + 1.0 - 1e-3)
        return _tensor((a * scale).astype(dt))
    in_max = _max_value(a.dtype)
    if dt.kind == "f":
        return _tensor(a.astype(dt) / dt.type(in_max))
    out_max = _max_value(dt)
    if in_max > out_max:
        return _tensor((a // int((in_max + 1) // (out_max + 1))).astype(dt))
    return _tensor(a.astype(dt) * dt.type(int((out_max + 1) // (in_max + 1))))


def normalize(tensor: Tensor, mean: Sequence[float], std: Sequence[float], inplace: bool = False):
    """``(tensor - mean) / std`` per channel of a float ``[..., C, H, W]`` tensor."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    _assert_image_tensor(tensor)
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError(
            "Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = "
            f"{tensor.size()}"
        )
    a = _array(tensor)
    m = np.asarray(mean, dtype=a.dtype)
    s = np.asarray(std, dtype=a.dtype)
    if (s == 0).any():
        raise ValueError(
            f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by "
            "zero."
        )
    if m.ndim == 1:
        m = m.reshape(-1, 1, 1)
    if s.ndim == 1:
        s = s.reshape(-1, 1, 1)
    from ember.functions._util import broadcast_shapes

    broadcast_shapes(a.shape, m.shape)  # torch's message for a mean of another channel count
    broadcast_shapes(a.shape, s.shape)
    if inplace:
        np.subtract(a, m, out=a)
        np.divide(a, s, out=a)
        return tensor
    return _tensor((a - m) / s)


# -- geometry --------------------------------------------------------------------------------
def _resized_output_size(h: int, w: int, size: list[int], max_size: int | None) -> list[int]:
    if len(size) == 2:
        return [size[0], size[1]]
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size[0], int(size[0] * long / short)
    if max_size is not None:
        if max_size <= size[0]:
            raise ValueError(
                f"max_size = {max_size} must be strictly greater than the requested size for the "
                f"smaller edge size = {size}"
            )
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    return [new_h, new_w]


def _aa_weights(in_size: int, out_size: int, antialias: bool) -> np.ndarray:
    """The (out, in) matrix of linear-interpolation weights, half-pixel centres; when
    downscaling with ``antialias`` the triangle filter is widened by the scale (PIL's rule)."""
    scale = in_size / out_size
    support = scale if (antialias and scale >= 1.0) else 1.0
    inv = 1.0 / support
    weights = np.zeros((out_size, in_size), np.float64)
    for i in range(out_size):
        center = scale * (i + 0.5)
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), in_size)
        js = np.arange(lo, hi)
        w = np.clip(1.0 - np.abs((js - center + 0.5) * inv), 0.0, None)
        total = w.sum()
        weights[i, lo:hi] = w / total if total else w
    return weights


def _linear_src(in_size: int, out_size: int) -> np.ndarray:
    """Plain bilinear (align_corners=False) as a weight matrix, source index clamped at 0."""
    scale = in_size / out_size
    weights = np.zeros((out_size, in_size), np.float64)
    for i in range(out_size):
        src = max(scale * (i + 0.5) - 0.5, 0.0)
        i0 = min(int(src), in_size - 1)
        i1 = min(i0 + 1, in_size - 1)
        frac = src - i0
        weights[i, i0] += 1.0 - frac
        weights[i, i1] += frac
    return weights


def _resize_array(
    a: np.ndarray, oh: int, ow: int, mode: InterpolationMode, antialias
) -> np.ndarray:
    h, w = a.shape[-2:]
    if mode in (InterpolationMode.NEAREST, InterpolationMode.NEAREST_EXACT):
        exact = mode == InterpolationMode.NEAREST_EXACT  # torch's interpolate picks the pixels
        rows, cols = _nearest_index(h, oh, None, exact), _nearest_index(w, ow, None, exact)
        return a[..., rows[:, None], cols[None, :]]
    if mode != InterpolationMode.BILINEAR:
        raise NotImplementedError(f"tensor resize with {mode} is not supported by Ember yet")
    work = a.astype(np.float32) if a.dtype.kind != "f" else a
    if antialias:
        wh, ww = _aa_weights(h, oh, True), _aa_weights(w, ow, True)
    else:
        wh, ww = _linear_src(h, oh), _linear_src(w, ow)
    wh, ww = wh.astype(work.dtype), ww.astype(work.dtype)
    out = np.matmul(np.matmul(wh, work), ww.T)  # rows, then columns
    return _round_to(out, a.dtype) if a.dtype != out.dtype else out


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    """Resize to ``size`` ((h, w), or the length of the shorter side for an int)."""
    interpolation = _interpolation(interpolation)
    if isinstance(size, list | tuple):
        if len(size) not in (1, 2):
            raise ValueError(
                "Size must be an int or a 1 or 2 element tuple/list, not a "
                f"{len(size)} element tuple/list"
            )
        if max_size is not None and len(size) != 1:
            raise ValueError(
                "max_size should only be passed if size specifies the length of the smaller edge, "
                "i.e. size should be an int or a sequence of length 1 in torchscript mode."
            )
    _, h, w = get_dimensions(img)
    size = [size] if isinstance(size, int) else list(size)
    oh, ow = _resized_output_size(h, w, size, max_size)
    if [h, w] == [oh, ow]:
        return img
    if not isinstance(img, Tensor):
        _check_pil(img, resize=True)
        if antialias is False:
            import warnings

            warnings.warn(
                "Anti-alias option is always applied for PIL Image input. Argument antialias is "
                "ignored.",
                stacklevel=2,
            )
        return img.resize((ow, oh), _PIL_MODES[interpolation])
    return _tensor(_resize_array(_array(img), oh, ow, interpolation, bool(antialias)))


def crop(img, top: int, left: int, height: int, width: int):
    """The ``height x width`` region at ``(top, left)``; zero-padded where it leaves the image."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return img.crop((left, top, left + width, top + height))
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    a = _array(img)
    if left < 0 or top < 0 or right > w or bottom > h:
        pads = [
            max(-left + min(0, right), 0),
            max(-top + min(0, bottom), 0),
            max(right - max(w, left), 0),
            max(bottom - max(h, top), 0),
        ]
        inner = _tensor(a[..., max(top, 0) : bottom, max(left, 0) : right])
        return pad(inner, pads, fill=0)
    return ember.from_numpy(a[..., top:bottom, left:right])


def center_crop(img, output_size):
    """The central region of ``output_size``; padded with zeros if the image is smaller."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, tuple | list) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, h, w = get_dimensions(img)
    ch, cw = output_size
    if cw > w or ch > h:
        pads = [
            (cw - w) // 2 if cw > w else 0,
            (ch - h) // 2 if ch > h else 0,
            (cw - w + 1) // 2 if cw > w else 0,
            (ch - h + 1) // 2 if ch > h else 0,
        ]
        img = pad(img, pads, fill=0)
        _, h, w = get_dimensions(img)
        if cw == w and ch == h:
            return img
    return crop(img, int(round((h - ch) / 2.0)), int(round((w - cw) / 2.0)), ch, cw)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR,
                 antialias=True):  # fmt: skip
    """``crop`` then ``resize``."""
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def _ltrb(padding) -> list[int]:
    if isinstance(padding, int):
        return [padding] * 4
    padding = list(padding)
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return padding


def _pil_fill(fill, img, name: str = "fillcolor") -> dict:
    channels = len(img.getbands())
    fill = 0 if fill is None else fill
    if isinstance(fill, int | float) and channels > 1:
        fill = tuple([fill] * channels)
    if isinstance(fill, list | tuple):
        if len(fill) == 1:
            fill = fill * channels
        elif len(fill) != channels:
            raise ValueError(
                "The number of elements in 'fill' does not match the number of channels of the "
                f"image ({len(fill)} != {channels})"
            )
        fill = tuple(fill)
    if img.mode != "F":
        fill = tuple(int(x) for x in fill) if isinstance(fill, tuple) else int(fill)
    return {name: fill}


def pad(img, padding, fill=0, padding_mode: str = "constant"):
    """Pad each border (int, (lr, tb) or (l, t, r, b)); modes constant, edge, reflect,
    symmetric. Negative padding crops."""
    is_tensor = isinstance(img, Tensor)
    if not isinstance(padding, numbers.Number | tuple | list):
        raise TypeError("Got inappropriate padding arg")
    if fill is not None and not isinstance(fill, numbers.Number | tuple | list):
        raise TypeError("Got inappropriate fill arg")
    if is_tensor and fill is not None and not isinstance(fill, int | float):
        raise TypeError("Got inappropriate fill arg")
    if not isinstance(padding_mode, str):
        raise TypeError("Got inappropriate padding_mode arg")
    if isinstance(padding, list | tuple) and len(padding) not in (1, 2, 4):
        raise ValueError(
            "Padding must be an int or a 1, 2, or 4 element tuple, not a "
            f"{len(padding)} element tuple"
        )
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _ltrb(padding)
    if not is_tensor and padding_mode == "constant":
        from PIL import ImageOps

        border = padding if isinstance(padding, int) else tuple(padding)
        if isinstance(border, tuple) and len(border) == 1:
            border = border[0]
        opts = _pil_fill(fill, img, name="fill")
        if img.mode == "P":
            palette = img.getpalette()
            out = ImageOps.expand(img, border=border, **opts)
            out.putpalette(palette)
            return out
        return ImageOps.expand(img, border=border, **opts)
    a = np.asarray(img) if not is_tensor else _array(img)
    # negative padding crops first
    ct, cb, cl, cr = (max(-p, 0) for p in (top, bottom, left, right))
    a = a[..., ct : a.shape[-2] - cb, cl : a.shape[-1] - cr] if is_tensor else a[
        ct : a.shape[0] - cb, cl : a.shape[1] - cr]  # fmt: skip
    top, bottom, left, right = (max(p, 0) for p in (top, bottom, left, right))
    np_mode = padding_mode
    if is_tensor:
        widths = [(0, 0)] * (a.ndim - 2) + [(top, bottom), (left, right)]
        if padding_mode == "constant":
            out = np.pad(a, widths, mode="constant", constant_values=fill or 0)
        else:
            out = np.pad(a, widths, mode=np_mode)
        return _tensor(out)
    from PIL import Image

    widths = [(top, bottom), (left, right)] + ([(0, 0)] if a.ndim == 3 else [])
    out = Image.fromarray(np.pad(a, widths, mode=np_mode))
    if img.mode == "P":
        out.putpalette(img.getpalette())
    return out


def hflip(img):
    """Mirror left-right."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import Image

        return img.transpose(Image.FLIP_LEFT_RIGHT)
    _assert_image_tensor(img)
    return _tensor(_array(img)[..., ::-1])


def vflip(img):
    """Mirror top-bottom."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import Image

        return img.transpose(Image.FLIP_TOP_BOTTOM)
    _assert_image_tensor(img)
    return _tensor(_array(img)[..., ::-1, :])


# -- colour ----------------------------------------------------------------------------------
def _gray_array(a: np.ndarray) -> np.ndarray:
    if a.shape[-3] == 3:
        f = a.astype(np.float32) if a.dtype.kind != "f" else a
        r, g, b = f[..., 0, :, :], f[..., 1, :, :], f[..., 2, :, :]
        s = f.dtype.type
        return _to_dtype(s(0.2989) * r + s(0.587) * g + s(0.114) * b, a.dtype)[..., None, :, :]
    return a.copy()


def rgb_to_grayscale(img, num_output_channels: int = 1):
    """Luma ``0.2989 R + 0.587 G + 0.114 B``, as 1 or 3 channels."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        return to_grayscale(img, num_output_channels)
    if img.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {img.ndim}"
        )
    _assert_channels(img, [1, 3])
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    a = _array(img)
    gray = _gray_array(a)
    if num_output_channels == 3:
        gray = np.broadcast_to(gray, a.shape)
    return _tensor(gray)


def to_grayscale(img, num_output_channels: int = 1):
    """A PIL image converted to ``L`` (and stacked to RGB for 3 channels)."""
    if not _is_pil_image(img):
        raise TypeError("Input should be PIL Image")
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    gray = img.convert("L")
    if num_output_channels == 1:
        return gray
    from PIL import Image

    g = np.asarray(gray, dtype=np.uint8)
    return Image.fromarray(np.dstack([g, g, g]), "RGB")


def _blend(a: np.ndarray, b: np.ndarray, ratio: float) -> np.ndarray:
    f = a.astype(np.float32) if a.dtype.kind != "f" else a
    s = f.dtype.type
    ratio = float(ratio)
    out = s(ratio) * f + s(1.0 - ratio) * b
    return _to_dtype(np.clip(out, 0, _max_value(a.dtype)), a.dtype)


def _check_factor(value: float, name: str) -> None:
    if value < 0:
        raise ValueError(f"{name} ({value}) is not non-negative.")


def adjust_brightness(img, brightness_factor: float):
    _check_factor(brightness_factor, "brightness_factor")
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import ImageEnhance

        return ImageEnhance.Brightness(img).enhance(brightness_factor)
    _assert_channels(img, [1, 3])
    a = _array(img)
    return _tensor(_blend(a, np.zeros_like(a), brightness_factor))


def adjust_contrast(img, contrast_factor: float):
    _check_factor(contrast_factor, "contrast_factor")
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import ImageEnhance

        return ImageEnhance.Contrast(img).enhance(contrast_factor)
    _assert_channels(img, [3, 1])
    a = _array(img)
    dt = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
    source = _gray_array(a) if a.shape[-3] == 3 else a
    mean = source.astype(dt).mean(axis=(-3, -2, -1), keepdims=True, dtype=dt)
    return _tensor(_blend(a, mean, contrast_factor))


def adjust_saturation(img, saturation_factor: float):
    _check_factor(saturation_factor, "saturation_factor")
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import ImageEnhance

        return ImageEnhance.Color(img).enhance(saturation_factor)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    a = _array(img)
    return _tensor(_blend(a, _gray_array(a), saturation_factor))


def _rgb2hsv(a: np.ndarray) -> np.ndarray:
    r, g, b = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    maxc, minc = a.max(axis=-3), a.min(axis=-3)
    s_ = a.dtype.type
    eqc = maxc == minc
    cr = maxc - minc
    s = cr / np.where(eqc, s_(1), maxc)
    div = np.where(eqc, s_(1), cr)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (s_(2.0) + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (s_(4.0) + gc - rc)
    h = np.fmod((hr + hg + hb) / s_(6.0) + s_(1.0), s_(1.0))
    return np.stack((h, s, maxc), axis=-3)


def _hsv2rgb(a: np.ndarray) -> np.ndarray:
    h, s, v = a[..., 0, :, :], a[..., 1, :, :], a[..., 2, :, :]
    s_ = a.dtype.type
    i = np.floor(h * s_(6.0))
    f = h * s_(6.0) - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (s_(1.0) - s), 0.0, 1.0)
    q = np.clip(v * (s_(1.0) - s * f), 0.0, 1.0)
    t = np.clip(v * (s_(1.0) - s * (s_(1.0) - f)), 0.0, 1.0)
    rows = ((v, q, p, p, t, v), (t, v, v, q, p, p), (p, p, t, v, v, q))  # R, G, B per sextant
    table = np.stack([np.stack(ch, axis=-3) for ch in rows], axis=-4)
    picked = np.take_along_axis(table, i[..., None, None, :, :], axis=-3)
    return picked[..., 0, :, :]


def adjust_hue(img, hue_factor: float):
    if not -0.5 <= hue_factor <= 0.5:
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import Image

        mode = img.mode
        if mode in {"L", "1", "I", "F"}:
            return img
        h, s, v = img.convert("HSV").split()
        hue = np.array(h, dtype=np.uint8)
        hue += np.int32(hue_factor * 255).astype(np.uint8)
        return Image.merge("HSV", (Image.fromarray(hue, "L"), s, v)).convert(mode)
    _assert_channels(img, [1, 3])
    if get_dimensions(img)[0] == 1:
        return img
    dtype = img.dtype
    a = _array(convert_image_dtype(img, ember.float32))
    hsv = _rgb2hsv(a)
    hsv[..., 0, :, :] = np.mod(hsv[..., 0, :, :] + np.float32(hue_factor), np.float32(1.0))
    return convert_image_dtype(_tensor(_hsv2rgb(hsv)), dtype)


def erase(img: Tensor, i: int, j: int, h: int, w: int, v, inplace: bool = False) -> Tensor:
    """Set the ``h x w`` region at ``(i, j)`` to ``v`` (broadcast)."""
    if not isinstance(img, Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(img)}")
    a = _array(img)
    if not inplace:
        a = a.copy()
    a[..., i : i + h, j : j + w] = np.asarray(v)
    return img if inplace else ember.from_numpy(a)


from ._color import (  # noqa: E402
    adjust_gamma,
    adjust_sharpness,
    autocontrast,
    equalize,
    gaussian_blur,
    invert,
    posterize,
    solarize,
)
from ._geometry import (  # noqa: E402
    affine,
    elastic_transform,
    five_crop,
    perspective,
    rotate,
    ten_crop,
)
