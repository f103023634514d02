"""The margin, ranking and embedding losses of ``ember.nn.functional`` (soft margin, multi-margin,
hinge embedding, margin ranking, cosine embedding, triplet): composed from Tensor operations or
their fused primitives, reduced by ``loss._reduce`` as every loss is. ``nn.functional.loss``
re-exports them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..._dtype import scalar_type_name
from ..._tensor import Tensor, apply
from ...autograd.primitives import loss as P
from ...autograd.primitives import nn as PN
from ...functions._util import broadcast_shapes
from ...functions.math import where
from ._amp import float32_under_autocast as _float32_under_autocast
from .activation import logsigmoid
from .layers import pairwise_distance
from .loss import _NOT_A_VALID_VALUE, _NOT_VALID, _array, _enum, _not_differentiable, _reduce

__all__ = [
    "cosine_embedding_loss",
    "hinge_embedding_loss",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


@_float32_under_autocast
def soft_margin_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """Two-class logistic loss ``log(1 + exp(-target * input))`` for targets of +-1."""
    enum = _enum(size_average, reduce, reduction)
    _not_differentiable("soft_margin_loss", "target", target)
    broadcast_shapes(input.shape, target.shape)
    # torch computes into a tensor of the input's dtype (``neg_out(output, input).mul_(target)``):
    # the result has the input's dtype, and an integer input cannot hold the log1p.
    kind = input._data.dtype.kind
    if kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    if kind in "iu":
        raise RuntimeError(
            f"result type Float can't be cast to the desired output type "
            f"{scalar_type_name(input.dtype)}"
        )
    if target.dtype != input.dtype:
        target = target.to(input.dtype)
    return apply(P.soft_margin_loss, (input, target), None, reduction=enum)


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """One-versus-all logistic loss over the classes, averaged over them."""
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.ndim - 1
    loss = loss.sum(class_dim) / input.size(class_dim)
    return _reduce(loss, _enum(size_average, reduce, reduction, _NOT_VALID))


@_float32_under_autocast
def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge loss ``max(0, margin - x[y] + x[i])**p`` over the classes i != y."""
    enum = _enum(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _vector_or_matrix(input)
    nframe = input.shape[0] if input.ndim > 1 else 1
    dim = input.shape[-1] if input.ndim else 1
    if target.ndim > 1 or target.numel() != nframe:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of "
            f"input samples (batch size). Expected target size [{nframe}], but got "
            f"{list(target.shape)}. Input has shape {list(input.shape)}."
        )
    if weight is not None and weight.numel() != dim:
        raise RuntimeError(f"inconsistent weight size, expected {dim} but got {list(weight.shape)}")
    _long_target(target)
    return apply(
        P.multi_margin_loss,
        (input,),
        [input._data, target._data],
        reduction=enum,
        weight=_array(weight, input),
        p=p,
        margin=float(margin),
    )


@_float32_under_autocast
def multilabel_margin_loss(
    input: Tensor, target: Tensor, size_average=None, reduce=None, reduction: str = "mean"
) -> Tensor:
    """Multi-label hinge loss between each target class and each non-target class.

    Shape: input (N, C) or (C,); target of class indices of the same shape, ended by -1.
    """
    enum = _enum(size_average, reduce, reduction)
    _vector_or_matrix(input)
    if input.ndim <= 1:
        ok = target.ndim <= 1 and target.numel() == (input.numel() if input.ndim else 1)
    else:
        ok = target.shape == input.shape
    if not ok:
        raise RuntimeError(
            f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}"
        )
    _long_target(target)
    return apply(P.multilabel_margin_loss, (input,), [input._data, target._data], reduction=enum)


def _vector_or_matrix(input: Tensor) -> None:
    """ATen's shape check of the multi-class margin losses: (C,), (N, C) or 0-d, with C > 0."""
    if not (input.ndim == 0 or (input.ndim <= 2 and input.shape[-1] != 0)):
        raise RuntimeError(
            "Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
            f"{list(input.shape)}"
        )


