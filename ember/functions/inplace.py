"""In-place operations: ``add_``, ``mul_``, ``copy_``, ``__setitem__``...

An in-place op computes its result as the out-of-place op would (recording a node when needed),
then writes the values into the tensor's own array and bumps its version counter, so that a
backward that saved the old values fails loudly instead of using the new ones. The tensor takes
over the new node as its ``grad_fn`` (torch's "rebase").
"""

from __future__ import annotations

import functools
import inspect

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ..autograd.grad_mode import _state
from ._util import broadcast_shapes, is_scalar


def check_inference(t: Tensor) -> None:
    """torch refuses to write into a tensor made in inference mode once outside it."""
    if t._inference and not _state.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can make "
            "a clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details."
        )


def check_inplace(t: Tensor) -> None:
    """torch's errors for in-place changes that would corrupt the graph."""
    check_inference(t)
    if not _state.enabled or not t._rg:
        return
    if t.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    base = t._base
    if base is None:
        return
    if base._rg and base.grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )
    name = type(t.grad_fn).__name__
    if name in _MULTI_VIEW_NODES:
        raise RuntimeError(
            f"Output {t._output_nr} of {name[: -len('Backward0')]} is a view and is being "
            "modified inplace. This view is the output of a function that returns multiple views. "
            "Such functions do not allow the output views to be modified inplace. You should "
            "replace the inplace operation by an out-of-place one."
        )


# Functions returning several views of one tensor: torch refuses to rebase any of them in place
# (the other outputs' gradients would silently go stale).
_MULTI_VIEW_NODES = frozenset(("SplitBackward0", "SplitWithSizesBackward0", "UnbindBackward0"))


def _writable(t: Tensor) -> np.ndarray:
    d = t._data
    # An expanded tensor reads one element at several places (a zero stride): writing it would
    # be ambiguous, as torch says. Read-only arrays (np.broadcast_to's) are the same case. NumPy
    # gives empty arrays zero strides too, but with no elements nothing overlaps.
    overlaps = d.size and any(st == 0 and n > 1 for st, n in zip(d.strides, d.shape))
    if not d.flags.writeable or overlaps:
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a "
            "single memory location. Please clone() the tensor before performing the operation."
        )
    return d


def write_inplace(t: Tensor, values: np.ndarray) -> Tensor:
    """Overwrite ``t``'s values (no graph), checking the dtype cast and broadcast as torch."""
    check_inference(t)
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


def copy_(t: Tensor, src) -> Tensor:
    """``Tensor.copy_``: ``src`` broadcast to ``t``'s shape and cast to its dtype, with torch's
    checks (a Tensor or a number, no overlap between the two, the broadcast shape exactly t's)."""
    if not isinstance(src, Tensor):
        if not is_scalar(src):
            raise TypeError(
                f"copy_(): argument 'other' (position 1) must be Tensor, not {type(src).__name__}"
            )
        src = _make(np.asarray(src))  # torch wraps a number in a 0-d tensor
    d = _writable(t)
    s = src._data
    if _partly_overlap(d, s):
        raise RuntimeError(
            "unsupported operation: some elements of the input tensor and the written-to tensor "
            "refer to a single memory location. Please clone() the tensor before performing the "
            "operation."
        )
    shape = broadcast_shapes(d.shape, s.shape)
    if tuple(shape) != d.shape:  # src may broadcast, but never beyond t's own shape
        raise RuntimeError(
            f"output with shape {list(d.shape)} doesn't match the broadcast shape {list(shape)}"
        )
    if _state.enabled and (t._rg or src._rg):  # torch's CopyBackwards node
        from .._tensor import apply
        from ..autograd.primitives.views import copy as copy_prim

        return inplace(t, lambda dst, s: apply(copy_prim, (dst, s)), src)
    if s.dtype.kind == "c" and d.dtype.kind != "c":
        import warnings

        warnings.warn(
            "Casting complex values to real discards the imaginary part", UserWarning, stacklevel=3
        )
        s = s.real
    return write_inplace(t, s)


