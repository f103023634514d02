"""``ember.utils.hooks``, as ``torch.utils.hooks``: the handle that removes a registered hook."""

from __future__ import annotations

# One handle class for every registry: it lives in the autograd engine, the lowest layer whose
# objects (graph nodes) hand out hooks; modules, tensors and optimizers return the same class.
from ..autograd.engine import RemovableHandle

__all__ = ["RemovableHandle"]
