"""Triangular and factored solvers, LU and the matrix exponential (``ember.linalg``), with
hand-written derivative rules.

Forwards work on stacks of matrices ``(*, m, n)``. The triangular solves and the LU factorization
are written here on NumPy (substitution and Gaussian elimination with partial pivoting, each a
loop over one matrix dimension vectorised over the batch), because NumPy has neither; their
singular cases give inf/nan as LAPACK's ``trsm`` does, not an error. Rules are written with
Tensor methods bound by ``ember/_linalg_solvers.py`` (``_linalg_solve_triangular``...), so
``create_graph=True`` differentiates them again.
"""

from __future__ import annotations

import numpy as np

from . import NO_CTX, OUT, defop
from .linalg_decomp import _cholesky, _cholesky_rule, _inv, _outs
from .linalg_decomp import inv as _inverse


# -- triangular solves ----------------------------------------------------------------------------
def trisolve(a: np.ndarray, b: np.ndarray, upper: bool, unit: bool = False) -> np.ndarray:
    """``X`` with ``A X = B`` for triangular ``A`` (only its ``upper`` or lower triangle read)."""
    n = a.shape[-1]
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    dtype = np.result_type(a, b)
    x = np.zeros(batch + b.shape[-2:], dtype)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for i in range(n - 1, -1, -1) if upper else range(n):
            done = slice(i + 1, n) if upper else slice(0, i)
            row = b[..., i, :] - (a[..., i : i + 1, done] @ x[..., done, :])[..., 0, :]
            x[..., i, :] = row if unit else row / a[..., i, i, None]
    return x


def _solve_triangular(ctx, a, b, upper, left, unit):
    ctx.upper, ctx.left, ctx.unit = upper, left, unit
    if left:
        return trisolve(a, b, upper, unit)
    # X A = B  <=>  A^T X^T = B^T
    return np.swapaxes(
        trisolve(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), not upper, unit), -1, -2
    )


def _triangle(x, upper: bool, unit: bool):
    """The part of a gradient that a triangular solve's coefficient matrix actually uses."""
    k = 1 if unit else 0
    return x.triu(k) if upper else x.tril(-k)


def _solve_triangular_rule_a(c, g, a, b, x):
    gb = _solve_triangular_rule_b(c, g, a, b, x)
    return _triangle(-(gb @ x.mT) if c.left else -(x.mT @ gb), c.upper, c.unit)


def _solve_triangular_rule_b(c, g, a, b, x):
    return a.mT._linalg_solve_triangular(g, not c.upper, c.left, c.unit)


solve_triangular = defop(
    "LinalgSolveTriangularBackward0",
    _solve_triangular,
    [_solve_triangular_rule_a, _solve_triangular_rule_b],
    save=(0, 1, OUT),
    needs_ctx=True,
)


def _triangular_solve(ctx, b, a, upper, transpose, unit):
    ctx.upper, ctx.transpose, ctx.unit = upper, transpose, unit
    op = np.swapaxes(a, -1, -2) if transpose else a
    x = trisolve(op, b, upper != transpose, unit)
    ctx.outs = (x,)
    return x, a.copy()


def _triangular_solve_rules(c, grads, b, a):
    # op(A) X = B: gB = op(A)^-T gX; gA from op(A), transposed back, plus the clone's gradient
    gx, gclone = grads
    x = _outs(c, b)[0]
    op = a.mT if c.transpose else a
    upper = c.upper != c.transpose
    gb = ga = None
    if gx is not None:
        gb = op.mT._linalg_solve_triangular(gx, not upper, True, c.unit)
        gop = -(gb @ x.mT)
        ga = _triangle(gop.mT if c.transpose else gop, c.upper, c.unit)
    if gclone is not None:
        ga = gclone if ga is None else ga + gclone
    return gb, ga


triangular_solve = defop(
    "TriangularSolveBackward0",
    _triangular_solve,
    [
        lambda c, grads, b, a: _triangular_solve_rules(c, grads, b, a)[0],
        lambda c, grads, b, a: _triangular_solve_rules(c, grads, b, a)[1],
    ],
    save=(0, 1),
    needs_ctx=True,
    num_outputs=2,
)


