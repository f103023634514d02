"""Writes into a copy of a tensor, each with torch's own node: ``masked_scatter``, ``index_fill``
(a number or a 0-d tensor), ``index_copy``, ``index_reduce``, ``put``, the ``*_scatter`` views
(``diagonal``, ``select``, ``slice``) and ``scatter`` of a number.

Each forward copies ``x`` and writes into the copy; each rule is torch's formula in Tensor methods
(the written places get no gradient for ``x``; ``src`` gets the gradient read back where it went),
so that a second derivative goes through the same ops.
"""

from __future__ import annotations

import numpy as np

from . import NO_CTX, defop
from .index import _scatter_into, _sr_self_rule, _sr_src_rule, scatter_reduce
from .strided import _not_implemented


def _masked_scatter(ctx, x, src, mask):
    # x and mask arrive broadcast to one shape; the engine sums x's gradient back
    ctx.mask, ctx.count = mask, int(mask.sum())
    out = x.copy()
    out[mask] = src.reshape(-1)[: ctx.count]
    return out


def _masked_scatter_src_rule(c, g):
    # the leading ``count`` elements of src were read, in order; the rest get 0
    taken = g.masked_select(g.new_tensor(c.mask))
    n = int(np.prod(c.input_shape(1), dtype=np.int64))
    flat = g.new_zeros((n,))._index_insert((slice(0, c.count),), taken)
    return flat.reshape(c.input_shape(1))


masked_scatter = defop(
    "MaskedScatterBackward0",
    _masked_scatter,
    [lambda c, g: g.masked_fill(g.new_tensor(c.mask), 0), _masked_scatter_src_rule],
    needs_ctx=True,
)


def _index_fill(ctx, x, dim, idx, value):
    ctx.dim, ctx.idx = dim, idx
    out = x.copy()
    if x.ndim:
        out[(slice(None),) * dim + (idx,)] = value
    elif idx.size:
        out[()] = value
    return out


def _fill_zero_rule(c, g):
    return g.index_fill(c.dim, g.new_tensor(c.idx), 0)


index_fill = defop("IndexFillBackward0", _index_fill, [_fill_zero_rule], needs_ctx=True)


def _value_rule(c, g):
    # every filled place read the one value; a repeated index fills it once
    if not c.input_shape():
        return g if c.idx.size else g * 0
    return g.index_select(c.dim, g.new_tensor(np.unique(c.idx))).sum()


index_fill_tensor = defop(
    "IndexFillBackward1",
    lambda ctx, x, value, dim, idx: _index_fill(ctx, x, dim, idx, value),
    [_fill_zero_rule, _value_rule],
    needs_ctx=True,
)


def _index_copy(ctx, x, src, dim, idx):
    ctx.dim, ctx.idx = dim, idx
    out = x.copy()
    if x.ndim:
        out[(slice(None),) * dim + (idx,)] = src.reshape(src.shape or (1,))
    else:
        out[()] = src
    return out


def _index_copy_src_rule(c, g):
    if not c.input_shape():
        return g
    return g.index_select(c.dim, g.new_tensor(c.idx)).reshape(c.input_shape(1))


index_copy = defop(
    "IndexCopyBackward0", _index_copy, [_fill_zero_rule, _index_copy_src_rule], needs_ctx=True
)


def _index_reduce(ctx, x, src, dim, idx, reduce, include_self):
    # scatter_reduce with the index spread over each slice of src
    ctx.index, ctx.include_self = idx, include_self
    view = [1] * src.ndim
    view[dim] = idx.size
    spread = np.broadcast_to(idx.reshape(view), src.shape)
    out = scatter_reduce.forward(ctx, x, src, dim, spread, reduce, include_self)
    if reduce in ("amax", "amin") and not include_self and ctx is not NO_CTX:
        # torch shares a slot's gradient among its ties counting input's own value even where
        # include_self=False left it out (that value then gets no share)
        ctx.count = ctx.count + (~ctx.keep & (x == out))
    return out


# A product's derivative for one factor is the product of the others. Computed again by
# index_reduce with that factor (where it is 0) replaced by 1, it stays differentiable: a second
# derivative sees how the others move, which a factor left out as a constant would hide.
def _ir_self_rule(c, g, x, src, out):
    if c.reduce != "prod":
        return _sr_self_rule(c, g, x, src, out)
    safe = x.masked_fill(x == 0, 1)
    others = safe.index_reduce(
        c.dim, g.new_tensor(c.index), src, "prod", include_self=c.include_self
    )
    return (g * others / safe).masked_fill(g.new_tensor(~c.keep), 0)


