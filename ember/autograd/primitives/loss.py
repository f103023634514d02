"""Fused loss primitives: one node per loss, as torch records them (``MseLossBackward0``, ...).

Fused rather than composed for three reasons: torch's ``grad_fn`` names, numerics (BCE's log clamp
at -100, the max-shifted softplus of BCE-with-logits), and speed (one node instead of five where
Python overhead dominates small batches). Each forward takes the reduction as an int (0 none,
1 mean, 2 sum) and applies it itself; each rule is written with Tensor methods, so it can be
differentiated again.
"""

from __future__ import annotations

import weakref

import numpy as np

from . import defop
from . import rule_ops as R
from .reduce import log_softmax

NONE, MEAN, SUM = 0, 1, 2
_EPS = 1e-12  # BCE's floor on x * (1 - x) in the gradient, as torch
_INF = float("inf")


def _reduce(ctx, loss: np.ndarray, reduction: int):
    ctx.reduction, ctx.n = reduction, loss.size
    if reduction == MEAN:
        if not loss.size:
            return np.full((), np.nan, loss.dtype)
        if loss.dtype.kind == "f" and loss.dtype.itemsize >= 4:  # np.mean's sum and division
            return np.add.reduce(loss, axis=None) / loss.dtype.type(loss.size)
        return np.mean(loss)
    if reduction == SUM:
        return np.sum(loss)
    return loss


def _scale(c, g):
    """``g`` spread over the elements that were reduced: divided by their count for mean."""
    return g / c.n if c.reduction == MEAN else g


def _weighted(c, g):
    return _scale(c, g) if c.weight is None else _scale(c, g) * c.weight


def softplus_neg(x):
    """``log(1 + exp(-x))`` with Tensor methods, finite for any x (``max(-x, 0)`` split off)."""
    return (-x).clamp_min(0) + (-x.abs()).exp().log1p()


# -- regression ------------------------------------------------------------------------------------
def _mse(ctx, x, y, reduction):
    d = x - y
    return _reduce(ctx, d * d, reduction)


mse_loss = defop(
    "MseLossBackward0",
    _mse,
    [lambda c, g, x, y: _scale(c, g) * 2 * (x - y), lambda c, g, x, y: _scale(c, g) * -2 * (x - y)],
    save=(0, 1),
    needs_ctx=True,
    arrays=True,
)


def _smooth_l1(ctx, x, y, reduction, beta):
    ctx.beta = beta
    a = np.abs(x - y)
    return _reduce(ctx, np.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta), reduction)


smooth_l1_loss = defop(
    "SmoothL1LossBackward0",
    _smooth_l1,
    [
        lambda c, g, x, y: _scale(c, g) * R.clamp((x - y) / c.beta, -1, 1),
        lambda c, g, x, y: _scale(c, g) * R.clamp((y - x) / c.beta, -1, 1),
    ],
    save=(0, 1),
    needs_ctx=True,
    arrays=True,
)


def _huber(ctx, x, y, reduction, delta):
    ctx.delta = delta
    a = np.abs(x - y)
    return _reduce(ctx, np.where(a < delta, 0.5 * a * a, delta * (a - 0.5 * delta)), reduction)


huber_loss = defop(
    "HuberLossBackward0",
    _huber,
    [
        lambda c, g, x, y: _scale(c, g) * R.clamp(x - y, -c.delta, c.delta),
        lambda c, g, x, y: _scale(c, g) * R.clamp(y - x, -c.delta, c.delta),
    ],
    save=(0, 1),
    needs_ctx=True,
    arrays=True,
)


# -- binary classification -------------------------------------------------------------------------
def _bce(ctx, x, t, reduction, weight):
    # torch checks each element's input, then its target; NaN fails both comparisons
    x_ok = (x >= 0) & (x <= 1)
    ok = x_ok & (t >= 0) & (t <= 1)
    if not np.all(ok):
        first = int(np.argmin(ok.reshape(-1)))
        which = "input" if not x_ok.reshape(-1)[first] else "target"
        raise RuntimeError(f"all elements of {which} should be between 0 and 1")
    ctx.weight = weight
    with np.errstate(divide="ignore"):
        loss = (t - 1) * np.maximum(np.log(1 - x), -100) - t * np.maximum(np.log(x), -100)
    if weight is not None:
        loss = loss * weight
    return _reduce(ctx, loss, reduction)


binary_cross_entropy = defop(
    "BinaryCrossEntropyBackward0",
    _bce,
    [
        lambda c, g, x, t: _weighted(c, g) * (x - t) / ((1 - x) * x).clamp_min(_EPS),
        lambda c, g, x, t: _weighted(c, g) * ((1 - x).log() - x.log()),
    ],
    save=(0, 1),
    needs_ctx=True,
)


