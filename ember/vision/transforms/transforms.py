"""Transform classes in torchvision's ``transforms`` layout, with its ``repr``s.

Random transforms draw from Ember's global generator with the same calls, in the same order, as
torchvision draws from torch's (``rand(1)``, ``randint(0, n, (1,))``,
``empty(1).uniform_(a, b)``, ``randperm(4)``), so with the same seed they make the same choices.
"""

from __future__ import annotations

import math
import numbers
import random
import warnings
from collections.abc import Callable, Sequence

import numpy as np

import ember
from ember._tensor import Tensor
from ember.utils.data import _rng

from . import functional as F
from .functional import InterpolationMode, _interpolation

__all__ = [
    "CenterCrop",
    "ColorJitter",
    "Compose",
    "ConvertImageDtype",
    "Grayscale",
    "InterpolationMode",
    "Lambda",
    "Normalize",
    "PILToTensor",
    "Pad",
    "RandomApply",
    "RandomChoice",
    "RandomCrop",
    "RandomErasing",
    "RandomGrayscale",
    "RandomHorizontalFlip",
    "RandomOrder",
    "RandomResizedCrop",
    "RandomRotation",
    "RandomVerticalFlip",
    "Resize",
    "ToPILImage",
    "ToTensor",
]


def _happens(p: float) -> bool:
    """``torch.rand(1) < p``, compared in float32 as torch compares it."""
    return np.float32(_rng.rand()) < np.float32(p)


def _log_ratio(ratio) -> tuple[float, float]:
    """``torch.log(torch.tensor(ratio))``: float32 logs."""
    logs = np.log(np.asarray(ratio, np.float64)).astype(np.float32)
    return float(logs[0]), float(logs[1])


def _exp32(x: float) -> float:
    """``torch.exp`` of a float32 scalar, rounded to float32."""
    return float(np.float32(math.exp(float(np.float32(x)))))


def _setup_size(size, error_msg: str):
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, Sequence) and len(size) == 1:
        return size[0], size[0]
    if len(size) != 2:
        raise ValueError(error_msg)
    return size


def _check_sequence_input(x, name: str, req_sizes) -> None:
    msg = req_sizes[0] if len(req_sizes) < 2 else " or ".join(str(s) for s in req_sizes)
    if not isinstance(x, Sequence):
        raise TypeError(f"{name} should be a sequence of length {msg}.")
    if len(x) not in req_sizes:
        raise ValueError(f"{name} should be a sequence of length {msg}.")


def _setup_angle(x, name: str, req_sizes=(2,)) -> list[float]:
    if isinstance(x, numbers.Number):
        if x < 0:
            raise ValueError(f"If {name} is a single number, it must be positive.")
        x = [-x, x]
    else:
        _check_sequence_input(x, name, req_sizes)
    return [float(d) for d in x]


def _format_list(name: str, items, head: str = "") -> str:
    body = head + "".join(f"\n    {t}" for t in items)
    return f"{name}({body}\n)"


class Transform:
    """Base of the transforms: ``t(img)`` calls ``t.forward(img)``."""

    def __call__(self, img):
        return self.forward(img)

    def forward(self, img):
        """Transform ``img``; subclasses define it."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Compose:
    """Apply ``transforms`` one after another."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        return _format_list(type(self).__name__, self.transforms)


class ToTensor:
    """PIL image or HWC ndarray → CHW float tensor in [0, 1] (uint8 input is divided by 255)."""

    def __call__(self, pic) -> Tensor:
        return F.to_tensor(pic)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class PILToTensor:
    """PIL image → CHW tensor of the image's own dtype, unscaled."""

    def __call__(self, pic) -> Tensor:
        return F.pil_to_tensor(pic)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class ConvertImageDtype(Transform):
    """Convert a tensor image to ``dtype``, rescaling its values."""

    def __init__(self, dtype) -> None:
        self.dtype = dtype

    def forward(self, image):
        """Return ``image`` converted to ``dtype``, its values rescaled to that dtype's range."""
        return F.convert_image_dtype(image, self.dtype)


