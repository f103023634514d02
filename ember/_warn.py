"""Warnings that point at the user's line, as torch's do (its warnings are raised from C++,
so Python reports the caller's frame)."""

from __future__ import annotations

import os
import sys

_EMBER_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` for ``warnings.warn`` in the calling function that names the first
    frame outside Ember, however deep inside Ember the call is."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(_EMBER_DIR):
        frame, level = frame.f_back, level + 1
    return level