def _bce_logits(ctx, x, t, reduction, weight, pos_weight):
    ctx.weight, ctx.pos_weight = weight, pos_weight
    # softplus(-x) as log(exp(-m) + exp(-x - m)) + m with m = max(-x, 0): no overflow for any x.
    m = np.maximum(-x, 0)
    sp = np.log(np.exp(-m) + np.exp(-x - m)) + m
    if pos_weight is None:
        loss = (1 - t) * x + sp
    else:
        loss = (1 - t) * x + (1 + (pos_weight - 1) * t) * sp
    if weight is not None:
        loss = loss * weight
    return _reduce(ctx, loss, reduction)


def _bce_logits_input_rule(c, g, x, t):
    pw = c.pos_weight
    if pw is None:
        return _weighted(c, g) * (x.sigmoid() - t)
    return _weighted(c, g) * ((1 + (pw - 1) * t) * x.sigmoid() - pw * t)


def _bce_logits_target_rule(c, g, x, t):
    pw = c.pos_weight
    if pw is None:
        return _weighted(c, g) * -x
    return _weighted(c, g) * ((pw - 1) * softplus_neg(x) - x)


binary_cross_entropy_with_logits = defop(
    "BinaryCrossEntropyWithLogitsBackward0",
    _bce_logits,
    [_bce_logits_input_rule, _bce_logits_target_rule],
    save=(0, 1),
    needs_ctx=True,
)


def _soft_margin(ctx, x, y, reduction):
    with np.errstate(over="ignore"):
        return _reduce(ctx, np.log1p(np.exp(-y * x)), reduction)


def _soft_margin_rule(c, g, x, y):
    z = (-y * x).exp()
    return _scale(c, g) * -y * z / (1 + z)


soft_margin_loss = defop(
    "SoftMarginLossBackward0", _soft_margin, [_soft_margin_rule], save=(0, 1), needs_ctx=True
)


# -- classification over C classes -----------------------------------------------------------------
def _pick(x2, idx):
    """``x2[n, idx[n, 0], ...]``: each row's entry at its target class."""
    if x2.ndim == 2:  # plain fancy indexing: take_along_axis's Python wrapper costs more here
        return x2[np.arange(len(x2)), idx[:, 0]]
    return np.take_along_axis(x2, idx, 1)[:, 0]


_I64, _U64 = np.dtype(np.int64), np.dtype(np.uint64)
_max = np.maximum.reduce  # the ufunc's own: ndarray.max goes through a Python wrapper


def _below(t: np.ndarray, n: int) -> bool:
    """Whether every class index in ``t`` lies in [0, n): one reduction, negative int64 indices
    read as huge unsigned ones."""
    return _max(t.view(_U64) if t.dtype == _I64 else t, axis=None) < n


_OFFSETS: dict = {}  # (N, C) -> each row's start in the flattened (N, C) array


def _row_offsets(n: int, c: int) -> np.ndarray:
    off = _OFFSETS.get((n, c))
    if off is None:
        if len(_OFFSETS) > 64:  # a few batch shapes recur; anything more is not worth keeping
            _OFFSETS.clear()
        off = _OFFSETS[n, c] = np.arange(0, n * c, c)
        off.flags.writeable = False
    return off


