"""Matrix products: ``matmul`` dispatching as torch does to ``dot``, ``mv``, ``mm`` and ``bmm``."""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _make, apply
from ..amp._state import AUTOCAST, lower_precision  # the ops on torch's CPU autocast list cast
from ..autograd.grad_mode import _state
from ..autograd.primitives import linalg as P
from ..autograd.primitives import nn as NN
from ..autograd.primitives import nn_named as PN
from ..autograd.primitives import select as S
from ..autograd.primitives import shape as SP
from ._util import broadcast_shapes, wrap_dim
from .einsum import einsum  # noqa: F401 (re-exported: torch's decomposition, own module)
from .inplace import _C_TYPE_NAMES, takes_out  # torch names dtypes by C++ types here


def _same_dtype(name, a: Tensor, b: Tensor) -> None:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {_dt(a)} != {_dt(b)}"
            if name == "mm"
            else f"dot : expected both vectors to have same dtype, but found {_dt(a, True)} and "
            f"{_dt(b, True)}"
            if name == "dot"
            else f"expected scalar type {_dt(a, True)} but found {_dt(b, True)}"
        )


def _dt(t: Tensor, cap=False) -> str:
    from .reduce import _scalar_type_name

    if cap:
        return _scalar_type_name(t.dtype)
    return _C_TYPE_NAMES.get(t.dtype.name, t.dtype.name)


@takes_out("mm", "exact")
def mm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    """Matrix product of two 2-D tensors."""
    if AUTOCAST.on:
        input, mat2 = lower_precision(input, mat2)
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"{'self' if input.ndim != 2 else 'mat2'} must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x{input.shape[1]} and "
            f"{mat2.shape[0]}x{mat2.shape[1]})"
        )
    _same_dtype("mm", input, mat2)
    return apply(P.mm, (input, mat2))


@takes_out("bmm", "exact")
def bmm(input: Tensor, mat2: Tensor) -> Tensor:  # noqa: A002
    if AUTOCAST.on:
        input, mat2 = lower_precision(input, mat2)
    if input.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(
            "batch1 must be a 3D tensor" if input.ndim != 3 else "batch2 must be a 3D tensor"
        )
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
        )
    _same_dtype("bmm", input, mat2)
    return apply(P.bmm, (input, mat2))


@takes_out("mv", "exact")
def mv(input: Tensor, vec: Tensor) -> Tensor:  # noqa: A002
    if input.ndim != 2 or vec.ndim != 1 or input.shape[1] != vec.shape[0]:
        raise RuntimeError(
            f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x"
            f"{input.shape[1] if input.ndim > 1 else ''}), vec ({vec.shape[0]})"
        )
    if input._data.dtype != vec._data.dtype:
        raise RuntimeError(
            f"addmv input tensors must have the same dtype, but got {_dt(vec, True)}, "
            f"{_dt(input, True)}, and {_dt(vec, True)}"
        )
    return apply(P.mv, (input, vec))


@takes_out("dot", mismatch="result dtype {dst} does not match input dtype {src}")
def dot(input: Tensor, tensor: Tensor) -> Tensor:  # noqa: A002
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(
            "inconsistent tensor size, expected tensor ["
            + str(input.shape[0])
            + "] and src ["
            + str(tensor.shape[0])
            + "] to have the same number of elements, but got "
            + str(input.shape[0])
            + " and "
            + str(tensor.shape[0])
            + " elements respectively"
        )
    _same_dtype("dot", input, tensor)
    return apply(P.dot, (input, tensor))


@takes_out("inner", "exact")
def inner(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Sums of products over the last dims: shape ``input.shape[:-1] + other.shape[:-1]``."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(input.shape)} and {list(other.shape)}"
        )
    return tensordot(input, other, dims=([-1], [-1]))


