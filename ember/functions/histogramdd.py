"""``ember.histogramdd``: the multidimensional histogram of points given along the last dimension,
with torch's argument checks over ``numpy.histogramdd`` (same bin rules: half-open bins, the last
one closed; a degenerate range widened by 0.5 either side)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _make
from ._util import return_type
from .compare import _check_histogram_input
from .inplace import _C_TYPE_NAMES

_histogramdd_t = return_type("histogramdd", ["hist", "bin_edges"])


def _c_name(t: Tensor) -> str:
    return _C_TYPE_NAMES.get(t._data.dtype.name, t._data.dtype.name)


def _bins_per_dim(bins, dims: int, input: Tensor) -> list:  # noqa: A002
    if isinstance(bins, (int, np.integer)):
        bins = [int(bins)] * dims
    bins = list(bins)
    if len(bins) != dims:
        raise RuntimeError(
            "histogramdd: The size of bins must be equal to the innermost dimension of the input."
        )
    for d, b in enumerate(bins):
        if isinstance(b, Tensor):
            if b._data.dtype != input._data.dtype:
                raise RuntimeError(
                    "torch.histogramdd: input tensor and bins tensors should have the same dtype, "
                    f"but got input with dtype {_c_name(input)} and bins for dimension {d} with "
                    f"dtype {_c_name(b)}"
                )
        elif b <= 0:
            raise RuntimeError(
                f"torch.histogramdd: bins tensor should have at least 1 element, but got {b + 1} "
                f"elements in the bins tensor for dimension {d}"
            )
    return [b._data.astype(np.float64) if isinstance(b, Tensor) else int(b) for b in bins]


def _ranges(range, points: np.ndarray, dims: int) -> list:  # noqa: A002
    if range is not None:
        range = [float(r) for r in range]  # noqa: A001
        if len(range) != 2 * dims:
            raise RuntimeError(
                f"torch.histogramdd: for a {dims}-dimensional histogram range should have "
                f"{2 * dims} elements, but got {len(range)}"
            )
        pairs = [(range[2 * d], range[2 * d + 1]) for d in np.arange(dims)]
    elif points.shape[0]:
        pairs = [(float(lo), float(hi)) for lo, hi in zip(points.min(0), points.max(0))]
    else:
        pairs = [(0.0, 1.0)] * dims
    for d, (lo, hi) in enumerate(pairs):
        if lo > hi:
            raise RuntimeError(
                f"torch.histogramdd: min should not exceed max, but got min {lo:g} max {hi:g} for "
                f"dimension {d}"
            )
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise RuntimeError(
                f"torch.histogramdd: dimension {d}'s range [{lo}, {hi}] is not finite"
            )
    return pairs


def histogramdd(input: Tensor, bins, *, range=None, weight=None, density: bool = False):  # noqa: A001, A002
    """``(hist, bin_edges)``: counts (or summed ``weight``, or a density) of the points in the
    rows of ``input`` (the last dimension holds the coordinates) in a grid of ``bins``."""
    if input.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions")
    _check_histogram_input(input, 1, "histogramdd")
    dims = input.shape[-1]
    points = input._data.reshape(-1, dims)
    per_dim = _bins_per_dim(bins, dims, input)
    w = None
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape[:-1]):
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided it should have the same shape "
                "as the input tensor excluding its innermost dimension, but got input with shape "
                f"{list(input.shape)} and weight with shape {list(weight.shape)}"
            )
        if weight._data.dtype != input._data.dtype:
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                f"should have the same dtype, but got input({_c_name(input)}), and "
                f"weight({_c_name(weight)})"
            )
        w = weight._data.reshape(-1)
    pairs = None
    if not all(isinstance(b, np.ndarray) for b in per_dim):
        pairs = _ranges(range, points, dims)
    hist, edges = np.histogramdd(
        points.astype(np.float64), bins=per_dim, range=pairs, weights=w, density=density
    )
    dtype = input._data.dtype
    return _histogramdd_t(_make(hist.astype(dtype)), tuple(_make(e.astype(dtype)) for e in edges))