def _nll(ctx, x, target, weight, reduction, ignore_index):
    """``x``: (N, C, *d) log-probabilities (or (C,)); ``target``: (N, *d) class indices (or ())."""
    if (
        reduction
        and weight is None
        and x.ndim == 2
        and target.size
        and not 0 <= ignore_index < x.shape[1]
        and _below(target, x.shape[1])
    ):
        # A classification step's case, every target a valid class and no weights: one pick
        # by flat index, and the backward scatters one value (the mean divides by the count,
        # exactly as by the sum of unit weights).
        n = target.size
        flat = _row_offsets(n, x.shape[1]) + target
        ctx.reduction, ctx.flat, ctx.shape2 = reduction, flat, x.shape
        # The scalars in Python's float, each rounded once to x's dtype: a double's difference
        # or quotient of two floats rounds as float32's (or float16's) own (and costs less than
        # NumPy's scalar arithmetic). 0 - sum: +0 (not -0) when the picks sum to zero.
        scalar = x.dtype.type
        ctx.coef = scalar(-1.0 / n if reduction == MEAN else -1.0)
        out = 0.0 - float(np.add.reduce(x.reshape(-1)[flat], axis=None))
        return scalar(out / n if reduction == MEAN else out)
    ctx.flat = None
    x2 = x if x.ndim > 1 else x[None]
    t2 = target if x.ndim > 1 else target.reshape(1)
    n_classes = x2.shape[1]
    if t2.size and not 0 <= ignore_index < n_classes and _below(t2, n_classes):
        # The usual case, every target a valid class: nothing is ignored (one reduction
        # instead of the five masks below; this runs in every classification step).
        idx = t2[:, None]
        if weight is None:  # every weight 1: the mean divides by the count, exactly as by sum(w)
            loss = -_pick(x2, idx)
            n = loss.size
            ctx.reduction, ctx.idx, ctx.shape2 = reduction, idx, x2.shape
            one = x.dtype.type(1)
            coef = np.empty(loss.shape, x.dtype)  # np.full's wrapper costs more than this
            coef.fill(-one / n if reduction == MEAN else -one)
            ctx.coef = coef
            if reduction == NONE:
                return loss.reshape(target.shape)
            out = np.add.reduce(loss, axis=None)
            return out / x.dtype.type(n) if reduction == MEAN else out
        w = weight[t2]
    else:
        keep = t2 != ignore_index
        bad = keep & ((t2 < 0) | (t2 >= n_classes))
        if bad.any():
            raise IndexError(f"Target {t2[bad][0]} is out of bounds.")
        idx = np.where(keep, t2, 0)[:, None]
        w = keep.astype(x.dtype) if weight is None else np.where(keep, weight[idx[:, 0]], 0)
    loss = _pick(x2, idx) * -w
    if reduction == NONE:
        out = loss.reshape(target.shape)
        total = None
    else:
        out = np.add.reduce(loss, axis=None)
        if reduction == MEAN:
            total = np.add.reduce(w, axis=None)
            if total:
                out = out / total
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    out = out / total
    ctx.reduction, ctx.idx, ctx.shape2 = reduction, idx, x2.shape
    # Ignored targets (weight 0) get no gradient, even when every target is ignored (total 0).
    ctx.coef = -w / total if reduction == MEAN and total else -w
    return out


def _nll_rule(c, g):
    # NLL is linear in its input: the gradient is a constant array times the output gradient, so
    # one multiplication (differentiable in g) is the whole rule.
    if c.flat is not None:  # the reduced 2-d case without weights: one coefficient
        dense = np.zeros(c.shape2, c.coef.dtype)
        if type(g) is np.ndarray and not g.ndim and g.dtype == dense.dtype and 0 < float(g) < _INF:
            # g * dense, but only the picked entries multiplied (g * 0 is 0 for such g); the
            # product of two floats in Python's float is exact, rounded once
            value = dense.dtype.type(float(g) * float(c.coef))
            dense.reshape(-1)[c.flat] = value
            child = c.next_functions[0][0]
            if type(child) is log_softmax.node and child.dim == 1 and not c._hooked:
                # each row of dense sums to value: log-softmax's rule, next, need not sum them
                # (it checks that it gets this very array, and that no hook has seen it)
                child.row_sum = (weakref.ref(dense), value)  # (not kept if never taken)
            return dense
        dense.reshape(-1)[c.flat] = c.coef
        return g * R.lift(g, dense)
    dense = np.zeros(c.shape2, c.coef.dtype)
    if dense.ndim == 2:  # (N, C): plain fancy indexing, a third of put_along_axis's cost
        dense[np.arange(len(dense)), c.idx[:, 0]] = c.coef
    else:
        np.put_along_axis(dense, c.idx, c.coef[:, None], 1)
    if c.reduction == NONE:
        shape = c.coef.shape
        g = g.reshape(shape[:1] + (1,) + shape[1:])
    out = g * R.lift(g, dense)
    shape = c.input_shape()
    return out if out.shape == shape else out.reshape(shape)


nll_loss = defop("NllLossBackward0", _nll, [_nll_rule], needs_ctx=True, arrays=True)
nll_loss2d = defop("NllLoss2DBackward0", _nll, [_nll_rule], needs_ctx=True, arrays=True)


