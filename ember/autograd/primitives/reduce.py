"""Reductions, cumulative ops and softmax: forward on arrays, derivative rules beside them.

``dim`` arrives normalised: a tuple of non-negative axes, or None for all of them.
"""

from __future__ import annotations

import math

import numpy as np

from . import OUT, defop
from . import rule_ops as R

_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def _kept(c, g):
    """``g`` reshaped so that it broadcasts against the input (the reduced axes kept as 1)."""
    if c.keepdim or not g.ndim:  # a 0-d gradient broadcasts as it is
        return g
    shape = c.input_shape()
    dims = range(len(shape)) if c.dim is None else c.dim
    kept = list(g.shape)
    for d in sorted(dims):
        kept.insert(d, 1)
    return g.reshape(kept)


def _count(c) -> int:
    shape = c.input_shape()
    dims = range(len(shape)) if c.dim is None else c.dim
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _reduction(name, fn, rule, save=(), extra=None, arrays=True):
    def forward(ctx, x, dim, keepdim, **kw):
        ctx.dim, ctx.keepdim = dim, keepdim
        if extra:
            extra(ctx, kw)
        return fn(x, dim, keepdim, **kw)

    return defop(name, forward, [rule], save=save, needs_ctx=True, arrays=arrays)


def _sum(x, dim, keepdim, dtype=None):
    return np.add.reduce(x, axis=dim, keepdims=keepdim, dtype=dtype)  # np.sum's wrapper costs more


def _sum_rule(c, g):
    return R.expand(_kept(c, g), c.input_shape())


def _mean_rule(c, g):
    g, n = _kept(c, g), _count(c)
    if R.is_array(g) and g.dtype == np.float16 and n:  # in float32, as torch: NumPy would
        g = (g.astype(np.float32) / n).astype(np.float16)  # round the count to float16
    else:
        g = g / n
    return R.expand(g, c.input_shape())


def _sum_all(x, dim=None, keepdim=False, dtype=None):
    return np.add.reduce(x, axis=None, dtype=dtype)


_FILL_MAX = 4096  # inputs up to this size get a filled gradient, larger ones a zero-stride view


def _real_array(g) -> bool:
    """A real floating NumPy array or scalar (a plain backward's gradient, not a Tensor)."""
    return (type(g) is np.ndarray or isinstance(g, np.floating)) and g.dtype.kind == "f"


def _filled(g, shape: tuple, n: int, divisor: int):
    """``g / divisor`` broadcast to ``shape`` (``n`` elements) as a new array, or None where a
    view is better. A small filled array is what a leaf takes as its ``.grad`` without a copy,
    and costs less than building the view. The quotient is taken in Python's float: a double's
    quotient of two floats rounds to float32 (or float16) as their own division does."""
    if _real_array(g) and 0 < n <= _FILL_MAX:
        out = np.empty(shape, g.dtype)
        out.fill(float(g) / divisor if divisor != 1 else g)
        return out
    return None


def _sum_all_rule(c, g):
    shape = c.input_shape()
    n = math.prod(shape)
    out = _filled(g, shape, n, 1)
    return R.expand(g, shape) if out is None else out


def _mean_all_rule(c, g):
    shape = c.input_shape()
    n = math.prod(shape)
    out = _filled(g, shape, n, n)
    if out is None:  # an empty input's gradient is empty: no division by its zero count
        if n and _real_array(g):  # as _filled (float16: NumPy would round n to float16 first)
            g = np.asarray(float(g) / n, g.dtype)
        elif n:
            g = g / n
        out = R.expand(g, shape)
    return out


# The whole tensor's sum and mean keep nothing on the node (their rules read only the input's
# shape), so the functions record them without apply's generic path (``recorded``).
sum_all = defop("SumBackward0", _sum_all, [_sum_all_rule], arrays=True)
sum_dim = _reduction("SumBackward1", _sum, _sum_rule)


