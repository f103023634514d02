"""The loss functions of ``ember.nn.functional``, with torch's signatures, checks and messages.

Every loss turns its ``reduction`` (or the deprecated ``size_average``/``reduce`` pair) into an
int with ``_enum``. Losses with a fused primitive (``ember/autograd/primitives/loss.py``) hand it
that int; the others are composed from Tensor operations and reduced by ``_reduce``, the one place
a reduction is applied (weighted means included).
"""

from __future__ import annotations

import math
import operator
import warnings

import numpy as np

from ... import _dtype as D
from ..._tensor import UNARY, Tensor, apply, new_node, recorded
from ..._warn import user_stacklevel
from ...amp._state import AUTOCAST
from ...autograd.grad_mode import _state, no_grad
from ...autograd.primitives import loss as P
from ...autograd.primitives import nn as PN
from ...autograd.primitives import reduce as PR
from ...autograd.primitives.math import div_scalar as _div_scalar
from ...functions._util import broadcast_shapes
from ...functions.reduce import _scalar_type_name
from .._reduction import MEAN, NONE, SUM, get_enum, legacy_get_string
from ._amp import float32_under_autocast as _float32_under_autocast

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "cross_entropy",
    "ctc_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "mse_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


# -- shared helpers --------------------------------------------------------------------------------
# torch checks some losses' reduction in Python, with its own words and without the deprecated
# 'elementwise_mean': _enum's ``invalid`` message for those
_INVALID_WEIGHTED = "Invalid reduction mode: {}. Expected one of 'none', 'mean', 'sum'."
_NOT_VALID = "{} is not valid"
_NOT_A_VALID_VALUE = "{} is not a valid value for reduction"


def _enum(size_average, reduce, reduction: str, invalid: str | None = None) -> int:
    """``reduction``, or the deprecated ``size_average``/``reduce`` pair, as NONE, MEAN or SUM.

    Args:
        invalid: for the losses torch checks itself, the ValueError message (``{}`` is the
            reduction) of anything but ``'none'``, ``'mean'`` and ``'sum'``.
    """
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if invalid is not None and reduction not in ("none", "mean", "sum"):
        raise ValueError(invalid.format(reduction))
    return get_enum(reduction)


def _reduce(loss: Tensor, reduction: int, weight_sum=None) -> Tensor:
    """Apply a reduction to elementwise losses: the one place composed losses reduce.

    Args:
        weight_sum: the total weight of the elements, which the mean divides the sum by instead
            of their count.
    """
    if reduction == MEAN:
        if weight_sum is None and loss._data.dtype.kind == "f":  # Tensor.mean's checks pass
            if loss._rg and _state.enabled:
                return recorded(PR.mean_all, loss, UNARY, PR._mean(loss._data, None, False))
            return apply(PR.mean_all, (loss,), None, dim=None, keepdim=False)
        return loss.mean() if weight_sum is None else loss.sum() / weight_sum
    if reduction == SUM:
        return loss.sum()
    return loss


_PLAIN = {"none": NONE, "mean": MEAN, "sum": SUM}


def _plain_enum(input, target, reduction) -> int | None:
    """The reduction as an int when a loss module's call needs none of the full path's checks
    and conversions: float tensors of one shape, a current reduction name, autocast off.

    The loss modules take their short path (``_l1``, ``_mse``) with it; None sends them down
    the full one, which also words the errors.
    """
    if (
        AUTOCAST.on
        or type(reduction) is not str
        or not isinstance(input, Tensor)
        or not isinstance(target, Tensor)
    ):
        return None
    x, y = input._data, target._data
    if x.shape != y.shape or x.dtype.kind != "f" or y.dtype.kind != "f":
        return None
    return _PLAIN.get(reduction)


def _sizes(input, target) -> None:  # noqa: A002
    """torch's error where its Python code calls ``target.size() == input.size()`` on something
    that is not a tensor (a float, a list, a NumPy scalar whose ``size`` is an int)."""
    for x in (target, input):
        if not isinstance(x, Tensor):
            size = getattr(x, "size", None)
            if size is None:
                raise AttributeError(f"'{type(x).__name__}' object has no attribute 'size'")
            if not callable(size):
                raise TypeError(f"'{type(size).__name__}' object is not callable")


