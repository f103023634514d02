"""Shape functions: views, joins and splits, with torch's argument forms and errors."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, apply
from ..autograd.primitives import math as PM
from ..autograd.primitives import shape as P
from ..autograd.primitives import shape_named as PN
from ..autograd.primitives import strided as ST
from ._util import broadcast_shapes, dims_tuple, wrap_dim
from .flips import _int_list, flip, flip_method, fliplr, flipud, roll, rot90  # noqa: F401
from .inplace import _can_cast, takes_out
from .splits import (  # noqa: F401 - re-exported: the splits lived here
    _sections,
    chunk,
    narrow,
    narrow_copy,
    select,
    split,
    split_method,
    split_with_sizes,
    tensor_split,
    unbind,
    unsafe_chunk,
    unsafe_split,
    unsafe_split_with_sizes,
)


def _shape_from(args, fn: str = "view", arg: str = "size") -> tuple:
    """Sizes given as ``f(2, 3)`` or ``f((2, 3))``; torch's TypeErrors for anything but ints."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    elif len(args) == 1 and not isinstance(args[0], (int, np.integer, Tensor)):
        raise TypeError(
            f"{fn}(): argument '{arg}' (position 1) must be tuple of ints, not "
            + type(args[0]).__name__
        )
    sizes = []
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            a = a.item()
        if not isinstance(a, (int, np.integer)):
            raise TypeError(
                f"{fn}(): argument '{arg}' failed to unpack the object at pos {i + 1} with error "
                f'"type must be tuple of ints,but got {type(a).__name__}"'
            )
        sizes.append(int(a))
    return tuple(sizes)


def _by_keyword(args: tuple, kwargs: dict, fn: str, arg: str) -> tuple:
    """Sizes given as separate arguments, or as one value by torch's keyword ``arg``."""
    extra = next((k for k in kwargs if k != arg), None)
    if extra is not None:
        raise TypeError(f"{fn}() got an unexpected keyword argument '{extra}'")
    if arg in kwargs:
        if args:
            raise TypeError(f"{fn}() got multiple values for argument '{arg}'")
        args = (kwargs[arg],)
    return args


