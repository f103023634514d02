"""Utilities in ``torch.utils``'s layout; ``ember.utils.data`` holds the data-loading pipeline."""

from . import data

__all__ = ["data"]
