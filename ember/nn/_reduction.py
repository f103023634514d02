"""The loss ``reduction`` argument: its validation, and the deprecated size_average/reduce."""

from __future__ import annotations

import warnings

NONE, MEAN, SUM = 0, 1, 2
_ENUM = {"none": NONE, "mean": MEAN, "sum": SUM}


def get_enum(reduction: str) -> int:
    """``'none'``, ``'mean'``, ``'sum'`` as 0, 1, 2; anything else is a ValueError, as in torch."""
    enum = _ENUM.get(reduction) if isinstance(reduction, str) else None
    if enum is not None:
        return enum
    if reduction == "elementwise_mean":
        warnings.warn(
            "reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
            stacklevel=3,
        )
        return MEAN
    raise ValueError(f"{reduction} is not a valid value for reduction")


def legacy_get_string(size_average, reduce, emit_warning: bool = True) -> str:
    """The reduction string that the deprecated ``size_average``/``reduce`` flags stand for."""
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{ret}' "
            "instead.",
            stacklevel=3,
        )
    return ret


def legacy_get_enum(size_average, reduce, emit_warning: bool = True) -> int:
    return get_enum(legacy_get_string(size_average, reduce, emit_warning))
