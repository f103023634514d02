"""``ember.linalg``: norms, inverses, decompositions and solvers, batched over leading dimensions.

The decompositions and their derivative rules are primitives in
``autograd/primitives/linalg_decomp.py``; this module checks arguments with torch's messages and
composes the rest (matrix norms, ``matrix_rank``, ``matrix_power``). Factors follow LAPACK's
conventions (NumPy and torch both call it), except ``eigh``'s eigenvector signs: torch's CPU build
uses MKL, whose tridiagonal solver may flip a column's sign where OpenBLAS does not.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from . import _dtype as D
from ._tensor import Tensor, _make, apply
from .autograd.primitives import linalg_decomp as P
from .autograd.primitives.linalg_decomp import LinAlgError
from .functions import reduce as RD
from .functions._util import return_type, wrap_dim
from .functions.inplace import takes_out
from .functions.linalg import cdist, matmul  # noqa: F401 - ember.cdist is found here
from .functions.reduce import _scalar_type_name

__all__ = [
    "LinAlgError",
    "norm",
    "vector_norm",
    "matrix_norm",
    "inv",
    "det",
    "slogdet",
    "solve",
    "cholesky",
    "qr",
    "eigh",
    "eigvalsh",
    "eig",
    "eigvals",
    "svd",
    "svdvals",
    "pinv",
    "lstsq",
    "matrix_rank",
    "matrix_power",
    "cross",
    "multi_dot",
    "vecdot",
    "matmul",
    "diagonal",
    "solve_triangular",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "matrix_exp",
    "householder_product",
    "cholesky_ex",
    "inv_ex",
    "solve_ex",
    "cond",
    "vander",
    "tensorinv",
    "tensorsolve",
    "ldl_factor",
    "ldl_factor_ex",
    "ldl_solve",
]


def _return_type(name, fields):
    return return_type(name, fields)


_slogdet_t = _return_type("linalg_slogdet", ["sign", "logabsdet"])
_qr_t = _return_type("linalg_qr", ["Q", "R"])
_eigh_t = _return_type("linalg_eigh", ["eigenvalues", "eigenvectors"])
_eig_t = _return_type("linalg_eig", ["eigenvalues", "eigenvectors"])
_svd_t = _return_type("linalg_svd", ["U", "S", "Vh"])
_lstsq_t = _return_type("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"])
_legacy_svd_t = _return_type("svd", ["U", "S", "V"])
_legacy_qr_t = _return_type("qr", ["Q", "R"])
_legacy_slogdet_t = _return_type("slogdet", ["sign", "logabsdet"])


# -- argument checks --------------------------------------------------------------------------
def _check_float(name: str, a: Tensor, low_precision: bool = True) -> None:
    kind = a._data.dtype.kind
    if kind not in "fc":
        raise RuntimeError(
            f"{name}: Expected a floating point or complex tensor as input. Got "
            f"{_scalar_type_name(a.dtype)}"
        )
    if low_precision and a._data.dtype == np.float16:
        raise RuntimeError(f"{name}: Low precision dtypes not supported. Got Half")


def _check_matrix(name: str, a: Tensor, square: bool = False, low_precision=True) -> None:
    if not isinstance(a, Tensor):
        raise TypeError(
            f"{name}(): argument 'A' (position 1) must be Tensor, not {type(a).__name__}"
        )
    if a.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    _check_float(name, a, low_precision)
    if square and a.shape[-1] != a.shape[-2]:
        raise RuntimeError(
            f"{name}: A must be batches of square matrices, but they are {a.shape[-2]} by "
            f"{a.shape[-1]} matrices"
        )


# -- norms ---------------------------------------------------------------------------------------
@takes_out("linalg.vector_norm", "exact")
def vector_norm(
    x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None, out=None
) -> Tensor:
    """The vector ``ord``-norm of ``x`` over ``dim`` (all elements when None)."""
    return RD.vector_norm(x, ord, dim, keepdim, dtype=dtype)


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


@takes_out("linalg.matrix_norm", "exact")
def matrix_norm(
    A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None, out=None
) -> Tensor:
    """Frobenius, nuclear, 1, 2 or inf norm of the matrices in dims ``dim`` of ``A``."""
    if ord not in _MATRIX_ORDS:  # torch checks the order first
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if A.ndim < 2:
        raise RuntimeError(
            "linalg.matrix_norm: The input tensor A must have at least 2 dimensions."
        )
    _check_float("linalg.matrix_norm", A, low_precision=False)
    if len(dim) != 2:
        got = " ".join(str(d) for d in dim)
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
    A = RD.norm_dtype("linalg.matrix_norm", A, dtype)
    d0, d1 = (wrap_dim(d, A.ndim) for d in dim)
    if d0 == d1:
        raise RuntimeError(f"linalg.matrix_norm: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return vector_norm(A, 2, (d0, d1), keepdim)
    if ord in ("nuc", 2, -2):
        s = svdvals(A.movedim((d0, d1), (-2, -1)))
        r = s.sum(-1) if ord == "nuc" else (s.amax(-1) if ord == 2 else s.amin(-1))
        if keepdim:
            for d in sorted((d0, d1)):
                r = r.unsqueeze(d)
        return r
    # 1: the largest column sum; inf: the largest row sum.
    summed, reduced = (d0, d1) if ord in (1, -1) else (d1, d0)
    sums = A.abs().sum(summed, keepdim=True)
    r = sums.amax(reduced, keepdim=True) if ord > 0 else sums.amin(reduced, keepdim=True)
    return r if keepdim else _squeeze2(r, d0, d1)


def _squeeze2(r: Tensor, d0: int, d1: int) -> Tensor:
    for d in sorted((d0, d1), reverse=True):
        r = r.squeeze(d)
    return r


@takes_out("linalg.norm", "exact")
def norm(  # noqa: A002 - torch names this one's argument ``input`` (linalg.norm(input=x))
    input: Tensor, ord=None, dim=None, keepdim: bool = False, *, out=None, dtype=None
) -> Tensor:
    """A vector norm (``dim`` an int, or a 1-D input) or a matrix norm (a pair, or 2-D input)."""
    A = input
    if isinstance(dim, int):
        dim = (dim,)
    if dim is not None:
        if len(dim) == 1:
            return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if A.ndim not in (1, 2):
        raise RuntimeError(
            "linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got "
            f"{A.ndim}D."
        )
    if A.ndim == 1 and not isinstance(ord, str):  # as torch, a named order means a matrix norm
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


# -- inverses, determinants, solvers -------------------------------------------------------------
@takes_out("linalg.inv", "exact")
def inv(A: Tensor, *, out=None) -> Tensor:
    """The inverse of each square matrix; raises ``LinAlgError`` for a singular one."""
    _check_matrix("linalg.inv", A, square=True)
    return apply(P.inv, (A,))


@takes_out("linalg.det", "exact")
def det(A: Tensor, *, out=None) -> Tensor:
    """The determinant of each square matrix."""
    _check_matrix("linalg.det", A, square=True)
    return apply(P.det, (A,))


@takes_out("linalg.slogdet", "exact")
def slogdet(A: Tensor, *, out=None):
    """``(sign, log|det|)`` of each square matrix."""
    _check_matrix("linalg.slogdet", A, square=True)
    return _slogdet_t(*apply(P.slogdet, (A,)))


@takes_out("linalg.solve", "exact")
def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """``X`` with ``A X = B`` (or ``X A = B`` when ``left=False``); ``B`` may be a vector."""
    _check_matrix("linalg.solve", A, square=True)
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    if not left:
        if vector:  # torch takes B as a column here, which cannot stand left of A
            raise RuntimeError(
                f"linalg.solve: Incompatible shapes of A and B for the equation XA = B "
                f"({A.shape[-2]}x{A.shape[-1]} and {B.shape[-1]}x1)"
            )
        return solve(A.mT, B.mT).mT
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != A.shape[-1]:
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation AX = B "
            f"({A.shape[-2]}x{A.shape[-1]} and {b.shape[-2]}x{b.shape[-1]})"
        )
    if A._data.dtype != b._data.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{_scalar_type_name(A.dtype)} and B of type {_scalar_type_name(B.dtype)} instead"
        )
    batch = np.broadcast_shapes(A.shape[:-2], b.shape[:-2])
    arrays = (
        np.broadcast_to(A._data, batch + A.shape[-2:]),
        np.broadcast_to(b._data, batch + b.shape[-2:]),
    )
    x = apply(P.solve, (A, b), arrays, left=True)
    return x.squeeze(-1) if vector else x


@takes_out("linalg.cholesky", "exact")
def cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """The lower (or upper) Cholesky factor of each symmetric positive-definite matrix."""
    _check_matrix("linalg.cholesky", A, square=True)
    return apply(P.cholesky, (A,), None, upper=upper)


@takes_out("linalg.qr", "exact")
def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """``(Q, R)`` with ``A = QR``; ``mode`` is ``'reduced'``, ``'complete'`` or ``'r'``."""
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    _check_matrix("linalg.qr", A)
    return _qr_t(*apply(P.qr, (A,), None, mode=mode))


@takes_out("linalg.eigh", "exact")
def eigh(A: Tensor, UPLO: str = "L", *, out=None):  # noqa: N803
    """Eigenvalues (ascending) and eigenvectors of symmetric matrices, read from ``UPLO``."""
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _check_matrix("linalg.eigh", A, square=True)
    return _eigh_t(*apply(P.eigh, (A,), None, uplo=UPLO))


@takes_out("linalg.eig", "exact")
def eig(A: Tensor, *, out=None):  # noqa: N803
    """Eigenvalues and eigenvectors (unit columns) of general square matrices, as complex
    tensors, in LAPACK's order."""
    _check_matrix("linalg.eig", A, square=True)
    return _eig_t(*apply(P.eig, (A,)))


