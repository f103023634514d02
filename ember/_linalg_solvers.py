"""Triangular, Cholesky and LU solvers, the LU factorization, the matrix exponential and the
deprecated ``ember.*`` norms: argument checks with torch's messages over the primitives of
``autograd/primitives/linalg_solvers.py``. ``ember.linalg`` re-exports everything here.
"""

from __future__ import annotations

import numpy as np

from ._runtime import warn_once
from ._tensor import Tensor, apply
from ._warn import user_stacklevel
from .autograd.primitives import householder as H
from .autograd.primitives import linalg_solvers as P
from .functions._util import return_type
from .functions.inplace import takes_out
from .functions.reduce import _scalar_type_name
from .linalg import _check_float, _check_matrix, matrix_norm, vector_norm

_triangular_solve_t = return_type("triangular_solve", ["solution", "cloned_coefficient"])
_lu_t = return_type("linalg_lu", ["P", "L", "U"])
_lu_factor_t = return_type("linalg_lu_factor", ["LU", "pivots"])
_lu_factor_ex_t = return_type("linalg_lu_factor_ex", ["LU", "pivots", "info"])
_lu_with_info_t = return_type("_lu_with_info", ["LU", "pivots", "info"])
_lu_unpack_t = return_type("lu_unpack", ["P", "L", "U"])


def _deprecated(key: str, message: str) -> None:
    """torch's once-per-process deprecation warning, attributed to the first caller outside
    Ember (as torch attributes its C++ warnings to the Python line calling in)."""
    warn_once(key, message, stacklevel=user_stacklevel() + 1)  # warn_once is a frame deeper


def _at_least_2d(fn: str, name: str, t: Tensor) -> None:
    if t.ndim < 2:
        raise RuntimeError(
            f"{fn}: Expected {name} to have at least 2 dimensions, but it has {t.ndim} dimensions "
            "instead"
        )


def _same_dtype(what: str, b: Tensor, a: Tensor, names=("b", "A"), end=" instead.") -> None:
    if b._data.dtype != a._data.dtype:
        raise RuntimeError(
            f"{what}Expected {names[0]} and {names[1]} to have the same dtype, but found "
            f"{names[0]} of type {_scalar_type_name(b.dtype)} and {names[1]} of type "
            f"{_scalar_type_name(a.dtype)}{end}"
        )


def _floating(kernel: str, t: Tensor) -> None:
    if t._data.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"{kernel}\" not implemented for '{_scalar_type_name(t.dtype)}'"
        )


