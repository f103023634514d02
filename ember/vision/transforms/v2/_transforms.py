"""The v2 transform classes. Argument checks and random draws are the v1 classes' (same
``get_params``, so seeded draws match torchvision's v2 as the v1 ones match v1); applying them
goes through ``v2.functional`` so masks and boxes follow the image."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import ember
from ember._tensor import Tensor
from ember.utils.data import _rng
from ember.vision import tv_tensors
from ember.vision.tv_tensors import BoundingBoxes, Mask, TVTensor

from .. import _augment as _v1a
from .. import transforms as _v1
from ..functional import _is_pil_image, to_tensor
from . import functional as F
from ._box_kernels import _valid_boxes
from ._transform import (
    Transform,
    _RandomApplyTransform,
    find_labels,
    is_pure_tensor,
    query_chw,
    query_size,
)

_SIZE_MSG = "Please provide only two dimensions (h, w) for size."
_IMAGE_TYPES = (tv_tensors.Image, tv_tensors.Video)


def _plain_image(x) -> bool:
    return isinstance(x, _IMAGE_TYPES) or is_pure_tensor(x)


def _check_padding(padding) -> None:
    if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
        raise ValueError(
            f"Padding must be an int or a 1, 2, or 4 element of tuple or list, got {padding}."
        )


class _Plain(Transform):
    """Images, videos and plain tensors only (no PIL images)."""

    _pil = False

    def _needs(self, x: Any) -> bool:
        return _plain_image(x)


class Compose(Transform):
    """Apply ``transforms`` one after another."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        if not transforms:
            raise ValueError("Pass at least one transform")
        super().__init__()
        self.transforms = transforms

    def forward(self, *inputs: Any) -> Any:
        needs_unpacking = len(inputs) > 1
        for t in self.transforms:
            outputs = t(*inputs)
            inputs = outputs if needs_unpacking else (outputs,)
        return outputs

    def extra_repr(self) -> str:
        return "\n".join(f"    {t}" for t in self.transforms)


class RandomApply(Transform):
    """Apply all of ``transforms`` with probability ``p``."""

    def __init__(self, transforms, p: float = 0.5) -> None:
        super().__init__()
        if not isinstance(transforms, Sequence):
            raise TypeError(
                "Argument transforms should be a sequence of callables or a `nn.ModuleList`"
            )
        if not (0.0 <= p <= 1.0):
            raise ValueError("`p` should be a floating point value in the interval [0.0, 1.0].")
        self.transforms = transforms
        self.p = p

    def forward(self, *inputs: Any) -> Any:
        sample = inputs if len(inputs) > 1 else inputs[0]
        if not _v1._happens(self.p):
            return sample
        for t in self.transforms:
            sample = t(sample)
        return sample

    def extra_repr(self) -> str:
        return "\n".join(f"    {t}" for t in self.transforms)


class RandomChoice(Transform):
    """Apply one of ``transforms``, drawn with ``multinomial`` over the weights ``p``."""

    def __init__(self, transforms, p=None) -> None:
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        if p is None:
            p = [1] * len(transforms)
        elif len(p) != len(transforms):
            raise ValueError(
                f"Length of p doesn't match the number of transforms: {len(p)} != {len(transforms)}"
            )
        super().__init__()
        self.transforms = transforms
        total = sum(p)
        self.p = [prob / total for prob in p]

    def forward(self, *inputs: Any) -> Any:
        idx = _rng.multinomial(np.asarray(self.p, np.float32), 1, False)[0]
        return self.transforms[idx](*inputs)

    def extra_repr(self) -> str:
        return f"transforms={self.transforms}, p={self.p}"


class RandomOrder(Transform):
    """Apply ``transforms`` in an order drawn with ``randperm``."""

    def __init__(self, transforms) -> None:
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence of callables")
        super().__init__()
        self.transforms = transforms

    def forward(self, *inputs: Any) -> Any:
        needs_unpacking = len(inputs) > 1
        for idx in _rng.randperm(len(self.transforms)):
            outputs = self.transforms[idx](*inputs)
            inputs = outputs if needs_unpacking else (outputs,)
        return outputs

    def extra_repr(self) -> str:
        return f"transforms={self.transforms}"