@takes_out("vdot", mismatch="result dtype {dst} does not match input dtype {src}")
def vdot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The dot product of two 1-D tensors, the first conjugated (for real tensors, ``dot``)."""
    return dot(input.conj() if input.dtype.is_complex else input, other)


@takes_out("kron")
def kron(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """The Kronecker product: ``other`` scaled by each element of ``input``, tiled in place."""
    for name, t in (("self", input), ("other", other)):
        if not isinstance(t, Tensor):
            position = 1 if name == "self" else 2
            raise TypeError(
                f"kron(): argument '{name}' (position {position}) must be Tensor, not "
                f"{type(t).__name__}"
            )
    nd = max(input.ndim, other.ndim)
    # as torch, each operand reshaped with its dims interleaved (input's at even positions,
    # other's at odd ones) so that their product's reshape tiles: three _unsafe_views
    a_shape = (1,) * (nd - input.ndim) + tuple(input.shape)
    b_shape = (1,) * (nd - other.ndim) + tuple(other.shape)
    a = apply(SP.unsafe_view, (input,), None, shape=tuple(n for s in a_shape for n in (s, 1)))
    b = apply(SP.unsafe_view, (other,), None, shape=tuple(n for s in b_shape for n in (1, s)))
    shape = tuple(p * q for p, q in zip(a_shape, b_shape))
    return apply(SP.fresh_view, (a * b,), None, shape=shape)


_MM_THRESHOLD = {  # cdist's compute_mode: the product route for p = 2 past this many points
    "use_mm_for_euclid_dist_if_necessary": 25,
    "use_mm_for_euclid_dist": 0,
    "donot_use_mm_for_euclid_dist": None,
}


def cdist(
    x1: Tensor,
    x2: Tensor,
    p: float = 2.0,
    compute_mode: str = "use_mm_for_euclid_dist_if_necessary",
) -> Tensor:
    """The ``p``-norm distance between each row of ``x1`` and each row of ``x2``.

    Shape: ``(*, P, M)`` and ``(*, R, M)`` give ``(*, P, R)`` (leading dims broadcast). For
    ``p = 2`` with more than 25 rows on a side (by default) the distances come from one matrix
    product, as torch computes them.
    """
    if not isinstance(compute_mode, str) or compute_mode not in _MM_THRESHOLD:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for i, (name, t) in enumerate((("x1", x1), ("x2", x2)), 1):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"cdist(): argument '{name}' (position {i}) must be Tensor, not {type(t).__name__}"
            )
    if not isinstance(p, (int, float)):
        raise TypeError(f"cdist(): argument 'p' (position 3) must be float, not {type(p).__name__}")
    for i, t in enumerate((x1, x2), 1):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, X{i} got: {t.ndim}D")
    m = x1.shape[-1]
    if m != x2.shape[-1]:
        raise RuntimeError(
            f"X1 and X2 must have the same number of columns. X1: {m} X2: {x2.shape[-1]}"
        )
    for i, t in enumerate((x1, x2), 1):
        if t._data.dtype.kind != "f":
            raise RuntimeError(
                f"cdist only supports floating-point dtypes, X{i} got: {_dt(t, cap=True)}"
            )
    if not p >= 0:  # NaN too
        raise RuntimeError("cdist only supports non-negative p values")
    batch = tuple(broadcast_shapes(tuple(x1.shape[:-2]), tuple(x2.shape[:-2])))
    rows, cols = x1.shape[-2], x2.shape[-2]
    most = _MM_THRESHOLD[compute_mode]
    if p == 2 and most is not None and max(rows, cols) > most and x1.numel() and x2.numel():
        _same_dtype("mm", x1, x2)
        if x1.ndim == 2 and x2.ndim == 2:
            return apply(S.euclidean_dist, (x1, x2)).view(rows, cols)
        n = math.prod(batch)
        a = x1.expand(batch + (rows, m)).contiguous().view(n, rows, m)
        b = x2.expand(batch + (cols, m)).contiguous().view(n, cols, m)
        return apply(S.euclidean_dist, (a, b)).view(batch + (rows, cols))
    _same_dtype("cdist", x1, x2)
    if x1._data.dtype == np.float16:
        raise NotImplementedError("\"cdist\" not implemented for 'Half'")
    return apply(S.cdist, (x1, x2), None, p=float(p))


def _cdist_backward(grad: Tensor, x1: Tensor, x2: Tensor, dist: Tensor, p: float) -> Tensor:
    return apply(S.cdist_backward, (grad, x1, x2, dist), None, p=p)


# cdist's derivative rules call torch's _cdist_backward as a method (rules see only tensors)
Tensor._cdist_backward = _cdist_backward


@takes_out("matmul", "exact")
def matmul(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """Matrix product with torch's rules for 1-D operands and broadcast batch dimensions."""
    a, b = input, other
    if not isinstance(b, Tensor) or not isinstance(a, Tensor):
        raise TypeError(
            f"matmul(): argument 'other' (position 2) must be Tensor, not {type(b).__name__}"
        )
    if AUTOCAST.on:
        a, b = lower_precision(a, b)
    na, nb = a._data.ndim, b._data.ndim
    if na == 0 or nb == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D"
        )
    if na == 1 and nb == 1:
        return dot(a, b)
    if na == 2 and nb == 1:
        return mv(a, b)
    if na == 1 and nb == 2:
        return mm(a.unsqueeze(0), b).squeeze_(0)  # in place, as torch (SqueezeBackward4)
    if na == 2 and nb == 2:
        return mm(a, b)
    if (
        na > 1
        and nb > 2
        and not (_state.enabled and (a._rg or b._rg))
        and a._data.shape[-1] == b._data.shape[-2]
        and a._data.dtype == b._data.dtype
    ):
        # nothing recorded, so no graph to shape as torch's: one broadcasting product
        try:
            return apply(P.bmm, (a, b))
        except RuntimeError:
            pass  # batches that do not broadcast: torch's message comes from the route below
    if _should_fold(a, b):
        return _folded(a, b)
    if na == 3 and nb == 3 and a._data.shape[0] != b._data.shape[0]:
        # a batch of one that needs a gradient is squeezed, as torch does, which folds then
        if a._data.shape[0] == 1 and a.requires_grad:
            return matmul(a.squeeze(0), b)
        if b._data.shape[0] == 1 and b.requires_grad:
            return matmul(a, b.squeeze(0))
    return _batched(a, b)


