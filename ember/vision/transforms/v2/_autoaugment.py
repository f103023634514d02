"""v2 ``AutoAugment`` and ``AugMix``: the v1 policies and search spaces, drawn as torchvision's v2
draws them (``randint(n, ())`` for a sub-policy or operation, ``rand(()) <= p`` for a step,
``rand(()) <= 0.5`` for a sign), applied through ``v2.functional`` to the one image or video of
a sample."""

from __future__ import annotations

from typing import Any

import numpy as np

import ember
from ember._tensor import Tensor
from ember.func._pytree import tree_flatten, tree_unflatten
from ember.utils.data import _rng
from ember.vision import tv_tensors
from ember.vision.tv_tensors import BoundingBoxes, Mask, Video

from .. import autoaugment as _v1
from .._augment import _tensor_fill
from ..autoaugment import AutoAugmentPolicy
from ..functional import _max_value
from . import functional as F
from ._auto import _AutoAugmentBase
from ._utils import _check_fill, _get_fill

__all__ = ["AugMix", "AutoAugment", "AutoAugmentPolicy"]


def _bound(image) -> float:
    """The top value solarize's fraction scales to: the dtype's for tensors, 255 for PIL."""
    return _max_value(np.dtype(image.dtype.np)) if isinstance(image, Tensor) else 255.0


class _SingleImage(_AutoAugmentBase):
    """Find the one image or video of a sample; masks and boxes are refused."""

    def __init__(self, interpolation="nearest", fill=None) -> None:
        _check_fill(fill)
        super().__init__(interpolation=interpolation, fill=fill)

    def _fill_for(self, image):
        fill = _get_fill(self.fill, image)  # a dict gives a fill per input type
        return None if fill is None else _tensor_fill(image, fill)

    def _extract(self, inputs: tuple) -> tuple[list, Any, int]:
        flat, spec = tree_flatten(inputs if len(inputs) > 1 else inputs[0])
        found = []
        for idx, (x, need) in enumerate(zip(flat, self._needs_transform_list(flat), strict=True)):
            if need:
                found.append(idx)
            elif isinstance(x, BoundingBoxes | Mask):
                name = type(self).__name__
                raise TypeError(f"Inputs of type {type(x).__name__} are not supported by {name}()")
        if not found:
            raise TypeError("Found no image in the sample.")
        if len(found) > 1:
            raise TypeError(
                "Auto augment transformations are only properly defined for a single image or "
                f"video, but found {len(found)}."
            )
        return flat, spec, found[0]

    def _op(self, image, op: str, magnitude: float):
        return _v1._apply_op(image, op, magnitude, self.interpolation, self._fill_for(image), F=F,
                            solarize_bound=_bound)  # fmt: skip


class AutoAugment(_SingleImage):
    """AutoAugment: one sub-policy of ``policy`` per call, each step applied with its
    probability at its magnitude bin of 10 (sign drawn)."""

    def __init__(self, policy: AutoAugmentPolicy = AutoAugmentPolicy.IMAGENET,
                 interpolation="nearest", fill=None) -> None:  # fmt: skip
        super().__init__(interpolation=interpolation, fill=fill)
        self.policy = policy
        self._policies = _v1._policies(policy)

    def forward(self, *inputs: Any) -> Any:
        """Transform the sample's image or video."""
        flat, spec, idx = self._extract(inputs)
        image = flat[idx]
        h, w = F.get_size(image)
        policy = self._policies[_rng.randint(0, len(self._policies), 1)[0]]
        space = _v1.augmentation_space(_v1.AUTOAUGMENT_OPS, 10, 0.3, 150.0 / 331.0 * w,
                                       150.0 / 331.0 * h, 30.0, 0.9, 8, 4, 1.0)  # fmt: skip
        for op, p, bin_id in policy:
            if not np.float32(_rng.rand()) <= np.float32(p):
                continue
            magnitudes, signed = space[op]
            magnitude = 0.0
            if magnitudes is not None:
                magnitude = self._signed(float(magnitudes[bin_id]), signed)
            image = self._op(image, op, magnitude)
        flat[idx] = image
        return tree_unflatten(flat, spec)


class AugMix(_SingleImage):
    """AugMix: ``mixture_width`` random chains of operations, mixed with Dirichlet weights and
    blended with the original by a Beta weight."""

    def __init__(self, severity: int = 3, mixture_width: int = 3, chain_depth: int = -1,
                 alpha: float = 1.0, all_ops: bool = True, interpolation="bilinear",
                 fill=None) -> None:  # fmt: skip
        super().__init__(interpolation=interpolation, fill=fill)
        self._PARAMETER_MAX = 10
        _v1.check_severity(severity, self._PARAMETER_MAX)
        self.severity = severity
        self.mixture_width = mixture_width
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops

    def _sample_dirichlet(self, params: Tensor) -> Tensor:
        return _v1.sample_dirichlet(params)

    def forward(self, *inputs: Any) -> Any:
        """Replace the sample's image or video by its AugMix blend."""
        flat, spec, idx = self._extract(inputs)
        orig = flat[idx]
        h, w = F.get_size(orig)
        image = F.to_pure_tensor(orig) if isinstance(orig, Tensor) else F.pil_to_tensor(orig)
        ops = _v1.AUGMIX_OPS if self.all_ops else _v1.AUGMIX_OPS[:-4]
        space = _v1.augmentation_space(ops, self._PARAMETER_MAX, 0.3, w / 3.0, h / 3.0, 30.0,
                                       0.9, 4, 4, 1.0)  # fmt: skip
        dims = list(image.shape)
        ndim = 5 if isinstance(orig, Video) else 4
        batch = image.reshape([1] * max(ndim - image.ndim, 0) + dims)
        m, weights = _v1.augmix_weights(self.alpha, self.mixture_width, batch.shape[0],
                                        self._sample_dirichlet)  # fmt: skip
        chains = [
            _v1.augmix_chain(
                batch,
                space,
                self.chain_depth,
                self.severity,
                self._op,
                lambda mag: self._signed(mag, True),
            )  # fmt: skip
            for _ in range(self.mixture_width)
        ]
        mix = _v1.augmix_mix(batch, m, weights, chains)
        out = ember.from_numpy(mix.reshape(dims).astype(np.dtype(image.dtype.np)))
        if isinstance(orig, tv_tensors.Image | Video):
            out = tv_tensors.wrap(out, like=orig)
        elif not isinstance(orig, Tensor):
            out = F.to_pil_image(out)
        flat[idx] = out
        return tree_unflatten(flat, spec)
