"""Indexing: ``tensor[key]`` and ``tensor[key] = value`` with torch's rules (the gather/scatter
family is in ``gather.py``, re-exported here)."""

from __future__ import annotations

import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, apply
from .._warn import user_stacklevel
from ..autograd.grad_mode import _state
from ..autograd.primitives import index as P

_I32, _I64 = np.dtype(np.int32), np.dtype(np.int64)


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
            elif d.ndim and d.dtype.kind in "iu" and d.dtype not in (_I32, _I64):
                # int8, int16 and uint16/32/64 (a 0-d one indexes as its integer)
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            # a 0-d integer tensor indexes as the integer it holds (a select, not a gather)
            k = int(d) if d.ndim == 0 and d.dtype.kind in "iu" else d
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


def check_setitem_leaf(t: Tensor, key: tuple) -> None:
    """torch's error for ``t[key] = v`` on a leaf that requires grad: a basic ``key`` writes
    through a view of it (ints, slices, None), any other key writes it directly."""
    if not (_state.enabled and t._rg and t.grad_fn is None):
        return
    basic = all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key)
    if basic and any(k is not Ellipsis for k in key):
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )


def setitem_error(input: Tensor, key: tuple, value, exc: Exception) -> Exception:  # noqa: A002
    """torch's error for a plain (unrecorded) ``t[key] = v`` that NumPy refused with ``exc``."""
    if isinstance(exc, IndexError):
        _check_bounds(input._data.shape, key)
        return exc
    slot = np.broadcast_to(np.empty((), bool), input._data.shape)
    view_key, adv_key = _split_key(key, slot.shape)
    if adv_key is not None:  # torch's message for writes through index tensors
        slot = (slot if view_key is None else slot[view_key])[adv_key]
        return RuntimeError(
            f"shape mismatch: value tensor of shape {list(np.shape(value))} cannot be broadcast "
            f"to indexing result of shape {list(slot.shape)}"
        )
    slot = slot[key].shape
    from .shape import expand

    try:
        expand(_make(np.asarray(value)), slot)
    except RuntimeError as err:
        return err
    return RuntimeError(str(exc))


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
    adv = 0  # torch names an index tensor's dimension by its place among the index tensors
    for i, k in enumerate(key):
        if k is Ellipsis:
            dim = _after_ellipsis(shape, key, i)
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
                where = adv if k.ndim else dim  # a 0-dim index tensor is read as an int
                raise IndexError(
                    f"index {int(bad.flat[0])} is out of bounds for dimension {where} with size {n}"
                )
        elif isinstance(k, np.ndarray) and k.dtype == bool:
            for j, s in enumerate(k.shape):
                if shape[dim + j] != s:
                    raise IndexError(
                        f"The shape of the mask {list(k.shape)} at index {j} does not match the "
                        f"shape of the indexed tensor {list(shape)} at index {dim + j}"
                    )
            dim += k.ndim
            adv += k.ndim
            continue
        if isinstance(k, np.ndarray) and k.ndim:
            adv += 1
        dim += 1


def getitem(input: Tensor, key) -> Tensor:  # noqa: A002
    """``input[key]`` with torch's rules; basic keys give views, advanced ones copies."""
    single = not isinstance(key, tuple)
    key = _convert_key(key)
    shape = input._data.shape
    _check_bounds(shape, key)
    if all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key):
        return _views(input, key, single)
    # as torch: the key's ints, slices and None are views taken first, then the index tensors
    # read the view (so an int never counts as an index tensor beside them, as NumPy's would)
    view_key, index_key = _index_split(key, len(shape))
    if _view_steps(shape, view_key, False)[0][0] != "alias":
        input = _views(input, view_key, False)
    return apply(P.index, (input,), None, key=index_key)


def _views(input: Tensor, key: tuple, single: bool) -> Tensor:  # noqa: A002
    """``input[key]`` for a basic ``key``: one node per view when recorded, as torch's."""
    shape = input._data.shape
    if input._rg and _state.enabled:
        steps = _view_steps(shape, key, single)
        if len(steps) > 1:  # recorded as torch records it: one node per view, in key order
            for kind, step in steps:
                input = getitem_key(input, step, kind)
            return input
    return getitem_key(input, key, _last_view(shape, key, single))


def _index_split(key: tuple, ndim: int) -> tuple:
    """A key with index arrays as torch reads it: (the basic key of the view taken first, the
    key of index arrays and whole slices on that view's dims). A 0-d bool is a new dim of size
    1 indexed by a one-element mask; ``...`` becomes whole slices, as an empty one must not part
    index arrays on either side of it (NumPy's would)."""
    view, index = [], []
    for k in key:
        if k is Ellipsis:
            whole = [slice(None)] * (ndim - sum(_dims_taken(kk) for kk in key))
            view.extend(whole)
            index.extend(whole)
        elif isinstance(k, np.ndarray) and k.ndim == 0:
            if k.dtype != bool:
                view.append(int(k))  # a 0-d index selects, as an int
                continue
            view.append(None)
            index.append(k.reshape(1))
        elif isinstance(k, np.ndarray):
            view.extend([slice(None)] * _dims_taken(k))
            index.append(k)
        elif isinstance(k, int):
            view.append(k)
        else:
            view.append(k)
            index.append(slice(None))
    return tuple(view), tuple(index)


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
    for i, k in enumerate(key):
        if k is None:
            last = "unsqueeze"
        elif k is Ellipsis:
            dim = _after_ellipsis(shape, key, i)
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
    """torch's two steps for ``t[key] = v``, as for reading ``t[key]``: the basic part of ``key``
    (ints, slices, None) taken as a view, then the advanced part (index tensors, masks) put into
    that view.

    Returns the view's key (None when the view would be ``t`` itself: only whole slices and
    ``...``) and the advanced key on the view's dims (None when there is no advanced index).
    """
    view, index = _index_split(key, len(shape))
    trivial = _view_steps(shape, view, False)[0][0] == "alias"
    advanced = any(isinstance(k, np.ndarray) for k in index)
    # a trailing ``...`` keeps a 0-d result a view of the array, not a NumPy scalar
    return (None if trivial else (*view, Ellipsis)), (index if advanced else None)


