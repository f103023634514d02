"""The gather/scatter family: ``gather``, ``scatter`` (and its reductions), ``index_select``,
``index_add``/``copy``/``fill``/``reduce``, ``masked_*``, ``take``/``put``, ``nonzero`` and the
``*_scatter`` functions, with torch's range checks and messages. Plain ``tensor[key]`` lives in
``index.py``, which re-exports these.
"""

from __future__ import annotations

import numpy as np

from .._runtime import warn_once
from .._tensor import Tensor, _make, apply
from .._warn import user_stacklevel
from ..autograd.primitives import index as P
from ..autograd.primitives import scatter_named as N
from ..autograd.primitives import select as S
from ._util import wrap_dim
from .inplace import _C_TYPE_NAMES, takes_out


def _check_range(idx: np.ndarray, input: Tensor, d: int) -> None:  # noqa: A002
    """torch's error for a gather/scatter index along ``d`` outside ``input`` (before anything
    is written): these take no negative indices."""
    n = input._data.shape[d] if input._data.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < 0):
        bad = idx[(idx >= n) | (idx < 0)].flat[0]
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")


def _check_in_self(idx: np.ndarray, input: Tensor, d: int) -> None:  # noqa: A002
    """torch's error for an index_add/index_reduce index outside ``input``, negative included."""
    n = input._data.shape[d] if input._data.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < 0):
        raise IndexError("index out of range in self")


def _check_flat_range(idx: np.ndarray, n: int) -> None:
    """torch's error for an index into a tensor read as 1-D (``take``, ``put``)."""
    bad = idx[(idx >= n) | (idx < -n)]
    if bad.size:
        raise IndexError(
            f"out of range: tried to access index {int(bad.flat[0])} on a tensor of {n} elements."
        )


@takes_out("gather", "exact")
def gather(input: Tensor, dim: int, index: Tensor, *, sparse_grad=False) -> Tensor:  # noqa: A002
    """Values along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]`` for dim 0."""
    d = wrap_dim(dim, input._data.ndim)
    idx = _index_array(index, "gather")
    if idx.ndim != input._data.ndim and input._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    _check_range(idx, input, d)
    for k in range(idx.ndim):
        if k != d and idx.shape[k] > input._data.shape[k]:
            raise RuntimeError(
                f"Size does not match at dimension {k} expected index {list(idx.shape)} to be no "
                f"larger than self {list(input._data.shape)} apart from dimension {d}"
            )
    view = input._data[
        tuple(slice(0, s) if k != d else slice(None) for k, s in enumerate(idx.shape))
    ]
    return apply(P.gather, (input,), [view], dim=d, idx=idx)


def _index_array(index, name) -> np.ndarray:
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    if index._data.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    return index._data


@takes_out("take_along_dim", "exact")
def take_along_dim(input: Tensor, indices: Tensor, dim=None) -> Tensor:  # noqa: A002
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d = wrap_dim(dim, input.ndim)
    shape = list(
        np.broadcast_shapes(
            tuple(s if k != d else 1 for k, s in enumerate(input.shape)),
            tuple(s if k != d else 1 for k, s in enumerate(indices.shape)),
        )
    )
    in_shape, idx_shape = list(shape), list(shape)
    in_shape[d], idx_shape[d] = input.shape[d], indices.shape[d]
    return gather(input.expand(in_shape), d, indices.expand(idx_shape))


def scatter(
    input: Tensor,
    dim: int,
    index: Tensor,
    src=None,
    *,
    value=None,  # noqa: A002
    reduce=None,
) -> Tensor:
    """``input`` with ``src`` (or ``value``) written along ``dim`` at ``index``."""
    d = wrap_dim(dim, input._data.ndim)
    idx = _index_array(index, "scatter")
    if src is None:
        src = value
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if isinstance(src, Tensor):
            warn_once(
                "scatter-reduce",
                "The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                "reduction options.",
                stacklevel=user_stacklevel() + 1,  # warn_once is a frame deeper
            )
        mode = "sum" if reduce == "add" else "prod"
        if isinstance(src, Tensor):
            d, idx, mode = _check_reduce_args(input, dim, index, src, mode)
            return apply(N.scatter_legacy, (input, src), None, dim=d, idx=idx, reduce=mode)
        src = np.full(idx.shape, src, input._data.dtype)  # a number lands at every index position
        d, idx, mode = _check_reduce_args(input, dim, index, _make(src), mode)
        return apply(N.scatter_legacy_value, (input,), None, dim=d, idx=idx, reduce=mode, value=src)
    _check_src_dtype(input, src)
    _check_range(idx, input, d)
    if not isinstance(src, Tensor):
        return apply(N.scatter_value, (input,), None, dim=d, idx=idx, value=src)
    return apply(
        P.scatter, (input, src), [input._data, src._data.astype(input._data.dtype)], dim=d, idx=idx
    )