# -- Cholesky: the legacy factor, solve and inverse -----------------------------------------------
legacy_cholesky = defop(
    "CholeskyBackward0", _cholesky, [_cholesky_rule], save=(OUT,), needs_ctx=True
)


def _lower(l, upper: bool):
    return np.swapaxes(l, -1, -2) if upper else l


def _cholesky_solve(ctx, b, l, upper):
    ctx.upper = upper
    low = _lower(l, upper)
    y = trisolve(low, b, upper=False)
    return trisolve(np.swapaxes(low, -1, -2), y, upper=True)


def _symmetric_chain(common, l, upper: bool):
    """The gradient of ``A = L L^T`` (``U^T U``) pulled back to the factor, from ``gA + gA^T``."""
    return l @ common if upper else common @ l


def _cholesky_solve_rule_l(c, g, b, l, x):
    gb = g._cholesky_solve(l, c.upper)
    common = gb @ x.mT
    return -_symmetric_chain(common + common.mT, l, c.upper)


cholesky_solve = defop(
    "CholeskySolveBackward0",
    _cholesky_solve,
    [lambda c, g, b, l, x: g._cholesky_solve(l, c.upper), _cholesky_solve_rule_l],
    save=(0, 1, OUT),
    needs_ctx=True,
)


def _cholesky_inverse(ctx, l, upper):
    ctx.upper = upper
    low = _lower(l, upper)
    try:
        linv = _inv(low)
    except RuntimeError as exc:
        raise type(exc)(str(exc).replace("linalg.inv", "cholesky_inverse", 1)) from None
    return np.swapaxes(linv, -1, -2) @ linv


def _cholesky_inverse_rule(c, g, l, y):
    common = -(y @ (g + g.mT) @ y)
    return _symmetric_chain(common, l, c.upper)


cholesky_inverse = defop(
    "CholeskyInverseBackward0",
    _cholesky_inverse,
    [_cholesky_inverse_rule],
    save=(0, OUT),
    needs_ctx=True,
)


# -- LU -------------------------------------------------------------------------------------------
_SCIPY_LU_MIN = 32  # from this size on, LAPACK through SciPy (when installed) is much faster


def lu_factor(a: np.ndarray):
    """Packed ``LU`` (unit-diagonal L below, U on and above the diagonal), 1-based int32 pivots
    and int32 infos (the first zero pivot, 1-based, else 0), as LAPACK's ``getrf``."""
    m, n = a.shape[-2:]
    if min(m, n) >= _SCIPY_LU_MIN:
        try:
            import scipy.linalg as sl
        except ImportError:
            sl = None
        if sl is not None:
            return _lu_factor_lapack(a, sl)
    k = min(m, n)
    batch = a.shape[:-2]
    lu = a.reshape((-1, m, n)).copy()
    count = lu.shape[0]
    piv = np.zeros((count, k), np.int32)
    info = np.zeros(count, np.int32)
    rows = np.arange(count)
    for j in range(k):
        p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1) if m > j else np.full(count, j)
        piv[:, j] = p + 1
        top = lu[rows, j].copy()
        lu[rows, j] = lu[rows, p]
        lu[rows, p] = top
        pivot = lu[:, j, j]
        zero = pivot == 0
        info[(info == 0) & zero] = j + 1
        scale = np.where(zero, 1, pivot)
        lu[:, j + 1 :, j] /= scale[:, None]
        lu[:, j + 1 :, j + 1 :] -= lu[:, j + 1 :, j : j + 1] * lu[:, j : j + 1, j + 1 :]
    return lu.reshape(a.shape), piv.reshape(batch + (k,)), info.reshape(batch)


