"""Indexing: ``tensor[key]``, ``tensor[key] = value`` and the gather/scatter family."""

from __future__ import annotations

import warnings

import numpy as np

from .._runtime import warn_once
from .._tensor import Tensor, _make, apply
from .._warn import user_stacklevel
from ..autograd.grad_mode import _state
from ..autograd.primitives import index as P
from ._util import wrap_dim
from .inplace import takes_out


def _sequence_as_tuple(key) -> bool:
    """torch's (NumPy's old) rule: a short list holding a sequence, tensor, slice, ``...`` or
    None indexes several dims, as a tuple would (with torch's deprecation warning)."""
    if not isinstance(key, list) or len(key) >= 32:
        return False
    return any(
        isinstance(k, (list, tuple, Tensor, slice, np.ndarray)) or k is None or k is Ellipsis
        for k in key
    )


_SEQUENCE_WARNING = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error or "
    "a different result"
)


def _convert_key(key):
    """A NumPy key from a torch-style one: tensors become arrays, ranges lists, bools masks."""
    if _sequence_as_tuple(key):
        warnings.warn(_SEQUENCE_WARNING, UserWarning, stacklevel=user_stacklevel())
        key = tuple(key)
    elif not isinstance(key, tuple):
        key = (key,)
    out = []
    for k in key:
        if isinstance(k, Tensor):
            d = k._data
            if d.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if d.dtype == np.uint8:
                d = d.astype(bool)
            k = d
        elif isinstance(k, range):
            k = np.arange(k.start, k.stop, k.step)
        elif isinstance(k, (list, tuple)):  # inside a tuple key, a tuple is a sequence index
            k = _list_index(list(k))
        elif isinstance(k, slice) and k.step is not None and k.step <= 0:
            if k.step == 0:
                raise ValueError("slice step cannot be zero")
            raise ValueError("step must be greater than zero")
        elif isinstance(k, bool):
            k = np.asarray(k)
        elif isinstance(k, np.integer):
            k = int(k)
        elif isinstance(k, str):  # torch tries to build a tensor from it
            raise TypeError("new(): invalid data type 'str'")
        elif k is not None and k is not Ellipsis and not isinstance(k, (int, slice, np.ndarray)):
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                "are valid indices (got " + type(k).__name__ + ")"
            )
        out.append(k)
    return tuple(out)


def _list_index(k: list):
    if not k:  # an empty index selects nothing (NumPy would read it as float)
        return np.zeros(0, np.int64)
    if any(isinstance(x, Tensor) for x in k):
        return np.asarray([x._data if isinstance(x, Tensor) else x for x in k])
    arr = np.asarray(k)
    if arr.dtype.kind == "f":
        raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    return arr


def _check_bounds(shape: tuple, key: tuple) -> None:
    """torch's IndexError for out-of-range integers (NumPy's message differs)."""
    if not shape:
        for k in key:
            if isinstance(k, int):
                raise IndexError(
                    "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                    "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number"
                )
            if isinstance(k, slice):
                raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    dim = 0
    n_real = sum(
        1
        for k in key
        if k is not None
        and k is not Ellipsis
        and not (isinstance(k, np.ndarray) and k.dtype == bool)
    )
    n_real += sum(k.ndim - 1 for k in key if isinstance(k, np.ndarray) and k.dtype == bool)
    if n_real > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    for k in key:
        if k is Ellipsis:
            dim = len(shape) - sum(1 for kk in key[key.index(Ellipsis) + 1 :] if kk is not None)
            continue
        if k is None:
            continue
        if isinstance(k, int):
            n = shape[dim]
            if not -n <= k < n:
                raise IndexError(f"index {k} is out of bounds for dimension {dim} with size {n}")
        elif isinstance(k, np.ndarray) and k.dtype != bool and k.size:
            n = shape[dim]
            bad = k[(k >= n) | (k < -n)]
            if bad.size:
                raise IndexError(
                    f"index {int(bad.flat[0])} is out of bounds for dimension {dim} with size {n}"
                )
        elif isinstance(k, np.ndarray) and k.dtype == bool:
            for j, s in enumerate(k.shape):
                if shape[dim + j] != s:
                    raise IndexError(
                        f"The shape of the mask {list(k.shape)} at index {j} does not match the "
                        f"shape of the indexed tensor {list(shape)} at index {dim + j}"
                    )
            dim += k.ndim
            continue
        dim += 1


