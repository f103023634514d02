"""Utilities in ``torch.utils``'s layout; ``ember.utils.data`` holds the data-loading pipeline,
``ember.utils.checkpoint`` activation checkpointing, ``ember.utils.hooks`` the hook handle."""

from . import checkpoint, data, hooks

__all__ = ["checkpoint", "data", "hooks"]