def _lu_factor_lapack(a: np.ndarray, sl):
    import warnings

    m, n = a.shape[-2:]
    k = min(m, n)
    flat = a.reshape((-1, m, n))
    lu = np.empty_like(flat)
    piv = np.empty((flat.shape[0], k), np.int32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy warns of an exactly singular factor
        for i, matrix in enumerate(flat):
            lu[i], p = sl.lu_factor(matrix, check_finite=False)
            piv[i] = p + 1
    zero = np.diagonal(lu, axis1=-2, axis2=-1)[:, :k] == 0
    info = np.where(zero.any(-1), zero.argmax(-1) + 1, 0).astype(np.int32)
    return lu.reshape(a.shape), piv.reshape(a.shape[:-2] + (k,)), info.reshape(a.shape[:-2])


def row_order(piv: np.ndarray, m: int) -> np.ndarray:
    """``perm`` with ``(P^T A)[i] = A[perm[i]]`` for ``A = P L U``, from LAPACK's sequence of row
    swaps (1-based ``piv``)."""
    batch = piv.shape[:-1]
    flat = piv.reshape((-1, piv.shape[-1])).astype(np.int64) - 1
    perm = np.tile(np.arange(m), (flat.shape[0], 1))
    rows = np.arange(flat.shape[0])
    for j in range(flat.shape[1]):
        p = flat[:, j]
        top = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = top
    return perm.reshape(batch + (m,))


def permutation(piv: np.ndarray, m: int, dtype) -> np.ndarray:
    """``P`` with ``A = P L U``."""
    perm = row_order(piv, m).reshape(-1, m)
    out = np.zeros((perm.shape[0], m, m), dtype)
    out[np.arange(perm.shape[0])[:, None], perm, np.arange(m)] = 1  # row perm[i] of A: row i
    return out.reshape(piv.shape[:-1] + (m, m))


def unpack(lu: np.ndarray):
    """``L`` (unit diagonal, m x k) and ``U`` (k x n) from packed ``LU``."""
    m, n = lu.shape[-2:]
    k = min(m, n)
    low = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=lu.dtype)
    return low, np.triu(lu[..., :k, :])


def lu_backward(gl, gu, l, u):
    """The gradient of ``P^T A`` from those of ``L`` and ``U`` (``A = P L U``), for square, wide
    and tall matrices: with ``X = L^-1 dL`` strictly lower and ``Y = dU U^-1`` upper, the square
    blocks give ``L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T``; the extra columns of a wide U
    and the extra rows of a tall L add their own terms to that middle factor."""
    m, n = l.shape[-2], u.shape[-1]
    k = min(m, n)
    if gl is None:
        gl = l.new_zeros(l.shape)
    if gu is None:
        gu = u.new_zeros(u.shape)
    if m == n:
        phi = (l.mT @ gl).tril(-1) + (gu @ u.mT).triu()
        return l.mT.inverse() @ phi @ u.mT.inverse()
    if m < n:  # U = [U1 | U2]
        u1, u2, gu1, gu2 = u[..., :, :k], u[..., :, k:], gu[..., :, :k], gu[..., :, k:]
        phi = (l.mT @ gl - gu2 @ u2.mT).tril(-1) + (gu1 @ u1.mT).triu()
        lt_inv = l.mT.inverse()
        return (lt_inv @ phi @ u1.mT.inverse())._cat_with(lt_inv @ gu2, -1)
    # m > n: L = [L1; L2]
    l1, l2, gl1, gl2 = l[..., :k, :], l[..., k:, :], gl[..., :k, :], gl[..., k:, :]
    phi = (l1.mT @ gl1).tril(-1) + (gu @ u.mT - l2.mT @ gl2).triu()
    ut_inv = u.mT.inverse()
    return (l1.mT.inverse() @ phi @ ut_inv)._cat_with(gl2 @ ut_inv, -2)


def _lu(ctx, a):
    lu, piv, _ = lu_factor(a)
    p = permutation(piv, a.shape[-2], a.dtype)
    low, up = unpack(lu)
    ctx.outs = (p, low, up)
    return p, low, up


def _lu_rule(c, grads):
    like = next(g for g in grads if g is not None)
    p, l, u = _outs(c, like)
    return p @ lu_backward(grads[1], grads[2], l, u)


lu = defop(
    "LinalgLuBackward0",
    _lu,
    [_lu_rule],
    needs_ctx=True,
    num_outputs=3,
    differentiable_outputs=(1, 2),
)


def _lu_factor_ex(ctx, a):
    lu_, piv, info = lu_factor(a)
    ctx.outs = (lu_,)
    ctx.m = a.shape[-2]
    ctx.piv = piv
    return lu_, piv, info


