"""Indexing primitives. Reading at an index and adding into zeros at that index are each other's
derivative; keys arrive as NumPy-ready tuples (integer arrays, boolean masks, slices, None).
"""

from __future__ import annotations

import numpy as np

from . import defop


def _is_basic(key) -> bool:
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key)


def _getitem(ctx, x, key):
    ctx.key = key
    return x[key]


def _insert_rule(c, g):
    return g.new_zeros(c.input_shape())._index_insert(c.key, g)


select = defop("SelectBackward0", _getitem, [_insert_rule], needs_ctx=True, is_view=True)
slice_ = defop("SliceBackward0", _getitem, [_insert_rule], needs_ctx=True, is_view=True)
alias = defop("AliasBackward0", _getitem, [_insert_rule], needs_ctx=True, is_view=True)
index = defop("IndexBackward0", _getitem, [_insert_rule], needs_ctx=True)


def _insert(ctx, zeros, g, key):
    """``zeros`` with ``g`` added at ``key``; repeated indices accumulate (np.add.at)."""
    ctx.key = key
    out = zeros.copy()
    if _is_basic(key):
        out[key] += g
    else:
        np.add.at(out, key, g)
    return out


index_insert = defop(
    "IndexPutBackward0", _insert, [lambda c, g: g, lambda c, g: g[c.key]], needs_ctx=True
)


def _index_put(ctx, x, values, key, accumulate):
    ctx.key, ctx.accumulate_ = key, accumulate
    out = x.copy()
    if accumulate:
        np.add.at(out, key, values)
    else:
        out[key] = values
    return out


def _index_put_values_rule(c, g):
    return g[c.key]


index_put = defop(
    "IndexPutBackward0",
    _index_put,
    [lambda c, g: g if c.accumulate_ else g._index_fill(c.key, 0), _index_put_values_rule],
    needs_ctx=True,
)


def _gather(ctx, x, dim, idx):
    ctx.dim, ctx.idx = dim, idx
    return np.take_along_axis(x, idx, axis=dim)


gather = defop(
    "GatherBackward0",
    _gather,
    [lambda c, g: g.new_zeros(c.input_shape()).scatter_add(c.dim, g.new_tensor(c.idx), g)],
    needs_ctx=True,
)


def _scatter_into(out, dim, idx, src, add):
    """Write (or add) ``src`` into ``out`` along ``dim`` at ``idx``, in place."""
    key = list(np.indices(idx.shape, sparse=True))
    key[dim] = idx
    key = tuple(key)
    if add:
        np.add.at(out, key, src[tuple(slice(0, n) for n in idx.shape)] if np.ndim(src) else src)
    else:
        out[key] = src[tuple(slice(0, n) for n in idx.shape)] if np.ndim(src) else src
    return out


def _scatter(ctx, x, src, dim, idx):
    ctx.dim, ctx.idx = dim, idx
    return _scatter_into(x.copy(), dim, idx, src, add=False)


def _scatter_add(ctx, x, src, dim, idx):
    ctx.dim, ctx.idx = dim, idx
    return _scatter_into(x.copy(), dim, idx, src, add=True)


def _src_rule(c, g):
    return g.gather(c.dim, g.new_tensor(c.idx))


scatter = defop(
    "ScatterBackward0",
    _scatter,
    [lambda c, g: g.scatter(c.dim, g.new_tensor(c.idx), 0.0), _src_rule],
    needs_ctx=True,
)
scatter_add = defop(
    "ScatterAddBackward0", _scatter_add, [lambda c, g: g, _src_rule], needs_ctx=True
)


def _index_select(ctx, x, dim, idx):
    ctx.dim, ctx.idx = dim, idx
    return np.take(x, idx, axis=dim)


index_select = defop(
    "IndexSelectBackward0",
    _index_select,
    [lambda c, g: g.new_zeros(c.input_shape()).index_add(c.dim, g.new_tensor(c.idx), g)],
    needs_ctx=True,
)


def _index_add(ctx, x, src, dim, idx, alpha):
    ctx.dim, ctx.idx, ctx.alpha = dim, idx, alpha
    out = x.copy()
    key = [slice(None)] * x.ndim
    key[dim] = idx
    np.add.at(out, tuple(key), src * alpha if alpha != 1 else src)
    return out


index_add = defop(
    "IndexAddBackward0",
    _index_add,
    [lambda c, g: g, lambda c, g: g.index_select(c.dim, g.new_tensor(c.idx)) * c.alpha],
    needs_ctx=True,
)


def _masked_fill(ctx, x, mask, value):
    ctx.mask = mask
    return np.where(mask, np.asarray(value, dtype=x.dtype), x)


masked_fill = defop(
    "MaskedFillBackward0",
    _masked_fill,
    [lambda c, g: g.masked_fill(g.new_tensor(c.mask), 0)],
    needs_ctx=True,
)
masked_fill_tensor = defop(
    "MaskedFillBackward1",
    lambda ctx, x, value, mask: _masked_fill(ctx, x, mask, value),
    [
        lambda c, g: g.masked_fill(g.new_tensor(c.mask), 0),
        lambda c, g: g.masked_fill(g.new_tensor(~np.broadcast_to(c.mask, g.shape)), 0).sum(),
    ],
    needs_ctx=True,
)


def _masked_select(ctx, x, mask):
    x, mask = np.broadcast_arrays(x, mask)
    ctx.mask = mask
    return x[mask]


masked_select = defop(
    "MaskedSelectBackward0",
    _masked_select,
    [lambda c, g: g.new_zeros(c.mask.shape)._index_insert((c.mask,), g)],
    needs_ctx=True,
)


def _take_sorted(ctx, x, dim, idx):
    ctx.dim, ctx.idx = dim, idx
    if x.ndim == 0:
        return x.copy()
    return np.take_along_axis(x, idx, axis=dim)


def _sorted_rule(c, grads):
    g = grads[0]
    if g.ndim == 0:
        return g
    return g.new_zeros(c.input_shape()).scatter(c.dim, g.new_tensor(c.idx), g)


sort_values = defop(
    "SortBackward0", _take_sorted, [lambda c, g: _sorted_rule(c, (g,))], needs_ctx=True
)
topk_values = defop(
    "TopkBackward0", _take_sorted, [lambda c, g: _sorted_rule(c, (g,))], needs_ctx=True
)