class Lambda(Transform):
    """Apply ``lambd`` to the inputs of ``types`` (default: every input)."""

    def __init__(self, lambd: Callable, *types: type) -> None:
        super().__init__()
        self.lambd = lambd
        self.types = types or (object,)

    def _needs(self, x: Any) -> bool:
        return isinstance(x, self.types)

    def _needs_transform_list(self, flat_inputs: list) -> list[bool]:
        return [self._needs(x) for x in flat_inputs]

    def transform(self, inpt: Any, params: dict) -> Any:
        return self.lambd(inpt)

    def extra_repr(self) -> str:
        name = getattr(self.lambd, "__name__", None)
        extras = [name] if name else []
        extras.append(f"types={[t.__name__ for t in self.types]}")
        return ", ".join(extras)


# -- conversions -------------------------------------------------------------------------------
class ToImage(Transform):
    """PIL image, ndarray or tensor → ``tv_tensors.Image``."""

    def _needs(self, x: Any) -> bool:
        return is_pure_tensor(x) or _is_pil_image(x) or isinstance(x, np.ndarray)

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.to_image(inpt)


class PILToTensor(Transform):
    """PIL image → plain CHW tensor of its own dtype."""

    _transformed_types = ()

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.pil_to_tensor(inpt)


class ToPILImage(Transform):
    """Image tensor or ndarray → PIL image of ``mode``."""

    _pil = False

    def __init__(self, mode: str | None = None) -> None:
        super().__init__()
        self.mode = mode

    def _needs(self, x: Any) -> bool:
        return _plain_image(x) or isinstance(x, np.ndarray)

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.to_pil_image(F.to_pure_tensor(inpt) if isinstance(inpt, Tensor) else inpt,
                              mode=self.mode)  # fmt: skip

    def extra_repr(self) -> str:
        return "" if self.mode is None else f"mode={self.mode}"


class ToPureTensor(Transform):
    """TVTensors → plain tensors."""

    _transformed_types = (TVTensor,)
    _pil = False

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.to_pure_tensor(inpt)


class ToTensor(Transform):
    """Deprecated: PIL image or ndarray → float tensor in [0, 1]."""

    _transformed_types = (np.ndarray,)

    def __init__(self) -> None:
        warnings.warn(
            "The transform `ToTensor()` is deprecated and will be removed in a future release. "
            "Instead, please use `v2.Compose([v2.ToImage(), v2.ToDtype(torch.float32, "
            "scale=True)])`.Output is equivalent up to float precision.",
            stacklevel=2,
        )
        super().__init__()

    def transform(self, inpt: Any, params: dict) -> Any:
        return to_tensor(inpt)


class ToDtype(Transform):
    """Convert images and videos (or per type, with a dict) to ``dtype``; ``scale`` rescales
    image values to the new dtype's range."""

    def __init__(self, dtype, scale: bool = False) -> None:
        super().__init__()
        if not isinstance(dtype, dict | ember.dtype):
            raise ValueError(f"dtype must be a dict or a torch.dtype, got {type(dtype)} instead")
        if (
            isinstance(dtype, dict)
            and Tensor in dtype
            and any(cls in dtype for cls in (tv_tensors.Image, tv_tensors.Video))
        ):
            warnings.warn(
                "Got `dtype` values for `torch.Tensor` and either `tv_tensors.Image` or "
                "`tv_tensors.Video`. Note that a plain `torch.Tensor` will *not* be transformed "
                "by this (or any other transformation) in case a `tv_tensors.Image` or "
                "`tv_tensors.Video` is present in the input.",
                stacklevel=2,
            )
        self.dtype = dtype
        self.scale = scale

    def transform(self, inpt: Any, params: dict) -> Any:
        if isinstance(self.dtype, ember.dtype):
            if not _plain_image(inpt):
                return inpt
            dtype = self.dtype
        elif type(inpt) in self.dtype:
            dtype = self.dtype[type(inpt)]
        elif "others" in self.dtype:
            dtype = self.dtype["others"]
        else:
            raise ValueError(
                f"No dtype was specified for type {type(inpt)}. If you only need to convert the "
                "dtype of images or videos, you can just pass e.g. dtype=torch.float32. If you're "
                "passing a dict as dtype, you can use 'others' as a catch-all key e.g. "
                "dtype={tv_tensors.Mask: torch.int64, 'others': None} to pass-through the rest "
                "of the inputs."
            )
        if dtype is None:
            return inpt
        return F.to_dtype(inpt, dtype, scale=self.scale and _plain_image(inpt))