@takes_out("linalg.eigvals", "exact")
def eigvals(A: Tensor, *, out=None) -> Tensor:  # noqa: N803
    """The (complex) eigenvalues of general square matrices."""
    _check_matrix("linalg.eigvals", A, square=True)
    return apply(P.eig, (A,))[0]


@takes_out("linalg.eigvalsh", "exact")
def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:  # noqa: N803
    """The eigenvalues (ascending) of symmetric matrices."""
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    _check_matrix("linalg.eigvalsh", A, square=True)
    return apply(P.eigh, (A,), None, uplo=UPLO)[0]


@takes_out("linalg.svd", "exact")
def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, singular values descending."""
    _check_matrix("linalg.svd", A)
    return _svd_t(*apply(P.svd, (A,), None, full_matrices=full_matrices))


@takes_out("linalg.svdvals", "exact")
def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """The singular values, descending."""
    _check_matrix("linalg.svdvals", A)
    return apply(P.svd, (A,), None, full_matrices=False)[1]


def _tolerances(A: Tensor, atol, rtol):
    """torch's defaults: rtol = eps * max(m, n) unless only ``atol`` is given (then 0)."""

    def arr(v):
        return np.asarray(v._data if isinstance(v, Tensor) else v, dtype=A._data.dtype)

    if rtol is None:
        if atol is not None and np.any(arr(atol) > 0):
            rtol = 0.0
        else:
            rtol = np.finfo(A._data.dtype).eps * max(A.shape[-2:])
    return arr(0.0 if atol is None else atol), arr(rtol)


