"""v2 ``AutoAugment`` and ``AugMix``: the v1 policies and search spaces, drawn as torchvision's v2
draws them (``randint(n, ())`` for a sub-policy or operation, ``rand(()) <= p`` for a step,
``rand(()) <= 0.5`` for a sign), applied through ``v2.functional`` to the one image or video of
a sample."""

from __future__ import annotations

from typing import Any

import numpy as np

import ember
from ember._tensor import Tensor
from ember.func._pytree import tree_unflatten
from ember.utils.data import _rng
from ember.vision import tv_tensors
from ember.vision.tv_tensors import Video

from .. import autoaugment as _v1
from ..autoaugment import AutoAugmentPolicy
from . import functional as F
from ._auto import _AutoAugmentBase

__all__ = ["AugMix", "AutoAugment", "AutoAugmentPolicy"]


class AutoAugment(_AutoAugmentBase):
    """AutoAugment: one sub-policy of ``policy`` per call, each step applied with its
    probability at its magnitude bin of 10 (sign drawn)."""

    def __init__(self, policy: AutoAugmentPolicy = AutoAugmentPolicy.IMAGENET,
                 interpolation="nearest", fill=None) -> None:  # fmt: skip
        super().__init__(interpolation=interpolation, fill=fill)
        self.policy = policy
        self._policies = _v1._policies(policy)

    def _space(self, h: int, w: int) -> dict:
        return _v1.augmentation_space(_v1.AUTOAUGMENT_OPS, 10, 0.3, 150.0 / 331.0 * w,
                                      150.0 / 331.0 * h, 30.0, 0.9, 8, 4, 1.0)  # fmt: skip

    def _draws(self, space: dict):
        for op, p, bin_id in self._policies[_rng.randint(0, len(self._policies), 1)[0]]:
            if not np.float32(_rng.rand()) <= np.float32(p):
                continue
            magnitudes, signed = space[op]
            magnitude = 0.0
            if magnitudes is not None:
                magnitude = self._signed(float(magnitudes[bin_id]), signed)
            yield op, magnitude


class AugMix(_AutoAugmentBase):
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
