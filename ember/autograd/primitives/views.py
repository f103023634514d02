"""``CopySlices``: what a base tensor's graph becomes when one of its views is changed in place,
and the copies that write into a tensor (``copy_``'s ``CopyBackwards``, a tensor ``fill_``).

After ``base[1:3].mul_(2)``, the base's values are partly old (outside the view) and partly the
view's new values. As in torch, the in-place op's own node (``MulBackward0``) moves inside the
base's new ``CopySlices`` node: the view's region of the base's gradient runs through it, its
gradient for the old view values goes back into that region, and its other inputs' gradients
leave ``CopySlices`` as they would have left the op's node. So ``CopySlices.next_functions`` is
the base's old edge followed by the op's other inputs, as torch shows it. The view itself then
reads its values from the base's new node (``AsStridedBackward0``). Regions are found from the
memory layout (any strided view of the base), as flat positions into the base.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..engine import _RELEASED, OpNode, next_seq, unbroadcast
from . import defop
from . import rule_ops as R


def _positions(base: np.ndarray, view: np.ndarray) -> np.ndarray:
    """Flat (C-order) positions in ``base`` of each element of ``view``, in ``view``'s order."""
    start = base.__array_interface__["data"][0]
    offset = view.__array_interface__["data"][0] - start
    base_addr = (
        sum(np.indices(base.shape, sparse=True)[k] * base.strides[k] for k in range(base.ndim))
        if base.ndim
        else np.zeros(())
    )
    base_addr = np.broadcast_to(base_addr, base.shape).reshape(-1)
    view_addr = (
        offset
        + sum(np.indices(view.shape, sparse=True)[k] * view.strides[k] for k in range(view.ndim))
        if view.ndim
        else np.asarray(offset)
    )
    view_addr = np.broadcast_to(view_addr, view.shape).reshape(-1)
    order = np.argsort(base_addr, kind="stable")
    found = order[np.searchsorted(base_addr[order], view_addr)]
    return found.astype(np.int64)


class CopySlices(OpNode):
    """The base's node: ``fn`` (the in-place op's node) applied to the view's region.

    When the op's node does not take the old view values as its first input (an in-place op
    composed of several nodes), ``fn`` is None and the second edge leads to the view's new graph
    instead: the region's gradient goes there whole, the rest to the base's old graph.
    """

    __slots__ = ()

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    def apply(self, grads):
        self._checked_saved()  # a released node says so, as any node does
        g = grads[0]
        pos = g.new_tensor(self.pos)
        flat = g.reshape(-1)
        region = flat[pos].reshape(self.view_shape)
        fn = self.fn
        if fn is None:
            rest = (region if self.next_functions[1][0] is not None else None,)
            inner = region
        else:
            res = list(fn.apply((region,)))
            inner, rest = res[0], res[1:]
        out = None
        if self.next_functions[0][0] is not None:
            out = flat._index_fill((pos,), 0)
            if inner is not None:
                if fn is not None:  # the op's gradient for the old view values
                    inner = unbroadcast(inner, self.view_shape)
                    out = out._index_insert((self.pos,), inner.reshape(-1))
            out = out.reshape(self.base_shape)
        return [out, *rest]

    def release(self) -> None:
        super().release()
        self._saved = _RELEASED  # pos is gone: a second backward must fail loudly
        if self.fn is not None:
            self.fn.release()


class AsStridedBackward0(OpNode):
    """A view's node once its base was written through it: the view reads the base's region
    (named, and printed, as torch's regenerated view node)."""

    __slots__ = ()

    def apply(self, grads):
        self._checked_saved()
        g = grads[0]
        flat = g.new_zeros(int(np.prod(self.base_shape)))
        flat = flat._index_insert((self.pos,), g.reshape(-1))
        return [flat.reshape(self.base_shape)]

    def release(self) -> None:
        super().release()
        self._saved = _RELEASED


def _edge_of(t) -> tuple:
    """``t``'s edge into the graph without making a leaf's gradient accumulator."""
    if not t._rg:
        return (None, 0)
    if t.grad_fn is not None:
        return (t.grad_fn, t._output_nr)
    return (t._grad_accumulator(), 0)


def read_from_base(base, view, pos=None) -> None:
    """Point ``view.grad_fn`` at ``base``'s current node (torch regenerates a view's node so)."""
    node = AsStridedBackward0()
    node.next_functions = (_edge_of(base),)
    node._seq = next_seq()
    node._input_meta = ((base._data.shape, base._data.dtype),)
    node.pos = _positions(base._data, view._data) if pos is None else pos
    node.base_shape = base._data.shape
    view.grad_fn, view._output_nr, view._rg = node, 0, True


def refresh_views(root, changed) -> None:
    """After ``changed`` (``root`` or one of its views) was modified in place inside a graph,
    every other live view of ``root`` reads the base's new values, as torch's regenerated
    ``AsStridedBackward0`` does: its old node would send gradients to values that are gone."""
    views = root.__dict__.get("_views")
    if not views or not root._rg:
        return
    alive = []
    for ref in views:
        v = ref()
        if v is None:
            continue
        alive.append(ref)
        # a view whose values were copied (never the base's memory) has nothing to re-read
        if v is not changed and v._rg and np.may_share_memory(v._data, root._data):
            read_from_base(root, v)
    views[:] = alive


def copy_slices(base, view, old=None) -> None:
    """Re-point ``base.grad_fn`` after ``view`` (now holding the op's node) was written in place.

    ``old`` is the snapshot of the view's old values the op ran on: when the op's node takes it
    as its first input, that node goes inside ``CopySlices`` as torch's does.
    """
    fn = view.grad_fn
    node = CopySlices()
    # the snapshot's own edge, never a new accumulator for it (a mismatch takes the other form)
    old_edge = None if old is None or (old._rg and old.grad_fn is None) else _edge_of(old)
    if old_edge is not None and fn.next_functions and fn.next_functions[0] == old_edge:
        node.fn = fn
        node.next_functions = (_edge_of(base), *fn.next_functions[1:])
        node._input_meta = ((base._data.shape, base._data.dtype), *fn._input_meta[1:])
    else:
        node.fn = None
        node.next_functions = (_edge_of(base), (fn, view._output_nr))
        node._input_meta = (
            (base._data.shape, base._data.dtype),
            (view._data.shape, view._data.dtype),
        )
    node._seq = next_seq()
    node.pos = _positions(base._data, view._data)
    node.base_shape, node.view_shape = base._data.shape, view._data.shape
    base.grad_fn, base._output_nr, base._rg = node, 0, True
    read_from_base(base, view, node.pos)


# -- writes into a tensor: the old values get a zero gradient, the source the rest --------------
def _copy(dst: np.ndarray, src: np.ndarray) -> np.ndarray:
    if src.dtype.kind == "c" and dst.dtype.kind != "c":
        warnings.warn(
            "Casting complex values to real discards the imaginary part", UserWarning, stacklevel=6
        )
        src = src.real
    return np.broadcast_to(src, dst.shape).astype(dst.dtype)


def _zero(c, g):
    return R.zeros_like(g)


# torch names this node in the plural, with its C++ namespace
copy = defop("torch::autograd::CopyBackwards", _copy, [_zero, lambda c, g: g], arrays=True)
# fill_ with a 0-d tensor value (torch's fill_.Tensor): the value gets the summed gradient
fill_tensor = defop(
    "FillBackward3", lambda x, v: np.full_like(x, v), [_zero, lambda c, g: g], arrays=True
)
