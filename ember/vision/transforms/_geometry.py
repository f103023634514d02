"""Rotation, affine and perspective warps and the five/ten crops, on PIL images and ember tensors.

PIL inputs go through Pillow's ``Image.transform`` with the matrix torchvision computes; tensors
are resampled on NumPy with the grid torchvision builds (float32, nearest or bilinear).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

import ember
from ember._tensor import Tensor
from ember.kernels.random import _fma32, _fma64

from .functional import (
    _PIL_MODES,
    InterpolationMode,
    _array,
    _check_pil,
    _interpolation,
    _pil_fill,
    _round_to,
    _tensor,
    center_crop,
    crop,
    get_dimensions,
    hflip,
    vflip,
)


def _inverse_affine_matrix(center, angle: float, translate, scale: float, shear) -> list[float]:
    """Output-to-input map of: rotate by ``angle`` degrees, shear by ``shear`` degrees (x, y),
    scale, translate, all about ``center`` (the 2x3 matrix, row-major, as torchvision builds it).

    The forward map is T C R S Sh C^-1; R S Sh has determinant scale**2, so its inverse is the
    adjugate over that."""
    rot, sx, sy = math.radians(angle), math.radians(shear[0]), math.radians(shear[1])
    cx, cy = center
    tx, ty = translate
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [x / scale for x in (d, -b, 0.0, -c, a, 0.0)]
    m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty) + cx
    m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty) + cy
    return m


def _expanded_size(m: list[float], w: int, h: int) -> tuple[int, int]:
    pts = np.array([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                    [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]], np.float32)  # fmt: skip
    new = pts @ np.asarray(m, np.float32).reshape(2, 3).T
    shift = np.array([w * 0.5, h * 0.5], np.float32)  # back to corner-origin coordinates
    tol = np.float32(1e-4)
    hi = np.ceil(np.trunc((new.max(axis=0) + shift) / tol) * tol)
    lo = np.floor(np.trunc((new.min(axis=0) + shift) / tol) * tol)
    size = hi - lo
    return int(size[0]), int(size[1])


def _cubic_weights(t: np.ndarray) -> list[np.ndarray]:
    """Keys' cubic convolution weights (A = -0.75, as torch) of the taps at -1, 0, 1, 2 for the
    fractional offset ``t``."""
    A = t.dtype.type(-0.75)

    def near(d):  # |d| <= 1
        return ((A + 2) * d - (A + 3)) * d * d + 1

    def far(d):  # 1 < |d| < 2
        return ((A * d - 5 * A) * d + 8 * A) * d - 4 * A

    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def _grid_sample(a: np.ndarray, gx: np.ndarray, gy: np.ndarray, mode: str) -> np.ndarray:
    """grid_sample with zeros padding and align_corners=False on (C, H, W) float data (nearest,
    bilinear or bicubic)."""
    c, h, w = a.shape
    x = ((gx + 1) * w - 1) / 2
    y = ((gy + 1) * h - 1) / 2
    if mode == "nearest":
        xi, yi = np.rint(x).astype(np.int64), np.rint(y).astype(np.int64)
        ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
        out = a[:, np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)]
        return np.where(ok, out, a.dtype.type(0))
    x0, y0 = np.floor(x).astype(np.int64), np.floor(y).astype(np.int64)
    out = np.zeros((c,) + x.shape, a.dtype)
    if mode == "bicubic":
        wx, wy = _cubic_weights(x - x0), _cubic_weights(y - y0)
        for dy in range(4):
            for dx in range(4):
                xi, yi = x0 + dx - 1, y0 + dy - 1
                ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
                tap = a[:, np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)] * (wx[dx] * wy[dy])
                out += np.where(ok, tap, 0)
        return out.astype(a.dtype)
    for dy in (0, 1):
        for dx in (0, 1):
            xi, yi = x0 + dx, y0 + dy
            wgt = (1 - np.abs(x - xi)) * (1 - np.abs(y - yi))
            ok = (xi >= 0) & (xi < w) & (yi >= 0) & (yi < h)
            out += np.where(ok, a[:, np.clip(yi, 0, h - 1), np.clip(xi, 0, w - 1)] * wgt, 0)
    return out.astype(a.dtype)


def rotate(img, angle: float, interpolation=InterpolationMode.NEAREST, expand: bool = False,
           center=None, fill=None):  # fmt: skip
    """Rotate counter-clockwise by ``angle`` degrees about ``center`` (default: the centre)."""
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, int | float):
        raise TypeError("Argument angle should be int or float")
    if center is not None and not isinstance(center, list | tuple):
        raise TypeError("Argument center should be a sequence")
    if not isinstance(img, Tensor):
        _check_pil(img)
        return img.rotate(angle, _PIL_MODES[interpolation], expand, center, **_pil_fill(fill, img))
    _, h, w = get_dimensions(img)
    center_f = [0.0, 0.0] if center is None else [c - s * 0.5 for c, s in zip(center, [w, h])]
    m = _inverse_affine_matrix(center_f, -angle, [0.0, 0.0], 1.0, [0.0, 0.0])
    ow, oh = _expanded_size(m, w, h) if expand else (w, h)
    return _affine_grid_transform(img, m, ow, oh, interpolation, fill)


def _grid_products(bx: np.ndarray, by: np.ndarray, r: np.ndarray) -> list[np.ndarray]:
    """Column k of the base points (x, y, 1) times the (3, K) matrix ``r``, summed as torch's
    grid product (bmm) sums: its BLAS path (6 * points >= 400 multiply-adds) fuses the second
    multiply-add, its small-size loop rounds every step. Ties between pixels then fall on
    torch's side."""
    fma = None
    if bx.size * 6 >= 400:
        fma = _fma32 if bx.dtype == np.float32 else _fma64
    if fma is None:
        return [(bx * r[0, k] + by * r[1, k]) + r[2, k] for k in range(r.shape[1])]
    return [fma(by, r[1, k], bx * r[0, k]) + r[2, k] for k in range(r.shape[1])]


