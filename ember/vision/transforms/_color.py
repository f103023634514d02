"""Gaussian blur and the point/histogram operations (invert, posterize, solarize, gamma,
sharpness, autocontrast, equalize), on PIL images and ember tensors.

PIL inputs go through the Pillow calls torchvision makes (``ImageOps``, ``ImageEnhance``);
tensors are computed on NumPy with torchvision's float32 arithmetic and its casts back.
"""

from __future__ import annotations

import numpy as np

import ember
from ember._tensor import Tensor

from .functional import (
    _array,
    _assert_channels,
    _assert_image_tensor,
    _blend,
    _check_factor,
    _check_pil,
    _is_pil_image,
    _max_value,
    _round_to,
    _tensor,
    convert_image_dtype,
    pil_to_tensor,
    to_pil_image,
)


def _gaussian_kernel1d(size: int, sigma: float, dtype) -> np.ndarray:
    half = (size - 1) * 0.5
    x = np.linspace(-half, half, size).astype(dtype)
    pdf = np.exp(dtype(-0.5) * (x / dtype(sigma)) ** 2)
    return pdf / pdf.sum()


def _filter2d(a: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Correlate each ``[..., H, W]`` plane of float ``a`` with ``kernel`` (valid positions)."""
    kh, kw = kernel.shape
    oh, ow = a.shape[-2] - kh + 1, a.shape[-1] - kw + 1
    out = np.zeros(a.shape[:-2] + (oh, ow), a.dtype)
    for i in range(kh):
        for j in range(kw):
            out += kernel[i, j] * a[..., i : i + oh, j : j + ow]
    return out


def gaussian_blur(img, kernel_size, sigma=None):
    """Blur with a ``kernel_size`` (kx, ky) Gaussian of std ``sigma`` (sx, sy; default
    ``0.3 * ((k - 1) * 0.5 - 1) + 0.8``), reflect-padded so the size is kept."""
    if not isinstance(kernel_size, int | list | tuple):
        raise TypeError(
            f"kernel_size should be int or a sequence of integers. Got {type(kernel_size)}"
        )
    if isinstance(kernel_size, int):
        kernel_size = [kernel_size, kernel_size]
    if len(kernel_size) != 2:
        raise ValueError(
            f"If kernel_size is a sequence its length should be 2. Got {len(kernel_size)}"
        )
    for k in kernel_size:
        if k % 2 == 0 or k < 0:
            raise ValueError(
                f"kernel_size should have odd and positive integers. Got {kernel_size}"
            )
    if sigma is None:
        sigma = [k * 0.15 + 0.35 for k in kernel_size]
    if not isinstance(sigma, int | float | list | tuple):
        raise TypeError(f"sigma should be either float or sequence of floats. Got {type(sigma)}")
    if isinstance(sigma, int | float):
        sigma = [float(sigma), float(sigma)]
    if isinstance(sigma, list | tuple) and len(sigma) == 1:
        sigma = [sigma[0], sigma[0]]
    if len(sigma) != 2:
        raise ValueError(f"If sigma is a sequence, its length should be 2. Got {len(sigma)}")
    for s in sigma:
        if s <= 0.0:
            raise ValueError(f"sigma should have positive values. Got {sigma}")
    if not isinstance(img, Tensor):
        if not _is_pil_image(img):
            raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
        out = gaussian_blur(pil_to_tensor(img), kernel_size, sigma)
        return to_pil_image(out, mode=img.mode)
    _assert_image_tensor(img)
    a = _array(img)
    work = a if a.dtype.kind == "f" else a.astype(np.float32)
    kx, ky = kernel_size
    dt = work.dtype.type
    kernel = np.outer(_gaussian_kernel1d(ky, sigma[1], dt), _gaussian_kernel1d(kx, sigma[0], dt))
    if a.shape[-2] <= ky // 2 or a.shape[-1] <= kx // 2:
        raise RuntimeError(
            "Padding size should be less than the corresponding input dimension, but got: "
            f"padding ({kx // 2}, {kx // 2}) at dimension 3 of input {list(img.shape)}"
        )
    widths = [(0, 0)] * (a.ndim - 2) + [(ky // 2, ky // 2), (kx // 2, kx // 2)]
    out = _filter2d(np.pad(work, widths, mode="reflect"), kernel)
    return _tensor(_round_to(out, a.dtype) if a.dtype != work.dtype else out)


def _image_tensor_3d(img: Tensor) -> None:
    _assert_image_tensor(img)
    if img.ndim < 3:
        raise TypeError(
            f"Input image tensor should have at least 3 dimensions, but found {img.ndim}"
        )
    _assert_channels(img, [1, 3])


def _uint8_only(img: Tensor) -> None:
    if img.dtype != ember.uint8:
        raise TypeError(f"Only torch.uint8 image tensors are supported, but found {img.dtype}")


def _inverted(a: np.ndarray) -> np.ndarray:
    return (a.dtype.type(_max_value(a.dtype)) - a).astype(a.dtype)


def invert(img):
    """Each value ``v`` becomes ``max - v`` (max is 1 for floats, 255 for uint8)."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import ImageOps

        return ImageOps.invert(img)
    _image_tensor_3d(img)
    return _tensor(_inverted(_array(img)))


def posterize(img, bits: int):
    """Keep the ``bits`` high bits of each uint8 value."""
    if not (0 <= bits <= 8):
        raise ValueError(f"The number if bits should be between 0 and 8. Got {bits}")
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import ImageOps

        return ImageOps.posterize(img, bits)
    _image_tensor_3d(img)
    _uint8_only(img)
    return _tensor(_array(img) & np.uint8((0xFF << (8 - bits)) & 0xFF))


def solarize(img, threshold: float):
    """Invert the values at or above ``threshold``."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import ImageOps

        return ImageOps.solarize(img, threshold)
    _image_tensor_3d(img)
    a = _array(img)
    if threshold > _max_value(a.dtype):
        raise TypeError("Threshold should be less than bound of img.")
    return _tensor(np.where(_at_least(a, threshold), _inverted(a), a))


def _at_least(a: np.ndarray, threshold: float) -> np.ndarray:
    """``a >= threshold`` in torch's promoted dtype: an integer image meets a Python float in
    float32 (85.0000025 rounds to 85 there), a float image in its own dtype."""
    dt = a.dtype if a.dtype.kind == "f" else np.dtype(np.float32)
    return a.astype(dt, copy=False) >= dt.type(threshold)


def adjust_gamma(img, gamma: float, gain: float = 1):
    """``gain * v ** gamma`` on values scaled to [0, 1]."""
    if not isinstance(img, Tensor):
        _check_pil(img)
    if gamma < 0:
        raise ValueError("Gamma should be a non-negative real number")
    if not isinstance(img, Tensor):
        mode = img.mode
        table = [int((255 + 1 - 1e-3) * gain * pow(v / 255.0, gamma)) for v in range(256)]
        return img.convert("RGB").point(table * 3).convert(mode)
    _image_tensor_3d(img)
    dtype = img.dtype
    f = img if dtype.is_floating_point else convert_image_dtype(img, ember.float32)
    a = _array(f)
    out = _tensor(np.clip(a.dtype.type(gain) * a ** a.dtype.type(gamma), 0, 1).astype(a.dtype))
    return convert_image_dtype(out, dtype)


def adjust_sharpness(img, sharpness_factor: float):
    """Blend with a smoothed copy (border kept): 0 smooths, 1 keeps, above 1 sharpens."""
    _check_factor(sharpness_factor, "sharpness_factor")
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import ImageEnhance

        return ImageEnhance.Sharpness(img).enhance(sharpness_factor)
    _assert_image_tensor(img)
    _assert_channels(img, [1, 3])
    a = _array(img)
    if a.shape[-1] <= 2 or a.shape[-2] <= 2:
        return img
    work = a if a.dtype.kind == "f" else a.astype(np.float32)
    kernel = np.ones((3, 3), work.dtype)
    kernel[1, 1] = 5
    smooth = _filter2d(work, kernel / kernel.dtype.type(13))
    degenerate = a.copy()
    degenerate[..., 1:-1, 1:-1] = _round_to(smooth, a.dtype) if a.dtype != work.dtype else smooth
    return _tensor(_blend(a, degenerate, sharpness_factor))


def autocontrast(img):
    """Stretch each channel linearly so its minimum maps to 0 and its maximum to the top."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import ImageOps

        return ImageOps.autocontrast(img)
    _image_tensor_3d(img)
    a = _array(img)
    bound = _max_value(a.dtype)
    work = a if a.dtype.kind == "f" else a.astype(np.float32)
    lo = work.min(axis=(-2, -1), keepdims=True)
    hi = work.max(axis=(-2, -1), keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        # torch evaluates ``bound / t`` as ``t.reciprocal() * bound``
        scale = (work.dtype.type(1) / (hi - lo)) * work.dtype.type(bound)
    flat = ~np.isfinite(scale)
    lo, scale = (
        np.where(flat, 0, lo).astype(work.dtype),
        np.where(flat, 1, scale).astype(work.dtype),
    )
    return _tensor(np.clip((work - lo) * scale, 0, bound).astype(a.dtype))


def _equalize_channel(c: np.ndarray) -> np.ndarray:
    """PIL's equalize: a lookup table from the cumulative histogram, stepped so the last
    non-empty bin is not counted."""
    hist = np.bincount(c.reshape(-1), minlength=256)
    step = int(hist[hist != 0][:-1].sum()) // 255
    if step == 0:
        return c
    lut = (np.cumsum(hist) + step // 2) // step
    lut = np.clip(np.concatenate([[0], lut[:-1]]), 0, 255)
    return lut[c].astype(np.uint8)


def equalize(img):
    """Histogram-equalize each channel of a uint8 image."""
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import ImageOps

        return ImageOps.equalize(img)
    _image_tensor_3d(img)
    _uint8_only(img)
    a = _array(img)
    planes = a.reshape(-1, a.shape[-2], a.shape[-1])
    return _tensor(np.stack([_equalize_channel(p) for p in planes]).reshape(a.shape))
