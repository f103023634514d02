"""``ember.accelerator``: Ember has no accelerator; it answers as torch's CPU build does."""

from __future__ import annotations


def is_available() -> bool:
    return False


def current_accelerator(check_available: bool = False):
    """The current accelerator device, or None when there is none (always, in Ember)."""
    return None


def device_count() -> int:
    return 0


def synchronize(device=None) -> None:
    """Nothing to wait for: every Ember operation finishes before it returns."""