def _mean(x, dim, keepdim, dtype=None):
    # np.add.reduce and a division: np.mean's Python wrapper costs more than the sum itself.
    if dim is None and dtype is None and x.size > 1 and (x.dtype == _F32 or x.dtype == _F64):
        # the common case, the division below without its dtype argument and conversions
        return np.add.reduce(x, axis=None, keepdims=keepdim) / x.dtype.type(x.size)
    n = x.size if dim is None else int(np.prod([x.shape[d] for d in dim]))
    acc = np.float32 if dtype is None and x.dtype == np.float16 else dtype  # as np.mean
    out = np.add.reduce(x, axis=dim, keepdims=keepdim, dtype=acc)
    if n == 0:  # the mean of nothing is nan, without NumPy's warning (as torch)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.true_divide(out, n, dtype=out.dtype)
    elif n != 1:  # dividing by n >= 2 can neither overflow nor make a nan: no errstate needed
        out = np.true_divide(out, n, dtype=out.dtype)
    return np.asarray(out).astype(dtype or x.dtype, copy=False)


mean_all = defop(
    "MeanBackward0",
    lambda x, dim=None, keepdim=False: _mean(x, None, False),
    [_mean_all_rule],
    arrays=True,
)
mean_dim = _reduction("MeanBackward1", _mean, _mean_rule)


def _prod(x, dim, keepdim, dtype=None):
    return np.prod(x, axis=dim, keepdims=keepdim, dtype=dtype)


def _prod_rule(c, g, x, out):
    # d prod / d x_i is the product of the others; division by x_i fails at zeros, so the product
    # of the others is built from exclusive cumulative products when zeros are present.
    g, x = _kept(c, g), R.conj(x)  # complex: the conjugate derivative, as every rule
    if not (x == 0).any().item():
        return g * R.conj(_kept(c, out)) / x
    if c.dim is None:
        flat = x.reshape(-1)
        return g * _others_product(flat, 0).reshape(x.shape)
    return g * _others_product(x, c.dim[0])


def _others_product(x, dim):
    n = x.shape[dim]
    first = x.narrow(dim, 0, 1)
    ones = first.new_ones(first.shape)
    left = ones._cat_with(x.narrow(dim, 0, n - 1).cumprod(dim), dim)
    right = x.flip(dim).narrow(dim, 0, n - 1).cumprod(dim).flip(dim)
    right = right._cat_with(ones, dim)
    return left * right


prod_all = _reduction("ProdBackward0", _prod, _prod_rule, save=(0, OUT), arrays=False)
prod_dim = _reduction("ProdBackward1", _prod, _prod_rule, save=(0, OUT), arrays=False)


def _extreme_rule(c, g, x, out):
    # Every position holding the extreme value shares the gradient equally, as torch does.
    mask = x == _kept(c, out)
    return _kept(c, g) * mask / R.sum_keepdim(mask, c.dim)


def _amax(x, dim, keepdim):
    return np.amax(x, axis=dim, keepdims=keepdim)


def _amin(x, dim, keepdim):
    return np.amin(x, axis=dim, keepdims=keepdim)


max_all = _reduction("MaxBackward1", _amax, _extreme_rule, save=(0, OUT))
min_all = _reduction("MinBackward1", _amin, _extreme_rule, save=(0, OUT))
amax = _reduction("AmaxBackward0", _amax, _extreme_rule, save=(0, OUT))
amin = _reduction("AminBackward0", _amin, _extreme_rule, save=(0, OUT))


def _arg_extreme(fn_arg, fn_take):
    def forward(ctx, x, dim, keepdim):
        if x.ndim == 0:  # a 0-d tensor is its own extreme, at index 0
            ctx.dim, ctx.keepdim, ctx.indices = (), keepdim, None
            return x.copy(), np.zeros((), np.int64)
        idx = fn_arg(x, axis=dim, keepdims=True)
        # NaN wins, as torch: argmax/argmin return the first NaN when there is one.
        if x.dtype.kind == "f":
            nan = np.isnan(x)
            if nan.any():
                has = nan.any(axis=dim, keepdims=True)
                idx = np.where(has, np.argmax(nan, axis=dim, keepdims=True), idx)
        values = np.take_along_axis(x, idx, axis=dim)
        ctx.dim, ctx.keepdim, ctx.indices = (dim,), keepdim, idx
        if not keepdim:
            values, idx = values.squeeze(dim), idx.squeeze(dim)
        return values, idx

    return forward