@takes_out("linalg.pinv", "exact")
def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """The Moore-Penrose pseudo-inverse; singular values at or below the tolerance are dropped."""
    _check_matrix("linalg.pinv", A)
    a, r = _tolerances(A, atol, rtol)
    return apply(P.pinv, (A,), None, atol=a, rtol=r)


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """The least-squares solution of ``AX = B``, with residuals, rank and singular values as the
    chosen LAPACK ``driver`` ('gelsy' by default on CPU) reports them."""
    _check_matrix("linalg.lstsq", A)
    driver = driver or "gelsy"
    if driver not in ("gels", "gelsy", "gelsd", "gelss"):
        raise RuntimeError(
            f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
            f" but got {driver}"
        )
    vector = B.ndim == A.ndim - 1
    b = B.unsqueeze(-1) if vector else B
    if b.shape[-2] != A.shape[-2]:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    m, n = A.shape[-2:]
    eps = np.finfo(A._data.dtype).eps
    rc = eps * max(m, n) if rcond is None else float(rcond)
    s = np.linalg.svd(A._data, compute_uv=False)
    smax = s[..., :1] if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    svd_ranks = (s > rc * smax).sum(-1).astype(np.int64)
    x, residuals, ranks = apply(P.lstsq, (A, b), None, rcond=rc, driver=driver, svd_ranks=svd_ranks)
    rank = ranks if driver != "gels" else _make(np.zeros((0,), np.int64))
    empty = np.zeros((0,), A._data.dtype)
    sv = _make(s.astype(A._data.dtype) if driver in ("gelsd", "gelss") else empty)
    return _lstsq_t(x.squeeze(-1) if vector else x, residuals, rank, sv)