class ToPILImage:
    """CHW tensor or HWC ndarray → PIL image of ``mode`` (inferred when None)."""

    def __init__(self, mode: str | None = None) -> None:
        self.mode = mode

    def __call__(self, pic):
        return F.to_pil_image(pic, self.mode)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(" + (f"mode={self.mode}" if self.mode is not None else "") + ")"
        )


class Normalize(Transform):
    """``(x - mean) / std`` per channel."""

    def __init__(self, mean, std, inplace: bool = False) -> None:
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor):
        """Return ``(tensor - mean) / std``, channel by channel."""
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(mean={self.mean}, std={self.std})"


class Resize(Transform):
    """Resize to ``size``: (h, w), or an int for the shorter side (aspect ratio kept)."""

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias=True) -> None:  # fmt: skip
        if not isinstance(size, int | Sequence):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, Sequence) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size = size
        self.max_size = max_size
        self.interpolation = _interpolation(interpolation)
        self.antialias = antialias

    def forward(self, img):
        """Return ``img`` resized to ``size``."""
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(size={self.size}, interpolation={self.interpolation.value}, "
            f"max_size={self.max_size}, antialias={self.antialias})"
        )


class CenterCrop(Transform):
    """The central ``size`` region (zero-padded if the image is smaller)."""

    def __init__(self, size) -> None:
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")

    def forward(self, img):
        """Return the central ``size`` crop of ``img``."""
        return F.center_crop(img, self.size)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


class Pad(Transform):
    """Pad the borders: ``padding`` int, (lr, tb) or (l, t, r, b); constant/edge/reflect/
    symmetric."""

    def __init__(self, padding, fill=0, padding_mode: str = "constant") -> None:
        if not isinstance(padding, numbers.Number | tuple | list):
            raise TypeError("Got inappropriate padding arg")
        if not isinstance(fill, numbers.Number | tuple | list):
            raise TypeError("Got inappropriate fill arg")
        if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
            raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
        if isinstance(padding, Sequence) and len(padding) not in (1, 2, 4):
            raise ValueError(
                "Padding must be an int or a 1, 2, or 4 element tuple, not a "
                f"{len(padding)} element tuple"
            )
        self.padding = padding
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        """Return ``img`` with its borders padded."""
        return F.pad(img, self.padding, self.fill, self.padding_mode)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(padding={self.padding}, fill={self.fill}, "
            f"padding_mode={self.padding_mode})"
        )


class Lambda:
    """Apply a user function."""

    def __init__(self, lambd: Callable) -> None:
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {repr(type(lambd).__name__)}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class RandomTransforms:
    """Base of the transforms that pick among a list of transforms."""

    def __init__(self, transforms: Sequence[Callable]) -> None:
        if not isinstance(transforms, Sequence):
            raise TypeError("Argument transforms should be a sequence")
        self.transforms = transforms

    def __call__(self, *args, **kwargs):
        raise NotImplementedError()

    def __repr__(self) -> str:
        return _format_list(type(self).__name__, self.transforms)


class RandomApply(Transform):
    """Apply all of ``transforms`` with probability ``p`` (one ``rand(1)`` draw)."""

    def __init__(self, transforms, p: float = 0.5) -> None:
        self.transforms = transforms
        self.p = p

    def forward(self, img):
        """Apply every transform to ``img`` with probability ``p``, else return it unchanged."""
        if np.float32(self.p) < np.float32(_rng.rand()):
            return img
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self) -> str:
        return _format_list(type(self).__name__, self.transforms, head=f"\n    p={self.p}")


class RandomOrder(RandomTransforms):
    """Apply ``transforms`` in a random order (Python's ``random.shuffle``, as torchvision)."""

    def __call__(self, img):
        order = list(range(len(self.transforms)))
        random.shuffle(order)
        for i in order:
            img = self.transforms[i](img)
        return img


class RandomChoice(RandomTransforms):
    """Apply one of ``transforms``, picked with Python's ``random.choices`` (weights ``p``)."""

    def __init__(self, transforms, p=None) -> None:
        super().__init__(transforms)
        if p is not None and not isinstance(p, Sequence):
            raise TypeError("Argument p should be a sequence")
        self.p = p

    def __call__(self, *args):
        t = random.choices(self.transforms, weights=self.p)[0]
        return t(*args)

    def __repr__(self) -> str:
        return f"{super().__repr__()}(p={self.p})"


