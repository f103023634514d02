"""Order statistics and selections with torch's own nodes: median, nanmedian, kthvalue, mode,
cummax/cummin, trace, take, cdist. Each forward reads its input at positions the caller chose
(the ``ember.*`` function picks the order statistic, so ties and NaN follow one rule there); each
rule puts the gradient back at those positions.
"""

from __future__ import annotations

import numpy as np

from . import OUT, defop


def _pick_one(x, pos):
    """The element at flat position ``pos`` of ``x`` as a 0-d array; for an empty ``x``, NaN
    (an integer type's lowest value, as torch's)."""
    if pos is None:
        return np.full((), np.nan if x.dtype.kind == "f" else np.iinfo(x.dtype).min, x.dtype)
    return np.asarray(x.reshape(-1)[pos])


def _even_rule(c, g, x, out):
    # Every element equal to the result (every NaN, for a NaN) gets an equal share, as torch's
    # full median does: no single element is "the" median among ties.
    same = x.isnan() if out.isnan().item() else x == out
    return g * same / same.sum()


median_all = defop("MedianBackward0", _pick_one, [_even_rule], save=(0, OUT))
nanmedian_all = defop("NanmedianBackward0", _pick_one, [_even_rule], save=(0, OUT))


def _pick_along(ctx, x, dim, idx, keepdim):
    """``x`` read along ``dim`` at ``idx`` (one position per line, ``dim`` kept as 1 in ``idx``)."""
    ctx.dim, ctx.idx, ctx.keepdim = dim, idx, keepdim
    if x.ndim == 0:
        return x.copy()
    out = np.take_along_axis(x, idx, axis=dim)
    return out if keepdim else out.squeeze(dim)


def _put_back_rule(c, g):
    if not c.input_shape():  # a 0-d input is its own order statistic
        return g
    if not c.keepdim:
        g = g.unsqueeze(c.dim)
    return g.new_zeros(c.input_shape()).scatter(c.dim, g.new_tensor(c.idx), g)


def _along(name):
    return defop(name, _pick_along, [_put_back_rule], needs_ctx=True)


median_dim = _along("MedianBackward1")
nanmedian_dim = _along("NanmedianBackward1")
kthvalue = _along("KthvalueBackward0")
mode = _along("ModeBackward0")


def _running_pick(ctx, x, dim, idx):
    ctx.dim, ctx.idx = dim, idx
    return x.copy() if x.ndim == 0 else np.take_along_axis(x, idx, axis=dim)


def _add_back_rule(c, g):
    # a position that stays the running extreme for several steps gets all their gradients
    if not c.input_shape():
        return g
    return g.new_zeros(c.input_shape()).scatter_add(c.dim, g.new_tensor(c.idx), g)


cummax = defop("CummaxBackward0", _running_pick, [_add_back_rule], needs_ctx=True)
cummin = defop("CumminBackward0", _running_pick, [_add_back_rule], needs_ctx=True)


def _trace_rule(c, g):
    n, m = c.input_shape()
    return g * g.new_tensor(np.eye(n, m, dtype=bool))


def _trace(x):
    return np.asarray(np.trace(x, dtype=np.int64 if x.dtype.kind in "iub" else None))


trace = defop("TraceBackward0", _trace, [_trace_rule])


def _take(ctx, x, idx):
    ctx.idx = idx
    return x.reshape(-1)[idx]


def _take_rule(c, g, x):
    flat = g.new_zeros((x.numel(),))
    idx = g.new_tensor(c.idx.reshape(-1))
    return flat.index_add(0, idx, g.reshape(-1)).reshape(x.shape)  # repeats accumulate


# input saved, as torch's node does: changing it in place before backward is an error there too
take = defop("TakeBackward0", _take, [_take_rule], save=(0,), needs_ctx=True)


def _cdist(x1, x2, p):
    diff = np.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == 0:
        return np.count_nonzero(diff, axis=-1).astype(x1.dtype)
    if p == np.inf:
        return np.max(diff, axis=-1, initial=0).astype(x1.dtype, copy=False)
    if p == 1:
        return np.add.reduce(diff, axis=-1)
    if p == 2:
        return np.sqrt(np.einsum("...k,...k->...", diff, diff))
    return np.add.reduce(diff**p, axis=-1) ** (1 / p)


def _cdist_grad(g, x1, x2, dist, p):
    """The gradient for ``x1`` of ``dist = cdist(x1, x2, p)`` on arrays (``x2``'s: swap them)."""
    if p == 0:
        return np.zeros(np.broadcast_shapes(x1.shape, dist.shape[:-1] + (1,)), x1.dtype)
    diff = x1[..., :, None, :] - x2[..., None, :, :]
    d = dist[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        if p == 1:
            each = np.sign(diff)
        elif p == 2:
            each = diff / d
        elif p == np.inf:
            each = np.sign(diff) * (np.abs(diff) == d)
        else:
            each = np.sign(diff) * np.abs(diff) ** (p - 1) / d ** (p - 1)
    # a zero distance (or, below p = 1, a zero coordinate) has no slope: 0, as torch's
    each = np.where((d == 0) | ~np.isfinite(each), 0, each)
    return np.einsum("...ij,...ijk->...ik", g, each).astype(x1.dtype, copy=False)


def _no_cdist_double_backward(c, g, *saved):
    raise NotImplementedError("the derivative for '_cdist_backward' is not implemented.")


# torch's _cdist_backward: the gradient of the first point set, itself not differentiable
cdist_backward = defop(
    "CdistBackwardBackward0",
    lambda g, x1, x2, dist, p: _cdist_grad(g, x1, x2, dist, p),
    [_no_cdist_double_backward] * 4,
)


def _cdist_rule(first: bool):
    def rule(c, g, x1, x2, out):
        if first:
            return g._cdist_backward(x1, x2, out, c.p)
        return g.mT._cdist_backward(x2, x1, out.mT, c.p)

    return rule


def _cdist_forward(ctx, x1, x2, p):
    ctx.p = p
    return _cdist(x1, x2, p)


cdist = defop(
    "CdistBackward0",
    _cdist_forward,
    [_cdist_rule(True), _cdist_rule(False)],
    save=(0, 1, OUT),
    needs_ctx=True,
)


def _euclidean_dist(x1, x2):
    # torch's matrix-product route for many points: |a|^2 - 2 a.b + |b|^2 as one product of
    # padded operands, clamped at 0 where rounding makes it negative
    n1 = np.einsum("...k,...k->...", x1, x1)[..., None]
    n2 = np.einsum("...k,...k->...", x2, x2)[..., None]
    a = np.concatenate([-2 * x1, n1, np.ones_like(n1)], -1)
    b = np.concatenate([x2, np.ones_like(n2), n2], -1)
    return np.sqrt(np.maximum(a @ np.swapaxes(b, -1, -2), 0))


def _euclidean_rule(first: bool):
    # d|a - b| / da = (a - b) / |a - b|, summed over the other set as products; 0 at distance 0
    def rule(c, g, x1, x2, out):
        zero = out == 0
        ratio = (g / out.masked_fill(zero, 1)).masked_fill(zero, 0)
        if first:
            return x1 * ratio.sum(-1, keepdim=True) - ratio @ x2
        return x2 * ratio.sum(-2).unsqueeze(-1) - ratio.mT @ x1

    return rule


euclidean_dist = defop(
    "EuclideanDistBackward0",
    _euclidean_dist,
    [_euclidean_rule(True), _euclidean_rule(False)],
    save=(0, 1, OUT),
)