def _lu_factor_rule(c, grads):
    g = grads[0]
    lu_ = _outs(c, g)[0]
    m, n = lu_.shape[-2:]
    k = min(m, n)
    l, u = _unpack_tensor(lu_, k)
    p = g.new_tensor(permutation(c.piv, c.m, g.numpy(force=True).dtype))
    return p @ lu_backward(g[..., :, :k].tril(-1), g[..., :k, :].triu(), l, u)


def _unpack_tensor(lu_, k: int):
    m = lu_.shape[-2]
    eye = lu_.new_tensor(np.eye(m, k, dtype=lu_.numpy(force=True).dtype))
    return lu_[..., :, :k].tril(-1) + eye, lu_[..., :k, :].triu()


lu_factor_ex = defop(
    "LinalgLuFactorExBackward0",
    _lu_factor_ex,
    [_lu_factor_rule],
    needs_ctx=True,
    num_outputs=3,
    differentiable_outputs=(0,),
)


def _pad(x, shape):
    """``x`` in the top-left corner of zeros of the (matrix) ``shape``."""
    rows, cols = shape[-2] - x.shape[-2], shape[-1] - x.shape[-1]
    if rows:
        x = x._cat_with(x.new_zeros(x.shape[:-2] + (rows, x.shape[-1])), -2)
    if cols:
        x = x._cat_with(x.new_zeros(x.shape[:-1] + (cols,)), -1)
    return x


def _lu_unpack(ctx, lu_, piv, unpack_data, unpack_pivots):
    m = lu_.shape[-2]
    empty = np.zeros((0,), lu_.dtype)
    low, up = unpack(lu_) if unpack_data else (empty, empty)
    p = permutation(piv, m, lu_.dtype) if unpack_pivots else empty
    return p, low, up


def _lu_unpack_rule(c, grads, lu_):
    _, gl, gu = grads
    out = lu_.new_zeros(lu_.shape)
    if gl is not None:
        out = out + _pad(gl.tril(-1), lu_.shape)
    if gu is not None:
        out = out + _pad(gu.triu(), lu_.shape)
    return out


lu_unpack = defop(
    "LuUnpackBackward0",
    _lu_unpack,
    [_lu_unpack_rule],
    save=(0,),
    needs_ctx=True,
    num_outputs=3,
    differentiable_outputs=(1, 2),
)


def lu_solve_arrays(lu_, piv, b, left: bool, adjoint: bool) -> np.ndarray:
    """``X`` with ``op(A) X = B`` (``X op(A) = B`` unless ``left``), ``A = P L U`` given packed."""
    t = np.swapaxes
    if not left:  # X op(A) = B  <=>  op(A)^T X^T = B^T
        return t(lu_solve_arrays(lu_, piv, t(b, -1, -2), True, not adjoint), -1, -2)
    # rows permuted by indexing, not by multiplying with P: 0 * inf would make nan of the
    # infinities a singular factor gives, as LAPACK's getrs does not
    batch = np.broadcast_shapes(lu_.shape[:-2], piv.shape[:-1], b.shape[:-2])
    perm = np.broadcast_to(row_order(piv, lu_.shape[-2]), batch + piv.shape[-1:])[..., None]
    b = np.broadcast_to(b, batch + b.shape[-2:])
    low, up = unpack(lu_)
    if not adjoint:  # L U X = P^T B
        pb = np.take_along_axis(b, perm, -2)
        return trisolve(up, trisolve(low, pb, False, True), True)
    # U^T L^T P^T X = B
    y = trisolve(t(low, -1, -2), trisolve(t(up, -1, -2), b, False), True, True)
    x = np.empty_like(y)
    np.put_along_axis(x, np.broadcast_to(perm, y.shape[:-1] + (1,)), y, -2)
    return x


def _lu_solve(ctx, lu_, b, piv, left, adjoint):
    ctx.piv, ctx.left, ctx.adjoint = piv, left, adjoint
    return lu_solve_arrays(lu_, piv, b, left, adjoint)


def _lu_solve_rule_b(c, g, lu_, b, x):
    return lu_._linalg_lu_solve(c.piv, g, c.left, not c.adjoint)


