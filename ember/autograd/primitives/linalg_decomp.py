"""Matrix decompositions and inverses (``ember.linalg``): LAPACK through NumPy, with hand-written
derivative rules.

Forwards work on stacks of matrices ``(*, m, n)``. Rules are written with Tensor methods
(``@``, ``.mT``, ``.tril()``, ``.inverse()``), so ``create_graph=True`` differentiates them again.
Decompositions with several outputs keep their factors on the node (``ctx.outs``); ``_outs``
rebuilds them as tensors attached to the node, as ``SavedOutput`` does for single outputs.
"""

from __future__ import annotations

import numpy as np

from ..engine import SavedOutput
from . import OUT, defop


class LinAlgError(RuntimeError):
    """A matrix was singular or not positive-definite (``torch.linalg.LinAlgError``)."""


LinAlgError.__module__ = "ember.linalg"


# -- helpers --------------------------------------------------------------------------------------
def _batch_prefix(a: np.ndarray, index: int) -> str:
    return f"(Batch element {index}): " if a.ndim > 2 else ""


def _first_failure(a: np.ndarray, ok) -> tuple:
    """The first batch element (flat index) and its matrix for which ``ok(matrix)`` is False."""
    flat = a.reshape((-1,) + a.shape[-2:])
    for i, m in enumerate(flat):
        if not ok(m):
            return i, m
    return 0, flat[0]


def _zero_pivot(m: np.ndarray) -> int:
    """The 1-based position of the first zero pivot of LU with partial pivoting (LAPACK getrf)."""
    u = m.astype(np.float64, copy=True)
    n = u.shape[0]
    first = 0
    for k in range(n):
        p = k + int(np.argmax(np.abs(u[k:, k])))
        if u[p, k] == 0:
            first = first or k + 1
            continue
        u[[k, p]] = u[[p, k]]
        u[k + 1 :, k:] -= np.outer(u[k + 1 :, k] / u[k, k], u[k, k:])
    return first or n


def _nonsingular(m: np.ndarray) -> bool:
    try:
        np.linalg.inv(m)
        return True
    except np.linalg.LinAlgError:
        return False


def _outs(c, like):
    """The node's outputs as tensors whose ``grad_fn`` is the node (see the module docstring)."""
    return tuple(SavedOutput(like.new_tensor(a), i).unpack(c) for i, a in enumerate(c.outs))


def _eye(like, n: int):
    return like.new_tensor(np.eye(n, dtype=like.numpy(force=True).dtype))


def _diag_embed(v):
    return v.unsqueeze(-1) * _eye(v, v.shape[-1])


def _diag(x):
    return x.diagonal(0, -2, -1)


# -- inverse, determinants, solve -----------------------------------------------------------------
def _inv(a):
    try:
        return np.linalg.inv(a)
    except np.linalg.LinAlgError:
        i, m = _first_failure(a, _nonsingular)
        raise LinAlgError(
            f"linalg.inv: {_batch_prefix(a, i)}The diagonal element {_zero_pivot(m)} is zero, the "
            "inversion could not be completed because the input matrix is singular."
        ) from None


inv = defop("LinalgInvExBackward0", _inv, [lambda c, g, y: -(y.mT @ g @ y.mT)], save=(OUT,))


def _det_rule(c, g, a, det):
    # g det A^{-T}; torch's gradient is zero at an exactly singular matrix (det == 0), so those
    # matrices are swapped for the identity before inverting and then scaled by their zero det.
    det = det.unsqueeze(-1).unsqueeze(-1)
    singular = det.numpy(force=True) == 0
    if np.any(singular):
        keep = a.new_tensor((~singular).astype(a.numpy(force=True).dtype))
        a = a * keep + _eye(a, a.shape[-1]) * (1 - keep)
    return g.unsqueeze(-1).unsqueeze(-1) * det * a.inverse().mT