class RandomCrop(Transform):
    """A random ``size`` crop, after optional ``padding`` / ``pad_if_needed`` padding.

    The corner is ``randint(0, h - th + 1)`` then ``randint(0, w - tw + 1)``.
    """

    @staticmethod
    def get_params(img, output_size) -> tuple[int, int, int, int]:
        """Draw a crop box ``(top, left, height, width)`` of ``output_size`` inside ``img``."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(
                f"Required crop size {(th, tw)} is larger than input image size {(h, w)}"
            )
        if w == tw and h == th:
            return 0, 0, h, w
        i = _rng.randint(0, h - th + 1, 1)[0]
        j = _rng.randint(0, w - tw + 1, 1)[0]
        return i, j, th, tw

    def __init__(self, size, padding=None, pad_if_needed: bool = False, fill=0,
                 padding_mode: str = "constant") -> None:  # fmt: skip
        self.size = tuple(_setup_size(size, "Please provide only two dimensions (h, w) for size."))
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    def forward(self, img):
        """Pad ``img`` as configured, then return a random ``size`` crop of it."""
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, padding={self.padding})"


class _WithProbability(Transform):
    """A transform applied with probability ``p`` (one ``rand(1)`` draw per call)."""

    def __init__(self, p: float = 0.5) -> None:
        self.p = p

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class RandomHorizontalFlip(_WithProbability):
    """Mirror left-right with probability ``p``."""

    def forward(self, img):
        """Return ``img`` mirrored left-right with probability ``p``, else unchanged."""
        return F.hflip(img) if _happens(self.p) else img


class RandomVerticalFlip(_WithProbability):
    """Mirror top-bottom with probability ``p``."""

    def forward(self, img):
        """Return ``img`` mirrored top-bottom with probability ``p``, else unchanged."""
        return F.vflip(img) if _happens(self.p) else img


def _random_sides(area: int, scale, log_ratio) -> tuple[int, int]:
    """One attempt of a random box: area ``area * U(scale)``, aspect ratio ``exp(U(log_ratio))``;
    returns ``round(sqrt(area * ratio)), round(sqrt(area / ratio))``."""
    target = area * _rng.uniform(scale[0], scale[1])
    aspect = _exp32(_rng.uniform(log_ratio[0], log_ratio[1]))
    return int(round(math.sqrt(target * aspect))), int(round(math.sqrt(target / aspect)))


class RandomResizedCrop(Transform):
    """A crop of random area (``scale``) and aspect ratio (``ratio``), resized to ``size``."""

    def __init__(self, size, scale=(0.08, 1.0), ratio=(3.0 / 4.0, 4.0 / 3.0),
                 interpolation=InterpolationMode.BILINEAR, antialias=True) -> None:  # fmt: skip
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        self.interpolation = _interpolation(interpolation)
        self.antialias = antialias
        self.scale = scale
        self.ratio = ratio

    @staticmethod
    def get_params(img, scale, ratio) -> tuple[int, int, int, int]:
        """Draw a crop box ``(top, left, height, width)`` of random area and aspect ratio.

        Ten random boxes are tried; if none fits, a central crop clamped to ``ratio`` is used.
        """
        _, height, width = F.get_dimensions(img)
        area = height * width
        log_ratio = _log_ratio(ratio)
        for _ in range(10):
            w, h = _random_sides(area, scale, log_ratio)
            if 0 < w <= width and 0 < h <= height:
                i = _rng.randint(0, height - h + 1, 1)[0]
                j = _rng.randint(0, width - w + 1, 1)[0]
                return i, j, h, w
        in_ratio = float(width) / float(height)  # fallback: the central crop
        if in_ratio < min(ratio):
            w, h = width, int(round(width / min(ratio)))
        elif in_ratio > max(ratio):
            h, w = height, int(round(height * max(ratio)))
        else:
            w, h = width, height
        return (height - h) // 2, (width - w) // 2, h, w

    def forward(self, img):
        """Return a random crop of ``img``, resized to ``size``."""
        i, j, h, w = self.get_params(img, self.scale, self.ratio)
        return F.resized_crop(img, i, j, h, w, self.size, self.interpolation, self.antialias)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(size={self.size}, "
            f"scale={tuple(round(s, 4) for s in self.scale)}, "
            f"ratio={tuple(round(r, 4) for r in self.ratio)}, "
            f"interpolation={self.interpolation.value}, antialias={self.antialias})"
        )


class ColorJitter(Transform):
    """Random brightness, contrast, saturation and hue changes, in a random order.

    Each of ``brightness``, ``contrast``, ``saturation`` is a factor spread ``x`` (→ [1 - x,
    1 + x]) or a ``(min, max)`` range; ``hue`` is a spread in [0, 0.5] or a range in [-0.5, 0.5].
    """

    def __init__(self, brightness=0, contrast=0, saturation=0, hue=0) -> None:
        self.brightness = self._check_input(brightness, "brightness")
        self.contrast = self._check_input(contrast, "contrast")
        self.saturation = self._check_input(saturation, "saturation")
        self.hue = self._check_input(
            hue, "hue", center=0, bound=(-0.5, 0.5), clip_first_on_zero=False
        )

    @staticmethod
    def _check_input(value, name, center=1, bound=(0, float("inf")), clip_first_on_zero=True):
        if isinstance(value, numbers.Number):
            if value < 0:
                raise ValueError(f"If {name} is a single number, it must be non negative.")
            value = [center - float(value), center + float(value)]
            if clip_first_on_zero:
                value[0] = max(value[0], 0.0)
        elif isinstance(value, tuple | list) and len(value) == 2:
            value = [float(value[0]), float(value[1])]
        else:
            raise TypeError(f"{name} should be a single number or a list/tuple with length 2.")
        if not bound[0] <= value[0] <= value[1] <= bound[1]:
            raise ValueError(f"{name} values should be between {bound}, but got {value}.")
        return None if value[0] == value[1] == center else tuple(value)

    @staticmethod
    def get_params(brightness, contrast, saturation, hue):
        """``randperm(4)`` for the order, then one uniform per enabled adjustment."""
        fn_idx = ember.tensor(_rng.randperm(4))
        b, c, s, h = (
            None if r is None else _rng.uniform(r[0], r[1])
            for r in (brightness, contrast, saturation, hue)
        )
        return fn_idx, b, c, s, h

    def forward(self, img):
        """Apply the enabled brightness, contrast, saturation and hue changes in a random order."""
        order, b, c, s, h = self.get_params(
            self.brightness, self.contrast, self.saturation, self.hue
        )
        adjust = {0: (F.adjust_brightness, b), 1: (F.adjust_contrast, c),
                  2: (F.adjust_saturation, s), 3: (F.adjust_hue, h)}  # fmt: skip
        for fn_id in order.tolist():
            fn, factor = adjust[fn_id]
            if factor is not None:
                img = fn(img, factor)
        return img

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(brightness={self.brightness}, contrast={self.contrast}, "
            f"saturation={self.saturation}, hue={self.hue})"
        )


class RandomRotation(Transform):
    """Rotate by an angle drawn uniformly from ``degrees`` (``x`` means [-x, x])."""

    def __init__(self, degrees, interpolation=InterpolationMode.NEAREST, expand=False,
                 center=None, fill=0) -> None:  # fmt: skip
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center
        self.interpolation = _interpolation(interpolation)
        self.expand = expand
        if fill is None:
            fill = 0
        elif not isinstance(fill, Sequence | numbers.Number):
            raise TypeError("Fill should be either a sequence or a number.")
        self.fill = fill

    @staticmethod
    def get_params(degrees) -> float:
        """Draw an angle uniformly from ``[degrees[0], degrees[1]]``."""
        return _rng.uniform(float(degrees[0]), float(degrees[1]))

    def forward(self, img):
        """Return ``img`` rotated by a random angle."""
        fill = self.fill
        if isinstance(img, Tensor):
            channels = F.get_dimensions(img)[0]
            fill = (
                [float(fill)] * channels
                if isinstance(fill, int | float)
                else [float(f) for f in fill]
            )
        angle = self.get_params(self.degrees)
        return F.rotate(img, angle, self.interpolation, self.expand, self.center, fill)

    def __repr__(self) -> str:
        s = (
            f"{type(self).__name__}(degrees={self.degrees}, "
            f"interpolation={self.interpolation.value}, expand={self.expand}"
        )
        if self.center is not None:
            s += f", center={self.center}"
        if self.fill is not None:
            s += f", fill={self.fill}"
        return s + ")"


class Grayscale(Transform):
    """Convert to grayscale with 1 or 3 output channels."""

    def __init__(self, num_output_channels: int = 1) -> None:
        self.num_output_channels = num_output_channels

    def forward(self, img):
        """Return ``img`` in grayscale with ``num_output_channels`` channels."""
        return F.rgb_to_grayscale(img, num_output_channels=self.num_output_channels)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(num_output_channels={self.num_output_channels})"


class RandomGrayscale(_WithProbability):
    """Convert to grayscale (keeping the channel count) with probability ``p``."""

    def __init__(self, p: float = 0.1) -> None:
        super().__init__(p)

    def forward(self, img):
        """Return ``img`` in grayscale with probability ``p`` (channel count kept)."""
        channels = F.get_dimensions(img)[0]
        if _happens(self.p):
            return F.rgb_to_grayscale(img, num_output_channels=channels)
        return img


class RandomErasing(Transform):
    """With probability ``p``, erase a random rectangle of a tensor image with ``value``
    (a number, one per channel, or ``"random"`` for standard-normal noise)."""

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, inplace=False):
        if not isinstance(value, numbers.Number | str | tuple | list):
            raise TypeError("Argument value should be either a number or str or a sequence")
        if isinstance(value, str) and value != "random":
            raise ValueError("If value is str, it should be 'random'")
        if not isinstance(scale, Sequence):
            raise TypeError("Scale should be a sequence")
        if not isinstance(ratio, Sequence):
            raise TypeError("Ratio should be a sequence")
        if (scale[0] > scale[1]) or (ratio[0] > ratio[1]):
            warnings.warn("Scale and ratio should be of kind (min, max)", stacklevel=2)
        if scale[0] < 0 or scale[1] > 1:
            raise ValueError("Scale should be between 0 and 1")
        if p < 0 or p > 1:
            raise ValueError("Random erasing probability should be between 0 and 1")
        self.p = p
        self.scale = scale
        self.ratio = ratio
        self.value = value
        self.inplace = inplace

    @staticmethod
    def get_params(img, scale, ratio, value=None):
        """Draw a box to erase: ``(top, left, height, width, fill)``.

        ``fill`` is standard-normal noise when ``value`` is None, else ``value`` per channel. If ten
        tries find no box, the whole image is returned as its own fill (erasing changes nothing).
        """
        img_c, img_h, img_w = img.shape[-3], img.shape[-2], img.shape[-1]
        area = img_h * img_w
        log_ratio = _log_ratio(ratio)
        for _ in range(10):
            h, w = _random_sides(area, scale, log_ratio)
            if not (h < img_h and w < img_w):
                continue
            if value is None:
                v = ember.from_numpy(_rng.normal((img_c, h, w)))
            else:
                v = ember.from_numpy(np.asarray(value, np.float32)[:, None, None])
            i = _rng.randint(0, img_h - h + 1, 1)[0]
            j = _rng.randint(0, img_w - w + 1, 1)[0]
            return i, j, h, w, v
        return 0, 0, img_h, img_w, img

    def forward(self, img):
        """With probability ``p``, erase a random rectangle of the tensor ``img``."""
        if not _happens(self.p):
            return img
        if isinstance(self.value, int | float):
            value = [float(self.value)]
        elif isinstance(self.value, str):
            value = None
        else:
            value = [float(v) for v in self.value]
        if value is not None and len(value) not in (1, img.shape[-3]):
            raise ValueError(
                "If value is a sequence, it should have either a single value or "
                f"{img.shape[-3]} (number of input channels)"
            )
        x, y, h, w, v = self.get_params(img, scale=self.scale, ratio=self.ratio, value=value)
        return F.erase(img, x, y, h, w, v, self.inplace)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(p={self.p}, scale={self.scale}, ratio={self.ratio}, "
            f"value={self.value}, inplace={self.inplace})"
        )