def _solve_grad_a(left: bool, adjoint: bool, gb, x):
    """The gradient of ``A`` in ``op(A) X = B`` (``X op(A) = B`` unless ``left``) from that of
    ``B`` (``op(A)^-T g``, or ``g op(A)^-T``)."""
    if left:
        return -(x @ gb.mT) if adjoint else -(gb @ x.mT)
    return -(gb.mT @ x) if adjoint else -(x.mT @ gb)


def _lu_solve_rule_lu(c, g, lu_, b, x):
    gb = _lu_solve_rule_b(c, g, lu_, b, x)
    ga = _solve_grad_a(c.left, c.adjoint, gb, x)
    # A = P L U: gL = tril(P^T gA U^T, -1), gU = triu(L^T P^T gA)
    n = lu_.shape[-1]
    l, u = _unpack_tensor(lu_, n)
    pga = lu_.new_tensor(permutation(c.piv, n, lu_.numpy(force=True).dtype)).mT @ ga
    return (pga @ u.mT).tril(-1) + (l.mT @ pga).triu()


lu_solve = defop(
    "LinalgLuSolveBackward0",
    _lu_solve,
    [_lu_solve_rule_lu, _lu_solve_rule_b],
    save=(0, 1, OUT),
    needs_ctx=True,
)


# -- matrix exponential ---------------------------------------------------------------------------
# Scaling and squaring with the [13/13] Pade approximant (Higham, 2005): scale A by 2^-s until its
# 1-norm is at most theta_13, approximate, then square s times. Computed in float64.
_PADE13 = (
    64764752532480000.0,
    32382376266240000.0,
    7771770303897600.0,
    1187353796428800.0,
    129060195264000.0,
    10559470521600.0,
    670442572800.0,
    33522128640.0,
    1323241920.0,
    40840800.0,
    960960.0,
    16380.0,
    182.0,
    1.0,
)
_THETA13 = 5.371920351148152