def _should_fold(a: Tensor, b: Tensor) -> bool:
    """torch's choice of one ``mm``/``mv`` over the larger operand's batch folded into its rows:
    when the smaller operand needs a gradient, or the fold reshapes without a copy."""
    na, nb = a._data.ndim, b._data.ndim
    if na >= 3 and nb <= 2:
        big, small, shape, strides = a, b, a._data.shape, a.stride()
    elif nb >= 3 and na <= 2:  # folds b.mT
        big, small, shape, strides = b, a, b._data.shape, b.stride()
        shape = shape[:-2] + shape[:-3:-1]
        strides = strides[:-2] + strides[:-3:-1]
    else:
        return False
    if small.requires_grad:
        return True
    if na == 2:
        return False  # the product would need a transposed copy afterwards
    if big._data.size == 0:
        return True
    return all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(len(shape) - 2))


def _folded(a: Tensor, b: Tensor) -> Tensor:
    """The larger operand's batch folded into the rows of one ``mm`` (``mv``); with the larger
    operand on the right, ``(b.mT @ a.mT).mT`` so."""
    transpose = b._data.ndim > a._data.ndim
    t1 = b.mT if transpose else a
    t2 = (a.t() if a._data.ndim == 2 else a) if transpose else b
    shape = t1._data.shape[:-1]
    folded = t1.reshape(math.prod(shape), t1._data.shape[-1])
    if t2._data.ndim == 1:
        return apply(SP.fresh_view, (mv(folded, t2),), None, shape=shape)  # torch's _unsafe_view
    out = apply(SP.fresh_view, (mm(folded, t2),), None, shape=shape + t2._data.shape[1:])
    return out.mT.contiguous() if transpose else out


def _batched(a: Tensor, b: Tensor) -> Tensor:
    """Both batches broadcast, flattened into one, through ``bmm``; the result shaped back."""
    sa, sb = a._data.shape, b._data.shape
    try:
        batch = np.broadcast_shapes(sa[:-2], sb[:-2])
    except ValueError:
        from ._util import shape_error

        raise shape_error(sa[:-2], sb[:-2]) from None
    n = math.prod(batch)
    rows = sa[-2] if len(sa) > 1 else 1
    a3 = a.expand(batch + (rows, sa[-1])).reshape(n, rows, sa[-1])
    shape = batch + sa[-2:-1]
    if len(sb) == 1:
        b3 = b.expand(batch + sb).reshape(n, sb[0]).unsqueeze(-1)
        return apply(SP.fresh_view, (bmm(a3, b3).squeeze(-1),), None, shape=shape)
    b3 = b.expand(batch + sb[-2:]).reshape(n, *sb[-2:])
    return apply(SP.fresh_view, (bmm(a3, b3),), None, shape=shape + sb[-1:])


