"""Channels-first and channels-last views of (N, C, *spatial) arrays.

``np.moveaxis`` normalizes its axes in Python on every call (several microseconds, some sixty
calls per training step of the seed CNN); these build the permutation directly.
"""

from __future__ import annotations

import numpy as np


def to_last(x: np.ndarray) -> np.ndarray:
    """(N, C, *S) -> (N, *S, C), a view."""
    return x.transpose((0, *range(2, x.ndim), 1))


def to_first(xl: np.ndarray) -> np.ndarray:
    """(N, *S, C) -> (N, C, *S), a view."""
    return xl.transpose((0, xl.ndim - 1, *range(1, xl.ndim - 1)))
