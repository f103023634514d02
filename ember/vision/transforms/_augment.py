"""More transform classes in torchvision's ``transforms`` layout: affine and perspective warps,
blur, five/ten crops, the random point operations and ``LinearTransformation``.

Randomness is drawn from Ember's global generator with the calls torchvision makes on torch's,
in the same order, so with the same seed both make the same choices.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import ember
from ember._tensor import Tensor
from ember.utils.data import _rng

from . import functional as F
from .functional import InterpolationMode, _interpolation, _interpolation_modes_from_int
from .transforms import (
    Transform,
    _check_sequence_input,
    _happens,
    _setup_angle,
    _setup_size,
    _WithProbability,
)

__all__ = [
    "ElasticTransform",
    "FiveCrop",
    "GaussianBlur",
    "LinearTransformation",
    "RandomAdjustSharpness",
    "RandomAffine",
    "RandomAutocontrast",
    "RandomEqualize",
    "RandomInvert",
    "RandomPerspective",
    "RandomPosterize",
    "RandomSolarize",
    "TenCrop",
]


def _check_fill(fill):
    if fill is None:
        return 0
    if not isinstance(fill, Sequence | numbers.Number):
        raise TypeError("Fill should be either a sequence or a number.")
    return fill


def _tensor_fill(img, fill):
    """A tensor image takes one float per channel; a PIL image takes ``fill`` as given."""
    if not isinstance(img, Tensor):
        return fill
    channels = F.get_dimensions(img)[0]
    return [float(fill)] * channels if isinstance(fill, int | float) else [float(f) for f in fill]


class RandomAffine(Transform):
    """Random rotation (``degrees``), translation (fractions of the size), scale and shear
    (``x`` means [-x, x] along x; four values give x and y ranges), keeping the centre."""

    def __init__(self, degrees, translate=None, scale=None, shear=None,
                 interpolation=InterpolationMode.NEAREST, fill=0, center=None) -> None:  # fmt: skip
        self.degrees = _setup_angle(degrees, name="degrees", req_sizes=(2,))
        if translate is not None:
            _check_sequence_input(translate, "translate", req_sizes=(2,))
            for t in translate:
                if not (0.0 <= t <= 1.0):
                    raise ValueError("translation values should be between 0 and 1")
        self.translate = translate
        if scale is not None:
            _check_sequence_input(scale, "scale", req_sizes=(2,))
            for s in scale:
                if s <= 0:
                    raise ValueError("scale values should be positive")
        self.scale = scale
        self.shear = (
            _setup_angle(shear, name="shear", req_sizes=(2, 4)) if shear is not None else None
        )
        self.interpolation = _interpolation(interpolation)
        self.fill = _check_fill(fill)
        if center is not None:
            _check_sequence_input(center, "center", req_sizes=(2,))
        self.center = center

    @staticmethod
    def get_params(degrees, translate, scale_ranges, shears, img_size):
        """Draw (angle, (tx, ty), scale, (shear_x, shear_y)); ``img_size`` is [width, height]."""
        angle = _rng.uniform(float(degrees[0]), float(degrees[1]))
        if translate is not None:
            max_dx = float(translate[0] * img_size[0])
            max_dy = float(translate[1] * img_size[1])
            tx = int(round(_rng.uniform(-max_dx, max_dx)))
            ty = int(round(_rng.uniform(-max_dy, max_dy)))
            translations = (tx, ty)
        else:
            translations = (0, 0)
        scale = 1.0
        if scale_ranges is not None:
            scale = _rng.uniform(scale_ranges[0], scale_ranges[1])
        shear_x = shear_y = 0.0
        if shears is not None:
            shear_x = _rng.uniform(shears[0], shears[1])
            if len(shears) == 4:
                shear_y = _rng.uniform(shears[2], shears[3])
        return angle, translations, scale, (shear_x, shear_y)

    def forward(self, img):
        """Return ``img`` under a random affine map."""
        fill = _tensor_fill(img, self.fill)
        _, h, w = F.get_dimensions(img)
        params = self.get_params(self.degrees, self.translate, self.scale, self.shear, [w, h])
        return F.affine(img, *params, interpolation=self.interpolation, fill=fill,
                        center=self.center)  # fmt: skip

    def __repr__(self) -> str:
        s = f"{type(self).__name__}(degrees={self.degrees}"
        s += f", translate={self.translate}" if self.translate is not None else ""
        s += f", scale={self.scale}" if self.scale is not None else ""
        s += f", shear={self.shear}" if self.shear is not None else ""
        if self.interpolation != InterpolationMode.NEAREST:
            s += f", interpolation={self.interpolation.value}"
        s += f", fill={self.fill}" if self.fill != 0 else ""
        s += f", center={self.center}" if self.center is not None else ""
        return s + ")"


class RandomPerspective(Transform):
    """With probability ``p``, move each corner inwards by a random amount up to
    ``distortion_scale`` of half the size, and warp the image accordingly."""

    def __init__(self, distortion_scale=0.5, p=0.5, interpolation=InterpolationMode.BILINEAR,
                 fill=0) -> None:  # fmt: skip
        self.p = p
        self.interpolation = _interpolation(interpolation)
        self.distortion_scale = distortion_scale
        self.fill = _check_fill(fill)

    @staticmethod
    def get_params(width: int, height: int, distortion_scale: float):
        """Draw the corners' destinations: (startpoints, endpoints), each [x, y] from the
        top-left clockwise."""
        dx = int(distortion_scale * (width // 2))
        dy = int(distortion_scale * (height // 2))

        def draw(low, high):
            return _rng.randint(low, high, 1)[0]

        top_left = [draw(0, dx + 1), draw(0, dy + 1)]
        top_right = [draw(width - dx - 1, width), draw(0, dy + 1)]
        bottom_right = [draw(width - dx - 1, width), draw(height - dy - 1, height)]
        bottom_left = [draw(0, dx + 1), draw(height - dy - 1, height)]
        start = [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]]
        return start, [top_left, top_right, bottom_right, bottom_left]

    def forward(self, img):
        """Return ``img`` randomly warped with probability ``p``."""
        fill = _tensor_fill(img, self.fill)
        _, h, w = F.get_dimensions(img)
        if _happens(self.p):
            start, end = self.get_params(w, h, self.distortion_scale)
            return F.perspective(img, start, end, self.interpolation, fill)
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(p={self.p})"


class GaussianBlur(Transform):
    """Gaussian blur with a ``kernel_size`` kernel and a std drawn uniformly from ``sigma``."""

    def __init__(self, kernel_size, sigma=(0.1, 2.0)) -> None:
        self.kernel_size = _setup_size(
            kernel_size, "Kernel size should be a tuple/list of two integers"
        )
        for k in self.kernel_size:
            if k <= 0 or k % 2 == 0:
                raise ValueError("Kernel size value should be an odd and positive number.")
        if isinstance(sigma, numbers.Number):
            if sigma <= 0:
                raise ValueError("If sigma is a single number, it must be positive.")
            sigma = (sigma, sigma)
        elif isinstance(sigma, Sequence) and len(sigma) == 2:
            if not 0.0 < sigma[0] <= sigma[1]:
                raise ValueError("sigma values should be positive and of the form (min, max).")
        else:
            raise ValueError("sigma should be a single number or a list/tuple with length 2.")
        self.sigma = sigma

    @staticmethod
    def get_params(sigma_min: float, sigma_max: float) -> float:
        """Draw the blur's std uniformly from [sigma_min, sigma_max]."""
        return _rng.uniform(sigma_min, sigma_max)

    def forward(self, img):
        """Return ``img`` blurred with a random std."""
        sigma = self.get_params(self.sigma[0], self.sigma[1])
        return F.gaussian_blur(img, self.kernel_size, [sigma, sigma])

    def __repr__(self) -> str:
        return f"{type(self).__name__}(kernel_size={self.kernel_size}, sigma={self.sigma})"


