"""Tensor factories: ``tensor``, ``zeros``, ``arange`` and friends, with torch's dtype inference."""

from __future__ import annotations

import functools
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
from .splits import _type_name


def _infer_np_dtype(data):
    """torch's inference: the promotion of the elements' dtypes, where Python bools are bool,
    ints int64, floats the default dtype and complexes its complex dtype, while NumPy scalars,
    arrays and tensors keep their own."""
    dts: list = []

    def add(dt) -> None:
        if dt not in dts:
            dts.append(dt)

    arrays_inside = False

    def walk(x):
        nonlocal arrays_inside
        if isinstance(x, Tensor):
            add(x.dtype)
        elif isinstance(x, (np.ndarray, np.generic)):
            arrays_inside = arrays_inside or (type(x) is np.ndarray and x is not data)
            add(D.from_numpy_dtype(x.dtype))
        elif isinstance(x, bool):
            add(D.bool)
        elif isinstance(x, int):
            add(D.int64)
        elif isinstance(x, float):
            add(D.get_default_dtype())
        elif isinstance(x, complex):
            add(D._complex_default())
        elif isinstance(x, (list, tuple, range)):
            for y in x:
                walk(y)
        elif isinstance(x, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")

    walk(data)
    if arrays_inside:
        from .._runtime import warn_once
        from .._warn import user_stacklevel

        warn_once(
            "tensor from a list of arrays",
            "Creating a tensor from a list of numpy.ndarrays is extremely slow. Please consider "
            "converting the list to a single numpy.ndarray with numpy.array() before converting "
            "to a tensor.",
            stacklevel=user_stacklevel() + 1,
        )
    if not dts:  # an empty list
        return D.get_default_dtype().np
    return functools.reduce(D.promote_types, dts).np


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
        if np.dtype(dtype or data.dtype) == np.uint64:
            _check_unsigned(data, np.dtype(np.uint64))  # torch reads it as a number here
        data = np.asarray(data)
    if isinstance(data, np.ndarray):
        D.from_numpy_dtype(data.dtype)
        return np.array(data, dtype=dtype or data.dtype, copy=True)
    if isinstance(data, (range, bytearray)):  # torch reads a bytearray as its ints
        data = list(data)
    first = data
    while isinstance(first, (list, tuple)) and first:
        first = first[0]
    if isinstance(first, str) and first is not data:  # torch takes a str for one more dim
        raise ValueError("too many dimensions 'str'")
    np_dtype = dtype or _infer_np_dtype(data)
    if np.dtype(np_dtype).kind == "u":
        _check_unsigned(data, np.dtype(np_dtype))
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _untensor(data, np.dtype(np_dtype))
    try:
        arr = np.array(data, dtype=np_dtype)
    except ValueError as e:
        err = _ragged_error(data) or _unfit(data, np.dtype(np_dtype))
        raise (err or ValueError(f"could not build a tensor from the data: {e}")) from None
    except OverflowError:
        arr = _overflowing_ints(data, np.dtype(np_dtype))
    except TypeError:
        if not any(isinstance(x, complex) for x in _flat([data])):
            raise
        if np.dtype(np_dtype).kind in "iub":
            raise TypeError("'complex' object cannot be interpreted as an integer") from None
        raise TypeError("must be real number, not complex") from None
    if arr.dtype == object:
        raise ValueError("expected sequence of equal length lists")
    return arr


def _unfit(data, dt: np.dtype):
    """torch's error for a NaN or infinity into an integer dtype, or None."""
    flat = list(_flat([data]))
    if dt.kind in "iu" and any(isinstance(x, float) and not np.isfinite(x) for x in flat):
        return RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
    return None


def _overflowing_ints(data, dt: np.dtype) -> np.ndarray:
    """torch's answers for Python ints that do not fit ``dt``: int64 cannot unpack them, a
    narrower dtype refuses them, except that an unsigned one wraps around those within its
    range either side of zero."""
    unfit = _unfit(data, dt)
    if unfit is not None:
        raise unfit
    try:
        wide = np.array(data, dtype=np.int64)
    except OverflowError:
        raise ValueError("Overflow when unpacking long long") from None
    if dt.kind == "u" and wide.size and -(2 ** (8 * dt.itemsize)) < wide.min() <= wide.max():
        if wide.max() < 2 ** (8 * dt.itemsize):
            return wide.astype(dt)  # an integer cast wraps modulo 2**bits, as torch's does
    raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")


def _check_unsigned(data, dt: np.dtype) -> None:
    """torch's refusals for Python numbers into an unsigned dtype, first bad leaf first: uint64
    takes Python ints (and bools) only, the narrower ones a float only within 0 to their max."""
    if isinstance(data, Tensor) or not isinstance(data, (list, tuple, np.generic)):
        data = [data]
    top = 2 ** (8 * dt.itemsize)
    for x in _flat([data]):
        if dt != np.uint64:
            if isinstance(x, (float, np.floating)) and not 0 <= x <= top - 1:
                raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
        elif not isinstance(x, int):
            raise _ragged_error(data) or TypeError("an integer is required")
        elif x < 0:
            raise OverflowError("can't convert negative int to unsigned")
        elif x >= top:
            raise OverflowError("int too big to convert")


def _flat(data):
    for x in data:
        if isinstance(x, (list, tuple)):
            yield from _flat(x)
        else:
            yield x


def _untensor(data, dt: np.dtype):
    # torch reads a tensor inside a list as a Python scalar, whatever its number of dims: as an
    # index for an integer or bool result, else as a number
    if isinstance(data, Tensor):
        if data._data.size != 1:
            if dt.kind in "iub":
                raise TypeError(
                    "only integer tensors of a single element can be converted to an index"
                )
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data._data.reshape(()).item()
    if isinstance(data, (list, tuple)):
        return [_untensor(x, dt) for x in data]
    return data


def tensor(
    data, *, dtype=None, device=None, requires_grad: bool = False, pin_memory: bool = False
) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested list, array or tensor)."""
    check_device(device)
    _check_dtype_arg(dtype, "tensor")
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
    if isinstance(obj, (bytes, bytearray, memoryview)):  # the buffer's bytes, as frombuffer
        from .strided import frombuffer

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns of a read-only buffer once only
            result = frombuffer(obj, dtype=dtype or D.get_default_dtype())
        if copy:
            result = _make(result._data.copy())
        return _new_requiring_grad(result) if requires_grad else result
    result = as_tensor(obj, dtype, device)
    if copy and (result is obj or np.shares_memory(result._data, np.asarray(obj))):
        result = _make(result._data.copy())
    return _new_requiring_grad(result) if requires_grad else result


def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if any(st < 0 for st in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative "
            "strides are not currently supported. (You can probably work around this by making a "
            "copy of your array  with array.copy().) "
        )
    D.from_numpy_dtype(ndarray.dtype)  # torch's error for a dtype or byte order it lacks
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


def _invalid_args(fn: str, *args, **kwargs) -> TypeError:
    """torch's first line for arguments that match none of a function's signatures."""
    got = [type(a).__name__ for a in args] + [f"{k}={type(v).__name__}" for k, v in kwargs.items()]
    return TypeError(
        f"{fn}() received an invalid combination of arguments - got ({', '.join(got)}), but "
        "expected one of:"
    )


def _out_dtype(dtype, out, fn: str):
    """A factory given ``out=`` makes ``out``'s dtype; an explicit other ``dtype`` is an error."""
    if out is None:
        return dtype
    _check_out(out, f"aten::{fn}")
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


