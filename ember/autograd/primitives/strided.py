"""Strided views of a tensor's memory (``as_strided``) and the ``*_copy`` nodes.

``as_strided`` reads the flat memory a tensor lives in (its "storage") with any sizes and strides.
Its gradient goes through that storage: the output gradient is scattered (summed where elements
overlap) into a zero storage, then the input's own elements are read back out of it.

``as_strided_scatter`` writes a tensor into those elements of a copy of the input instead.

``copy_node(name)`` is the node of torch's ``*_copy`` functions (``ViewBackward0_copy``...): the
view was already taken and differentiated by its own primitive; this one copies the values into
fresh memory and passes the gradient straight through.
"""

from __future__ import annotations

import numpy as np

from . import defop
from .shape import view as _view


def positions(size: tuple, stride: tuple, offset: int) -> np.ndarray:
    """Flat storage positions of each element (row-major) of a ``size``/``stride`` geometry."""
    pos = np.full((), offset, np.int64)
    for n, st in zip(size, stride):
        pos = pos[..., None] + np.arange(n, dtype=np.int64) * st
    return pos.reshape(-1)


def _as_strided(ctx, x, storage, size, stride, offset, in_stride, in_offset):
    ctx.geometry = (storage.size, size, stride, offset, in_stride, in_offset)
    item = storage.itemsize
    return np.lib.stride_tricks.as_strided(
        storage[offset:], size, tuple(s * item for s in stride), writeable=storage.flags.writeable
    )


def _as_strided_rule(c, g):
    n, size, stride, offset, in_stride, in_offset = c.geometry
    flat = g.new_zeros(n).index_add(0, g.new_tensor(positions(size, stride, offset)), g.reshape(-1))
    shape = c.input_shape()
    return flat[g.new_tensor(positions(shape, in_stride, in_offset))].reshape(shape)


as_strided = defop(
    "AsStridedBackward0", _as_strided, [_as_strided_rule], needs_ctx=True, is_view=True
)
# torch names the in-place form's node apart
as_strided_inplace = defop(
    "AsStridedBackward1", _as_strided, [_as_strided_rule], needs_ctx=True, is_view=True
)


def _as_strided_scatter(ctx, x, src, storage, size, stride, offset, in_stride, in_offset):
    ctx.geometry = (storage.size, size, stride, offset, in_stride, in_offset)
    buf = storage.copy()
    buf[positions(size, stride, offset)] = src.reshape(-1)
    return buf[positions(x.shape, in_stride, in_offset)].reshape(x.shape)


def _scatter_rules():
    def positions_of(c):
        n, size, stride, offset, in_stride, in_offset = c.geometry
        return n, positions(size, stride, offset), positions(c.input_shape(), in_stride, in_offset)

    def input_rule(c, g):  # the elements src overwrote get none
        _, out_pos, in_pos = positions_of(c)
        return g.masked_fill(g.new_tensor(np.isin(in_pos, out_pos).reshape(g.shape)), 0)

    def src_rule(c, g):  # the output's gradient laid out as storage, read where src went
        n, out_pos, in_pos = positions_of(c)
        flat = g.new_zeros(n).index_add(0, g.new_tensor(in_pos), g.reshape(-1))
        return flat[g.new_tensor(out_pos)].reshape(c.input_shape(1))

    return [input_rule, src_rule]


# reshape of a tensor that is not contiguous but whose memory allows the new shape: torch calls
# it _reshape_alias; it is ``view`` under another name
reshape_alias = defop(
    "ReshapeAliasBackward0", _view.forward, _view.node.rules, is_view=True, arrays=True
)


as_strided_scatter = defop(
    "AsStridedScatterBackward0", _as_strided_scatter, _scatter_rules(), needs_ctx=True
)


_COPY_NODES: dict = {}


def copy_node(name: str):
    """The primitive ``name`` (``'ViewBackward0_copy'``): a fresh row-major copy, gradient as is."""
    prim = _COPY_NODES.get(name)
    if prim is None:
        prim = _COPY_NODES[name] = defop(name, lambda x: x.copy(), [lambda c, g: g])
    return prim


def _not_implemented(name: str):
    def rule(c, g):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")

    return rule


# torch records detach_copy's output in the graph with a node whose backward refuses
detach_copy = defop(
    "torch::autograd::NotImplemented", lambda x: x.copy(), [_not_implemented("detach_copy")]
)
