"""Splits and slices along one dim: ``split``, ``chunk``, ``tensor_split``, ``unbind``,
``narrow`` and ``select``, with torch's argument forms, errors and nodes."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, apply
from ..autograd.primitives import shape as P
from ._util import wrap_dim


def split(tensor: Tensor, split_size_or_sections, dim: int = 0):
    """Split into chunks of a size (the last may be smaller) or of the given sizes."""
    if not tensor.ndim:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size < 0:
            raise RuntimeError(
                f"split expects split_size be non-negative, but got split_size={size}"
            )
        if size == 0 and n:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if size else [0]
        return apply(P.split, (tensor,), None, sizes=sizes, dim=d)
    sizes = [int(s) for s in split_size_or_sections]
    if sum(sizes) != n:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
            f"dimension {d}), but got split_sizes={sizes}"
        )
    return apply(P.split_with_sizes, (tensor,), None, sizes=sizes, dim=d)


def split_method(self: Tensor, split_size, dim: int = 0):
    """``Tensor.split``, whose size argument torch names ``split_size``."""
    return split(self, split_size, dim)


def _sections(indices_or_sections, sections, indices, fn: str):
    """torch's overloads: the split given positionally, or as ``sections=`` / ``indices=``."""
    given = [v for v in (indices_or_sections, sections, indices) if v is not None]
    if len(given) != 1:
        raise TypeError(f"{fn}() received an invalid combination of arguments")
    return given[0]


def tensor_split(
    input: Tensor,  # noqa: A002
    indices_or_sections=None,
    dim: int = 0,
    *,
    sections: int | None = None,
    indices=None,
):
    """Split along ``dim`` into ``k`` nearly equal views, or at the given indices."""
    indices_or_sections = _sections(indices_or_sections, sections, indices, "tensor_split")
    if not input.ndim:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    else:
        bounds = [0] + [min(int(i), n) for i in indices_or_sections] + [n]
        sizes = [max(b - a, 0) for a, b in zip(bounds, bounds[1:])]
    return apply(P.split_with_sizes, (input,), None, sizes=sizes, dim=d)


def chunk(input: Tensor, chunks: int, dim: int = 0):  # noqa: A002
    """Split into ``chunks`` nearly equal pieces (fewer when the size does not allow)."""
    if not input.ndim:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    size = -(-n // chunks) if n else 1
    return split(input, size, d) if n else split(input, [0] * 1, d)


def unbind(input: Tensor, dim: int = 0):  # noqa: A002
    """The slices along ``dim``, as a tuple of views."""
    return apply(P.unbind, (input,), None, dim=wrap_dim(dim, input._data.ndim))


def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:  # noqa: A002
    if not input._data.ndim:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    key = (slice(None),) * d + (slice(start, start + length),)
    from .index import getitem_key

    return getitem_key(input, key, "slice")


def select(input: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(input._data.shape)} at dimension {d}"
        )
    from .index import getitem_key

    return getitem_key(input, (slice(None),) * d + (int(index),), "select")


def split_with_sizes(input: Tensor, split_sizes, dim: int = 0):  # noqa: A002
    """Split along ``dim`` into pieces of exactly the given sizes."""
    d = wrap_dim(dim, input.ndim)
    sizes = [int(s) for s in split_sizes]
    if sum(sizes) != input.shape[d]:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {input.shape[d]} (input "
            f"tensor's size at dimension {d}), but got split_sizes={sizes}"
        )
    return split(input, sizes, d)


def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """``narrow`` as a new tensor rather than a view."""
    return narrow(input, dim, start, length).clone()


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0):  # noqa: A002
    """``chunk`` (torch's variant skips view checks that Ember does not need)."""
    return chunk(input, chunks, dim)


def unsafe_split(tensor: Tensor, split_size: int, dim: int = 0):
    """``split`` into pieces of ``split_size`` (torch's variant skips view checks that Ember
    does not need)."""
    if not isinstance(split_size, (int, np.integer)):
        raise TypeError(
            "unsafe_split(): argument 'split_size' (position 1) must be int, not "
            + type(split_size).__name__
        )
    return split(tensor, split_size, dim)