class ConvertImageDtype(_Plain):
    """Convert images to ``dtype``, rescaling values."""

    def __init__(self, dtype=ember.float32) -> None:
        super().__init__()
        self.dtype = dtype

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.to_dtype(inpt, self.dtype, scale=True)


class Normalize(_Plain):
    """``(x - mean) / std`` per channel of float images."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], inplace: bool = False):
        super().__init__()
        self.mean = list(mean)
        self.std = list(std)
        self.inplace = inplace

    def check_inputs(self, flat_inputs: list) -> None:
        if any(_is_pil_image(x) for x in flat_inputs):
            raise TypeError(f"{type(self).__name__}() does not support PIL images.")

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.normalize(inpt, mean=self.mean, std=self.std, inplace=self.inplace)


# -- geometry ----------------------------------------------------------------------------------
class _Spatial(Transform):
    """Images, videos, masks, boxes, plain tensors and PIL images."""


class Resize(_Spatial):
    """Resize to ``size``."""

    def __init__(self, size, interpolation="bilinear", max_size=None,
                 antialias=True) -> None:  # fmt: skip
        super().__init__()
        if isinstance(size, int):
            size = [size]
        elif size is None:
            F._output_size(1, 1, None, max_size)  # the same check as at call time
        elif isinstance(size, Sequence) and len(size) in (1, 2):
            size = list(size)
        else:
            raise ValueError(
                "size can be an integer, a sequence of one or two integers, or None, but got "
                f"{size} instead."
            )
        self.size = size
        F._mode(interpolation)
        self.interpolation = interpolation  # kept as given: torchvision's repr shows it so
        self.max_size = max_size
        self.antialias = antialias

    def transform(self, inpt: Any, params: dict) -> Any:
        mode = F._mode(self.interpolation)
        return F.resize(inpt, self.size, mode, self.max_size, self.antialias)


class CenterCrop(_Spatial):
    """The central ``size`` region."""

    def __init__(self, size) -> None:
        super().__init__()
        self.size = tuple(
            _v1._setup_size(size, "Please provide only two dimensions (h, w) for size.")
        )

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.center_crop(inpt, output_size=self.size)


class _Flip(_RandomApplyTransform):
    pass


class RandomHorizontalFlip(_Flip):
    """Mirror left-right with probability ``p``."""

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.horizontal_flip(inpt)


class RandomVerticalFlip(_Flip):
    """Mirror top-bottom with probability ``p``."""

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.vertical_flip(inpt)


class Pad(_Spatial):
    """Pad the borders."""

    def __init__(self, padding, fill=0, padding_mode: str = "constant") -> None:
        super().__init__()
        _check_padding(padding)
        _v1.Pad(padding, fill, padding_mode)  # the v1 argument checks
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.pad(inpt, self.padding, self.fill, self.padding_mode)


class RandomCrop(_Spatial):
    """A random ``size`` crop after optional padding."""

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0,
                 padding_mode: str = "constant") -> None:  # fmt: skip
        super().__init__()
        self.size = tuple(
            _v1._setup_size(size, "Please provide only two dimensions (h, w) for size.")
        )
        if padding is not None:
            _check_padding(padding)
            _v1.Pad(padding, fill, padding_mode)
            left, top, right, bottom = F._F._ltrb(padding)
            padding = [left, right, top, bottom]  # torchvision keeps torch's pad order
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def make_params(self, flat_inputs: list) -> dict:
        h, w = query_size(flat_inputs)
        left, right, top, bottom = [0] * 4 if self.padding is None else self.padding
        h, w = h + top + bottom, w + left + right
        th, tw = self.size
        if self.pad_if_needed and h < th:
            top, bottom, h = top + th - h, bottom + th - h, h + 2 * (th - h)
        if self.pad_if_needed and w < tw:
            left, right, w = left + tw - w, right + tw - w, w + 2 * (tw - w)
        if h < th or w < tw:
            raise ValueError(
                f"Required crop size {(th, tw)} is larger than input image size {(h, w)}."
            )
        if (h, w) == (th, tw):
            i = j = 0
        else:
            i = _rng.randint(0, h - th + 1, 1)[0]
            j = _rng.randint(0, w - tw + 1, 1)[0]
        padding = [left, top, right, bottom]
        return {"padding": padding if any(padding) else None, "top": i, "left": j}

    def transform(self, inpt: Any, params: dict) -> Any:
        if params["padding"] is not None:
            inpt = F.pad(inpt, params["padding"], self.fill, self.padding_mode)
        return F.crop(inpt, params["top"], params["left"], *self.size)


class RandomResizedCrop(_Spatial):
    """A crop of random area and aspect ratio, resized to ``size``."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation="bilinear", antialias=True) -> None:  # fmt: skip
        super().__init__()
        v1 = _v1.RandomResizedCrop(size, scale, ratio, F._mode(interpolation), antialias)
        self.size = tuple(v1.size)
        self.scale = scale
        self.ratio = ratio
        self.interpolation = interpolation
        self.antialias = antialias

    def make_params(self, flat_inputs: list) -> dict:
        h, w = query_size(flat_inputs)
        probe = ember.zeros(1, h, w, dtype=ember.uint8)
        top, left, ch, cw = _v1.RandomResizedCrop.get_params(probe, self.scale, self.ratio)
        return {"top": top, "left": left, "height": ch, "width": cw}

    def transform(self, inpt: Any, params: dict) -> Any:
        size, mode = list(self.size), F._mode(self.interpolation)
        return F.resized_crop(
            inpt, **params, size=size, interpolation=mode, antialias=self.antialias
        )


