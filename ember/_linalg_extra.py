"""The ``*_ex`` variants (results with LAPACK's ``info`` instead of an error), the condition
number, Vandermonde matrices and the tensor inverse/solve of ``ember.linalg``, composed over its
primitives. ``ember.linalg`` re-exports everything here.
"""

from __future__ import annotations

import math

import numpy as np

from ._tensor import Tensor, _make, apply
from .autograd.primitives import linalg_decomp as P
from .autograd.primitives import linalg_solvers as PS
from .functions._util import return_type
from .functions.inplace import takes_out
from .linalg import LinAlgError, _check_matrix, inv, matrix_norm, solve, svdvals

_cholesky_ex_t = return_type("linalg_cholesky_ex", ["L", "info"])
_inv_ex_t = return_type("linalg_inv_ex", ["inverse", "info"])
_solve_ex_t = return_type("linalg_solve_ex", ["result", "info"])
_ldl_factor_t = return_type("linalg_ldl_factor", ["LD", "pivots"])
_ldl_factor_ex_t = return_type("linalg_ldl_factor_ex", ["LD", "pivots", "info"])


def _info(batch: tuple, values=None) -> Tensor:
    return _make(np.zeros(batch, np.int32) if values is None else values.astype(np.int32))


def _potf2(a: np.ndarray):
    """LAPACK's unblocked Cholesky (``potf2``) on each matrix: where it fails at column ``j``,
    the factor so far, the non-positive pivot unrooted at ``[j, j]``, the rest of A's lower
    triangle as it was; ``info`` is ``j + 1`` there and 0 elsewhere."""
    low = np.tril(a).reshape((-1,) + a.shape[-2:]).astype(a.dtype, copy=True)
    info = np.zeros(low.shape[0], np.int32)
    for b, m in enumerate(low):
        for j in range(m.shape[0]):
            ajj = m[j, j] - m[j, :j] @ m[j, :j]
            if not ajj > 0:
                m[j, j] = ajj
                info[b] = j + 1
                break
            m[j, j] = math.sqrt(ajj)
            m[j + 1 :, j] = (m[j + 1 :, j] - m[j + 1 :, :j] @ m[j, :j]) / m[j, j]
    return low.reshape(a.shape), info.reshape(a.shape[:-2])


@takes_out("linalg.cholesky_ex", "exact")
def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False):  # noqa: N803
    """``(L, info)``: ``linalg.cholesky`` that reports a matrix that is not positive-definite
    in ``info`` (the order of the failing leading minor) unless ``check_errors``."""
    _check_matrix("linalg.cholesky_ex", A, square=True)
    batch = tuple(A.shape[:-2])
    try:
        factor = apply(P.cholesky, (A,), None, upper=upper, name="linalg.cholesky_ex")
        return _cholesky_ex_t(factor, _info(batch))
    except LinAlgError:
        if check_errors:
            raise
    low, info = _potf2(A._data)
    factor = np.swapaxes(low, -1, -2).copy() if upper else low
    return _cholesky_ex_t(_make(factor), _info(batch, info))


def _lu_info(A: Tensor) -> np.ndarray:  # noqa: N803
    return PS.lu_factor(A._data)[2]


def _raise_singular(info: np.ndarray, message: str) -> None:
    """``LinAlgError(message)`` for the first singular matrix: ``{prefix}`` names its batch
    element, ``{k}`` its first zero pivot."""
    flat = info.reshape(-1)
    i = int(np.flatnonzero(flat)[0])
    prefix = f"(Batch element {i}): " if info.ndim else ""
    raise LinAlgError(message.format(prefix=prefix, k=int(flat[i])))


