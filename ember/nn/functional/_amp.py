"""Autocast for the nn.functional ops on torch's CPU autocast float32 list."""

from __future__ import annotations

import functools
from collections.abc import Callable

from ...amp._state import AUTOCAST, full_precision


def float32_under_autocast(fn: Callable) -> Callable:
    """The losses on torch's CPU autocast float32 list: float16 tensors are widened while
    autocast is on (a float16 loss of a scaled gradient would overflow)."""

    @functools.wraps(fn)
    def loss(*args, **kwargs):
        if AUTOCAST.on:
            args = full_precision(*args)
            kwargs = {k: full_precision(v)[0] for k, v in kwargs.items()}
        return fn(*args, **kwargs)

    return loss