def _after_ellipsis(shape: tuple, key: tuple, i: int) -> int:
    """The dim that follows the ``...`` at ``key[i]``: what the rest of the key addresses ends
    the shape."""
    return len(shape) - sum(_dims_taken(k) for k in key[i + 1 :])


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
    if isinstance(value, Tensor):
        check_setitem_dtype(input, key, value)
    else:
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


def _check_put_args(input: Tensor, indices, values, accumulate) -> None:  # noqa: A002
    """torch's checks on ``index_put``'s arguments given as torch takes them: a sequence of
    tensors (Ember's own callers also pass slices and arrays, which skip these)."""
    if isinstance(indices, Tensor) or not isinstance(indices, (tuple, list)):
        raise TypeError(
            "index_put(): argument 'indices' (position 2) must be tuple of Tensors, not "
            + type(indices).__name__
        )
    if not isinstance(values, Tensor):
        raise TypeError(
            "index_put(): argument 'values' (position 3) must be Tensor, not "
            + type(values).__name__
        )
    for i, k in enumerate(indices):
        # Ember's own callers also pass ints, slices, ``...`` and arrays
        if not isinstance(k, (Tensor, int, np.integer, slice, np.ndarray)) and k is not Ellipsis:
            raise TypeError(
                f"expected Tensor as element {i} in argument 1, but got {type(k).__name__}"
            )
    if not indices or not all(isinstance(k, Tensor) for k in indices):
        return
    if not isinstance(accumulate, (bool, np.bool_)):
        raise TypeError(
            f"index_put(): argument 'accumulate' must be bool, not {type(accumulate).__name__}"
        )
    taken = sum(max(k.ndim, 1) if k.dtype in (D.bool, D.uint8) else 1 for k in indices)
    if taken > input._data.ndim:
        raise IndexError(
            f"too many indices for tensor of dimension {input._data.ndim} (got {len(indices)})"
        )
    _check_put_dtypes(input, values)


def check_setitem_dtype(input: Tensor, key: tuple, value: Tensor) -> None:  # noqa: A002
    """``t[key] = v`` with advanced indices in ``key`` (converted) and a tensor ``v``: torch
    refuses another dtype there, where basic keys cast."""
    if value._data.dtype != input._data.dtype and _split_key(key, input._data.shape)[1] is not None:
        _check_put_dtypes(input, value)


def _check_put_dtypes(input: Tensor, values: Tensor) -> None:  # noqa: A002
    """torch writes a tensor through advanced indices only when the dtypes match."""
    if values.dtype != input.dtype:
        from .reduce import _scalar_type_name

        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{_scalar_type_name(input.dtype)} for the destination and "
            f"{_scalar_type_name(values.dtype)} for the source."
        )


def index_put(input: Tensor, indices, values, accumulate: bool = False) -> Tensor:  # noqa: A002
    """``input`` with ``values`` written (or added, with ``accumulate``) where ``indices``
    select; torch's ``input.index_put(indices, values)``."""
    _check_put_args(input, indices, values, accumulate)
    key = _convert_key(tuple(indices))
    _check_bounds(input._data.shape, key)
    if key and values._data.ndim:
        # the indexed region's shape, from a broadcast view (no copy of the input)
        target = np.broadcast_to(np.empty((), bool), input._data.shape)[key].shape
        try:
            fits = np.broadcast_shapes(values._data.shape, target) == target
        except ValueError:
            fits = False
        if not fits:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(values._data.shape)} cannot be "
                f"broadcast to indexing result of shape {list(target)}"
            )
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


def nonzero_static(input: Tensor, *, size: int, fill_value: int = -1, out=None) -> Tensor:  # noqa: A002
    """The indices of ``input``'s non-zero elements, one row each, as ``nonzero`` gives them, cut
    or padded with ``fill_value`` rows to exactly ``size`` rows."""
    for arg, v in (("size", size), ("fill_value", fill_value)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(
                f"nonzero_static(): argument '{arg}' must be int, not {type(v).__name__}"
            )
    if size < 0:
        raise RuntimeError("nonzero_static: 'size' must be an non-negative integer")
    a = input._data
    found = np.argwhere(a) if a.ndim else np.zeros((0, 0), np.int64)
    rows = np.full((int(size), a.ndim), fill_value, np.int64)
    k = min(int(size), found.shape[0])
    rows[:k] = found[:k]
    result = _make(rows)
    if out is None:
        return result
    if out.dtype != D.int64:
        from .reduce import _scalar_type_name

        raise RuntimeError(
            "nonzero_static: Expected out tensor to have scalar type Long but got scalar type"
            + _scalar_type_name(out.dtype)
        )
    from .inplace import copy_into_out

    return copy_into_out(out, result, name="nonzero_static", dtype_rule="exact")


# The gather/scatter family, beside this module; imported last, as it uses index_put.
from .gather import (  # noqa: E402, F401
    argwhere,
    diagonal_scatter,
    fill_diagonal,
    gather,
    index_add,
    index_copy,
    index_fill,
    index_reduce,
    index_select,
    masked_fill,
    masked_scatter,
    masked_select,
    nonzero,
    put,
    scatter,
    scatter_add,
    scatter_reduce,
    select_scatter,
    slice_scatter,
    take,
    take_along_dim,
)