class RandomRotation(Transform):
    """Rotate by a random angle from ``degrees`` (masks and boxes follow)."""

    def __init__(self, degrees, interpolation="nearest", expand=False, center=None,
                 fill=0) -> None:  # fmt: skip
        super().__init__()
        self._v1 = _v1.RandomRotation(degrees, F._mode(interpolation), expand, center, fill)
        self.degrees = self._v1.degrees
        self.interpolation = interpolation
        self.expand = expand
        self.fill = fill
        if center is not None:
            self.center = center

    def make_params(self, flat_inputs: list) -> dict:
        return {"angle": _v1.RandomRotation.get_params(self.degrees)}

    def transform(self, inpt: Any, params: dict) -> Any:
        fill = _v1a._tensor_fill(inpt, self.fill) if isinstance(inpt, Tensor) else self.fill
        return F.rotate(inpt, params["angle"], interpolation=self._v1.interpolation,
                        expand=self.expand, center=self._v1.center, fill=fill)  # fmt: skip


class RandomAffine(Transform):
    """A random affine map (masks and boxes follow)."""

    def __init__(self, degrees, translate=None, scale=None, shear=None,
                 interpolation="nearest", fill=0, center=None) -> None:  # fmt: skip
        super().__init__()
        mode = F._mode(interpolation)
        self._v1 = _v1a.RandomAffine(degrees, translate, scale, shear, mode, fill, center)
        for name in ("degrees", "translate", "scale", "shear", "interpolation", "fill", "center"):
            value = interpolation if name == "interpolation" else getattr(self._v1, name)
            if value is not None:
                setattr(self, name, value)

    def make_params(self, flat_inputs: list) -> dict:
        h, w = query_size(flat_inputs)
        v = self._v1
        angle, translate, scale, shear = v.get_params(v.degrees, v.translate, v.scale, v.shear,
                                                      [w, h])  # fmt: skip
        return {"angle": angle, "translate": translate, "scale": scale, "shear": shear}

    def transform(self, inpt: Any, params: dict) -> Any:
        fill = _v1a._tensor_fill(inpt, self._v1.fill) if isinstance(inpt, Tensor) else self._v1.fill
        return F.affine(inpt, **params, interpolation=self._v1.interpolation, fill=fill,
                        center=self._v1.center)  # fmt: skip


