"""Flips, rotations and rolls: ``flip``, ``fliplr``, ``flipud``, ``rot90`` and ``roll``, with
torch's argument forms and errors."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, apply
from ..autograd.primitives import shape as P
from ..autograd.primitives import shape_named as PN
from ._util import dims_tuple, wrap_dim


def _int_list(values, fn: str, arg: str, position: int = 2) -> tuple:
    """A sequence of ints, with torch's TypeError naming the first element that is not one
    (torch words it one way for the first element, another way, counting from 1, for the rest)."""
    for i, v in enumerate(values):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            got = type(v).__name__
            if i:
                raise TypeError(
                    f"{fn}(): argument '{arg}' failed to unpack the object at pos {i + 1} with "
                    f'error "type must be tuple of ints,but got {got}"'
                )
            raise TypeError(
                f"{fn}(): argument '{arg}' (position {position}) must be tuple of ints, but found "
                f"element of type {got} at pos 0"
            )
    return tuple(int(v) for v in values)


def flip(input: Tensor, dims) -> Tensor:  # noqa: A002
    """``input`` with the order of elements reversed along ``dims``."""
    if not isinstance(dims, (tuple, list)):
        raise TypeError(
            f"flip(): argument 'dims' (position 2) must be tuple of ints, not {type(dims).__name__}"
        )
    dims = _int_list(dims, "flip", "dims")
    dims = tuple(wrap_dim(d, input.ndim) for d in dims)
    dims_tuple(dims, input.ndim)  # torch's error for a repeated dim
    if not input.ndim:  # a 0-dim tensor takes dim 0 or -1, as torch's, and stays as it is
        return apply(P.flip, (input,), None, dims=())
    return apply(P.flip, (input,), None, dims=dims)


def flip_method(input: Tensor, *dims, **kwargs) -> Tensor:  # noqa: A002
    """``Tensor.flip``, which also takes the dims as separate arguments: ``x.flip(0, 1)``."""
    if kwargs:
        return flip(input, *dims, **kwargs)
    if not dims:
        raise TypeError('flip() missing 1 required positional arguments: "dims"')
    one = len(dims) == 1 and isinstance(dims[0], (tuple, list))
    return flip(input, dims[0] if one else dims)


def rot90(input: Tensor, k: int = 1, dims=(0, 1)) -> Tensor:  # noqa: A002
    """``input`` rotated by ``k`` quarter turns in the plane of ``dims``, from the first towards
    the second."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"rot90(): argument 'k' (position 2) must be int, not {type(k).__name__}")
    if not isinstance(dims, (tuple, list)):
        raise TypeError(
            "rot90(): argument 'dims' (position 3) must be tuple of ints, not "
            + type(dims).__name__
        )
    dims = list(_int_list(dims, "rot90", "dims", 3))
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = (wrap_dim(d, input.ndim) for d in dims)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}"
        )
    return apply(PN.rot90, (input,), None, k=int(k) % 4, dims=(d0, d1))


def fliplr(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` flipped left to right (along dim 1)."""
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` flipped upside down (along dim 0)."""
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def roll(input: Tensor, shifts, dims=None) -> Tensor:  # noqa: A002
    """``input`` shifted ``shifts`` places along ``dims`` (the flattened input when None),
    elements past the end coming round to the start."""
    if isinstance(shifts, Tensor) and not shifts.ndim and shifts._data.dtype.kind in "iu":
        shifts = shifts.item()
    for arg, v, pos in (("shifts", shifts, 2), ("dims", dims, 3)):
        if v is not None and not isinstance(v, (tuple, list)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError(
                    f"roll(): argument '{arg}' (position {pos}) must be tuple of ints, not "
                    + type(v).__name__
                )
    shifts = (int(shifts),) if not isinstance(shifts, (tuple, list)) else tuple(shifts)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if isinstance(dims, (tuple, list)) and not dims:
        dims = None  # no dims: the flattened input, as torch
    if dims is None and len(shifts) > 1:
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
    if dims is None:
        shifts = shifts[0]
    elif not input.ndim:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    else:
        dims = (dims,) if not isinstance(dims, (tuple, list)) else tuple(dims)
        if len(shifts) != len(dims):
            raise RuntimeError(
                f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
            )
        dims = tuple(wrap_dim(d, input.ndim) for d in dims)
    return apply(P.roll, (input,), None, shifts=shifts, dims=dims)
