"""Writes into a copy of a tensor, each with torch's own node: ``masked_scatter``, ``index_fill``
(a number or a 0-d tensor), ``index_copy``, ``scatter_reduce`` and ``index_reduce``, ``put``, the
``*_scatter`` views (``diagonal``, ``select``, ``slice``), ``scatter`` of a number and with
``reduce=`` (a node whose backward refuses, as torch's), ``index_select``/``index_add`` of a 0-d
tensor.

Each forward copies ``x`` and writes into the copy; each rule is torch's formula in Tensor methods
(the written places get no gradient for ``x``; ``src`` gets the gradient read back where it went),
so that a second derivative goes through the same ops.
"""

from __future__ import annotations

import numpy as np

from . import NO_CTX, OUT, defop
from .index import _scatter_into, _sr_self_rule, _sr_src_rule
from .index import scatter_reduce as _scatter_reduce_base
from .strided import _not_implemented


def _masked_scatter(ctx, x, src, mask):
    # x and mask arrive broadcast to one shape; the engine sums x's gradient back
    count = int(mask.sum())
    ctx.mask, ctx.count = mask, count
    out = x.copy()
    out[mask] = src.reshape(-1)[:count]
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


def _scatter_reduce(ctx, x, src, dim, idx, reduce, include_self):
    ctx.include_self = include_self
    out = _scatter_reduce_base.forward(ctx, x, src, dim, idx, reduce, include_self)
    if reduce in ("amax", "amin") and not include_self and ctx is not NO_CTX:
        # torch shares a slot's gradient among its ties counting input's own value even where
        # include_self=False left it out (that value then gets no share)
        ctx.count = ctx.count + (~ctx.keep & (x == out))
    return out


def _index_reduce(ctx, x, src, dim, idx, reduce, include_self):
    # scatter_reduce with the index spread over each slice of src
    ctx.index = idx
    view = [1] * src.ndim
    view[dim] = idx.size
    spread = np.broadcast_to(idx.reshape(view), src.shape)
    return _scatter_reduce(ctx, x, src, dim, spread, reduce, include_self)


def _along_scatter(c, g):
    """(reduce ``src`` into a base again, read a tensor back where src went, add into a base)
    for scatter_reduce's index."""
    idx = g.new_tensor(c.idx)
    return (
        lambda base, s: base.scatter_reduce(c.dim, idx, s, "prod", include_self=c.include_self),
        lambda t: t.gather(c.dim, idx),
        lambda base, t: base.scatter_add(c.dim, idx, t),
    )


def _along_index(c, g):
    """The same for index_reduce's index, which names whole slices."""
    idx = g.new_tensor(c.index)
    return (
        lambda base, s: base.index_reduce(c.dim, idx, s, "prod", include_self=c.include_self),
        lambda t: t.index_select(c.dim, idx),
        lambda base, t: base.index_add(c.dim, idx, t),
    )


def _refuse_larger_src(c, shape: tuple) -> None:
    """torch's errors for a src larger than the index: no gradient is made for the elements past
    it; prod, amax and amin fail combining src with the index-shaped values, the others hand
    the engine an index-shaped gradient it refuses."""
    idx = c.idx.shape
    if c.reduce in ("prod", "amax", "amin"):
        for k in reversed(range(len(shape))):
            if shape[k] != idx[k] and idx[k] != 1:
                raise RuntimeError(
                    f"The size of tensor a ({shape[k]}) must match the size of tensor b "
                    f"({idx[k]}) at non-singleton dimension {k}"
                )
    raise RuntimeError(
        f"Function {type(c).__name__} returned an invalid gradient at index 1 - got "
        f"{list(idx)} but expected shape compatible with {list(shape)}"
    )


# A product's derivative for one factor is the product of the others. Computed again by the
# reduction with that factor (where it is 0) replaced by 1, it stays differentiable: a second
# derivative sees how the others move, which a factor left out as a constant would hide.
def _reduce_rules(along):
    def self_rule(c, g, x, src, out):
        if c.reduce != "prod":
            return _sr_self_rule(c, g, x, src, out)
        again = along(c, g)[0]
        safe = x.masked_fill(x == 0, 1)
        return (g * again(safe, src) / safe).masked_fill(g.new_tensor(~c.keep), 0)

    def src_rule(c, g, x, src, out):
        if tuple(src.shape) != c.idx.shape:
            _refuse_larger_src(c, tuple(src.shape))
        if c.reduce != "prod":
            return _sr_src_rule(c, g, x, src, out)
        again, read, add = along(c, g)
        zero = src == 0
        zeros_in_slot = read(add(x.new_zeros(x.shape), zero.to(x.dtype)))
        lone = zero & (zeros_in_slot == 1)  # the only 0 of its slot: the others' product is not 0
        at_lone = read(g * again(x, src.masked_fill(lone, 1))).masked_fill(~lone, 0)
        rest = (read(g * out) / src.masked_fill(zero, 1)).masked_fill(lone, 0)
        return at_lone + rest

    return [self_rule, src_rule]


def _reduction(name, forward, along):
    return defop(name, forward, _reduce_rules(along), save=(0, 1, OUT), needs_ctx=True)


scatter_reduce = _reduction("ScatterReduceBackward0", _scatter_reduce, _along_scatter)
index_reduce = _reduction("IndexReduceBackward0", _index_reduce, _along_index)


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
    return _scatter_reduce_base.forward(NO_CTX, x, src, dim, idx, reduce, True)


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