def _ir_src_rule(c, g, x, src, out):
    if c.reduce != "prod":
        return _sr_src_rule(c, g, x, src, out)
    d, idx = c.dim, g.new_tensor(c.index)
    zero = src == 0
    zeros_in_slot = x.new_zeros(x.shape).index_add(d, idx, zero.to(x.dtype)).index_select(d, idx)
    lone = zero & (zeros_in_slot == 1)  # the only 0 of its slot: the others' product is not 0
    without = x.index_reduce(d, idx, src.masked_fill(lone, 1), "prod", include_self=c.include_self)
    at_lone = (g * without).index_select(d, idx).masked_fill(~lone, 0)
    rest = ((g * out).index_select(d, idx) / src.masked_fill(zero, 1)).masked_fill(lone, 0)
    return at_lone + rest


index_reduce = defop(
    "IndexReduceBackward0",
    _index_reduce,
    [_ir_self_rule, _ir_src_rule],
    save=(0, 1, -1),
    needs_ctx=True,
)


def _put(ctx, x, src, idx, accumulate):
    ctx.idx, ctx.accumulate_ = idx, accumulate
    out = x.copy().reshape(-1)
    if accumulate:
        np.add.at(out, idx, src.reshape(-1))
    else:
        out[idx] = src.reshape(-1)
    return out.reshape(x.shape)


def _put_input_rule(c, g):
    if c.accumulate_:
        return g
    return g.put(g.new_tensor(c.idx), g.new_zeros(c.input_shape(1)))


put = defop(
    "PutBackward0",
    _put,
    [_put_input_rule, lambda c, g: g.take(g.new_tensor(c.idx)).reshape(c.input_shape(1))],
    needs_ctx=True,
)


def _diagonal_scatter(ctx, x, src, offset, dim1, dim2):
    ctx.diag = (offset, dim1, dim2)
    out = x.copy()
    i = np.arange(src.shape[-1] if src.ndim else 0)
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    # with the two dims moved last (a view of out), the indexed region has src's layout
    np.moveaxis(out, (dim1, dim2), (-2, -1))[..., rows, cols] = src
    return out


diagonal_scatter = defop(
    "DiagonalScatterBackward0",
    _diagonal_scatter,
    [
        lambda c, g: g.diagonal_scatter(g.new_zeros(c.input_shape(1)), *c.diag),
        lambda c, g: g.diagonal(*c.diag),
    ],
    needs_ctx=True,
)


def _write_at(ctx, x, src, dim, key):
    ctx.dim, ctx.key = dim, key
    out = x.copy()
    out[(slice(None),) * dim + key] = src
    return out


def _read_at(c, g):
    return g[(slice(None),) * c.dim + c.key]


select_scatter = defop(
    "SelectScatterBackward0",
    _write_at,
    [
        lambda c, g: g.select_scatter(g.new_zeros(c.input_shape(1)), c.dim, c.key[0]),
        _read_at,
    ],
    needs_ctx=True,
)


def _slice_zero_rule(c, g):
    s = c.key[0]
    return g.slice_scatter(g.new_zeros(c.input_shape(1)), c.dim, s.start, s.stop, s.step)


slice_scatter = defop(
    "SliceScatterBackward0", _write_at, [_slice_zero_rule, _read_at], needs_ctx=True
)


def _scatter_value(ctx, x, dim, idx, value):
    ctx.dim, ctx.idx = dim, idx
    return _scatter_into(x.copy(), dim, idx, np.asarray(value, x.dtype), add=False)


scatter_value = defop(
    "ScatterBackward1",
    _scatter_value,
    [lambda c, g: g.scatter(c.dim, g.new_tensor(c.idx), 0)],
    needs_ctx=True,
)


def _legacy(x, src, dim, idx, reduce):
    return scatter_reduce.forward(NO_CTX, x, src, dim, idx, reduce, True)


# scatter's reduce= (add or multiply): torch records a node whose backward refuses
scatter_legacy = defop(
    "torch::autograd::NotImplemented", _legacy, [_not_implemented("scatter")] * 2
)
scatter_legacy_value = defop(
    "torch::autograd::NotImplemented",
    lambda x, dim, idx, reduce, value: _legacy(x, value, dim, idx, reduce),
    [_not_implemented("scatter")],
)


# index_select and index_add of a 0-d tensor: its one element (index 0), torch's nodes
index_select_scalar = defop("IndexSelectBackward0", lambda x: x.copy(), [lambda c, g: g])


def _add_scalar(ctx, x, src, alpha):
    ctx.alpha = alpha
    return np.asarray(x + alpha * src, x.dtype)


index_add_scalar = defop(
    "IndexAddBackward0", _add_scalar, [lambda c, g: g, lambda c, g: g * c.alpha], needs_ctx=True
)
