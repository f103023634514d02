"""torchvision's v2 sample helpers: type checks over a flattened sample, the sample's boxes, and
the shared sizes (``query_size``, ``query_chw``)."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from ember.vision.tv_tensors import BoundingBoxes

from ._transform import query_chw, query_size

__all__ = ["check_type", "get_bounding_boxes", "has_all", "has_any", "query_chw", "query_size"]


def check_type(obj: Any, types_or_checks: tuple[type | Callable[[Any], bool], ...]) -> bool:
    """Whether ``obj`` is an instance of one of the types, or passes one of the checks."""
    return any(isinstance(obj, t) if isinstance(t, type) else t(obj) for t in types_or_checks)


def has_any(flat_inputs: list, *types_or_checks: type | Callable[[Any], bool]) -> bool:
    """Whether some input matches some of ``types_or_checks``."""
    return any(check_type(x, types_or_checks) for x in flat_inputs)


def has_all(flat_inputs: list, *types_or_checks: type | Callable[[Any], bool]) -> bool:
    """Whether each of ``types_or_checks`` is matched by some input."""
    return all(any(check_type(x, (t,)) for x in flat_inputs) for t in types_or_checks)


def get_bounding_boxes(flat_inputs: list) -> BoundingBoxes:
    """The first ``BoundingBoxes`` of the sample (a sample is expected to hold one)."""
    for x in flat_inputs:
        if isinstance(x, BoundingBoxes):
            return x
    raise ValueError("No bounding boxes were found in the sample")


def _check_fill(fill) -> None:
    values = fill.values() if isinstance(fill, dict) else [fill]
    for v in values:
        if v is not None and not isinstance(v, numbers.Number | tuple | list):
            raise TypeError(
                "Got inappropriate fill arg, only Numbers, tuples, lists and dicts are allowed."
            )


def _get_fill(fill, inpt):
    """The fill for ``inpt``: per type (or ``"others"``) when ``fill`` is a dict."""
    if not isinstance(fill, dict):
        return fill
    if type(inpt) in fill:
        return fill[type(inpt)]
    if "others" in fill:
        return fill["others"]
    raise RuntimeError(f"fill has no entry for {type(inpt).__name__} and no 'others' entry")
