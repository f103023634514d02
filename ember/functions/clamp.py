"""``clamp``/``clip`` (number or tensor bounds), ``clamp_min``/``clamp_max`` and ``lerp``, with
the conversion of Python number arguments into a tensor's dtype that they share."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, apply
from ..autograd.primitives import math as P
from ._util import shape_error
from .inplace import _C_TYPE_NAMES, copy_into_out
from .reduce import _scalar_type_name as _scalar_name

_INT64, _UINT64 = 2**63, 2**64  # torch takes Python ints in [-2**63, 2**64)


def clamp(input: Tensor, min=None, max=None, *, out=None) -> Tensor:  # noqa: A001, A002
    """Limit values to ``[min, max]``; bounds may be numbers or tensors."""
    d = input._data
    big = _FLOAT_MAX.get(d.dtype)
    if (
        big is not None
        and out is None
        and type(min) in _NUMBER_OR_NONE
        and type(max) in _NUMBER_OR_NONE
        and (min is not None or max is not None)
    ):
        # The commonest call, a float tensor with number bounds: the general path below without
        # its promotion, since the tensor's dtype is the result's.
        lo = None if min is None else _float_scalar(min, d.dtype, big)
        hi = None if max is None else _float_scalar(max, d.dtype, big)
        if lo == 0 or hi == 0:
            lo, hi = _zero_ties(d, lo, hi)
        return apply(P.clamp, (input,), None, lo=lo, hi=hi)
    if not (_bound_ok(min) and _bound_ok(max)):
        raise _clamp_type_error(min, max)
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if min is not None and max is not None and isinstance(min, Tensor) != isinstance(max, Tensor):
        # A tensor and a number: torch's parser can only read the tensor as a number, which a
        # 0-dim tensor outside autograd is.
        t = min if isinstance(min, Tensor) else max
        if t.ndim or t.requires_grad:
            raise _clamp_type_error(min, max)
        min, max = (t.item(), max) if t is min else (min, t.item())
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        result = _clamp_tensor(input, min, max)
        return result if out is None else copy_into_out(out, result)
    # Number bounds: the result has the dtype the input and the numbers promote to, the numbers
    # are converted to it (refusing what overflows) and ``out`` must have exactly that dtype.
    dt = D.result_type((input,), tuple(b for b in (min, max) if b is not None))
    if dt.is_complex:
        raise NotImplementedError("clamp is not supported for complex types")
    if out is not None and out._data.dtype != dt.np:
        raise RuntimeError(f"Found dtype {_scalar_name(out.dtype)} but expected {_scalar_name(dt)}")
    if dt is D.bool:
        which = (
            "clamp"
            if min is not None and max is not None
            else "clamp_max"
            if min is None
            else "clamp_min"
        )
        raise NotImplementedError(f"\"{which}_scalar_cpu\" not implemented for 'Bool'")
    lo, hi = _scalar_in(min, dt), _scalar_in(max, dt)
    d = input._data
    arrays = None if d.dtype == dt.np else [d.astype(dt.np)]
    lo, hi = _zero_ties(d if arrays is None else arrays[0], lo, hi)
    result = apply(P.clamp, (input,), arrays, lo=lo, hi=hi)
    return result if out is None else copy_into_out(out, result)


clip = clamp


def _clamp_tensor(input: Tensor, min, max) -> Tensor:  # noqa: A002
    """``clamp`` with a tensor bound: all operands (a number bound as a 0-dim tensor) promote."""
    if input._data.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    bounds = [b for b in (min, max) if b is not None]
    dt = D.result_type(
        (input, *(b for b in bounds if isinstance(b, Tensor))),
        tuple(b for b in bounds if not isinstance(b, Tensor)),
    )
    if dt.is_complex:
        which = "clamp" if len(bounds) == 2 else "minimum" if min is None else "maximum"
        raise NotImplementedError(f"\"{which}_cpu\" not implemented for '{_scalar_name(dt)}'")
    # A missing bound is the dtype's own extreme: nothing lies beyond it.
    lowest, highest = (
        (-np.inf, np.inf)
        if dt.is_floating_point
        else (False, True)
        if dt is D.bool
        else (np.iinfo(dt.np).min, np.iinfo(dt.np).max)
    )
    lo = _bound_tensor(min, lowest, dt)
    hi = _bound_tensor(max, highest, dt)
    arrays = [t._data.astype(dt.np, copy=False) for t in (input, lo, hi)]
    try:
        arrays[1:] = _zero_ties(*arrays)
    except ValueError:  # shapes that do not broadcast: the primitive raises torch's error
        pass
    return apply(P.clamp_tensor, (input, lo, hi), arrays)


_FLOAT_MAX = {np.dtype(t): float(np.finfo(t).max) for t in (np.float16, np.float32, np.float64)}
_NUMBER_OR_NONE = (float, int, type(None))


def _float_scalar(v, dtype: np.dtype, big: float):
    """``_scalar_in`` for a float dtype, with the check for an in-range number inlined."""
    if -big <= v <= big and (type(v) is float or -_INT64 <= v < _UINT64):
        return dtype.type(v)
    return _scalar_in(v, D._BY_NP[dtype])  # inf, nan, or torch's overflow error


def _zero_ties(x: np.ndarray, lo, hi):
    """The bounds, holding the input's own value where it equals them (``lo`` applied first).

    torch keeps the input on a tie, which differs from the bound only in the sign of a zero;
    NumPy's maximum and minimum may return either zero.
    """
    if x.dtype.kind != "f" or not any(b is not None and np.any(b == 0) for b in (lo, hi)):
        return lo, hi
    if lo is not None:
        lo = np.where(x == lo, x, lo)
        x = np.maximum(x, lo)
    if hi is not None:
        hi = np.where(x == hi, x, hi)
    return lo, hi


def _bound_tensor(bound, default, dt) -> Tensor:
    if isinstance(bound, Tensor):
        return bound
    return _make(np.asarray(default if bound is None else _scalar_in(bound, dt), dt.np))


def _clamp_type_error(min, max) -> TypeError:  # noqa: A002
    got = ", ".join(
        f"{k}={type(v).__name__}" for k, v in (("min", min), ("max", max)) if v is not None
    )
    return TypeError(
        f"clamp() received an invalid combination of arguments - got ({got}, ), but expected "
        "one of:\n * (Tensor min = None, Tensor max = None)\n * (Number min = None, Number "
        "max = None)\n"
    )


def _bound_ok(v) -> bool:
    return v is None or isinstance(v, (Tensor, int, float, complex, np.number))


# C++ names torch's scalar conversions report for each dtype
_CONVERT_NAMES = {
    "int8": "int8_t",
    "uint8": "uint8_t",
    "uint16": "uint16_t",
    "uint32": "uint32_t",
    "uint64": "uint64_t",
    "int16": "int16_t",
    "int32": "int",
    "int64": "int64_t",
    "float16": "c10::Half",
    "float32": "float",
    "float64": "double",
}


def _scalar_in(v, dt):
    """The Python number ``v`` as a scalar of ``dt``, refused as torch does when it overflows.

    An unsigned dtype takes a negative integer down to minus its maximum, wrapped around (but
    no negative float); a complex number goes into a real dtype only without an imaginary part.
    """
    if v is None:
        return None
    if type(v) is int and not -_INT64 <= v < _UINT64:
        raise OverflowError("int too big to convert")
    if dt.is_complex:
        fits = True
    elif isinstance(v, complex) and v.imag:
        fits = False
    elif dt.is_floating_point:
        big, x = float(np.finfo(dt.np).max), abs(complex(v).real)
        fits = not np.isfinite(x) or x <= big
    elif dt is D.bool or isinstance(v, bool):
        fits = True
    else:
        info = np.iinfo(dt.np)
        lowest = info.min
        if info.min == 0 and not isinstance(v, (float, np.floating)):
            lowest = -info.max
        fits = lowest <= v <= info.max
    if not fits:
        name = _CONVERT_NAMES.get(dt.name, dt.name)
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")
    return np.asarray(v.real if isinstance(v, complex) and not dt.is_complex else v).astype(dt.np)[
        ()
    ]


def clamp_min(input: Tensor, min, *, out=None) -> Tensor:  # noqa: A002
    """``clamp(input, min=min)``."""
    result = _clamp_one_side(input, min, out, P.clamp_min, P.clamp_min_tensor, "lo")
    return clamp(input, min=min, out=out) if result is None else result


def clamp_max(input: Tensor, max, *, out=None) -> Tensor:  # noqa: A002
    """``clamp(input, max=max)``."""
    result = _clamp_one_side(input, max, out, P.clamp_max, P.clamp_max_tensor, "hi")
    return clamp(input, max=max, out=out) if result is None else result


def _clamp_one_side(input: Tensor, bound, out, prim, tensor_prim, side: str):  # noqa: A002
    """``clamp_min``/``clamp_max`` of a float tensor under torch's own nodes (ClampMin/Max
    Backward0 for a number, ...Backward1 for a tensor); None where ``clamp`` decides instead."""
    if out is not None or input._data.dtype.kind != "f":
        return None
    lo_side = side == "lo"
    if type(bound) in (int, float):
        v = _scalar_in(bound, input.dtype)
        lo, hi = _zero_ties(input._data, *((v, None) if lo_side else (None, v)))
        return apply(prim, (input,), None, lo=lo, hi=hi)
    if isinstance(bound, Tensor) and bound._data.dtype == input._data.dtype:
        b = bound._data
        try:
            lo, hi = _zero_ties(input._data, *((b, None) if lo_side else (None, b)))
            return apply(tensor_prim, (input, bound), [input._data, lo if lo_side else hi])
        except ValueError:
            raise shape_error(input.shape, bound.shape) from None
    return None


def lerp(input: Tensor, end: Tensor, weight, *, out=None) -> Tensor:  # noqa: A002
    """``input + weight * (end - input)``, for floating ``input`` and ``end`` of one dtype.

    A dimensioned ``weight`` must have that dtype too; a 0-dim one promotes with the two.
    """
    if not isinstance(end, Tensor) or not isinstance(weight, (Tensor, int, float, complex)):
        got = ", ".join(type(v).__name__ for v in (input, end, weight))
        raise TypeError(
            f"lerp() received an invalid combination of arguments - got ({got}), but expected one "
            "of:\n * (Tensor input, Tensor end, Tensor weight, *, Tensor out = None)\n * (Tensor "
            "input, Tensor end, Number weight, *, Tensor out = None)\n"
        )
    _lerp_same_dtype(input, end, "end")
    if not isinstance(weight, Tensor):
        _lerp_kernel(input.dtype, "scalar")
        w = _scalar_in(weight, input.dtype)
        result = apply(P.lerp_scalar, (input, end), None, weight=w)
        return result if out is None else copy_into_out(out, result)
    if weight.ndim:
        _lerp_same_dtype(input, weight, "weight")
    dt = D.result_type((input, end, weight))
    _lerp_kernel(dt, "tensor")
    arrays = [t._data.astype(dt.np, copy=False) for t in (input, end, weight)]
    result = apply(P.lerp_tensor, (input, end, weight), arrays)
    if out is None:
        return result
    return copy_into_out(out, result, mismatch="Found dtype {dst} but expected {src}")


def _lerp_same_dtype(input: Tensor, other: Tensor, name: str) -> None:  # noqa: A002
    if other._data.dtype != input._data.dtype:
        c = _C_TYPE_NAMES
        want, got = input.dtype.name, other.dtype.name
        raise RuntimeError(
            f"expected dtype {c.get(want, want)} for `{name}` but got dtype {c.get(got, got)}"
        )


def _lerp_kernel(dt, kind: str) -> None:
    if not (dt.is_floating_point or dt.is_complex):
        raise NotImplementedError(
            f"\"lerp_kernel_{kind}\" not implemented for '{_scalar_name(dt)}'"
        )