def _matrix_exp(a):
    x = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    n = x.shape[-1]
    if x.size == 0:
        return a.copy()
    norm = np.abs(x).sum(-2).max(-1)
    with np.errstate(divide="ignore"):
        s = np.where(norm > _THETA13, np.ceil(np.log2(norm / _THETA13)), 0)
    s = np.nan_to_num(s, nan=0, posinf=0).astype(np.int64)
    x = x / (2.0**s)[..., None, None]
    b = _PADE13
    eye = np.eye(n)
    x2 = x @ x
    x4 = x2 @ x2
    x6 = x4 @ x2
    u = x @ (
        x6 @ (b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2 + b[1] * eye
    )
    v = x6 @ (b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2 + b[0] * eye
    with np.errstate(all="ignore"):
        try:
            r = np.linalg.solve(v - u, v + u)
        except np.linalg.LinAlgError:  # nan/inf input: torch gives nan, not an error
            r = np.full(x.shape, np.nan)
        for i in range(int(s.max()) if s.size else 0):
            r = np.where((i < s)[..., None, None], r @ r, r)
    return r.astype(a.dtype)


def _matrix_exp_rule(c, g, a):
    # d exp(A)[gA] is the top-right block of exp([[A^H, g], [0, A^H]]) (Mathias, 1996)
    n = a.shape[-1]
    at = a.mT.conj()  # a real tensor's conj() is itself
    top = at._cat_with(g, -1)
    bottom = at.new_zeros(at.shape)._cat_with(at, -1)
    return top._cat_with(bottom, -2)._linalg_matrix_exp()[..., :n, n:]


matrix_exp = defop("LinalgMatrixExpBackward0", _matrix_exp, [_matrix_exp_rule], save=(0,))


# -- LDL (Bunch-Kaufman) ------------------------------------------------------------------------
_BK_ALPHA = (1 + np.sqrt(17.0)) / 8


def _swap_symmetric(a: np.ndarray, i: int, p: int) -> None:
    """Swap rows and columns ``i < p`` of the symmetric matrix whose lower triangle is ``a``'s,
    within ``a[i:, i:]`` (LAPACK's ``sytf2`` interchange)."""
    if i == p:
        return
    a[p + 1 :, [i, p]] = a[p + 1 :, [p, i]]
    between = a[i + 1 : p, i].copy()
    a[i + 1 : p, i] = a[p, i + 1 : p]
    a[p, i + 1 : p] = between
    a[i, i], a[p, p] = a[p, p], a[i, i]


def _ldl_one(m: np.ndarray):
    """LAPACK's unblocked ``sytf2`` (lower) on one matrix: the packed ``LD``, 1-based pivots
    (negative pairs for 2x2 blocks) and ``info`` (the first zero diagonal of D, else 0)."""
    a = np.tril(m).astype(m.dtype, copy=True)
    n = a.shape[0]
    piv = np.zeros(n, np.int32)
    info = 0
    k = 0
    while k < n:
        step = 1
        absakk = abs(a[k, k])
        imax = k + 1 + int(np.argmax(np.abs(a[k + 1 :, k]))) if k + 1 < n else k
        colmax = abs(a[imax, k]) if k + 1 < n else 0.0
        if max(absakk, colmax) == 0 or np.isnan(absakk):
            info = info or k + 1
            kp = k
        elif absakk >= _BK_ALPHA * colmax:
            kp = k
        else:
            row = np.abs(np.concatenate([a[imax, k:imax], a[imax + 1 :, imax]]))
            rowmax = row.max() if row.size else 0.0
            if absakk >= _BK_ALPHA * colmax * (colmax / rowmax):
                kp = k
            elif abs(a[imax, imax]) >= _BK_ALPHA * rowmax:
                kp = imax
            else:
                kp, step = imax, 2
        kk = k + step - 1
        if kp != kk:
            _swap_symmetric(a, kk, kp)
            if step == 2:
                a[k + 1, k], a[kp, k] = a[kp, k], a[k + 1, k]
        if step == 1:
            if a[k, k] != 0:
                x = a[k + 1 :, k].copy()
                a[k + 1 :, k + 1 :] -= np.tril(np.outer(x, x)) / a[k, k]
                a[k + 1 :, k] = x / a[k, k]
            piv[k] = kp + 1
        else:
            d21 = a[k + 1, k]
            d11 = a[k + 1, k + 1] / d21
            d22 = a[k, k] / d21
            t = 1 / (d11 * d22 - 1)
            d21 = t / d21
            col_k, col_k1 = a[k + 2 :, k].copy(), a[k + 2 :, k + 1].copy()
            wk = d21 * (d11 * col_k - col_k1)
            wk1 = d21 * (d22 * col_k1 - col_k)
            a[k + 2 :, k + 2 :] -= np.tril(np.outer(col_k, wk) + np.outer(col_k1, wk1))
            a[k + 2 :, k], a[k + 2 :, k + 1] = wk, wk1
            piv[k] = piv[k + 1] = -(kp + 1)
        k += step
    return a, piv, info


def ldl_factor(a: np.ndarray):
    """``(LD, pivots, info)`` of each symmetric matrix (read from its lower triangle)."""
    flat = a.reshape((-1,) + a.shape[-2:])
    with np.errstate(divide="ignore", invalid="ignore"):
        done = [_ldl_one(m) for m in flat]
    batch = a.shape[:-2]
    return (
        np.stack([d[0] for d in done]).reshape(a.shape) if done else a.copy(),
        np.stack([d[1] for d in done]).reshape(batch + a.shape[-1:])
        if done
        else np.zeros(batch + a.shape[-1:], np.int32),
        np.array([d[2] for d in done], np.int32).reshape(batch),
    )


def _ldl_solve_one(ld: np.ndarray, piv: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``X`` with ``A X = B`` from ``ldl_factor``'s output (LAPACK's ``sytrs``, lower)."""
    n = ld.shape[0]
    x = b.astype(np.result_type(ld, b), copy=True)
    # forward: apply P and L^-1 block by block, then D^-1
    k = 0
    while k < n:
        if piv[k] > 0:
            p = piv[k] - 1
            x[[k, p]] = x[[p, k]]
            x[k + 1 :] -= np.outer(ld[k + 1 :, k], x[k])
            x[k] /= ld[k, k]
            k += 1
        else:
            p = -piv[k] - 1
            x[[k + 1, p]] = x[[p, k + 1]]
            x[k + 2 :] -= np.outer(ld[k + 2 :, k], x[k]) + np.outer(ld[k + 2 :, k + 1], x[k + 1])
            d = np.array([[ld[k, k], ld[k + 1, k]], [ld[k + 1, k], ld[k + 1, k + 1]]])
            x[k : k + 2] = np.linalg.solve(d, x[k : k + 2])
            k += 2
    # backward: apply L^-T and P^T, last block first
    k = n - 1
    while k >= 0:
        if piv[k] > 0:
            x[k] -= ld[k + 1 :, k] @ x[k + 1 :]
            p = piv[k] - 1
            x[[k, p]] = x[[p, k]]
            k -= 1
        else:
            x[k] -= ld[k + 1 :, k] @ x[k + 1 :]
            x[k - 1] -= ld[k + 1 :, k - 1] @ x[k + 1 :]
            p = -piv[k] - 1
            x[[k, p]] = x[[p, k]]
            k -= 2
    return x


def ldl_solve(ld: np.ndarray, piv: np.ndarray, b: np.ndarray) -> np.ndarray:
    batch = np.broadcast_shapes(ld.shape[:-2], piv.shape[:-1], b.shape[:-2])
    lds = np.broadcast_to(ld, batch + ld.shape[-2:]).reshape((-1,) + ld.shape[-2:])
    pivs = np.broadcast_to(piv, batch + piv.shape[-1:]).reshape((-1, piv.shape[-1]))
    bs = np.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
    with np.errstate(divide="ignore", invalid="ignore"):
        out = [_ldl_solve_one(l_, p, b_) for l_, p, b_ in zip(lds, pivs, bs)]
    return np.stack(out).reshape(batch + b.shape[-2:]) if out else np.zeros(batch + b.shape[-2:])


def _not_implemented(op: str):
    def rule(c, *args):
        raise RuntimeError(f"derivative for aten::{op} is not implemented")

    return rule


ldl_factor_ex = defop(
    "NotImplemented",
    ldl_factor,
    [_not_implemented("linalg_ldl_factor_ex")],
    num_outputs=3,
    differentiable_outputs=(0,),
)
ldl_solve_ = defop(
    "NotImplemented",
    lambda ld, b, piv: ldl_solve(ld, piv, b),
    [_not_implemented("linalg_ldl_solve")] * 2,
)


# -- inverse and solve of singular matrices (linalg.inv_ex, solve_ex) ----------------------------
def _solve_unchecked(ctx, a, b, left, adjoint=False):
    """``linalg.solve``'s answer without its error: LAPACK's ``getrs`` on the singular factor,
    with substitution's inf and nan (torch solves ``X A = B`` as ``A^T X^T = B^T`` on A's LU)."""
    ctx.left, ctx.adjoint = left, adjoint
    lu_, piv, _ = lu_factor(a)
    return lu_solve_arrays(lu_, piv, b, left, adjoint)


def _inv_unchecked(a):
    eye = np.broadcast_to(np.eye(a.shape[-1], dtype=a.dtype), a.shape)
    return _solve_unchecked(NO_CTX, a, eye, True)


def _solve_unchecked_rule_b(c, g, a, b, x):
    return a._linalg_solve_unchecked(g, c.left, not c.adjoint)


def _quiet(rule):
    """A rule run without NumPy's warnings: singular inputs make inf and nan gradients."""

    def quiet(*args):
        with np.errstate(all="ignore"):
            return rule(*args)

    return quiet


inv_unchecked = defop(
    "LinalgInvExBackward0",
    _inv_unchecked,
    [_quiet(r) for r in _inverse.node.rules],
    save=(OUT,),
)
solve_unchecked = defop(
    "LinalgSolveExBackward0",
    _solve_unchecked,
    [
        _quiet(
            lambda c, g, a, b, x: _solve_grad_a(
                c.left, c.adjoint, _solve_unchecked_rule_b(c, g, a, b, x), x
            )
        ),
        _quiet(_solve_unchecked_rule_b),
    ],
    save=(0, 1, OUT),
    needs_ctx=True,
)
