"""``ember.finfo`` / ``ember.iinfo``: the numeric limits of a dtype, and torch's math constants."""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D

__all__ = ["e", "finfo", "iinfo", "inf", "nan", "newaxis", "pi"]

e = math.e
pi = math.pi
inf = math.inf
nan = math.nan
newaxis = None


def _dtype_arg(fn: str, args: tuple, kwargs: dict, required: bool) -> D.dtype:
    """torch's argument parsing for ``finfo(type)`` / ``iinfo(type)``."""
    if len(args) + len(kwargs) > 1 or (kwargs and "type" not in kwargs):
        got = ", ".join(
            [_type_name(a) for a in args] + [f"{k}={_type_name(v)}" for k, v in kwargs.items()]
        )
        forms = " * (torch.dtype type)\n" + (" * ()\n" if not required else "")
        raise TypeError(
            f"{fn}() received an invalid combination of arguments - got ({got}), but expected "
            f"one of:\n{forms}"
        )
    if not args and not kwargs:
        if required:
            raise TypeError(f'{fn}() missing 1 required positional arguments: "type"')
        return D.get_default_dtype()
    t = args[0] if args else kwargs["type"]
    if not isinstance(t, D.dtype):
        raise TypeError(
            f"{fn}(): argument 'type' (position 1) must be {D.NAMESPACE}.dtype, not "
            f"{type(t).__name__}"
        )
    return t


def _type_name(v) -> str:
    return f"{D.NAMESPACE}.dtype" if isinstance(v, D.dtype) else type(v).__name__


class finfo:  # noqa: N801 - torch spells it lowercase
    """Machine limits of a floating-point dtype (the default dtype without argument).

    Attributes: ``bits``, ``eps``, ``max``, ``min``, ``tiny`` (= ``smallest_normal``),
    ``resolution`` (floats) and ``dtype`` (its name, a str). A complex dtype gives its real part's.
    """

    __hash__ = None  # torch's finfo is unhashable

    def __init__(self, *args, **kwargs) -> None:
        t = _dtype_arg("finfo", args, kwargs, required=False)
        if not (t.is_floating_point or t.is_complex):
            raise TypeError(
                f"{D.NAMESPACE}.finfo() requires a floating point input type. Use "
                f"{D.NAMESPACE}.iinfo to handle '{D.NAMESPACE}.finfo'"
            )
        t = t.to_real()
        info = np.finfo(t.np)
        self.bits = int(info.bits)
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.smallest_normal = float(info.smallest_normal)
        self.tiny = self.smallest_normal
        self.resolution = 10.0 ** -int(info.precision)  # a Python float (NumPy's is dtype-typed)
        self.dtype = t.name

    def __eq__(self, other) -> bool:
        return isinstance(other, finfo) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, "
            f"eps={self.eps:g}, smallest_normal={self.smallest_normal:g}, tiny={self.tiny:g}, "
            f"dtype={self.dtype})"
        )

    __str__ = __repr__


class iinfo:  # noqa: N801 - torch spells it lowercase
    """Machine limits of an integer dtype: ``bits``, ``min``, ``max`` (ints) and ``dtype`` (str)."""

    __hash__ = None  # as torch's

    def __init__(self, *args, **kwargs) -> None:
        t = _dtype_arg("iinfo", args, kwargs, required=True)
        if t is D.bool:
            raise TypeError(f"{D.NAMESPACE}.bool is not supported by {D.NAMESPACE}.iinfo")
        if t.is_floating_point or t.is_complex:
            raise TypeError(
                f"{D.NAMESPACE}.iinfo() requires an integer input type. Use "
                f"{D.NAMESPACE}.finfo to handle '{D.NAMESPACE}.iinfo'"
            )
        info = np.iinfo(t.np)
        self.bits = int(info.bits)
        self.min = int(info.min)
        self.max = int(info.max)
        self.dtype = t.name

    def __eq__(self, other) -> bool:
        return isinstance(other, iinfo) and vars(self) == vars(other)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"

    __str__ = __repr__