def _tensor_args(fn: str, *args) -> None:
    """torch's binding TypeError for a non-tensor ``(name, position, value)`` argument."""
    for name, position, value in args:
        if not isinstance(value, Tensor) and (value is not None or name != "weight"):
            kind = type(value)
            kind = (
                kind.__name__
                if kind.__module__ == "builtins"
                else kind.__module__ + "." + kind.__qualname__
            )
            raise TypeError(
                f"{fn}(): argument '{name}' (position {position}) must be Tensor, not {kind}"
            )


def _warn_size(input: Tensor, target: Tensor) -> None:
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)):
        _sizes(input, target)
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=4,  # the caller of the loss, past its autocast wrapper
        )
        broadcast_shapes(input.shape, target.shape)


def _not_differentiable(fn: str, arg: str, t) -> None:
    if isinstance(t, Tensor) and t.requires_grad:
        raise RuntimeError(
            f"The function '{fn}' is not differentiable with respect to argument '{arg}'. This "
            "input cannot have requires_grad True."
        )


def _array(t, like: Tensor):
    """An optional weight tensor as an array of ``like``'s dtype (weights get no gradient)."""
    if t is None:
        return None
    return t._data.astype(like._data.dtype, copy=False)


def _lengths(x) -> np.ndarray:
    return np.asarray(x._data if isinstance(x, Tensor) else x, dtype=np.int64)


# -- regression ------------------------------------------------------------------------------------
def _weight_enum(weight, input, size_average, reduce, reduction: str) -> int:
    """``_enum`` for l1/mse/huber: with an elementwise ``weight``, torch checks its shape first
    and words a bad reduction its own way."""
    if weight is None:
        return _enum(size_average, reduce, reduction)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    return _enum(size_average, reduce, reduction, _INVALID_WEIGHTED)


@_float32_under_autocast
def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error ``|input - target|``, reduced."""
    _warn_size(input, target)
    enum = _weight_enum(weight, input, size_average, reduce, reduction)
    if weight is None:
        return _l1(input, target, enum)
    return _reduce((input - target).abs() * weight, enum, weight_sum=weight.sum())


def _l1(input: Tensor, target: Tensor, enum: int) -> Tensor:
    return _reduce((input - target).abs(), enum)


@_float32_under_autocast
def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error ``(input - target)**2``, reduced."""
    _warn_size(input, target)
    enum = _weight_enum(weight, input, size_average, reduce, reduction)
    _floating_kernel("mse_cpu", input, target)
    if weight is None:
        return _mse(input, target, enum)
    return _reduce((input - target) ** 2 * weight, enum, weight_sum=weight.sum())


def _mse(input: Tensor, target: Tensor, enum: int) -> Tensor:
    input, target = _common_dtype(input, target)
    return apply(P.mse_loss, (input, target), None, reduction=enum)


def _floating_kernel(kernel: str, input: Tensor, target: Tensor) -> None:  # noqa: A002
    """torch's NotImplementedError of a floating-point kernel given two non-float tensors."""
    x, y = input._data.dtype, target._data.dtype
    if x.kind not in "fc" and y.kind not in "fc":
        dt = D.result_type((input, target))
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{_scalar_type_name(dt)}'")


def _common_dtype(input: Tensor, target: Tensor) -> tuple:  # noqa: A002
    """Both in the dtype torch computes an elementwise loss in (float input, integer target:
    the input's); NumPy would widen float32 with int64 to float64."""
    if input._data.dtype == target._data.dtype:
        return input, target
    dt = D.result_type((input, target))
    return tuple(t if t.dtype == dt else t.to(dt) for t in (input, target))