def _check_src_dtype(input: Tensor, src) -> None:  # noqa: A002
    if isinstance(src, Tensor) and src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")


def scatter_add(input: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:  # noqa: A002
    d = wrap_dim(dim, input._data.ndim)
    idx = _index_array(index, "scatter_add")
    _check_src_dtype(input, src)
    _check_range(idx, input, d)
    return apply(
        P.scatter_add,
        (input, src),
        [input._data, src._data.astype(input._data.dtype)],
        dim=d,
        idx=idx,
    )


@takes_out(
    "index_select", mismatch="index_select(): self and result must have the same scalar type"
)
def index_select(input: Tensor, dim: int, index: Tensor) -> Tensor:  # noqa: A002
    """The slices of ``input`` along ``dim`` at the positions in the 1-D ``index``."""
    return _index_select(input, dim, index, 3)


def index_select_method(self: Tensor, dim: int, index: Tensor) -> Tensor:
    """``Tensor.index_select``: torch's type error counts the index as argument 2 here."""
    return _index_select(self, dim, index, 2)


def _index_select(input: Tensor, dim: int, index: Tensor, position: int) -> Tensor:  # noqa: A002
    if not isinstance(index, Tensor):
        raise TypeError(
            f"index_select(): argument 'index' (position {position}) must be Tensor, not "
            f"{type(index).__name__}"
        )
    d = wrap_dim(dim, input._data.ndim)
    idx = index._data
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    n = input._data.shape[d] if input._data.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < 0):
        raise IndexError("index out of range in self")
    if not input._data.ndim:  # the one element, as a 0-d tensor again
        if idx.size != 1:
            raise RuntimeError(
                f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)"
            )
        return apply(N.index_select_scalar, (input,), None)
    return apply(P.index_select, (input,), None, dim=d, idx=idx.reshape(-1))


@takes_out(
    "take",
    mismatch="take(): self and out expected to have the same dtype, but got self.dtype = {src} "
    "and out.dtype = {dst}",
)
def take(input: Tensor, index: Tensor) -> Tensor:  # noqa: A002
    """``input`` read as 1-D at ``index`` (negative counts from the end); ``index``'s shape."""
    if not isinstance(index, Tensor):
        raise TypeError(
            f"take(): argument 'index' (position 2) must be Tensor, not {type(index).__name__}"
        )
    idx = index._data
    if idx.dtype != np.int64:
        from .reduce import _scalar_type_name

        raise RuntimeError(
            f"take(): Expected a long tensor for index, but got {_scalar_type_name(index.dtype)}"
        )
    n = input._data.size
    if not n and idx.size:
        raise IndexError("take(): tried to take from an empty tensor")
    _check_flat_range(idx, n)
    return apply(S.take, (input,), None, idx=np.where(idx < 0, idx + n, idx))


@takes_out("index_add", "exact")
def index_add(input: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha=1) -> Tensor:  # noqa: A002
    d = wrap_dim(dim, input._data.ndim)
    if source._data.dtype != input._data.dtype:
        from .reduce import _scalar_type_name

        raise RuntimeError(
            f"index_add_(): self ({_scalar_type_name(input.dtype)}) and source "
            f"({_scalar_type_name(source.dtype)}) must have the same scalar type"
        )
    if input._data.ndim > 1:  # torch's multi-dim kernel names the index; the 1-D one does not
        _check_range(index._data, input, d)
    else:
        _check_in_self(index._data, input, d)
    if not input._data.ndim:
        if source._data.ndim:
            raise RuntimeError(
                "source tensor shape must match self tensor shape, excluding the specified "
                f"dimension. Got self.shape = [] source.shape = {list(source._data.shape)}"
            )
        return apply(N.index_add_scalar, (input, source), None, alpha=alpha)
    return apply(
        P.index_add,
        (input, source),
        [input._data, source._data.astype(input._data.dtype)],
        dim=d,
        idx=index._data,
        alpha=alpha,
    )


