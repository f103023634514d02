"""``ember.mps``: Apple's Metal backend, which Ember does not have. The API answers as torch's does
on a build without MPS: ``is_available()`` is False, ``device_count()`` 0, ``manual_seed`` does
nothing, and what needs the device raises ``RuntimeError``."""

from __future__ import annotations

import sys
import types

__all__ = [
    "compile_shader",
    "load_metallib",
    "device_count",
    "get_rng_state",
    "manual_seed",
    "seed",
    "set_rng_state",
    "synchronize",
    "empty_cache",
    "set_per_process_memory_fraction",
    "current_allocated_memory",
    "driver_allocated_memory",
    "Event",
    "profiler",
    "recommended_max_memory",
    "is_available",
]


def _no_backend(what: str) -> RuntimeError:
    return RuntimeError(f"Cannot execute {what}() without MPS backend.")


def is_available() -> bool:
    """False: Ember runs on the CPU only."""
    return False


def device_count() -> int:
    """0: there is no MPS device."""
    return 0


def manual_seed(seed: int) -> None:
    """Does nothing, as in torch when MPS is unavailable (seeding every device is then safe)."""


def seed() -> None:
    """Raises: there is no MPS generator."""
    raise _no_backend("getDefaultGenerator")


def get_rng_state(device="mps"):
    """Raises: there is no MPS generator."""
    raise _no_backend("getDefaultGenerator")


def set_rng_state(new_state, device="mps") -> None:
    """Raises: there is no MPS generator."""
    raise _no_backend("getDefaultGenerator")


def synchronize() -> None:
    """Raises: there is no MPS device to wait for."""
    raise _no_backend("deviceSynchronize")


def empty_cache() -> None:
    """Raises: there is no MPS allocator."""
    raise _no_backend("emptyCache")


def set_per_process_memory_fraction(fraction) -> None:
    """Raises: there is no MPS allocator."""
    raise _no_backend("setMemoryFraction")


def current_allocated_memory() -> int:
    """Raises: there is no MPS allocator."""
    raise _no_backend("getCurrentAllocatedMemory")


def driver_allocated_memory() -> int:
    """Raises: there is no MPS allocator."""
    raise _no_backend("getDriverAllocatedMemory")


def recommended_max_memory() -> int:
    """Raises: there is no MPS device."""
    raise _no_backend("getRecommendedMaxMemory")


def compile_shader(source: str):
    """Raises: Ember cannot run Metal shaders."""
    raise RuntimeError("MPS is not available")


def load_metallib(source):
    """Raises: Ember cannot run Metal shaders."""
    raise RuntimeError("MPS is not available")


class Event:
    """An MPS event; creating one raises, as there is no MPS device."""

    def __init__(self, enable_timing: bool = False) -> None:
        raise _no_backend("acquireEvent")


def _profiler() -> types.ModuleType:
    """``ember.mps.profiler``: Metal's profiler and capture, all unavailable."""
    module = types.ModuleType(f"{__name__}.profiler", _profiler.__doc__)

    def start(mode: str = "interval", wait_until_completed: bool = False) -> None:
        raise _no_backend("profilerStartTrace")

    def stop() -> None:
        raise _no_backend("profilerStopTrace")

    def profile(mode: str = "interval", wait_until_completed: bool = False):
        raise _no_backend("profilerStartTrace")

    def metal_capture(fname: str):
        raise _no_backend("profilerStartTrace")

    def is_metal_capture_enabled() -> bool:
        return False

    def is_capturing_metal() -> bool:
        return False

    for fn in (start, stop, profile, metal_capture, is_metal_capture_enabled, is_capturing_metal):
        fn.__module__ = module.__name__
        setattr(module, fn.__name__, fn)
    module.__all__ = [
        "start",
        "stop",
        "profile",
        "metal_capture",
        "is_metal_capture_enabled",
        "is_capturing_metal",
    ]
    return module


profiler = _profiler()
sys.modules[profiler.__name__] = profiler  # ``import ember.mps.profiler`` works, as torch's
