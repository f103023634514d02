"""Shape ops that torch records as one node of their own, where a composition of views and
copies would show other names: ``rot90`` (Rot90Backward0), ``Tensor.unfold`` (UnfoldBackward0,
a strided view whose gradient adds the windows back: UnfoldBackwardBackward0).

Each rule applies the primitives of this module again, so gradients of gradients carry torch's
node names too.
"""

from __future__ import annotations

import numpy as np

from . import defop
from .nn import _apply


# --- rot90 ----------------------------------------------------------------------------------
def _rot90(ctx, x, k, dims):
    ctx.k, ctx.dims = k, dims
    return np.rot90(x, k, dims).copy()  # torch's rot90 copies


rot90 = defop(
    "Rot90Backward0",
    _rot90,
    [lambda c, g: _apply(rot90, (g,), k=-c.k, dims=c.dims)],
    needs_ctx=True,
)


# --- unfold ---------------------------------------------------------------------------------
def _windows(x, dim: int, size: int, step: int):
    """The windows of ``size`` along ``dim``, ``step`` apart, as a new last dim: a strided view
    of ``x`` (a 0-d ``x`` is one window of its one element)."""
    if x.ndim == 0:
        return x.reshape(1)[:size]
    count = (x.shape[dim] - size) // step + 1
    shape = (*x.shape[:dim], count, *x.shape[dim + 1 :], size)
    st = x.strides
    strides = (*st[:dim], st[dim] * step, *st[dim + 1 :], st[dim])
    return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=x.flags.writeable)


def _unfold(ctx, x, dim, size, step):
    ctx.dim, ctx.size, ctx.step = dim, size, step
    return _windows(x, dim, size, step)


def _unfold_rule(c, g):
    return _apply(unfold_backward, (g,), shape=c.input_shape(), dim=c.dim, size=c.size, step=c.step)


unfold = defop("UnfoldBackward0", _unfold, [_unfold_rule], needs_ctx=True, is_view=True)


def _add_windows(ctx, g, shape, dim, size, step):
    """Each window of ``g`` added back where it was read from, in zeros of ``shape``."""
    ctx.dim, ctx.size, ctx.step = dim, size, step
    out = np.zeros(shape, g.dtype)
    if not shape:
        out[...] = g.sum()
        return out
    into = _windows(out, dim, size, step)
    for j in range(size):  # the j-th elements of all windows never share a position
        into[..., j] += g[..., j]
    return out


unfold_backward = defop(
    "UnfoldBackwardBackward0",
    _add_windows,
    [lambda c, g: _apply(unfold, (g,), dim=c.dim, size=c.size, step=c.step)],
    needs_ctx=True,
)
