"""``CopySlices``: what a base tensor's graph becomes when one of its views is changed in place.

After ``base[1:3].mul_(2)``, the base's values are partly old (outside the view) and partly the
view's new values. Its gradient therefore splits: the region under the view goes to the view's
new graph, the rest to the base's old graph. The region is found from the memory layout (any
strided view of the base), as flat positions into the base.
"""

from __future__ import annotations

import numpy as np

from ..engine import OpNode, next_seq


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
    __slots__ = ()

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    def apply(self, grads):
        g = grads[0]
        pos = g.new_tensor(self.pos)
        flat = g.reshape(-1)
        out_old = out_view = None
        if self.next_functions[0][0] is not None:
            out_old = flat._index_fill((pos,), 0).reshape(self.base_shape)
        if self.next_functions[1][0] is not None:
            out_view = flat[pos].reshape(self.view_shape)
        return (out_old, out_view)


def copy_slices(base, view) -> None:
    """Re-point ``base.grad_fn`` after ``view`` (already holding its new graph) was written."""
    from ..._tensor import _edge

    node = CopySlices()
    old_edge = _edge(base)
    node.next_functions = (old_edge, (view.grad_fn, view._output_nr))
    node._seq = next_seq()
    node._input_meta = ((base._data.shape, base._data.dtype), (view._data.shape, view._data.dtype))
    node.pos = _positions(base._data, view._data)
    node.base_shape, node.view_shape = base._data.shape, view._data.shape
    base.grad_fn, base._output_nr, base._rg = node, 0, True
