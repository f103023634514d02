"""Indexing primitives. Reading at an index and adding into zeros at that index are each other's
derivative; keys arrive as NumPy-ready tuples (integer arrays, boolean masks, slices, None).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from . import defop
from .nn import _apply


def _is_basic(key) -> bool:
    return all(k is None or k is Ellipsis or isinstance(k, (int, slice)) for k in key)


def _getitem(ctx, x, key):
    ctx.key = key
    out = x[key]
    if type(out) is not np.ndarray:  # ints only: NumPy's scalar is a copy; torch's a 0-d view
        out = x[(*key, Ellipsis) if isinstance(key, tuple) else (key, Ellipsis)]
    return out


def _insert_rule(c, g):
    return g.new_zeros(c.input_shape())._index_insert(c.key, g)


_INTO_ZEROS = {}  # node name -> the primitive putting a view's gradient into zeros


def _into_zeros_rule(name: str):
    """A view's gradient as torch's ``SliceBackwardBackward0``/``SelectBackwardBackward0``: zeros
    of the input's shape holding ``g`` at the key (a basic key never repeats a place), whose own
    gradient reads the key back through the same view."""

    def rule(c, g):
        prim = _INTO_ZEROS.get(name)
        if prim is None:
            # shape_named imports this module, so its forward is fetched when first needed
            from .shape_named import slice_backward

            read_back = [lambda c, g: _apply(_READ_BACK[name], (g,), key=c.key)]
            prim = defop(name, slice_backward.forward, read_back, needs_ctx=True)
            _INTO_ZEROS[name] = prim
        return _apply(prim, (g,), shape=c.input_shape(), key=c.key)

    return rule


def _unsqueezed_dim(key: tuple, shape: tuple):
    """The dim a basic ``key`` inserts when it does nothing else (whole slices, ``...`` and one
    None), else None."""
    if sum(k is None for k in key) != 1 or any(isinstance(k, int) for k in key):
        return None
    n_real = sum(isinstance(k, slice) for k in key)
    pos = dim = 0
    for k in key:
        if k is None:
            out = pos
            pos += 1
        elif k is Ellipsis:
            pos += len(shape) - n_real
            dim += len(shape) - n_real
        else:
            if k.indices(shape[dim]) != (0, shape[dim], 1):
                return None
            pos += 1
            dim += 1
    return out


def _unsqueeze_rule(c, g):
    # torch's gradient of an unsqueeze is a squeeze of that dim (SqueezeBackward1)
    dim = _unsqueezed_dim(c.key, c.input_shape())
    return _insert_rule(c, g) if dim is None else g.squeeze(dim)


select = defop(
    "SelectBackward0",
    _getitem,
    [_into_zeros_rule("SelectBackwardBackward0")],
    needs_ctx=True,
    is_view=True,
)
slice_ = defop(
    "SliceBackward0",
    _getitem,
    [_into_zeros_rule("SliceBackwardBackward0")],
    needs_ctx=True,
    is_view=True,
)
_READ_BACK = {"SelectBackwardBackward0": select, "SliceBackwardBackward0": slice_}
# an alias is the input itself, and so is its gradient
alias = defop("AliasBackward0", _getitem, [lambda c, g: g], needs_ctx=True, is_view=True)
unsqueeze_key = defop(  # x[:, None]: torch's last view is an unsqueeze
    "UnsqueezeBackward0", _getitem, [_unsqueeze_rule], needs_ctx=True, is_view=True
)
# torch adds an index read's gradient back with index_put's accumulating implementation
index = defop(
    "IndexBackward0",
    _getitem,
    [lambda c, g: _apply(index_put_impl, (g.new_zeros(c.input_shape()), g), key=c.key)],
    needs_ctx=True,
)


def _insert(ctx, zeros, g, key):
    """``zeros`` with ``g`` added at ``key``; repeated indices accumulate (np.add.at)."""
    ctx.key = key
    out = zeros.copy()
    if _is_basic(key):
        out[key] += g
    else:
        np.add.at(out, key, g)
    return out


_INSERT_RULES = [lambda c, g: g, lambda c, g: g[c.key]]
index_insert = defop("IndexPutBackward0", _insert, _INSERT_RULES, needs_ctx=True)
index_put_impl = defop("IndexPutImplBackward0", _insert, _INSERT_RULES, needs_ctx=True)


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


def _index_add_src_rule(c, g):
    read = g.index_select(c.dim, g.new_tensor(c.idx)).expand(c.input_shape(1))
    return read if c.alpha == 1 else _apply(scale, (read,), alpha=c.alpha)


index_add = defop(
    "IndexAddBackward0", _index_add, [lambda c, g: g, _index_add_src_rule], needs_ctx=True
)


def _scale(ctx, x, alpha):
    ctx.alpha = alpha
    return np.asarray(x * alpha, x.dtype)


# a tensor times a number inside a derivative: torch's MulBackward1 (``*`` records MulBackward0)
scale = defop(
    "MulBackward1",
    _scale,
    [lambda c, g: _apply(scale, (g,), alpha=c.alpha)],
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
        lambda c, g: g.masked_select(g.new_tensor(c.mask)).sum(),
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
    [lambda c, g: g.new_zeros(c.mask.shape).masked_scatter(g.new_tensor(c.mask), g)],
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


_REDUCE_UFUNC = {
    "sum": np.add,
    "mean": np.add,
    "prod": np.multiply,
    "amax": np.maximum,
    "amin": np.minimum,
}


def _identity(reduce, dtype):
    """The value a reduction starts from when ``input``'s own value is left out."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    info = np.finfo(dtype) if dtype.kind == "f" else np.iinfo(dtype)
    big = np.inf if dtype.kind == "f" else info.max
    return -big if reduce == "amax" else big


