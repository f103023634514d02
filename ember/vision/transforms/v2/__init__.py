"""torchvision's ``transforms.v2``: transforms over samples of images, videos, masks, boxes and
labels (see ``ember.vision.tv_tensors``)."""

from ..functional import InterpolationMode
from . import functional
from ._auto import RandAugment, TrivialAugmentWide
from ._autoaugment import AugMix, AutoAugment, AutoAugmentPolicy
from ._geometry_extra import *  # noqa: F403
from ._geometry_extra import __all__ as _geometry_extra_all
from ._misc import *  # noqa: F403
from ._misc import __all__ as _misc_all
from ._misc_extra import *  # noqa: F403
from ._misc_extra import __all__ as _misc_extra_all
from ._mix import CutMix, MixUp
from ._transform import Transform
from ._transforms import *  # noqa: F403
from ._transforms import __all__ as _all
from ._utils import *  # noqa: F403
from ._utils import __all__ as _utils_all

__all__ = [
    *_all,
    *_misc_all,
    *_geometry_extra_all,
    *_misc_extra_all,
    *_utils_all,
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
