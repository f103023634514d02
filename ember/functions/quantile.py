"""``quantile`` and ``nanquantile``: sort, then read (or interpolate between) the ranked values.

Composed of differentiable ops (sort, gather, lerp), so the gradient reaches the one or two
elements each quantile was read from, as torch's does.
"""

from __future__ import annotations

import functools
import numbers

import numpy as np

from .._tensor import Tensor, _make
from ._util import wrap_dim
from .inplace import copy_into_out

_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")
_MAX_NUMEL = 2**24  # torch refuses larger inputs


def _signature_error(input, q, dim) -> TypeError:  # noqa: A002
    got = ", ".join(
        [type(input).__name__ if not isinstance(input, Tensor) else "Tensor"]
        + ["Tensor" if isinstance(q, Tensor) else type(q).__name__]
        + ([f"dim={type(dim).__name__}"] if dim is not None else [])
    )
    return TypeError(
        f"quantile() received an invalid combination of arguments - got ({got}), but expected "
        "one of:\n * (Tensor input, Tensor q, int dim = None, bool keepdim = False, *, str "
        'interpolation = "linear", Tensor out = None)\n * (Tensor input, float q, int dim = None, '
        'bool keepdim = False, *, str interpolation = "linear", Tensor out = None)\n'
    )


def _check(input, q, dim, interpolation: str) -> None:  # noqa: A002
    """torch's argument checks, in torch's order."""
    scalar_q = isinstance(q, numbers.Real) and not isinstance(q, np.ndarray)
    if (
        not isinstance(input, Tensor)
        or not (scalar_q or isinstance(q, Tensor))
        or not (dim is None or isinstance(dim, (int, np.integer)))
    ):
        raise _signature_error(input, q, dim)
    if scalar_q and not 0 <= q <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {float(q):g}")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(
            "quantile() interpolation must be one of linear, lower, higher, midpoint or nearest, "
            f"but got {interpolation}"
        )
    if input._data.size == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    if input._data.size > _MAX_NUMEL:
        raise RuntimeError("quantile() input tensor is too large")
    if isinstance(q, Tensor) and q._data.ndim > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    if input._data.dtype not in (np.float32, np.float64):
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if isinstance(q, Tensor) and q._data.dtype != input._data.dtype:
        raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
    if dim is not None:
        wrap_dim(int(dim), input._data.ndim)
    if isinstance(q, Tensor) and not ((q._data >= 0) & (q._data <= 1)).all():
        raise RuntimeError("quantile() q values must be in the range [0, 1]")


def _quantile(input, q, dim, keepdim: bool, interpolation: str, skip_nan: bool) -> Tensor:  # noqa: A002
    _check(input, q, dim, interpolation)
    a = input._data
    dt = a.dtype.type
    qs = np.atleast_1d(q._data if isinstance(q, Tensor) else dt(q)).astype(dt)
    if dim is None or a.ndim == 0:
        rows = input.reshape(-1)
        kept = (1,) * a.ndim if keepdim else ()
    else:
        d = wrap_dim(int(dim), a.ndim)
        rows = input.movedim(d, -1)
        kept = a.shape[:d] + ((1,) if keepdim else ()) + a.shape[d + 1 :]
    ranked = rows.sort(-1).values  # NaN sorts last
    n = ranked._data.shape[-1]
    nan = np.isnan(ranked._data)
    # rank = q * scale + fixed, in the input's dtype as torch's (q * (count - 1) rounds alike)
    if skip_nan:
        count = n - nan.sum(-1, keepdims=True)
        scale = np.maximum(count - 1, 0).astype(dt)  # all NaN: rank 0, read the first
        fixed = np.zeros_like(scale)
        free = count > 0
    else:
        has_nan = nan.any(-1, keepdims=True)
        scale = np.where(has_nan, 0, n - 1).astype(dt)
        fixed = np.where(has_nan, n - 1, 0).astype(dt)  # a NaN in the row: read the last
        free = ~has_nan
    ranks = np.broadcast_to(qs * scale + fixed, ranked._data.shape[:-1] + qs.shape)
    below = np.floor(ranks)

    def read(position: np.ndarray) -> Tensor:
        return ranked.gather(-1, _make(position.astype(np.int64)))

    if interpolation == "lower":
        out = read(below)
    elif interpolation == "higher":
        out = read(np.ceil(ranks))
    elif interpolation == "nearest":
        out = read(np.round(ranks))  # halves to even, as torch rounds
    else:
        if interpolation == "midpoint":
            weight = _make(np.full_like(ranks, 0.5))
        elif isinstance(q, Tensor) and q.requires_grad:  # linear in q: torch differentiates it
            # rows of a fixed rank take no gradient (masked, not scaled by 0: their values are NaN)
            weight = q.reshape(-1) * _make(scale) + _make(fixed - below)
            weight = weight.where(_make(np.broadcast_to(free, ranks.shape)), 0)
        else:
            weight = _make(ranks - below)
        out = _lerp(read(below), read(np.ceil(ranks)), weight)
    # (..., q) -> (q, ...), then the kept dims; a scalar or 0-dim q leaves no q dim
    out = out.movedim(-1, 0)
    q_shape = qs.shape if isinstance(q, Tensor) and q._data.ndim == 1 else ()
    return out.reshape(q_shape + kept)


def _lerp(start: Tensor, end: Tensor, weight: Tensor) -> Tensor:
    """torch's lerp, rounded as torch's: from ``end`` back when the weight is past one half."""
    upper = weight._data >= 0.5
    return (
        start.where(_make(~upper), 0)
        + end.where(_make(upper), 0)
        + (end - start) * (weight - _make(upper.astype(weight._data.dtype)))
    )


_OUT_DTYPE = "quantile() out tensor must be same dtype as the input tensor"


def _takes_out(fn):
    """torch's ``out=`` for quantile, which torch composes from other ops: unlike a primitive's
    ``out`` (``inplace.takes_out``), this one joins the graph when the result requires grad."""

    @functools.wraps(fn)
    def with_out(*args, out=None, **kwargs):
        result = fn(*args, **kwargs)
        if out is None:
            return result
        copy_into_out(out, result.detach(), name="quantile", mismatch=_OUT_DTYPE)
        if result.requires_grad:
            out.copy_(result)
        return out

    with_out.without_out = fn  # Tensor methods bind this: torch's methods take no out=
    return with_out


@_takes_out
def quantile(
    input: Tensor,  # noqa: A002
    q,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """The ``q``-th quantiles of ``input`` (flattened, or along ``dim``); NaN where a NaN is.

    Args:
        q: a float or a 0-/1-D tensor of values in [0, 1]; a 1-D ``q`` adds a first dim.
        interpolation: between two ranked values, ``'linear'``, ``'lower'``, ``'higher'``,
            ``'midpoint'`` or ``'nearest'``.
    """
    return _quantile(input, q, dim, keepdim, interpolation, skip_nan=False)


@_takes_out
def nanquantile(
    input: Tensor,  # noqa: A002
    q,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """``quantile`` of the values that are not NaN (NaN where all are)."""
    return _quantile(input, q, dim, keepdim, interpolation, skip_nan=True)


__all__ = ["nanquantile", "quantile"]