def masked_fill(input: Tensor, mask: Tensor, value) -> Tensor:  # noqa: A002
    """``input`` with ``value`` where ``mask`` is True."""
    m = mask._data if isinstance(mask, Tensor) else np.asarray(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(
            "masked_fill_ only supports boolean masks, but got mask with dtype "
            + _C_TYPE_NAMES.get(m.dtype.name, m.dtype.name)
        )
    if m.shape != input._data.shape:  # np.broadcast_shapes is slow: only when needed
        try:
            np.broadcast_shapes(m.shape, input._data.shape)
        except ValueError:
            from ._util import shape_error

            raise shape_error(input._data.shape, m.shape) from None
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        return apply(
            P.masked_fill_tensor,
            (input, value),
            [input._data, value._data.astype(input._data.dtype)],
            mask=m,
        )
    if not isinstance(value, (bool, int, float, complex, np.number, np.bool_)):
        raise TypeError(
            "masked_fill(): argument 'value' must be Number or Tensor, not " + type(value).__name__
        )
    return apply(P.masked_fill, (input,), None, mask=m, value=value)


@takes_out(
    "masked_select", mismatch="masked_select(): self and result must have the same scalar type"
)
def masked_select(input: Tensor, mask: Tensor) -> Tensor:  # noqa: A002
    """The elements of ``input`` where the bool ``mask`` (broadcast with it) is True, as 1-D."""
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    from ._util import broadcast_shapes

    broadcast_shapes(mask._data.shape, input._data.shape)  # torch names the mask first
    return apply(P.masked_select, (input,), None, mask=mask._data)


@takes_out("nonzero", "exact")
def nonzero(input: Tensor, *, as_tuple: bool = False):  # noqa: A002
    """The indices of the non-zero elements: one row each, or one tensor per dim (as_tuple)."""
    if not isinstance(as_tuple, bool):
        raise TypeError(
            f"nonzero(): argument 'as_tuple' must be bool, not {type(as_tuple).__name__}"
        )
    d = input._data
    if not d.ndim:  # one row of no coordinates when the value is non-zero (NumPy refuses 0-d)
        found = int(bool(d))
        if as_tuple:
            return (_make(np.zeros(found, np.int64)),)
        return _make(np.zeros((found, 0), np.int64))
    idx = np.nonzero(d)
    if as_tuple:
        return tuple(_make(i.astype(np.int64)) for i in idx)
    return _make(np.stack(idx, axis=1).astype(np.int64))


def argwhere(input: Tensor) -> Tensor:  # noqa: A002
    return nonzero(input)


def _type_name(t: Tensor) -> str:
    from .reduce import _scalar_type_name

    return _scalar_type_name(t.dtype)


def index_fill(input: Tensor, dim: int, index: Tensor, value) -> Tensor:  # noqa: A002
    """``input`` with ``value`` at positions ``index`` along ``dim``."""
    d = wrap_dim(dim, input._data.ndim)
    idx = index._data
    if idx.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    n = input._data.shape[d] if input._data.ndim else 1
    bad = idx[(idx >= n) | (idx < -n)]
    if bad.size:
        raise IndexError(
            f"index {int(bad.flat[0])} is out of bounds for dimension {d} with size {n}"
        )
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    idx = np.where(idx < 0, idx + n, idx).reshape(-1)
    if isinstance(value, Tensor):
        value_data = value._data.astype(input._data.dtype)
        return apply(N.index_fill_tensor, (input, value), [input._data, value_data], dim=d, idx=idx)
    if input._data.dtype.kind in "iub":
        value = int(value)  # torch truncates a float value into an integer tensor
    return apply(N.index_fill, (input,), None, dim=d, idx=idx, value=value)


@takes_out("index_copy", "exact")
def index_copy(input: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """``input`` with the slices of ``source`` along ``dim`` written at positions ``index``."""
    d = wrap_dim(dim, input._data.ndim)
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError(
            f"index_copy_(): Expected a long tensor for index, but got {_type_name(index)}"
        )
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{_type_name(input)} and (source) {_type_name(source)}"
        )
    if source._data.ndim and source._data.ndim != input._data.ndim:
        raise IndexError(
            "index_copy_(): When source and destination are not scalars, their dimensionality "
            f"must match. Source dimensionality ({source._data.ndim}), destination "
            f"dimensionality ({input._data.ndim})"
        )
    n_src = source._data.shape[d] if source._data.ndim else 1
    if idx.size != n_src:
        raise IndexError(
            f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
            f"({n_src})"
        )
    if source._data.ndim:
        dst = [n for k, n in enumerate(input._data.shape) if k != d]
        src = [n for k, n in enumerate(source._data.shape) if k != d]
        if dst != src:  # torch names the destination's dim, and 0 for the source's
            raise RuntimeError(
                "index_copy_(): Source/destination tensor must have same slice shapes. "
                f"Destination slice shape: {' '.join(map(str, dst))} at dimension {d} and source "
                f"slice shape: {' '.join(map(str, src))} at dimension 0."
            )
    n = input._data.shape[d] if input._data.ndim else 1
    bad = idx[(idx >= n) | (idx < 0)]
    if bad.size:
        raise IndexError(
            f"index_copy_(): index {int(bad.flat[0])} is out of bounds for dimension {d} with "
            f"size {n}"
        )
    return apply(N.index_copy, (input, source), None, dim=d, idx=idx.reshape(-1))


def masked_scatter(input: Tensor, mask: Tensor, source: Tensor) -> Tensor:  # noqa: A002
    """``input`` with the leading elements of ``source``, in order, where ``mask`` is True."""
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(
            "masked_scatter_ only supports boolean masks, but got mask with dtype "
            + _type_name(mask)
        )
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(  # torch's message has no space after "got"
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{_type_name(input)} and {_type_name(source)}"
        )
    from ._util import broadcast_shapes

    shape = tuple(broadcast_shapes(input._data.shape, m.shape))
    m = np.broadcast_to(m, shape)
    if source._data.size < int(m.sum()):
        raise RuntimeError("Number of elements of source < number of ones in mask")
    x = np.broadcast_to(input._data, shape)
    return apply(N.masked_scatter, (input, source), [x, source._data], mask=m)


def put(input: Tensor, index: Tensor, source: Tensor, accumulate: bool = False) -> Tensor:  # noqa: A002
    """``input`` (read as 1-D) with ``source`` written (or added) at ``index``."""
    idx = index._data
    if idx.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_type_name(index)}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{_type_name(input)} and source.dtype = {_type_name(source)}"
        )
    if source._data.size != idx.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {idx.size}"
        )
    n = input._data.size
    _check_flat_range(idx, n)
    flat_idx = np.where(idx < 0, idx + n, idx).reshape(-1)
    return apply(N.put, (input, source), None, idx=flat_idx, accumulate=bool(accumulate))


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


