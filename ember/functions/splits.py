"""Splits and slices along one dim: ``split``, ``chunk``, ``tensor_split``, ``unbind``,
``narrow`` and ``select``, with torch's argument forms, errors and nodes."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, apply
from ..autograd.primitives import shape as P
from ..autograd.primitives import shape_named as PN
from ._util import wrap_dim
from .inplace import takes_out


def _int_sizes(sizes, fn: str, arg: str, position: int) -> list:
    """A sequence of ints, with torch's TypeErrors for anything else."""
    if isinstance(sizes, Tensor) or not isinstance(sizes, (list, tuple)):
        raise TypeError(
            f"{fn}(): argument '{arg}' (position {position}) must be tuple of ints, not "
            + _type_name(sizes)
        )
    out = []
    for i, s in enumerate(sizes):
        if isinstance(s, Tensor) and not s.ndim and s._data.dtype.kind in "iu":
            s = s.item()
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)):
            raise TypeError(
                f"{fn}(): argument '{arg}' failed to unpack the object at pos {i + 1} with error "
                f'"type must be tuple of ints,but got {type(s).__name__}"'
            )
        out.append(int(s))
    return out


def _type_name(x) -> str:
    t = type(x)
    return t.__name__ if t.__module__ in ("builtins", "ember._tensor") else f"numpy.{t.__name__}"


def split(tensor: Tensor, split_size_or_sections, dim: int = 0):
    """Split into chunks of a size (the last may be smaller) or of the given sizes."""
    size = split_size_or_sections
    if isinstance(size, Tensor) and not size.ndim and size._data.dtype.kind in "iu":
        size = size.item()
    if type(size) is not int:  # a list of sizes; torch refuses NumPy ints and floats here too
        return split_with_sizes(tensor, size, dim)
    return apply(P.split, (tensor,), None, **_even_split(tensor, size, dim))