@takes_out("addmm", "exact")
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * (mat1 @ mat2)``."""
    if AUTOCAST.on:
        input, mat1, mat2 = lower_precision(input, mat1, mat2)
    if mat1.ndim != 2 or mat2.ndim != 2 or mat1.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({mat1.shape[0]}x{mat1.shape[-1]} and "
            f"{mat2.shape[0]}x{mat2.shape[-1]})"
        )
    for name, t in (("mat1", mat1), ("self", input)):
        if isinstance(t, Tensor) and t.dtype != mat2.dtype:
            raise RuntimeError(
                f"{name} and mat2 must have the same dtype, but got "
                f"{_dt(t, True)} and {_dt(mat2, True)}"
            )
    out_shape = (mat1.shape[0], mat2.shape[1])
    if isinstance(input, Tensor) and not _expands_to(input.shape, out_shape):
        input.expand(out_shape)  # raises torch's "expanded size" message
    return apply(P.addmm, (input, mat1, mat2), None, beta=beta, alpha=alpha)


def _add_scaled(input: Tensor, product: Tensor, beta, alpha) -> Tensor:  # noqa: A002
    """``beta * input + alpha * product`` as torch's add-product ops compute it: ``input``
    expands to the product's shape, ``beta == 0`` ignores its values (nan included), and
    integer tensors take ``alpha`` and ``beta`` truncated to integers."""
    if not _expands_to(input.shape, tuple(product.shape)):
        input.expand(tuple(product.shape))  # raises torch's "expanded size" message
    if product.dtype.np.kind in "iu":
        beta, alpha = int(beta), int(alpha)
    out = product if alpha == 1 else product * alpha
    if beta == 0:  # masked to 0, not multiplied: 0 * nan is nan; input still gets a (0) grad
        return out + input.masked_fill(_make(np.ones((), bool)), 0)
    return out + (input if beta == 1 else input * beta)


@takes_out("addmv", "exact")
def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * (mat @ vec)``."""
    if input.ndim > 1 or mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(
            f"vector + matrix @ vector expected, got {input.ndim}, {mat.ndim}, {vec.ndim}"
        )
    if mat.shape[1] != vec.shape[0] or not _expands_to(input.shape, (mat.shape[0],)):
        size = "x".join(str(n) for n in input.shape)
        raise RuntimeError(
            f"size mismatch, got input ({size}), mat ({mat.shape[0]}x{mat.shape[1]}), "
            f"vec ({vec.shape[0]})"
        )
    if not input.dtype == mat.dtype == vec.dtype:
        raise RuntimeError(
            "addmv input tensors must have the same dtype, but got "
            f"{_dt(input, True)}, {_dt(mat, True)}, and {_dt(vec, True)}"
        )
    return _add_scaled(input, mv(mat, vec), beta, alpha)


def _check_batches(batch1: Tensor, batch2: Tensor) -> None:
    for t in (batch1, batch2):
        if t.ndim != 3:  # torch reads size(2) first: an IndexError for a matrix
            from ._util import wrap_dim

            wrap_dim(2, t.ndim)