def _broadcast_batch(a: Tensor, b: Tensor):
    """The arrays of ``a`` and ``b`` with their batch dimensions broadcast together."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return (
        np.broadcast_to(a._data, batch + a.shape[-2:]),
        np.broadcast_to(b._data, batch + b.shape[-2:]),
    )


# -- triangular solves ----------------------------------------------------------------------------
@takes_out("linalg.solve_triangular", "exact")
def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False
) -> Tensor:
    """``X`` with ``A X = B`` (``X A = B`` when ``left=False``) for triangular ``A``."""
    for name, t in (("A", A), ("B", B)):
        if t.ndim < 2:
            raise RuntimeError(
                f"linalg.solve_triangular: The input tensor {name} must have at least 2 dimensions."
            )
    _floating("triangular_solve_cpu", A)
    _check_matrix("linalg.solve_triangular", A, square=True)
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.solve_triangular: Incompatible shapes of A and B for the equation {eq} "
            f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})"
        )
    if A._data.dtype != B._data.dtype:  # torch promotes here
        from . import _dtype as D

        dt = D.promote_types(A.dtype, B.dtype)
        A, B = A.to(dt), B.to(dt)
    return apply(
        P.solve_triangular,
        (A, B),
        _broadcast_batch(A, B),
        upper=upper,
        left=left,
        unit=unitriangular,
    )


@takes_out("triangular_solve", "exact")
def triangular_solve(
    b: Tensor,
    A: Tensor,
    upper: bool = True,
    transpose: bool = False,
    unitriangular: bool = False,
):
    """Deprecated: ``(X, A.clone())`` with ``op(A) X = b``, ``op`` transposing when asked."""
    _deprecated(
        "triangular_solve",
        "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will "
        "be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its "
        "arguments reversed and does not return a copy of one of the inputs.\nX = "
        "torch.triangular_solve(B, A).solution\nshould be replaced with\nX = "
        "torch.linalg.solve_triangular(A, B).",
    )
    _at_least_2d("torch.triangular_solve", "b", b)
    _at_least_2d("torch.triangular_solve", "A", A)
    _same_dtype("", b, A)
    if A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"A must be batches of square matrices, but they are {A.shape[-2]} by {A.shape[-1]} "
            "matrices"
        )
    if A.shape[-1] != b.shape[-2]:
        raise RuntimeError(
            f"Incompatible matrix sizes for triangular_solve: each A matrix is {A.shape[-1]} by "
            f"{A.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}"
        )
    _floating("triangular_solve_cpu", A)
    bb, aa = _broadcast_batch(b, A)
    x, clone = apply(
        P.triangular_solve,
        (b, A),
        (bb, aa),
        upper=upper,
        transpose=transpose,
        unit=unitriangular,
    )
    return _triangular_solve_t(x, clone)


# -- Cholesky --------------------------------------------------------------------------------------
@takes_out("cholesky", "exact")
def cholesky(input: Tensor, upper: bool = False) -> Tensor:  # noqa: A002
    """Deprecated ``ember.cholesky``: the lower (or upper) Cholesky factor."""
    _deprecated(
        "cholesky",
        "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
        "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = "
        "torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
        "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results "
        "for all valid (symmetric positive definite) inputs.",
    )
    _check_matrix("cholesky", input, square=True)
    return apply(P.legacy_cholesky, (input,), None, upper=upper, name="cholesky")


def _check_factor(name: str, t: Tensor) -> None:
    if t.ndim < 2:
        raise RuntimeError(
            f"{name} should have at least 2 dimensions, but has {t.ndim} dimensions instead"
        )


@takes_out("cholesky_solve", "exact")
def cholesky_solve(B: Tensor, L: Tensor, upper: bool = False) -> Tensor:  # noqa: N803
    """``X`` with ``A X = B`` where ``A = L L^T`` (``U^T U`` when ``upper``)."""
    _check_factor("b", B)
    _check_factor("u", L)
    _same_dtype("", B, L)
    if L.shape[-1] != L.shape[-2] or L.shape[-1] != B.shape[-2]:
        raise RuntimeError(
            f"Incompatible matrix sizes for cholesky_solve: each A matrix is {L.shape[-2]} by "
            f"{L.shape[-1]} but each b matrix is {B.shape[-2]} by {B.shape[-1]}"
        )
    _floating("cholesky_solve_cpu", B)
    return apply(P.cholesky_solve, (B, L), _broadcast_batch(B, L), upper=upper)


@takes_out("cholesky_inverse", "exact")
def cholesky_inverse(L: Tensor, upper: bool = False) -> Tensor:  # noqa: N803
    """The inverse of ``A = L L^T`` (``U^T U`` when ``upper``) from its Cholesky factor."""
    if L.ndim < 2:
        raise RuntimeError("cholesky_inverse: The input tensor A must have at least 2 dimensions.")
    _floating("cholesky_inverse_out_cpu", L)
    _check_matrix("cholesky_inverse", L, square=True)
    return apply(P.cholesky_inverse, (L,), None, upper=upper)


# -- LU --------------------------------------------------------------------------------------------
def _check_lu_input(fn: str, A: Tensor, pivot: bool) -> None:  # noqa: N803
    if not pivot:
        raise RuntimeError(f"{fn}: LU without pivoting is not implemented on the CPU")
    if A.ndim < 2:
        raise RuntimeError(
            f"torch.lu_factor: Expected tensor with 2 or more dimensions. Got size: "
            f"{list(A.shape)} instead"
        )
    _floating("lu_cpu", A)


def _lu_factor_ex(A: Tensor):  # noqa: N803
    return apply(P.lu_factor_ex, (A,))


@takes_out("linalg.lu_factor_ex", "exact")
def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False):  # noqa: N803
    """``(LU, pivots, info)``: the packed LU factorization with partial pivoting, and the
    position of the first zero pivot (0 when none) in ``info``."""
    _check_lu_input("linalg.lu_factor", A, pivot)
    lu_, piv, info = _lu_factor_ex(A)
    if check_errors:
        _raise_singular(info, "torch.linalg.lu_factor_ex")
    return _lu_factor_ex_t(lu_, piv, info)


def _raise_singular(info: Tensor, fn: str) -> None:
    """torch's error for a zero pivot (a plain RuntimeError here, not LinAlgError)."""
    flat = info._data.reshape(-1)
    bad = np.flatnonzero(flat)
    if bad.size:
        k = int(flat[bad[0]])
        prefix = f"(Batch element {bad[0]}): " if info.ndim else ""
        raise RuntimeError(
            f"{fn}: {prefix}U[{k},{k}] is zero and using it on lu_solve would result in a "
            "division by zero. If you still want to perform the factorization, consider calling "
            "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
        )