def _reduce_into(prim, input: Tensor, src: Tensor, d: int, idx, reduce, include_self) -> Tensor:  # noqa: A002
    idx = idx.astype(np.int64)
    return apply(prim, (input, src), None, dim=d, idx=idx, reduce=reduce, include_self=include_self)


@takes_out("scatter_reduce", "exact")
def scatter_reduce(
    input: Tensor,  # noqa: A002
    dim: int,
    index: Tensor,
    src: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """``input`` with ``src`` reduced into it along ``dim`` at ``index`` (sum, prod, mean, amax,
    amin); ``include_self=False`` leaves ``input``'s own values out where something lands."""
    d, idx, reduce = _check_reduce_args(input, dim, index, src, reduce)
    return _reduce_into(N.scatter_reduce, input, src, d, idx, reduce, include_self)


def _check_reduce_args(input: Tensor, dim: int, index: Tensor, src: Tensor, reduce: str):  # noqa: A002
    """torch's checks of scatter_reduce's arguments; (dim wrapped, the index array as int64,
    the reduction's name)."""
    d = wrap_dim(dim, input._data.ndim)
    idx = _index_array(index, "scatter_reduce")
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)  # torch takes these too
    if reduce not in _REDUCTIONS:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    _check_src_dtype(input, src)
    if idx.ndim != input._data.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    for k in range(idx.ndim):
        if (k != d and idx.shape[k] > input._data.shape[k]) or idx.shape[k] > src._data.shape[k]:
            raise RuntimeError(
                f"Expected index {list(idx.shape)} to be no larger than self "
                f"{list(input._data.shape)} apart from dimension {d} and to be no larger size "
                f"than src {list(src._data.shape)}"
            )
    _check_range(idx, input, d)
    return d, idx.astype(np.int64), reduce


