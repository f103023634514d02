"""``grid_sample`` and ``affine_grid`` as torch records them: one node each
(GridSampler2DBackward0 / GridSampler3DBackward0, AffineGridGeneratorBackward0).

The sampler's forward plans its taps once on arrays: for each spatial dim the source positions
(folded in by the padding mode), the fraction ``t`` past the first tap and the slope of the
position against the grid. The output is a weighted gather of the taps, each weight a product
over dims of one factor of ``t`` (bilinear: 1 - t and t; bicubic: the four cubic-convolution
weights; nearest: 1). The rules rebuild ``t`` as a Tensor whose value is the planned one and
whose derivative against the grid is the slope, so both gradients (and their own gradients,
under ``create_graph``) follow from Tensor operations.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ..grad_mode import is_grad_enabled
from . import defop

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


def _factors(mode: str, t) -> list:
    if mode == "bilinear":
        return [1 - t, t]
    return cubic_weights(t)


def _factor_slopes(mode: str, t) -> list:
    if mode == "bilinear":
        return [-1, 1]
    return _cubic_slopes(t)


def _clip(p: np.ndarray, size: int):
    """Clamped to [0, size - 1], with slope 1 strictly inside only (torch's kernels count the
    borders as outside)."""
    return np.clip(p, 0, size - 1), (p > 0) & (p < size - 1)


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
            taps.append(tap.astype(np.int64))
        return taps, p - base, np.full(p.shape, scale)
    p, slope = _fold(p, size, padding_mode, align_corners)
    if mode == "nearest":
        return [np.rint(p).astype(np.int64)], None, None
    base = np.floor(p)
    first = base.astype(np.int64)
    return [first, first + 1], p - base, slope * np.full(p.shape, scale)


def _grid_sample(ctx, x, grid, mode, padding_mode, align_corners):
    n, c, *spatial = x.shape
    nd = len(spatial)
    coords = grid.reshape(n, -1, nd)
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
    ctx.taps, ctx.mode = taps, mode
    ctx.t = [p[1] for p in plans]
    ctx.slope = [p[2] for p in plans]
    flat = x.reshape(n, c, -1)
    out = np.zeros((n, c, coords.shape[1]), x.dtype)
    factors = None if mode == "nearest" else [_factors(mode, p[1]) for p in plans]
    for lin, valid, ks in taps:
        w = valid.astype(x.dtype)
        if factors is not None:
            for f, k in zip(factors, ks):
                w = w * f[k]
        out += np.take_along_axis(flat, np.broadcast_to(lin[:, None], out.shape), 2) * w[:, None]
    return out.reshape(n, c, *grid.shape[1:-1])


def _fractions(c, grid) -> list:
    """The planned fractions ``t`` as Tensors: their planned values, their slopes against the
    grid (through a zero-valued difference, so the values stay exact)."""
    nd = len(c.t)
    if not (is_grad_enabled() and grid.requires_grad):  # a plain backward: values only
        return [grid.new_tensor(t) for t in c.t]
    coords = grid.reshape(grid.shape[0], -1, nd)
    out = []
    for d, (t, slope) in enumerate(zip(c.t, c.slope)):
        u = coords[..., nd - 1 - d]
        out.append((u - u.detach()) * u.new_tensor(slope.astype(t.dtype)) + u.new_tensor(t))
    return out


def _tap_weights(c, grid, dim=None) -> list:
    """Each tap's weight (n, P) as a Tensor, or its derivative against dim ``dim``'s ``t``."""
    dtype = grid.dtype
    mask = [grid.new_tensor(valid).to(dtype) for _, valid, _ in c.taps]
    if c.mode == "nearest":
        return mask
    ts = _fractions(c, grid)
    factors = [_factors(c.mode, t) for t in ts]
    if dim is not None:
        factors[dim] = _factor_slopes(c.mode, ts[dim])
    weights = []
    for m, (_, _, ks) in zip(mask, c.taps):
        w = m
        for f, k in zip(factors, ks):
            w = w * f[k]
        weights.append(w)
    return weights


def _tap_index(c, n: int, ch: int):
    """The taps' flat in-plane positions, (n, ch, taps * P)."""
    lin = np.concatenate([lin for lin, _, _ in c.taps], axis=1)
    return np.ascontiguousarray(np.broadcast_to(lin[:, None], (n, ch, lin.shape[1])))


def _input_rule(c, g, x, grid):
    n, ch = g.shape[:2]
    gf = g.reshape(n, ch, 1, -1)
    weights = _tap_weights(c, grid)
    w = g._stack_with(weights, 1)  # (n, taps, P)
    vals = (gf * w.unsqueeze(1)).reshape(n, ch, -1)
    flat = g.new_zeros((n, ch, math.prod(c.input_shape()[2:])))
    return flat.scatter_add(2, g.new_tensor(_tap_index(c, n, ch)), vals).reshape(x.shape)


def _grid_rule(c, g, x, grid):
    if c.mode == "nearest":  # piecewise constant: torch's zero gradient, itself on the grid
        return grid * 0 if is_grad_enabled() else g.new_zeros(c.input_shape(1))
    n, ch = g.shape[:2]
    taps = len(c.taps)
    vals = x.reshape(n, ch, -1).gather(2, x.new_tensor(_tap_index(c, n, ch)))
    # each tap's value times the output gradient, summed over channels: (n, taps, P)
    seen = (vals.reshape(n, ch, taps, -1) * g.reshape(n, ch, 1, -1)).sum(1)
    nd = len(c.t)
    parts = []
    for d in range(nd):
        slopes = _tap_weights(c, grid, d)
        total = seen[:, 0] * slopes[0]
        for i in range(1, taps):
            total = total + seen[:, i] * slopes[i]
        parts.append(total * g.new_tensor(c.slope[d].astype(c.t[d].dtype)))
    return g._stack_with(parts[::-1], -1).reshape(c.input_shape(1))


grid_sampler_2d = defop(
    "GridSampler2DBackward0", _grid_sample, [_input_rule, _grid_rule], save=(0, 1), needs_ctx=True
)
grid_sampler_3d = defop(
    "GridSampler3DBackward0", _grid_sample, [_input_rule, _grid_rule], save=(0, 1), needs_ctx=True
)


def _affine_grid(ctx, theta, base):
    """``base`` (*spatial, dims + 1) homogeneous points mapped by each ``theta``
    (N, dims, dims + 1): (N, *spatial, dims)."""
    ctx.base = flat = base.reshape(-1, base.shape[-1])
    out = np.matmul(flat, theta.transpose(0, 2, 1))
    return out.reshape(theta.shape[0], *base.shape[:-1], theta.shape[1])


def _affine_grid_rule(c, g):
    n, dims = c.input_shape()[:2]
    return g.reshape(n, -1, dims).transpose(1, 2).matmul(g.new_tensor(c.base))


affine_grid = defop(
    "AffineGridGeneratorBackward0", _affine_grid, [_affine_grid_rule], needs_ctx=True
)