def _partly_overlap(a: np.ndarray, b: np.ndarray) -> bool:
    """torch's partial-overlap test between a written tensor and an input.

    Only arrays that are dense (some order of their axes is C-contiguous) are compared: the
    rest is "too hard" and passes, as in torch.  Two dense arrays overlap partly when their
    byte ranges intersect without being the same range with the same strides.  Negative
    strides pass too: Ember's flip-like views are torch's fresh copies.
    """
    if not a.size or not b.size or not (_dense(a) and _dense(b)):
        return False
    a0, b0 = a.__array_interface__["data"][0], b.__array_interface__["data"][0]
    a1, b1 = a0 + a.nbytes, b0 + b.nbytes
    if (a0, a1) == (b0, b1):
        return a.strides != b.strides
    return a0 < b1 and b0 < a1


def _overlap_at_all(a: np.ndarray, b: np.ndarray) -> bool:
    """torch's any-overlap test (index_put's): two dense arrays whose byte ranges meet."""
    if not a.size or not b.size or not (_dense(a) and _dense(b)):
        return False
    a0, b0 = a.__array_interface__["data"][0], b.__array_interface__["data"][0]
    return a0 < b0 + b.nbytes and b0 < a0 + a.nbytes


def _dense(a: np.ndarray) -> bool:
    """Whether ``a``'s elements fill one block of memory with no gaps and no repeats."""
    expected = a.itemsize
    for stride, size in sorted((st, n) for st, n in zip(a.strides, a.shape) if n != 1):
        if stride != expected:
            return False
        expected *= size
    return True


def _can_cast(src, dst) -> bool:
    """torch's ``can_cast``: only complex -> real, floating -> integral and any -> bool are
    refused (NumPy's ``same_kind`` also refuses signed -> unsigned, which torch allows)."""
    src, dst = np.dtype(src), np.dtype(dst)
    if src.kind == "c":
        return dst.kind == "c"
    if src.kind == "f":
        return dst.kind in "fc"
    return src.kind == "b" or dst.kind != "b"


def _cast_check(t: Tensor, result_dtype) -> None:
    if t._data.dtype != result_dtype and not _can_cast(result_dtype, t._data.dtype):
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
            _rebase_view(t, old)
        from ..autograd.primitives.views import refresh_views

        refresh_views(t._base if t._base is not None else t, t)
    return t


def _rebase_view(view: Tensor, old: Tensor) -> None:
    """A view changed in place inside a graph: the base now depends on the new values too."""
    base = view._base
    # The base's values already changed through the shared array; record that the base's
    # gradient flows through the view's new graph for the viewed region (CopySlices in torch).
    from ..autograd.primitives.views import copy_slices

    copy_slices(base, view, old)


# torch's C++ names for dtypes, which some of its messages use (out= checks, mm)
_C_TYPE_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "bool": "bool",
}

_RESIZE_WARNING = (
    "An output with one or more elements was resized since it had shape {old}, which does not "
    "match the required output shape {new}. This behavior is deprecated, and in a future PyTorch "
    "release outputs will not be resized unless they have zero elements. You can explicitly "
    "reuse an out tensor t by resizing it, inplace, to zero elements with t.resize_(0)."
)


def _op_name(result: Tensor) -> str:
    """The op's name for messages when the caller gave none: ``ExpBackward0`` -> ``exp``."""
    node = result.grad_fn
    return node.name().split("Backward")[0].lower() if node is not None else ""


