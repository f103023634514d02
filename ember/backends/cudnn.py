"""``ember.backends.cudnn``: settable flags with torch's defaults; cuDNN itself is absent.

Scripts set ``benchmark``/``deterministic`` for reproducibility or speed; on Ember (CPU only) they
change nothing, and Ember's CPU kernels are deterministic anyway.
"""

from __future__ import annotations

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = 10


def is_available() -> bool:
    return False


def version() -> None:
    return None
