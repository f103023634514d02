"""Turning lists of samples into batches (``default_collate``) and samples into tensors
(``default_convert``), with torch's rules.

``collate`` dispatches on the type of the first sample through ``collate_fn_map`` (exact type
first, then ``isinstance`` in insertion order) and recurses into mappings, named tuples and
sequences; ``default_collate_fn_map`` holds the rules for tensors, NumPy arrays and scalars,
Python numbers and strings.
"""

from __future__ import annotations

import collections.abc
import copy
import functools
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ember._dtype import dtype, float64, from_numpy_dtype, promote_types, result_type
from ember._tensor import Tensor
from ember.functions.creation import as_tensor, from_numpy, tensor
from ember.functions.shape import stack

__all__ = [
    "collate",
    "collate_tensor_fn",
    "collate_numpy_array_fn",
    "collate_numpy_scalar_fn",
    "collate_float_fn",
    "collate_int_fn",
    "collate_str_fn",
    "default_collate",
    "default_collate_fn_map",
    "default_convert",
]

# NumPy dtype strings of bytes, unicode and object arrays: these are not turned into tensors
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _rebuild_like(data, elem_type: type, items: dict | list, mutable_abc: type):
    """A container of ``data``'s type holding ``items``: a shallow copy updated in place for
    mutable containers, ``elem_type(items)`` otherwise, a plain dict/list when that fails."""
    try:
        if isinstance(data, mutable_abc):
            clone = copy.copy(data)
            if isinstance(items, dict):
                clone.update(items)
            else:
                for i, v in enumerate(items):
                    clone[i] = v
            return clone
        return elem_type(items)
    except TypeError:
        return items


def default_convert(data: Any) -> Any:
    """Convert NumPy arrays and scalars inside ``data`` to tensors, recursing into mappings,
    named tuples and sequences (tuples become lists); everything else is returned unchanged.

    This is the ``collate_fn`` of a ``DataLoader`` with automatic batching disabled.
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str):
            return data
        if isinstance(data, np.uint64):  # torch reads it as a number, which uint64 refuses
            return as_tensor(data)
        return from_numpy(np.asarray(data))  # keeps the dtype of NumPy scalars too
    if isinstance(data, collections.abc.Mapping):
        converted = {key: default_convert(data[key]) for key in data}
        return _rebuild_like(data, elem_type, converted, collections.abc.MutableMapping)
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, str | bytes):
        converted = [default_convert(d) for d in data]
        return _rebuild_like(data, elem_type, converted, collections.abc.MutableSequence)
    return data


def collate(batch: Any, *, collate_fn_map: dict[type | tuple[type, ...], Callable] | None = None):
    """Collate ``batch`` (a sequence of samples) element-wise, with the per-type rules of
    ``collate_fn_map``; each rule is called as ``fn(batch, collate_fn_map=collate_fn_map)``."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)

    def sub(samples):
        return collate(samples, collate_fn_map=collate_fn_map)

    if isinstance(elem, collections.abc.Mapping):
        collated = {key: sub([d[key] for d in batch]) for key in elem}
        return _rebuild_like(elem, elem_type, collated, collections.abc.MutableMapping)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # namedtuple
        return elem_type(*(sub(samples) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        columns = [sub(samples) for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return columns
        return _rebuild_like(elem, elem_type, columns, collections.abc.MutableSequence)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Tensors are stacked along a new first dimension."""
    return stack(list(batch), 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """NumPy arrays become tensors (no copy), then are collated as tensors."""
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def _element_dtype(x) -> dtype:
    """The dtype torch infers for one element of a list: a NumPy scalar keeps its own, a Python
    number gets the default for its kind (so a Python float is float32, not NumPy's float64)."""
    if isinstance(x, np.generic):
        return from_numpy_dtype(x.dtype)
    return result_type((), (x,))


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """NumPy scalars become a 1-d tensor of their dtype; mixed dtypes promote as in torch."""
    if not all(isinstance(x, np.generic | bool | int | float | complex) for x in batch):
        return as_tensor(list(batch))  # not all numbers: the factory's error for the odd one
    common = functools.reduce(promote_types, map(_element_dtype, batch))
    if common.np == np.uint64:  # torch reads these scalars as numbers, which uint64 refuses
        return as_tensor(list(batch))
    return from_numpy(np.asarray(batch, dtype=common.np))


def collate_float_fn(batch, *, collate_fn_map=None):
    """Python floats become a float64 tensor."""
    return tensor(batch, dtype=float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    """Python ints become an int64 tensor (bools a bool tensor)."""
    if batch and type(batch) in (list, tuple) and all(type(x) is int for x in batch):
        # The usual labels: NumPy reads plain ints far faster than the general factory walks
        # them; an int outside int64 falls through to the factory, for torch's error.
        try:
            return from_numpy(np.array(batch, dtype=np.int64))
        except OverflowError:
            pass
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    """Strings and bytes stay a list."""
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch: Any) -> Any:
    """Stack a list of samples into a batch, as torch's ``default_collate`` does.

    Tensors are stacked (a new first dimension); NumPy arrays and scalars become tensors and are
    stacked; Python floats become float64, ints int64 and bools bool tensors; strings and bytes
    stay lists; mappings, named tuples and sequences are collated element-wise (tuples become
    lists). Samples of unequal size raise ``RuntimeError``, unsupported types ``TypeError``.
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
