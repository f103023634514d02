"""``ember.cuda``: Ember computes on the CPU, so this answers as PyTorch's CPU-only build does.

Queries (``is_available``, ``device_count``) say there is no GPU; seeding calls are no-ops (as
torch's are without CUDA); anything that needs a device raises torch's
``AssertionError("Torch not compiled with CUDA enabled")``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "current_device",
    "device_count",
    "empty_cache",
    "get_device_name",
    "is_available",
    "is_initialized",
    "manual_seed",
    "manual_seed_all",
    "memory_allocated",
    "seed",
    "seed_all",
    "set_device",
    "synchronize",
]


def _not_compiled() -> AssertionError:
    return AssertionError("Torch not compiled with CUDA enabled")


def is_available() -> bool:
    """False: Ember has no CUDA backend."""
    return False


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed: int) -> None:
    """No-op without CUDA (as torch's); seed the CPU generator with ``ember.manual_seed``."""


def manual_seed_all(seed: int) -> None:
    """No-op without CUDA."""


def seed() -> None:
    """No-op without CUDA."""


def seed_all() -> None:
    """No-op without CUDA."""


def empty_cache() -> None:
    """No-op: there is no CUDA cache to empty."""


def current_device() -> int:
    raise _not_compiled()


def set_device(device: Any) -> None:
    raise _not_compiled()


def get_device_name(device: Any = None) -> str:
    raise _not_compiled()


def get_device_properties(device: Any = None) -> Any:
    raise _not_compiled()


def synchronize(device: Any = None) -> None:
    raise _not_compiled()


def memory_allocated(device: Any = None) -> int:
    raise _not_compiled()


def __getattr__(name: str):
    if name == "amp":  # imported on first use: it pulls in ember.amp
        import importlib

        return importlib.import_module(".amp", __name__)
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
