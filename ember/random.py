"""``ember.random``, as ``torch.random``: the global CPU generator and ``fork_rng``.

The functions are the ones ``ember`` itself exports (``ember.manual_seed`` is
``ember.random.manual_seed``); this module adds ``fork_rng``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Generator as _Iterator
from collections.abc import Iterable

from .functions.random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

__all__ = [
    "Generator",
    "default_generator",
    "fork_rng",
    "get_rng_state",
    "initial_seed",
    "manual_seed",
    "seed",
    "set_rng_state",
]


@contextlib.contextmanager
def fork_rng(
    devices: Iterable | None = None,
    enabled: bool = True,
    _caller: str = "fork_rng",
    _devices_kw: str = "devices",
    device_type: str | None = None,
) -> _Iterator:
    """Restore the CPU generator's state on leaving the block (nothing is forked if not enabled).

    Ember has no accelerator: naming devices to fork fails as torch's CPU-only build does.
    """
    if device_type == "meta" or not enabled:
        yield
        return
    if devices:
        from .cuda import _not_compiled

        raise _not_compiled()
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)
