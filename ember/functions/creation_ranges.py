"""Range factories: ``arange``, ``range``, ``linspace`` and ``logspace``, with torch's checks."""

from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor
from ._util import to_np_dtype
from .creation import (
    _check_dtype_arg,
    _dt,
    _finish,
    _into_out,
    _invalid_args,
    _number,
    _out_dtype,
)


def _range_number(v, fn: str, position: int | None, args: tuple):
    """A Python number from an ``arange`` bound (a 0-d tensor counts), with torch's errors."""
    if isinstance(v, Tensor):
        if v.ndim:
            if position is None:
                raise _invalid_args(fn, *args)
            raise TypeError(
                f"{fn}(): argument 'end' (position {position}) must be Number, not Tensor"
            )
        v = v.item()
    if not _number(v):
        if position is None:
            raise _invalid_args(fn, *args)
        raise TypeError(
            f"{fn}(): argument 'end' (position {position}) must be Number, not {type(v).__name__}"
        )
    if isinstance(v, complex):
        raise RuntimeError("value cannot be converted to type double without overflow")
    return v


def _check_range_dtype(npd: np.dtype, fn: str) -> None:
    if npd.kind in "bc" or D._BY_NP[npd] in D.LIMITED:
        name = D.scalar_type_name(D._BY_NP[npd])
        raise NotImplementedError(f"\"{fn}_cpu\" not implemented for '{name}'")


def arange(
    start=0,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``."""
    given = (start,) if end is None else (start, end, step)
    if end is None:
        start, end = 0, start
    one = len(given) == 1
    start, end, step = (
        _range_number(v, "arange", 1 if one else None, given) for v in (start, end, step)
    )
    vals = (start, end, step)
    if not all(np.isfinite(v) for v in (start, end)):
        raise RuntimeError(f"unsupported range: {start:g} -> {end:g}")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    _check_dtype_arg(dtype, "arange")
    dtype = _out_dtype(dtype, out, "arange")
    if dtype is None:
        dtype = (
            D.int64
            if all(isinstance(v, (int, np.integer)) for v in vals)
            else D.get_default_dtype()
        )
    npd = to_np_dtype(dtype)
    _check_range_dtype(npd, "arange")
    n = int(np.ceil((end - start) / step))
    # Computed in float64 then cast, as torch computes start + i * step in double precision.
    arr = (
        (start + np.arange(n, dtype=np.float64) * step)
        if npd.kind == "f"
        else np.arange(start, end, step, dtype=np.int64)
    )
    return _into_out(_finish(arr.astype(npd), requires_grad, device), out, "arange")


def range_(
    start,
    end=None,
    step=1,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
) -> Tensor:
    """``ember.range`` (deprecated in torch): ``start`` to ``end`` inclusive, ``step`` apart."""
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its behavior "
        "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
        "values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    if end is None:
        raise TypeError('range() missing 1 required positional arguments: "end"')
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    npd = _dt(_out_dtype(dtype, out, "range"), fn="range")
    _check_range_dtype(npd, "range")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(np.floor((end - start) / step)) + 1
    arr = start + np.arange(n, dtype=np.float64) * step
    return _into_out(_finish(arr.astype(npd), requires_grad, device), out, "range")


def _steps(start, end, steps, fn: str, kwargs: dict) -> int:
    """torch's checks on ``linspace``/``logspace``'s bounds and number of steps."""
    args = (start, end) + (() if steps is None else (steps,))
    if isinstance(steps, Tensor) and steps.ndim == 0 and steps._data.dtype.kind in "iu":
        steps = int(steps.item())
    bad = [v for v in (start, end) if not (_number(v) or (isinstance(v, Tensor) and not v.ndim))]
    if bad or steps is None or isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise _invalid_args(fn, *args, **{k: v for k, v in kwargs.items() if v is not None})
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return int(steps)


def _even(start, end, steps: int, npd: np.dtype) -> np.ndarray:
    """torch's ``linspace`` values in ``npd``: the step in the dtype, then ``start + step * i``
    for the first half and ``end - step * (steps - 1 - i)`` for the second."""
    i = np.arange(steps)
    half = steps // 2
    if npd in (np.float32, np.float64, np.complex64, np.complex128):
        # each half rounded once (a fused multiply-add): a wider type gives that single rounding
        wide = {np.float32: np.float64, np.complex64: np.complex128}.get(npd.type, np.longdouble)
        if npd.kind == "c":
            wide = np.clongdouble if npd == np.complex128 else wide
        lo, hi = npd.type(start), npd.type(end)
        step = (hi - lo) / npd.type(max(steps - 1, 1))
        first = (wide(lo) + wide(step) * i.astype(wide)).astype(npd)
        second = (wide(hi) - wide(step) * (steps - 1 - i).astype(wide)).astype(npd)
        arr = np.where(i < half, first, second)
    elif npd == np.float16:  # half: every operation rounded to half, no fused multiply-add
        lo, hi = np.float16(start), np.float16(end)
        step = (hi - lo) / np.float16(max(steps - 1, 1))
        arr = np.where(i < half, lo + step * i.astype(npd), hi - step * (steps - 1 - i).astype(npd))
    else:
        step = (end - start) / (steps - 1) if steps > 1 else 0.0
        arr = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if steps == 1:
        arr = np.full(1, start)
    return arr.astype(npd)


def _bound(v):
    return v.item() if isinstance(v, Tensor) else v


def _space_dtype(start, end, dtype, out, fn: str) -> np.dtype:
    dtype = _out_dtype(dtype, out, fn)
    if dtype is None and any(isinstance(_bound(v), complex) for v in (start, end)):
        return D._complex_default().np
    return _dt(dtype)


def linspace(
    start, end, steps=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """``steps`` values evenly spaced from ``start`` to ``end`` inclusive."""
    steps = _steps(start, end, steps, "linspace", {"dtype": dtype})
    _check_dtype_arg(dtype, "linspace")
    npd = _space_dtype(start, end, dtype, out, "linspace")
    if npd.kind != "c":
        _check_range_dtype(npd, "linspace")
    arr = _even(_bound(start), _bound(end), steps, npd)
    return _into_out(_finish(arr, requires_grad, device), out, "linspace")


def logspace(
    start,
    end,
    steps=None,
    base: float = 10.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
) -> Tensor:
    """``steps`` powers of ``base``, exponents evenly spaced from ``start`` to ``end``."""
    steps = _steps(start, end, steps, "logspace", {"dtype": dtype})
    _check_dtype_arg(dtype, "logspace")
    npd = _space_dtype(start, end, dtype, out, "logspace")
    if npd.kind != "c":
        _check_range_dtype(npd, "logspace")
    wide = np.complex128 if npd.kind == "c" else np.float64
    lin = _even(_bound(start), _bound(end), steps, np.dtype(wide))
    return _into_out(_finish((base**lin).astype(npd), requires_grad, device), out, "logspace")