@takes_out("linalg.lu_factor", "exact")
def lu_factor(A: Tensor, *, pivot: bool = True):  # noqa: N803
    """``(LU, pivots)``: the packed LU factorization with partial pivoting (``A = P L U``)."""
    _check_lu_input("linalg.lu_factor", A, pivot)
    lu_, piv, info = _lu_factor_ex(A)
    _raise_singular(info, "torch.linalg.lu_factor")
    return _lu_factor_t(lu_, piv)


@takes_out("linalg.lu", "exact")
def lu(A: Tensor, *, pivot: bool = True):  # noqa: N803
    """``(P, L, U)`` with ``A = P L U``: L unit lower triangular, U upper triangular."""
    _check_lu_input("linalg.lu_factor", A, pivot)
    return _lu_t(*apply(P.lu, (A,)))


def _check_pivots(fn: str, LU: Tensor, pivots: Tensor) -> None:  # noqa: N803
    if not isinstance(pivots, Tensor) or pivots._data.dtype != np.int32:
        raise RuntimeError(f"{fn}: pivots should be a Tensor of scalar type torch.int32")
    if pivots.shape[-1] != min(LU.shape[-2:]):
        raise RuntimeError(
            f"{fn}: Number of pivots per batch should be same as the dimension of the matrix"
        )


@takes_out("linalg.lu_solve", "exact")
def lu_solve(
    LU: Tensor,  # noqa: N803
    pivots: Tensor,
    B: Tensor,  # noqa: N803
    *,
    left: bool = True,
    adjoint: bool = False,
) -> Tensor:
    """``X`` with ``A X = B`` (``X A = B`` unless ``left``; ``A^T`` when ``adjoint``) from
    ``lu_factor``'s ``(LU, pivots)``."""
    if B.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    _check_matrix("torch.linalg.lu_solve", LU, square=True)
    n = LU.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"linalg.lu_solve: Incompatible shapes of A and B for the equation {eq} "
            f"({n}x{n} and {B.shape[-2]}x{B.shape[-1]})"
        )
    _same_dtype("linalg.lu_solve: ", LU, B, ("LU", "B"), " instead")
    _check_pivots("linalg.lu_solve", LU, pivots)
    batch = np.broadcast_shapes(LU.shape[:-2], B.shape[:-2], pivots.shape[:-1])
    arrays = (
        np.broadcast_to(LU._data, batch + LU.shape[-2:]),
        np.broadcast_to(B._data, batch + B.shape[-2:]),
    )
    piv = np.broadcast_to(pivots._data, batch + pivots.shape[-1:])
    return apply(P.lu_solve, (LU, B), arrays, piv=piv, left=left, adjoint=adjoint)


@takes_out("lu_unpack", "exact")
def lu_unpack(
    LU_data: Tensor,  # noqa: N803
    LU_pivots: Tensor,  # noqa: N803
    unpack_data: bool = True,
    unpack_pivots: bool = True,
):
    """``(P, L, U)`` from ``lu_factor``'s packed ``(LU, pivots)``; a part not unpacked is empty."""
    if LU_data.ndim < 2:
        raise RuntimeError(
            f"torch.lu_unpack: Expected tensor with 2 or more dimensions. Got size: "
            f"{list(LU_data.shape)} instead"
        )
    if unpack_pivots and LU_pivots._data.dtype != np.int32:
        raise RuntimeError(
            "torch.lu_unpack: LU_pivots is expected to be a contiguous tensor of torch.int32 "
            "dtype.\nNote: this function is intended to be used with the output produced by "
            "torch.linalg.lu_factor"
        )
    piv = np.broadcast_to(LU_pivots._data, LU_data.shape[:-2] + LU_pivots.shape[-1:])
    return _lu_unpack_t(
        *apply(
            P.lu_unpack,
            (LU_data,),
            None,
            piv=piv,
            unpack_data=unpack_data,
            unpack_pivots=unpack_pivots,
        )
    )


