"""Image transforms in torchvision's ``transforms`` layout (PIL images and ember tensors)."""

from . import autoaugment, functional
from ._augment import *  # noqa: F403
from ._augment import __all__ as _augment_all
from .autoaugment import *  # noqa: F403
from .autoaugment import __all__ as _autoaugment_all
from .transforms import *  # noqa: F403
from .transforms import __all__ as _transforms_all

__all__ = [*_transforms_all, *_augment_all, *_autoaugment_all, "autoaugment", "functional"]
