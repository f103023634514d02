"""Argument handling shared by the ``ember.*`` functions: tensors from arguments, dims, dtypes."""

from __future__ import annotations

import numbers
from collections import namedtuple

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim


def is_scalar(x) -> bool:
    return isinstance(x, (bool, numbers.Number)) and not isinstance(x, np.ndarray)


def as_tensor_arg(x, like: Tensor | None = None) -> Tensor:
    """A Tensor for an argument that may be a Python number, list or array."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return _make(x)
    from .creation import tensor

    return tensor(x)


def dims_tuple(dim, ndim: int):
    """Normalise ``dim`` (None, int, or sequence) to a sorted tuple of axes, or None for all."""
    if dim is None:
        return None
    if isinstance(dim, (int, np.integer)):
        d = _wrap_dim(int(dim), ndim)  # a 0-dim tensor takes dim 0 or -1 only
        return (d,) if ndim else ()
    dims = tuple(_wrap_dim(int(d), ndim) for d in dim)
    if len(set(dims)) != len(dims):
        d = next(d for d in dims if dims.count(d) > 1)
        raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if not ndim and dims:  # (0,) or (-1,) of a 0-dim tensor: its one value, as an int dim
        return ()
    return tuple(sorted(dims)) if dims else None


def wrap_dim(dim: int, ndim: int) -> int:
    return _wrap_dim(dim, ndim)


def to_np_dtype(dtype):
    return None if dtype is None else D.to_dtype(dtype).np


def shape_arg(size, keyword=None, fn: str = "empty") -> tuple:
    """Accept ``f(2, 3)``, ``f((2, 3))`` and ``f([2, 3])`` shapes, as torch's factories do, or the
    shape given by keyword (``size=(2, 3)``) as ``keyword``."""
    if keyword is not None:
        if size:
            raise TypeError(f"{fn}() got multiple values for argument 'size'")
        size = (keyword,)
    one_sequence = len(size) == 1 and isinstance(size[0], (tuple, list))
    if one_sequence:
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s.item())
        if not isinstance(s, (int, np.integer)):
            name = type(s).__name__
            # torch words it by how the size came: a sequence that starts badly, one bad object,
            # or any later element
            if one_sequence and not out:
                msg = f"(position 1) must be tuple of ints, but found element of type {name} at pos"
                raise TypeError(f"{fn}(): argument 'size' {msg} {len(out)}")
            if len(size) == 1:
                raise TypeError(
                    f"{fn}(): argument 'size' (position 1) must be tuple of ints, not {name}"
                )
            raise TypeError(
                f"{fn}(): argument 'size' failed to unpack the object at pos {len(out) + 1} with "
                f'error "type must be tuple of ints,but got {name}"'
            )
        out.append(int(s))
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {out}")
    return tuple(out)


def shape_error(a: tuple, b: tuple) -> RuntimeError:
    """torch's message when two shapes do not broadcast."""
    for i in range(1, max(len(a), len(b)) + 1):
        x = a[-i] if i <= len(a) else 1
        y = b[-i] if i <= len(b) else 1
        if x != y and x != 1 and y != 1:
            return RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                f"non-singleton dimension {max(len(a), len(b)) - i}"
            )
    return RuntimeError(f"shapes {a} and {b} are not broadcastable")


def broadcast_shapes(*shapes) -> tuple:
    """The broadcast of ``shapes``; torch's message naming the first clashing pair otherwise."""
    out = ()
    for s in shapes:
        try:
            out = np.broadcast_shapes(out, tuple(s))
        except ValueError:
            raise shape_error(tuple(out), tuple(s)) from None
    return tuple(out)


def return_type(name: str, fields: list) -> type:
    """A named tuple that prints as torch's ``torch.return_types.<name>(...)``, one field a line."""

    def __repr__(self) -> str:
        body = ",\n".join(f"{k}={v!r}" for k, v in zip(self._fields, self))
        return f"{D.NAMESPACE}.return_types.{name}(\n{body})"

    base = namedtuple(name, fields)
    return type(
        name, (base,), {"__slots__": (), "__repr__": __repr__, "__module__": "ember.return_types"}
    )