def legacy_lu(A: Tensor, pivot: bool = True, get_infos: bool = False, out=None):  # noqa: N803
    """Deprecated ``ember.lu``: ``(LU, pivots)``, or ``(LU, pivots, infos)`` with ``get_infos``."""
    _deprecated(
        "lu",
        "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex "
        "and will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, "
        "compute_pivots)\nshould be replaced with\nLU, pivots = torch.linalg.lu_factor(A, "
        "compute_pivots)\nand\nLU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\n"
        "should be replaced with\nLU, pivots, info = torch.linalg.lu_factor_ex(A, "
        "compute_pivots)",
    )
    _check_lu_input("linalg.lu_factor", A, pivot)
    lu_, piv, info = _lu_factor_ex(A)
    result = _lu_with_info_t(lu_, piv, info) if get_infos else (lu_, piv)
    if out is not None:
        from .functions.inplace import copy_into_outs

        return copy_into_outs(out, result, name="lu")
    return result


@takes_out("lu_solve", "exact")
def legacy_lu_solve(b: Tensor, LU_data: Tensor, LU_pivots: Tensor) -> Tensor:  # noqa: N803
    """Deprecated ``ember.lu_solve(b, LU, pivots)``: ``linalg.lu_solve`` with its arguments
    reversed."""
    _deprecated(
        "lu_solve",
        "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a "
        "future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\n"
        "X = torch.lu_solve(B, LU, pivots)\nshould be replaced with\nX = "
        "torch.linalg.lu_solve(LU, pivots, B)",
    )
    return lu_solve(LU_data, LU_pivots, b)


# -- matrix exponential ----------------------------------------------------------------------------
@takes_out("linalg.matrix_exp", "exact")
def matrix_exp(A: Tensor) -> Tensor:  # noqa: N803
    """``exp(A) = sum_k A^k / k!`` of each square matrix."""
    _check_matrix("linalg.matrix_exp", A, square=True)
    return apply(P.matrix_exp, (A,))


# -- Householder QR -------------------------------------------------------------------------------
_geqrf_t = return_type("geqrf", ["a", "tau"])


@takes_out("geqrf", "exact")
def geqrf(input: Tensor):  # noqa: A002
    """``(a, tau)``: QR in LAPACK's compact form, R above the diagonal, reflectors below."""
    if input.ndim < 2:
        raise RuntimeError("torch.geqrf: input must have at least 2 dimensions.")
    _floating("geqrf_cpu", input)
    return _geqrf_t(*apply(H.geqrf, (input,)))


def _check_reflectors(fn: str, A: Tensor, tau: Tensor) -> None:  # noqa: N803
    if A.ndim < 2:
        raise RuntimeError(f"{fn}: input must have at least 2 dimensions.")
    if tau.ndim != A.ndim - 1:
        raise RuntimeError(
            f"{fn}: Expected tau to have one dimension less than input, but got tau.ndim equal "
            f"to {tau.ndim} and input.ndim is equal to {A.ndim}"
        )
    if A._data.dtype != tau._data.dtype:
        raise RuntimeError(
            f"{fn}: tau dtype {_scalar_type_name(tau.dtype)} does not match input dtype "
            f"{_scalar_type_name(A.dtype)}"
        )
    _floating("orgqr_cpu", A)


@takes_out("linalg.householder_product", "exact")
def householder_product(A: Tensor, tau: Tensor) -> Tensor:  # noqa: N803
    """The first ``n`` columns of ``H_1 ... H_k``, ``H_i = I - tau_i v_i v_i^T`` with ``v_i``
    read below the diagonal of column ``i`` of ``A`` (as ``geqrf`` leaves them)."""
    fn = "torch.linalg.householder_product"
    _check_reflectors(fn, A, tau)
    if A.shape[-2] < A.shape[-1]:
        raise RuntimeError(
            f"{fn}: input.shape[-2] must be greater than or equal to input.shape[-1]"
        )
    if A.shape[-1] < tau.shape[-1]:
        raise RuntimeError(f"{fn}: input.shape[-1] must be greater than or equal to tau.shape[-1]")
    return apply(H.householder_product, (A, tau))


