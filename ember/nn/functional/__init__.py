"""``ember.nn.functional``: the stateless layers (``import ember.nn.functional as F``)."""

from __future__ import annotations

from ...functions.shape import pad_constant as _pad_constant  # noqa: F401
from .activation import *  # noqa: F403
from .attention import *  # noqa: F403
from .conv import *  # noqa: F403
from .folding import *  # noqa: F403
from .interpolation import *  # noqa: F403
from .layers import *  # noqa: F403
from .pooling import *  # noqa: F403
from .vision import *  # noqa: F403

try:  # the loss functions live in their own module, maintained separately
    from .loss import *  # noqa: F403
except ImportError as _e:  # pragma: no cover - only while loss.py is absent
    if getattr(_e, "name", None) != f"{__name__}.loss":
        raise
from .loss_linear import *  # noqa: E402, F403
