"""Tensors arranged from tensors: grids, products of index sets, block layouts, stacks and splits
along named axes, and the index sets of triangles; all composed of differentiable ops."""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, apply
from ..autograd.primitives import shape_named as PN
from ._util import wrap_dim
from .index import index_select
from .inplace import takes_out
from .shape import (
    _cat_cast,
    _sections,
    _tensor_list,
    at_least,
    cat,
    hstack,
    joined_rows,
    stack,
    tensor_args,
    tensor_split,
)


def _tensors(args) -> list:
    """``f(a, b)`` and ``f([a, b])`` alike, as torch's variadic tensor functions."""
    if len(args) == 1 and isinstance(args[0], (list, tuple)):
        return list(tensor_args(args[0]))
    return list(tensor_args(args))


def _int_arg(fn: str, arg: str, position: int, value) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(
            f"{fn}(): argument '{arg}' (position {position}) must be int, not "
            + type(value).__name__
        )


def meshgrid(*tensors, indexing: str | None = None):
    """Coordinate grids from 1-D tensors: ``out[i]`` varies along dim ``i`` (``"ij"``) or, with
    ``"xy"``, the first two dims swapped (Cartesian order)."""
    tensors = _tensors(tensors)
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing not in ("ij", "xy"):
        raise RuntimeError(
            f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}'
        )
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}"
            )
        if t.dtype != tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    order = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        order[0], order[1] = 1, 0  # where each input's axis lies in the grid
    shape = [0] * len(tensors)
    for i, t in enumerate(tensors):
        shape[order[i]] = t.numel()
    out = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[order[i]] = t.numel()
        out.append(t.reshape(view).expand(shape))
    return tuple(out)


def cartesian_prod(*tensors) -> Tensor:
    """All tuples with one element from each 1-D tensor, one tuple a row (a lone tensor as is)."""
    tensors = list(tensor_args(tensors))
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:  # noqa: A002
    """The length-``r`` combinations of a 1-D tensor's elements, one a row, in order."""
    _int_arg("combinations", "r", 2, r)
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return input.new_zeros((0,))
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(pick(range(input.shape[0]), r)), np.int64).reshape(-1, r)
    # one column per position, stacked (torch's StackBackward0)
    return stack([index_select(input, 0, _make(np.ascontiguousarray(c))) for c in idx.T], 1)


def block_diag(*tensors) -> Tensor:
    """The tensors (scalars, vectors as rows, matrices) along the diagonal of a zero matrix."""
    mats = tensor_args(tensors)
    for i, t in enumerate(mats):
        if t.ndim > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                f"{i} has {t.ndim} dimensions"
            )
    if not mats:
        return _make(np.zeros((1, 0), D.get_default_dtype().np))
    dtype = D.result_type(mats).np
    arrays = [t._data.astype(dtype, copy=False) for t in mats]
    return apply(PN.block_diag, tuple(mats), arrays)


def _lift_3d(t: Tensor) -> Tensor:
    if t.ndim == 0:
        return t.reshape(1, 1, 1)
    if t.ndim == 1:
        return t.unsqueeze(0).unsqueeze(-1)
    return t.unsqueeze(-1) if t.ndim == 2 else t


def atleast_3d(*tensors):
    """Each tensor with at least 3 dims: ``(n,)`` becomes ``(1, n, 1)``, ``(m, n)``
    ``(m, n, 1)``."""
    return at_least("atleast_3d", tensors, _lift_3d)


@takes_out("column_stack", _cat_cast)
def column_stack(tensors) -> Tensor:
    """The tensors side by side as columns: scalars and vectors become ``(n, 1)`` columns."""
    tensors = _tensor_list(tensors, "column_stack")
    return hstack([t.reshape(-1, 1) if t.ndim < 2 else t for t in tensors])


@takes_out("row_stack", _cat_cast)
def row_stack(tensors) -> Tensor:
    """``vstack``: the tensors one under another as rows."""
    return joined_rows(tensors, "row_stack")


@takes_out("dstack", _cat_cast)
def dstack(tensors) -> Tensor:
    """The tensors stacked depthwise (along dim 2, after ``atleast_3d``)."""
    return cat(atleast_3d(_tensor_list(tensors, "dstack")), 2)


def _split_named(name: str, input: Tensor, sections, dim: int, min_ndim: int):  # noqa: A002
    if not (
        isinstance(sections, (int, np.integer, list, tuple)) and not isinstance(sections, bool)
    ):
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got (Tensor, "
            f"{type(sections).__name__}), but expected one of:"
        )
    if input.ndim < min_ndim:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {min_ndim} dimension, but got a "
            f"tensor with {input.ndim} dimensions!"
        )
    if isinstance(sections, int) and (sections == 0 or input.shape[dim] % sections):
        raise RuntimeError(
            f"torch.{name} attempted to split along dimension {dim}, but the size of the "
            f"dimension {input.shape[dim]} is not divisible by the split_size {sections}!"
        )
    return tensor_split(input, sections, dim)


