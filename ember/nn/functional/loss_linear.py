"""``linear_cross_entropy``: the cross entropy of ``linear(input, linear_weight)`` logits.

Without ``options`` it is exactly ``cross_entropy(linear(...))`` (torch's reference path, with the
same ``grad_fn``s). With ``LinearCrossEntropyOptions`` and a supported configuration (class-index
targets, no label smoothing, one logit per class) it walks the batch in chunks of rows, so the
full (N, C) logits never exist at once: forward keeps only per-row losses, and backward recomputes
each chunk's softmax. Its nodes carry torch's names for its chunked custom operators.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.function import Function
from ...functions.shape import cat
from .layers import linear
from .loss import cross_entropy

__all__ = ["linear_cross_entropy"]

_CHUNKED_REDUCTIONS = ("mean", "sum", "none")
_NO_GRADS = (None, None, None)  # for the chunks, reduction and allow_retain_graph arguments


def linear_cross_entropy(
    input: Tensor,
    linear_weight: Tensor,
    target: Tensor,
    *,
    linear_bias: Tensor | None = None,
    weight: Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    options=None,
) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``.

    Shape: input (in_features,) or (N, in_features); linear_weight (C, in_features) or
    (C, d1, ..., dK, in_features), K-dim needing batched input; target (), (N) or (N, d1, ...)
    class indices, or class probabilities shaped as the logits (N, C, d1, ...).
    ``ignore_index=None`` means -100 for class indices; it must stay None for probabilities.
    """
    if not 1 <= input.ndim <= 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.ndim}")
    if linear_weight.ndim < 2:
        raise RuntimeError(
            f"expected linear_weight with dimensionality at least 2, got {linear_weight.ndim}"
        )
    batch, in_features = tuple(input.shape[:-1]), input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError(
            "expected equal input and linear_weight last dimensions (in_features), got "
            f"{in_features} and {linear_weight.shape[-1]}, respectively"
        )
    num_classes, out_features = linear_weight.shape[0], tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(
            f"expected linear_bias shape {(num_classes, *out_features)}, got "
            f"{tuple(linear_bias.shape)}"
        )
    if out_features and not batch:
        raise RuntimeError(
            f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} "
            f"requires batched input, (N, {in_features}), got unbatched input with shape "
            f"{tuple(input.shape)}"
        )
    logits_shape = (*batch, num_classes, *out_features)
    if tuple(target.shape) == logits_shape and ignore_index is not None:  # probabilities
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = -100 if ignore_index is None else ignore_index
    if options is not None:
        chunkable = (
            not out_features
            and reduction in _CHUNKED_REDUCTIONS
            and label_smoothing == 0.0
            and target.dtype == D.int64
        )
        if chunkable:
            return _chunked(
                input, linear_weight, target, linear_bias, weight, reduction, ignore_index, options
            )
        bias_shape = None if linear_bias is None else tuple(linear_bias.shape)
        warnings.warn(
            "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in "
            "{'mean','sum','none'}, label_smoothing == 0, target.dtype == int64, out_features "
            f"== (). Got reduction={reduction!r}, label_smoothing={label_smoothing}, "
            f"target.dtype={target.dtype}, out_features={out_features}, tracing=False, "
            f"linear_bias.shape={bias_shape}.",
            stacklevel=2,
        )
    if out_features:  # one (C * d1 * ... * dK)-output linear, its logits reshaped
        flat = math.prod(out_features, start=num_classes)
        linear_weight = linear_weight.reshape((flat, in_features))
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(flat)
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(
        logits,
        target,
        weight=weight,
        reduction=reduction,
        ignore_index=ignore_index,
        label_smoothing=label_smoothing,
    )


# -- the chunked path ------------------------------------------------------------------------------
def _chunked(input, linear_weight, target, bias, weight, reduction, ignore_index, options):
    op = "_linear_cross_entropy_batch_chunked" + ("_no_reduction" if reduction == "none" else "")
    if not isinstance(ignore_index, int):
        raise RuntimeError(
            f"torch_nn::{op}() Expected a value of type 'int' for argument 'ignore_index' but "
            f"instead found type '{type(ignore_index).__name__}'."
        )
    batched = input.ndim == 2
    x = input if batched else input.unsqueeze(0)
    t = target._data if batched else target._data[None]
    if t.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if t.ndim != 1:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    n, num_classes = x.shape[0], linear_weight.shape[0]
    if linear_weight.dtype != x.dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{_c_name(x.dtype)} != {_c_name(linear_weight.dtype)}"
        )
    kept = t != ignore_index
    coef = _target_weights(t, kept, weight, x)
    size = options._chunk_size(n, x.shape[1], num_classes, x.dtype)
    chunks = []
    for start in range(0, n, size):
        rows = min(size, n - start)
        if start + rows > t.shape[0]:
            raise RuntimeError(
                f"start ({start}) + length ({rows}) exceeds dimension size ({t.shape[0]})."
            )
        part = slice(start, start + rows)
        bad = kept[part] & ((t[part] < 0) | (t[part] >= num_classes))
        if bad.any():
            raise RuntimeError(
                f"index {t[part][bad][0]} is out of bounds for dimension 1 with size {num_classes}"
            )
        chunks.append((start, rows, np.where(kept[part], t[part], 0), coef[part]))
    fn = _NoReduction if reduction == "none" else _Reduced
    out = fn.apply(x, linear_weight, bias, chunks, reduction, options.allow_retain_graph)
    return out if batched else out.squeeze(0)