class FiveCrop(Transform):
    """The four corner crops and the central crop of ``size``, as a tuple."""

    def __init__(self, size) -> None:
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")

    def forward(self, img):
        """Return (top-left, top-right, bottom-left, bottom-right, center) crops."""
        return F.five_crop(img, self.size)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size})"


class TenCrop(Transform):
    """``FiveCrop`` of the image and of its mirror (horizontal, or vertical), as a tuple."""

    def __init__(self, size, vertical_flip: bool = False) -> None:
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")
        self.vertical_flip = vertical_flip

    def forward(self, img):
        """Return the ten crops."""
        return F.ten_crop(img, self.size, self.vertical_flip)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(size={self.size}, vertical_flip={self.vertical_flip})"


class _RandomPointOp(_WithProbability):
    """Apply ``_op`` with probability ``p`` (a ``rand(1)`` draw compared as a Python float)."""

    def forward(self, img):
        """Return ``img`` transformed with probability ``p``."""
        if _rng.rand() < self.p:
            return self._op(img)
        return img


class RandomInvert(_RandomPointOp):
    """Invert the colours with probability ``p``."""

    def _op(self, img):
        return F.invert(img)


class RandomAutocontrast(_RandomPointOp):
    """Maximise the contrast of each channel with probability ``p``."""

    def _op(self, img):
        return F.autocontrast(img)


class RandomEqualize(_RandomPointOp):
    """Equalize the histogram (uint8 images) with probability ``p``."""

    def _op(self, img):
        return F.equalize(img)


class RandomPosterize(_RandomPointOp):
    """Keep ``bits`` bits per channel with probability ``p``."""

    def __init__(self, bits: int, p: float = 0.5) -> None:
        super().__init__(p)
        self.bits = bits

    def _op(self, img):
        return F.posterize(img, self.bits)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(bits={self.bits},p={self.p})"