def hsplit(input: Tensor, indices_or_sections=None, *, sections=None, indices=None):  # noqa: A002
    """Split along columns: dim 1, or dim 0 of a vector."""
    indices_or_sections = _sections(indices_or_sections, sections, indices, "hsplit")
    return _split_named("hsplit", input, indices_or_sections, 1 if input.ndim > 1 else 0, 1)


def vsplit(input: Tensor, indices_or_sections=None, *, sections=None, indices=None):  # noqa: A002
    """Split along rows (dim 0) of a tensor of at least 2 dims."""
    indices_or_sections = _sections(indices_or_sections, sections, indices, "vsplit")
    return _split_named("vsplit", input, indices_or_sections, 0, 2)


def dsplit(input: Tensor, indices_or_sections=None, *, sections=None, indices=None):  # noqa: A002
    """Split along depth (dim 2) of a tensor of at least 3 dims."""
    indices_or_sections = _sections(indices_or_sections, sections, indices, "dsplit")
    return _split_named("dsplit", input, indices_or_sections, 2, 3)


def _triangle_indices(name, np_fn, row, col, offset, dtype) -> Tensor:
    for i, (arg, v) in enumerate((("row", row), ("col", col), ("offset", offset))):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise TypeError(
                f"{name}(): argument '{arg}' (position {i + 1}) must be int, not "
                + type(v).__name__
            )
    for arg, v in (("row", row), ("col", col)):
        if v < 0:
            raise RuntimeError(f"{arg} must be non-negative, got{v}")
    dt = D.to_dtype(dtype) if dtype is not None else D.int64
    if dt not in (D.int64, D.int32):
        from .reduce import _scalar_type_name

        raise NotImplementedError(f"\"{name}\" not implemented for '{_scalar_type_name(dt)}'")
    r, c = np_fn(row, offset, col)
    return _make(np.stack([r, c]).astype(dt.np).reshape(2, -1))


def tril_indices(
    row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None
) -> Tensor:
    """The ``(row, col)`` coordinates of a ``row x col`` matrix's lower triangle, as 2 rows."""
    return _triangle_indices("tril_indices", np.tril_indices, row, col, offset, dtype)


def triu_indices(
    row: int, col: int, offset: int = 0, *, dtype=None, device=None, layout=None
) -> Tensor:
    """The ``(row, col)`` coordinates of a ``row x col`` matrix's upper triangle, as 2 rows."""
    return _triangle_indices("triu_indices", np.triu_indices, row, col, offset, dtype)


def diag_embed(input: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:  # noqa: A002
    """The last dim of ``input`` as the ``offset``-th diagonals of matrices in dims
    ``(dim1, dim2)`` of the result (one more dim than ``input``)."""
    for i, (arg, v) in enumerate((("offset", offset), ("dim1", dim1), ("dim2", dim2))):
        _int_arg("diag_embed", arg, i + 2, v)
    nd = input.ndim + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return apply(PN.diag_embed, (input,), None, offset=int(offset), dim1=d1, dim2=d2)


def diagflat(input: Tensor, offset: int = 0) -> Tensor:  # noqa: A002
    """The flattened ``input`` as the ``offset``-th diagonal of a square matrix."""
    _int_arg("diagflat", "offset", 2, offset)
    return diag_embed(ravel(input), offset)  # torch flattens as ravel does


def ravel(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` flattened to 1-D (a copy, made contiguous first, when it is not contiguous)."""
    return input.contiguous().view(-1)


def unravel_index(indices: Tensor, shape) -> tuple:
    """The coordinates, in a tensor of ``shape``, of flat ``indices``: one tensor per dim."""
    if not isinstance(indices, Tensor):
        raise TypeError(f"expected 'indices' to be a tensor, but got {type(indices)}")
    if indices._data.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {shape}")
    idx = indices._data.astype(np.int64)
    out, stride = [], 1
    for s in reversed(shape):
        out.append(_make(np.mod(np.floor_divide(idx, stride), s) if s else np.zeros_like(idx)))
        stride *= s
    return tuple(reversed(out))


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of a 1-D ``x``: columns ``x**(N-1), ..., x, 1`` (reversed if
    ``increasing``); built by cumulative products, so gradients at 0 stay finite."""
    if N is not None:
        _int_arg("vander", "N", 2, N)
    if x.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x.shape[0] if N is None else N
    if n < 0:
        raise RuntimeError("N must be non-negative.")
    if x._data.dtype.kind in "biu":
        x = x.to(D.int64)
    if n == 0:
        return x.new_zeros((x.shape[0], 0))
    cols = cat([x.new_ones((x.shape[0], 1)), x.unsqueeze(1).expand(x.shape[0], n - 1)], 1)
    out = cols.cumprod(1)
    return out if increasing else out.flip(1)
