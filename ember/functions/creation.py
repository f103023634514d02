"""Tensor factories: ``tensor``, ``zeros``, ``arange`` and friends, with torch's dtype inference."""

from __future__ import annotations

import numbers
import warnings

import numpy as np

from .. import _dtype as D
from .._device import check_device
from .._tensor import Tensor, _make
from ._util import shape_arg, to_np_dtype
from .inplace import check_out as _check_out
from .inplace import copy_into_out as _copy_into_out
from .inplace import takes_out


def _infer_np_dtype(data):
    """torch's inference: Python floats → default float, ints → int64, bools → bool."""
    kinds = set()

    def walk(x):
        if isinstance(x, Tensor):
            kinds.add(("t", x._data.dtype))
        elif isinstance(x, np.ndarray):
            kinds.add(("t", x.dtype))
        elif isinstance(x, np.generic):  # NumPy scalars keep their dtype, as torch does
            kinds.add(("t", x.dtype))
        elif isinstance(x, bool):
            kinds.add("b")
        elif isinstance(x, (int, np.integer)):
            kinds.add("i")
        elif isinstance(x, (float, np.floating)):
            kinds.add("f")
        elif isinstance(x, complex):
            kinds.add("c")
        elif isinstance(x, (list, tuple)):
            for y in x:
                walk(y)
        elif isinstance(x, str):
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")

    walk(data)
    tensor_dts = [k[1] for k in kinds if isinstance(k, tuple)]
    if "c" in kinds:
        return D._complex_default().np
    if "f" in kinds or any(d.kind == "f" for d in tensor_dts):
        fl = [d for d in tensor_dts if d.kind == "f"]
        return fl[0] if fl and "f" not in kinds else D.get_default_dtype().np
    if "i" in kinds:
        return np.dtype(np.int64)
    if tensor_dts:
        return tensor_dts[0]
    if "b" in kinds:
        return np.dtype(np.bool_)
    return D.get_default_dtype().np  # empty list


def _ragged_error(data, dim: int = 0):
    """torch's message for nested sequences of unequal lengths, naming the first clash."""
    if not isinstance(data, (list, tuple)) or not data:
        return None
    first = data[0]
    want = len(first) if isinstance(first, (list, tuple)) else None
    for x in data:
        got = len(x) if isinstance(x, (list, tuple)) else None
        if got != want:
            if want is not None and got is None:
                return TypeError("not a sequence")
            if want is not None:
                return ValueError(
                    f"expected sequence of length {want} at dim {dim + 1} (got {got})"
                )
            return TypeError(f"expected a number at dim {dim + 1}, got a {type(x).__name__}")
    for x in data:
        err = _ragged_error(x, dim + 1)
        if err is not None:
            return err
    return None


def _to_array(data, dtype):
    if isinstance(data, Tensor):
        return data._data.astype(dtype or data._data.dtype, copy=True)
    if isinstance(data, np.generic):
        data = np.asarray(data)
    if isinstance(data, np.ndarray):
        D.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=dtype or data.dtype, copy=True)
    first = data
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    if isinstance(first, str) and first is not data:  # torch takes a str for one more dim
        raise ValueError("too many dimensions 'str'")
    np_dtype = dtype or _infer_np_dtype(data)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _untensor(data)
    try:
        arr = np.array(data, dtype=np_dtype)
    except ValueError as e:
        err = _ragged_error(data) or ValueError(f"could not build a tensor from the data: {e}")
        raise err from None
    except OverflowError:
        arr = _overflowing_ints(data, np.dtype(np_dtype))
    if arr.dtype == object:
        raise ValueError("expected sequence of equal length lists")
    return arr


def _overflowing_ints(data, dt: np.dtype) -> np.ndarray:
    """torch's answers for Python ints that do not fit ``dt``: int64 cannot unpack them, a
    narrower dtype refuses them, except that uint8 wraps negative ones around."""
    try:
        wide = np.array(data, dtype=np.int64)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    if dt == np.uint8 and wide.size and wide.max() <= 255:
        return wide.astype(np.uint8)
    raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")