@takes_out("linalg.matrix_rank")
def matrix_rank(
    A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, tol=None, out=None
) -> Tensor:
    """The number of singular values above ``max(atol, rtol * largest)``."""
    _check_matrix("linalg.matrix_rank", A)
    if tol is not None:
        atol, rtol = tol, 0.0
    a, r = _tolerances(A, atol, rtol)
    s = np.linalg.svd(A._data, compute_uv=False)
    smax = s.max(axis=-1) if s.shape[-1] else np.zeros(s.shape[:-1], s.dtype)
    return _make((s > np.maximum(a, r * smax)[..., None]).sum(-1).astype(np.int64))


@takes_out("linalg.matrix_power", "exact")
def matrix_power(A: Tensor, n: int, *, out=None) -> Tensor:
    """``A`` multiplied by itself ``n`` times (the inverse's power for negative ``n``)."""
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(
            f"linalg.matrix_power: A must be batches of square matrices, but they are "
            f"{A.shape[-2] if A.ndim > 1 else A.shape[-1]} by {A.shape[-1]} matrices"
        )
    if n == 0:  # the identity, still connected to A's graph (with zero gradient) as torch's
        return A * 0 + _make(np.eye(A.shape[-1], dtype=A._data.dtype))
    if n < 0:
        A, n = inv(A), -n
    if n == 1:
        return A.clone()
    result, z = None, A
    while n:
        if n & 1:
            result = z if result is None else matmul(result, z)
        n >>= 1
        if n:
            z = matmul(z, z)
    return result


@takes_out("linalg.cross", "exact")
def cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """The cross product of 3-vectors along ``dim``, broadcasting the other dimensions."""
    if input.ndim != other.ndim:
        raise RuntimeError(
            f"linalg.cross: inputs must have the same number of dimensions. Got {input.ndim} and "
            f"{other.ndim}"
        )
    if input.shape[dim] != 3 or other.shape[dim] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[dim]} and "
            f"{other.shape[dim]}"
        )
    shape = np.broadcast_shapes(input.shape, other.shape)
    if input._data.dtype != other._data.dtype:
        dt = D.promote_types(input.dtype, other.dtype)
        input, other = input.to(dt), other.to(dt)
    arrays = (np.broadcast_to(input._data, shape), np.broadcast_to(other._data, shape))
    return apply(P.cross, (input, other), arrays, dim=dim % len(shape))


@takes_out("linalg.multi_dot", "exact")
def multi_dot(tensors, *, out=None) -> Tensor:
    """The product of a chain of matrices (first and last may be vectors)."""
    tensors = list(tensors)
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    result = tensors[0]
    for t in tensors[1:]:
        result = matmul(result, t)
    return result


@takes_out("linalg.vecdot", "exact")
def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """The dot product of vectors along ``dim``."""
    return (x * y).sum(dim)


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The ``offset``-th diagonal of each matrix over dims (``dim1``, ``dim2``), as a view."""
    return A.diagonal(offset, dim1, dim2)


# -- the legacy ``ember.*`` names ------------------------------------------------------------------
@takes_out("inverse", "exact")
def inverse(input: Tensor, *, out=None) -> Tensor:
    """``ember.inverse``: the same as ``ember.linalg.inv``."""
    return inv(input)


def logdet(input: Tensor) -> Tensor:
    """``log(det(A))``: nan for a negative determinant, -inf for a zero one."""
    from .functions.math import where

    sign, logabs = apply(P.slogdet, (input,))
    return where(sign < 0, _make(np.asarray(np.nan, input._data.dtype)), logabs)


def legacy_det(input: Tensor) -> Tensor:  # noqa: A002
    """``ember.det``: ``linalg.det`` under torch's argument name ``input``."""
    return det(input)


def legacy_matrix_power(input: Tensor, n: int, *, out=None) -> Tensor:  # noqa: A002
    """``ember.matrix_power``: ``linalg.matrix_power`` under torch's argument name ``input``."""
    return matrix_power(input, n, out=out)