def _indexed_rule(c, grads):
    g = grads[0]
    if g is None or not c.dim:
        return g
    return g.new_zeros(c.input_shape()).scatter(c.dim[0], g.new_tensor(c.indices), _kept(c, g))


max_dim = defop(
    "MaxBackward0",
    _arg_extreme(np.argmax, np.amax),
    [_indexed_rule],
    needs_ctx=True,
    num_outputs=2,
    differentiable_outputs=(0,),
)
min_dim = defop(
    "MinBackward0",
    _arg_extreme(np.argmin, np.amin),
    [_indexed_rule],
    needs_ctx=True,
    num_outputs=2,
    differentiable_outputs=(0,),
)


def _var(x, dim, keepdim, correction, sqrt=False):
    # Accumulated in float64 as torch does, so that std of values near 1e30 stays finite in
    # float32 even when their variance overflows it.
    n = x.size if dim is None else int(np.prod([x.shape[d] for d in dim]))
    complex_ = x.dtype.kind == "c"
    wide = x
    if x.dtype.kind == "f" and x.dtype.itemsize < 8:
        wide = x.astype(np.float64)
    elif complex_ and x.dtype.itemsize < 16:
        wide = x.astype(np.complex128)
    if n == x.size:  # torch's whole-tensor var takes the mean in the input's dtype
        mean = np.mean(x, axis=dim, keepdims=True).astype(wide.dtype)
    else:
        mean = np.mean(wide, axis=dim, keepdims=True)
    d = wide - mean
    sq = np.sum(d.real**2 + d.imag**2 if complex_ else np.square(d), axis=dim, keepdims=keepdim)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = sq / max(n - correction, 0)
        # a complex input's variance is real: |x - mean|^2 averaged
        dtype = x.real.dtype if complex_ else x.dtype
        return (np.sqrt(out) if sqrt else out).astype(dtype, copy=False)


def _keep_correction(ctx, kw):
    ctx.correction = kw["correction"]


var = _reduction(
    "VarBackward0",
    _var,
    lambda c, g, x: (
        _kept(c, g) * 2 * (x - x.mean(c.dim, keepdim=True)) / (_count(c) - c.correction)
    ),
    save=(0,),
    extra=_keep_correction,
    arrays=False,
)
std = _reduction(
    "StdBackward0",
    lambda x, dim, keepdim, correction: _var(x, dim, keepdim, correction, sqrt=True),
    lambda c, g, x, out: (
        _kept(c, g)
        * (x - x.mean(c.dim, keepdim=True))
        / (_kept(c, out) * (_count(c) - c.correction))
    ).masked_fill(_kept(c, out) == 0, 0),  # torch: zero gradient where the std is 0 (not 0 / 0)
    save=(0, OUT),
    extra=_keep_correction,
    arrays=False,
)


def _logsumexp(x, dim, keepdim):
    m = np.amax(x, axis=dim, keepdims=True, initial=-np.inf)  # an empty sum is log(0) = -inf
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dim)


logsumexp = _reduction(
    "LogsumexpBackward0",
    _logsumexp,
    lambda c, g, x, out: _kept(c, g) * R.conj(R.exp(x - _kept(c, out))),
    save=(0, OUT),
)


def _cumulative(fn):
    def forward(ctx, x, dim, dtype=None):
        ctx.dim = dim
        if x.ndim == 0:  # a 0-d tensor is its own running sum/product
            return x.astype(dtype or x.dtype)
        return fn(x, axis=dim, dtype=dtype)

    return forward


