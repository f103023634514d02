"""The legacy typed constructors: ``ember.FloatTensor([1, 2])``, ``ember.LongTensor(2, 3)``.

Each is a class whose instances are the plain tensors of its dtype: calling it builds a
``Tensor``, and ``isinstance(t, ember.FloatTensor)`` asks for a float32 tensor (a metaclass
``__instancecheck__``), as with torch's.
"""

from __future__ import annotations

import numpy as np

from ._tensor import Size, Tensor, _make


class _TypedTensorMeta(type):
    def __instancecheck__(cls, obj) -> bool:
        return isinstance(obj, Tensor) and obj._data.dtype == cls._np_dtype

    def __call__(cls, *args, device=None, **kwargs):
        from ._device import check_device

        check_device(device)
        if kwargs:
            raise TypeError(
                f"new() received an invalid combination of arguments - got unexpected keyword "
                f"argument(s) {', '.join(kwargs)}"
            )
        dt = cls._np_dtype
        if not args:
            return _make(np.zeros((0,), dt))
        if len(args) == 1 and isinstance(args[0], Size):
            return _make(np.zeros(tuple(args[0]), dt))
        if all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args):
            return _make(np.zeros(tuple(int(a) for a in args), dt))  # torch: uninitialised
        if len(args) == 1:
            data = args[0]
            if isinstance(data, str):
                raise TypeError("new(): invalid data type 'str'")
            if isinstance(data, Tensor):
                if data._data.dtype != dt:
                    raise TypeError(
                        f"expected {cls.__name__[:-6]} (got {_scalar_name(data._data.dtype)})"
                    )
                return data
            return _make(np.array(_numbers(data), dtype=dt))
        raise TypeError(f"new(): invalid data type '{type(args[0]).__name__}'")

    def __repr__(cls) -> str:
        return f"<class 'ember.{cls.__name__}'>"


def _numbers(data):
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, (list, tuple)):
        return [_numbers(d) for d in data]
    if isinstance(data, Tensor):
        return data._data
    return data


def _scalar_name(dt) -> str:
    from . import _dtype as D
    from .functions.reduce import _scalar_type_name

    return _scalar_type_name(D._BY_NP[np.dtype(dt)])


def _typed(name: str, np_dtype) -> type:
    cls = _TypedTensorMeta(name, (), {"_np_dtype": np.dtype(np_dtype), "__module__": "ember"})
    cls.__doc__ = f"Legacy constructor of {np.dtype(np_dtype).name} tensors."
    return cls


FloatTensor = _typed("FloatTensor", np.float32)
DoubleTensor = _typed("DoubleTensor", np.float64)
HalfTensor = _typed("HalfTensor", np.float16)
LongTensor = _typed("LongTensor", np.int64)
IntTensor = _typed("IntTensor", np.int32)
ShortTensor = _typed("ShortTensor", np.int16)
CharTensor = _typed("CharTensor", np.int8)
ByteTensor = _typed("ByteTensor", np.uint8)
BoolTensor = _typed("BoolTensor", np.bool_)

_default_device = None
_device_stack: list = []  # the defaults ``with device(...)`` blocks replaced


def set_default_device(device) -> None:
    """Set the device new tensors go to. Ember computes on the CPU, so only ``'cpu'`` (or None)
    is accepted; other devices raise here, where torch's CPU build raises at the next tensor."""
    from ._device import check_device

    global _default_device
    _default_device = None if device is None else check_device(device)


def get_default_device():
    from ._device import CPU

    return _default_device or CPU


__all__ = [
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
    "BoolTensor",
    "set_default_device",
    "get_default_device",
]