# -- colour ------------------------------------------------------------------------------------
class ColorJitter(Transform):
    """Random brightness, contrast, saturation and hue, in a random order."""

    def __init__(self, brightness=None, contrast=None, saturation=None, hue=None) -> None:
        super().__init__()
        v1 = _v1.ColorJitter(brightness or 0, contrast or 0, saturation or 0, hue or 0)
        self.brightness, self.contrast = v1.brightness, v1.contrast
        self.saturation, self.hue = v1.saturation, v1.hue

    def make_params(self, flat_inputs: list) -> dict:
        order, b, c, s, h = _v1.ColorJitter.get_params(
            self.brightness, self.contrast, self.saturation, self.hue
        )
        return {"order": order.tolist(), "factors": (b, c, s, h)}

    def transform(self, inpt: Any, params: dict) -> Any:
        fns = (F.adjust_brightness, F.adjust_contrast, F.adjust_saturation, F.adjust_hue)
        for idx in params["order"]:
            factor = params["factors"][idx]
            if factor is not None:
                inpt = fns[idx](inpt, factor)
        return inpt

    def extra_repr(self) -> str:
        names = ("brightness", "contrast", "saturation", "hue")
        return ", ".join(f"{n}={getattr(self, n)}" for n in names if getattr(self, n) is not None)


class Grayscale(Transform):
    """Grayscale with 1 or 3 channels."""

    def __init__(self, num_output_channels: int = 1) -> None:
        super().__init__()
        self.num_output_channels = num_output_channels

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.rgb_to_grayscale(inpt, num_output_channels=self.num_output_channels)


class RandomGrayscale(_RandomApplyTransform):
    """Grayscale (channel count kept) with probability ``p``."""

    def __init__(self, p: float = 0.1) -> None:
        super().__init__(p=p)

    def make_params(self, flat_inputs: list) -> dict:
        return {"num_input_channels": query_chw(flat_inputs)[0]}

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.rgb_to_grayscale(inpt, num_output_channels=params["num_input_channels"])


