"""Anti-aliased resizing (``interpolate(..., antialias=True)``): separable resampling whose
filter widens with the downscale factor, so every input pixel contributes (as PIL's resize)."""

from __future__ import annotations

import numpy as np

from ..._tensor import apply
from ...autograd.primitives import nn_named as PN
from ...autograd.primitives.shape import renamed

_SUPPORT = {"bilinear": 1.0, "bicubic": 2.0, "lanczos": 3.0}  # filter half-width at unit scale
_CUBIC_A = -0.5  # the anti-aliased bicubic filter uses Keys' a = -0.5, not -0.75


def _triangle(x: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, 1.0 - np.abs(x))


def _keys_cubic(x: np.ndarray) -> np.ndarray:
    x, a = np.abs(x), _CUBIC_A
    near = ((a + 2) * x - (a + 3)) * x * x + 1
    far = ((x - 5) * x + 8) * x * a - 4 * a
    return np.where(x < 1, near, np.where(x < 2, far, 0.0))


def _lanczos(x: np.ndarray) -> np.ndarray:
    """Lanczos-3: a sinc windowed by a sinc three times wider."""
    return np.where(np.abs(x) < 3, np.sinc(x) * np.sinc(x / 3), 0.0)


_FILTERS = {"bilinear": _triangle, "bicubic": _keys_cubic, "lanczos": _lanczos}
# the same separable maps as bicubic resampling, under torch's node names
_PRIMS = {
    mode: renamed(PN.upsample_bicubic2d, f"Upsample{mode.capitalize()}2DAaBackward0")
    for mode in _FILTERS
}


def _aa_matrix(n_in: int, n_out: int, mode: str, align_corners: bool, scale) -> np.ndarray:
    """The (n_out, n_in) map of 1-D anti-aliased resampling, rows normalised to sum 1."""
    if align_corners:
        ratio = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
    else:
        ratio = 1.0 / scale if scale is not None and scale > 0 else n_in / n_out
    filt = _FILTERS[mode]
    stretch = max(ratio, 1.0)  # downscaling widens the filter by the scale factor
    support = _SUPPORT[mode] * stretch
    shift = 0.5  # align_corners changes only the ratio: taps stay centred on pixel centres
    m = np.zeros((n_out, n_in), np.float64)
    for i in range(n_out):
        center = ratio * (i + shift)
        lo = max(int(center - support + shift), 0)
        hi = min(int(center + support + shift), n_in)
        j = np.arange(lo, hi)
        w = filt((j - center + shift) / stretch)
        total = w.sum()
        m[i, lo:hi] = w / total if total != 0 else w
    return m


def antialias_resize(input, out_size, mode: str, align_corners: bool, scales=None):  # noqa: A002
    """(N, C, H, W) -> (N, C, *out_size) with an anti-aliasing bilinear, bicubic or lanczos
    filter."""
    h, w = input.shape[-2:]
    dt = input._data.dtype
    sh, sw = scales if scales is not None else (None, None)
    mh = _aa_matrix(h, out_size[0], mode, align_corners, sh).astype(dt)
    mw = _aa_matrix(w, out_size[1], mode, align_corners, sw).astype(dt)
    return apply(_PRIMS[mode], (input,), None, mh=mh, mw=mw)
