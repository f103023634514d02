"""AutoAugment, RandAugment, TrivialAugmentWide and AugMix in torchvision's ``transforms`` layout.

Each draws from Ember's global generator with the calls torchvision makes on torch's, in the same
order (``randint`` for a policy, an operation or a magnitude bin, ``rand`` for a probability,
``randint(2)`` for a sign, ``_sample_dirichlet`` for AugMix's weights), so with the same seed both
pick the same operations at the same magnitudes.
"""

from __future__ import annotations

import math
from enum import Enum

import numpy as np

import ember
from ember._tensor import Tensor
from ember.nn.modules.module import Module
from ember.utils.data import _rng

from . import functional as F
from ._augment import _tensor_fill
from .functional import InterpolationMode

__all__ = ["AutoAugmentPolicy", "AutoAugment", "RandAugment", "TrivialAugmentWide", "AugMix"]


class AutoAugmentPolicy(Enum):
    """The AutoAugment policies learned on ImageNet, CIFAR-10 and SVHN."""

    IMAGENET = "imagenet"
    CIFAR10 = "cifar10"
    SVHN = "svhn"


# Each policy: sub-policies of two (operation, probability, magnitude bin of 10) steps, as
# published by Cubuk et al. (2019).
_POLICIES = {
    AutoAugmentPolicy.IMAGENET: [
        (("Posterize", 0.4, 8), ("Rotate", 0.6, 9)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
        (("Posterize", 0.6, 7), ("Posterize", 0.6, 6)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)),
        (("Equalize", 0.4, None), ("Rotate", 0.8, 8)),
        (("Solarize", 0.6, 3), ("Equalize", 0.6, None)),
        (("Posterize", 0.8, 5), ("Equalize", 1.0, None)),
        (("Rotate", 0.2, 3), ("Solarize", 0.6, 8)),
        (("Equalize", 0.6, None), ("Posterize", 0.4, 6)),
        (("Rotate", 0.8, 8), ("Color", 0.4, 0)),
        (("Rotate", 0.4, 9), ("Equalize", 0.6, None)),
        (("Equalize", 0.0, None), ("Equalize", 0.8, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Rotate", 0.8, 8), ("Color", 1.0, 2)),
        (("Color", 0.8, 8), ("Solarize", 0.8, 7)),
        (("Sharpness", 0.4, 7), ("Invert", 0.6, None)),
        (("ShearX", 0.6, 5), ("Equalize", 1.0, None)),
        (("Color", 0.4, 0), ("Equalize", 0.6, None)),
        (("Equalize", 0.4, None), ("Solarize", 0.2, 4)),
        (("Solarize", 0.6, 5), ("AutoContrast", 0.6, None)),
        (("Invert", 0.6, None), ("Equalize", 1.0, None)),
        (("Color", 0.6, 4), ("Contrast", 1.0, 8)),
        (("Equalize", 0.8, None), ("Equalize", 0.6, None)),
    ],
    AutoAugmentPolicy.CIFAR10: [
        (("Invert", 0.1, None), ("Contrast", 0.2, 6)),
        (("Rotate", 0.7, 2), ("TranslateX", 0.3, 9)),
        (("Sharpness", 0.8, 1), ("Sharpness", 0.9, 3)),
        (("ShearY", 0.5, 8), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.5, None), ("Equalize", 0.9, None)),
        (("ShearY", 0.2, 7), ("Posterize", 0.3, 7)),
        (("Color", 0.4, 3), ("Brightness", 0.6, 7)),
        (("Sharpness", 0.3, 9), ("Brightness", 0.7, 9)),
        (("Equalize", 0.6, None), ("Equalize", 0.5, None)),
        (("Contrast", 0.6, 7), ("Sharpness", 0.6, 5)),
        (("Color", 0.7, 7), ("TranslateX", 0.5, 8)),
        (("Equalize", 0.3, None), ("AutoContrast", 0.4, None)),
        (("TranslateY", 0.4, 3), ("Sharpness", 0.2, 6)),
        (("Brightness", 0.9, 6), ("Color", 0.2, 8)),
        (("Solarize", 0.5, 2), ("Invert", 0.0, None)),
        (("Equalize", 0.2, None), ("AutoContrast", 0.6, None)),
        (("Equalize", 0.2, None), ("Equalize", 0.6, None)),
        (("Color", 0.9, 9), ("Equalize", 0.6, None)),
        (("AutoContrast", 0.8, None), ("Solarize", 0.2, 8)),
        (("Brightness", 0.1, 3), ("Color", 0.7, 0)),
        (("Solarize", 0.4, 5), ("AutoContrast", 0.9, None)),
        (("TranslateY", 0.9, 9), ("TranslateY", 0.7, 9)),
        (("AutoContrast", 0.9, None), ("Solarize", 0.8, 3)),
        (("Equalize", 0.8, None), ("Invert", 0.1, None)),
        (("TranslateY", 0.7, 9), ("AutoContrast", 0.9, None)),
    ],
    AutoAugmentPolicy.SVHN: [
        (("ShearX", 0.9, 4), ("Invert", 0.2, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.6, None), ("Solarize", 0.6, 6)),
        (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("AutoContrast", 0.8, None)),
        (("ShearY", 0.9, 8), ("Invert", 0.4, None)),
        (("ShearY", 0.9, 5), ("Solarize", 0.2, 6)),
        (("Invert", 0.9, None), ("AutoContrast", 0.8, None)),
        (("Equalize", 0.6, None), ("Rotate", 0.9, 3)),
        (("ShearX", 0.9, 4), ("Solarize", 0.3, 3)),
        (("ShearY", 0.8, 8), ("Invert", 0.7, None)),
        (("Equalize", 0.9, None), ("TranslateY", 0.6, 6)),
        (("Invert", 0.9, None), ("Equalize", 0.6, None)),
        (("Contrast", 0.3, 3), ("Rotate", 0.8, 4)),
        (("Invert", 0.8, None), ("TranslateY", 0.0, 2)),
        (("ShearY", 0.7, 6), ("Solarize", 0.4, 8)),
        (("Invert", 0.6, None), ("Rotate", 0.8, 4)),
        (("ShearY", 0.3, 7), ("TranslateX", 0.9, 3)),
        (("ShearX", 0.1, 6), ("Invert", 0.6, None)),
        (("Solarize", 0.7, 2), ("TranslateY", 0.6, 7)),
        (("ShearY", 0.8, 4), ("Invert", 0.8, None)),
        (("ShearX", 0.7, 9), ("TranslateY", 0.8, 3)),
        (("ShearY", 0.8, 5), ("AutoContrast", 0.7, None)),
        (("ShearX", 0.7, 2), ("Invert", 0.1, None)),
    ],
}


def _policies(policy) -> list:
    if policy not in _POLICIES:
        raise ValueError(f"The provided policy {policy} is not recognized.")
    return _POLICIES[policy]


# Operation orders of the search spaces (an index drawn with randint picks the operation).
_ENHANCE = ("Brightness", "Color", "Contrast", "Sharpness")
_GEOMETRY = ("ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate")
_TAIL = ("Posterize", "Solarize", "AutoContrast", "Equalize")
AUTOAUGMENT_OPS = (*_GEOMETRY, *_ENHANCE, *_TAIL, "Invert")
RANDAUGMENT_OPS = ("Identity", *_GEOMETRY, *_ENHANCE, *_TAIL)
AUGMIX_OPS = (*_GEOMETRY, *_TAIL, *_ENHANCE)


def augmentation_space(ops, num_bins: int, shear: float, dx: float, dy: float, degrees: float,
                       enhance: float, bits_top: int, bits_steps: int,
                       solarize_top: float) -> dict:  # fmt: skip
    """``{op: (magnitudes or None, signed)}`` in the order of ``ops``: float32 ``linspace``
    bins from 0 to the maximum (shear tangent, pixels, degrees, enhancement offset), posterize's
    ``bits_top - round(arange(bins) / ((bins - 1) / bits_steps))`` bits and solarize's threshold
    falling from ``solarize_top`` to 0; None for the operations without a magnitude."""

    def lin(start: float, end: float):
        return ember.linspace(start, end, num_bins).numpy()

    ratio = np.arange(num_bins, dtype=np.float32) / np.float32((num_bins - 1) / bits_steps)
    table = {
        "Identity": (None, False),
        "ShearX": (lin(0.0, shear), True),
        "ShearY": (lin(0.0, shear), True),
        "TranslateX": (lin(0.0, dx), True),
        "TranslateY": (lin(0.0, dy), True),
        "Rotate": (lin(0.0, degrees), True),
        **{op: (lin(0.0, enhance), True) for op in _ENHANCE},
        "Posterize": (bits_top - np.round(ratio).astype(np.int32), False),
        "Solarize": (lin(solarize_top, 0.0), False),
        "AutoContrast": (None, False),
        "Equalize": (None, False),
        "Invert": (None, False),
    }
    return {op: table[op] for op in ops}


def _apply_op(img, op: str, magnitude: float, interpolation, fill, F=F, solarize_bound=None):
    """One augmentation ``op`` at ``magnitude`` through the functional module ``F`` (shears are
    tangents, made degrees; with ``solarize_bound`` the solarize magnitude is a fraction of the
    image's top value, as v2 has it)."""
    if op in ("ShearX", "ShearY"):
        angle = math.degrees(math.atan(magnitude))
        shear = [angle, 0.0] if op == "ShearX" else [0.0, angle]
        return F.affine(img, angle=0.0, translate=[0, 0], scale=1.0, shear=shear,
                        interpolation=interpolation, fill=fill, center=[0, 0])  # fmt: skip
    if op in ("TranslateX", "TranslateY"):
        shift = [int(magnitude), 0] if op == "TranslateX" else [0, int(magnitude)]
        return F.affine(img, angle=0.0, translate=shift, scale=1.0, shear=[0.0, 0.0],
                        interpolation=interpolation, fill=fill)  # fmt: skip
    if op == "Rotate":
        return F.rotate(img, magnitude, interpolation=interpolation, fill=fill)
    factors = {"Brightness": F.adjust_brightness, "Color": F.adjust_saturation,
               "Contrast": F.adjust_contrast, "Sharpness": F.adjust_sharpness}  # fmt: skip
    if op in factors:
        return factors[op](img, 1.0 + magnitude)
    if op == "Posterize":
        return F.posterize(img, int(magnitude))
    if op == "Solarize":
        if solarize_bound is None:
            return F.solarize(img, magnitude)
        return F.solarize(img, solarize_bound(img) * magnitude)
    if op == "Identity":
        return img
    unary = {"AutoContrast": F.autocontrast, "Equalize": F.equalize, "Invert": F.invert}
    if op not in unary:
        raise ValueError(f"The provided operator {op} is not recognized.")
    return unary[op](img)


# -- AugMix's Dirichlet weights, drawn as torch._sample_dirichlet draws them on the CPU --------
_THIRD = float(np.float32(1.0) / np.float32(3.0))  # float literals in torch's double sampler
_SQUEEZE = float(np.float32(0.0331))


def _standard_gamma(gen, alpha: float) -> float:
    """One Gamma(alpha, 1) draw (Marsaglia and Tsang, 2000) on double uniforms and the scalar
    Box-Muller normals of ``gen``; alpha < 1 is boosted to alpha + 1 and scaled by u^(1/alpha)."""
    scale = 1.0
    if alpha < 1.0:
        if alpha == 0.0:
            return 0.0
        scale = math.pow(1.0 - float(gen._unit(1, np.float64)[0]), 1.0 / alpha)
        alpha += 1.0
    d = alpha - _THIRD
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        y = 0.0
        while y <= 0:
            x = float(gen._normal_scalar(1, 0.0, 1.0)[0])
            y = 1.0 + c * x
        v = y * y * y
        u = 1.0 - float(gen._unit(1, np.float64)[0])
        xx = x * x
        if u < 1.0 - _SQUEEZE * xx * xx or math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def sample_dirichlet(alpha: Tensor) -> Tensor:
    """``torch._sample_dirichlet(alpha)`` for a float ``(rows, k)`` tensor on Ember's global
    generator: double gammas row by row, normalised, then kept inside (0, 1) in alpha's dtype."""
    if not alpha.is_floating_point():
        name = {ember.int64: "Long", ember.int32: "Int"}.get(alpha.dtype, str(alpha.dtype))
        raise NotImplementedError(f"\"dirichlet\" not implemented for '{name}'")
    gen = _rng.kernel_generator(None)
    a = alpha.detach().numpy().astype(np.float64)
    tiny = np.finfo(np.float64).tiny
    gammas = np.array([max(_standard_gamma(gen, float(v)), tiny) for v in a.ravel()])
    gammas = gammas.reshape(a.shape)
    totals = np.array([sum(row) for row in gammas.reshape(-1, a.shape[-1])]).reshape(
        a.shape[:-1] + (1,)
    )
    dt = np.dtype(alpha.dtype.np)
    out = (gammas / totals).astype(dt)
    return ember.from_numpy(np.clip(out, np.finfo(dt).tiny, np.nextafter(dt.type(1), dt.type(0))))


# -- the v1 transforms -----------------------------------------------------------------------
def _fill_for(img, fill):
    """A tensor image takes one float per channel; a PIL image takes ``fill`` as given."""
    return None if fill is None else _tensor_fill(img, fill)


def _signed(magnitude: float) -> float:
    """v1's sign draw: ``randint(2, (1,))``, negative when 1."""
    return -magnitude if _rng.randint(0, 2, 1)[0] else magnitude


def _picked(space: dict) -> tuple[str, np.ndarray | None, bool]:
    """An operation drawn with ``randint(len(space), (1,))``."""
    op = list(space)[_rng.randint(0, len(space), 1)[0]]
    return (op, *space[op])


class _AutoAugmentV1(Module):
    _repr_names: tuple = ()

    def __init__(self, interpolation=InterpolationMode.NEAREST, fill=None) -> None:
        super().__init__()
        self.interpolation = interpolation
        self.fill = fill

    def _op(self, img, op: str, magnitude: float, fill):
        return _apply_op(img, op, magnitude, self.interpolation, fill)

    def __repr__(self) -> str:
        names = [*self._repr_names, "interpolation", "fill"]
        return f"{type(self).__name__}({', '.join(f'{n}={getattr(self, n)}' for n in names)})"


class AutoAugment(_AutoAugmentV1):
    """AutoAugment (Cubuk et al., 2019): one sub-policy of ``policy`` drawn per image, each of
    its two operations applied with its probability at its magnitude (sign drawn)."""

    def __init__(self, policy: AutoAugmentPolicy = AutoAugmentPolicy.IMAGENET,
                 interpolation=InterpolationMode.NEAREST, fill=None) -> None:  # fmt: skip
        super().__init__(interpolation, fill)
        self.policy = policy
        self.policies = _policies(policy)

    def _augmentation_space(self, num_bins: int, image_size) -> dict:
        h, w = image_size
        return augmentation_space(AUTOAUGMENT_OPS, num_bins, 0.3, 150.0 / 331.0 * w,
                                  150.0 / 331.0 * h, 30.0, 0.9, 8, 4, 255.0)  # fmt: skip

    @staticmethod
    def get_params(transform_num: int) -> tuple[int, Tensor, Tensor]:
        """Draw (sub-policy index, two probabilities, two signs)."""
        policy_id = _rng.randint(0, transform_num, 1)[0]
        gen = _rng.kernel_generator(None)
        probs = ember.from_numpy(gen.uniform((2,), np.float32))
        signs = ember.from_numpy(gen.randint(0, 2, (2,)))
        return policy_id, probs, signs

    def forward(self, img):
        """Return ``img`` under a random sub-policy."""
        fill = _fill_for(img, self.fill)
        _, h, w = F.get_dimensions(img)
        transform_id, probs, signs = self.get_params(len(self.policies))
        space = self._augmentation_space(10, (h, w))
        for i, (op, p, bin_id) in enumerate(self.policies[transform_id]):
            if np.float32(probs[i].item()) <= np.float32(p):
                magnitudes, signed = space[op]
                magnitude = float(magnitudes[bin_id]) if bin_id is not None else 0.0
                if signed and signs[i].item() == 0:
                    magnitude = -magnitude
                img = self._op(img, op, magnitude, fill)
        return img

    def __repr__(self) -> str:
        return f"{type(self).__name__}(policy={self.policy}, fill={self.fill})"


class RandAugment(_AutoAugmentV1):
    """RandAugment (Cubuk et al., 2020): ``num_ops`` operations drawn uniformly, each at bin
    ``magnitude`` of ``num_magnitude_bins``."""

    _repr_names = ("num_ops", "magnitude", "num_magnitude_bins")

    def __init__(self, num_ops: int = 2, magnitude: int = 9, num_magnitude_bins: int = 31,
                 interpolation=InterpolationMode.NEAREST, fill=None) -> None:  # fmt: skip
        super().__init__(interpolation, fill)
        self.num_ops = num_ops
        self.magnitude = magnitude
        self.num_magnitude_bins = num_magnitude_bins

    def _augmentation_space(self, num_bins: int, image_size) -> dict:
        h, w = image_size
        return augmentation_space(RANDAUGMENT_OPS, num_bins, 0.3, 150.0 / 331.0 * w,
                                  150.0 / 331.0 * h, 30.0, 0.9, 8, 4, 255.0)  # fmt: skip

    def forward(self, img):
        """Return ``img`` after ``num_ops`` random operations."""
        fill = _fill_for(img, self.fill)
        _, h, w = F.get_dimensions(img)
        space = self._augmentation_space(self.num_magnitude_bins, (h, w))
        for _ in range(self.num_ops):
            op, magnitudes, signed = _picked(space)
            magnitude = float(magnitudes[self.magnitude]) if magnitudes is not None else 0.0
            img = self._op(img, op, _signed(magnitude) if signed else magnitude, fill)
        return img


class TrivialAugmentWide(_AutoAugmentV1):
    """TrivialAugment Wide (Müller and Hutter, 2021): one operation drawn uniformly, at a
    magnitude bin drawn uniformly."""

    _repr_names = ("num_magnitude_bins",)

    def __init__(self, num_magnitude_bins: int = 31, interpolation=InterpolationMode.NEAREST,
                 fill=None) -> None:  # fmt: skip
        super().__init__(interpolation, fill)
        self.num_magnitude_bins = num_magnitude_bins

    def _augmentation_space(self, num_bins: int) -> dict:
        return augmentation_space(RANDAUGMENT_OPS, num_bins, 0.99, 32.0, 32.0, 135.0, 0.99,
                                  8, 6, 255.0)  # fmt: skip

    def forward(self, img):
        """Return ``img`` after one random operation."""
        fill = _fill_for(img, self.fill)
        op, magnitudes, signed = _picked(self._augmentation_space(self.num_magnitude_bins))
        magnitude = 0.0
        if magnitudes is not None:
            magnitude = float(magnitudes[_rng.randint(0, len(magnitudes), 1)[0]])
        return self._op(img, op, _signed(magnitude) if signed else magnitude, fill)


def check_severity(severity: int, top: int = 10) -> None:
    """AugMix's check of ``severity`` (1 to 10)."""
    if not (1 <= severity <= top):
        raise ValueError(f"The severity must be between [1, {top}]. Got {severity} instead.")


def augmix_weights(alpha: float, mixture_width: int, rows: int, sampler) -> tuple:
    """AugMix's two Dirichlet draws: the (original, augmented) split per row, then the chains'
    shares of the augmented part (float32, as torch multiplies them)."""
    m = sampler(ember.tensor([alpha, alpha]).expand(rows, -1)).numpy()
    chains = sampler(ember.tensor([alpha] * mixture_width).expand(rows, -1)).numpy()
    return m, chains * m[:, 1].reshape(rows, -1)


def augmix_chain(img, space: dict, chain_depth: int, severity: int, op_fn, signed_fn):
    """One AugMix chain: its depth (``randint(1, 4)`` unless ``chain_depth`` > 0), then per step
    an operation, a bin below ``severity`` and a sign, each applied with ``op_fn``."""
    depth = chain_depth if chain_depth > 0 else _rng.randint(1, 4, 1)[0]
    for _ in range(depth):
        op, magnitudes, signed = _picked(space)
        magnitude = 0.0
        if magnitudes is not None:
            magnitude = float(magnitudes[_rng.randint(0, severity, 1)[0]])
        img = op_fn(img, op, signed_fn(magnitude) if signed else magnitude)
    return img


def augmix_mix(batch: Tensor, m: np.ndarray, weights: np.ndarray, chains: list) -> np.ndarray:
    """``m0 * batch + sum_i w_i * chain_i`` per row, in the promoted dtype, as torch adds."""
    dims = [batch.shape[0]] + [1] * (batch.ndim - 1)
    mix = m[:, 0].reshape(dims) * batch.numpy()
    for i, aug in enumerate(chains):
        mix += weights[:, i].reshape(dims) * aug.numpy()
    return mix


class AugMix(_AutoAugmentV1):
    """AugMix (Hendrycks et al., 2020): ``mixture_width`` random chains of operations, mixed with
    Dirichlet weights and blended with the original by a Beta weight."""

    _repr_names = ("severity", "mixture_width", "chain_depth", "alpha", "all_ops")

    def __init__(self, severity: int = 3, mixture_width: int = 3, chain_depth: int = -1,
                 alpha: float = 1.0, all_ops: bool = True,
                 interpolation=InterpolationMode.BILINEAR, fill=None) -> None:  # fmt: skip
        super().__init__(interpolation, fill)
        self._PARAMETER_MAX = 10
        check_severity(severity, self._PARAMETER_MAX)
        self.severity = severity
        self.mixture_width = mixture_width
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops

    def _augmentation_space(self, num_bins: int, image_size) -> dict:
        h, w = image_size
        ops = AUGMIX_OPS if self.all_ops else AUGMIX_OPS[: -len(_ENHANCE)]
        return augmentation_space(ops, num_bins, 0.3, w / 3.0, h / 3.0, 30.0, 0.9, 4, 4, 255.0)

    def _sample_dirichlet(self, params: Tensor) -> Tensor:
        return sample_dirichlet(params)

    def forward(self, orig_img):
        """Return the AugMix blend of ``orig_img`` (a uint8 or float tensor, or a PIL image)."""
        fill = self.fill
        _, h, w = F.get_dimensions(orig_img)
        if isinstance(orig_img, Tensor):
            img, fill = orig_img, _fill_for(orig_img, fill)
        else:
            img = F.pil_to_tensor(orig_img)
        space = self._augmentation_space(self._PARAMETER_MAX, (h, w))
        orig_dims = list(img.shape)
        batch = img.reshape([1] * max(4 - img.ndim, 0) + orig_dims)
        m, weights = augmix_weights(self.alpha, self.mixture_width, batch.shape[0],
                                    self._sample_dirichlet)  # fmt: skip
        chains = [
            augmix_chain(
                batch,
                space,
                self.chain_depth,
                self.severity,
                lambda x, op, mag: self._op(x, op, mag, fill),
                _signed,
            )  # fmt: skip
            for _ in range(self.mixture_width)
        ]
        mix = augmix_mix(batch, m, weights, chains)
        out = ember.from_numpy(mix.reshape(orig_dims).astype(np.dtype(img.dtype.np)))
        return out if isinstance(orig_img, Tensor) else F.to_pil_image(out)