def _flat(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _untensor(data):
    # torch reads a tensor inside a list as a Python scalar, whatever its number of dims
    if isinstance(data, Tensor):
        if data._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data._data.reshape(()).item()
    if isinstance(data, (list, tuple)):
        return [_untensor(x) for x in data]
    return data


def tensor(
    data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested list, array or tensor)."""
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()"
            ".clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    arr = _to_array(data, to_np_dtype(dtype))
    t = _make(arr)
    return _new_requiring_grad(t) if requires_grad else t


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with an array or tensor of matching dtype."""
    check_device(device)
    np_dtype = to_np_dtype(dtype)
    if isinstance(data, Tensor):
        return data if np_dtype is None or data._data.dtype == np_dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (np_dtype is None or data.dtype == np_dtype):
        D.from_numpy_dtype(data.dtype)
        return _make(data)
    return tensor(data, dtype=dtype)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False) -> Tensor:
    """``obj`` as a tensor, sharing its memory unless ``copy`` (``copy=False``: share or fail)."""
    if copy is False:
        if not isinstance(obj, (Tensor, np.ndarray)):
            raise ValueError("can't alias arbitrary sequence into a tensor.")
        src = D._BY_NP[obj.dtype] if isinstance(obj, np.ndarray) else obj.dtype
        if dtype is not None and D.to_dtype(dtype) != src:
            from .reduce import _scalar_type_name

            raise ValueError(
                f"can't alias tensor with dtype '{_scalar_type_name(src)}' into dtype "
                f"'{_scalar_type_name(D.to_dtype(dtype))}'."
            )
    result = as_tensor(obj, dtype, device)
    if copy and (result is obj or np.shares_memory(result._data, np.asarray(obj))):
        result = _make(result._data.copy())
    return result.requires_grad_() if requires_grad else result


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    D.from_numpy_dtype(ndarray.dtype)
    return _make(ndarray)


def from_dlpack(ext) -> Tensor:
    """A tensor sharing memory with any object that implements ``__dlpack__``."""
    return _make(np.from_dlpack(ext))


def _dt(dtype, default=None, fn: str | None = None):
    if fn is not None:
        _check_dtype_arg(dtype, fn)
    return to_np_dtype(dtype) if dtype is not None else (default or D.get_default_dtype().np)


def _check_dtype_arg(dtype, fn: str) -> None:
    """torch's TypeError for a ``dtype=`` that is no dtype (a string, a number...)."""
    if dtype is None or isinstance(dtype, (D.dtype, np.dtype)) or dtype in (float, int, bool):
        return
    if isinstance(dtype, type) and issubclass(dtype, np.generic):
        return  # NumPy scalar types: Ember's own code passes them
    raise TypeError(f"{fn}(): argument 'dtype' must be torch.dtype, not {type(dtype).__name__}")


def _out_dtype(dtype, out, fn: str):
    """A factory given ``out=`` makes ``out``'s dtype; an explicit other ``dtype`` is an error."""
    if out is None:
        return dtype
    _check_out(out, fn)
    if dtype is not None and D.to_dtype(dtype) != out.dtype:
        from .reduce import _scalar_type_name

        raise RuntimeError(
            f"dtype {_scalar_type_name(D.to_dtype(dtype))} does not match dtype of out parameter "
            f"({_scalar_type_name(out.dtype)})"
        )
    return out.dtype


def _into_out(result: Tensor, out, fn: str) -> Tensor:
    return result if out is None else _copy_into_out(out, result, name=fn, dtype_rule="any")


def _new_requiring_grad(t: Tensor) -> Tensor:
    """``requires_grad=True`` on a freshly made tensor, with torch's factory wording when its
    dtype cannot require gradients."""
    if t._data.dtype.kind not in "fc":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return t.requires_grad_(True)


def _finish(arr, requires_grad, device=None) -> Tensor:
    check_device(device)
    t = _make(arr)
    return _new_requiring_grad(t) if requires_grad else t