def getitem(input: Tensor, key) -> Tensor:  # noqa: A002
    """``input[key]`` with torch's rules; basic keys give views, advanced ones copies."""
    single = not isinstance(key, tuple)
    key = _convert_key(key)
    shape = input._data.shape
    _check_bounds(shape, key)
    basic = all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key)
    if not basic:
        return apply(P.index, (input,), None, key=key)
    if input._rg and _state.enabled:
        steps = _view_steps(shape, key, single)
        if len(steps) > 1:  # recorded as torch records it: one node per view, in key order
            for kind, step in steps:
                input = getitem_key(input, step, kind)
            return input
    return getitem_key(input, key, _last_view(shape, key, single))


def _view_steps(shape: tuple, key: tuple, single: bool) -> list:
    """torch's views for a basic key, in order: ``(kind, key of that one view)`` pairs.

    torch applies the key's parts left to right: an int selects (its dim goes), a slice slices
    (skipped inside a tuple when it covers its whole dim), None unsqueezes; ``...`` moves on to
    the dims the rest of the key addresses. Nothing applied is an alias.
    """
    steps, cur, dim = [], list(shape), 0
    for i, k in enumerate(key):
        if k is Ellipsis:
            dim = len(cur) - sum(1 for kk in key[i + 1 :] if kk is not None)
        elif k is None:
            steps.append(("unsqueeze", (slice(None),) * dim + (None,)))
            cur.insert(dim, 1)
            dim += 1
        elif isinstance(k, int):
            steps.append(("select", (slice(None),) * dim + (k,)))
            cur.pop(dim)
        else:
            start, stop, step = k.indices(cur[dim])
            if single or (start, stop, step) != (0, cur[dim], 1):
                steps.append(("slice", (slice(None),) * dim + (k,)))
                cur[dim] = len(range(start, stop, step))
            dim += 1
    return steps or [("alias", key)]


def _last_view(shape: tuple, key: tuple, single: bool) -> str:
    """The view torch's indexing makes last for a basic key, whose node the result shows.

    torch applies the key's parts left to right (select, slice, unsqueeze for None); inside a
    tuple, a slice covering its whole dim is skipped; when nothing is applied, it is an alias.
    Without a graph to record, one node does the whole key, named after that last view.
    """
    last, dim = "alias", 0
    for k in key:
        if k is None:
            last = "unsqueeze"
        elif k is Ellipsis:
            dim = len(shape) - sum(1 for kk in key[key.index(Ellipsis) + 1 :] if kk is not None)
        elif isinstance(k, int):
            last, dim = "select", dim + 1
        else:
            start, stop, step = k.indices(shape[dim])
            if single or (start, stop, step) != (0, shape[dim], 1):
                last = "slice"
            dim += 1
    return last


_BASIC = {"select": P.select, "slice": P.slice_, "alias": P.alias, "unsqueeze": P.unsqueeze_key}


def getitem_key(input: Tensor, key: tuple, kind: str) -> Tensor:  # noqa: A002
    return apply(_BASIC[kind], (input,), None, key=key)


def _split_key(key: tuple, shape: tuple) -> tuple:
    """torch's two steps for ``t[key] = v``: the basic part of ``key`` (ints, slices, None) taken
    as a view, then the advanced part (index tensors, masks) put into that view.

    Returns the view's key (None when the view would be ``t`` itself: only whole slices and
    ``...``) and the advanced key on the view's dims (None when there is no advanced index).
    """
    basic, adv, dim, advanced, trivial = [], [], 0, False, True
    for k in key:
        if isinstance(k, np.ndarray) and k.ndim == 0 and k.dtype != bool:
            k = int(k)  # a 0-d index tensor selects, as an int
        if isinstance(k, np.ndarray) and k.ndim == 0 and k:
            k = None  # ``t[True]``: a new dim of size 1
        if k is Ellipsis:
            basic.append(k)
            adv.append(k)
            dim = len(shape) - sum(_dims_taken(kk) for kk in key[key.index(Ellipsis) + 1 :])
        elif k is None:
            basic.append(k)
            adv.append(slice(None))
            trivial = False
        elif isinstance(k, int):
            basic.append(k)
            dim += 1
            trivial = False
        elif isinstance(k, slice):
            basic.append(k)
            adv.append(slice(None))
            trivial = trivial and k.indices(shape[dim]) == (0, shape[dim], 1)
            dim += 1
        else:  # an index array or mask: the view keeps these dims whole
            n = _dims_taken(k)
            basic.extend([slice(None)] * n)
            adv.append(k)
            advanced = True
            dim += n
    if Ellipsis not in basic:
        basic.append(Ellipsis)  # a 0-d result stays a view of the array, not a NumPy scalar
    return (None if trivial else tuple(basic)), (tuple(adv) if advanced else None)


