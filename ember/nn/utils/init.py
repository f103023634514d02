"""``nn.utils.init``: build a module without running its parameter initialization."""

from __future__ import annotations

import inspect

import numpy as np

from ...functions.random import get_rng_state, set_rng_state
from ..modules.module import Module

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs) -> Module:
    """An instance of ``module_cls(*args, **kwargs)`` whose parameters and buffers are left
    uninitialized (and the global random generator untouched, as torch's meta-device build
    leaves it)."""
    if not isinstance(module_cls, type) or not issubclass(module_cls, Module):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    state = get_rng_state()
    try:
        module = module_cls(*args, **kwargs)
    finally:
        set_rng_state(state)
    for t in (*module.parameters(), *module.buffers()):
        t._data = np.empty_like(t._data)
    return module
