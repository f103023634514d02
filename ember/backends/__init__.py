"""``ember.backends``: the flags PyTorch scripts set (``cudnn.benchmark`` ...) and queries."""

from . import cudnn, mps

__all__ = ["cudnn", "mps"]