def _affine_grid_transform(img: Tensor, m: list[float], ow: int, oh: int, interpolation, fill):
    """Sample ``img`` at ``m`` applied to the ``ow x oh`` output's pixel centres (origin at the
    image centre), as torchvision's affine_grid + grid_sample."""
    _, h, w = get_dimensions(img)
    dt = np.float64 if img.dtype == ember.float64 else np.float32
    # torch divides theta by (w/2, h/2) before the product, not the product after
    r = (np.asarray(m, dt).reshape(2, 3).T / np.asarray([0.5 * w, 0.5 * h], dt)).astype(dt)
    xs = np.linspace(-ow * 0.5 + 0.5, ow * 0.5 - 0.5, ow, dtype=np.float64).astype(dt)
    ys = np.linspace(-oh * 0.5 + 0.5, oh * 0.5 - 0.5, oh, dtype=np.float64).astype(dt)
    gx, gy = _grid_products(*np.meshgrid(xs, ys), r)
    return _grid_transform(img, gx, gy, interpolation, fill)


def _grid_transform(img: Tensor, gx: np.ndarray, gy: np.ndarray, interpolation, fill) -> Tensor:
    """grid_sample of every image in ``img`` at the normalised grid ``(gx, gy)``, in the grid's
    dtype (the result is cast back); points outside take ``fill`` (blended by the sampled
    coverage, as torchvision does), or zeros when None."""
    a = _array(img)
    work = a.astype(gx.dtype, copy=False)
    dt = work.dtype
    lead = work.shape[:-3]
    flat = work.reshape((-1,) + work.shape[-3:]) if work.ndim > 2 else work[None, None]
    mode = interpolation.value
    outs = []
    for im in flat:
        if fill is not None:
            im = np.concatenate([im, np.ones((1,) + im.shape[1:], dt)])
        res = _grid_sample(im, gx, gy, mode)
        if fill is not None:
            mask, res = res[-1:], res[:-1]
            fills = fill if isinstance(fill, list | tuple) else [float(fill)]
            fill_img = np.broadcast_to(np.asarray(fills, dt).reshape(-1, 1, 1), res.shape)
            if mode == "nearest":
                res = np.where(mask < 0.5, fill_img, res)
            else:
                res = res * mask + (dt.type(1.0) - mask) * fill_img
        outs.append(res)
    out = np.stack(outs)
    out = out.reshape(lead + out.shape[1:]) if a.ndim > 2 else out[0, 0]
    return _tensor(_round_to(out, a.dtype) if a.dtype != dt else out)