def _infer(shape: tuple, numel: int) -> tuple:
    """Resolve one ``-1`` in ``shape``; torch's error when the sizes do not fit."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if -1 in shape:
        if known == 0 and numel == 0:
            raise RuntimeError(
                f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                "unspecified dimension size -1 can be any value and is ambiguous"
            )
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def view(input: Tensor, *shape, **kwargs) -> Tensor:  # noqa: A002
    """The same data seen with another shape; fails where reshaping would need a copy."""
    if "dtype" in kwargs and not shape and len(kwargs) == 1:
        return _view_dtype(input, kwargs["dtype"])
    shape = _by_keyword(shape, kwargs, "view", "size")
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return _view_dtype(input, shape[0])
    if len(shape) == 1 and not isinstance(shape[0], (int, np.integer, tuple, list, Tensor)):
        raise TypeError(
            f"view() received an invalid combination of arguments - got "
            f"({type(shape[0]).__name__}), but expected one of:\n * (torch.dtype dtype)\n"
            " * (tuple of ints size)\n"
        )
    shape = _infer(_shape_from(shape), input._data.size)
    try:
        return apply(P.view, (input,), None, shape=shape)
    except AttributeError:
        if input._relayout():  # contiguous in torch: the view exists there
            return apply(P.view, (input,), None, shape=shape)
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None


def _view_dtype(input: Tensor, dtype) -> Tensor:  # noqa: A002
    """The same bytes read as ``dtype`` (torch's ``view(dtype)``); the last dim rescales when the
    element sizes differ. Like torch's, the result is cut from the graph."""
    a, dst = input._data, np.dtype(dtype.np)
    src = a.dtype
    if src.itemsize != dst.itemsize:
        from .reduce import _scalar_type_name

        what = (
            f"to view {_scalar_type_name(input.dtype)} as {_scalar_type_name(dtype)} "
            "(different element sizes)"
        )
        if a.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        strides = input.stride()  # torch's, also for empty and internally laid out tensors
        if strides[-1] != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
        ratio = max(dst.itemsize // src.itemsize, 1)
        if (a.shape[-1] * src.itemsize) % dst.itemsize:
            raise RuntimeError(
                f"self.size(-1) must be divisible by {ratio} {what}, but got {a.shape[-1]}"
            )
        bad = next((i for i, st in enumerate(strides[:-1]) if st % ratio), None)
        if bad is not None:
            raise RuntimeError(
                f"self.stride({bad}) must be divisible by {ratio} {what}, but got {strides[bad]}"
            )
        if not a.size:
            shape = a.shape[:-1] + (a.shape[-1] * src.itemsize // dst.itemsize,)
            return _make(np.zeros(shape, dst))
    out = _make(a.view(dst))
    out._vc = input._vc  # writes through either one are the same writes
    return out


def reshape(input: Tensor, *shape, **kwargs) -> Tensor:  # noqa: A002
    """``view`` when the data allow it, else a copy with the new shape."""
    shape = _by_keyword(shape, kwargs, "reshape", "shape")
    shape = _infer(_shape_from(shape, "reshape", "shape"), input._data.size)
    if input.is_contiguous():
        try:
            return apply(P.view, (input,), None, shape=shape)
        except AttributeError:
            input._relayout()  # contiguous in torch: a view there (ViewBackward0)
            return apply(P.view, (input,), None, shape=shape)
    # as torch: a view (ReshapeAliasBackward0) where the memory allows, else a copy of the values
    # (CloneBackward0) given the shape (UnsafeViewBackward0)
    try:
        return apply(ST.reshape_alias, (input,), None, shape=shape)
    except AttributeError:
        return apply(P.fresh_view, (apply(PM.clone, (input,)),), None, shape=shape)


def view_as(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    return view(input, other._data.shape)


def reshape_as(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    return reshape(input, other._data.shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:  # noqa: A002
    """Merge dims ``start_dim..end_dim`` into one."""
    nd = input._data.ndim
    if nd == 0:
        wrap_dim(start_dim, 0), wrap_dim(end_dim, 0)  # torch's IndexError for dims past 0-d
        return reshape(input, 1)
    s, e = wrap_dim(start_dim, nd), wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shp = input._data.shape
    return reshape(input, shp[:s] + (-1 if 0 not in shp[s : e + 1] else 0,) + shp[e + 1 :])


def unflatten(input: Tensor, dim: int, sizes) -> Tensor:  # noqa: A002
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(
            f"unflatten(): argument 'dim' (position 1) must be int, not {type(dim).__name__}"
        )
    if not isinstance(sizes, (tuple, list)):
        raise TypeError(
            "unflatten(): argument 'sizes' (position 3) must be tuple of ints, not "
            + type(sizes).__name__
        )
    if not input._data.ndim:
        raise RuntimeError(
            "unflatten got an unexpected error:\nDimension specified as 0 but tensor has no "
            "dimensions"
        )
    d = wrap_dim(dim, input._data.ndim)
    shp = input._data.shape
    sizes = tuple(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    try:
        inner = _infer(sizes, shp[d])
    except RuntimeError as e:
        if not str(e).startswith("shape '"):
            raise RuntimeError(f"unflatten got an unexpected error:\n{e}") from None
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
            f"({shp[d]}) in the input tensor"
        ) from None
    return view(input, shp[:d] + inner + shp[d + 1 :])


def permute(input: Tensor, *dims, **kwargs) -> Tensor:  # noqa: A002
    """The dims reordered as ``dims`` (a view)."""
    dims = _by_keyword(dims, kwargs, "permute", "dims")
    dims = _shape_from(dims, "permute", "dims")
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    dims = tuple(wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return apply(P.permute, (input,), None, dims=dims)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:  # noqa: A002
    nd = input._data.ndim
    d0, d1 = wrap_dim(dim0, nd), wrap_dim(dim1, nd)
    if nd == 0:
        return apply(PN.transpose_0d, (input,))
    return apply(P.transpose, (input,), None, d0=d0, d1=d1)


swapdims = transpose


def swapaxes(input: Tensor, axis0: int, axis1: int) -> Tensor:  # noqa: A002
    """``transpose`` under NumPy's argument names."""
    return transpose(input, axis0, axis1)


def t(input: Tensor) -> Tensor:  # noqa: A002
    """Transpose a matrix (vectors and scalars are returned as views of themselves)."""
    if input._data.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D"
        )
    return apply(P.t, (input,))


def adjoint(input: Tensor) -> Tensor:  # noqa: A002
    """The conjugate transpose of the last two dims (``input.mH``)."""
    return input.mH


def _is_int(v) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def _is_int_seq(v) -> bool:
    return isinstance(v, (tuple, list)) and all(_is_int(x) for x in v)


def movedim(input: Tensor, source, destination) -> Tensor:  # noqa: A002
    """``input`` with the dims ``source`` moved to the positions ``destination`` (a view)."""
    pair = (source, destination)
    if not (all(_is_int(v) for v in pair) or all(_is_int_seq(v) for v in pair)):
        got = ", ".join(type(v).__name__ for v in (input, source, destination))
        raise TypeError(
            f"movedim() received an invalid combination of arguments - got ({got}), but expected "
            "one of:"
        )
    nd = input._data.ndim
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
            f"same number of dims as destination ({dst} dims)"
        )
    src = [wrap_dim(s, nd) for s in src]
    dst = [wrap_dim(d, nd) for d in dst]
    for name, dims in (("source", src), ("destination", dst)):
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"movedim: repeated dim in `{name}` ({dims})")
    if not nd:  # a scalar moved onto itself: torch returns an alias
        return input[...]
    order = [i for i in range(nd) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return permute(input, order)


moveaxis = movedim


def expand(input: Tensor, *sizes, **kwargs) -> Tensor:  # noqa: A002
    """Broadcast to a larger shape without copying (``-1`` keeps a size)."""
    sizes = _by_keyword(sizes, kwargs, "expand", "size")
    sizes = _shape_from(sizes, "expand", "size")
    shp = input._data.shape
    if len(sizes) < len(shp):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(shp)}}}, size={list(sizes)}): the number of sizes "
            f"provided ({len(sizes)}) must be greater or equal to the number of dimensions in "
            f"the tensor ({len(shp)})"
        )
    lead = len(sizes) - len(shp)
    out = []
    for i in reversed(range(lead, len(sizes))):  # torch reports the last mismatching dim
        s, have = sizes[i], shp[i - lead]
        if s != -1 and have != 1 and have != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({have}) at non-singleton dimension {i}.  Target sizes: {list(sizes)}."
                f"  Tensor sizes: {list(shp)}"
            )
    for i, s in enumerate(sizes):
        if s == -1:
            if i < lead:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            s = shp[i - lead]
        out.append(s)
    return apply(P.expand, (input,), None, shape=tuple(out))


