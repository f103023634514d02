"""Primitives for ops that could be composed from others but that torch records as one node.

``grad_fn`` names are part of the API users see (tensor reprs, ``next_functions``), so these
run what the composition would as one node under torch's name: max-unpooling and fractional max
pooling (a scatter to, or a gather from, flat in-plane positions), ``pdist``, ``embedding_bag``,
``rrelu``, ``_weight_norm``, ``bilinear`` (TrilinearBackward0), the pixel and channel shuffles;
and the in-place activations' own node names (LeakyReluBackward1...). The rules are written with
Tensor methods, so double backward works through each.
"""

from __future__ import annotations

import math

import numpy as np

from . import OUT, defop
from . import nn as N
from . import rule_ops as R
from .linalg_decomp import _vector_norm, _vector_norm_rule
from .shape import renamed


# --- index pooling: values scattered to, or gathered from, flat in-plane positions ---------------
def _lead(shape, nd: int) -> tuple:
    return tuple(shape[: len(shape) - nd])


def _gather_planes(x, indices: np.ndarray, nd: int):
    """``x`` (*lead, *spatial) read at the flat in-plane ``indices`` (*lead, *out)."""
    lead = _lead(x.shape, nd)
    return (
        x.reshape(*lead, -1)
        .gather(-1, x.new_tensor(indices.reshape(*lead, -1)))
        .reshape(indices.shape)
    )


def _scatter_planes(g, indices: np.ndarray, shape: tuple, nd: int):
    """The adjoint of ``_gather_planes``: ``g`` summed into zeros of ``shape`` at ``indices``."""
    lead = _lead(shape, nd)
    flat = g.new_zeros((*lead, math.prod(shape[len(lead) :])))
    idx = g.new_tensor(indices.reshape(*lead, -1))
    return flat.scatter_add(-1, idx, g.reshape(*lead, -1)).reshape(shape)


def _unpool(ctx, x, indices, size):
    """``x`` put into zeros of spatial ``size`` at the flat in-plane ``indices``."""
    ctx.indices, ctx.nd = indices, len(size)
    lead = _lead(x.shape, len(size))
    out = np.zeros((*lead, math.prod(size)), x.dtype)
    np.put_along_axis(out, indices.reshape(*lead, -1), x.reshape(*lead, -1), -1)
    return out.reshape(*lead, *size)


def _fractional(ctx, x, indices, nd):
    """Each window's winner: ``x`` read at the flat in-plane ``indices`` (*lead, *out)."""
    ctx.indices, ctx.nd = indices, nd
    lead = _lead(x.shape, nd)
    flat = np.take_along_axis(x.reshape(*lead, -1), indices.reshape(*lead, -1), -1)
    return flat.reshape(indices.shape)


_POOL = {}


def max_unpool(nd: int):
    """MaxUnpool{nd}DBackward0: (x, indices=, size=) -> x put at its indices of each plane."""
    name = f"MaxUnpool{nd}DBackward0"
    if name not in _POOL:
        rule = lambda c, g: _gather_planes(g, c.indices, c.nd)  # noqa: E731
        _POOL[name] = defop(name, _unpool, [rule], needs_ctx=True)
    return _POOL[name]


def fractional_max_pool(nd: int):
    """FractionalMaxPool{nd}DBackward0: (x, indices=, nd=) -> x at the windows' winners."""
    name = f"FractionalMaxPool{nd}DBackward0"
    if name not in _POOL:
        rule = lambda c, g: _scatter_planes(g, c.indices, c.input_shape(), c.nd)  # noqa: E731
        _POOL[name] = defop(name, _fractional, [rule], needs_ctx=True)
    return _POOL[name]


# --- pdist --------------------------------------------------------------------------------------
def _pdist(ctx, x, p):
    i, j = np.triu_indices(x.shape[0], 1)
    ctx.pairs = (i, j)
    return _vector_norm(ctx, x[i] - x[j], p, (1,), False)


def _pdist_rule(c, g, x, dist):
    i, j = (g.new_tensor(a) for a in c.pairs)
    if c.ord == 0:  # torch's gradient is zeros here, where the norm's is undefined
        return g.new_zeros(x.shape)
    diff = x.index_select(0, i) - x.index_select(0, j)
    if c.ord == float("inf"):  # every coordinate reaching the maximum gets the whole gradient
        gd = (g.unsqueeze(1) * diff.sign()).masked_fill(diff.abs() != dist.unsqueeze(1), 0)
    else:
        gd = _vector_norm_rule(c, g, diff, dist)
    return g.new_zeros(x.shape).index_add(0, i, gd).index_add(0, j, -gd)


pdist = defop("PdistBackward0", _pdist, [_pdist_rule], save=(0, OUT), needs_ctx=True)


