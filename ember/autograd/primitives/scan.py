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

    pos = suffix(g.clamp(min=0).log() - out)
    neg = suffix((-g).clamp(min=0).log() - out)
    return (pos + x).exp() - (neg + x).exp()


logcumsumexp = defop(
    "LogcumsumexpBackward0",
    _logcumsumexp,
    [_logcumsumexp_rule],
    save=(0, OUT),
    needs_ctx=True,
)