def _target_weights(t, kept, weight, x) -> np.ndarray:
    """Each target's class weight (1 without ``weight``), 0 where ignored, as torch checks them."""
    acc = _acc_dtype(x).np
    if weight is None:
        return kept.astype(acc)
    if weight.ndim == 0:
        raise RuntimeError(
            f"index_select(): Index to scalar can have only 1 value, got {t.size} value(s)"
        )
    if weight.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {weight.ndim}D and 1D tensors")
    if ((t[kept] < 0) | (t[kept] >= weight.shape[0])).any():
        raise IndexError("index out of range in self")
    return np.where(kept, weight._data[np.where(kept, t, 0)], 0).astype(acc)


def _c_name(dtype) -> str:
    return {D.float16: "c10::Half", D.float32: "float", D.float64: "double"}.get(dtype, str(dtype))


def _acc_dtype(x: Tensor):
    """Half-precision inputs are accumulated in float32, as torch's chunked path does on CPU."""
    return D.float32 if x.dtype == D.float16 else x.dtype


def _chunk_logits(x, linear_weight, bias, start, rows):
    acc = _acc_dtype(x)
    xc = x[start : start + rows].to(acc)
    b = None if bias is None else bias.to(acc)  # torch accepts a bias of another dtype here
    return xc, linear(xc, linear_weight.to(acc), b)


class _BatchChunked(Function):
    """Per-row losses chunk by chunk in forward; backward recomputes each chunk's softmax."""

    @staticmethod
    def forward(ctx, x, linear_weight, bias, chunks, reduction, allow_retain_graph):
        losses = []
        for start, rows, classes, coef in chunks:
            _, logits = _chunk_logits(x, linear_weight, bias, start, rows)
            picked = logits.gather(1, logits.new_tensor(classes[:, None], dtype=D.int64))
            losses.append((logits.logsumexp(1) - picked.squeeze(1)) * logits.new_tensor(coef))
        acc = _acc_dtype(x)
        loss = cat(losses) if losses else x.new_zeros(0, dtype=acc)
        ctx.chunks, ctx.reduction = chunks, reduction
        ctx.retain, ctx.consumed = allow_retain_graph, False
        ctx.total = sum(float(c.sum()) for *_, c in chunks)
        ctx.save_for_backward(x, linear_weight, bias)
        if reduction == "mean":
            loss = loss.sum() / ctx.total if ctx.total else loss.sum() * math.nan
        elif reduction == "sum":
            loss = loss.sum()
        return loss.to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        if ctx.reduction != "none" and not ctx.retain:
            if ctx.consumed:
                raise RuntimeError(
                    "linear_cross_entropy chunked backward called twice; retain_graph=True / "
                    "double backward are not supported."
                )
            ctx.consumed = True
        x, linear_weight, bias = ctx.saved_tensors
        acc = _acc_dtype(x)
        grad = grad.to(acc)
        if ctx.reduction == "mean":  # all targets ignored: nan, as the loss
            grad = grad / ctx.total if ctx.total else grad * math.nan
        need_x, need_w, need_b = ctx.needs_input_grad[:3]
        grad_x, grad_w, grad_b = [], 0, 0
        for start, rows, classes, coef in ctx.chunks:
            xc, logits = _chunk_logits(x, linear_weight, bias, start, rows)
            onehot = np.zeros(tuple(logits.shape), acc.np)
            onehot[np.arange(rows), classes] = 1
            g = grad[start : start + rows] if ctx.reduction == "none" else grad
            scale = (logits.new_tensor(coef) * g).unsqueeze(1)
            d = (logits.softmax(1) - logits.new_tensor(onehot)) * scale  # dloss/dlogits
            if need_x:
                grad_x.append(d.mm(linear_weight.to(acc)))
            if need_w:
                grad_w = grad_w + d.t().mm(xc)
            if need_b:
                grad_b = grad_b + d.sum(0)
        if not ctx.chunks:  # an empty batch: zero gradients
            return (
                x.new_zeros(x.shape) if need_x else None,
                linear_weight.new_zeros(linear_weight.shape) if need_w else None,
                bias.new_zeros(bias.shape) if need_b else None,
                *_NO_GRADS,
            )
        return (
            cat(grad_x).to(x.dtype) if need_x else None,
            grad_w.to(linear_weight.dtype) if need_w else None,
            grad_b.to(bias.dtype) if need_b else None,
            *_NO_GRADS,
        )


# torch's names for the nodes of its chunked operators (what ``loss.grad_fn`` shows)
_Reduced = type(
    "GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_default",
    (_BatchChunked,),
    {},
)
_NoReduction = type(
    "GeneratedBackwardFor_torch_nn__linear_cross_entropy_batch_chunked_no_reduction_default",
    (_BatchChunked,),
    {},
)