class RandomSolarize(_RandomPointOp):
    """Invert the values at or above ``threshold`` with probability ``p``."""

    def __init__(self, threshold: float, p: float = 0.5) -> None:
        super().__init__(p)
        self.threshold = threshold

    def _op(self, img):
        return F.solarize(img, self.threshold)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(threshold={self.threshold},p={self.p})"


class RandomAdjustSharpness(_RandomPointOp):
    """Adjust the sharpness by ``sharpness_factor`` with probability ``p``."""

    def __init__(self, sharpness_factor: float, p: float = 0.5) -> None:
        super().__init__(p)
        self.sharpness_factor = sharpness_factor

    def _op(self, img):
        return F.adjust_sharpness(img, self.sharpness_factor)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(sharpness_factor={self.sharpness_factor},p={self.p})"


class LinearTransformation(Transform):
    """Flatten a tensor image, subtract ``mean_vector`` and multiply by the square
    ``transformation_matrix`` (e.g. ZCA whitening)."""

    def __init__(self, transformation_matrix: Tensor, mean_vector: Tensor) -> None:
        m, v = transformation_matrix, mean_vector
        if m.size(0) != m.size(1):
            raise ValueError(
                f"transformation_matrix should be square. Got {tuple(m.size())} rectangular matrix."
            )
        if v.size(0) != m.size(0):
            raise ValueError(
                f"mean_vector should have the same length {v.size(0)} as any one of the "
                f"dimensions of the transformation_matrix [{tuple(m.size())}]"
            )
        if m.dtype != v.dtype:
            raise ValueError(
                f"Input tensors should have the same dtype. Got {m.dtype} and {v.dtype}"
            )
        self.transformation_matrix = m
        self.mean_vector = v

    def forward(self, tensor: Tensor) -> Tensor:
        """Return the transformed tensor, in ``tensor``'s shape."""
        shape = tensor.shape
        n = shape[-3] * shape[-2] * shape[-1]
        if n != self.transformation_matrix.shape[0]:
            raise ValueError(
                "Input tensor and transformation matrix have incompatible shape."
                f"[{shape[-3]} x {shape[-2]} x {shape[-1]}] != "
                f"{self.transformation_matrix.shape[0]}"
            )
        flat = tensor.reshape(-1, n) - self.mean_vector
        return ember.mm(flat, self.transformation_matrix.to(flat.dtype)).reshape(shape)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(transformation_matrix={self.transformation_matrix.tolist()}, "
            f"mean_vector={self.mean_vector.tolist()})"
        )


def _two_floats(x, name: str):
    if not isinstance(x, float | Sequence):
        raise TypeError(f"{name} should be float or a sequence of floats. Got {type(x)}")
    if isinstance(x, Sequence):
        if len(x) != 2:
            raise ValueError(f"If {name} is a sequence its length should be 2. Got {len(x)}")
        for v in x:
            if not isinstance(v, float):
                raise TypeError(f"{name} should be a sequence of floats. Got {type(v)}")
        return x
    return [float(x), float(x)]


class ElasticTransform(Transform):
    """Displace pixels by a random field: uniform noise in [-1, 1] per pixel, Gaussian-blurred
    with std ``sigma`` and scaled by ``alpha`` (pixels), as in Simard et al. (2003)."""

    def __init__(self, alpha=50.0, sigma=5.0, interpolation=InterpolationMode.BILINEAR,
                 fill=0) -> None:  # fmt: skip
        self.alpha = _two_floats(alpha, "alpha")
        self.sigma = _two_floats(sigma, "sigma")
        if isinstance(interpolation, int):
            interpolation = _interpolation_modes_from_int(interpolation)
        self.interpolation = interpolation
        if isinstance(fill, numbers.Number):
            fill = [float(fill)]
        elif isinstance(fill, list | tuple):
            fill = [float(f) for f in fill]
        else:
            raise TypeError(
                f"fill should be int or float or a list or tuple of them. Got {type(fill)}"
            )
        self.fill = fill

    @staticmethod
    def get_params(alpha, sigma, size) -> Tensor:
        """Draw the displacement field (1, H, W, 2) for an image of ``size`` [H, W]."""
        fields = []
        for i in range(2):
            d = ember.rand([1, 1] + list(size)) * 2 - 1
            if sigma[i] > 0.0:
                k = int(8 * sigma[i] + 1)
                k += 1 - k % 2
                d = F.gaussian_blur(d, [k, k], list(sigma))
            fields.append(d * alpha[i] / size[1 - i])  # dx in widths, dy in heights
        return ember.cat(fields, 1).permute([0, 2, 3, 1])

    def forward(self, img):
        """Return ``img`` elastically distorted."""
        _, h, w = F.get_dimensions(img)
        displacement = self.get_params(self.alpha, self.sigma, [h, w])
        return F.elastic_transform(img, displacement, self.interpolation, self.fill)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(alpha={self.alpha}, sigma={self.sigma}, "
            f"interpolation={self.interpolation}, fill={self.fill})"
        )