@_float32_under_autocast
def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Squared error below ``beta``, absolute error above it (``beta=0`` is the L1 loss)."""
    enum = _enum(size_average, reduce, reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    _warn_size(input, target)
    _floating_kernel("smooth_l1_cpu", input, target)
    if beta == 0:
        return _reduce((input - target).abs(), enum)
    input, target = _common_dtype(input, target)
    return apply(P.smooth_l1_loss, (input, target), None, reduction=enum, beta=float(beta))


@_float32_under_autocast
def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """Squared error below ``delta``, ``delta``-scaled absolute error above it."""
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    _warn_size(input, target)
    enum = _weight_enum(weight, input, None, None, reduction)
    _floating_kernel("huber_cpu", input, target)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            f"result type {_scalar_type_name(D.result_type((input, target)))} can't be cast to "
            f"the desired output type {_scalar_type_name(input.dtype)}"
        )
    if target._data.dtype != input._data.dtype:  # torch's huber loss is of the input's dtype
        target = target.to(input.dtype)
    if weight is None:
        return apply(P.huber_loss, (input, target), None, reduction=enum, delta=float(delta))
    loss = apply(P.huber_loss, (input, target), None, reduction=NONE, delta=float(delta))
    return _reduce(loss * weight, enum)  # torch's weighted huber mean divides by the count


@_float32_under_autocast
def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average=None,
    eps: float = 1e-8,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of ``target`` under a Poisson of rate ``input`` (or its log)."""
    enum = _enum(size_average, reduce, reduction, _NOT_A_VALID_VALUE)
    _tensor_args("poisson_nll_loss", ("input", 1, input), ("target", 2, target))
    if log_input:
        loss = input.exp() - target * input
    else:
        loss = input - target * apply(PN.add_scalar, (input, eps)).log()
    if full:
        stirling = target * target.log() - target + 0.5 * (2 * math.pi * target).log()
        loss = loss + stirling.masked_fill(target <= 1, 0)
    return _reduce(loss, enum)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of ``target`` under a Gaussian of mean ``input``, variance ``var``.

    Shape: ``var`` is the shape of ``input``, or it with the last dimension dropped or set to one
    (one variance shared over it), or a float.
    """
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * input.new_ones(input.shape)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif not (
            input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1
        ):
            raise ValueError("var is of incorrect size")
    enum = _enum(None, None, reduction, _NOT_VALID)
    var = var.clone()
    with no_grad():
        var.clamp_(min=eps)  # stability only: the gradient passes as if unclamped, as torch
    loss = 0.5 * (var.log() + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, enum)


@_float32_under_autocast
def kl_div(
    input: Tensor,
    target: Tensor,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence of ``target`` from ``input`` (log-probabilities).

    ``reduction='batchmean'`` divides the sum by the batch size, as the definition of KL wants.
    """
    if reduction == "mean" and size_average is None and reduce is None:
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            stacklevel=user_stacklevel(),
        )
    enum = _enum(size_average, reduce, "sum" if reduction == "batchmean" else reduction)
    _tensor_args("kl_div", ("input", 1, input), ("target", 2, target))
    if input._data.dtype.kind not in "fc" or target._data.dtype.kind not in "fc":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = target.xlogy(target) - target * input
    out = _reduce(loss, enum)
    if reduction == "batchmean" and input.ndim != 0:
        out = out / input.size(0)
    return out


# -- classification --------------------------------------------------------------------------------
@_float32_under_autocast
def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class indices ``target`` under log-probabilities ``input``.

    Shape: input (N, C), (C,) or (N, C, d1, ...); target (N,), () or (N, d1, ...).
    """
    enum = _enum(size_average, reduce, reduction)
    ignore_index = _class_args("nll_loss_nd", input, target, weight, ignore_index)
    return _nll_loss(input, target, weight, ignore_index, enum)


def _class_args(fn: str, input, target, weight, ignore_index) -> int:  # noqa: A002
    """The binding's checks of nll_loss's and cross_entropy's arguments (``fn``, torch's kernel
    name, in its messages); returns ``ignore_index`` as an int."""
    if not (type(input) is Tensor and type(target) is Tensor):
        _tensor_args(fn, ("input", 1, input), ("target", 2, target))
    if weight is not None and not isinstance(weight, Tensor):
        _tensor_args(fn, ("weight", 3, weight))
    return ignore_index if type(ignore_index) is int else _index_arg(fn, ignore_index)


def _index_arg(fn: str, value) -> int:
    """An int argument as torch's binding takes it: anything with ``__index__`` but a bool."""
    if not isinstance(value, bool):
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise TypeError(
        f"{fn}(): argument 'ignore_index' (position 5) must be int, not {type(value).__name__}"
    )


