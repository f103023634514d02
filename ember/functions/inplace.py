"""In-place operations: ``add_``, ``mul_``, ``copy_``, ``__setitem__``...

An in-place op computes its result as the out-of-place op would (recording a node when needed),
then writes the values into the tensor's own array and bumps its version counter, so that a
backward that saved the old values fails loudly instead of using the new ones. The tensor takes
over the new node as its ``grad_fn`` (torch's "rebase").
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ..autograd.grad_mode import _state
from ._util import broadcast_shapes


def check_inplace(t: Tensor) -> None:
    """torch's errors for in-place changes that would corrupt the graph."""
    if not _state.enabled or not t._rg:
        return
    if t.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    base = t._base
    if base is not None and base._rg and base.grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )


def _writable(t: Tensor) -> np.ndarray:
    d = t._data
    if not d.flags.writeable:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    return d


def write_inplace(t: Tensor, values: np.ndarray) -> Tensor:
    """Overwrite ``t``'s values (no graph), checking the dtype cast and broadcast as torch."""
    d = _writable(t)
    if _state.enabled and t._rg and t.grad_fn is None:
        check_inplace(t)
    try:
        np.copyto(d, values, casting="unsafe")
    except ValueError:
        raise RuntimeError(
            f"output with shape {list(d.shape)} doesn't match the broadcast shape "
            f"{list(broadcast_shapes(d.shape, np.shape(values)))}"
        ) from None
    t._vc[0] += 1
    return t


def _cast_check(t: Tensor, result_dtype) -> None:
    if t._data.dtype != result_dtype and not np.can_cast(
        result_dtype, t._data.dtype, casting="same_kind"
    ):
        raise RuntimeError(
            f"result type {_name(result_dtype)} can't be cast to the desired output type "
            f"{_name(t._data.dtype)}"
        )


def _name(npd) -> str:
    from .reduce import _scalar_type_name

    return _scalar_type_name(D._BY_NP[np.dtype(npd)])


def inplace(t: Tensor, fn, *args, **kwargs) -> Tensor:
    """Apply out-of-place ``fn(t, *args)`` and make ``t`` hold (and stand for) the result."""
    check_inplace(t)
    recording = _state.enabled and (t._rg or any(isinstance(a, Tensor) and a._rg for a in args))
    if recording:
        # The op must not see our later overwrite: it works on a snapshot of the old values.
        old = _make(t._data.copy())
        old._rg, old.grad_fn, old._output_nr = t._rg, t.grad_fn, t._output_nr
        result = fn(old, *args, **kwargs)
    else:
        result = fn(t, *args, **kwargs)
    d = _writable(t)
    _cast_check(t, result._data.dtype)
    if result._data.shape != d.shape:
        raise RuntimeError(
            f"output with shape {list(d.shape)} doesn't match the broadcast shape "
            f"{list(result._data.shape)}"
        )
    np.copyto(d, result._data, casting="unsafe")
    t._vc[0] += 1
    if recording and result.grad_fn is not None:
        t.grad_fn, t._output_nr, t._rg = result.grad_fn, result._output_nr, True
        if t._base is not None:
            _rebase_view(t)
    return t


def _rebase_view(view: Tensor) -> None:
    """A view changed in place inside a graph: the base now depends on the new values too."""
    base = view._base
    # The base's values already changed through the shared array; record that the base's
    # gradient flows through the view's new graph for the viewed region (CopySlices in torch).
    from ..autograd.primitives.views import copy_slices

    copy_slices(base, view)


def copy_into_out(out: Tensor, result: Tensor) -> Tensor:
    """Support for ``out=`` arguments: resize ``out`` if needed and copy the result in."""
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._vc[0] += 1
    return out


def fast_binary_(t: Tensor, ufunc, other, alpha=1) -> Tensor:
    """``t op= other`` straight into ``t``'s array when nothing is recorded (optimizer steps)."""
    d = _writable(t)
    o = other._data if isinstance(other, Tensor) else other
    if alpha != 1:
        o = o * alpha
    if isinstance(o, np.ndarray):
        res_dtype = np.result_type(d, o)
        if o.ndim == 0 and o.dtype.kind == d.dtype.kind:
            res_dtype = d.dtype
    elif d.dtype.kind in "fc":
        res_dtype = d.dtype  # a Python number never lifts a floating tensor's dtype
    else:
        res_dtype = D.result_type((t,), (o,)).np
    if res_dtype != d.dtype:
        torch_dt = D.result_type(
            (t, other) if isinstance(other, Tensor) else (t,),
            () if isinstance(other, Tensor) else (o,),
        )
        _cast_check(t, torch_dt.np)
    try:
        ufunc(d, o, out=d, casting="unsafe")
    except ValueError:
        raise RuntimeError(
            f"output with shape {list(d.shape)} doesn't match the broadcast shape "
            f"{list(broadcast_shapes(d.shape, np.shape(o)))}"
        ) from None
    t._vc[0] += 1
    return t