def zeros(
    *sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """A tensor of zeros of shape ``size``."""
    npd = _dt(_out_dtype(dtype, out, "zeros"), fn="zeros")
    arr = np.zeros(shape_arg(sizes, size, "zeros"), npd)
    return _into_out(_finish(arr, requires_grad, device), out, "zeros")


def ones(
    *sizes, size=None, out=None, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """A tensor of ones of shape ``size``."""
    npd = _dt(_out_dtype(dtype, out, "ones"), fn="ones")
    arr = np.ones(shape_arg(sizes, size, "ones"), npd)
    return _into_out(_finish(arr, requires_grad, device), out, "ones")


def empty(
    *sizes,
    size=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
    memory_format=None,
) -> Tensor:
    # Zero-filled: uninitialised memory would make results depend on allocator history.
    npd = _dt(_out_dtype(dtype, out, "empty"), fn="empty")
    arr = np.zeros(shape_arg(sizes, size, "empty"), npd)
    return _into_out(_finish(arr, requires_grad, device), out, "empty")


def full(
    size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """A tensor of shape ``size`` filled with the number ``fill_value``."""
    if not (_number(fill_value) or isinstance(fill_value, (Tensor, np.bool_))):
        raise TypeError(
            "full(): argument 'fill_value' (position 2) must be Number, not "
            + type(fill_value).__name__
        )
    dtype = _out_dtype(dtype, out, "full")
    if dtype is None:
        dtype = _scalar_dtype(fill_value)
    npd = _dt(dtype, fn="full")
    result = _finish(np.full(shape_arg((size,)), fill_value, npd), requires_grad, device)
    return _into_out(result, out, "full")


def _scalar_dtype(v):
    if isinstance(v, Tensor):
        return v.dtype
    if isinstance(v, (bool, np.bool_)):
        return D.bool
    if isinstance(v, (int, np.integer)):
        return D.int64
    if isinstance(v, complex):
        return D._complex_default()
    return D.get_default_dtype()


def _like(input: Tensor, dtype):
    return to_np_dtype(dtype) if dtype is not None else input._data.dtype


def zeros_like(
    input: Tensor,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,  # noqa: A002
    memory_format=None,
) -> Tensor:
    return _finish(np.zeros(input._data.shape, _like(input, dtype)), requires_grad, device)


def ones_like(
    input: Tensor,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,  # noqa: A002
    memory_format=None,
) -> Tensor:
    return _finish(np.ones(input._data.shape, _like(input, dtype)), requires_grad, device)


def empty_like(
    input: Tensor,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,  # noqa: A002
    memory_format=None,
) -> Tensor:
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad)


def full_like(
    input: Tensor,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,  # noqa: A002
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    return _finish(
        np.full(input._data.shape, fill_value, _like(input, dtype)), requires_grad, device
    )


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
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if not all(np.isfinite(v) for v in (start, end)):
        raise RuntimeError(f"unsupported range: {start:g} -> {end:g}")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    dtype = _out_dtype(dtype, out, "arange")
    if dtype is None:
        dtype = (
            D.int64
            if all(isinstance(v, (int, np.integer)) for v in vals)
            else D.get_default_dtype()
        )
    npd = to_np_dtype(dtype)
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
    end,
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
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    n = int(np.floor((end - start) / step)) + 1
    arr = start + np.arange(n, dtype=np.float64) * step
    npd = _dt(_out_dtype(dtype, out, "range"), fn="range")
    return _into_out(_finish(arr.astype(npd), requires_grad, device), out, "range")


def linspace(
    start, end, steps: int, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """``steps`` values evenly spaced from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    npd = _dt(_out_dtype(dtype, out, "linspace"))
    i = np.arange(steps)
    half = steps // 2
    if npd in (np.float32, np.float64):
        # torch: the step in the dtype, then start + step * i for the first half and
        # end - step * (steps - 1 - i) for the second, each rounded once (a fused multiply-add).
        # A wider type (float64 for float32, long double for float64) gives that single rounding.
        wide = np.float64 if npd == np.float32 else np.longdouble
        lo, hi = npd.type(start), npd.type(end)
        step = (hi - lo) / npd.type(max(steps - 1, 1))
        first = (wide(lo) + wide(step) * i.astype(wide)).astype(npd)
        second = (wide(hi) - wide(step) * (steps - 1 - i).astype(wide)).astype(npd)
        arr = np.where(i < half, first, second)
    else:
        step = (end - start) / (steps - 1) if steps > 1 else 0.0
        arr = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    if steps == 1:
        arr = np.full(1, start, np.float64)
    return _into_out(_finish(arr.astype(npd), requires_grad, device), out, "linspace")


def logspace(
    start,
    end,
    steps: int,
    base: float = 10.0,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
) -> Tensor:
    """``steps`` powers of ``base``, exponents evenly spaced from ``start`` to ``end``."""
    lin = linspace(start, end, steps, dtype=D.float64)._data
    npd = _dt(_out_dtype(dtype, out, "logspace"))
    return _into_out(_finish((base**lin).astype(npd), requires_grad, device), out, "logspace")


def eye(
    n: int,
    m: int | None = None,
    *,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
) -> Tensor:
    """A 2-D tensor with ones on the diagonal and zeros elsewhere (``n`` rows, ``m`` columns)."""
    m = n if m is None else m
    for name, v in (("n", n), ("m", m)):
        if v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    npd = _dt(_out_dtype(dtype, out, "eye"))
    return _into_out(_finish(np.eye(n, m, dtype=npd), requires_grad, device), out, "eye")


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    return _finish(np.asarray(s, _dt(dtype)), requires_grad, device)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> int:  # noqa: A002
    return input._data.size


def is_floating_point(input: Tensor) -> bool:  # noqa: A002
    return input._data.dtype.kind == "f"


def is_nonzero(input: Tensor) -> bool:  # noqa: A002
    if input._data.size != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.item())


def is_inference(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input`` was made in inference mode: never in Ember (``Tensor.is_inference``)."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"is_inference(): argument 'input' (position 1) must be Tensor, not "
            f"{type(input).__name__}"
        )
    return input.is_inference()


@takes_out("diag", "exact")
def diag(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """A 1-D input as the ``diagonal``-th diagonal of a square matrix; a 2-D input's diagonal."""
    if not isinstance(diagonal, (int, np.integer)):
        raise TypeError(
            "diag(): argument 'diagonal' (position 1) must be int, not " + type(diagonal).__name__
        )
    if input.ndim not in (1, 2):
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {input.ndim}D")
    if input.ndim == 1:
        n = input.shape[0] + abs(diagonal)
        z = input.new_zeros((n, n))
        return z._diagonal_insert(input, diagonal, 0, 1)
    return input.diagonal(diagonal)


def _number(x) -> bool:
    return isinstance(x, numbers.Number)