@takes_out("baddbmm", "exact")
def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * bmm(batch1, batch2)``, ``input`` broadcast to the product."""
    if AUTOCAST.on:
        input, batch1, batch2 = lower_precision(input, batch1, batch2)
    _check_batches(batch1, batch2)
    if input.dtype != batch1.dtype and batch1.dtype == batch2.dtype:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {_dt(input)}, batch1: {_dt(batch1)}, "
            f"batch2: {_dt(batch2)}"
        )
    return _add_scaled(input, bmm(batch1, batch2), beta, alpha)


@takes_out("addbmm", "exact")
def addbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * sum_b(batch1[b] @ batch2[b])``."""
    if AUTOCAST.on:
        input, batch1, batch2 = lower_precision(input, batch1, batch2)
    _check_batches(batch1, batch2)
    if batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(
            "batch1 and batch2 must have same number of batches, got "
            f"{batch1.shape[0]} and {batch2.shape[0]}"
        )
    if batch1.shape[2] != batch2.shape[1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for bmm ({batch1.shape[1]}x{batch1.shape[2]} and "
            f"{batch2.shape[1]}x{batch2.shape[2]})"
        )
    for a in (input, batch1):
        if a.dtype != batch2.dtype:
            raise RuntimeError(
                f"self and mat2 must have the same dtype, but got {_dt(a, True)} and "
                f"{_dt(batch2, True)}"
            )
    return _add_scaled(input, bmm(batch1, batch2).sum(0), beta, alpha)


def _expands_to(shape, target) -> bool:
    try:
        return np.broadcast_shapes(tuple(shape), target) == target
    except ValueError:
        return False


@takes_out("outer")
def outer(input: Tensor, vec2: Tensor) -> Tensor:  # noqa: A002
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return input.reshape(-1, 1) * vec2


ger = outer


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:  # noqa: A002
    """The ``p``-norm of ``input - other`` (broadcast), as a 0-d tensor."""
    return (input - other).norm(p)


@takes_out("tensordot", "exact")
def tensordot(a: Tensor, b: Tensor, dims=2) -> Tensor:
    if a._data.dtype != b._data.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if isinstance(dims, int):
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = [list(d) if not isinstance(d, int) else [d] for d in dims]
        da, db = [i % max(a.ndim, 1) for i in da], [j % max(b.ndim, 1) for j in db]
    letters = iter("abcdefghijklmnopqrstuvwxyz")
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(da, db):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in da]
    out += [c for j, c in enumerate(sb) if j not in db]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), a, b)


@takes_out("chain_matmul", "exact")
def chain_matmul(*matrices) -> Tensor:
    """The product of the matrices, left to right (deprecated in torch for linalg.multi_dot)."""
    import warnings

    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than "
        "multiple parameters.",
        UserWarning,
        stacklevel=2,
    )
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m.ndim}, expected 2 instead.")
    out = matrices[0]
    for m in matrices[1:]:
        out = mm(out, m)
    return out if len(matrices) > 1 else out.clone()


@takes_out("addr")
def addr(input: Tensor, vec1: Tensor, vec2: Tensor, *, beta=1, alpha=1) -> Tensor:  # noqa: A002
    """``beta * input + alpha * outer(vec1, vec2)``."""
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v.ndim}-D")
    return _add_scaled(input, outer(vec1, vec2), beta, alpha)


def pdist(input: Tensor, p: float = 2) -> Tensor:  # noqa: A002
    """The ``p``-norm distances between all pairs of rows ``i < j``, in row-major pair order."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if input._data.dtype.kind != "f":
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return apply(PN.pdist, (input,), None, p=float(p))


def norm_except_dim(v: Tensor, pow: int = 2, dim: int = 0) -> Tensor:  # noqa: A002
    """The ``pow``-norm of ``v`` over every dimension but ``dim``, which the result keeps (the
    others stay as size 1); ``dim=-1``: the norm of all elements."""
    if not isinstance(pow, (int, np.integer)):
        raise TypeError(
            f"norm_except_dim(): argument 'pow' (position 2) must be int, not {type(pow).__name__}"
        )
    p = float(pow)
    if dim == -1:
        return apply(NN.norm_all, (v,), None, ord=p, dim=None, keepdim=False)
    if not v.ndim:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, v.ndim)
    # as torch: the kept dim is brought first (or left last), the rest flattened into rows
    last = d == v.ndim - 1
    t = v if d in (0, v.ndim - 1) else v.transpose(0, d)
    rows = t.contiguous().view((-1, t.shape[-1]) if last else (t.shape[0], -1))
    n = apply(NN.norm_dim, (rows,), None, ord=p, dim=(0,) if last else (1,), keepdim=False)
    kept = [1] * t.ndim
    kept[-1 if last else 0] = t.shape[-1 if last else 0]
    n = n.view(kept)
    return n if t is v else n.transpose(0, d)


def _norm_except_dim(v: Tensor, dim: int) -> Tensor:
    """The 2-norm of ``v`` over every dimension but ``dim`` (keeping dims); ``dim=-1``: all."""
    return norm_except_dim(v, 2, dim)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``v * g / ||v||`` with the norm taken over all dimensions but ``dim`` (all for -1)."""
    if dim == 0 or dim == v.ndim - 1:  # torch runs these as one fused node
        return apply(PN.weight_norm_interface, (v, g), None, dim=dim)
    return v * (g / _norm_except_dim(v, dim))
