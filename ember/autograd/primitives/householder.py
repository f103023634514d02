"""Householder QR in LAPACK's compact form (``geqrf``) and products of its reflectors
(``householder_product``/``orgqr``, ``ormqr``), with hand-written derivative rules.

``geqrf`` stores R on and above the diagonal and the reflectors ``v_i`` below it (``v_i[i] = 1``
implied), with ``H_i = I - tau_i v_i v_i^T`` and ``A = H_1 ... H_k R``, as LAPACK's ``dgeqrf``
(``dlarfg``'s sign convention: ``tau = 0`` where the column below the diagonal is already zero).
The rules recompute the product reflector by reflector with Tensor methods, so
``create_graph=True`` differentiates them again.
"""

from __future__ import annotations

import numpy as np

from . import defop


def _geqrf(a):
    r = np.array(a, copy=True)
    m, n = r.shape[-2:]
    k = min(m, n)
    tau = np.zeros(r.shape[:-2] + (k,), r.dtype)
    with np.errstate(divide="ignore", invalid="ignore"):
        for j in range(k):
            alpha = r[..., j, j].copy()
            x = r[..., j + 1 :, j]
            xnorm = np.linalg.norm(x, axis=-1)
            beta = -np.copysign(np.hypot(alpha, xnorm), alpha)
            reflect = xnorm != 0
            t = np.where(reflect, (beta - alpha) / beta, 0)
            v = x * np.where(reflect, 1 / (alpha - beta), 0)[..., None]
            full = np.concatenate([np.ones(v.shape[:-1] + (1,), r.dtype), v], -1)
            w = (full[..., None, :] @ r[..., j:, j + 1 :])[..., 0, :]
            r[..., j:, j + 1 :] -= t[..., None, None] * full[..., :, None] * w[..., None, :]
            r[..., j, j] = np.where(reflect, beta, alpha)
            r[..., j + 1 :, j] = v
            tau[..., j] = t
    return r, tau


def _no_geqrf_rule(c, grads):
    raise NotImplementedError("the derivative for 'geqrf' is not implemented.")


geqrf = defop("GeqrfBackward0", _geqrf, [_no_geqrf_rule], num_outputs=2)


def _reflectors_np(a, k):
    m = a.shape[-2]
    return np.tril(a[..., :, :k], -1) + np.eye(m, k, dtype=a.dtype)


def householder_np(a, tau, cols: int):
    """The first ``cols`` columns of ``H_1 ... H_k`` (``k = tau.shape[-1]``)."""
    m = a.shape[-2]
    k = tau.shape[-1]
    v = _reflectors_np(a, k)
    q = np.broadcast_to(np.eye(m, cols, dtype=a.dtype), a.shape[:-2] + (m, cols)).copy()
    for i in range(k - 1, -1, -1):
        vi = v[..., :, i : i + 1]
        q -= tau[..., i, None, None] * vi @ (np.swapaxes(vi, -1, -2) @ q)
    return q


def _householder_product(a, tau):
    return householder_np(a, tau, a.shape[-1])


def householder_vjp(a, tau, g, cols: int):
    """The gradients of ``a`` and ``tau`` from ``g``, that of ``householder_np(a, tau, cols)``.

    With ``Q_k = E`` and ``Q_i = H_i Q_{i+1}``, each step gives ``g_tau_i = -v^T G w^T``,
    ``g_v_i = -tau_i (G w^T + Q_{i+1} G^T v)`` with ``w = v^T Q_{i+1}``, then ``G <- H_i^T G``."""
    m, n = a.shape[-2:]
    k = tau.shape[-1]
    eye = a.new_tensor(np.eye(m, max(k, cols), dtype=a.numpy(force=True).dtype))
    v_all = a[..., :, :k].tril(-1) + eye[:, :k]
    vs = [v_all[..., :, i : i + 1] for i in range(k)]
    ts = [tau[..., i : i + 1].unsqueeze(-1) for i in range(k)]
    nexts = [None] * k  # Q_{i+1}
    q = eye[:, :cols] + a.new_zeros(a.shape[:-2] + (m, cols))
    for i in range(k - 1, -1, -1):
        nexts[i] = q
        q = q - ts[i] * vs[i] @ (vs[i].mT @ q)
    big_g = g
    gv, gt = [], []
    for i in range(k):
        v, t, qn = vs[i], ts[i], nexts[i]
        w = v.mT @ qn
        gtg = big_g.mT @ v
        gt.append(-(v.mT @ big_g @ w.mT).squeeze(-1))
        gv.append(-t * (big_g @ w.mT + qn @ gtg))
        big_g = big_g - t * v @ (v.mT @ big_g)
    grad_v = gv[0]
    grad_tau = gt[0]
    for i in range(1, k):
        grad_v = grad_v._cat_with(gv[i], -1)
        grad_tau = grad_tau._cat_with(gt[i], -1)
    grad_a = grad_v.tril(-1)
    if n > k:
        grad_a = grad_a._cat_with(a.new_zeros(a.shape[:-1] + (n - k,)), -1)
    return grad_a, grad_tau


def _householder_rule(i):
    def rule(c, g, a, tau):
        return householder_vjp(a, tau, g, a.shape[-1])[i]

    return rule


householder_product = defop(
    "LinalgHouseholderProductBackward0",
    _householder_product,
    [_householder_rule(0), _householder_rule(1)],
    save=(0, 1),
)


def _ormqr(ctx, a, tau, other, left, transpose):
    ctx.left, ctx.transpose = left, transpose
    q = householder_np(a, tau, a.shape[-2])
    if transpose:
        q = np.swapaxes(q, -1, -2)
    return q @ other if left else other @ q


def _ormqr_grads(c, g, a, tau, other):
    """``(g_a, g_tau, g_other)``: through the full ``Q`` (``op(Q) = Q`` or ``Q^T``)."""
    m = a.shape[-2]
    q = a._linalg_full_q(tau)
    op = q.mT if c.transpose else q
    if c.left:  # R = op(Q) C
        g_op, g_other = g @ other.mT, op.mT @ g
    else:  # R = C op(Q)
        g_op, g_other = other.mT @ g, g @ op.mT
    g_q = g_op.mT if c.transpose else g_op
    g_a, g_tau = householder_vjp(a, tau, g_q, m)
    return g_a, g_tau, g_other


ormqr = defop(
    "OrmqrBackward0",
    _ormqr,
    [
        lambda c, g, a, tau, other: _ormqr_grads(c, g, a, tau, other)[0],
        lambda c, g, a, tau, other: _ormqr_grads(c, g, a, tau, other)[1],
        lambda c, g, a, tau, other: _ormqr_grads(c, g, a, tau, other)[2],
    ],
    save=(0, 1, 2),
    needs_ctx=True,
)