def check_out(out, name: str, requires_grad: bool = False) -> None:
    """torch's checks on an ``out=`` argument before anything is computed."""
    prefix = f"{name}(): " if name else ""
    if not isinstance(out, Tensor):
        raise TypeError(f"{prefix}argument 'out' must be Tensor, not {type(out).__name__}")
    if _state.enabled and (requires_grad or out._rg):
        raise RuntimeError(
            f"{prefix}functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )


def copy_into_out(
    out: Tensor, result: Tensor, *, name=None, dtype_rule="same_kind", mismatch=None
) -> Tensor:
    """Support for ``out=`` arguments: check, resize ``out`` if needed and copy the result in.

    ``dtype_rule``: ``"same_kind"`` (most ops: the result must cast safely into ``out``),
    ``"exact"`` (linalg, matmul, gather: ``out`` must have the result's dtype) or ``"any"``;
    ``mismatch``, when given, is the op's own message for an ``out`` of another dtype (``{src}``
    and ``{dst}`` name the result's and out's dtypes); a callable ``dtype_rule(out, result)``
    raises the op's own error.
    ``out`` is returned, holding the values but no graph, as torch's ``out=`` does.
    """
    check_out(out, name or _op_name(result), result._rg)
    src, dst = result._data.dtype, out._data.dtype
    if mismatch is not None and src != dst:
        raise RuntimeError(mismatch.format(src=_name(src), dst=_name(dst)))
    if callable(dtype_rule):
        dtype_rule(out, result)
    elif dtype_rule == "exact" and src != dst:
        raise RuntimeError(
            f"Expected out tensor to have dtype {_C_TYPE_NAMES.get(src.name, src.name)}, "
            f"but got {_C_TYPE_NAMES.get(dst.name, dst.name)} instead"
        )
    if dtype_rule == "same_kind":
        _cast_check(out, src)
    shape = result._data.shape
    if out._data.shape != shape:
        if out._data.size:
            import warnings

            warnings.warn(
                _RESIZE_WARNING.format(old=list(out._data.shape), new=list(shape)),
                UserWarning,
                stacklevel=3,
            )
        out._data = np.empty(shape, dst)
    np.copyto(_writable(out), result._data, casting="unsafe")
    out._vc[0] += 1
    return out


def copy_into_outs(outs, results: tuple, *, name: str, dtype_rule="exact") -> tuple:
    """``out=`` for ops returning several tensors (``max(dim)``, ``qr``...): a tuple of outs."""
    if not isinstance(outs, (tuple, list)):
        raise TypeError(
            f"{name}(): argument 'out' must be tuple of Tensors, not {type(outs).__name__}"
        )
    if len(outs) != len(results):
        raise TypeError(f"expected tuple of {len(results)} elements but got {len(outs)}")
    done = [copy_into_out(o, r, name=name, dtype_rule=dtype_rule) for o, r in zip(outs, results)]
    return type(results)(*done) if hasattr(results, "_fields") else tuple(done)


def takes_out(name: str, dtype_rule="same_kind", mismatch=None):
    """Give ``fn`` torch's keyword-only ``out=``: the result is copied into ``out``, returned."""

    def deco(fn):
        @functools.wraps(fn)
        def with_out(*args, out=None, **kwargs):
            result = fn(*args, **kwargs)
            if out is None:
                return result
            if isinstance(result, tuple):
                return copy_into_outs(out, result, name=name)  # torch: exact dtypes here
            return copy_into_out(out, result, name=name, dtype_rule=dtype_rule, mismatch=mismatch)

        sig = inspect.signature(fn)
        params = [p for p in sig.parameters.values() if p.name != "out"]
        at = next((i for i, p in enumerate(params) if p.kind is p.VAR_KEYWORD), len(params))
        params.insert(at, inspect.Parameter("out", inspect.Parameter.KEYWORD_ONLY, default=None))
        with_out.__signature__ = sig.replace(parameters=params)
        with_out.without_out = fn  # Tensor methods bind this: torch's methods take no out=
        return with_out

    return deco


def fast_binary_(t: Tensor, ufunc, other, alpha=1) -> Tensor:
    """``t op= other`` straight into ``t``'s array when nothing is recorded (optimizer steps)."""
    check_inference(t)
    d = _writable(t)
    o = other._data if isinstance(other, Tensor) else other
    if alpha != 1:
        o = o * alpha
    if isinstance(o, np.ndarray):
        res_dtype = np.result_type(d, o)
        if o.ndim == 0 and o.dtype.kind == d.dtype.kind:
            res_dtype = d.dtype
    elif d.dtype.kind in "fc" and not (d.dtype.kind == "f" and isinstance(o, complex)):
        res_dtype = d.dtype  # a real Python number never lifts a floating tensor's dtype
    else:
        res_dtype = D.result_type((t,), (o,)).np
        if d.dtype.kind in "iu" and isinstance(o, int) and not isinstance(o, bool):
            o = np.int64(o)  # torch wraps an out-of-range Python int as C does
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