def _multi_margin(ctx, x, target, weight, reduction, p, margin):
    x2 = x if x.ndim > 1 else x.reshape(1, -1)
    t = target.reshape(-1)
    if ((t < 0) | (t >= x2.shape[1])).any():
        raise RuntimeError("target out of range")
    idx = t[:, None]
    own = np.zeros(x2.shape, bool)
    np.put_along_axis(own, idx, True, 1)
    z = margin - np.take_along_axis(x2, idx, 1) + x2
    # a term counts where it is positive, as torch's (z > 0): a NaN one is skipped, not spread
    nan = np.isnan(z)
    skip = own | nan if nan.any() else own
    z = np.where(z > 0, z, 0)
    z[own] = 0
    h = z * z if p == 2 else z
    if weight is not None:
        h = h * weight[t][:, None]
    ctx.idx, ctx.own, ctx.skip, ctx.shape2 = idx, own, skip, x2.shape
    ctx.weight, ctx.p, ctx.margin = weight, p, margin
    loss = h.sum(1) / x2.shape[1]
    # unreduced, one loss per sample, or a 0-d one for a 0-d target (whatever the input)
    return _reduce(ctx, loss if target.ndim else loss.reshape(()), reduction)


def _multi_margin_rule(c, g, x):
    x2 = x.reshape(c.shape2)
    own = x.new_tensor(c.own)
    z = (c.margin - x2.gather(1, x.new_tensor(c.idx)) + x2).masked_fill(x.new_tensor(c.skip), 0)
    d = 2 * z.clamp_min(0) if c.p == 2 else (z > 0).to(x.dtype)
    d = d / c.shape2[1]
    if c.weight is not None:
        d = d * x.new_tensor(c.weight[c.idx])
    # (own * sum would be 0 * inf = nan off the target where a term is infinite)
    d = d - (own * d.sum(1, keepdim=True)).masked_fill(~own, 0)
    g = _scale(c, g)
    return (d * (g.reshape(-1, 1) if g.ndim else g)).reshape(c.input_shape())


multi_margin_loss = defop(
    "MultiMarginLossBackward0", _multi_margin, [_multi_margin_rule], save=(0,), needs_ctx=True
)


def _multilabel_margin(ctx, x, target, reduction):
    x2 = x if x.ndim > 1 else x.reshape(1, -1)
    t2 = target if target.ndim > 1 else target.reshape(1, -1)
    n, c = x2.shape
    if ((t2 < -1) | (t2 >= c)).any():
        raise RuntimeError("argument #2 'target' is out of range")
    # The targets of a row are the indices before its first -1.
    valid = np.cumprod(t2 >= 0, axis=1).astype(bool)
    tidx = np.where(valid, t2, 0)
    is_target = np.zeros((n, c), bool)
    rows = np.nonzero(valid)[0]
    is_target[rows, tidx[valid]] = True
    xj = np.take_along_axis(x2, tidx, 1)
    z = 1 - xj[:, :, None] + x2[:, None, :]
    active = (z > 0) & valid[:, :, None] & ~is_target[:, None, :]
    loss = np.where(active, z, 0).sum((1, 2)) / c
    # Piecewise linear: the gradient is a constant coefficient array times the output gradient.
    coef = active.sum(1).astype(x.dtype)
    np.add.at(coef, (np.arange(n)[:, None], tidx), -active.sum(2) * valid)
    ctx.coef = coef / c
    return _reduce(ctx, loss if x.ndim > 1 else loss.reshape(()), reduction)


def _multilabel_margin_rule(c, g):
    g = _scale(c, g)
    grad = g.new_tensor(c.coef) * (g.reshape(-1, 1) if g.ndim else g)
    return grad.reshape(c.input_shape())


multilabel_margin_loss = defop(
    "MultilabelMarginLossBackward0", _multilabel_margin, [_multilabel_margin_rule], needs_ctx=True
)


