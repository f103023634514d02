"""Autocast's thread-local state and the casts the ops on torch's CPU autocast lists apply.

Kept free of Tensor imports so the matrix products and convolutions (layer 3 and up) can read
``AUTOCAST.on`` on every call: a plain attribute (a count of the threads with 'cpu' autocast on),
cheaper than the thread-local state, which the casts then consult.

Ember has no bfloat16 storage (``ember.bfloat16`` is ``float32``), so with torch's default CPU
autocast dtype the "lower precision" ops run in float32 and float16 inputs are widened to it;
``dtype=ember.float16`` casts as torch does.
"""

from __future__ import annotations

import threading

from .. import _dtype as D

# torch's default autocast dtype per device type; bfloat16 is Ember's float32.
_DEFAULT_DTYPE = {"cpu": D.float32, "hpu": D.float32, "xla": D.float32, "maia": D.float32}
_CASTABLE = (D.float16, D.float32)  # torch casts floating tensors except float64


class _Active:
    __slots__ = ("on",)

    def __init__(self) -> None:
        self.on = 0


AUTOCAST = _Active()
_count_lock = threading.Lock()


class _State(threading.local):
    def __init__(self) -> None:
        self.on = False  # autocast enabled for 'cpu', the device of every Ember tensor
        self.enabled: dict[str, bool] = {}
        self.dtype: dict[str, D.dtype] = {}
        self.cache_enabled = True
        self.nesting = 0


STATE = _State()


def set_cpu_enabled(enabled: bool) -> None:
    """Turn 'cpu' autocast on or off in this thread, keeping ``AUTOCAST.on``'s count."""
    if enabled != STATE.on:
        with _count_lock:
            AUTOCAST.on += 1 if enabled else -1
        STATE.on = enabled


def default_dtype(device_type: str) -> D.dtype:
    """torch's autocast dtype for a device type before any ``set_autocast_dtype``."""
    if device_type in ("meta", "lazy"):
        raise RuntimeError("unsupported scalarType")
    return _DEFAULT_DTYPE.get(device_type, D.float16)


def lower_precision(*tensors):
    """``tensors`` with the floating ones (float64 aside) cast to the CPU autocast dtype."""
    if not STATE.on:  # autocast is on in another thread, or suspended here
        return tensors
    target = STATE.dtype.get("cpu", D.float32)
    return tuple(_cast(t, target) for t in tensors)


def full_precision(*tensors):
    """``tensors`` with the float16 ones widened to float32, for ops on torch's float32 list."""
    if not STATE.on:
        return tensors
    return tuple(_cast(t, D.float32) for t in tensors)


def _cast(t, target: D.dtype):
    dt = getattr(t, "dtype", None)
    if dt is target or dt not in _CASTABLE:
        return t
    return t.to(target)


class suspended:  # noqa: N801 - used like no_grad
    """Autocast off for 'cpu' inside: composite ops that torch does not autocast."""

    def __enter__(self) -> None:
        self.prev = STATE.on
        set_cpu_enabled(False)

    def __exit__(self, *exc) -> None:
        set_cpu_enabled(self.prev)