def expand_as(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    return expand(input, other._data.shape)


def broadcast_to(input: Tensor, size) -> Tensor:  # noqa: A002
    """``input`` expanded to ``size`` (a view)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(
            "broadcast_to(): argument 'size' (position 2) must be tuple of ints, not "
            + type(size).__name__
        )
    _int_list(size, "broadcast_to", "size")
    return expand(input, size)


def broadcast_tensors(*tensors):
    """The tensors expanded to their common broadcast shape (views)."""
    tensor_args(tensors)
    shape = broadcast_shapes(*[t._data.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


def squeeze(input: Tensor, dim=None) -> Tensor:  # noqa: A002
    """Drop dims of size 1 (only ``dim``, when given)."""
    nd = input._data.ndim
    if dim is None:
        return apply(P.squeeze_all, (input,))
    given = dim if isinstance(dim, (tuple, list)) else (dim,)
    if any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) for d in given):
        raise TypeError(
            "squeeze() received an invalid combination of arguments - got (Tensor, "
            f"{type(dim).__name__}), but expected one of:"
        )
    if isinstance(dim, (tuple, list)):
        wrapped = dims_tuple(tuple(wrap_dim(x, nd) for x in dim), max(nd, 1)) or ()
        dims = tuple(d for d in wrapped if nd and input._data.shape[d] == 1)
        return apply(P.squeeze_dims, (input,), None, dims=dims)
    return apply(P.squeeze_dim, (input,), None, dim=wrap_dim(dim, nd))


def squeeze_method(input: Tensor, *dim, **kwargs) -> Tensor:  # noqa: A002
    """``Tensor.squeeze``, which also takes the dims as separate arguments: ``x.squeeze(0, 2)``."""
    if kwargs or len(dim) < 2:
        return squeeze(input, *dim, **kwargs)
    return squeeze(input, dim)


def unsqueeze(input: Tensor, dim: int) -> Tensor:  # noqa: A002
    """``input`` with a dim of size 1 inserted at ``dim`` (a view)."""
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(
            f"unsqueeze(): argument 'dim' (position 2) must be int, not {type(dim).__name__}"
        )
    return apply(P.unsqueeze, (input,), None, dim=wrap_dim(dim, input._data.ndim + 1))


def diff(input: Tensor, n: int = 1, dim: int = -1, prepend=None, append=None) -> Tensor:  # noqa: A002
    """The ``n``-th forward difference along ``dim`` (``x[i+1] - x[i]``; xor for bool), after
    ``prepend`` and ``append`` are joined on."""
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input.ndim)
    for extra in (prepend, append):
        if extra is None:
            continue
        if extra.ndim != input.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
        for k in range(input.ndim):
            if k != d and extra.shape[k] != input.shape[k]:
                raise RuntimeError(
                    "diff expects the shape of tensor to prepend or append to match that of "
                    f"input except along the differencing dimension; input.size({k}) = "
                    f"{input.shape[k]}, but got tensor.size({k}) = {extra.shape[k]}"
                )
    x = input
    if prepend is not None or append is not None:
        x = cat([t for t in (prepend, input, append) if t is not None], d)
    is_bool = x.dtype == D.bool
    for _ in range(n):
        m = x.shape[d]
        if m == 0:
            break
        hi, lo = x.narrow(d, 1, m - 1), x.narrow(d, 0, m - 1)
        x = hi ^ lo if is_bool else hi - lo
    return x


def _check_diagonal(name: str, diagonal) -> None:
    if not isinstance(diagonal, (int, np.integer)):
        raise TypeError(
            f"{name}(): argument 'diagonal' (position 1) must be int, not "
            + type(diagonal).__name__
        )


@takes_out("tril", "exact")
def tril(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The lower triangle (on and below the ``diagonal``-th diagonal) of the last two dims."""
    _check_diagonal("tril", diagonal)
    if input.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return apply(P.tril, (input,), None, diagonal=diagonal)


@takes_out("triu", "exact")
def triu(input: Tensor, diagonal: int = 0) -> Tensor:  # noqa: A002
    """The upper triangle (on and above the ``diagonal``-th diagonal) of the last two dims."""
    _check_diagonal("triu", diagonal)
    if input.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return apply(P.triu, (input,), None, diagonal=diagonal)


def repeat(input: Tensor, *sizes, **kwargs) -> Tensor:  # noqa: A002
    """``input`` tiled ``sizes`` times along each dim (leading new dims allowed)."""
    sizes = _by_keyword(sizes, kwargs, "repeat", "repeats")
    sizes = _shape_from(sizes, "repeat", "repeats")
    if len(sizes) < input._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
            "tensor"
        )
    shp = (1,) * (len(sizes) - input._data.ndim) + input._data.shape
    target = [a * b for a, b in zip(shp, sizes)]
    neg = next((t for t in target if t < 0), None)
    if neg is not None:
        raise RuntimeError(f"Trying to create tensor with negative dimension {neg}: {target}")
    return apply(P.repeat, (input,), None, repeats=sizes)


