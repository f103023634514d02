"""Tensors over explicit memory: ``as_strided``, ``empty_strided``, ``empty_permuted``,
``frombuffer``.

A tensor's "storage" here is the flat NumPy array its values live in (the array its views
ultimately look into); ``as_strided`` indexes it in elements, as torch indexes its storage.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._tensor import Tensor, _make, apply
from ..autograd.grad_mode import _state
from ..autograd.primitives import strided as P
from .creation import _dt, _finish
from .inplace import check_inplace


def _storage(t: Tensor) -> tuple[np.ndarray, tuple, int]:
    """(flat storage, t's strides in it, t's offset in it), in elements.

    The storage is the array at the root of t's NumPy views when that is one row-major block of
    t's dtype; otherwise (memory Ember laid out itself) a row-major copy of t stands for it.
    """
    if t._base is None:
        t._relayout()  # Ember's channels-last activations: give them torch's row-major memory
    d = t._data
    root = d
    while isinstance(root.base, np.ndarray):
        root = root.base
    item = d.itemsize
    if root.dtype == d.dtype and root.flags.c_contiguous and root.size:
        flat = root.reshape(-1)
        offset = (d.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // item
        return flat, tuple(s // item for s in d.strides), offset
    flat = np.ascontiguousarray(d).reshape(-1)
    strides, n = [], 1
    for size in reversed(d.shape):
        strides.append(n)
        n *= max(size, 1)
    return flat, tuple(reversed(strides)), 0


def _geometry(size, stride, storage_offset, storage_size: int, item: int) -> tuple:
    size = tuple(int(s) for s in size)
    stride = tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"as_strided: Negative strides are not supported at the moment, got strides: "
            f"{list(stride)}"
        )
    if storage_offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {storage_offset}")
    if any(s < 0 for s in size):
        raise RuntimeError(
            f"Storage size calculation overflowed with sizes={list(size)} and "
            f"strides={list(stride)}"
        )
    if all(size):
        needed = storage_offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
        if needed > storage_size:
            raise RuntimeError(
                f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
                f"{storage_offset}, and itemsize {item} requiring a storage size of "
                f"{needed * item} are out of bounds for storage of size {storage_size * item}"
            )
    return size, stride


def _strided(input: Tensor, size, stride, storage_offset, prim, src=None) -> Tensor:  # noqa: A002
    flat, in_stride, in_offset = _storage(input)
    offset = in_offset if storage_offset is None else int(storage_offset)
    size, stride = _geometry(size, stride, offset, flat.size, flat.itemsize)
    if src is not None:
        if tuple(src.shape) != size:
            raise RuntimeError(
                f"expected src to have a size equal to the slice of self. src size = "
                f"{list(src.shape)}, slice size = {list(size)}"
            )
        pos = P.positions(size, stride, offset)
        if np.unique(pos).size != pos.size:  # two src elements for one place: refused as torch
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers "
                "to a single memory location. Please clone() the tensor before performing the "
                "operation."
            )
    return apply(
        prim,
        (input,) if src is None else (input, src),
        None,
        storage=flat,
        size=size,
        stride=stride,
        offset=offset,
        in_stride=in_stride,
        in_offset=in_offset,
    )


def as_strided(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:  # noqa: A002
    """A view of ``input``'s memory with the given sizes and strides (in elements), from
    ``storage_offset`` (default: ``input``'s own offset); elements may overlap."""
    return _strided(input, size, stride, storage_offset, P.as_strided)


def as_strided_(input: Tensor, size, stride, storage_offset: int | None = None) -> Tensor:  # noqa: A002
    """In-place ``as_strided``: ``input`` itself takes the new sizes and strides."""
    check_inplace(input)
    recording = _state.enabled and input._rg
    view = _strided(input, size, stride, storage_offset, P.as_strided_inplace)
    input._data = view._data
    if recording:
        input.grad_fn, input._output_nr = view.grad_fn, 0
    return input


def as_strided_scatter(
    input: Tensor,  # noqa: A002
    src: Tensor,
    size,
    stride,
    storage_offset: int | None = None,
) -> Tensor:
    """A copy of ``input`` with ``src`` written where ``input.as_strided(size, stride,
    storage_offset)`` would look (positions in ``input``'s memory)."""
    return _strided(input, size, stride, storage_offset, P.as_strided_scatter, src)


def _check_sizes(size: tuple) -> None:
    if any(s < 0 for s in size):
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(size)}: {list(size)}"
        )