def orgqr(input: Tensor, tau: Tensor) -> Tensor:  # noqa: A002
    """``ember.orgqr``: the same as ``ember.linalg.householder_product``."""
    return householder_product(input, tau)


@takes_out("ormqr", "exact")
def ormqr(
    input: Tensor,  # noqa: A002
    tau: Tensor,
    other: Tensor,
    left: bool = True,
    transpose: bool = False,
) -> Tensor:
    """``other`` multiplied by ``Q = H_1 ... H_k`` (or ``Q^T``) on the left or the right."""
    fn = "torch.ormqr"
    if other.ndim < 2:
        raise RuntimeError(f"{fn}: other must have at least 2 dimensions.")
    _check_reflectors(fn, input, tau)
    side = -2 if left else -1
    if other.shape[side] != input.shape[-2]:
        raise RuntimeError(f"{fn}: other.shape[{side}] must be equal to input.shape[-2]")
    if tau.shape[-1] > min(other.shape[side], input.shape[-1]):
        raise RuntimeError(
            f"{fn}: tau.shape[-1] must be equal to min(other.shape[{side}], input.shape[-1])"
        )
    if other._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"{fn}: Expected input and other to have the same dtype, but input has dtype"
            f"{_scalar_type_name(input.dtype)} and other has dtype "
            f"{_scalar_type_name(other.dtype)}"
        )
    return apply(H.ormqr, (input, tau, other), None, left=left, transpose=transpose)


def _full_q(A: Tensor, tau: Tensor) -> Tensor:  # noqa: N803
    """The square ``Q = H_1 ... H_k`` (differentiable): ``A``'s reflector columns cut or padded
    with zero columns to a square."""
    m, n = A.shape[-2:]
    if n >= m:
        square = A[..., :, :m]
    else:
        square = A._cat_with(A.new_zeros(A.shape[:-1] + (m - n,)), -1)
    return apply(H.householder_product, (square, tau))