_NEAR_LINEAR = (InterpolationMode.NEAREST, InterpolationMode.BILINEAR)


def _grid_checks(img: Tensor, interpolation: InterpolationMode, fill, modes=_NEAR_LINEAR) -> None:
    """torchvision's checks before a tensor is resampled on a grid."""
    if isinstance(fill, list | tuple):
        channels = get_dimensions(img)[0]
        if len(fill) > 1 and len(fill) != channels:
            raise ValueError(
                "The number of elements in 'fill' cannot broadcast to match the number of "
                f"channels of the image ({len(fill)} != {channels})"
            )
    if interpolation not in modes:
        raise ValueError(
            f"Interpolation mode '{interpolation.value}' is unsupported with Tensor input"
        )


def affine(img, angle: float, translate, scale: float, shear,
           interpolation=InterpolationMode.NEAREST, fill=None, center=None):  # fmt: skip
    """Rotate by ``angle`` degrees, translate by ``translate`` pixels, scale, and shear by
    ``shear`` degrees (one value: along x; two: x and y), about ``center`` (default: the centre),
    keeping the image size."""
    interpolation = _interpolation(interpolation)
    if not isinstance(angle, int | float):
        raise TypeError("Argument angle should be int or float")
    if not isinstance(translate, list | tuple):
        raise TypeError("Argument translate should be a sequence")
    if len(translate) != 2:
        raise ValueError("Argument translate should be a sequence of length 2")
    if scale <= 0.0:
        raise ValueError("Argument scale should be positive")
    if not isinstance(shear, numbers.Number | list | tuple):
        raise TypeError("Shear should be either a single value or a sequence of two values")
    if isinstance(angle, int):
        angle = float(angle)
    if isinstance(translate, tuple):
        translate = list(translate)
    if isinstance(shear, numbers.Number):
        shear = [shear, 0.0]
    if isinstance(shear, tuple):
        shear = list(shear)
    if len(shear) == 1:
        shear = [shear[0], shear[0]]
    if len(shear) != 2:
        raise ValueError(f"Shear should be a sequence containing two values. Got {shear}")
    if center is not None and not isinstance(center, list | tuple):
        raise TypeError("Argument center should be a sequence")
    _, h, w = get_dimensions(img)
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import Image

        # PIL works in corner-origin pixel coordinates: centre on the image's middle
        center = [w * 0.5, h * 0.5] if center is None else center
        m = _inverse_affine_matrix(center, angle, translate, scale, shear)
        return img.transform((w, h), Image.AFFINE, m, _PIL_MODES[interpolation],
                             **_pil_fill(fill, img))  # fmt: skip
    _grid_checks(img, interpolation, fill)
    center_f = [0.0, 0.0] if center is None else [c - s * 0.5 for c, s in zip(center, [w, h])]
    m = _inverse_affine_matrix(center_f, angle, [float(t) for t in translate], scale, shear)
    return _affine_grid_transform(img, m, w, h, interpolation, fill)


def _perspective_coeffs(startpoints, endpoints) -> list[float]:
    """The 8 coefficients of the homography taking ``endpoints`` to ``startpoints`` (least
    squares in float64, as torchvision solves it)."""
    if len(startpoints) != 4 or len(endpoints) != 4:
        raise ValueError(
            f"Please provide exactly four corners, got {len(startpoints)} startpoints and "
            f"{len(endpoints)} endpoints."
        )
    rows, rhs = [], []
    for (ex, ey), (sx, sy) in zip(endpoints, startpoints):
        rows.append([ex, ey, 1, 0, 0, 0, -sx * ex, -sx * ey])
        rows.append([0, 0, 0, ex, ey, 1, -sy * ex, -sy * ey])
        rhs += [sx, sy]
    a = np.asarray(rows, np.float64)
    sol = np.linalg.lstsq(a, np.asarray(rhs, np.float64), rcond=None)[0]
    return [float(v) for v in sol.astype(np.float32)]


def perspective(img, startpoints, endpoints, interpolation=InterpolationMode.BILINEAR, fill=None):
    """Warp so that the four ``startpoints`` ([x, y]: top-left, top-right, bottom-right,
    bottom-left) land on ``endpoints``; the image size is kept."""
    return _perspective(img, _perspective_coeffs(startpoints, endpoints), interpolation, fill)