def empty_strided(
    size,
    stride,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A zero-filled tensor of shape ``size`` whose memory has the given strides (in elements)."""
    npd = _dt(dtype, fn="empty_strided")
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError(
            f"dimensionality of sizes ({len(size)}) must match dimensionality of strides "
            f"({len(stride)})"
        )
    _check_sizes(size)
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"Storage size calculation overflowed with sizes={list(size)} and "
            f"strides={list(stride)}"
        )
    n = 1 + sum((k - 1) * s for k, s in zip(size, stride)) if all(size) else 0
    item = np.dtype(npd).itemsize
    storage = np.zeros(n, npd)
    arr = np.lib.stride_tricks.as_strided(storage, size, tuple(s * item for s in stride))
    return _finish(arr, requires_grad, device)


def empty_permuted(
    size,
    physical_layout,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A zero-filled tensor of shape ``size`` whose dims lie in memory in ``physical_layout``
    order (outermost first): ``empty_permuted((N, C, H, W), (0, 2, 3, 1))`` is channels-last."""
    size, order = tuple(int(s) for s in size), tuple(int(p) for p in physical_layout)
    if len(order) != len(size):
        raise RuntimeError(
            f"Number of dimensions in size does not match the length of the physical_layout; "
            f"i.e. len(size) = {len(size)} is not equal to len(physical_layout) = {len(order)}"
        )
    for i, p in enumerate(order):
        if not 0 <= p < len(size):
            raise RuntimeError(
                f"Dimension out of range (expected to be between 0 and {len(size) - 1}, but got "
                f"{p} at index {i}).  NB: negative dims not currently supported; file an issue "
                "if you want it."
            )
    if len(set(order)) != len(order):
        raise RuntimeError("Duplicate dim not allowed")
    _check_sizes(size)
    npd = _dt(dtype, fn="empty_permuted")
    inverse = np.argsort(order)
    arr = np.zeros([size[p] for p in order], npd).transpose(inverse)
    return _finish(arr, requires_grad, device)


def frombuffer(
    buffer, *, dtype, count: int = -1, offset: int = 0, requires_grad: bool = False
) -> Tensor:
    """A 1-D tensor sharing memory with an object of the buffer protocol (bytes, bytearray,
    array.array, memoryview...): ``count`` elements of ``dtype`` from byte ``offset``."""
    npd = np.dtype(_dt(dtype, fn="frombuffer"))
    try:
        view = memoryview(buffer)
    except TypeError:
        raise ValueError("object does not implement Python buffer protocol.") from None
    length = view.nbytes
    if length == 0 or count == 0:
        raise ValueError(f"both buffer length ({length}) and count ({count}) must not be 0")
    if offset < 0 or offset >= length:
        raise ValueError(
            f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
            f"({length} bytes) minus 1"
        )
    item = npd.itemsize
    if count < 0:
        if (length - offset) % item:
            raise ValueError(
                f"buffer length ({length - offset} bytes) after offset ({offset} bytes) must be "
                f"a multiple of element size ({item})"
            )
        count = (length - offset) // item
    elif offset + count * item > length:
        raise ValueError(
            f"requested buffer length ({count} * {item} bytes) after offset ({offset} bytes) "
            f"must not be greater than actual buffer length ({length} bytes)"
        )
    if view.readonly:
        warnings.warn(
            "The given buffer is not writable, and PyTorch does not support non-writable "
            "tensors. This means you can write to the underlying (supposedly non-writable) "
            "buffer using the tensor. You may want to copy the buffer to protect its data or "
            "make it writable before converting it to a tensor. This type of warning will be "
            "suppressed for the rest of this program.",
            UserWarning,
            stacklevel=2,
        )
    t = _make(np.frombuffer(buffer, dtype=npd, count=count, offset=offset))
    if requires_grad:
        t.requires_grad_(True)
    return t