# -- deprecated norms ------------------------------------------------------------------------------
@takes_out("frobenius_norm", "exact")
def frobenius_norm(input: Tensor, dim, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Deprecated: the 2-norm of the elements over one or two dims ``dim``."""
    _deprecated(
        "frobenius_norm",
        "at::frobenius_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.vector_norm(A, 2., dim, "
        "keepdim)` instead",
    )
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) > 2:
        raise RuntimeError(
            f"Expected at most 2 dimensions, but got {len(dims)} dimensions instead."
        )
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "norm(): input dtype should be either floating point or complex. Got "
            f"{_scalar_type_name(input.dtype)} instead."
        )
    return vector_norm(input, 2, dims, keepdim)


@takes_out("nuclear_norm", "exact")
def nuclear_norm(input: Tensor, dim=None, keepdim: bool = False) -> Tensor:  # noqa: A002
    """Deprecated: the sum of the singular values of the matrices in dims ``dim`` (the last
    two when omitted; ``nuclear_norm(A, True)`` keeps them)."""
    _deprecated(
        "nuclear_norm",
        "at::nuclear_norm is deprecated and it is just left for JIT compatibility. It will be "
        "removed in a future PyTorch release. Please use `linalg.matrix_norm(A, 'nuc', dim, "
        "keepdim)` instead",
    )
    if isinstance(dim, bool):  # the nuclear_norm(input, keepdim) overload
        dim, keepdim = None, dim
    if dim is None:
        dim = (-2, -1)
    elif isinstance(dim, int) or len(dim) != 2:
        got = dim if isinstance(dim, int) else " ".join(map(str, dim))
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
    _check_float("linalg.matrix_norm", input, low_precision=False)
    return matrix_norm(input, "nuc", tuple(dim), keepdim)


_REMOVED = "This function was deprecated since version 1.9 and is now removed."


def _removed(name: str, message: str):
    """A function torch removed in 1.9 but still names: it raises, saying what replaces it."""

    def fn(*args, **kwargs):
        raise RuntimeError(f"{_REMOVED}{message}")

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = "Removed from torch since 1.9: raises, pointing at its ``linalg`` successor."
    return fn


matrix_rank = _removed(
    "matrix_rank",
    "\nPlease use the `torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was "
    "renamed in `torch.linalg.matrix_rank()` to 'hermitian'.",
)
legacy_eig = _removed(
    "eig",
    " `torch.linalg.eig` returns complex tensors of dtype `cfloat` or `cdouble` rather than real "
    "tensors mimicking complex tensors.\n\nL, _ = torch.eig(A) should be replaced with:\n"
    "L_complex = torch.linalg.eigvals(A)\n\nand\n\nL, V = torch.eig(A, eigenvectors=True) "
    "should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)",
)
legacy_lstsq = _removed(
    "lstsq",
    " `torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n`torch.linalg.lstsq` has "
    "reversed arguments and does not return the QR decomposition in the returned tuple "
    "(although it returns other information about the problem).\n\nTo get the QR "
    "decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in "
    "`torch.lstsq` stored the residuals of the solution in the last m - n columns of the "
    "returned value whenever m > n. In torch.linalg.lstsq, the residuals are in the field "
    "'residuals' of the returned named tuple.\n\nThe unpacking of the solution, as in\nX, _ = "
    "torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\nX = "
    "torch.linalg.lstsq(A, B).solution",
)
legacy_solve = _removed(
    "solve",
    " `torch.solve` is deprecated in favor of `torch.linalg.solve`. `torch.linalg.solve` has its "
    "arguments reversed and does not return the LU factorization.\n\nTo get the LU "
    "factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
    "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\nX = "
    "torch.linalg.solve(A, B)",
)
legacy_symeig = _removed(
    "symeig",
    " The default behavior has changed from using the upper triangular portion of the matrix by "
    "default to using the lower triangular portion.\n\nL, _ = torch.symeig(A, upper=upper) "
    "should be replaced with:\nL = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\n"
    "and\n\nL, V = torch.symeig(A, eigenvectors=True) should be replaced with:\nL, V = "
    "torch.linalg.eigh(A, UPLO='U' if upper else 'L')",
)


# -- methods ---------------------------------------------------------------------------------------
def _bind_tensor_methods() -> None:
    """Tensor methods torch has for these functions, and those the derivative rules use."""
    methods = {
        "cholesky": lambda self, upper=False: cholesky(self, upper),
        "cholesky_solve": cholesky_solve.without_out,
        "cholesky_inverse": cholesky_inverse.without_out,
        "triangular_solve": lambda self, A, upper=True, transpose=False, unitriangular=False: (
            triangular_solve(self, A, upper, transpose, unitriangular)
        ),
        "lu": lambda self, pivot=True, get_infos=False: legacy_lu(self, pivot, get_infos),
        "lu_solve": legacy_lu_solve.without_out,
        "matrix_exp": matrix_exp.without_out,
        "eig": legacy_eig,
        "lstsq": legacy_lstsq,
        "solve": legacy_solve,
        "symeig": legacy_symeig,
        "_linalg_solve_triangular": lambda self, b, upper, left, unit: solve_triangular(
            self, b, upper=upper, left=left, unitriangular=unit
        ),
        "_cholesky_solve": lambda self, l, upper: apply(
            P.cholesky_solve, (self, l), _broadcast_batch(self, l), upper=upper
        ),
        "_linalg_lu_solve": lambda self, piv, b, left, adjoint: apply(
            P.lu_solve, (self, b), None, piv=piv, left=left, adjoint=adjoint
        ),
        "_linalg_matrix_exp": lambda self: apply(P.matrix_exp, (self,)),
        "_linalg_solve_unchecked": lambda self, b, left, adjoint: apply(
            P.solve_unchecked, (self, b), _broadcast_batch(self, b), left=left, adjoint=adjoint
        ),
        "_linalg_full_q": _full_q,
        "geqrf": geqrf.without_out,
        "orgqr": orgqr,
        "ormqr": ormqr.without_out,
    }
    for name, fn in methods.items():
        setattr(Tensor, name, fn)


_bind_tensor_methods()
