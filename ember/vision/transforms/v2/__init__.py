"""torchvision's ``transforms.v2``: transforms over samples of images, videos, masks, boxes and
labels (see ``ember.vision.tv_tensors``)."""

from ..functional import InterpolationMode
from . import functional
from ._auto import RandAugment, TrivialAugmentWide
from ._autoaugment import AugMix, AutoAugment, AutoAugmentPolicy
from ._misc import *  # noqa: F403
from ._misc import __all__ as _misc_all
from ._mix import CutMix, MixUp
from ._transform import Transform
from ._transforms import *  # noqa: F403
from ._transforms import __all__ as _all

__all__ = [
    *_all,
    *_misc_all,
    "AugMix",
    "AutoAugment",
    "AutoAugmentPolicy",
    "CutMix",
    "InterpolationMode",
    "MixUp",
    "RandAugment",
    "Transform",
    "TrivialAugmentWide",
    "functional",
]