def _long_target(target: Tensor) -> None:
    if target._data.dtype.name != "int64":
        raise RuntimeError(f"expected scalar type Long but found {scalar_type_name(target.dtype)}")


# -- embeddings and ranking ------------------------------------------------------------------------
@_float32_under_autocast
def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``input`` where target is 1, ``max(0, margin - input)`` where it is -1."""
    enum = _enum(size_average, reduce, reduction)
    zeros = input.new_zeros(())
    beyond = (input.new_full((), margin) - input).clamp_min(0)  # torch's filled tensor minus
    loss = where(target != 1, beyond, zeros) + where(target != -1, input, zeros)
    return _reduce(loss, enum)


@_float32_under_autocast
def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``: input1 should rank as target says."""
    enum = _enum(size_average, reduce, reduction)
    if not input1.ndim == input2.ndim == target.ndim:
        raise RuntimeError(
            "margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} "
        )
    return _reduce(apply(PN.add_scalar, (-target * (input1 - input2), margin)).clamp_min(0), enum)


@_float32_under_autocast
def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos`` for pairs marked 1, ``max(0, cos - margin)`` for pairs marked -1."""
    enum = _enum(size_average, reduce, reduction)
    tdim = target.ndim
    if tdim > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input1.ndim != tdim + 1 or input2.ndim != tdim + 1:
        raise RuntimeError(
            f"{tdim}D target tensor expects {tdim + 1}D input tensors, but found inputs with "
            f"sizes {list(input1.shape)} and {list(input2.shape)}."
        )
    # torch's C++ graph: Tensor-Scalar add/sub nodes, and ``1 - cos`` as a filled tensor minus cos
    eps = 1e-12
    dot = (input1 * input2).sum(tdim)
    mag1 = apply(PN.add_scalar, ((input1 * input1).sum(tdim), eps))
    mag2 = apply(PN.add_scalar, ((input2 * input2).sum(tdim), eps))
    cos = dot / (mag1 * mag2).sqrt()
    zeros = cos.new_zeros(())
    loss = where(target == 1, cos.new_ones(()) - cos, zeros) + where(
        target == -1, apply(PN.sub_scalar, (cos, margin)).clamp_min(0), zeros
    )
    return _reduce(loss, enum)


def _same_ndim(anchor: Tensor, positive: Tensor, negative: Tensor) -> None:
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of "
            f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
            f"{negative.ndim}D inputs"
        )


@_float32_under_autocast
def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with the p-norm pairwise distance."""
    enum = _enum(size_average, reduce, reduction)
    if margin <= 0:  # nn.functional's check, after the reduction's (not ATen's)
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, enum)


@_float32_under_autocast
def _triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap, enum: int) -> Tensor:
    """ATen's ``triplet_margin_loss``: any margin, an integer reduction."""
    _same_ndim(anchor, positive, negative)
    dist = lambda x, y: pairwise_distance(x, y, p, eps)  # noqa: E731
    return _triplet(anchor, positive, negative, dist, margin, swap, enum, scalar_add=True)


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """The triplet margin loss with any ``distance_function`` (default: pairwise distance)."""
    enum = _enum(None, None, reduction, _NOT_A_VALID_VALUE)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _same_ndim(anchor, positive, negative)
    return _triplet(
        anchor,
        positive,
        negative,
        distance_function or pairwise_distance,
        margin,
        swap,
        enum,
    )


def _triplet(anchor, positive, negative, dist, margin, swap, enum, scalar_add=False):
    d_pos = dist(anchor, positive)
    d_neg = dist(anchor, negative)
    if swap:
        d_neg = d_neg.minimum(dist(positive, negative))
    # torch's triplet_margin_loss (C++) records the Tensor-Scalar add; its with-distance
    # variant (Python) the plain one
    near = apply(PN.add_scalar, (d_pos, margin)) if scalar_add else margin + d_pos
    return _reduce((near - d_neg).clamp_min(0), enum)