# --- embedding_bag ------------------------------------------------------------------------------
# params: rows (the weight row of each used position), bag_of (its bag), keep (its position in
# the input, for per_sample_weights), bags (the bag count), mode ("sum", "mean" or "max").
def _bag(ctx, w, psw, rows, bag_of, keep, bags, mode):
    ctx.rows, ctx.bag_of, ctx.keep, ctx.mode = rows, bag_of, keep, mode
    out = np.zeros((bags, w.shape[1]), w.dtype)
    if mode == "max":
        ctx.winners, ctx.win_bags = winners, bags_won = _bag_winners(w, rows, bag_of)
        out[bags_won] += np.take_along_axis(w, winners, 0)
        return out
    vals = w[rows]
    if psw is not None:
        vals = vals * psw[keep][:, None]
    np.add.at(out, bag_of, vals)
    if mode == "mean":
        ctx.counts = counts = np.maximum(np.bincount(bag_of, minlength=bags), 1)[:, None]
        out = out / counts.astype(w.dtype)
    return out


def _bag_winners(w: np.ndarray, rows: np.ndarray, bag_of: np.ndarray):
    """Per non-empty bag and column, the weight row holding the maximum (the first such row, or
    the last NaN's), and those bags."""
    if not rows.size:
        return np.zeros((0, w.shape[1]), np.int64), np.zeros(0, np.int64)
    vals = w[rows]
    starts = np.flatnonzero(np.r_[True, bag_of[1:] != bag_of[:-1]])
    best = np.maximum.reduceat(vals, starts, axis=0)
    first = np.where(vals == np.repeat(best, np.diff(np.r_[starts, rows.size]), axis=0),
                     np.arange(rows.size)[:, None], rows.size)  # fmt: skip
    first = np.minimum(np.minimum.reduceat(first, starts, axis=0), rows.size - 1)  # NaN bags
    return rows[first], bag_of[starts]


def _bag_weight_rule(c, g, w, psw):
    zeros = g.new_zeros(c.input_shape(0))
    if c.mode == "max":
        src = g.index_select(0, g.new_tensor(c.win_bags))
        return zeros.scatter_add(0, g.new_tensor(c.winners), src)
    if c.mode == "mean":
        g = g / g.new_tensor(c.counts)
    rows = g.index_select(0, g.new_tensor(c.bag_of))
    if psw is not None:
        rows = rows * psw.index_select(0, g.new_tensor(c.keep)).unsqueeze(1)
    return zeros.index_add(0, g.new_tensor(c.rows), rows)


def _bag_psw_rule(c, g, w, psw):
    per = g.index_select(0, g.new_tensor(c.bag_of)) * w.index_select(0, g.new_tensor(c.rows))
    return g.new_zeros(c.input_shape(1)).index_add(0, g.new_tensor(c.keep), per.sum(1))


embedding_bag = defop(
    "EmbeddingBagBackward0",
    _bag,
    [_bag_weight_rule, _bag_psw_rule],
    save=(0, 1),
    needs_ctx=True,
    uses=((1,), (0,)),
)


# --- rrelu --------------------------------------------------------------------------------------
def _rrelu(ctx, x, noise):
    ctx.noise = noise
    return x * noise


def _rrelu_prim(name):
    return defop(name, _rrelu, [lambda c, g: g * R.lift(g, c.noise)], needs_ctx=True, arrays=True)


# x times its slope (1 where x > 0): drawn per element in training, (lower + upper) / 2 otherwise
rrelu_with_noise = _rrelu_prim("RreluWithNoiseBackward0")
rrelu_with_noise_ = _rrelu_prim("RreluWithNoiseBackward1")  # the in-place form

# torch names the in-place forms of these activations apart: leaky_relu_ records
# LeakyReluBackward1 (selu_ records elu_'s EluBackward1)
INPLACE = {
    p: renamed(p, p.name.replace("Backward0", "Backward1"))
    for p in (N.leaky_relu, N.elu, N.celu, N.threshold)
}


# --- weight norm --------------------------------------------------------------------------------
def _except(ndim: int, dim: int) -> tuple:
    return tuple(d for d in range(ndim) if d != dim)


def _weight_norm(ctx, v, g, dim):
    ctx.others = others = _except(v.ndim, dim)  # read back locally: a no-grad ctx keeps nothing
    norm = _vector_norm(ctx, v, 2.0, others, True)
    return v * (g / norm)


def _norm_of(c, v):
    return v.norm(2, c.others, keepdim=True) if c.others else v.abs()


def _weight_norm_rule_v(c, grad, v, g):
    norm = _norm_of(c, v)
    along = (grad * v).sum(c.others, keepdim=True) if c.others else grad * v
    return grad * (g / norm) - v * (g * along / norm.pow(3))


def _weight_norm_rule_g(c, grad, v, g):
    along = (grad * v).sum(c.others, keepdim=True) if c.others else grad * v
    return along / _norm_of(c, v)


# torch's fused weight norm, which it runs when the kept dim is the first or the last
weight_norm_interface = defop(
    "WeightNormInterfaceBackward0",
    _weight_norm,
    [_weight_norm_rule_v, _weight_norm_rule_g],
    save=(0, 1),
    needs_ctx=True,
)