def legacy_slogdet(input: Tensor):
    """``ember.slogdet`` and ``Tensor.slogdet``: ``(sign, logabsdet)`` of each square matrix."""
    return _legacy_slogdet_t(*slogdet(input))


@takes_out("svd", "exact")
def legacy_svd(input: Tensor, some: bool = True, compute_uv: bool = True, *, out=None):
    """``ember.svd``: ``(U, S, V)`` with ``A = U diag(S) V^T`` (V, not Vh)."""
    if not compute_uv:
        s = svdvals(input)
        m, n = input.shape[-2:]
        batch = tuple(input.shape[:-2])
        z = input._data.dtype
        return _legacy_svd_t(
            _make(np.zeros(batch + (m, m), z)), s, _make(np.zeros(batch + (n, n), z))
        )
    u, s, vh = svd(input, full_matrices=not some)
    return _legacy_svd_t(u, s, vh.mT)


_qr_warned = False


@takes_out("qr", "exact")
def legacy_qr(input: Tensor, some: bool = True, *, out=None):
    """``ember.qr`` (deprecated in torch): ``linalg.qr`` with a boolean ``some``."""
    global _qr_warned
    if not _qr_warned:
        _qr_warned = True
        warnings.warn(
            "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
            "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string "
            "parameter 'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = "
            "torch.linalg.qr(A, 'reduced' if some else 'complete')",
            UserWarning,
            stacklevel=2,
        )
    return _legacy_qr_t(*qr(input, "reduced" if some else "complete"))


def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """``ember.pinverse``: the pseudo-inverse, dropping singular values below rcond * largest."""
    return pinv(input, rtol=rcond)


@takes_out("cross", "exact")
def legacy_cross(input: Tensor, other: Tensor, dim=None, *, out=None) -> Tensor:
    """``ember.cross``: without ``dim``, the first dimension of length 3."""
    if dim is None:
        from ._runtime import warn_once

        warn_once(
            "cross-dim",
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass "
            "the dim explicitly or simply use torch.linalg.cross.\nThe default value of dim will "
            "change to agree with that of linalg.cross in a future release.",
            stacklevel=4,  # warn_once, this function, takes_out's wrapper, the caller
        )
        shape = np.broadcast_shapes(input.shape, other.shape)
        dim = next((i for i, s in enumerate(shape) if s == 3), -1)
    return cross(input, other, dim=dim)


def _bind_tensor_methods() -> None:
    """Tensor methods torch has for these functions (``A.inverse()``, ``A.det()``, ...)."""
    methods = {
        "inverse": inverse,
        "det": det,
        "logdet": logdet,
        "slogdet": legacy_slogdet,
        "qr": legacy_qr,
        "svd": legacy_svd,
        "pinverse": pinverse,
        "matrix_power": matrix_power,
        "cross": legacy_cross,
        # used by derivative rules (which only see tensors)
        "_linalg_solve": lambda self, A: solve(A, self),
        "_linalg_cross": lambda self, other, dim: apply(P.cross, (self, other), None, dim=dim),
    }
    for name, fn in methods.items():
        current = getattr(Tensor, name, None)
        if current is None or getattr(current, "_lazy_stub", False) or name.startswith("_linalg"):
            setattr(Tensor, name, fn)


_bind_tensor_methods()

# the solvers, LU and matrix_exp, and the legacy ``ember.*`` names among them (they use the checks
# above, hence imported last)
from ._linalg_extra import (  # noqa: E402, F401
    cholesky_ex,
    cond,
    inv_ex,
    ldl_factor,
    ldl_factor_ex,
    ldl_solve,
    solve_ex,
    tensorinv,
    tensorsolve,
    vander,
)
from ._linalg_solvers import cholesky as legacy_cholesky  # noqa: E402, F401
from ._linalg_solvers import (  # noqa: E402, F401
    cholesky_inverse,
    cholesky_solve,
    frobenius_norm,
    geqrf,
    householder_product,
    legacy_eig,
    legacy_lstsq,
    legacy_lu,
    legacy_lu_solve,
    legacy_solve,
    legacy_symeig,
    lu,
    lu_factor,
    lu_factor_ex,
    lu_solve,
    lu_unpack,
    matrix_exp,
    nuclear_norm,
    orgqr,
    ormqr,
    solve_triangular,
    triangular_solve,
)
from ._linalg_solvers import matrix_rank as legacy_matrix_rank  # noqa: E402, F401