det = defop("LinalgDetBackward0", np.linalg.det, [_det_rule], save=(0, OUT))


def _slogdet(a):
    sign, logabs = np.linalg.slogdet(a)
    return sign.astype(a.dtype), logabs.astype(a.dtype)


def _slogdet_rule(c, grads, a):
    g = grads[1]
    if g is None:
        return a.new_zeros(a.shape)
    return g.unsqueeze(-1).unsqueeze(-1) * a.inverse().mT


slogdet = defop("LinalgSlogdetBackward0", _slogdet, [_slogdet_rule], save=(0,), num_outputs=2)


def _solve(ctx, a, b, left):
    ctx.left = left
    try:
        x = np.linalg.solve(a, b)
    except np.linalg.LinAlgError:
        i, _ = _first_failure(a, _nonsingular)
        raise LinAlgError(
            f"torch.linalg.solve: {_batch_prefix(a, i)}The solver failed because the input matrix "
            "is singular."
        ) from None
    return x


def _solve_rule_b(c, g, a, b, x):
    return g._linalg_solve(a.mT)


solve = defop(
    "LinalgSolveExBackward0",
    _solve,
    [lambda c, g, a, b, x: -(g._linalg_solve(a.mT) @ x.mT), _solve_rule_b],
    save=(0, 1, OUT),
    needs_ctx=True,
)


