"""Scaled dot-product attention as one node, as torch records its CPU flash kernel
(``ScaledDotProductFlashAttentionForCpuBackward0``) for 4-D inputs without dropout.

Fused rather than composed because torch shows one node there (a printed output's grad_fn).
``bias`` is the additive mask (0 or -inf for a bool or causal mask, the float mask as given) and
takes no gradient; a row masked throughout gives zeros, as torch's kernel does.
"""

from __future__ import annotations

import numpy as np

from . import defop
from . import rule_ops as R


def _softmax_rows(s: np.ndarray) -> np.ndarray:
    """softmax over the last dim; a row that is -inf throughout gives zeros."""
    top = np.max(s, axis=-1, keepdims=True)
    dead = np.isneginf(top)
    e = np.exp(s - np.where(dead, 0, top))
    total = np.add.reduce(e, axis=-1, keepdims=True)
    return np.where(dead, 0, e / np.where(dead, 1, total)).astype(s.dtype, copy=False)


def _attention(ctx, q, k, v, bias, scale):
    s = np.matmul(q, np.swapaxes(k, -1, -2)) * q.dtype.type(scale)
    if bias is not None:
        s = s + bias
    p = _softmax_rows(s)
    ctx.p, ctx.bias, ctx.scale = p, bias, scale
    return np.matmul(p, v)


def _weights(c, q, k):
    """The attention weights: the forward's in a plain backward (arrays), recomputed
    differentiably under create_graph (Tensors)."""
    if R.is_array(q):
        return c.p
    s = q.matmul(k.transpose(-2, -1)) * c.scale
    if c.bias is not None:
        s = s + s.new_tensor(c.bias)
    dead = None if c.bias is None else np.isneginf(c.bias).all(axis=-1, keepdims=True)
    if dead is None or not dead.any():
        return s.softmax(-1)
    dead = s.new_tensor(dead).bool()
    return s.masked_fill(dead, 0.0).softmax(-1).masked_fill(dead, 0.0)


def _score_grad(c, g, q, k, v):
    """The gradient of the pre-softmax scores (the q and k rules each recompute it: caching it
    on the node would outlive the backward when only one of them runs)."""
    p = _weights(c, q, k)
    dp = g @ R.transpose(v, -2, -1)
    return p * (dp - R.sum_keepdim(dp * p, -1))


flash_attention = defop(
    "ScaledDotProductFlashAttentionForCpuBackward0",
    _attention,
    [
        lambda c, g, q, k, v: (_score_grad(c, g, q, k, v) @ k) * c.scale,
        lambda c, g, q, k, v: (R.transpose(_score_grad(c, g, q, k, v), -2, -1) @ q) * c.scale,
        lambda c, g, q, k, v: R.transpose(_weights(c, q, k), -2, -1) @ g,
    ],
    save=(0, 1, 2),
    needs_ctx=True,
    arrays=True,
)