def tile(input: Tensor, dims, *, _position: int = 2) -> Tensor:  # noqa: A002
    """``input`` repeated ``dims`` times along each dim (ones prepended to the shorter)."""
    if not isinstance(dims, (tuple, list)):
        raise TypeError(
            f"tile(): argument 'dims' (position {_position}) must be tuple of ints, not "
            f"{type(dims).__name__}"
        )
    dims = _int_list(dims, "tile", "dims", _position)
    dims = (1,) * (input.ndim - len(dims)) + dims
    return repeat(input, dims)


def tile_method(input: Tensor, *dims, **kwargs) -> Tensor:  # noqa: A002
    """``Tensor.tile``, which also takes the dims as separate arguments: ``x.tile(2, 2)``."""
    if "dims" in kwargs:
        dims = kwargs.pop("dims")
        if not isinstance(dims, (tuple, list)):
            raise TypeError(
                f"tile(): argument 'dims' must be tuple of ints, not {type(dims).__name__}"
            )
        return tile(input, dims, **kwargs)
    if len(dims) == 1 and not isinstance(dims[0], (int, np.integer)):  # x.tile((2, 2)), x.tile("x")
        return tile(input, dims[0], _position=1)
    return tile(input, dims, _position=1)


def _repeat_counts(repeats: Tensor, fn_dims: int | None = None) -> np.ndarray:
    """The counts of a tensor ``repeats``, checked as torch checks them."""
    if repeats._data.dtype not in (np.int32, np.int64):
        from .reduce import _scalar_type_name

        name = _scalar_type_name(repeats.dtype)
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{name}'")
    counts = repeats._data
    if (counts < 0).any():
        raise RuntimeError("repeats can not be negative")
    return counts