def _nll_loss(input, target, weight, ignore_index: int, enum: int) -> Tensor:
    ishape, tshape = input._data.shape, target._data.shape  # plain tuples: this runs every step
    ndim, tndim = len(ishape), len(tshape)
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    if ndim == 1 and tndim == 1 and tshape[0] != 1:
        raise ValueError(
            f"For 1D input, 1D target must have size 1, but got target size: {tshape[0]}"
        )
    if ndim != 1 and ishape[0] != (tshape[0] if tshape else 0):
        raise ValueError(
            f"Expected input batch_size ({ishape[0]}) to match target batch_size "
            f"({tshape[0] if tshape else 0})."
        )
    n_classes = ishape[0 if ndim == 1 else 1]
    if ndim <= 2:
        if tndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if ndim == 2 and tndim == 0 or ndim == 1 and tndim == 1 and tshape[0] != 1:
            raise RuntimeError(f"size mismatch (got input: {list(ishape)} , target: {list(tshape)}")
    elif ndim == 4:
        if tndim != 3:
            raise RuntimeError(
                "only batches of spatial targets supported (3D tensors) but got targets of "
                f"dimension: {tndim}"
            )
        if ishape[2:] != tshape[1:]:
            raise RuntimeError(f"size mismatch (got input: {list(ishape)} , target: {list(tshape)}")
    elif tshape[1:] != ishape[2:]:
        raise RuntimeError(f"Expected target size {[ishape[0], *ishape[2:]]}, got {list(tshape)}")
    t = target._data
    if t.dtype != np.int64 and t.dtype != np.uint8:
        raise RuntimeError(
            "expected target dtype to be Long or Byte, but got "
            f"{_scalar_type_name(D._BY_NP[t.dtype])}"
        )
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != n_classes):
        raise RuntimeError(
            f"weight tensor should be defined either for all {n_classes} classes or no classes "
            f"but got weight tensor of shape: {list(weight.shape)}"
        )
    if weight is not None and weight._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"expected scalar type {_scalar_type_name(input.dtype)} but found "
            f"{_scalar_type_name(weight.dtype)}"
        )
    params = {"weight": _array(weight, input), "reduction": enum, "ignore_index": ignore_index}
    if ndim <= 2:
        return apply(P.nll_loss, (input,), [input._data, t], **params)
    if ndim == 4:
        return apply(P.nll_loss2d, (input,), [input._data, t], **params)
    # Other K-dim inputs go through the 2-d kernel as (N, C, 1, d1*d2*...), as torch.
    # (an empty input as (N, C, 0, 0), an empty target as (N, 0, 0), as torch)
    n = ishape[0]
    if input._data.size:
        flat = input.reshape(n, n_classes, 1, -1)
    else:
        flat = input.reshape(n, n_classes, 0, 0)
    t = t.reshape(n, 1, -1) if t.size else t.reshape(n, 0, 0)
    if flat._data.shape[2:] != t.shape[1:]:  # only with no classes: an empty input, not target
        raise RuntimeError(
            f"size mismatch (got input: {list(flat.shape)} , target: {list(t.shape)}"
        )
    out = apply(P.nll_loss2d, (flat,), [flat._data, t], **params)
    return out.view(n, *input.shape[2:]) if enum == NONE else out