@takes_out("linalg.inv_ex", "exact")
def inv_ex(A: Tensor, *, check_errors: bool = False):  # noqa: N803
    """``(inverse, info)``: ``linalg.inv`` that reports a singular matrix in ``info`` (the
    first zero pivot of its LU factorization) unless ``check_errors``."""
    _check_matrix("linalg.inv", A, square=True)
    info = _lu_info(A)
    if not np.any(info):
        return _inv_ex_t(inv(A), _info(info.shape, info))
    if check_errors:
        _raise_singular(
            info,
            "linalg.inv_ex: {prefix}The diagonal element {k} is zero, the inversion could not be "
            "completed because the input matrix is singular.",
        )
    return _inv_ex_t(apply(PS.inv_unchecked, (A,)), _info(info.shape, info))


@takes_out("linalg.solve_ex", "exact")
def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False):  # noqa: N803
    """``(result, info)``: ``linalg.solve`` that reports a singular matrix in ``info`` unless
    ``check_errors``."""
    _check_matrix("linalg.solve", A, square=True)
    info = _lu_info(A)
    if not np.any(info):
        return _solve_ex_t(solve(A, B, left=left), _info(info.shape, info))
    if check_errors:
        _raise_singular(
            info,
            "torch.linalg.solve_ex: {prefix}The solver failed because the input matrix is "
            "singular.",
        )
    vector = B.ndim == 1 or (B.ndim == A.ndim - 1 and B.shape == A.shape[:-1])
    b = B.unsqueeze(-1) if vector else B
    batch = np.broadcast_shapes(A.shape[:-2], b.shape[:-2])
    arrays = (
        np.broadcast_to(A._data, batch + A.shape[-2:]),
        np.broadcast_to(b._data, batch + b.shape[-2:]),
    )
    result = apply(PS.solve_unchecked, (A, b), arrays, left=left)
    return _solve_ex_t(result.squeeze(-1) if vector else result, _info(info.shape, info))


