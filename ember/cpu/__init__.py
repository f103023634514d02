"""``ember.cpu``: the CPU device module, as ``torch.cpu`` (one device, always available)."""

from __future__ import annotations

from typing import Any

from . import amp

__all__ = [
    "amp",
    "current_device",
    "device_count",
    "is_available",
    "is_initialized",
    "set_device",
    "synchronize",
]


def is_available() -> bool:
    """True: the CPU is always there."""
    return True


def is_initialized() -> bool:
    """True: the CPU needs no initialisation."""
    return True


def device_count() -> int:
    """1: Ember sees the CPU as one device."""
    return 1


def current_device() -> str:
    """'cpu'."""
    return "cpu"


def set_device(device: Any) -> None:
    """No-op: there is only the CPU."""


def synchronize(device: Any = None) -> None:
    """No-op: CPU work is done when its call returns."""