# --- bilinear -----------------------------------------------------------------------------------
def _trilinear(x1, w, x2):
    """y[n, o] = sum_ij x1[n, i] w[o, i, j] x2[n, j] for x1 (N, I), w (O, I, J), x2 (N, J)."""
    o, i, j = w.shape
    t = (x1 @ w.transpose(1, 0, 2).reshape(i, o * j)).reshape(-1, o, j)
    return np.einsum("noj,nj->no", t, x2)


def _bilinear_inner(g, w):
    """sum_o g[n, o] w[o, i, j]: (N, I, J)."""
    o, i, j = w.shape
    return (g @ w.reshape(o, i * j)).reshape(g.shape[0], i, j)


trilinear = defop(
    "TrilinearBackward0",
    _trilinear,
    [
        lambda c, g, x1, w, x2: (_bilinear_inner(g, w) @ x2.unsqueeze(-1)).squeeze(-1),
        lambda c, g, x1, w, x2: (
            g.mT @ (x1.unsqueeze(2) * x2.unsqueeze(1)).reshape(x1.shape[0], -1)
        ).reshape(g.shape[1], x1.shape[1], x2.shape[1]),  # w's shape: w itself is not kept
        lambda c, g, x1, w, x2: (x1.unsqueeze(1) @ _bilinear_inner(g, w)).squeeze(1),
    ],
    save=(0, 1, 2),
    uses=((1, 2), (0, 2), (0, 1)),
)


# --- pixel shuffles -------------------------------------------------------------------------------
def shuffle_pixels(x, r: int, up: bool):
    """(*, C r^2, H, W) -> (*, C, H r, W r) when ``up``, else the inverse; on arrays or Tensors.

    Channel ``c * r * r + i * r + j`` moves to the pixel at offset ``(i, j)`` of each r x r block.
    """
    *lead, c, h, w = x.shape
    k = len(lead)
    if up:
        y = x.reshape(*lead, c // (r * r), r, r, h, w)
        y = R.permute(y, (*range(k), k, k + 3, k + 1, k + 4, k + 2))
        return y.reshape(*lead, c // (r * r), h * r, w * r)
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    y = R.permute(y, (*range(k), k, k + 2, k + 4, k + 1, k + 3))
    return y.reshape(*lead, c * r * r, h // r, w // r)


def _shuffle_prim(name: str, up: bool):
    def forward(ctx, x, r):
        ctx.r = r
        return np.array(shuffle_pixels(x, r, up))  # a fresh array even where no move is needed

    return defop(
        name, forward, [lambda c, g: shuffle_pixels(g, c.r, not up)], needs_ctx=True, arrays=True
    )


pixel_shuffle = _shuffle_prim("PixelShuffleBackward0", True)
pixel_unshuffle = _shuffle_prim("PixelUnshuffleBackward0", False)


def shuffle_channels(x, groups: int):
    """(N, g*k, *) -> channel ``i*k + j`` moved to ``j*g + i``; on arrays or Tensors."""
    n, c, *rest = x.shape
    y = R.transpose(x.reshape(n, groups, c // groups, *rest), 1, 2)
    return y.reshape(n, c, *rest)


def _channel_shuffle(ctx, x, groups):
    ctx.groups = groups
    return np.ascontiguousarray(shuffle_channels(x, groups))


def _separable_resize(ctx, x, mh, mw):
    ctx.mh, ctx.mw = mh, mw
    return mh @ x @ mw.T


# bicubic resampling as fixed (out, in) maps on H and W: the gradient is the transposed maps
upsample_bicubic2d = defop(
    "UpsampleBicubic2DBackward0",
    _separable_resize,
    [lambda c, g: R.lift(g, c.mh.T) @ g @ R.lift(g, c.mw)],
    needs_ctx=True,
    arrays=True,
)


# the inverse of a shuffle in g groups of k is a shuffle in k groups of g
channel_shuffle = defop(
    "ChannelShuffleBackward0",
    _channel_shuffle,
    [lambda c, g: shuffle_channels(g, g.shape[1] // c.groups)],
    needs_ctx=True,
    arrays=True,
)


# --- pools over an input without a batch dim ------------------------------------------------------
_UNBATCHED: dict = {}


def for_rank(prim, ndim: int, nd: int):
    """``prim`` (an ``nd``-spatial pool, forward and rules on batched arrays), or for an input of
    ``ndim == nd + 1`` dims, its form that adds the batch dim inside: torch's pools take
    (C, *spatial) as it is, recording the pool's node alone (no unsqueeze and squeeze)."""
    if ndim != nd + 1:
        return prim
    got = _UNBATCHED.get(prim)
    if got is None:
        multi = prim.num_outputs != 1
        (rule,) = prim.node.rules

        def forward(ctx, x, **kw):
            out = prim.forward(ctx, x[None], **kw)
            return tuple(o[0] for o in out) if multi else out[0]

        def unbatched_rule(c, g):
            g = tuple(None if t is None else t[None] for t in g) if multi else g[None]
            return rule(c, g)[0]

        got = _UNBATCHED[prim] = defop(
            prim.name,
            forward,
            [unbatched_rule],
            needs_ctx=True,
            num_outputs=prim.num_outputs,
            differentiable_outputs=prim.differentiable_outputs,
            arrays=prim.node.array_rules,
        )
    return got