@_float32_under_autocast
def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    ignore_index: int = -100,
    reduce=None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross entropy between the softmax of logits ``input`` and class indices or probabilities.

    Shape: input (N, C), (C,) or (N, C, d1, ...); target of class indices (N,), () or
    (N, d1, ...), or of class probabilities shaped as input.
    """
    if weight is None and label_smoothing == 0.0 and size_average is None and reduce is None:
        out = _class_cross_entropy(input, target, reduction, ignore_index)
        if out is not None:
            return out
    enum = _enum(size_average, reduce, reduction)
    ignore_index = _class_args("cross_entropy_loss", input, target, weight, ignore_index)
    if label_smoothing > 1.0:
        raise RuntimeError(
            f"label_smoothing must be between 0.0 and 1.0. Got: {float(label_smoothing):g}"
        )
    ishape = input._data.shape
    class_dim = 0 if len(ishape) == 1 else 1
    if target._data.shape == ishape:
        return _cross_entropy_probs(input, target, weight, ignore_index, enum, label_smoothing)
    logp = input.log_softmax(class_dim)
    nll = _nll_loss(logp, target, weight, ignore_index, enum)
    if label_smoothing <= 0:
        return nll
    # Smoothing mixes in the cross entropy against the uniform distribution over classes.
    n_classes = input.shape[class_dim]
    ignored = target == ignore_index
    if weight is not None:
        shape = [1] * input.ndim
        shape[class_dim] = n_classes
        smooth = -(logp * weight.to(logp.dtype).view(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    smooth = smooth.masked_fill(ignored, 0)
    total = None  # the mean is over the weight of the targets not ignored, as the NLL's
    if enum == MEAN:
        kept = ~ignored
        if weight is not None:
            total = weight.to(logp.dtype)[target.masked_select(kept)].sum()
        else:
            total = kept.sum()
    smooth = _reduce(smooth, enum, weight_sum=total)
    # torch's Tensor-Scalar products (MulBackward1)
    return apply(PN.mul_scalar, (nll, 1 - label_smoothing)) + apply(
        PN.mul_scalar, (smooth, label_smoothing / n_classes)
    )


def _class_cross_entropy(input, target, reduction, ignore_index) -> Tensor | None:
    """A classification step's cross entropy, (N, C) float logits against (N,) int64 classes
    without weights or smoothing, straight to its two primitives; None where the full path's
    checks (or autocast) are needed."""
    if AUTOCAST.on or type(reduction) is not str or type(ignore_index) is not int:
        return None
    if not isinstance(input, Tensor) or not isinstance(target, Tensor):
        return None
    x, t = input._data, target._data
    enum = _PLAIN.get(reduction)
    if (
        enum is None
        or x.ndim != 2
        or t.ndim != 1
        or x.shape[0] != t.shape[0]
        or x.dtype.kind != "f"
        or t.dtype != np.int64
    ):
        return None
    if not (input._rg and _state.enabled):
        logp = apply(PR.log_softmax, (input,), None, dim=1)
        params = {"weight": None, "reduction": enum, "ignore_index": ignore_index}
        return apply(P.nll_loss, (logp,), [logp._data, t], **params)
    node = new_node(PR.log_softmax)  # recorded as apply would, without its generic loops
    logp = recorded(PR.log_softmax, input, UNARY, PR.log_softmax.forward(node, x, 1), node)
    node = new_node(P.nll_loss)
    out = P.nll_loss.forward(node, logp._data, t, None, enum, ignore_index)
    return recorded(P.nll_loss, logp, UNARY, out, node)


def _cross_entropy_probs(input, target, weight, ignore_index, enum, label_smoothing):
    if not target.is_floating_point():
        raise RuntimeError(
            "Expected floating point type for target with class probabilities, got "
            f"{_scalar_type_name(target.dtype)}"
        )
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if not input.ndim:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    if weight is not None and (weight._data.ndim != 1 or weight._data.size != n_classes):
        raise RuntimeError(
            f"cross_entropy: weight tensor should be defined either for all {n_classes} classes "
            f"or no classes but got weight tensor of shape: {list(weight.shape)}"
        )
    logp = input.log_softmax(class_dim)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:  # (a float64 weight makes a float64 loss, as torch's product)
        shape = [1] * logp.ndim
        shape[class_dim] = n_classes
        prod = prod * weight.view(shape)
    # not _reduce: torch negates after summing, so the sum's grad_fn is NegBackward0
    if enum == MEAN:
        if not logp._data.size:  # torch fills the empty sum with nan in place, then negates
            return -prod.sum().fill_(math.nan)
        return apply(_div_scalar, (-prod.sum(),), None, other=logp.numel() / n_classes)
    if enum == SUM:
        return -prod.sum()
    return -prod.sum(class_dim)


@_float32_under_autocast
def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross entropy of probabilities ``input`` against ``target``; logs clamp at -100."""
    enum = _enum(size_average, reduce, reduction)
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)):
        _sizes(input, target)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}) is deprecated. Please ensure they have the same size."
        )
    if target._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"Found dtype {_scalar_type_name(target.dtype)} but expected "
            f"{_scalar_type_name(input.dtype)}"
        )
    _floating_kernel("binary_cross_entropy", input, target)
    _not_differentiable("binary_cross_entropy", "weight", weight)
    w = _array(weight, input)
    if w is not None and w.shape != input.shape:
        try:
            w = np.broadcast_to(w, input.shape)
        except ValueError:
            raise RuntimeError(
                f"Attempting to broadcast a dimension of length {w.shape[-1]} at -1! Mismatching "
                f"argument at index 1 had {weight.size()}; but expected shape should be "
                f"broadcastable to {list(input.shape)}"
            ) from None
    return apply(P.binary_cross_entropy, (input, target), None, reduction=enum, weight=w)