def _dims_taken(k) -> int:
    if k is None or k is Ellipsis:
        return 0
    if isinstance(k, np.ndarray) and k.dtype == bool:
        return k.ndim
    return 1


def _drop_leading_ones(value: Tensor) -> Tensor:
    """torch views a value without its leading size-1 dims before writing it."""
    shape = tuple(value._data.shape)
    i = 0
    while i < len(shape) and shape[i] == 1:
        i += 1
    return value.view(shape[i:])


def fill_with(input: Tensor, value: Tensor) -> Tensor:  # noqa: A002
    """``input``'s shape filled with the 0-d ``value`` (out of place; torch's FillBackward3)."""
    from ..autograd.primitives.views import fill_tensor

    return apply(fill_tensor, (input, value))


def setitem(input: Tensor, key: tuple, value) -> None:  # noqa: A002
    """``input[key] = value`` when autograd records it, with torch's nodes: ``CopySlices`` when a
    view of ``input`` is written, ``IndexPutBackward0`` for advanced indices, ``CopyBackwards``
    (or ``FillBackward3`` for a 0-d value) otherwise. ``key`` is already converted."""
    from ..autograd.primitives import views as V
    from . import inplace as IP

    shape = input._data.shape
    _check_bounds(shape, key)
    if any(isinstance(k, np.ndarray) and k.ndim == 0 and k.dtype == bool and not k for k in key):
        return  # ``t[False] = v`` selects nothing: torch writes nothing, records nothing
    view_key, adv_key = _split_key(key, shape)
    if not isinstance(value, Tensor):
        value = _make(np.asarray(value, dtype=input._data.dtype))
    dst = input
    if view_key is not None:
        dst = getitem_key(input, view_key, _last_view(shape, view_key, False))
    if adv_key is not None:
        if value._data.ndim and value._data.shape[0] == 1:
            value = _drop_leading_ones(value)
        IP.inplace(dst, lambda t, v: index_put(t, adv_key, v), value)
    elif value._data.shape == dst._data.shape:
        IP.copy_(dst, value)
    elif value._data.ndim == 0:
        IP.inplace(dst, fill_with, value)
    else:
        value = _drop_leading_ones(value)
        if value._data.shape != dst._data.shape:
            value = value.expand(dst._data.shape)
        IP.copy_(dst, value)
    base = input._base
    if dst is not input and base is not None and dst._rg:
        V.read_from_base(base, input)  # written through a view of a view: torch's fresh node


def index_insert(zeros: Tensor, key: tuple, values: Tensor) -> Tensor:
    """``zeros`` with ``values`` added at ``key`` (the adjoint of reading at ``key``)."""
    return apply(P.index_insert, (zeros, values), None, key=key)


def index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:  # noqa: A002
    key = _convert_key(tuple(indices))
    _check_bounds(input._data.shape, key)
    if not isinstance(values, Tensor):
        values = _make(np.asarray(values, dtype=input._data.dtype))
    vals = values._data.astype(input._data.dtype, copy=False)
    try:
        return apply(
            P.index_put, (input, values), [input._data, vals], key=key, accumulate=accumulate
        )
    except ValueError:
        target = np.empty(input._data.shape, bool)[key].shape
        raise RuntimeError(
            f"shape mismatch: value tensor of shape {list(vals.shape)} cannot be broadcast to "
            f"indexing result of shape {list(target)}"
        ) from None


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
        else:  # a number lands at every index position
            src = _make(np.full(idx.shape, src, input._data.dtype))
        return scatter_reduce(input, dim, index, src, "sum" if reduce == "add" else "prod")
    _check_src_dtype(input, src)
    _check_range(idx, input, d)
    if not isinstance(src, Tensor):
        return apply(
            P.scatter,
            (input, src),
            [input._data, np.asarray(src, input._data.dtype)],
            dim=d,
            idx=idx,
        )
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
    d = wrap_dim(dim, input._data.ndim)
    idx = index._data
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    if idx.dtype not in (np.int64, np.int32):
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    n = input._data.shape[d] if input._data.ndim else 1
    if idx.size and (idx.max() >= n or idx.min() < 0):
        raise IndexError("index out of range in self")
    return apply(P.index_select, (input,), None, dim=d, idx=idx.reshape(-1))


