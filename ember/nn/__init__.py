"""``ember.nn``: modules, parameters, ``functional``, ``init`` and ``utils``, as ``torch.nn``."""

from __future__ import annotations

from . import functional, init, parallel, utils  # noqa: F401
from .modules import *  # noqa: F403
from .parallel import DataParallel  # noqa: F401 - torch.nn.DataParallel (CPU: runs module)
from .parameter import (  # noqa: F401
    Buffer,
    Parameter,
    UninitializedBuffer,
    UninitializedParameter,
)
