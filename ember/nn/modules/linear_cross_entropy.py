"""``LinearCrossEntropyLoss``: a linear layer fused with cross entropy, and its chunking options.

The module keeps its classifier as a plain ``Linear`` of ``num_classes * prod(out_features)``
outputs (so ``state_dict`` keys are ``linear.weight`` and ``linear.bias``, as torch's) and reshapes
the weight to ``(C, *out_features, in_features)`` on each call of
``F.linear_cross_entropy``.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Literal

from ... import _dtype as D
from ..._tensor import Tensor
from .. import functional as F
from .linear import Linear
from .loss import _WeightedLoss

__all__ = ["LinearCrossEntropyLoss", "LinearCrossEntropyOptions"]

_POLICIES = ("auto", "accurate", "balanced", "compact")
_ACC_DTYPES = (D.float16, D.float32, D.float64)  # Ember's bfloat16 is its float32
# The "auto" picks for CPU: half-precision inputs get the full aspect ratio, the rest half of it.
_AUTO_CHUNKING = {D.float16: "aspect_ratio"}
_AUTO_CHUNKING_DEFAULT = "aspect_ratio:2"


@dataclasses.dataclass(slots=True, frozen=True)
class LinearCrossEntropyOptions:
    """How ``linear_cross_entropy`` splits the batch into chunks (``None`` options: no chunks).

    Args:
        allow_retain_graph: allow a second backward through a 'mean' or 'sum' loss.
        batch_chunk_size: rows per chunk (``None``: one chunk, or what ``chunking_method`` picks).
        chunking_method: ``'auto'``, ``'aspect_ratio'``, ``'aspect_ratio:N'`` or ``None``.
        acc_policy: ``'auto'``, ``'accurate'``, ``'balanced'`` or ``'compact'``.
        acc_dtype: the accumulation dtype (``None``: float32 for half inputs, else theirs).
    """

    allow_retain_graph: bool = False
    batch_chunk_size: int | None = None
    chunking_method: str | None = "auto"
    acc_policy: Literal["accurate", "balanced", "compact", "auto"] = "auto"
    acc_dtype: D.dtype | None = None

    def __post_init__(self) -> None:
        if self.acc_policy not in _POLICIES:
            raise ValueError(f"invalid acc_policy: {self.acc_policy!r}")
        if self.chunking_method not in (None, "auto"):
            name, colon, factor = self.chunking_method.partition(":")
            factor = factor if colon else "1"
            if name != "aspect_ratio" or not factor.isdigit() or int(factor) < 1:
                raise ValueError(f"invalid chunking_method: {self.chunking_method!r}")
        size = self.batch_chunk_size
        if size is not None and not (isinstance(size, int) and size > 0):
            raise ValueError(f"batch_chunk_size must be positive int or None, got {size!r}")
        if self.acc_dtype is not None and self.acc_dtype not in _ACC_DTYPES:
            raise ValueError(
                "acc_dtype must be one of {None, torch.float16, torch.bfloat16, torch.float32, "
                f"torch.float64}}, got {self.acc_dtype!r}. Pass acc_dtype=None to let the op pick "
                "automatically."
            )

    def _chunk_size(self, num_batches: int, in_features: int, num_classes: int, dtype) -> int:
        """Rows per chunk for one call: ``batch_chunk_size`` or the chunking method's pick.

        The aspect-ratio methods make a chunk's (rows, classes) logits about as large as the
        (num_batches, in_features) input, in a power of two of rows, divided by N for ':N'.
        """
        method = self.chunking_method
        if method == "auto":  # an explicit size wins over the automatic method
            auto = _AUTO_CHUNKING.get(dtype, _AUTO_CHUNKING_DEFAULT)
            method = None if self.batch_chunk_size is not None else auto
        size = num_batches if self.batch_chunk_size is None else self.batch_chunk_size
        size = min(size, num_batches)
        if method is not None:
            divisor = int(method.partition(":")[2] or 1)
            ratio = -(-num_classes // in_features)
            rows = -(-num_batches // ratio)
            picked = min((1 << (rows - 1).bit_length()) // divisor, num_batches)
            if self.batch_chunk_size is not None and self.batch_chunk_size != picked:
                raise ValueError(
                    f"batch_chunk_size (={self.batch_chunk_size}) and chunking_method "
                    f"('{method}') give different chunk sizes ({self.batch_chunk_size} vs "
                    f"{picked}); pass only one."
                )
            size = picked
        return max(1, size)


class LinearCrossEntropyLoss(_WeightedLoss):
    """Cross entropy of ``linear(input)`` logits against ``target``, without a separate Linear.

    Shape: input (in_features,) or (N, in_features); target (), (N) or (N, *out_features) class
    indices, or (C,) or (N, C, *out_features) class probabilities.
    """

    __constants__ = ["num_classes", "out_features", "reduction", "ignore_index", "label_smoothing"]
    num_classes: int
    out_features: tuple[int, ...]
    ignore_index: int | None
    label_smoothing: float
    options: LinearCrossEntropyOptions | None

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        *,
        out_features: tuple[int, ...] = (),
        bias: bool = False,
        device=None,
        dtype=None,
        reduction: str = "mean",
        weight: Tensor | None = None,
        ignore_index: int | None = None,
        label_smoothing: float = 0.0,
        options: LinearCrossEntropyOptions | None = None,
    ) -> None:
        if weight is not None and weight.shape != (num_classes,):
            raise RuntimeError(
                f"expected weight shape to be {(num_classes,)}, got {tuple(weight.shape)}"
            )
        if not 0 <= label_smoothing <= 1.0:
            raise RuntimeError(
                f"expected label_smoothing to be in range [0, 1], got {label_smoothing}"
            )
        super().__init__(weight, None, None, reduction)
        self.num_classes = num_classes
        self.out_features = out_features
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        # Linear holds 2-d weights only: (C * prod(out_features), in_features), reshaped per call
        outputs = math.prod(out_features, start=num_classes)
        self.linear = Linear(in_features, outputs, bias=bias, device=device, dtype=dtype)
        self.options = options

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The cross entropy of ``self.linear``'s logits for ``input`` against ``target``."""
        shape = (self.num_classes, *self.out_features)
        bias = self.linear.bias
        return F.linear_cross_entropy(
            input,
            self.linear.weight.reshape((*shape, self.linear.in_features)),
            target,
            linear_bias=None if bias is None else bias.reshape(shape),
            weight=self.weight,
            reduction=self.reduction,
            ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing,
            options=self.options,
        )

    def extra_repr(self) -> str:
        """The repr's arguments: sizes, ``bias``, the loss's options and the chunking options."""
        return (
            f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
            f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
            f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
            f"label_smoothing={self.label_smoothing}, options={self.options}"
        )
