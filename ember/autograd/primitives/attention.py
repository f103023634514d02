"""Scaled dot-product attention as one node, as torch records its CPU flash kernel
(``ScaledDotProductFlashAttentionForCpuBackward0``) for 4-D inputs without dropout.

Fused rather than composed because torch shows one node there (a printed output's grad_fn).
``bias`` is the additive mask (0 or -inf for a bool or causal mask, the float mask as given) and
takes no gradient; a row masked throughout gives zeros, as torch's kernel does.
"""

from __future__ import annotations

import numpy as np

from ..grad_mode import _state
from . import defop


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
    """The attention weights: the forward's, or recomputed differentiably under create_graph."""
    if not _state.enabled:
        return q.new_tensor(c.p)
    s = q.matmul(k.transpose(-2, -1)) * c.scale
    if c.bias is not None:
        s = s + s.new_tensor(c.bias)
    dead = (
        s.new_tensor(np.isneginf(c.bias).all(axis=-1, keepdims=True))
        if c.bias is not None
        else None
    )
    if dead is None or not dead.any():
        return s.softmax(-1)
    return s.masked_fill(dead.bool(), 0.0).softmax(-1).masked_fill(dead.bool(), 0.0)


def _score_grad(c, g, q, k, v):
    """The gradient of the pre-softmax scores."""
    p = _weights(c, q, k)
    dp = g.matmul(v.transpose(-2, -1))
    return p * (dp - (dp * p).sum(-1, keepdim=True))


flash_attention = defop(
    "ScaledDotProductFlashAttentionForCpuBackward0",
    _attention,
    [
        lambda c, g, q, k, v: _score_grad(c, g, q, k, v).matmul(k) * c.scale,
        lambda c, g, q, k, v: _score_grad(c, g, q, k, v).transpose(-2, -1).matmul(q) * c.scale,
        lambda c, g, q, k, v: _weights(c, q, k).transpose(-2, -1).matmul(g),
    ],
    save=(0, 1, 2),
    needs_ctx=True,
)