def _even_split(tensor: Tensor, size: int, dim: int) -> dict:
    """The pieces of ``size`` along ``dim`` (the last may be smaller): the split's parameters."""
    if not tensor.ndim:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, tensor._data.ndim)
    n = tensor._data.shape[d]
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n:
        raise RuntimeError(
            f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
        )
    sizes = ([size] * (n // size) + ([n % size] if n % size else [])) if n else [0]
    return {"sizes": sizes, "dim": d}


def split_method(self: Tensor, split_size, dim: int = 0):
    """``Tensor.split``, whose size argument torch names ``split_size``."""
    return split(self, split_size, dim)


def split_with_sizes(input: Tensor, split_sizes, dim: int = 0):  # noqa: A002
    """Split along ``dim`` into pieces of exactly the given sizes."""
    params = _sized_split(input, split_sizes, dim, "split_with_sizes")
    return apply(P.split_with_sizes, (input,), None, **params)


def unsafe_split_with_sizes(input: Tensor, split_sizes, dim: int = 0):  # noqa: A002
    """``split_with_sizes`` whose pieces are not tracked as views of ``input``."""
    params = _sized_split(input, split_sizes, dim, "unsafe_split_with_sizes")
    return apply(PN.unsafe_split_with_sizes, (input,), None, **params)


def _sized_split(input: Tensor, split_sizes, dim: int, fn: str) -> dict:  # noqa: A002
    """The split's parameters for pieces of exactly ``split_sizes``, checked as torch's."""
    sizes = _int_sizes(split_sizes, fn, "split_sizes", 2)
    if not input.ndim:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, input.ndim)
    if any(s < 0 for s in sizes):
        raise RuntimeError(
            "split_with_sizes expects split_sizes have only non-negative entries, but got "
            f"split_sizes={sizes}"
        )
    if sum(sizes) != input.shape[d]:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {input.shape[d]} (input "
            f"tensor's size at dimension {d}), but got split_sizes={sizes}"
        )
    return {"sizes": sizes, "dim": d}


def _sections(indices_or_sections, sections, indices, fn: str, input=None):  # noqa: A002
    """torch's overloads: the split given positionally, or as ``sections=`` / ``indices=``."""
    given = [v for v in (indices_or_sections, sections, indices) if v is not None]
    if len(given) != 1:
        got = ["Tensor"] if input is not None else []
        got += [type(v).__name__ for v in (indices_or_sections,) if v is not None]
        named = (("sections", sections), ("indices", indices))
        got += [f"{k}={type(v).__name__}" for k, v in named if v is not None]
        raise TypeError(
            f"{fn}() received an invalid combination of arguments - got ({', '.join(got)}), but "
            "expected one of:"
        )
    return given[0]


def _split_points(input: Tensor, spec, n: int) -> list:  # noqa: A002
    """The (start, stop) of each piece of ``tensor_split``: ``spec`` sections or indices."""
    if isinstance(spec, Tensor):
        if spec.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                f"one-dimensional tensor, but got a tensor with {spec.ndim} dims"
            )
        if spec.dtype != D.int64:
            from .reduce import _scalar_type_name

            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                + _scalar_type_name(spec.dtype)
            )
        spec = spec.item() if not spec.ndim else spec.tolist()
    if isinstance(spec, (int, np.integer)) and not isinstance(spec, bool):
        k = int(spec)
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        stops = list(np.cumsum([n // k + (1 if i < n % k else 0) for i in range(k)]))
        return list(zip([0, *stops[:-1]], stops))
    if not isinstance(spec, (list, tuple)):
        raise TypeError(
            "tensor_split() received an invalid combination of arguments - got (Tensor, "
            f"{type(spec).__name__}), but expected one of:"
        )
    bounds = [0, *_int_sizes(spec, "tensor_split", "indices", 2), None]
    # each piece is the Python slice between two indices: negative ones count from the end
    return [slice(a, b).indices(n)[:2] for a, b in zip(bounds, bounds[1:])]


def tensor_split(
    input: Tensor,  # noqa: A002
    indices_or_sections=None,
    dim: int = 0,
    *,
    sections: int | None = None,
    indices=None,
):
    """Split along ``dim`` into ``k`` nearly equal views, or at the given indices (each piece a
    slice, as torch's)."""
    spec = _sections(indices_or_sections, sections, indices, "tensor_split", input)
    if not input.ndim:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = wrap_dim(dim, input.ndim)
    from .index import getitem_key

    head = (slice(None),) * d
    return tuple(
        getitem_key(input, head + (slice(a, max(a, b)),), "slice")
        for a, b in _split_points(input, spec, input.shape[d])
    )


def chunk(input: Tensor, chunks: int, dim: int = 0):  # noqa: A002
    """Split into ``chunks`` nearly equal pieces (fewer when the size does not allow)."""
    even, params = _chunks(input, chunks, dim, "chunk")
    return apply(P.split if even else P.split_with_sizes, (input,), None, **params)


def _chunks(input: Tensor, chunks: int, dim: int, fn: str) -> tuple:  # noqa: A002
    """(whether torch splits evenly rather than with sizes, the split's parameters)."""
    if isinstance(chunks, bool) or not isinstance(chunks, (int, np.integer)):
        raise TypeError(
            f"{fn}(): argument 'chunks' (position 1) must be int, not {type(chunks).__name__}"
        )
    if not input.ndim:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not n:  # an empty dim makes ``chunks`` empty pieces (torch splits it with sizes)
        return False, {"sizes": [0] * int(chunks), "dim": d}
    return True, _even_split(input, -(-n // int(chunks)), d)


def unbind(input: Tensor, dim: int = 0):  # noqa: A002
    """The slices along ``dim``, as a tuple of views."""
    if not input._data.ndim:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    return apply(P.unbind, (input,), None, dim=wrap_dim(dim, input._data.ndim))


def narrow(input: Tensor, dim: int, start, length: int) -> Tensor:  # noqa: A002
    """``length`` elements along ``dim`` from ``start`` (a view)."""
    from .index import getitem_key

    return getitem_key(input, _narrow_key(input, dim, start, length, "narrow"), "slice")


def _narrow_key(input: Tensor, dim: int, start, length: int, fn: str) -> tuple:  # noqa: A002
    """The basic index of a narrow, checked as torch's ``fn`` (narrow or narrow_copy)."""
    if isinstance(start, Tensor):
        if start.ndim or start._data.dtype.kind not in "iu":
            raise RuntimeError("start must be an 0-dim integral Tensor.")
        start = start.item()
    for v in (start, length):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            got = ", ".join(type(x).__name__ for x in (input, dim, start, length))
            raise TypeError(
                f"narrow() received an invalid combination of arguments - got ({got}), but "
                "expected one of:"
            )
    if not input._data.ndim:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if fn == "narrow_copy" and dim >= input._data.ndim:
        raise RuntimeError(
            "Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  "
            "(Could this error message be improved?  If so, please report an enhancement "
            "request to PyTorch.)"
        )
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if length < 0 and fn == "narrow":
        raise RuntimeError("narrow(): length must be non-negative.")
    if start < 0:
        start += n
    if start + length > n or length < 0:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return (slice(None),) * d + (slice(start, start + length),)


def select(input: Tensor, dim: int, index: int) -> Tensor:  # noqa: A002
    """The slice at ``index`` along ``dim`` (a view with that dim dropped)."""
    if isinstance(index, Tensor) and not index.ndim and index._data.dtype.kind in "iu":
        index = index.item()
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise TypeError(
            f"select(): argument 'index' (position 3) must be int, not {type(index).__name__}"
        )
    if not input._data.ndim:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(input._data.shape)} at dimension {d}"
        )
    from .index import getitem_key

    return getitem_key(input, (slice(None),) * d + (int(index),), "select")


@takes_out(
    "narrow_copy",
    mismatch="Expected self.dtype() == output.dtype() to be true, but got false.  (Could this "
    "error message be improved?  If so, please report an enhancement request to PyTorch.)",
)
def narrow_copy(input: Tensor, dim: int, start: int, length: int) -> Tensor:  # noqa: A002
    """``narrow`` as a new tensor rather than a view."""
    key = _narrow_key(input, dim, start, length, "narrow_copy")
    return apply(PN.narrow_copy, (input,), None, key=key)


def unsafe_chunk(input: Tensor, chunks: int, dim: int = 0):  # noqa: A002
    """``chunk`` whose pieces are not tracked as views of ``input``."""
    even, params = _chunks(input, chunks, dim, "unsafe_chunk")
    prim = PN.unsafe_split if even else PN.unsafe_split_with_sizes
    return apply(prim, (input,), None, **params)


def unsafe_split(input: Tensor, split_size: int, dim: int = 0):  # noqa: A002
    """``split`` into pieces of ``split_size``, not tracked as views of ``input``."""
    if isinstance(split_size, bool) or not isinstance(split_size, (int, np.integer)):
        raise TypeError(
            "unsafe_split(): argument 'split_size' (position 1) must be int, not "
            + type(split_size).__name__
        )
    return apply(PN.unsafe_split, (input,), None, **_even_split(input, int(split_size), dim))
