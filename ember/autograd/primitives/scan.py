"""Running (scan) primitives beyond cumsum/cumprod: ``logcumsumexp``."""

from __future__ import annotations

import numpy as np

from . import OUT, defop


def _logcumsumexp(ctx, x, dim):
    ctx.dim = dim
    if x.ndim == 0:
        return x.copy()
    return np.logaddexp.accumulate(x, axis=dim)  # pairwise log-add: no overflow, no underflow


def _logcumsumexp_rule(c, g, x, out):
    """``dx[i] = sum_{j >= i} g[j] * exp(x[i] - out[j])``, as reversed logcumsumexps of
    ``log|g| - out`` over the positive and negative parts of ``g``, so nothing overflows."""
    if g.ndim == 0:
        return g
    d = c.dim

    def suffix(t):
        return t.flip(d).logcumsumexp(d).flip(d)

    tiny = float(np.finfo(g.dtype.np).tiny)

    def log_part(h):  # log(h) where h > 0, -inf elsewhere, without evaluating log(0)
        return h.clamp(min=tiny).log().masked_fill(h <= 0, float("-inf"))

    # a part with no nonzero entries is left out: its all -inf logs would make NaN (-inf - -inf)
    # in a second derivative
    # out is -inf only where every x so far is -inf, whose gradients are 0 anyway: a finite
    # stand-in keeps -inf - -inf (NaN) out of this rule and of its own derivative
    out = out.masked_fill(out == float("-inf"), 0)
    grad = g.new_zeros(tuple(g.shape))
    if bool((g > 0).any()):
        grad = grad + (suffix(log_part(g) - out) + x).exp()
    if bool((g < 0).any()):
        grad = grad - (suffix(log_part(-g) - out) + x).exp()
    return grad


logcumsumexp = defop(
    "LogcumsumexpBackward0",
    _logcumsumexp,
    [_logcumsumexp_rule],
    save=(0, OUT),
    needs_ctx=True,
)
