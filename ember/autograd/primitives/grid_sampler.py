"""``grid_sample`` and ``affine_grid`` as torch records them: one node each
(GridSampler2DBackward0 / GridSampler3DBackward0, AffineGridGeneratorBackward0).

The sampler's forward plans its taps once on arrays: for each spatial dim the source positions
(folded in by the padding mode), the fraction ``t`` past the first tap and the slope of the
position against the grid. The output is a weighted gather of the taps, each weight a product
over dims of one factor of ``t`` (bilinear: 1 - t and t; bicubic: the four cubic-convolution
weights; nearest: 1).

A plain backward computes both gradients once, on arrays. Under ``create_graph`` they come from
one node, as torch's GridSampler{2,3}DBackwardBackward0, whose rules are written with Tensor
operations on fractions rebuilt as Tensors (their planned values, their slopes against the
grid), so gradients of any order follow.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from . import defop
from .nn import _apply

_CUBIC_A = -0.75  # torch's cubic-convolution coefficient


def cubic_weights(t) -> list:
    """The four cubic-convolution weights of the taps at -1, 0, 1, 2 from a point ``t`` in
    [0, 1) past tap 0; arithmetic only, so ``t`` may be an array or a Tensor (with its grad)."""
    a = _CUBIC_A
    return [
        ((a * (t + 1) - 5 * a) * (t + 1) + 8 * a) * (t + 1) - 4 * a,
        ((a + 2) * t - (a + 3)) * t * t + 1,
        ((a + 2) * (1 - t) - (a + 3)) * (1 - t) * (1 - t) + 1,
        ((a * (2 - t) - 5 * a) * (2 - t) + 8 * a) * (2 - t) - 4 * a,
    ]


def _cubic_slopes(t) -> list:
    """The derivatives of ``cubic_weights`` against ``t``."""
    a = _CUBIC_A
    return [
        (3 * a * (t + 1) - 10 * a) * (t + 1) + 8 * a,
        (3 * (a + 2) * t - 2 * (a + 3)) * t,
        (2 * (a + 3) - 3 * (a + 2) * (1 - t)) * (1 - t),
        (10 * a - 3 * a * (2 - t)) * (2 - t) - 8 * a,
    ]


def _cubic_curvatures(t) -> list:
    """The second derivatives of ``cubic_weights`` against ``t``."""
    a = _CUBIC_A
    return [
        6 * a * (t + 1) - 10 * a,
        6 * (a + 2) * t - 2 * (a + 3),
        6 * (a + 2) * (1 - t) - 2 * (a + 3),
        6 * a * (2 - t) - 10 * a,
    ]


def _factors(mode: str, t) -> list:
    if mode == "bilinear":
        return [1 - t, t]
    return cubic_weights(t)


def _factor_slopes(mode: str, t) -> list:
    if mode == "bilinear":
        return [-1, 1]
    return _cubic_slopes(t)


def _factor_curvatures(mode: str, t) -> list:
    if mode == "bilinear":
        return [0, 0]
    return _cubic_curvatures(t)


_KINDS = (_factors, _factor_slopes, _factor_curvatures)  # by the order of the derivative


def _clip(p: np.ndarray, size: int):
    """Clamped to [0, size - 1] (NaN to 0, as torch's kernels), with slope 1 strictly inside
    only (torch's kernels count the borders as outside)."""
    return np.nan_to_num(np.clip(p, 0, size - 1), nan=0.0), (p > 0) & (p < size - 1)


def _index(p: np.ndarray) -> np.ndarray:
    """Integer positions; those no input has (non-finite, or past any size) all become -2."""
    return np.where(np.abs(p) < 2**31, p, -2).astype(np.int64)


def _reflect(p: np.ndarray, twice_low: int, twice_high: int):
    """``p`` folded into [low, high] by reflecting at the ends any number of times; the slope is
    +-1 by the parity of the reflections (+1 at ``low`` itself, as torch's)."""
    if twice_low == twice_high:
        return np.zeros_like(p), np.zeros(p.shape)
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    x = p - low
    sign = np.where(x < 0, -1.0, 1.0)
    x = np.abs(x)
    extra = np.fmod(x, span)
    even = np.floor(x / span) % 2 == 0
    return np.where(even, extra + low, span - extra + low), np.where(even, sign, -sign)


def _fold(p: np.ndarray, size: int, padding_mode: str, align_corners: bool):
    """Pixel positions outside the input moved in as the padding mode says; their slope."""
    if padding_mode == "zeros":
        return p, 1.0
    slope = 1.0
    if padding_mode == "reflection":
        ends = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        p, slope = _reflect(p, *ends)
    p, inside = _clip(p, size)
    return p, slope * inside


def _axis(u: np.ndarray, size: int, mode: str, padding_mode: str, align_corners: bool):
    """One spatial dim's plan from normalized coordinates ``u``: the taps' integer positions,
    the fraction ``t`` past the first (None for nearest) and d(position)/d(u)."""
    with np.errstate(invalid="ignore", over="ignore"):  # a non-finite grid reads no input
        return _plan_axis(u, size, mode, padding_mode, align_corners)


def _plan_axis(u: np.ndarray, size: int, mode: str, padding_mode: str, align_corners: bool):
    if align_corners:
        p, scale = (u + 1) / 2 * (size - 1), (size - 1) / 2
    else:
        p, scale = ((u + 1) * size - 1) / 2, size / 2
    if mode == "bicubic":  # the taps are folded one by one; the position itself is not
        base = np.floor(p)
        taps = []
        for k in range(-1, 3):
            tap = base + k
            if padding_mode != "zeros":
                tap = np.rint(_fold(tap, size, padding_mode, align_corners)[0])
            taps.append(_index(tap))
        return taps, p - base, np.full(p.shape, scale)
    p, slope = _fold(p, size, padding_mode, align_corners)
    if mode == "nearest":
        return [_index(np.rint(p))], None, None
    base = np.floor(p)
    first = _index(base)
    return [first, first + 1], p - base, slope * np.full(p.shape, scale)


def _grid_sample(ctx, x, grid, mode, padding_mode, align_corners):
    n, c, *spatial = x.shape
    nd = len(spatial)
    points = math.prod(grid.shape[1:-1])
    coords = grid.reshape(n, points, nd)
    plans = [
        _axis(coords[..., nd - 1 - d], size, mode, padding_mode, align_corners)
        for d, size in enumerate(spatial)  # the grid lists x (the last dim) first
    ]
    taps = []
    for ks in itertools.product(*(range(len(p[0])) for p in plans)):
        lin = np.zeros(coords.shape[:2], np.int64)
        valid = np.ones(coords.shape[:2], bool)
        for (positions, _, _), k, size in zip(plans, ks, spatial):
            pos = positions[k]
            valid &= (pos >= 0) & (pos < size)
            lin = lin * size + pos
        taps.append((np.where(valid, lin, 0), valid, ks))
    ctx.plan = plan = _Plan(mode, taps, [p[1] for p in plans], [p[2] for p in plans], points)
    ts, masks, _ = _terms(plan, grid)
    out = (_gather(plan, x) * _weights(plan, ts, masks)[:, None]).sum(2)
    return out.reshape(n, c, *grid.shape[1:-1])


class _Plan:
    """The taps of one sampling: each tap's flat in-plane positions (0 where invalid), validity
    and factor per dim; per dim the fractions ``t`` and slopes (None for nearest)."""

    __slots__ = ("mode", "taps", "t", "slope", "points", "lin", "_runs")

    def __init__(self, mode: str, taps: list, t: list, slope: list, points: int) -> None:
        self.mode, self.taps, self.t, self.slope, self.points = mode, taps, t, slope, points
        self.lin = np.concatenate([lin for lin, _, _ in taps], axis=1)[:, None]  # (n, 1, T * P)
        self._runs = None

    def rows(self, size: int) -> np.ndarray:
        """The taps' positions over the whole batch of planes of ``size`` positions."""
        return (np.arange(self.lin.shape[0])[:, None] * size + self.lin[:, 0]).reshape(-1)

    def runs(self, size: int) -> tuple:
        """The distinct positions (over the batch) the taps read, the order sorting the taps by
        position, and where each position's run starts in that order."""
        if self._runs is None:
            where = self.rows(size)
            order = np.argsort(where, kind="stable")
            ranked = where[order]
            starts = np.flatnonzero(np.r_[True, ranked[1:] != ranked[:-1]])
            self._runs = (ranked[starts], order, starts)
        return self._runs


# --- the pieces of the rules, on arrays (a plain backward) or on Tensors (create_graph) ------
def _terms(c, grid):
    """(fractions, tap masks, slopes), as arrays when ``grid`` is one, else as Tensors; the
    fractions' Tensors carry their slopes against the grid (through a zero-valued difference,
    so their values stay the planned ones)."""
    dt = grid.dtype if isinstance(grid, np.ndarray) else grid._data.dtype
    masks = [valid.astype(dt) for _, valid, _ in c.taps]
    slopes = [s if s is None else s.astype(dt) for s in c.slope]
    if isinstance(grid, np.ndarray):
        return c.t, masks, slopes
    masks = [grid.new_tensor(m) for m in masks]
    slopes = [s if s is None else grid.new_tensor(s) for s in slopes]
    if c.mode == "nearest":
        return c.t, masks, slopes
    nd = len(c.t)
    coords = grid.reshape(grid.shape[0], c.points, nd)
    ts = []
    for d, (t, slope) in enumerate(zip(c.t, slopes)):
        u = coords[..., nd - 1 - d]
        ts.append(
            (u - u.detach()) * slope + u.new_tensor(t) if u.requires_grad else u.new_tensor(t)
        )
    return ts, masks, slopes


def _stack(values: list, axis: int):
    if isinstance(values[0], np.ndarray):
        return np.stack(values, axis)
    return values[0]._stack_with(values, axis)


def _weights(c, ts, masks, deriv: tuple = ()):
    """Each tap's weight, (n, taps, P), or its derivative against the fractions of the dims
    listed in ``deriv`` (one or two; the slopes not applied)."""
    if c.mode == "nearest":
        return _stack(masks, 1)
    per_dim = [_KINDS[deriv.count(d)](c.mode, t) for d, t in enumerate(ts)]
    weights = []
    for m, (_, _, ks) in zip(masks, c.taps):
        for f, k in zip(per_dim, ks):
            m = m * f[k]
        weights.append(m)
    return _stack(weights, 1)


def _gather(c, v):
    """``v`` (n, C, *spatial) read at every tap: (n, C, taps, P)."""
    n, ch = v.shape[:2]
    flat = v.reshape(n, ch, math.prod(v.shape[2:]))
    if isinstance(v, np.ndarray):  # whole rows of channels read at once: channels last
        rows = np.ascontiguousarray(np.moveaxis(flat, 1, 2)).reshape(n * flat.shape[2], ch)
        got = np.moveaxis(rows[c.rows(flat.shape[-1])].reshape(n, c.lin.shape[-1], ch), 2, 1)
    else:
        got = flat.gather(2, v.new_tensor(np.broadcast_to(c.lin, (n, ch, c.lin.shape[-1]))))
    return got.reshape(n, ch, len(c.taps), c.points)


def _scatter(c, vals, shape: tuple):
    """The adjoint of ``_gather``: ``vals`` (n, C, taps, P) summed into zeros of ``shape``."""
    n, ch = vals.shape[:2]
    size = math.prod(shape[2:])
    if isinstance(vals, np.ndarray):
        out = np.zeros((n * size, ch), vals.dtype)
        if vals.size:  # the taps sorted by position once, then each run of equal ones summed
            keys, order, starts = c.runs(size)
            rows = np.moveaxis(vals.reshape(n, ch, -1), 1, 2).reshape(vals.size // ch, ch)
            out[keys] = np.add.reduceat(rows[order], starts, axis=0)
        return np.ascontiguousarray(np.moveaxis(out.reshape(n, size, ch), 2, 1)).reshape(shape)
    idx = vals.new_tensor(np.broadcast_to(c.lin, (n, ch, c.lin.shape[-1])))
    flat = vals.new_zeros((n, ch, size)).scatter_add(2, idx, vals.reshape(idx.shape))
    return flat.reshape(shape)


def _zeros(like, shape: tuple):
    return np.zeros(shape, like.dtype) if isinstance(like, np.ndarray) else like.new_zeros(shape)


def _grid_grad(c, gf, v, ts, masks, slopes, shape: tuple):
    """The grid's gradient of sampling ``v`` for the output gradient ``gf`` (n, C, 1, P)."""
    if c.mode == "nearest":  # piecewise constant: torch's zero gradient
        return _zeros(gf, shape)
    seen = (_gather(c, v) * gf).sum(1)  # each tap's value times the gradient: (n, taps, P)
    nd = len(ts)
    parts = [(seen * _weights(c, ts, masks, (d,))).sum(1) * slopes[d] for d in range(nd)]
    return _stack(parts[::-1], -1).reshape(shape)


def _sample_grads(c, g, x, grid) -> tuple:
    """(input, grid) gradients of the sampler for the output gradient ``g``."""
    n, ch = g.shape[:2]
    ts, masks, slopes = _terms(c, grid)
    gf = g.reshape(n, ch, 1, c.points)
    weights = _weights(c, ts, masks)
    if isinstance(weights, np.ndarray):  # a tap outside gets nothing, even at a NaN location
        weights = np.where(_stack(masks, 1) != 0, weights, 0)
    gi = _scatter(c, gf * weights[:, None], x.shape)
    return gi, _grid_grad(c, gf, x, ts, masks, slopes, grid.shape)


def _both(c, g, x, grid, backward) -> tuple:
    """Both gradients, computed once per backward (each input's rule asks): on arrays in a
    plain backward, else as one node (torch's GridSampler{2,3}DBackwardBackward0)."""
    memo = c.__dict__.get("memo")
    if memo is not None and memo[0] is g:
        return memo[1]
    if isinstance(g, np.ndarray):
        result = _sample_grads(c.plan, g, x, grid)
    else:
        result = _apply(backward, (g, x, grid), plan=c.plan)
    c.memo = (g, result)
    return result


def _backward_forward(ctx, g, x, grid, plan):
    ctx.plan = plan
    return _sample_grads(plan, g, x, grid)


def _double(c, grads, g, x, grid) -> tuple:
    """The gradients for (g, input, grid) of <A, input gradient> + <B, grid gradient>."""
    memo = c.__dict__.get("memo")
    if memo is not None and memo[0] is grads:
        return memo[1]
    p, (a, b) = c.plan, grads
    n, ch = g.shape[:2]
    taps = len(p.taps)
    ts, masks, slopes = _terms(p, grid)
    gf = g.reshape(n, ch, 1, p.points)
    grad_g = grad_x = None
    grad_grid = grid.new_zeros(grid.shape)
    if a is not None:  # the input gradient is linear in g, and in the weights
        grad_g = (_gather(p, a) * _weights(p, ts, masks)[:, None]).sum(2)
        grad_grid = _grid_grad(p, gf, a, ts, masks, slopes, grid.shape)
    if b is not None and p.mode != "nearest":  # the grid gradient: linear in g and the input
        nd = len(ts)
        bs = [b.reshape(n, p.points, nd)[..., nd - 1 - d] * slopes[d] for d in range(nd)]
        along = [_weights(p, ts, masks, (d,)) for d in range(nd)]
        e = along[0] * bs[0][:, None]
        for d in range(1, nd):
            e = e + along[d] * bs[d][:, None]  # the weights' change along b: (n, taps, P)
        xs = _gather(p, x)
        term = (xs * e.reshape(n, 1, taps, p.points)).sum(2)
        grad_g = term if grad_g is None else grad_g + term
        grad_x = _scatter(p, gf * e.reshape(n, 1, taps, p.points), x.shape)
        seen = (xs * gf).sum(1)
        parts = []
        for k in range(nd):
            bend = _weights(p, ts, masks, (0, k)) * bs[0][:, None]
            for d in range(1, nd):
                bend = bend + _weights(p, ts, masks, (d, k)) * bs[d][:, None]
            parts.append((seen * bend).sum(1) * slopes[k])
        grad_grid = grad_grid + _stack(parts[::-1], -1).reshape(grid.shape)
    if grad_g is not None:
        grad_g = grad_g.reshape(g.shape)
    result = (grad_g, grad_x, grad_grid)
    c.memo = (grads, result)
    return result


def _sampler(nd: int):
    backward = defop(
        f"GridSampler{nd}DBackwardBackward0",
        _backward_forward,
        [lambda c, grads, *saved, k=k: _double(c, grads, *saved)[k] for k in range(3)],
        save=(0, 1, 2),
        needs_ctx=True,
        num_outputs=2,
    )
    rules = [lambda c, g, x, grid, k=k: _both(c, g, x, grid, backward)[k] for k in range(2)]
    return defop(
        f"GridSampler{nd}DBackward0",
        _grid_sample,
        rules,
        save=(0, 1),
        needs_ctx=True,
        arrays=True,
    )


grid_sampler_2d = _sampler(2)
grid_sampler_3d = _sampler(3)


def _affine_grid(ctx, theta, base):
    """``base`` (*spatial, dims + 1) homogeneous points mapped by each ``theta``
    (N, dims, dims + 1): (N, *spatial, dims)."""
    ctx.base = flat = base.reshape(-1, base.shape[-1])
    out = np.matmul(flat, theta.transpose(0, 2, 1))
    return out.reshape(theta.shape[0], *base.shape[:-1], theta.shape[1])


def _affine_grid_rule(c, g):
    n, dims = c.input_shape()[:2]
    points = g.new_tensor(c.base.T).expand(n, -1, -1)  # (N, dims + 1, P)
    return points.bmm(g.reshape(n, -1, dims)).transpose(1, 2)


affine_grid = defop(
    "AffineGridGeneratorBackward0", _affine_grid, [_affine_grid_rule], needs_ctx=True
)