class GaussianBlur(Transform):
    """Gaussian blur with a std drawn from ``sigma``."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)) -> None:
        super().__init__()
        v1 = _v1a.GaussianBlur(kernel_size, sigma)
        self.kernel_size = tuple(v1.kernel_size)
        self.sigma = [float(s) for s in v1.sigma]

    def make_params(self, flat_inputs: list) -> dict:
        s = _v1a.GaussianBlur.get_params(self.sigma[0], self.sigma[1])
        return {"sigma": [s, s]}

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.gaussian_blur(inpt, list(self.kernel_size), params["sigma"])


class RandomErasing(_RandomApplyTransform):
    """Erase a random rectangle of image tensors with probability ``p``."""

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        super().__init__(p=p)
        v1 = _v1.RandomErasing(p, scale, ratio, value, inplace)
        self.scale, self.ratio = v1.scale, v1.ratio
        if isinstance(value, int | float):
            self.value = [float(value)]
        elif isinstance(value, str):
            self.value = None
        else:
            self.value = [float(v) for v in value]
        self.inplace = inplace

    def make_params(self, flat_inputs: list) -> dict:
        c, h, w = query_chw(flat_inputs)
        if self.value is not None and len(self.value) not in (1, c):
            raise ValueError(
                "If value is a sequence, it should have either a single value or "
                f"{c} (number of input channels)"
            )
        probe = ember.zeros(c, h, w, dtype=ember.uint8)
        i, j, eh, ew, v = _v1.RandomErasing.get_params(probe, self.scale, self.ratio, self.value)
        if v is probe:
            return {"i": 0, "j": 0, "h": 0, "w": 0, "v": None}  # no box found: erase nothing
        return {"i": i, "j": j, "h": eh, "w": ew, "v": v}

    def transform(self, inpt: Any, params: dict) -> Any:
        if isinstance(inpt, BoundingBoxes | Mask):
            warnings.warn(
                f"{type(self).__name__}() is currently passing through inputs of type "
                f"tv_tensors.{type(inpt).__name__}. This will likely change in the future.",
                stacklevel=2,
            )
            return inpt
        if params["v"] is None:
            return inpt
        return F.erase(inpt, params["i"], params["j"], params["h"], params["w"], params["v"],
                       inplace=self.inplace)  # fmt: skip


# -- boxes ---------------------------------------------------------------------------------------
class ClampBoundingBoxes(Transform):
    """Clip boxes to their canvas."""

    _transformed_types = (BoundingBoxes,)
    _pil = False

    def __init__(self, clamping_mode="auto") -> None:
        super().__init__()
        self.clamping_mode = clamping_mode

    def transform(self, inpt: Any, params: dict) -> Any:
        return F.clamp_bounding_boxes(inpt, clamping_mode=self.clamping_mode)


class SanitizeBoundingBoxes(Transform):
    """Drop degenerate boxes (smaller than ``min_size`` / ``min_area``, or outside the canvas)
    and the matching entries of the ``"labels"`` key (or ``labels_getter``'s result)."""

    def __init__(self, min_size: float = 1.0, min_area: float = 1.0,
                 labels_getter="default") -> None:  # fmt: skip
        super().__init__()
        if min_size < 1:
            raise ValueError(f"min_size must be >= 1, got {min_size}.")
        if min_area < 1:
            raise ValueError(f"min_area must be >= 1, got {min_area}.")
        self.min_size = min_size
        self.min_area = min_area
        self.labels_getter = labels_getter

    def _labels(self, sample):
        if self.labels_getter is None:
            return None
        if callable(self.labels_getter):
            return self.labels_getter(sample)
        return find_labels(sample)

    def forward(self, *inputs: Any) -> Any:
        from ember.func._pytree import tree_flatten, tree_unflatten

        sample = inputs if len(inputs) > 1 else inputs[0]
        labels = self._labels(sample)
        flat, spec = tree_flatten(sample)
        boxes = [x for x in flat if isinstance(x, BoundingBoxes)]
        if not boxes:
            raise ValueError("No bounding boxes were found in the sample")
        if len(boxes) > 1:
            raise ValueError(f"Expected exactly one BoundingBoxes in the sample, got {len(boxes)}")
        b = boxes[0]
        valid = _valid_boxes(b, self.min_size, self.min_area)
        keep = ember.from_numpy(np.nonzero(valid)[0])
        label_ids = {id(x) for x in (labels if isinstance(labels, tuple) else (labels,))}
        out = []
        for x in flat:
            if (
                isinstance(x, BoundingBoxes | Mask)
                and x.shape[0] == len(valid)
                or id(x) in label_ids
            ):
                kept = F.to_pure_tensor(x)[keep]
                x = tv_tensors.wrap(kept, like=x) if isinstance(x, TVTensor) else kept
            out.append(x)
        return tree_unflatten(out, spec)


__all__ = [
    "CenterCrop", "ClampBoundingBoxes", "ColorJitter", "Compose", "ConvertImageDtype",
    "GaussianBlur", "Grayscale", "Lambda", "Normalize", "PILToTensor", "Pad", "RandomAffine",
    "RandomApply", "RandomChoice", "RandomCrop", "RandomErasing", "RandomGrayscale",
    "RandomHorizontalFlip", "RandomOrder", "RandomResizedCrop", "RandomRotation",
    "RandomVerticalFlip", "Resize", "SanitizeBoundingBoxes", "ToDtype", "ToImage",
    "ToPILImage", "ToPureTensor", "ToTensor", "Transform",
]  # fmt: skip
