"""Comparisons, logical ops, sorting and searching: results that carry no gradient
(``sort``/``topk`` values excepted)."""

from __future__ import annotations

import numbers

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, apply
from ..autograd.primitives import index as P
from ..autograd.primitives import select as S
from ._util import broadcast_shapes, return_type, shape_error, wrap_dim
from .inplace import copy_into_out as _copy_into_out
from .inplace import takes_out as _takes_out
from .math import _operands, _tensors_only
from .reduce import _kth_t, _median_t, _scalar_type_name, _sort_t, _topk_t


def _cmp(fn, name: str):
    def op(input, other, *, out=None) -> Tensor:  # noqa: A002
        a, b = _operands(input, other)
        try:
            result = _make(np.asarray(fn(a, b)))
        except ValueError:
            raise shape_error(np.shape(a), np.shape(b)) from None
        return result if out is None else _copy_into_out(out, result, name=name)

    return op


eq = _cmp(np.equal, "eq")
ne = not_equal = _cmp(np.not_equal, "ne")
lt = less = _cmp(np.less, "lt")
le = less_equal = _cmp(np.less_equal, "le")
gt = greater = _cmp(np.greater, "gt")
ge = greater_equal = _cmp(np.greater_equal, "ge")


def isin(elements, test_elements, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each of ``elements`` is among ``test_elements`` (either may be a scalar)."""
    for v in (elements, test_elements):
        if isinstance(v, Tensor) and v._data.dtype == np.bool_:
            raise RuntimeError("Unsupported input type encountered for isin(): Bool")
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError(
            "isin() received an invalid combination of arguments - got "
            f"({type(elements).__name__}, {type(test_elements).__name__})"
        )
    a = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    b = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _make(np.asarray(np.isin(a, b, invert=invert)))


def zero_grad_inplace(fn):
    """The out-of-place op behind an in-place comparison (``x.lt_(y)``): for a tensor in a
    graph, the result joins it with a zero gradient, as the result is piecewise constant."""

    def op(input: Tensor, *args) -> Tensor:  # noqa: A002
        result = fn(input, *args)
        out = result.to(input.dtype)
        everywhere = _make(np.ones((), bool))
        for t in (input, *args):
            if isinstance(t, Tensor) and t.requires_grad:
                out = out + t.masked_fill(everywhere, 0).to(input.dtype)
        return out

    return op


def _logical(fn):
    def op(input, other) -> Tensor:  # noqa: A002
        _tensors_only(fn.__name__, input, other)  # torch takes no Python numbers here
        a, b = input._data, other._data
        try:
            return _make(np.asarray(fn(a, b)))
        except ValueError:
            raise shape_error(np.shape(a), np.shape(b)) from None

    return op


logical_and = _takes_out("logical_and", "any")(_logical(np.logical_and))
logical_or = _takes_out("logical_or", "any")(_logical(np.logical_or))
logical_xor = _takes_out("logical_xor", "any")(_logical(np.logical_xor))


@_takes_out("logical_not", "any")
def logical_not(input: Tensor) -> Tensor:  # noqa: A002
    return _make(np.logical_not(input._data))


def _bitwise(fn, name):
    def op(input, other) -> Tensor:  # noqa: A002
        a, b = _operands(input, other)
        kind = np.result_type(a, b)
        if kind.kind in "fc":
            raise NotImplementedError(
                f"\"{name}_cpu\" not implemented for '{_scalar_type_name(D._BY_NP[kind])}'"
            )
        return _make(np.asarray(fn(a, b)))

    return op


bitwise_and = _takes_out("bitwise_and")(_bitwise(np.bitwise_and, "bitwise_and"))
bitwise_or = _takes_out("bitwise_or")(_bitwise(np.bitwise_or, "bitwise_or"))
bitwise_xor = _takes_out("bitwise_xor")(_bitwise(np.bitwise_xor, "bitwise_xor"))


def _shift(left: bool):
    name = "lshift" if left else "rshift"

    def op(input, other) -> Tensor:  # noqa: A002
        a, b = (np.asarray(x) for x in _operands(input, other))
        pair = (input, other)
        kind = np.dtype(
            D.result_type(
                tuple(x for x in pair if isinstance(x, Tensor)),
                tuple(x for x in pair if not isinstance(x, Tensor)),
            ).np
        )
        if kind.kind in "fc":
            raise NotImplementedError(
                f"\"{name}_cpu\" not implemented for '{_scalar_type_name(D._BY_NP[kind])}'"
            )
        if kind == np.bool_:
            kind = np.dtype(np.int64)  # torch shifts bools as int64
        a, b = a.astype(kind), b.astype(np.int64)
        # torch: a shift by a negative amount or by the bit width or more empties the value
        # (an arithmetic right shift keeps the sign); NumPy leaves those cases to C
        fits = (b >= 0) & (b < kind.itemsize * 8)
        amount = np.where(fits, b, 0).astype(kind)
        if left:
            out = np.where(fits, np.left_shift(a, amount), 0)
        else:
            out = np.where(fits, np.right_shift(a, amount), np.where(a < 0, -1, 0))
        return _make(np.asarray(out, kind))

    op.__name__ = f"bitwise_{'left' if left else 'right'}_shift"
    return op


bitwise_left_shift = _shift(True)
bitwise_right_shift = _shift(False)


@_takes_out("bitwise_not")
def bitwise_not(input: Tensor) -> Tensor:  # noqa: A002
    if input._data.dtype.kind in "fc":
        raise NotImplementedError(
            f"\"bitwise_not_cpu\" not implemented for '{_scalar_type_name(input.dtype)}'"
        )
    return _make(np.invert(input._data))


def isnan(input: Tensor) -> Tensor:  # noqa: A002
    return _make(
        np.isnan(input._data)
        if input._data.dtype.kind in "fc"
        else np.zeros(input._data.shape, bool)
    )


def isinf(input: Tensor) -> Tensor:  # noqa: A002
    return _make(
        np.isinf(input._data)
        if input._data.dtype.kind in "fc"
        else np.zeros(input._data.shape, bool)
    )


def isposinf(input: Tensor) -> Tensor:  # noqa: A002
    return _make(np.isposinf(input._data))


def isneginf(input: Tensor) -> Tensor:  # noqa: A002
    return _make(np.isneginf(input._data))


def isfinite(input: Tensor) -> Tensor:  # noqa: A002
    return _make(
        np.isfinite(input._data)
        if input._data.dtype.kind in "fc"
        else np.ones(input._data.shape, bool)
    )


@_takes_out("signbit", mismatch="signbit does not support non-boolean outputs.")
def signbit(input: Tensor) -> Tensor:  # noqa: A002
    return _make(np.signbit(input._data))


def _close_operands(input: Tensor, other: Tensor, name: str):  # noqa: A002
    """torch compares only tensors of one dtype and broadcastable shapes."""
    _tensors_only(name, input, other)
    a, b = input._data, other._data
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{_scalar_type_name(input.dtype)} did not match {_scalar_type_name(other.dtype)}"
        )
    broadcast_shapes(a.shape, b.shape)
    return a, b


def isclose(input: Tensor, other: Tensor, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:  # noqa: A002
    a, b = _close_operands(input, other, "isclose")
    return _make(np.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def allclose(input: Tensor, other: Tensor, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:  # noqa: A002
    a, b = _close_operands(input, other, "allclose")
    return bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def equal(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def _sort_indices(x: np.ndarray, dim: int, descending: bool, stable: bool) -> np.ndarray:
    # NaN sorts as the largest value, as in torch; a stable sort keeps ties in input order.
    if descending:
        if x.dtype.kind == "b":
            x = x.astype(np.int8)
        key = -x if x.dtype.kind in "fiu" and x.dtype.kind != "u" else None
        if key is not None and x.dtype.kind == "f":
            key = np.where(np.isnan(x), -np.inf, -x)
            order = np.argsort(key, axis=dim, kind="stable")
            nan_first = np.take_along_axis(np.isnan(x), order, axis=dim)
            return _nan_to_front(order, nan_first, dim)
        if key is not None:
            return np.argsort(key, axis=dim, kind="stable")
        return np.flip(np.argsort(np.flip(x, dim), axis=dim, kind="stable"), dim)
    return np.argsort(x, axis=dim, kind="stable")


def _nan_to_front(order, nan_mask, dim):
    # Descending: NaNs first (in input order), then the rest.
    moved = np.argsort(~nan_mask, axis=dim, kind="stable")
    return np.take_along_axis(order, moved, axis=dim)


@_takes_out("sort")
def sort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False):  # noqa: A002
    """Sorted values and their indices along ``dim``."""
    if input.ndim == 0:
        return _sort_t(input.clone(), _make(np.zeros((), np.int64)))
    d = wrap_dim(dim, input.ndim)
    idx = _sort_indices(input._data, d, descending, stable)
    values = apply(P.sort_values, (input,), None, dim=d, idx=idx)
    return _sort_t(values, _make(idx.astype(np.int64)))


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:  # noqa: A002
    return sort(input, dim, descending, stable).indices


@_takes_out("msort", "exact")
def msort(input: Tensor) -> Tensor:  # noqa: A002
    return sort(input, 0).values


@_takes_out("topk")
def topk(input: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True):  # noqa: A002
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    k, dim = _int_arg("topk", "k", k, 2), _int_arg("topk", "dim", dim, 3)
    d = wrap_dim(dim, input.ndim) if input.ndim else 0
    n = input.shape[d] if input.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    if input._data.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    x = input._data if input.ndim else input._data.reshape(1)
    idx = _sort_indices(x, d, descending=largest, stable=True)
    idx = np.take(idx, np.arange(k), axis=d)
    if not input.ndim:
        idx = idx.reshape(())
    values = apply(P.topk_values, (input,), None, dim=d, idx=idx)
    return _topk_t(values, _make(idx.astype(np.int64)))


def _int_arg(fn: str, name: str, value, position: int) -> int:
    """``value`` as an int where torch takes it as one: an integer tensor too, of one element
    for ``k``, 0-d for ``dim``."""
    if isinstance(value, Tensor) and value._data.dtype.kind in "iu":
        if value._data.ndim == 0 or (name == "k" and value._data.size == 1):
            return int(value._data.reshape(()))
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {position}) must be int, not "
            f"{type(value).__name__}"
        )
    return int(value)


def _no_kernel(input: Tensor, kernel: str) -> None:  # noqa: A002
    if input._data.dtype.kind in "bc":  # torch has no order-statistic kernels for these
        name = _scalar_type_name(input.dtype)
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{name}'")


def _order_statistic_checks(input: Tensor, fn: str, dim) -> int:  # noqa: A002
    """torch's checks for an order statistic along ``dim``; the dim, wrapped."""
    dim = _int_arg(fn, "dim", dim, 3 if fn == "kthvalue" else 2)
    _no_kernel(input, "kthvalue_cpu" if fn == "kthvalue" else "median_out")
    d = wrap_dim(dim, input.ndim)
    if input.ndim and not input.shape[d]:  # nanmedian's message names median too
        op = "kthvalue" if fn == "kthvalue" else "median"
        raise IndexError(f"{op}(): Expected reduction dim {d} to have non-zero size.")
    return d


def _sorted_position(a: np.ndarray, axis: int, pos) -> np.ndarray:
    """The index of the element at position ``pos`` (an int, or one per line with ``axis`` kept
    as 1) of a stable ascending sort along ``axis`` (NaN last): ties go to the first in order."""
    order = np.argsort(a, axis=axis, kind="stable")
    if isinstance(pos, int):
        return np.take(order, [pos], axis=axis)
    return np.take_along_axis(order, pos, axis=axis)


def _median_position(a: np.ndarray, axis: int, skip_nan: bool):
    """The sorted position of the median along ``axis``: the lower middle of all the values;
    with NaN, ``median`` picks the first NaN, ``nanmedian`` the lower middle of the others."""
    n = a.shape[axis]
    if a.dtype.kind != "f" or not np.isnan(a).any():
        return (n - 1) // 2
    valid = (~np.isnan(a)).sum(axis=axis, keepdims=True)
    if skip_nan:
        return np.where(valid > 0, (valid - 1) // 2, (n - 1) // 2)
    return np.where(valid < n, valid, (n - 1) // 2)


def _order_statistic(prim, result_t, input: Tensor, d: int, idx: np.ndarray, keepdim: bool):  # noqa: A002
    values = apply(prim, (input,), None, dim=d, idx=idx, keepdim=keepdim)
    if not input.ndim:
        idx = np.zeros((), np.int64)
    elif not keepdim:
        idx = idx.squeeze(d)
    return result_t(values, _make(idx.astype(np.int64, copy=False)))


@_takes_out("kthvalue")
def kthvalue(input: Tensor, k: int, dim: int = -1, keepdim: bool = False):  # noqa: A002
    """The ``k``-th smallest value along ``dim`` and its index."""
    k = _int_arg("kthvalue", "k", k, 2)
    d = _order_statistic_checks(input, "kthvalue", dim)
    n = input.shape[d] if input.ndim else 1
    if not 1 <= k <= n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    a = input._data.reshape(1) if not input.ndim else input._data
    idx = _sorted_position(a, d, k - 1)
    return _order_statistic(S.kthvalue, _kth_t, input, d, idx, keepdim)


def _median(input: Tensor, dim, keepdim: bool, skip_nan: bool):  # noqa: A002
    fn = "nanmedian" if skip_nan else "median"
    if dim is None:
        if keepdim:
            raise TypeError(f'{fn}() missing 1 required positional arguments: "dim"')
        _no_kernel(input, "median_cpu")
        a = input._data.reshape(-1)
        pos = int(_sorted_position(a, 0, _median_position(a, 0, skip_nan))[0]) if a.size else None
        return apply(S.nanmedian_all if skip_nan else S.median_all, (input,), None, pos=pos)
    d = _order_statistic_checks(input, fn, dim)
    a = input._data.reshape(1) if not input.ndim else input._data
    idx = _sorted_position(a, d, _median_position(a, d, skip_nan))
    if skip_nan:
        return _order_statistic(S.nanmedian_dim, _nanmedian_t, input, d, idx, keepdim)
    return _order_statistic(S.median_dim, _median_t, input, d, idx, keepdim)


@_takes_out("median")
def median(input: Tensor, dim=None, keepdim: bool = False):  # noqa: A002
    """The lower median (torch does not average the two middle values); NaN where one is."""
    return _median(input, dim, keepdim, skip_nan=False)


@_takes_out("nanmedian")
def nanmedian(input: Tensor, dim=None, keepdim: bool = False):  # noqa: A002
    """The lower median of the values that are not NaN (NaN if all are)."""
    return _median(input, dim, keepdim, skip_nan=True)


_nanmedian_t = return_type("nanmedian", ["values", "indices"])


def unique(
    input: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,  # noqa: A002
    return_counts: bool = False,
    dim=None,
):
    # torch keeps every NaN as a value of its own (NumPy would fold them into one)
    if dim is not None:
        axis = _unique_dim(input, dim)
        vals, inv, counts = np.unique(
            input._data, return_inverse=True, return_counts=True, axis=axis, equal_nan=False
        )
    else:
        vals, inv, counts = np.unique(
            input._data, return_inverse=True, return_counts=True, equal_nan=False
        )
        inv = inv.reshape(input._data.shape)
    out = [_make(vals)]
    if return_inverse:
        out.append(_make(inv.astype(np.int64)))
    if return_counts:
        out.append(_make(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def _unique_dim(input: Tensor, dim) -> int:  # noqa: A002
    """``dim`` of ``unique``/``unique_consecutive`` checked as torch does, made non-negative."""
    if not input.ndim:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    axis = wrap_dim(dim, input.ndim)
    if any(n == 0 for i, n in enumerate(input._data.shape) if i != axis):
        raise RuntimeError(
            "There are 0 sized dimensions, and they aren't selected, so unique cannot be applied"
        )
    return axis


def unique_consecutive(input: Tensor, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """Each run of equal consecutive elements (slices along ``dim``, when given) kept once."""
    if dim is None:
        d = input._data.reshape(-1)
        keep = np.concatenate([[True], d[1:] != d[:-1]])[: d.size]
        values, inverse_shape = d[keep], input._data.shape
    else:
        axis = _unique_dim(input, dim)
        rows = np.moveaxis(input._data, axis, 0)
        flat = rows.reshape(rows.shape[0], rows[:1].size)  # -1 is ambiguous with no rows
        keep = np.concatenate([[True], (flat[1:] != flat[:-1]).any(axis=1)])[: rows.shape[0]]
        values, inverse_shape = np.moveaxis(rows[keep], 0, axis).copy(), (rows.shape[0],)
    out = [_make(values)]
    if return_inverse:
        out.append(_make((np.cumsum(keep) - 1).reshape(inverse_shape)))
    if return_counts:
        out.append(_make(np.diff(np.append(np.nonzero(keep)[0], keep.size)).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def bincount(input: Tensor, weights=None, minlength: int = 0) -> Tensor:  # noqa: A002
    """The number of times each value 0..max occurs (weighted sums with ``weights``)."""
    if input._data.dtype.kind not in "iu":
        raise NotImplementedError(
            f"\"bincount_cpu\" not implemented for '{_scalar_type_name(input.dtype)}'"
        )
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if input.ndim != 1:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if input._data.size and input._data.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    w = weights._data if weights is not None else None
    if w is not None and (w.ndim != 1 or w.shape[0] != input.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out = np.bincount(input._data, weights=w, minlength=minlength)
    if w is None:
        return _make(out.astype(np.int64))
    return _make(out.astype(w.dtype if w.dtype.kind == "f" else np.float64))


def _check_searchsorted(seq: np.ndarray, vals: np.ndarray, side, right, sorter) -> str:
    """torch's argument checks; returns the side to search from."""
    if side is not None and side not in ("left", "right"):
        raise RuntimeError(
            f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
        )
    if side is not None and right and side == "left":
        raise RuntimeError(
            "torch.searchsorted(): side and right can't be set to opposites, got side of left "
            "while right was True"
        )
    if sorter is not None and sorter.shape != seq.shape:
        raise RuntimeError(
            "torch.searchsorted(): boundary and sorter must have the same size, but got boundary "
            f"tensor {list(seq.shape)}and got sorter tensor {list(sorter.shape)}"
        )
    if seq.ndim > 1 and vals.ndim == 0:
        raise RuntimeError(
            "torch.searchsorted(): input value can be a scalar only when boundaries tensor "
            f"dimension is 1, but we got boundaries tensor dim({seq.ndim}) and input value's "
            f"dim(0) numel(1)"
        )
    if seq.ndim > 1 and (seq.ndim != vals.ndim or seq.shape[:-1] != vals.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}"
        )
    return side or ("right" if right else "left")


@_takes_out("searchsorted", "exact")
def searchsorted(
    sorted_sequence: Tensor,
    input,  # noqa: A002
    *,
    right=False,
    side=None,
    out_int32=False,
    sorter=None,
) -> Tensor:
    """Indices where ``input``'s values would be inserted into the innermost rows of
    ``sorted_sequence`` (sorted, or put in order by the ``sorter`` indices) to keep them sorted."""
    vals = input._data if isinstance(input, Tensor) else np.asarray(input)
    seq = sorted_sequence._data
    order = sorter._data if isinstance(sorter, Tensor) else sorter
    side = _check_searchsorted(seq, vals, side, right, order)
    if order is not None:
        seq = np.take_along_axis(seq, order, axis=-1)
    if seq.ndim == 1:
        out = np.searchsorted(seq, vals, side=side)
    else:
        out = np.stack(
            [
                np.searchsorted(s, v, side=side)
                for s, v in zip(seq.reshape(-1, seq.shape[-1]), vals.reshape(-1, vals.shape[-1]))
            ]
        )
        out = out.reshape(vals.shape)
    return _make(np.asarray(out, dtype=np.int32 if out_int32 else np.int64))


@_takes_out("bucketize", "exact")
def bucketize(input, boundaries: Tensor, *, out_int32=False, right=False):  # noqa: A002
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, right=right, out_int32=out_int32)


def _check_histogram_input(input: Tensor, bins, kernel: str) -> None:  # noqa: A002
    if input._data.dtype.kind != "f":
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{_scalar_type_name(input.dtype)}'"
        )
    if isinstance(bins, int) and bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")


@_takes_out("histc", "exact")
def histc(input: Tensor, bins: int = 100, min=0, max=0) -> Tensor:  # noqa: A001, A002
    """Counts of ``input``'s values in ``bins`` equal bins over ``[min, max]`` (the data's
    range when both are 0); values outside are not counted."""
    _check_histogram_input(input, bins, "histogram_cpu")
    d = input._data
    if min == 0 and max == 0:
        lo, hi = (float(d.min()), float(d.max())) if d.size else (0.0, 0.0)
    else:
        lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{lo}, {hi}] is not finite")
    h, _ = np.histogram(d, bins=bins, range=(lo, hi))
    return _make(h.astype(d.dtype))


_histogram_t = return_type("histogram", ["hist", "bin_edges"])


@_takes_out("histogram")
def histogram(input: Tensor, bins, *, range=None, weight=None, density: bool = False):  # noqa: A001, A002
    """``(hist, bin_edges)``: counts (or weights, or a density) of ``input`` in ``bins`` equal
    bins over ``range`` (the data's by default), or between the edges of a ``bins`` tensor."""
    _check_histogram_input(input, bins, "histogramdd")
    d = input._data.reshape(-1)
    w = None
    if weight is not None:
        if tuple(weight.shape) != tuple(input.shape):
            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided it should have the same shape "
                "as the input tensor excluding its innermost dimension, but got input with shape "
                f"{[*input.shape, 1]} and weight with shape {list(weight.shape)}"
            )
        if weight._data.dtype != input._data.dtype:
            from .inplace import _C_TYPE_NAMES as c

            raise RuntimeError(
                "torch.histogramdd: if weight tensor is provided, input tensor and weight tensor "
                f"should have the same dtype, but got input({c[input._data.dtype.name]}), and "
                f"weight({c.get(weight._data.dtype.name, weight._data.dtype.name)})"
            )
        w = weight._data.reshape(-1)
    if range is not None and range[0] > range[1]:
        raise RuntimeError(
            f"torch.histogramdd: min should not exceed max, but got min {range[0]} max "
            f"{range[1]} for dimension 0"
        )
    if isinstance(bins, Tensor) and bins._data.dtype != input._data.dtype:
        from .inplace import _C_TYPE_NAMES as c

        raise RuntimeError(
            "torch.histogramdd: input tensor and bins tensors should have the same dtype, but got "
            f"input with dtype {c[input._data.dtype.name]} and bins for dimension 0 with dtype "
            f"{c.get(bins._data.dtype.name, bins._data.dtype.name)}"
        )
    edges = bins._data if isinstance(bins, Tensor) else bins
    if range is None and not isinstance(bins, Tensor) and not d.size:
        range = (0.0, 1.0)  # noqa: A001
    h, e = np.histogram(d, bins=edges, range=range, weights=w, density=density)
    return _histogram_t(_make(h.astype(d.dtype)), _make(e.astype(d.dtype)))


def contains(self: Tensor, element) -> bool:
    """``element in tensor``: whether any entry equals ``element`` (a number or a tensor that
    broadcasts against this one)."""
    if isinstance(element, (Tensor, numbers.Number)):
        return bool((element == self).any().item())
    raise RuntimeError(
        f"Tensor.__contains__ only supports Tensor or scalar, but you passed in a {type(element)}."
    )
