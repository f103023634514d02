"""``MixUp`` and ``CutMix``: batch transforms mixing each sample with its neighbour (the batch
rolled by one) and the one-hot labels in the same proportion.

The mixing weight is ``Beta(alpha, alpha).sample()`` and CutMix's box centre is two
``randint`` draws, as torchvision draws them; Ember's Beta sampler reproduces torch's for
``alpha >= 1`` (the default), so seeded results match there.
"""

from __future__ import annotations

import math
from typing import Any

import ember
from ember._tensor import Tensor
from ember.func._pytree import tree_flatten, tree_unflatten
from ember.utils.data import _rng
from ember.vision.tv_tensors import BoundingBoxes, Image, Mask, Video

from ..functional import _is_pil_image
from ._transform import Transform, find_labels, is_pure_tensor, query_size
from .functional import to_pure_tensor

__all__ = ["CutMix", "MixUp"]


class _BaseMixUpCutMix(Transform):
    def __init__(self, *, alpha: float = 1.0, num_classes: int | None = None,
                 labels_getter="default") -> None:  # fmt: skip
        super().__init__()
        self.alpha = float(alpha)
        self._dist = ember.distributions.Beta(ember.tensor([alpha]), ember.tensor([alpha]))
        self.num_classes = num_classes
        self._labels_getter = find_labels if labels_getter == "default" else labels_getter

    def _lam(self) -> float:
        return float(self._dist.sample(()))

    def forward(self, *inputs: Any) -> Any:
        sample = inputs if len(inputs) > 1 else inputs[0]
        flat, spec = tree_flatten(sample)
        if any(isinstance(x, BoundingBoxes | Mask) or _is_pil_image(x) for x in flat):
            raise ValueError(f"{type(self).__name__}() does not support PIL images, bounding "
                             "boxes and masks.")  # fmt: skip
        labels = self._labels_getter(sample)
        if not isinstance(labels, Tensor):
            raise ValueError(f"The labels must be a tensor, but got {type(labels)} instead.")
        if labels.ndim == 1 and self.num_classes is None:
            raise ValueError("num_classes must be passed if the labels are index-based (1D)")
        if labels.ndim not in (1, 2):
            raise ValueError(
                "labels should be index based with shape (batch_size,) or probability based with "
                "shape (batch_size, num_classes), but got a tensor of shape "
                f"{labels.shape} instead."
            )
        images = [x for x in flat if isinstance(x, Image | Video) or
                  (is_pure_tensor(x) and x is not labels)]  # fmt: skip
        for img in images:
            expected = 5 if isinstance(img, Video) else 4
            if img.ndim != expected:
                raise ValueError(
                    f"Expected a batched input with {expected} dims, but got {img.ndim} "
                    "dimensions instead."
                )
            if img.shape[0] != labels.shape[0]:
                raise ValueError(
                    "The batch size of the image or video does not match the batch size of the "
                    f"labels: {img.shape[0]} != {labels.shape[0]}."
                )
        params = {"labels": labels, **self.make_params(images)}
        out = [self.transform(x, params) if x is labels or any(x is i for i in images) else x
               for x in flat]  # fmt: skip
        return tree_unflatten(out, spec)

    def _mix_labels(self, labels: Tensor, lam: float) -> Tensor:
        if labels.ndim == 1:
            labels = ember.nn.functional.one_hot(labels, num_classes=self.num_classes)
        if not labels.is_floating_point():
            labels = labels.float()
        return labels.roll(1, 0).mul(1.0 - lam).add(labels.mul(lam))

    def _keep_type(self, like: Tensor, out: Tensor) -> Tensor:
        from ember.vision import tv_tensors

        return tv_tensors.wrap(out, like=like) if isinstance(like, Image | Video) else out


class MixUp(_BaseMixUpCutMix):
    """Blend each sample with the previous one: ``lam * x + (1 - lam) * x.roll(1, 0)``."""

    def make_params(self, flat_inputs: list) -> dict:
        return {"lam": self._lam()}

    def transform(self, inpt: Any, params: dict) -> Any:
        lam = params["lam"]
        if inpt is params["labels"]:
            return self._mix_labels(inpt, lam)
        plain = to_pure_tensor(inpt)
        return self._keep_type(inpt, plain.roll(1, 0).mul(1.0 - lam).add(plain.mul(lam)))


class CutMix(_BaseMixUpCutMix):
    """Paste a random box of the previous sample into each sample; labels mix by the box's
    area."""

    def make_params(self, flat_inputs: list) -> dict:
        lam = self._lam()
        h, w = query_size(flat_inputs)
        r_x = _rng.randint(0, w, 1)[0]
        r_y = _rng.randint(0, h, 1)[0]
        r = 0.5 * math.sqrt(1.0 - lam)
        rw, rh = int(r * w), int(r * h)
        x1, y1 = max(r_x - rw, 0), max(r_y - rh, 0)
        x2, y2 = min(r_x + rw, w), min(r_y + rh, h)
        lam_adjusted = float(1.0 - (x2 - x1) * (y2 - y1) / (w * h))
        return {"box": (x1, y1, x2, y2), "lam_adjusted": lam_adjusted}

    def transform(self, inpt: Any, params: dict) -> Any:
        if inpt is params["labels"]:
            return self._mix_labels(inpt, params["lam_adjusted"])
        x1, y1, x2, y2 = params["box"]
        a = inpt.detach().numpy()
        out = a.copy()
        out[..., y1:y2, x1:x2] = a.take(range(-1, a.shape[0] - 1), axis=0)[..., y1:y2, x1:x2]
        return self._keep_type(inpt, ember.from_numpy(out))