def _cumsum_rule(c, g):
    if g.ndim == 0:
        return g
    return g.flip(c.dim).cumsum(c.dim).flip(c.dim)


cumsum = defop("CumsumBackward0", _cumulative(np.cumsum), [_cumsum_rule], needs_ctx=True)


def _cumprod_rule(c, g, x, out):
    d = c.dim
    if x.ndim == 0:
        return g
    x = R.conj(x)
    if not (x == 0).any().item():
        return (g * R.conj(out)).flip(d).cumsum(d).flip(d) / x
    # With zeros: sum over k >= i of g_k * prod_{j<=k, j!=i} x_j, done position by position.
    n = x.shape[d]
    cols = []
    for i in range(n):
        xi = x.narrow(d, i, n - i)
        prefix = x.narrow(d, 0, i).prod(d, keepdim=True) if i else None
        rest = xi.narrow(d, 1, n - i - 1).cumprod(d) if n - i > 1 else None
        head = xi.narrow(d, 0, 1)
        ones = head.new_ones(head.shape)
        tail = ones if rest is None else ones._cat_with(rest, d)
        if prefix is not None:
            tail = tail * prefix
        cols.append((g.narrow(d, i, n - i) * tail).sum(d, keepdim=True))
    out_g = cols[0]
    for col in cols[1:]:
        out_g = out_g._cat_with(col, d)
    return out_g


cumprod = defop(
    "CumprodBackward0", _cumulative(np.cumprod), [_cumprod_rule], save=(0, OUT), needs_ctx=True
)


# Softmax and log-softmax are fused rather than composed from exp/sum/div: subtracting the max
# keeps them finite for any logits, and the fused rules need only the output.
def _row_max(x, dim):
    # The ufuncs' own reduce: np.amax's Python wrapper costs more than 32x10 of work. An initial
    # value (for an empty dim) slows the reduction by a third, so only when needed.
    if x.ndim and x.shape[dim] == 0:
        return np.maximum.reduce(x, axis=dim, keepdims=True, initial=-np.inf)
    if x.ndim == 2 and dim == 1 and x.shape[1] <= 16 and x.shape[0] >= 16:
        # Short rows (a classifier's logits): NumPy's row-by-row max costs per row more than
        # one copy to column-major and an elementwise max down its columns (exact either way).
        return np.maximum.reduce(x.T.copy(), axis=0)[:, None]
    return np.maximum.reduce(x, axis=dim, keepdims=True)


def _softmax(ctx, x, dim):
    ctx.dim = dim
    e = np.exp(x - _row_max(x, dim))
    e /= np.add.reduce(e, axis=dim, keepdims=True)
    return e


def _log_softmax(ctx, x, dim):
    ctx.dim = dim
    shifted = x - _row_max(x, dim)
    shifted -= np.log(np.add.reduce(np.exp(shifted), axis=dim, keepdims=True))
    return shifted


softmax = defop(
    "SoftmaxBackward0",
    _softmax,
    [lambda c, g, y: y * (g - R.sum_keepdim(g * y, c.dim))],
    save=(OUT,),
    needs_ctx=True,
    arrays=True,
)


def _log_softmax_rule(c, g, y):
    if type(g) is np.ndarray and y.ndim and g.dtype == y.dtype:
        # A plain backward: the same operations, into one new array.
        d = np.exp(y)
        known = c.__dict__.pop("row_sum", None)
        if known is not None and known[0]() is g and not c._hooked:
            # g is, untouched, the gradient nll's rule made, one value per row: its row sums
            # are that value exactly, so no sum is taken (a classification step's backward)
            d *= known[1]
        else:
            d *= np.add.reduce(g, axis=c.dim, keepdims=True)
        return np.subtract(g, d, out=d)
    return g - R.exp(y) * R.sum_keepdim(g, c.dim)


log_softmax = defop(
    "LogSoftmaxBackward0",
    _log_softmax,
    [_log_softmax_rule],
    save=(OUT,),
    needs_ctx=True,
    arrays=True,
)