# -- connectionist temporal classification ---------------------------------------------------------
def _ctc(ctx, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    """Per-sample negative log-likelihoods of (T, N, C) ``log_probs`` by forward-backward.

    Runs in float64 log space, one time step at a time and vectorised over the batch and the
    extended label sequence (blanks between and around the labels).
    """
    lp = log_probs.astype(np.float64)
    tmax, n, _ = lp.shape
    lmax = int(target_lengths.max()) if n else 0
    s_len = 2 * lmax + 1
    labels = np.full((n, lmax), blank, np.int64)
    if targets.ndim == 1:
        offsets = np.concatenate([[0], np.cumsum(target_lengths)[:-1]])
        for b in range(n):
            labels[b, : target_lengths[b]] = targets[offsets[b] : offsets[b] + target_lengths[b]]
    else:
        for b in range(n):
            labels[b, : target_lengths[b]] = targets[b, : target_lengths[b]]
    ext = np.full((n, s_len), blank, np.int64)
    ext[:, 1::2] = labels
    s = np.arange(s_len)
    in_seq = s[None, :] < (2 * target_lengths[:, None] + 1)
    # s may come from s - 2 when it is a label differing from the label two back.
    skip = np.zeros((n, s_len), bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    rows = np.arange(n)[:, None]
    emit = lp[:, rows, ext]  # (T, N, S): log-prob of each extended label at each step

    neg = -np.inf
    alpha = np.full((tmax, n, s_len), neg)
    alpha[0, :, 0] = emit[0, :, 0]
    alpha[0, :, 1:2] = np.where(target_lengths[:, None] > 0, emit[0, :, 1:2], neg)
    for t in range(1, tmax):
        prev = alpha[t - 1]
        a1 = np.concatenate([np.full((n, 1), neg), prev[:, :-1]], 1)
        # (sliced to s_len: with no labels at all, s_len is 1 and prev[:, :-2] is empty)
        a2 = np.concatenate([np.full((n, 2), neg), prev[:, :-2]], 1)[:, :s_len]
        a2 = np.where(skip, a2, neg)
        alpha[t] = np.where(in_seq, _lse3(prev, a1, a2) + emit[t], neg)

    last = input_lengths - 1
    end = alpha[np.maximum(last, 0), np.arange(n)]  # (N, S)
    tl2 = 2 * target_lengths
    fin = np.logaddexp(
        end[np.arange(n), tl2],
        np.where(target_lengths > 0, end[np.arange(n), np.maximum(tl2 - 1, 0)], neg),
    )
    nll = np.where(input_lengths > 0, -fin, np.where(target_lengths > 0, np.inf, 0.0))

    beta = np.full((tmax, n, s_len), neg)
    init = np.full((n, s_len), neg)
    init[np.arange(n), np.maximum(tl2 - 1, 0)] = np.where(target_lengths > 0, 0, neg)
    init[np.arange(n), tl2] = 0
    skip_next = np.zeros((n, s_len), bool)
    skip_next[:, :-2] = skip[:, 2:]
    nxt = np.full((n, s_len), neg)
    for t in range(tmax - 1, -1, -1):
        b1 = np.concatenate([nxt[:, 1:], np.full((n, 1), neg)], 1)
        b2 = np.concatenate([nxt[:, 2:], np.full((n, 2), neg)], 1)[:, :s_len]
        b2 = np.where(skip_next, b2, neg)
        here = np.where((t == last)[:, None], init, _lse3(nxt, b1, b2))
        here = np.where((t <= last)[:, None] & in_seq, here + emit[t], neg)
        beta[t] = nxt = here

    grad = _ctc_grad(lp, alpha + beta, ext, nll, input_lengths, zero_infinity)
    ctx.grad = grad.astype(log_probs.dtype)
    # zero_infinity zeroes the gradient of an impossible alignment here; its inf loss stays, as
    # torch's kernel leaves it (nn.functional.ctc_loss replaces it with 0 after)
    return nll.astype(log_probs.dtype)


def _lse3(a, b, c):
    m = np.maximum(np.maximum(a, b), c)
    safe = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(a - safe) + np.exp(b - safe) + np.exp(c - safe)) + safe


def _ctc_grad(lp, ab, ext, nll, input_lengths, zero_infinity):
    """torch's CTC gradient: ``exp(lp) - exp(log sum_{s: ext_s = c} alpha beta + nll - lp)``.

    It is the gradient with respect to the logits of a log-softmax (torch's convention), zero past
    each sample's input length.
    """
    tmax, n, c = lp.shape
    m = ab.max(2, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    onehot = np.zeros((n, ext.shape[1], c))
    np.put_along_axis(onehot, ext[:, :, None], 1.0, 2)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        occ = np.log(np.einsum("tns,nsc->tnc", np.exp(ab - m), onehot)) + m
        grad = np.exp(lp) - np.exp(occ + nll[None, :, None] - lp)
    grad[np.arange(tmax)[:, None] >= input_lengths[None, :]] = 0
    if zero_infinity:
        grad[:, np.isinf(nll)] = 0
    return grad


def _ctc_rule(c, g):
    g = g.reshape(1, -1, 1) if c.batched else g.reshape(1, 1)
    return g * g.new_tensor(c.grad if c.batched else c.grad[:, 0])


def _ctc_forward(ctx, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    batched = log_probs.ndim == 3
    ctx.batched = batched
    if not batched:
        log_probs = log_probs[:, None]
        targets = targets[None] if targets.ndim else targets
    return _ctc(ctx, log_probs, targets, input_lengths, target_lengths, blank, zero_infinity)[
        slice(None) if batched else 0
    ]


ctc_loss = defop("CtcLossBackward0", _ctc_forward, [_ctc_rule], needs_ctx=True)
