"""torch's ``*_copy`` functions: a view operation whose result is fresh memory, not a view.

``ember.permute_copy(x, dims)`` is ``x.permute(dims)`` copied: same values, gradient and dtype,
its own storage, and a node named as torch names it (``PermuteBackward0_copy``).
"""

from __future__ import annotations

from .._tensor import Tensor, apply
from ..autograd.grad_mode import _state
from ..autograd.primitives import strided as P
from . import shape as S
from .index import getitem_key
from .inplace import copy_into_out
from .strided import as_strided


def _fresh(view, out, name: str, node: str | None = None):
    """Copy ``view`` (a tensor or a tuple of them) into new memory under a node named ``node``
    (by default ``view``'s node's name plus ``_copy``); with ``out=``, into ``out`` instead."""
    if isinstance(view, tuple):
        pieces = tuple(_fresh(v, None, name) for v in view)
        if out is None:
            return pieces
        if len(out) != len(pieces):
            raise RuntimeError(
                f"{name}_Tensor_out() expected an out= argument of size {len(pieces)}, got size "
                f"{len(out)}"
            )
        for o, p in zip(out, pieces):
            copy_into_out(o, p, name=name)
        return None
    if node is None:
        node = f"{view.grad_fn.name()}_copy" if view.grad_fn is not None else "CopyBackward"
    result = apply(P.copy_node(node), (view,))
    return result if out is None else copy_into_out(out, result, name=name)


def view_copy(input: Tensor, size, *, out=None) -> Tensor:  # noqa: A002
    """``input.view(size)`` (or ``input.view(dtype)``) in fresh memory."""
    return _fresh(input.view(size), out, "view_copy")


def t_copy(input: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """``torch.t`` in fresh memory."""
    return _fresh(S.t(input), out, "t_copy")


def permute_copy(input: Tensor, dims, *, out=None) -> Tensor:  # noqa: A002
    """``torch.permute`` in fresh memory."""
    return _fresh(S.permute(input, dims), out, "permute_copy")


def expand_copy(input: Tensor, size, *, implicit: bool = False, out=None) -> Tensor:  # noqa: A002
    """``input.expand(size)`` in fresh memory (each repeated element its own copy)."""
    return _fresh(input.expand(size), out, "expand_copy")


def squeeze_copy(input: Tensor, dim=None, *, out=None) -> Tensor:  # noqa: A002
    """``torch.squeeze`` in fresh memory."""
    return _fresh(S.squeeze(input, dim), out, "squeeze_copy")


def unsqueeze_copy(input: Tensor, dim: int, *, out=None) -> Tensor:  # noqa: A002
    """``torch.unsqueeze`` in fresh memory."""
    return _fresh(S.unsqueeze(input, dim), out, "unsqueeze_copy")


def transpose_copy(input: Tensor, dim0: int, dim1: int, *, out=None) -> Tensor:  # noqa: A002
    """``torch.transpose`` in fresh memory."""
    return _fresh(S.transpose(input, dim0, dim1), out, "transpose_copy")


def diagonal_copy(
    input: Tensor,  # noqa: A002
    offset: int = 0,
    dim1: int = 0,
    dim2: int = 1,
    *,
    out=None,
) -> Tensor:
    """``torch.diagonal`` in fresh memory."""
    return _fresh(S.diagonal(input, offset, dim1, dim2), out, "diagonal_copy")


def select_copy(input: Tensor, dim: int, index: int, *, out=None) -> Tensor:  # noqa: A002
    """``torch.select`` in fresh memory."""
    return _fresh(S.select(input, dim, index), out, "select_copy")


def slice_copy(
    input: Tensor,  # noqa: A002
    dim: int = 0,
    start: int | None = None,
    end: int | None = None,
    step: int = 1,
    *,
    out=None,
) -> Tensor:
    """``input[..., start:end:step, ...]`` along ``dim`` in fresh memory."""
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    d = S.wrap_dim(dim, input.ndim)
    key = (slice(None),) * d + (slice(start, end, step),)
    # always a slice node (torch's aten::slice), even where indexing would skip a full slice
    return _fresh(getitem_key(input, key, "slice"), out, "slice_copy")


def split_copy(input: Tensor, split_size: int, dim: int = 0, *, out=None):  # noqa: A002
    """``torch.split`` into fresh tensors (``None`` with ``out=``, as torch)."""
    return _fresh(S.split(input, split_size, dim), out, "split_copy")


def split_with_sizes_copy(input: Tensor, split_sizes, dim: int = 0, *, out=None):  # noqa: A002
    """``torch.split_with_sizes`` into fresh tensors (``None`` with ``out=``, as torch)."""
    return _fresh(S.split_with_sizes(input, split_sizes, dim), out, "split_with_sizes_copy")


def unbind_copy(input: Tensor, dim: int = 0, *, out=None):  # noqa: A002
    """``torch.unbind`` into fresh tensors (``None`` with ``out=``, as torch)."""
    return _fresh(S.unbind(input, dim), out, "unbind_copy")


def unfold_copy(input: Tensor, dimension: int, size: int, step: int, *, out=None) -> Tensor:  # noqa: A002
    """``input.unfold(dimension, size, step)`` in fresh memory."""
    # Ember composes unfold: the node is named after torch's view instead
    windows = S.unfold(input, dimension, size, step)
    return _fresh(windows, out, "unfold_copy", "UnfoldBackward0_copy")


def view_as_real_copy(input: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """``torch.view_as_real`` in fresh memory."""
    from .complex import view_as_real

    return _fresh(view_as_real(input), out, "view_as_real_copy")


def view_as_complex_copy(input: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """``torch.view_as_complex`` in fresh memory; like torch's, not differentiable."""
    from .complex import view_as_complex

    if _state.enabled and input.requires_grad:
        raise RuntimeError(
            "view_as_complex_copy does not support automatic differentiation for outputs with "
            "complex dtype."
        )
    return _fresh(view_as_complex(input), out, "view_as_complex_copy")


def alias_copy(input: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """A copy of ``input`` (``torch.alias`` is the view of all of it)."""
    return _fresh(input, out, "alias_copy", "AliasBackward0_copy")


def detach(input: Tensor) -> Tensor:  # noqa: A002
    """``input.detach()``: the same memory, cut from the graph."""
    return input.detach()


def detach_(input: Tensor) -> Tensor:  # noqa: A002
    """``input.detach_()``: cut ``input`` itself from the graph (not a view's)."""
    return input.detach_()


def detach_copy(input: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """A copy of ``input``; as in torch it stays in the graph, whose backward refuses it."""
    result = apply(P.detach_copy, (input,))
    return result if out is None else copy_into_out(out, result, name="detach_copy")


def as_strided_copy(
    input: Tensor,  # noqa: A002
    size,
    stride,
    storage_offset: int | None = None,
    *,
    out=None,
) -> Tensor:
    """``torch.as_strided`` in fresh memory."""
    return _fresh(as_strided(input, size, stride, storage_offset), out, "as_strided_copy")