def _check_allocated(output_size, n: int) -> None:
    if output_size is not None and output_size != n:
        raise RuntimeError("allocated size does not match required size")


def repeat_interleave(
    input: Tensor | None = None,  # noqa: A002
    repeats=None,
    dim=None,
    *,
    output_size: int | None = None,
) -> Tensor:
    """Each element repeated ``repeats`` times along ``dim`` (the flattened input if None);
    given only a tensor of counts, its indices, each repeated as often as it says."""
    if input is None:  # ``repeat_interleave(repeats=counts)``
        input, repeats = repeats, None
    if repeats is None:
        if input.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        counts = _repeat_counts(input)
        _check_allocated(output_size, int(counts.sum()))
        return _make(np.repeat(np.arange(counts.size, dtype=counts.dtype), counts))
    if dim is None:
        input, dim = input.reshape(-1), 0
    d = wrap_dim(dim, input.ndim)
    n = input.shape[d] if input.ndim else 1
    if isinstance(repeats, Tensor):
        if repeats.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        counts = _repeat_counts(repeats)
        if counts.size not in (1, n):  # one count serves every element
            raise RuntimeError(
                "repeats must have the same size as input along dim, but got "
                f"repeats.size(0) = {counts.size} and input.size({d}) = {n}"
            )
        idx = np.repeat(np.arange(n), np.broadcast_to(counts.reshape(-1), (n,)))
        _check_allocated(output_size, idx.size)
        return input.index_select(d, _make(idx))
    if isinstance(repeats, bool) or not isinstance(repeats, (int, np.integer)):
        raise TypeError(
            "repeat_interleave() received an invalid combination of arguments - got (Tensor, "
            f"{type(repeats).__name__}), but expected one of:"
        )
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if output_size is not None and output_size != n * repeats:
        raise RuntimeError(
            f"repeat_interleave: Invalid output_size, expected {n * repeats} but got {output_size}"
        )
    if not input.ndim:
        input = input.reshape(1)
    # as torch: a new dim after ``dim`` expanded to ``repeats``, copied, then merged into ``dim``
    shp = input.shape
    wide = input.unsqueeze(d + 1).expand(shp[: d + 1] + (int(repeats),) + shp[d + 1 :])
    return wide.clone().reshape(shp[:d] + (n * int(repeats),) + shp[d + 1 :])


def _tensor_list(tensors, name):
    if isinstance(tensors, Tensor):
        raise TypeError(
            f"{name}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
        )
    tensors = list(tensors)
    if not tensors:
        if name == "cat":
            raise ValueError("torch.cat(): expected a non-empty list of Tensors")
        raise RuntimeError(f"{name} expects a non-empty TensorList")
    return tensors


def _cat_cast(out: Tensor, result: Tensor) -> None:
    if not _can_cast(result._data.dtype, out._data.dtype):
        from .reduce import _scalar_type_name

        raise TypeError(
            "torch.cat(): input types can't be cast to the desired output type "
            + _scalar_type_name(out.dtype)
        )


@takes_out("cat", _cat_cast)
def cat(tensors, dim: int = 0) -> Tensor:
    """Join tensors along an existing dim."""
    tensors = _tensor_list(tensors, "cat")
    for i, t in enumerate(tensors):
        if not t._data.ndim:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    ref = next((t for t in tensors if t._data.shape != (0,)), None)
    # torch skips legacy empty 1-D tensors; when nothing else is left, dim goes unchecked too
    d = 0 if ref is None else wrap_dim(dim, ref._data.ndim)
    for i, t in enumerate(tensors):
        if t._data.shape == (0,):
            continue
        if t._data.ndim != ref._data.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref._data.ndim} and "
                f"{t._data.ndim}"
            )
        for k in range(ref._data.ndim):
            if k != d and t._data.shape[k] != ref._data.shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref._data.shape[k]} but got size {t._data.shape[k]} for tensor number {i} "
                    "in the list."
                )
    return apply(P.cat, tuple(tensors), _promoted(tensors), dim=d)


concat = cat


def concatenate(tensors, dim: int = 0, *, axis: int | None = None, out=None) -> Tensor:
    """``cat``, which also takes NumPy's ``axis``."""
    return cat(tensors, dim if axis is None else axis, out=out)


