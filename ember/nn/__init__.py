"""``ember.nn``: modules, parameters, ``functional``, ``init`` and ``utils``, as ``torch.nn``."""

from __future__ import annotations

from . import functional, init, utils  # noqa: F401
from .modules import *  # noqa: F403
from .parameter import (  # noqa: F401
    Buffer,
    Parameter,
    UninitializedBuffer,
    UninitializedParameter,
)
