"""``ember.testing.assert_close``: torch's comparison of tensors, numbers and containers of them,
with its default tolerances and failure messages."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from ._tensor import Tensor, _make

__all__ = ["assert_close", "make_tensor"]

# (rtol, atol) by dtype, as torch.testing's defaults
_TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-5),
    np.dtype(np.float32): (1.3e-6, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-7),
    np.dtype(np.complex64): (1.3e-6, 1e-5),
    np.dtype(np.complex128): (1e-7, 1e-7),
}


def _fail(msg: str, custom, path: str) -> None:
    if custom is not None:
        raise AssertionError(custom if isinstance(custom, str) else custom(msg))
    if path:
        msg += f"\n\nThe failure occurred for item {path}"
    raise AssertionError(msg)


def _fmt(x) -> str:
    return repr(float(x)) if isinstance(x, (float, np.floating)) else str(x)


def _compare_arrays(a, b, rtol, atol, equal_nan, kind, custom, path):
    if a.dtype.kind == "b":
        a, b = a.astype(np.int64), b.astype(np.int64)
    if a.dtype.kind in "fc":
        close = np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)
    else:
        close = np.abs(a.astype(np.float64) - b.astype(np.float64)) <= atol + rtol * np.abs(
            b.astype(np.float64)
        )
    if close.all():
        return
    if a.dtype.kind not in "fc":
        a, b = a.astype(np.int64), b.astype(np.int64)
    exact = rtol == 0 and atol == 0
    if kind == "Scalars" or a.ndim == 0:  # torch words 0-dim tensors as scalars
        x, y = a.item(), b.item()
        diff = abs(x - y)
        rel = diff / abs(y) if y != 0 else (math.inf if diff else 0.0)
        lines = [
            f"Scalars are not {'equal' if exact else 'close'}!",
            "",
            f"Expected {_fmt(y)} but got {_fmt(x)}.",
        ]
        if exact:
            lines += [f"Absolute difference: {_fmt(diff)}", f"Relative difference: {_fmt(rel)}"]
        else:
            lines += [
                f"Absolute difference: {_fmt(diff)} (up to {atol} allowed)",
                f"Relative difference: {_fmt(rel)} (up to {rtol} allowed)",
            ]
        _fail("\n".join(lines), custom, path)
    bad = ~close
    with np.errstate(divide="ignore", invalid="ignore"):
        absdiff = np.abs(a - b)
        reldiff = absdiff / np.abs(b)
    if a.dtype.kind in "fc":
        absdiff = absdiff.astype(np.float64)
        reldiff = reldiff.astype(np.float64)

    # torch reports the largest difference over the mismatched elements, nan counting as largest
    def worst(d):
        d = np.where(bad, d, -np.inf if d.dtype.kind == "f" else -1)
        flat = d.reshape(-1)
        nan = np.isnan(flat) if flat.dtype.kind == "f" else np.zeros(flat.shape, bool)
        i = int(np.argmax(nan)) if nan.any() else int(np.argmax(flat))
        return flat[i], tuple(int(k) for k in np.unravel_index(i, d.shape))

    amax, aidx = worst(absdiff)
    rmax, ridx = worst(np.where(np.isfinite(reldiff) | np.isnan(reldiff), reldiff, np.inf))
    n, total = int(bad.sum()), a.size
    lines = [
        f"Tensor-likes are not {'equal' if exact else 'close'}!",
        "",
        f"Mismatched elements: {n} / {total} ({100 * n / total:.1f}%)",
    ]
    absdiff_s = _fmt(amax) if a.dtype.kind in "fc" else str(int(amax))
    if exact:
        lines += [
            f"Greatest absolute difference: {absdiff_s} at index {aidx}",
            f"Greatest relative difference: {_fmt(rmax)} at index {ridx}",
        ]
    else:
        lines += [
            f"Greatest absolute difference: {absdiff_s} at index {aidx} (up to {atol} allowed)",
            f"Greatest relative difference: {_fmt(rmax)} at index {ridx} (up to {rtol} allowed)",
        ]
    _fail("\n".join(lines), custom, path)


def _is_number(x) -> bool:
    return isinstance(x, (int, float, complex, np.number, bool)) and not isinstance(x, Tensor)


def assert_close(
    actual,
    expected,
    *,
    allow_subclasses: bool = True,
    rtol=None,
    atol=None,
    equal_nan: bool = False,
    check_device: bool = True,
    check_dtype: bool = True,
    check_layout: bool = True,
    check_stride: bool = False,
    msg=None,
) -> None:
    """Assert that ``actual`` and ``expected`` are close: ``|a - e| <= atol + rtol * |e|``.

    Tensors must match in shape and (with ``check_dtype``) dtype; sequences and mappings are
    compared item by item. Without ``rtol``/``atol`` the dtype's defaults apply (float32:
    1.3e-6 and 1e-5; integers and bools: exact).
    """
    if (rtol is None) != (atol is None):
        raise ValueError(
            f"Both 'rtol' and 'atol' must be either specified or omitted, but got no "
            f"{'rtol' if rtol is None else 'atol'}."
        )
    _assert(actual, expected, "", rtol, atol, equal_nan, check_dtype, msg)


def _assert(actual, expected, path, rtol, atol, equal_nan, check_dtype, msg):
    if isinstance(actual, Tensor) and isinstance(expected, Tensor):
        a, e = actual.detach()._data, expected.detach()._data
        if a.shape != e.shape:
            _fail(
                f"The values for attribute 'shape' do not match: {actual.shape} != "
                f"{expected.shape}.",
                msg,
                path,
            )
        if check_dtype and a.dtype != e.dtype:
            _fail(
                f"The values for attribute 'dtype' do not match: {actual.dtype} != "
                f"{expected.dtype}.",
                msg,
                path,
            )
        if a.dtype != e.dtype:
            common = np.promote_types(a.dtype, e.dtype)
            a, e = a.astype(common), e.astype(common)
        r, t = (rtol, atol) if rtol is not None else _TOLERANCES.get(a.dtype, (0.0, 0.0))
        _compare_arrays(a, e, r, t, equal_nan, "Tensor-likes", msg, path)
        return
    if _is_number(actual) and _is_number(expected):
        if (
            check_dtype
            and type(actual) is not type(expected)
            and not (isinstance(actual, float) and isinstance(expected, float))
        ):
            _fail(
                f"The values for attribute 'dtype' do not match: {type(actual)} != "
                f"{type(expected)}.",
                msg,
                path,
            )
        if isinstance(expected, float) or isinstance(actual, float):
            r, t = (rtol, atol) if rtol is not None else (1e-7, 1e-7)
        else:
            r, t = (rtol, atol) if rtol is not None else (0.0, 0.0)
        a, e = np.asarray(actual), np.asarray(expected)
        _compare_arrays(a, e, r, t, equal_nan, "Scalars", msg, path)
        return
    if isinstance(actual, Mapping) and isinstance(expected, Mapping):
        if set(actual) != set(expected):
            _fail(
                f"The keys of the mappings do not match:\n{sorted(map(str, actual))} != "
                f"{sorted(map(str, expected))}",
                msg,
                path,
            )
        for k in expected:
            _assert(
                actual[k], expected[k], f"{path}[{k!r}]", rtol, atol, equal_nan, check_dtype, msg
            )
        return
    seq = (Sequence,)
    if (
        isinstance(actual, seq)
        and isinstance(expected, seq)
        and not isinstance(actual, str)
        and not isinstance(expected, str)
    ):
        if len(actual) != len(expected):
            _fail(
                f"The length of the sequences mismatch: {len(actual)} != {len(expected)}", msg, path
            )
        for i, (x, y) in enumerate(zip(actual, expected)):
            _assert(x, y, f"{path}[{i}]", rtol, atol, equal_nan, check_dtype, msg)
        return
    raise TypeError(
        f"No comparison pair was able to handle inputs of type {type(actual)} and {type(expected)}."
    )


def make_tensor(
    *shape,
    dtype,
    device=None,
    low=None,
    high=None,
    requires_grad=False,
    noncontiguous=False,
    exclude_zero=False,
    memory_format=None,
) -> Tensor:
    """A tensor of uniform random values in ``[low, high)`` (default ``[-9, 9)``)."""
    from . import _dtype as D
    from .functions import random as R

    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    lo = -9 if low is None else low
    hi = 9 if high is None else high
    np_dt = D.to_np(dtype) if hasattr(D, "to_np") else dtype.np
    if np_dt.kind == "b":
        return R.randint(0, 2, shape).to(dtype)
    if np_dt.kind in "iu":
        return R.randint(int(lo), int(hi), shape).to(dtype)
    t = R.rand(*shape, dtype=dtype) * (hi - lo) + lo
    if exclude_zero:
        t = _make(np.where(t._data == 0, np.finfo(np_dt).eps, t._data))
    return t.requires_grad_(requires_grad) if requires_grad else t.detach()