def _perspective(img, coeffs: list[float], interpolation, fill):
    """Sample each output pixel (x, y) at the homography ``coeffs`` of it: ((a x + b y + c),
    (d x + e y + f)) / (g x + h y + 1)."""
    interpolation = _interpolation(interpolation)
    if not isinstance(img, Tensor):
        _check_pil(img)
        from PIL import Image

        return img.transform(img.size, Image.PERSPECTIVE, coeffs, _PIL_MODES[interpolation],
                             **_pil_fill(fill, img))  # fmt: skip
    _grid_checks(img, interpolation, fill)
    _, h, w = get_dimensions(img)
    dt = np.float64 if str(img.dtype) == "ember.float64" else np.float32
    c = np.asarray(coeffs, dt)
    x = (np.arange(w, dtype=np.float64) + 0.5).astype(dt)
    y = (np.arange(h, dtype=np.float64) + 0.5).astype(dt)
    bx, by = np.meshgrid(x, y)
    numer = (c[:6].reshape(2, 3).T / np.asarray([0.5 * w, 0.5 * h], dt)).astype(dt)
    gx, gy = _grid_products(bx, by, numer)
    den, _ = _grid_products(bx, by, np.asarray([[c[6]] * 2, [c[7]] * 2, [1.0] * 2], dt))
    return _grid_transform(img, gx / den - dt(1.0), gy / den - dt(1.0), interpolation, fill)


def _crop_size(size) -> tuple[int, int]:
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, list | tuple) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError("Please provide only two dimensions (h, w) for size.")
    return size


def five_crop(img, size) -> tuple:
    """The four corner crops and the central crop of ``size`` (h, w): (tl, tr, bl, br, center)."""
    size = _crop_size(size)
    _, h, w = get_dimensions(img)
    ch, cw = size
    if cw > w or ch > h:
        raise ValueError(f"Requested crop size {size} is bigger than input size {(h, w)}")
    return (
        crop(img, 0, 0, ch, cw),
        crop(img, 0, w - cw, ch, cw),
        crop(img, h - ch, 0, ch, cw),
        crop(img, h - ch, w - cw, ch, cw),
        center_crop(img, [ch, cw]),
    )


def ten_crop(img, size, vertical_flip: bool = False) -> tuple:
    """``five_crop`` of the image, then of its horizontal (or vertical) mirror."""
    size = _crop_size(size)
    return five_crop(img, size) + five_crop(vflip(img) if vertical_flip else hflip(img), size)


def elastic_transform(img, displacement: Tensor, interpolation=InterpolationMode.BILINEAR,
                      fill=None):  # fmt: skip
    """Sample each output pixel at its own position plus ``displacement`` (1, H, W, 2), given as
    (dx, dy) in grid_sample's [-1, 1] coordinates."""
    if not isinstance(displacement, Tensor):
        raise TypeError("Argument displacement should be a Tensor")
    interpolation = _interpolation(interpolation)
    if not isinstance(img, Tensor):
        _check_pil(img)
        from .functional import pil_to_tensor, to_pil_image

        out = elastic_transform(pil_to_tensor(img), displacement, interpolation, fill)
        return to_pil_image(out, mode=img.mode)
    _, h, w = get_dimensions(img)
    expected = ember.Size([1, h, w, 2])
    if tuple(displacement.shape) != tuple(expected):
        raise ValueError(
            f"Argument displacement shape should be {expected}, but given {displacement.shape}"
        )
    _grid_checks(img, interpolation, fill, _NEAR_LINEAR + (InterpolationMode.BICUBIC,))
    d = _array(displacement)
    dt = d.dtype if d.dtype in (np.float32, np.float64) else np.float32  # as torchvision: the
    d = d.astype(dt, copy=False)  # displacement's dtype, not the image's, sets the precision
    xs = np.linspace((1 - w) / w, (w - 1) / w, w).astype(dt)
    ys = np.linspace((1 - h) / h, (h - 1) / h, h).astype(dt)
    return _grid_transform(img, xs[None, :] + d[0, ..., 0], ys[:, None] + d[0, ..., 1],
                           interpolation, fill)  # fmt: skip