# -- Cholesky, QR --------------------------------------------------------------------------------
def _leading_minor(m: np.ndarray) -> int:
    for k in range(1, m.shape[0] + 1):
        try:
            np.linalg.cholesky(m[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return m.shape[0]


def _cholesky(ctx, a, upper, name="linalg.cholesky"):
    ctx.upper = upper
    try:
        out = np.linalg.cholesky(a)
    except np.linalg.LinAlgError:

        def ok(m):
            try:
                np.linalg.cholesky(m)
                return True
            except np.linalg.LinAlgError:
                return False

        i, m = _first_failure(a, ok)
        raise LinAlgError(
            f"{name}: {_batch_prefix(a, i)}The factorization could not be completed "
            "because the input is not positive-definite (the leading minor of order "
            f"{_leading_minor(m)} is not positive-definite)."
        ) from None
    return np.swapaxes(out, -1, -2).copy() if upper else out


def _phi(x):
    """The lower triangle with the diagonal halved."""
    return x.tril() - 0.5 * _diag_embed(_diag(x))


def _cholesky_rule(c, g, l):
    # A = L L^T  =>  L^{-1} dA L^{-T} = L^{-1} dL + (L^{-1} dL)^T with L^{-1} dL lower triangular.
    if c.upper:
        g, l = g.mT, l.mT
    linv = l.inverse()
    ga = linv.mT @ _phi(l.mT @ g) @ linv
    return 0.5 * (ga + ga.mT)


cholesky = defop(
    "LinalgCholeskyExBackward0", _cholesky, [_cholesky_rule], save=(OUT,), needs_ctx=True
)


def _qr(ctx, a, mode):
    ctx.mode = mode
    m, n = a.shape[-2:]
    if mode == "r":
        r = np.linalg.qr(a, mode="r")
        q = np.zeros((0,), a.dtype)
    else:
        q, r = np.linalg.qr(a, mode=mode)
    ctx.outs = (q, r)
    ctx.m, ctx.n = m, n
    return q, r


def _copyltu(x):
    """A symmetric matrix from the lower triangle of ``x``."""
    low = x.tril(-1)
    return low + low.mT + _diag_embed(_diag(x))


def _qr_square_or_tall(gq, gr, q, r):
    # A = QR, m >= n: gA = (gQ + Q copyltu(M)) R^{-T} with M = R gR^T - gQ^T Q.
    mm = r @ gr.mT - gq.mT @ q
    return (gq + q @ _copyltu(mm)) @ r.inverse().mT


def _qr_rule(c, grads):
    if c.mode == "r":
        raise RuntimeError(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
            "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr."
        )
    if c.mode == "complete" and c.m > c.n:
        raise RuntimeError(
            "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
        )
    like = next(g for g in grads if g is not None)
    q, r = _outs(c, like)
    gq = grads[0] if grads[0] is not None else q.new_zeros(q.shape)
    gr = grads[1] if grads[1] is not None else r.new_zeros(r.shape)
    m, n = c.m, c.n
    if m >= n:
        return _qr_square_or_tall(gq, gr, q, r)
    # Wide: A = [X | Y], R = [U | V], X = QU is a square QR and Y = QV.
    u, v = r[..., :, :m], r[..., :, m:]
    gu, gv = gr[..., :, :m], gr[..., :, m:]
    y = q @ v
    gx = _qr_square_or_tall(gq + y @ gv.mT, gu, q, u)
    return gx._cat_with(q @ gv, -1)


qr = defop("LinalgQrBackward0", _qr, [_qr_rule], needs_ctx=True, num_outputs=2)


# -- eigh, SVD ------------------------------------------------------------------------------------
def _eigh(ctx, a, uplo):
    w, v = np.linalg.eigh(a, UPLO=uplo)
    ctx.outs = (w, v)
    return w, v


def _eigh_rule(c, grads):
    like = next(g for g in grads if g is not None)
    w, v = _outs(c, like)
    gw, gv = grads
    if gv is None:
        return v @ (gw.unsqueeze(-1) * v.mT)
    # gA = V (diag(gw) + skew(V^T gV) / E) V^T with E_ij = w_j - w_i off the diagonal. Taking the
    # skew part (V^T dV is skew for orthogonal V) makes gA symmetric, as torch's is.
    eye = _eye(w, w.shape[-1])
    e = w.unsqueeze(-2) - w.unsqueeze(-1) + eye
    vtgv = v.mT @ gv
    inner = 0.5 * (vtgv - vtgv.mT) / e
    if gw is not None:
        inner = inner + _diag_embed(gw)
    return v @ inner @ v.mT


eigh = defop("LinalgEighBackward0", _eigh, [_eigh_rule], needs_ctx=True, num_outputs=2)


def _svd(ctx, a, full_matrices):
    u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
    ctx.outs = (u, s, vh)
    ctx.m, ctx.n = a.shape[-2:]
    return u, s, vh


def _svd_rule(c, grads):
    like = next(g for g in grads if g is not None)
    u, s, vh = _outs(c, like)
    gu, gs, gvh = grads
    m, n = c.m, c.n
    k = min(m, n)
    if u.shape[-1] != k:  # full_matrices: only the first k columns of U (rows of Vh) matter
        u = u[..., :, :k]
        gu = gu[..., :, :k] if gu is not None else None
    if vh.shape[-2] != k:
        vh = vh[..., :k, :]
        gvh = gvh[..., :k, :] if gvh is not None else None
    if gu is None and gvh is None:
        return u @ (gs.unsqueeze(-1) * vh)
    s2 = s * s
    eye = _eye(s, k)
    e = s2.unsqueeze(-2) - s2.unsqueeze(-1) + eye  # E_ij = s_j^2 - s_i^2, 1 on the diagonal
    inner = 0
    if gu is not None:
        uhgu = u.mT @ gu
        inner = inner + ((uhgu - uhgu.mT) * s.unsqueeze(-2)) / e
    if gvh is not None:
        vhgv = vh @ gvh.mT
        inner = inner + (s.unsqueeze(-1) * (vhgv - vhgv.mT)) / e
    if gs is not None:
        inner = inner + _diag_embed(gs)
    if m > n and gu is not None:
        gus = gu / s.unsqueeze(-2)
        return (u @ inner + gus - u @ (u.mT @ gus)) @ vh
    if m < n and gvh is not None:
        sgvh = gvh / s.unsqueeze(-1)
        return u @ (inner @ vh + sgvh - (sgvh @ vh.mT) @ vh)
    return u @ inner @ vh


svd = defop("LinalgSvdBackward0", _svd, [_svd_rule], needs_ctx=True, num_outputs=3)


def _eig(ctx, a):
    w, v = np.linalg.eig(a)
    complex_type = np.result_type(a.dtype, np.complex64)  # NumPy gives real arrays when it can
    w, v = w.astype(complex_type), v.astype(complex_type)
    ctx.outs = (w, v)
    ctx.real = a.dtype.kind != "c"
    return w, v


def _eig_rule(c, grads):
    # gA = V^-H (diag(gL) + off-diagonal of (V^H gV - V^H V diag(re(V^H gV))) / conj(E)) V^H,
    # E_ij = L_j - L_i; the real part for a real A
    like = next(g for g in grads if g is not None)
    w, v = _outs(c, like)
    gw, gv = grads
    vh = v.mT.conj()
    eye = _eye(w, w.shape[-1])
    inner = 0
    if gv is not None:
        vhgv = vh @ gv
        inner = vhgv - vh @ (v * _diag(vhgv).real.unsqueeze(-2))
        inner = inner / ((w.unsqueeze(-2) - w.unsqueeze(-1)).conj() + eye) * (1 - eye)
    if gw is not None:
        inner = inner + _diag_embed(gw)
    ga = vh.inverse() @ inner @ vh
    return ga.real if c.real else ga


eig = defop("LinalgEigBackward0", _eig, [_eig_rule], needs_ctx=True, num_outputs=2)


# -- pseudo-inverse, least squares ---------------------------------------------------------------
def _pinv(a, atol, rtol):
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    smax = s.max(axis=-1, keepdims=True) if s.shape[-1] else np.zeros(s.shape[:-1] + (1,), s.dtype)
    tol = np.maximum(
        np.asarray(atol, s.dtype)[..., None], np.asarray(rtol, s.dtype)[..., None] * smax
    )
    keep = s > tol
    sinv = np.where(keep, 1 / np.where(keep, s, 1), 0).astype(a.dtype)
    return np.swapaxes(vh, -1, -2) @ (sinv[..., None] * np.swapaxes(u, -1, -2))


def _pinv_rule(c, g, a, p):
    # d(A+) = -A+ dA A+ + A+ A+^T dA^T (I - A A+) + (I - A+ A) dA^T A+^T A+
    m, n = a.shape[-2:]
    pt = p.mT
    g1 = -(pt @ g @ pt)
    g2 = (_eye(a, m) - a @ p) @ g.mT @ (p @ pt)
    g3 = (pt @ p) @ g.mT @ (_eye(a, n) - p @ a)
    return g1 + g2 + g3


pinv = defop("LinalgPinvBackward0", _pinv, [_pinv_rule], save=(0, OUT))


def _gelsy_one(a, b, rcond):
    """LAPACK gelsy's answer for one matrix: QR with column pivoting, the rank as the largest
    leading block of R with ``smin >= rcond * smax`` (LAPACK estimates these; here they are
    exact), then the minimum-norm solution of that truncated system."""
    m, n = a.shape
    r, qtb = a.astype(np.float64), b.astype(np.float64)
    perm = np.arange(n)
    for j in range(min(m, n)):
        p = j + int(np.argmax(np.linalg.norm(r[j:, j:], axis=0)))
        r[:, [j, p]], perm[[j, p]] = r[:, [p, j]], perm[[p, j]]
        v = r[j:, j].copy()
        alpha = np.linalg.norm(v)
        if alpha == 0:
            continue
        v[0] += np.copysign(alpha, v[0])
        v /= np.linalg.norm(v)
        r[j:, j:] -= 2 * np.outer(v, v @ r[j:, j:])
        qtb[j:] -= 2 * np.outer(v, v @ qtb[j:])
    rank = 0
    if min(m, n) and r[0, 0] != 0:
        rank = 1
        while rank < min(m, n):
            sv = np.linalg.svd(r[: rank + 1, : rank + 1], compute_uv=False)
            if sv[0] * rcond > sv[-1]:
                break
            rank += 1
    x = np.zeros((n, b.shape[-1]))
    if rank:
        x[perm] = np.linalg.pinv(r[:rank]) @ qtb[:rank]
    return x, rank


def _lstsq(ctx, a, b, rcond, driver, svd_ranks):
    """``(solution, residuals, rank)`` as the LAPACK ``driver`` reports them: residuals (the
    squared error of each column) only for a tall matrix solved by gels, or of full rank by
    gelsd/gelss; gelsy's rank from its pivoted QR, the others' from the singular values."""
    ctx.pinv_rtol = np.finfo(a.dtype).eps * max(a.shape[-2:])
    m, n = a.shape[-2:]
    if driver == "gelsy":
        x, ranks = _gelsy(a, b, rcond)
    else:  # the minimum-norm solution: SVD truncation, none for gels
        x, ranks = _pinv(a, 0.0, 0.0 if driver == "gels" else rcond) @ b, svd_ranks
    full = m > n and (driver == "gels" or (driver != "gelsy" and np.all(ranks == n)))
    ctx.outs, ctx.residuals = (x,), full  # (ctx drops them when nothing is recorded)
    res = ((a @ x - b) ** 2).sum(-2) if full else np.zeros((0,), a.dtype)
    return x, res, ranks


def _gelsy(a, b, rcond):
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    m, n = a.shape[-2:]
    a = np.broadcast_to(a, batch + a.shape[-2:]).reshape((-1, m, n))
    b = np.broadcast_to(b, batch + b.shape[-2:]).reshape((-1,) + b.shape[-2:])
    x = _pinv(a, 0.0, 0.0) @ b
    ranks = np.full(a.shape[0], min(m, n), np.int64)
    # A tall or square matrix with smin >= rcond * smax has full rank for gelsy too (a leading
    # block of R has smin and smax within A's), so its unique solution needs no pivoted QR.
    clear = np.zeros(a.shape[0], bool)
    if m >= n and n:
        sv = np.linalg.svd(a, compute_uv=False)
        clear = (sv[:, 0] > 0) & (sv[:, -1] >= rcond * sv[:, 0])
    for i in np.flatnonzero(~clear):
        xi, ranks[i] = _gelsy_one(a[i], b[i], rcond)
        x[i] = xi
    return x.reshape(batch + (n, b.shape[-1])), ranks.reshape(batch)


def _lstsq_pinv(c, a):
    # torch differentiates through the default pseudo-inverse, whatever rcond and the driver
    # (recomputed as a tensor, so that create_graph differentiates the rules again)
    return a.pinverse(c.pinv_rtol)


def _lstsq_rules(c, grads, a, b):
    gx, gres = grads[0], grads[1]
    extra_a = extra_b = None
    if gres is not None and c.residuals:
        # residuals = sum((A X - B)^2): directly, and through X
        (x,) = _outs(c, gres)
        w = 2 * (a @ x - b) * gres.unsqueeze(-2)
        gx = a.mT @ w if gx is None else gx + a.mT @ w
        extra_a, extra_b = w @ x.mT, -w
    if gx is None:  # only the empty residuals were used: torch leaves the gradients undefined
        return None, None
    p = _lstsq_pinv(c, a)
    ga, gb = _pinv_rule(c, gx @ b.mT, a, p), p.mT @ gx
    if extra_a is not None:
        ga, gb = ga + extra_a, gb + extra_b
    return ga, gb


lstsq = defop(
    "LinalgLstsqBackward0",
    _lstsq,
    [
        lambda c, g, a, b: _lstsq_rules(c, g, a, b)[0],
        lambda c, g, a, b: _lstsq_rules(c, g, a, b)[1],
    ],
    save=(0, 1),
    needs_ctx=True,
    num_outputs=3,
    differentiable_outputs=(0, 1),
)


# -- cross product, vector norm ------------------------------------------------------------------
def _cross(ctx, a, b, dim):
    ctx.dim = dim
    return np.cross(a, b, axis=dim)


cross = defop(
    "LinalgCrossBackward0",
    _cross,
    [lambda c, g, a, b: b._linalg_cross(g, c.dim), lambda c, g, a, b: g._linalg_cross(a, c.dim)],
    save=(0, 1),
    needs_ctx=True,
)


def _vector_norm(ctx, x, ord, dim, keepdim):
    ctx.ord, ctx.dim, ctx.keepdim = ord, dim, keepdim
    ax = np.abs(x)
    count = x.size if dim is None else int(np.prod([x.shape[d] for d in dim]))
    if count == 1 and ord != 0:
        # one element per result: every p-norm is |x| exactly, as in torch, where the power and
        # root would overflow or underflow (the 2-norm of 1e30 in float32 is 1e30, not inf)
        out = np.sum(ax, axis=dim, keepdims=keepdim)
    elif ord == float("inf"):  # initial: an empty tensor's non-empty dims reduce fine
        out = np.amax(ax, axis=dim, keepdims=keepdim, initial=0)
    elif ord == -float("inf"):
        out = np.amin(ax, axis=dim, keepdims=keepdim, initial=np.inf)
    elif ord == 0:
        out = np.sum(x != 0, axis=dim, keepdims=keepdim)
    elif ord == 1:
        out = np.sum(ax, axis=dim, keepdims=keepdim)
    elif ord == 2:
        out = np.sqrt(np.sum(np.square(ax), axis=dim, keepdims=keepdim))
    else:
        with np.errstate(divide="ignore"):
            out = np.sum(ax**ord, axis=dim, keepdims=keepdim) ** (1.0 / ord)
    return np.asarray(out, dtype=ax.dtype)  # real, for a complex x too


def _vector_norm_rule(c, g, x, norm):
    p = c.ord
    if not c.keepdim and c.dim is not None:
        for d in sorted(c.dim):
            g, norm = g.unsqueeze(d), norm.unsqueeze(d)
    elif not c.keepdim:
        shape = (1,) * x.ndim
        g, norm = g.reshape(shape), norm.reshape(shape)
    if p == 0:
        return None  # torch leaves the gradient undefined (``x.grad`` stays None)
    if p == 1:
        return g * x.sgn()
    if p in (float("inf"), -float("inf")):
        mask = (x.abs() == norm).to(norm.dtype)
        count = mask.sum(c.dim, keepdim=True) if c.dim is not None else mask.sum()
        return g * x.sgn() * mask / count
    zero = norm == 0
    denom = norm.masked_fill(zero, 1)
    if p == 2:
        # torch: g * (x / norm) with the ratio zeroed where the norm is 0, so a subnormal norm
        # gives a finite ratio and an inf or NaN g still shows at a zero norm
        return g * (x / denom).masked_fill(zero, 0)
    if p < 2:  # |x|^(p-1) sgn(x), zero at x == 0 (masked before the power: no inf)
        scaled = x.sgn() * x.abs().masked_fill(x == 0, 1).pow(p - 1)
    else:
        scaled = x * x.abs().pow(p - 2)
    if p < 1:  # torch does not zero the result at a zero norm here: 0 * inf stays NaN
        if p < 0:  # over norm^(p-1), inf at a zero norm: a zero gradient there, as torch's
            return scaled * g * norm.pow(1 - p)
        return scaled * g / denom.pow(p - 1)
    return (scaled * (g / denom.pow(p - 1))).masked_fill(zero, 0)


vector_norm = defop(
    "LinalgVectorNormBackward0", _vector_norm, [_vector_norm_rule], save=(0, OUT), needs_ctx=True
)