@_float32_under_autocast
def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average=None,
    reduce=None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross entropy of ``sigmoid(input)``, computed stably from the logits.

    ``pos_weight`` scales the positive term, broadcast over the classes (last dimension).
    """
    enum = _enum(size_average, reduce, reduction)
    if not (isinstance(input, Tensor) and isinstance(target, Tensor)):
        _sizes(input, target)
    if target.shape != input.shape:
        raise ValueError(
            f"Target size ({target.size()}) must be the same as input size ({input.size()})"
        )
    _not_differentiable("binary_cross_entropy_with_logits", "weight", weight)
    _not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pos_weight)
    if input._data.dtype.kind not in "fc":  # torch's log_sigmoid(input) comes first
        raise NotImplementedError(
            f"\"log_sigmoid_cpu\" not implemented for '{_scalar_type_name(input.dtype)}'"
        )
    # torch computes into (1 - target): a tensor of the target's dtype
    if target._data.dtype == np.bool_:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if target._data.dtype.kind not in "fc":
        raise RuntimeError(
            f"result type {_scalar_type_name(input.dtype)} can't be cast to the desired output "
            f"type {_scalar_type_name(target.dtype)}"
        )
    if target._data.dtype != input._data.dtype:
        input = input.to(target.dtype)  # noqa: A001
    w, pw = _array(weight, input), _array(pos_weight, input)
    for extra, operands in ((pw, (pw, input)), (w, (input, w))):  # w: torch's loss.mul_(w)
        if extra is not None:
            shape = broadcast_shapes(*(a.shape for a in operands))
            if tuple(shape) != tuple(input.shape):  # an in-place product in torch
                raise RuntimeError(
                    f"output with shape {list(input.shape)} doesn't match the broadcast shape "
                    f"{list(shape)}"
                )
    return apply(
        P.binary_cross_entropy_with_logits,
        (input, target),
        None,
        reduction=enum,
        weight=w,
        pos_weight=pw,
    )


# -- sequences -------------------------------------------------------------------------------------
# The CTC, margin and embedding losses live beside this module; imported last, as they use its
# helpers.
from .loss_ctc import ctc_loss  # noqa: E402
from .loss_margin import (  # noqa: E402
    cosine_embedding_loss,
    hinge_embedding_loss,
    margin_ranking_loss,
    multi_margin_loss,
    multilabel_margin_loss,
    multilabel_soft_margin_loss,
    soft_margin_loss,
    triplet_margin_loss,
    triplet_margin_with_distance_loss,
)