def _scatter_reduce(ctx, x, src, dim, idx, reduce, include_self):
    key = list(np.indices(idx.shape, sparse=True))
    key[dim] = idx
    key = tuple(key)
    src = src[tuple(slice(0, n) for n in idx.shape)]
    hit = np.zeros(x.shape, bool)
    hit[key] = True
    keep = np.ones(x.shape, bool) if include_self else ~hit  # where input's own value counts
    out = x.copy()
    if not include_self:
        out[hit] = _identity(reduce, x.dtype)
    _REDUCE_UFUNC[reduce].at(out, key, src)
    ctx.dim, ctx.idx, ctx.reduce, ctx.keep = dim, idx, reduce, keep
    if reduce == "mean":
        count = keep.astype(x.dtype)
        np.add.at(count, key, 1)
        ctx.count = count
        out = out // count if x.dtype.kind in "iub" else (out / count).astype(x.dtype)
    elif reduce in ("amax", "amin"):
        # ties share the gradient evenly, as torch's (scatter_named counts in the input's own
        # values that include_self=False left out, which get no share)
        eq_x = keep & (x == out)
        eq_src = src == out[key]
        count = eq_x.astype(x.dtype)
        np.add.at(count, key, eq_src)
        ctx.eq_x, ctx.eq_src, ctx.count = eq_x, eq_src, np.maximum(count, 1)
    return out


# The rules for sum, mean, amax and amin; scatter_named's node (which refuses a src larger than
# the index) runs them, and prod's own.
def _sr_self_rule(c, g, x, src, out):
    r = c.reduce
    drop = g.new_tensor(~c.keep)
    if r == "sum":
        return g.masked_fill(drop, 0)
    if r == "mean":
        return (g / g.new_tensor(c.count)).masked_fill(drop, 0)
    return g * g.new_tensor(c.eq_x) / g.new_tensor(c.count)


def _sr_src_rule(c, g, x, src, out):
    r, d, idx = c.reduce, c.dim, g.new_tensor(c.idx)
    if r == "sum":
        return g.gather(d, idx)
    if r == "mean":
        return (g / g.new_tensor(c.count)).gather(d, idx)
    return (g / g.new_tensor(c.count)).gather(d, idx) * g.new_tensor(c.eq_src)


# Only the forward is shared: scatter_named records ScatterReduceBackward0 and IndexReduceBackward0
# (prod's rules and include_self=False's tie count are there), reading ``scatter_reduce.forward``.
scatter_reduce = SimpleNamespace(forward=_scatter_reduce)