def _sizes(sizes: tuple, size, fn: str) -> tuple:
    """A factory's shape, given as ``f(2, 3)``, ``f((2, 3))`` or ``size=``, with torch's errors."""
    if not sizes and size is None:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "size"')
    if size is not None and not isinstance(size, (tuple, list)):
        raise TypeError(f"{fn}(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    if len(sizes) == 1 and isinstance(sizes[0], bool):
        raise TypeError(f"{fn}(): argument 'size' (position 1) must be tuple of ints, not bool")
    return shape_arg(sizes, size, fn)


def _zeros_shape(sizes: tuple, size) -> tuple:
    try:
        return _sizes(sizes, size, "zeros")
    except RuntimeError:  # zeros alone words a negative size its own way
        raise RuntimeError("zeros: Dimension size must be non-negative.") from None


def zeros(
    *sizes,
    size=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
) -> Tensor:
    """A tensor of zeros of shape ``size``."""
    shape = _zeros_shape(sizes, size)
    npd = _dt(_out_dtype(dtype, out, "zeros"), fn="zeros")
    return _into_out(_finish(np.zeros(shape, npd), requires_grad, device), out, "zeros")


def ones(
    *sizes,
    size=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
) -> Tensor:
    """A tensor of ones of shape ``size``."""
    shape = _sizes(sizes, size, "ones")
    npd = _dt(_out_dtype(dtype, out, "ones"), fn="ones")
    return _into_out(_finish(np.ones(shape, npd), requires_grad, device), out, "ones")


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
    """A tensor of shape ``size`` (zero-filled: uninitialised memory would make results depend
    on allocator history)."""
    shape = _sizes(sizes, size, "empty")
    npd = _dt(_out_dtype(dtype, out, "empty"), fn="empty")
    return _into_out(_finish(np.zeros(shape, npd), requires_grad, device), out, "empty")


def _fill_value(value, fn: str, arg: str = "fill_value", position: int = 2):
    """torch's check that ``fill_value`` is a number (a one-element 0-d tensor counts)."""
    if isinstance(value, Tensor) and value.ndim == 0:
        return value._data.item()
    if not (_number(value) and not isinstance(value, Tensor)) and not isinstance(value, np.bool_):
        raise TypeError(
            f"{fn}(): argument '{arg}' (position {position}) must be Number, not "
            + type(value).__name__
        )
    return value


def _filled(shape: tuple, value, npd: np.dtype) -> np.ndarray:
    """``value`` in an array of ``npd``, refused as torch refuses a value the dtype cannot hold."""
    from .clamp import _scalar_in

    return np.full(shape, _scalar_in(value, D._BY_NP[npd]), npd)


def full(
    size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """A tensor of shape ``size`` filled with the number ``fill_value``."""
    if not isinstance(size, (tuple, list, Tensor)):
        raise TypeError(
            f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}"
        )
    if isinstance(fill_value, Tensor) and fill_value.ndim:
        raise TypeError("full(): argument 'fill_value' (position 2) must be Number, not Tensor")
    dtype = _out_dtype(dtype, out, "full")
    if dtype is None:
        dtype = _scalar_dtype(fill_value)
    value = _fill_value(fill_value, "full")
    npd = _dt(dtype, fn="full")
    result = _finish(_filled(shape_arg((size,), None, "full"), value, npd), requires_grad, device)
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


def _like(input: Tensor, dtype, memory_format, fn: str, fill) -> np.ndarray:
    """An array shaped like ``input`` (laid out as it is, unless ``memory_format`` says
    otherwise, as torch's ``preserve_format``) of ``dtype`` or input's, filled with ``fill``."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    _check_dtype_arg(dtype, fn)
    npd = to_np_dtype(dtype) if dtype is not None else input._data.dtype
    a = input._data
    if memory_format in (D.channels_last, D.channels_last_3d):
        # checked as torch does; Ember keeps no channels-last layout apart from contiguous
        rank = 4 if memory_format is D.channels_last else 5
        if a.ndim != rank:
            name = "channels_last" if rank == 4 else "channels_last_3d"
            raise RuntimeError(f"required rank {rank} tensor to use {name} format")
    flat = _filled((), fill, npd)
    order = "K" if memory_format in (None, D.preserve_format) else "C"
    return np.full_like(a, flat, dtype=npd, order=order)


def zeros_like(
    input: Tensor,  # noqa: A002
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    """A tensor of zeros with ``input``'s shape (and dtype, unless ``dtype`` is given)."""
    arr = _like(input, dtype, memory_format, "zeros_like", 0)
    return _finish(arr, requires_grad, device)


def ones_like(
    input: Tensor,  # noqa: A002
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    """A tensor of ones with ``input``'s shape (and dtype, unless ``dtype`` is given)."""
    arr = _like(input, dtype, memory_format, "ones_like", 1)
    return _finish(arr, requires_grad, device)


def empty_like(
    input: Tensor,  # noqa: A002
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    """A (zero-filled) tensor with ``input``'s shape (and dtype, unless ``dtype`` is given)."""
    arr = _like(input, dtype, memory_format, "empty_like", 0)
    return _finish(arr, requires_grad, device)


def full_like(
    input: Tensor,  # noqa: A002
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    """A tensor with ``input``'s shape (and dtype, unless ``dtype`` is given) filled with
    ``fill_value``."""
    if isinstance(fill_value, Tensor) and fill_value.ndim:
        raise TypeError(
            "full_like(): argument 'fill_value' (position 2) must be Number, not Tensor"
        )
    if not isinstance(input, Tensor):
        _like(input, dtype, memory_format, "full_like", 0)  # torch's TypeError for the input
    value = _fill_value(fill_value, "full_like")
    arr = _like(input, dtype, memory_format, "full_like", value)
    return _finish(arr, requires_grad, device)


def int_arg(v, fn: str, name: str, position: int) -> int:
    """An int argument as torch's parser reads it: a Python or NumPy int, or an integer tensor
    of one element; a bool, a float or anything else is a TypeError in torch's words."""
    if isinstance(v, Tensor) and v._data.size == 1 and v._data.dtype.kind in "iu":
        return int(v._data.reshape(()))
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {position}) must be int, not {_type_name(v)}"
        )
    return int(v)


def _eye_size(v, name: str, position: int, args: tuple, kwargs: dict) -> int:
    try:
        v = int_arg(v, "eye", name, position)
    except TypeError:
        if name == "n" and len(args) == 1 and not kwargs:
            raise
        raise _invalid_args("eye", *args, **kwargs) from None
    if v < 0:
        raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
    return int(v)


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
    args = (n,) if m is None else (n, m)
    kw = {} if dtype is None or isinstance(dtype, D.dtype) else {"dtype": dtype}
    n = _eye_size(n, "n", 1, args, kw)
    m = n if m is None else _eye_size(m, "m", 2, args, kw)
    if kw:
        raise _invalid_args("eye", *args, **kw)
    npd = _dt(_out_dtype(dtype, out, "eye"))
    if D._BY_NP[npd] in D.LIMITED:
        raise NotImplementedError(
            f"\"eye\" not implemented for '{D.scalar_type_name(D._BY_NP[npd])}'"
        )
    return _into_out(_finish(np.eye(n, m, dtype=npd), requires_grad, device), out, "eye")


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False) -> Tensor:
    """A 0-d tensor holding the number ``s`` (of the default dtype unless ``dtype`` is given)."""
    if isinstance(s, Tensor) and s.ndim:
        raise TypeError("scalar_tensor(): argument 's' (position 1) must be Number, not Tensor")
    value = _fill_value(s, "scalar_tensor", "s", 1)
    return _finish(_filled((), value, _dt(dtype, fn="scalar_tensor")), requires_grad, device)


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


# Re-exported so ``ember.functions.creation.arange`` and ``from .creation import *`` keep working;
# imported last since the range factories build on the helpers above.
from .creation_ranges import arange, linspace, logspace, range_  # noqa: E402, F401