@takes_out(
    "take",
    mismatch="take(): self and out expected to have the same dtype, but got self.dtype = {src} "
    "and out.dtype = {dst}",
)
def take(input: Tensor, index: Tensor) -> Tensor:  # noqa: A002
    """``input`` read as 1-D at ``index`` (negative counts from the end); ``index``'s shape."""
    idx = index._data
    if idx.dtype != np.int64:
        from .reduce import _scalar_type_name

        raise RuntimeError(
            f"take(): Expected a long tensor for index, but got {_scalar_type_name(index.dtype)}"
        )
    n = input._data.size
    _check_flat_range(idx, n)
    flat = input.reshape(-1)
    flat_idx = np.where(idx < 0, idx + n, idx).reshape(-1)
    picked = apply(P.index_select, (flat,), None, dim=0, idx=flat_idx)
    return picked.reshape(idx.shape)


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
            f"masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{'unsigned char' if m.dtype == np.uint8 else m.dtype}"
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
    idx = np.nonzero(input._data)
    if as_tuple:
        return tuple(_make(i.astype(np.int64)) for i in idx)
    return _make(np.stack(idx, axis=1).astype(np.int64) if idx else np.zeros((1, 0), np.int64))


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
    mask = np.zeros(n, bool)
    mask[idx.reshape(-1)] = True
    mask = mask.reshape([n if k == d else 1 for k in range(input._data.ndim)])
    if not isinstance(value, Tensor) and input._data.dtype.kind in "iub":
        value = int(value)  # torch truncates a float value into an integer tensor
    return masked_fill(input, _make(mask), value)


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
    for k in range(input._data.ndim):
        if k != d and source._data.shape[k] != input._data.shape[k]:
            raise RuntimeError(
                "index_copy_(): Source/destination tensor must have same slice shapes. "
                f"Destination slice shape: {input._data.shape[k]} at dimension {k} and source "
                f"slice shape: {source._data.shape[k]} at dimension {k}."
            )
    n = input._data.shape[d] if input._data.ndim else 1
    bad = idx[(idx >= n) | (idx < 0)]
    if bad.size:
        raise IndexError(
            f"index_copy_(): index {int(bad.flat[0])} is out of bounds for dimension {d} with "
            f"size {n}"
        )
    if not input._data.ndim:
        return index_put(input, (), source)
    key = (slice(None),) * d + (idx.reshape(-1),)
    return index_put(input, key, source.reshape(source._data.shape or (1,)))


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
    count = int(m.sum())
    if source._data.size < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    base = input if input._data.shape == shape else input.expand(shape)
    return index_put(base, (m,), source.reshape(-1)[:count])


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
    flat = index_put(input.reshape(-1), (idx.reshape(-1),), source.reshape(-1), accumulate)
    return flat.reshape(input._data.shape)


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


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
    return apply(
        P.scatter_reduce,
        (input, src),
        None,
        dim=d,
        idx=idx.astype(np.int64),
        reduce=reduce,
        include_self=include_self,
    )


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
    view = [1] * source._data.ndim
    view[d] = idx.size
    spread = np.broadcast_to(idx.reshape(view), source._data.shape)
    return scatter_reduce(
        input, d, _make(np.ascontiguousarray(spread)), source, reduce, include_self=include_self
    )


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
    key = (slice(None),) * d + (slice(start, end, step),)
    _check_scatter_src(src, input._data[key].shape)
    return index_put(input, key, src)


def select_scatter(input: Tensor, src: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """``input`` with ``src`` written where ``input.select(dim, index)`` reads."""
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
            f"dimension {d}"
        )
    key = (slice(None),) * d + (index,)
    _check_scatter_src(src, input._data[key].shape)
    return index_put(input, key, src)


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
    return input._diagonal_insert(src, offset, d1, d2)


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