_COND_ORDS = (None, "fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


@takes_out("linalg.cond", "exact")
def cond(A: Tensor, p=None) -> Tensor:  # noqa: N803
    """The condition number ``norm(A, p) * norm(inv(A), p)`` (for p = 2 and -2, the ratio of the
    extreme singular values); infinite for a singular matrix."""
    if p not in _COND_ORDS:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    with np.errstate(divide="ignore", invalid="ignore"):  # inf and nan are answers here
        return _cond(A, p)


def _cond(A: Tensor, p) -> Tensor:  # noqa: N803
    if p in (None, 2, -2):
        s = svdvals(A)
        big, small = s[..., 0], s[..., -1]
        return small / big if p == -2 else big / small
    _check_matrix(f"linalg.cond(ord={p})", A, square=True)
    if p == "nuc":  # torch: from the singular values, so no inf for a singular matrix
        s = svdvals(A)
        return s.sum(-1) * s.reciprocal().sum(-1)
    info = _lu_info(A)
    if not np.any(info):
        return matrix_norm(A, p) * matrix_norm(inv(A), p)
    # torch: inf for each singular matrix (norm of an inverse filled with inf)
    singular = _make(info != 0)
    safe = A.masked_fill(singular.unsqueeze(-1).unsqueeze(-1), 0) + _make(
        np.where(info != 0, 1, 0)[..., None, None] * np.eye(A.shape[-1], dtype=A._data.dtype)
    )
    finite = matrix_norm(A, p) * matrix_norm(inv(safe), p)
    return finite.masked_fill(singular, math.inf)


def vander(x: Tensor, *, N: int | None = None) -> Tensor:  # noqa: N803
    """The Vandermonde matrix of ``x``: columns ``x**0, x**1, ..., x**(N-1)``."""
    if x._data.dtype == np.bool_:
        raise RuntimeError(
            "linalg.vander supports floating point, complex, and integer tensors, but got Bool"
        )
    n = (x.shape[-1] if x.ndim else 1) if N is None else N
    if n <= 1:
        raise RuntimeError("N must be greater than 1.")
    col = x.unsqueeze(-1)
    powers = col.expand(*x.shape, n - 1).cumprod(-1)
    return col.new_ones(col.shape)._cat_with(powers, -1)


def _numel(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


def tensorinv(A: Tensor, ind: int = 2, *, out=None) -> Tensor:  # noqa: N803
    """The tensor ``X`` with ``tensordot(X, A, ind) = I``: ``A`` reshaped to a square matrix
    (its first ``ind`` dims against the rest) and inverted."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    result = inv(A.reshape(_numel(rows), _numel(cols))).reshape(*cols, *rows)
    if out is not None:
        from .functions.inplace import copy_into_out

        return copy_into_out(out, result, name="linalg.tensorinv", dtype_rule="exact")
    return result


def tensorsolve(A: Tensor, B: Tensor, dims=None, *, out=None) -> Tensor:  # noqa: N803
    """The tensor ``X`` with ``tensordot(A, X, X.ndim) = B``."""
    if dims is not None:
        dims = [d % A.ndim for d in dims]
        A = A.movedim(dims, list(range(A.ndim - len(dims), A.ndim)))
    rest = tuple(A.shape[B.ndim :])
    if _numel(rest) != _numel(A.shape[: B.ndim]):
        raise RuntimeError(
            "Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
            f"prod(self.shape[:other.ndim]), but got {_numel(rest)} != "
            f"{_numel(A.shape[: B.ndim])}"
        )
    result = solve(A.reshape(_numel(B.shape), _numel(rest)), B.reshape(-1)).reshape(rest)
    if out is not None:
        from .functions.inplace import copy_into_out

        return copy_into_out(out, result, name="linalg.tensorsolve", dtype_rule="exact")
    return result


# -- LDL -------------------------------------------------------------------------------------------
@takes_out("linalg.ldl_factor_ex", "exact")
def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False):  # noqa: N803
    """``(LD, pivots, info)``: the Bunch-Kaufman factorization ``P^T A P = L D L^T`` of symmetric
    matrices (read from the lower triangle), as LAPACK's ``sytrf``; 2x2 blocks of D have
    negative pivots; ``info`` is the first zero diagonal of D (0 when none)."""
    _check_matrix("torch.linalg.ldl_factor_ex", A, square=True)
    ld, piv, info = apply(PS.ldl_factor_ex, (A,))
    if check_errors:
        _raise_ldl(info._data, "torch.linalg.ldl_factor_ex")
    return _ldl_factor_ex_t(ld, piv, info)


def _raise_ldl(info: np.ndarray, fn: str) -> None:
    if np.any(info):
        k = int(info.reshape(-1)[np.flatnonzero(info.reshape(-1))[0]])
        # torch reports LAPACK's code through a failed internal assert here
        raise RuntimeError(f"{fn}: Unknown error code: {k}.")


@takes_out("linalg.ldl_factor", "exact")
def ldl_factor(A: Tensor, *, hermitian: bool = False):  # noqa: N803
    """``(LD, pivots)`` of ``ldl_factor_ex``, raising for a singular matrix."""
    _check_matrix("torch.linalg.ldl_factor_ex", A, square=True)
    ld, piv, info = apply(PS.ldl_factor_ex, (A,))
    _raise_ldl(info._data, "torch.linalg.ldl_factor")
    return _ldl_factor_t(ld, piv)


@takes_out("linalg.ldl_solve", "exact")
def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False) -> Tensor:  # noqa: N803
    """``X`` with ``A X = B`` from ``ldl_factor``'s ``(LD, pivots)``."""
    from ._linalg_solvers import _same_dtype

    _same_dtype("", B, LD)
    _check_matrix("torch.linalg.ldl_solve", LD, square=True)
    if B.ndim < 2:
        raise RuntimeError("torch.linalg.ldl_solve: Expected B to have at least 2 dimensions")
    if B.shape[-2] != LD.shape[-1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for torch.linalg.ldl_solve: each A matrix is "
            f"{LD.shape[-2]} by {LD.shape[-1]} but each b matrix is {B.shape[-2]} by {B.shape[-1]}"
        )
    return apply(PS.ldl_solve_, (LD, B), None, piv=pivots._data.astype(np.int64))
