"""Work buffers reused across training steps, and the switches of the kernels' fast paths.

A fresh multi-megabyte array costs page faults on every first touch (the allocator hands large
blocks back to the OS on free), which for the seed CNN is a quarter of a step. ``empty`` hands out
an array of the asked shape that a previous step used and dropped: an array is reused only when
the pool holds the *only* reference to it (any view, Tensor, saved graph value or user variable
holds a reference to the array that owns the memory, so a buffer still in use is never handed out
twice). The pool keeps a few buffers per shape, within a byte budget.

``FAST`` turns the fast paths off for tests (``plain()``): fresh arrays, no threads, no caching.
"""

from __future__ import annotations

import contextlib
import math
import sys
import threading
from collections import OrderedDict

import numpy as np

__all__ = ["empty", "zeros_border", "plain", "FAST", "clear"]


class _Flags:
    __slots__ = ("reuse", "threads", "cache_columns")

    def __init__(self) -> None:
        self.reuse = True
        self.threads = True
        self.cache_columns = True


FAST = _Flags()

_MIN_BYTES = 1 << 18  # smaller arrays come cheaply from the allocator's free lists
_PER_KEY = 4
_BUDGET = 512 << 20
_lock = threading.Lock()
_pools: OrderedDict[tuple, list[np.ndarray]] = OrderedDict()
_clean: dict[int, tuple] = {}  # id of a pooled array -> the inner region its zero border frames
_held = 0
_DTYPES: dict = {}  # np.dtype of each dtype argument seen (np.dtype() costs a call each time)


def _free_refs() -> int:
    # references to a pooled array seen inside ``empty``: the pool's list and the call's argument
    lst = [np.empty(1)]
    return sys.getrefcount(lst[0])


_FREE = _free_refs()


def empty(shape, dtype) -> np.ndarray:
    """An uninitialized array, reused from a previous call when nothing else references it."""
    return _take(shape, dtype, None)


def _take(shape, dtype, border):
    """``empty``'s array; ``border`` (a zeros_border key) asks for one whose border is known to
    be zero, else any free one. Handing an array out drops its mark unless ``border`` matches."""
    dt = _DTYPES.get(dtype)
    if dt is None:
        dt = np.dtype(dtype)
        if len(_DTYPES) < 64:
            _DTYPES[dtype] = dt
    dtype = dt
    if type(shape) is not tuple:  # NumPy integers in a tuple hash and compare as ints
        shape = tuple(shape)
    nbytes = dtype.itemsize * math.prod(shape)
    if nbytes < _MIN_BYTES or not FAST.reuse:
        return np.empty(shape, dtype)
    global _held
    key = (shape, dtype.str)
    with _lock:
        lst = _pools.get(key)
        if lst is not None:
            _pools.move_to_end(key)
            first = None
            for a in lst:  # free: referenced by the list, ``a`` and getrefcount's argument only
                if sys.getrefcount(a) == _FREE + 1:
                    if _clean.get(id(a)) == border:
                        first = a
                        break
                    if first is None:
                        first = a
            a = first
            if a is not None:
                if border is None or _clean.get(id(a)) != border:
                    _clean.pop(id(a), None)
                return a
        a = np.empty(shape, dtype)
        if lst is None:
            lst = _pools[key] = []
        if len(lst) < _PER_KEY:
            lst.append(a)
            _held += nbytes
            while _held > _BUDGET and len(_pools) > 1:
                old_key, old = _pools.popitem(last=False)
                _held -= sum(b.nbytes for b in old)
                for b in old:
                    _clean.pop(id(b), None)
        return a


def zeros_border(shape, dtype, inner: tuple[slice, ...]) -> np.ndarray:
    """A work array whose entries outside ``inner`` are zero (the inside is left to the caller).

    The callers (padding for convolutions) write only inside ``inner``, so a pooled array keeps
    its zero border from one step to the next: it is zeroed once, and marked until ``empty``
    hands it to another use."""
    border = tuple((sl.start, sl.stop) for sl in inner)
    a = _take(shape, dtype, border)
    if _clean.get(id(a)) == border:
        return a
    for axis, sl in enumerate(inner):
        if sl.start:
            a[(slice(None),) * axis + (slice(0, sl.start),)] = 0
        if sl.stop is not None and sl.stop < shape[axis]:
            a[(slice(None),) * axis + (slice(sl.stop, None),)] = 0
    if FAST.reuse and a.nbytes >= _MIN_BYTES:
        with _lock:
            if any(b is a for b in _pools.get((a.shape, a.dtype.str), ())):
                _clean[id(a)] = border
    return a


def clear() -> None:
    """Drop every pooled buffer."""
    global _held
    with _lock:
        _pools.clear()
        _clean.clear()
        _held = 0


@contextlib.contextmanager
def plain():
    """Run the kernels on their plain paths: fresh arrays, one thread, no cached columns."""
    saved = (FAST.reuse, FAST.threads, FAST.cache_columns)
    FAST.reuse = FAST.threads = FAST.cache_columns = False
    try:
        yield
    finally:
        FAST.reuse, FAST.threads, FAST.cache_columns = saved