@takes_out("index_reduce", "exact")
def index_reduce(
    input: Tensor,  # noqa: A002
    dim: int,
    index: Tensor,
    source: Tensor,
    reduce: str,
    *,
    include_self: bool = True,
) -> Tensor:
    """``input`` with the slices of ``source`` along ``dim`` reduced (prod, mean, amax, amin)
    into the slices ``index`` names; ``scatter_reduce`` with the index spread over each slice."""
    d = wrap_dim(dim, input._data.ndim)
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(
            f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    idx = _index_array(index, "index_reduce_")
    if idx.ndim > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    if source._data.ndim != input._data.ndim or source._data.shape[d] != idx.size:
        raise IndexError(
            "index_reduce_(): Number of indices should be equal to source.size(dim) and source "
            "should have the same number of dimensions as self"
        )
    _check_in_self(idx, input, d)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"index_reduce_(): self ({_type_name(input)}) and source ({_type_name(source)}) "
            "must have the same scalar type"
        )
    warn_once(
        "index-reduce-beta",
        "index_reduce() is in beta and the API may change at any time.",
        stacklevel=user_stacklevel() + 1,
    )
    return _reduce_into(N.index_reduce, input, source, d, idx, reduce, include_self)


def _check_scatter_src(src: Tensor, slice_shape) -> None:
    if tuple(src.shape) != tuple(slice_shape):
        raise RuntimeError(
            "expected src to have a size equal to the slice of self. src size = "
            f"{list(src.shape)}, slice size = {list(slice_shape)}"
        )


def slice_scatter(
    input: Tensor,  # noqa: A002
    src: Tensor,
    dim: int = 0,
    start=None,
    end=None,
    step: int = 1,
) -> Tensor:
    """``input`` with ``src`` written where ``input``'s slice ``start:end:step`` along ``dim``
    reads."""
    d = wrap_dim(dim, input._data.ndim)
    key = (slice(start, end, step),)
    _check_scatter_src(src, input._data[(slice(None),) * d + key].shape)
    return _write_at(N.slice_scatter, input, src, d, key)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """``input`` with ``src`` written where ``input.select(dim, index)`` reads."""
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {d}"
        )
    _check_scatter_src(src, input._data[(slice(None),) * d + (index,)].shape)
    return _write_at(N.select_scatter, input, src, d, (index,))


def diagonal_scatter(
    input: Tensor,  # noqa: A002
    src: Tensor,
    offset: int = 0,
    dim1: int = 0,
    dim2: int = 1,
) -> Tensor:
    """``input`` with ``src`` written where ``input.diagonal(offset, dim1, dim2)`` reads."""
    _check_scatter_src(src, input.diagonal(offset, dim1, dim2).shape)
    d1, d2 = wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim)
    return apply(
        N.diagonal_scatter, (input, src), _same_dtype(input, src), offset=offset, dim1=d1, dim2=d2
    )


def _same_dtype(input: Tensor, src: Tensor) -> list:  # noqa: A002
    """The arrays of ``input`` and ``src``, ``src`` cast to ``input``'s dtype (the written
    values take the tensor's type, as torch's copy does)."""
    return [input._data, src._data.astype(input._data.dtype, copy=False)]


def _write_at(prim, input: Tensor, src: Tensor, d: int, key: tuple) -> Tensor:  # noqa: A002
    return apply(prim, (input, src), _same_dtype(input, src), dim=d, key=key)


def fill_diagonal(input: Tensor, fill_value, wrap: bool = False) -> Tensor:  # noqa: A002
    """``input`` with ``fill_value`` on its main diagonal (all dims equal, or a matrix; a tall
    matrix with ``wrap`` starts again every ``columns + 1`` rows); behind ``fill_diagonal_``."""
    shape = input._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and len(set(shape)) != 1:
        raise RuntimeError("all dimensions of input must be of equal length")
    mask = np.zeros(shape, bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    if input._data.dtype.kind in "iub" and not isinstance(fill_value, Tensor):
        fill_value = int(fill_value)  # torch truncates a float fill into an integer tensor
    return masked_fill(input, _make(mask), fill_value)
