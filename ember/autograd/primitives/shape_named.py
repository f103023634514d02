"""Shape ops that torch records as one node of their own, where a composition of views and
copies would show other names: ``rot90`` (Rot90Backward0), ``Tensor.unfold`` (UnfoldBackward0,
a strided view whose gradient adds the windows back: UnfoldBackwardBackward0), ``diag_embed``
and ``diagflat`` (DiagEmbedBackward0), ``block_diag``, ``narrow_copy``, the unsafe splits and
the transpose of a 0-d tensor.

The rules compute what torch's derivative formulas do (rot90 back, the windows added back,
the diagonal, slices, cat), so gradients under ``create_graph`` record torch's nodes too.
"""

from __future__ import annotations

import numpy as np

from . import defop
from . import shape as S
from .index import _getitem
from .nn import _apply
from .shape import VariadicNode


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


# --- diag_embed (and diagflat, which torch records as diag_embed of the flattened input) ----
def _diag_embed(ctx, x, offset, dim1, dim2):
    ctx.offset, ctx.dim1, ctx.dim2 = offset, dim1, dim2
    n = x.shape[-1]
    m = n + abs(offset)
    out = np.zeros((*x.shape[:-1], m, m), x.dtype)
    i = np.arange(n)
    out[..., i + max(-offset, 0), i + max(offset, 0)] = x
    return np.ascontiguousarray(np.moveaxis(out, (-2, -1), (dim1, dim2)))


diag_embed = defop(
    "DiagEmbedBackward0",
    _diag_embed,
    [lambda c, g: g.diagonal(c.offset, c.dim1, c.dim2)],
    needs_ctx=True,
)


# --- block_diag -------------------------------------------------------------------------------
def _block_diag(ctx, *arrays):
    mats = [a.reshape(1, -1) if a.ndim < 2 else a for a in arrays]
    rows = np.cumsum([0] + [m.shape[0] for m in mats])
    cols = np.cumsum([0] + [m.shape[1] for m in mats])
    ctx.rows, ctx.cols = rows, cols
    out = np.zeros((rows[-1], cols[-1]), arrays[0].dtype)
    for m, r, c in zip(mats, rows, cols):
        out[r : r + m.shape[0], c : c + m.shape[1]] = m
    return out


def _block_rule(c, g, i):
    block = g[c.rows[i] : c.rows[i + 1], c.cols[i] : c.cols[i + 1]]
    shape = c.input_shape(i)
    return block if len(shape) == 2 else block.reshape(shape)


block_diag = defop("BlockDiagBackward0", _block_diag, [_block_rule], needs_ctx=True)
block_diag.node = type(
    "BlockDiagBackward0", (VariadicNode,), {"__slots__": (), "rules": (_block_rule,)}
)


# --- narrow_copy: its gradient is the slice's (SliceBackwardBackward0, read back by a slice) ---
narrow_copy = defop(
    "NarrowCopyBackward0",
    lambda ctx, x, key: _getitem(ctx, x, key).copy(),
    [lambda c, g: _apply(slice_backward, (g,), shape=c.input_shape(), key=c.key)],
    needs_ctx=True,
)


def _into_zeros(ctx, g, shape, key):
    ctx.key = key
    out = np.zeros(shape, g.dtype)
    out[key] = g
    return out


slice_backward = defop(
    "SliceBackwardBackward0", _into_zeros, [lambda c, g: g[c.key]], needs_ctx=True
)


# --- unsafe_split / unsafe_chunk: split's pieces, not tracked as views (torch's "unsafe": they
# share the input's memory but not its version counter) --------------------------------------
unsafe_split = defop(
    "UnsafeSplitBackward0", S._split, [S._gather_pieces], needs_ctx=True, num_outputs=-1
)
unsafe_split_with_sizes = defop(
    "UnsafeSplitWithSizesBackward0", S._split, [S._gather_pieces], needs_ctx=True, num_outputs=-1
)


# --- transpose of a 0-d tensor: torch's TransposeBackward0, a view of the one element ---------
def _transpose_0d_rule(c, g):
    return g if isinstance(g, (np.ndarray, np.generic)) else _apply(transpose_0d, (g,))


transpose_0d = defop(
    "TransposeBackward0", lambda x: x.view(), [_transpose_0d_rule], is_view=True, arrays=True
)
S.INPLACE_NODES[transpose_0d.node] = S.renamed(transpose_0d, "TransposeBackward1").node