@takes_out("stack", _cat_cast)
def stack(tensors, dim: int = 0) -> Tensor:
    """Join tensors along a new dim."""
    tensors = _tensor_list(tensors, "stack")
    shp = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shp:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shp)} at entry 0 and "
                f"{list(t._data.shape)} at entry {i}"
            )
    return apply(P.stack, tuple(tensors), _promoted(tensors), dim=wrap_dim(dim, len(shp) + 1))


def _promoted(tensors: list) -> list:
    """The tensors' arrays in their common dtype (torch's type promotion for joins)."""
    dt = D.result_type(tensors) if len({t._data.dtype for t in tensors}) > 1 else None
    return [t._data if dt is None else t._data.astype(dt.np) for t in tensors]


@takes_out("hstack", _cat_cast)
def hstack(tensors) -> Tensor:
    """The tensors side by side: joined along dim 1, or dim 0 of vectors."""
    tensors = atleast_1d(_tensor_list(tensors, "hstack"))
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def joined_rows(tensors, name: str) -> Tensor:
    """``vstack`` under ``name``: joined along dim 0, vectors as rows."""
    if isinstance(tensors, Tensor):
        _tensor_list(tensors, name)
    return cat(atleast_2d(_tensor_list(tensors, "vstack")), 0)


@takes_out("vstack", _cat_cast)
def vstack(tensors) -> Tensor:
    """The tensors one under another: joined along dim 0, vectors as rows."""
    return joined_rows(tensors, "vstack")


def unfold(input: Tensor, dimension: int, size: int, step: int) -> Tensor:  # noqa: A002
    """``Tensor.unfold``: the windows of ``size`` along ``dimension``, ``step`` apart, as a new
    last dim (shape ``(..., (n - size) // step + 1, ..., size)``)."""
    for i, (arg, v) in enumerate((("dimension", dimension), ("size", size), ("step", step))):
        if not _is_int(v):
            raise TypeError(
                f"unfold(): argument '{arg}' (position {i + 1}) must be int, not {type(v).__name__}"
            )
    nd = input._data.ndim
    d = wrap_dim(dimension, max(nd, 1))
    n = input._data.shape[d] if nd else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return apply(PN.unfold, (input,), None, dim=d, size=size, step=step)


def diagonal(input: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:  # noqa: A002
    nd = input.ndim
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    out = apply(P.diagonal, (input,), None, offset=offset, dim1=d1, dim2=d2)
    if input._data.flags.writeable:  # NumPy marks its diagonal views read-only; torch's write
        out._data.flags.writeable = True
    return out


def pad_constant(input: Tensor, pad, value=0.0) -> Tensor:  # noqa: A002
    """Constant padding: ``pad`` lists (left, right) amounts from the last dim backwards."""
    return apply(P.pad_constant, (input,), None, pads=tuple(int(p) for p in pad), value=value)


def at_least(name: str, tensors: tuple, lift):
    """``lift`` applied to one tensor, or to each of several (given apart or as one sequence)."""
    if len(tensors) == 1 and isinstance(tensors[0], Tensor):
        return lift(tensors[0])
    if len(tensors) == 1 and not isinstance(tensors[0], (list, tuple)):
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got "
            f"({type(tensors[0]).__name__}), but expected one of:"
        )
    items = tensors[0] if len(tensors) == 1 else tensors
    return tuple(lift(t) for t in tensor_args(items))


def tensor_args(items) -> tuple:
    """``items`` checked to be tensors, with torch's TypeError naming the first that is not."""
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return tuple(items)


def atleast_1d(*tensors):
    """Each tensor with at least 1 dim: a scalar becomes ``(1,)``."""
    return at_least("atleast_1d", tensors, lambda t: t.reshape(1) if t.ndim == 0 else t)


def _lift_2d(t: Tensor) -> Tensor:
    return t.reshape(1, 1) if t.ndim == 0 else t.unsqueeze(0) if t.ndim == 1 else t


def atleast_2d(*tensors):
    """Each tensor with at least 2 dims: ``(n,)`` becomes ``(1, n)``."""
    return at_least("atleast_2d", tensors, _lift_2d)


def contiguous(input: Tensor, memory_format=None) -> Tensor:  # noqa: A002
    if input.is_contiguous():
        return input
    return input.clone()


def is_same_size(input: Tensor, other: Tensor) -> bool:  # noqa: A002
    """Whether the two tensors have the same shape."""
    if not isinstance(other, Tensor):
        raise TypeError(
            "is_same_size(): argument 'other' (position 1) must be Tensor, not "
            + type(other).__name__
        )
    return tuple(input.shape) == tuple(other.shape)
