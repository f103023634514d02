"""Batch, layer and group norm: one forward and one set of derivative rules serve all three.

``view`` reshapes the input so that the statistics run over ``axes``; ``wview`` shapes weight and
bias to broadcast against the input; ``waxes`` are the axes summed for their gradients.

Speed: NumPy's element passes cost about the same whatever they compute (memory traffic), so the
forward and the plain (array) backward are written to make few of them: sums as ``einsum`` over a
canonical layout (two to four times faster than ``np.add.reduce``), the variance from the centred
values once, in-place updates of fresh arrays, and the weight folded with 1/std into one factor
per channel (batch norm) or per sample and channel (group norm). The forward keeps what the plain
backward needs (centred or normalized input, 1/std). Under create_graph the rules recompute them
from x with Tensor operations, so that gradients of gradients stay exact.
"""

from __future__ import annotations

import math

import numpy as np

from . import NO_CTX, defop
from .rule_ops import is_array


class _Reduction:
    """Sums over ``axes`` of ``shape``, in a canonical layout: size-1 dims dropped and neighbours
    that are alike (both summed or both kept) merged. ``stat`` is the shape of the statistics
    (summed dims kept as 1), ``n`` how many elements each one sums."""

    _cache: dict = {}  # by (shape, axes): batch norm's forward finds its weight layout is r

    def __new__(cls, shape: tuple, axes: tuple):
        key = (shape, axes)
        self = cls._cache.get(key)
        if self is None:
            if len(cls._cache) > 1024:  # shapes that keep changing (sequence lengths)
                cls._cache.clear()
            self = cls._cache[key] = super().__new__(cls)
            self._build(shape, axes)
        return self

    def _build(self, shape, axes):
        dims, summed = [], []
        for i, size in enumerate(shape):
            if size == 1:
                continue
            s = i in axes
            if summed and summed[-1] == s:
                dims[-1] *= size
            else:
                dims.append(size)
                summed.append(s)
        if not dims:  # one element: a statistic of its own
            dims, summed = [1], [False]
        self.shape = tuple(dims)
        self.stat = tuple(1 if s else d for d, s in zip(dims, summed))
        self.n = math.prod(d for d, s in zip(dims, summed) if s)
        self.axes = tuple(i for i, s in enumerate(summed) if s)
        sub = "abcdefgh"[: len(dims)]
        keep = "".join(c for c, s in zip(sub, summed) if not s)
        self._sum, self._dot = f"{sub}->{keep}", f"{sub},{sub}->{keep}"
        self._scale, self.kept = f"{sub},{keep}->{sub}", tuple(d for d in self.stat if d != 1)
        self.small = math.prod(dims) < 2048  # where einsum's setup costs more than it saves
        self.whole = not keep  # one statistic of everything: nothing for einsum to broadcast

    def sum(self, a: np.ndarray) -> np.ndarray:
        a = a.reshape(self.shape)
        if self.small:
            return np.add.reduce(a, self.axes, keepdims=True)
        return np.einsum(self._sum, a).reshape(self.stat)

    def dot(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The sums of ``a * b`` (both in this layout), without the product's temporary."""
        a, b = a.reshape(self.shape), b.reshape(self.shape)
        if self.small:
            return np.add.reduce(a * b, self.axes, keepdims=True)
        return np.einsum(self._dot, a, b).reshape(self.stat)

    def scale(self, a: np.ndarray, s: np.ndarray, shape: tuple) -> np.ndarray:
        """A new ``a * s`` of ``shape``, ``s`` one factor per statistic (einsum's broadcasting
        product runs faster than the ufunc's into a new array)."""
        out = np.empty(shape, np.result_type(a, s))
        a, view = a.reshape(self.shape), out.reshape(self.shape)  # writes reach ``out``
        if self.small or self.whole:
            np.multiply(a, s.reshape(self.stat), out=view)
        else:
            np.einsum(self._scale, a, s.reshape(self.kept), out=view)
        return out


class _PerChannel:
    """Group norm's factors: from one per (sample, group) or per channel to one per (sample,
    channel), flat, as the unit layout (N, C, spatial) scales by."""

    def __init__(self, n: int, groups: int, size: int):
        self.shape = (n, groups, size)

    def split(self, a: np.ndarray) -> np.ndarray:
        """Per (sample, channel), or per channel, as (N or 1, G, C/G)."""
        return a.reshape(-1, *self.shape[1:])

    def spread(self, a: np.ndarray) -> np.ndarray:
        """Per (sample, group) to per (sample, channel), flat."""
        return np.broadcast_to(a.reshape(*self.shape[:2], 1), self.shape).reshape(-1)

    def __call__(self, rstd: np.ndarray, w) -> np.ndarray:
        """1/std times the weight (when given), per (sample, channel), flat."""
        if w is None:
            return self.spread(rstd)
        return (rstd.reshape(*self.shape[:2], 1) * w.reshape(self.shape[1:])).reshape(-1)


def _group_units(shape, view, axes, waxes):
    """For group norm (statistics per sample and group, weight per channel): the layout of its
    (sample, channel) units, with what maps factors onto them; None for other norms."""
    if len(view) != 3 or axes != (2,) or len(shape) < 2 or view[0] != shape[0]:
        return None
    if waxes != (0, *range(2, len(shape))):
        return None
    n, c = shape[:2]
    return _Reduction((n, c, math.prod(shape[2:])), (2,)), _PerChannel(n, view[1], c // view[1])


_PLANS: dict = {}


def _plan(shape, view, axes, waxes) -> tuple:
    """The statistics' layout, the weight's (the same object for batch norm) and group norm's
    units, for an input of ``shape`` seen as ``view``: worked out once per shape."""
    key = (shape, view, axes, waxes)
    plan = _PLANS.get(key)
    if plan is None:
        if len(_PLANS) > 512:  # shapes that keep changing (sequence lengths)
            _PLANS.clear()
        units = _group_units(shape, view, axes, waxes)
        plan = _PLANS[key] = (_Reduction(view, axes), _Reduction(shape, waxes), units)
    return plan


def _norm(ctx, x, w, b, view, axes, wview, waxes, eps, mean=None, var=None, update=None):
    keep = ctx is not NO_CTX  # recording: leave for the backward, and out of the output's memory
    xv = x.reshape(view)
    if xv.dtype.itemsize < 4:  # half precision: computed in float32, as torch does
        xv = xv.astype(np.float32)
    r, wr, units = _plan(x.shape, xv.shape, axes, waxes)
    xs = xv.reshape(r.shape)
    if mean is None:
        if r.n:
            mu = r.sum(xs)
            mu /= r.n
            xc = np.subtract(xs, mu)
            v = r.dot(xc, xc)
            v /= r.n
            if update is not None:
                update(mu, v, r.n)
        else:  # no elements: nan statistics, and the running ones left alone (as torch)
            mu = v = np.full(r.stat, np.nan, xs.dtype)
            xc = np.subtract(xs, mu)
        rstd = v + eps  # v is ours: the rest in place
    else:  # evaluation with running statistics: constants for autograd
        mu = mean.reshape(r.stat).copy()  # the backward's: not the buffer a later step updates
        xc = None
        rstd = var.reshape(r.stat) + eps
    rstd = np.reciprocal(np.sqrt(rstd, out=rstd), out=rstd).astype(xs.dtype, copy=False)
    if keep:
        ctx.view, ctx.axes, ctx.wview, ctx.waxes, ctx.eps = view, axes, wview, waxes, eps
        ctx.r, ctx.wr, ctx.units, ctx.rstd, ctx.mu = r, wr, units, rstd, mu
        ctx.stats = None if mean is None else (mean.reshape(wview), var.reshape(wview))
    if units is not None:  # group norm: y = xc * (1/std * weight) + bias, per sample and channel
        u, per_channel = units
        f = per_channel(rstd, w)
        xu = xc.reshape(u.shape)  # xc: never None here (no running statistics)
        if keep:
            y = u.scale(xu, f, x.shape)
        else:
            y = xc
            xu *= f.reshape(u.stat)
        if b is not None:
            yw = y.reshape(wr.shape)
            yw += b.reshape(wr.stat)
        if keep:
            ctx.xc = xc
    elif r is wr:  # batch norm: y = x * scale + shift, per-channel factors
        scale = rstd if w is None else rstd * w.reshape(r.stat)
        if xc is None:
            y = r.scale(xs, scale, r.shape)
            y += (0 if b is None else b.reshape(r.stat)) - mu * scale
        else:
            y = r.scale(xc, scale, r.shape) if keep else np.multiply(xc, scale, out=xc)
            if b is not None:
                y += b.reshape(r.stat)
        if keep:
            ctx.xc = xc
    else:
        xh = np.subtract(xs, mu) if xc is None else xc
        xh *= rstd
        if keep:
            ctx.xhat = xh
            y = xh.copy() if w is None else wr.scale(xh, w, wr.shape)  # not the kept memory
        else:
            y = xh
        yw = y.reshape(wr.shape)
        if w is not None and not keep:
            yw *= w.reshape(wr.stat)
        if b is not None:
            yw += b.reshape(wr.stat)
    return y.reshape(x.shape).astype(x.dtype, copy=False)


def _norm_array_grads(c, g, x, w) -> tuple:
    """The gradients of x, weight and bias (those needed) on arrays, from what the forward kept."""
    need = [e[0] is not None for e in c.next_functions]
    if g.dtype.itemsize < 4:
        g = g.astype(np.float32)
    r, wr, rstd, n = c.r, c.wr, c.rstd, c.r.n
    gx = gw = gb = None
    if c.units is not None:  # group norm: sums per sample and channel, then per group
        u, per_channel = c.units
        gu, xu = g.reshape(u.shape), c.xc.reshape(u.shape)
        rs = per_channel(rstd, None)  # 1/std of each sample and channel's group
        sg = per_channel.split(u.sum(gu))  # (N, G, C/G)
        sgx = per_channel.split(u.dot(gu, xu))
        if need[1]:
            gw = (sgx * per_channel.split(rs)).sum(0)
        if need[2]:
            gb = sg.sum(0)
        if need[0]:
            wg = 1 if w is None else per_channel.split(w)
            rg = rstd.reshape(*per_channel.shape[:2], 1)
            m1 = (wg * sg).sum(2, keepdims=True) * (rg / -n)
            m2 = (wg * sgx).sum(2, keepdims=True) * (rg * rg * rg / -n)
            gx = u.scale(gu, per_channel(rstd, w), x.shape)
            t = u.scale(xu, per_channel.spread(m2), u.shape)
            t += per_channel.spread(m1).reshape(u.stat)
            gv = gx.reshape(u.shape)  # a view: the sum lands in gx
            gv += t
    elif r is wr:  # batch norm: per-channel factors
        gs = g.reshape(r.shape)
        k = rstd if w is None else rstd * w.reshape(r.stat)
        sg = r.sum(gs) if need[2] or need[0] and c.xc is not None else None
        if c.xc is None:  # evaluation: the statistics are constants
            if need[1]:
                xc = np.empty(x.shape, np.result_type(x, c.mu))
                gw = r.dot(gs, np.subtract(x.reshape(r.shape), c.mu, out=xc.reshape(r.shape)))
                gw *= rstd
            if need[0] and need[1]:  # into x - mean's memory: an allocation fewer
                gx = xc
                np.multiply(gs, k, out=xc.reshape(r.shape))
            elif need[0]:
                gx = r.scale(gs, k, x.shape)
        else:
            sgx = r.dot(gs, c.xc) if need[0] or need[1] else None
            if need[1]:
                gw = sgx * rstd
            if need[0]:
                gx = r.scale(gs, k, x.shape)
                t = r.scale(c.xc, k * rstd * rstd * sgx / -n, r.shape)
                t += k * sg / -n
                gv = gx.reshape(r.shape)
                gv += t
        if need[2]:
            gb = sg
    else:
        xh = c.xhat
        if need[1]:
            gw = wr.dot(g, xh)
        if need[2]:
            gb = wr.sum(g)
        if need[0]:
            gh = g if w is None else wr.scale(g, w, x.shape)
            ghs = gh.reshape(r.shape)
            t = r.scale(xh, r.dot(ghs, xh) * (rstd / n), r.shape)
            t += r.sum(ghs) * (rstd / n)
            if gh is g:  # not ours to change
                gx = r.scale(ghs, rstd, x.shape)
                gv = gx.reshape(r.shape)
                gv -= t
            else:
                ghs *= rstd
                ghs -= t
                gx = gh
    return (
        gx,  # made in x's shape: a reshape's view would make the engine copy it for x.grad
        None if gw is None else gw.reshape(w.shape),
        None if gb is None else gb.reshape(c.input_shape(2)),
    )


def _xhat(c, x):
    """Normalized input (input shape) and 1/std (view shape), as Tensor ops on x."""
    xv = x.reshape(c.view)
    if c.stats is not None:
        mu, v = (x.new_tensor(s) for s in c.stats)
    else:
        mu = xv.mean(c.axes, keepdim=True)
        v = ((xv - mu) * (xv - mu)).mean(c.axes, keepdim=True)
    rstd = (v + c.eps).rsqrt()
    return ((xv - mu) * rstd).reshape(x.shape), rstd


def _norm_rule_x(c, g, x, w):
    gh = g if w is None else g * w.reshape(c.wview)
    xh, rstd = _xhat(c, x)
    if c.stats is not None:
        return gh * rstd.reshape(c.wview)
    ghv, xhv = gh.reshape(c.view), xh.reshape(c.view)
    gx = rstd * (
        ghv - ghv.mean(c.axes, keepdim=True) - xhv * (ghv * xhv).mean(c.axes, keepdim=True)
    )
    return gx.reshape(x.shape)


def _norm_rule_w(c, g, x, w):
    return (g * _xhat(c, x)[0]).sum(c.waxes).reshape(w.shape)


def _norm_rule_b(c, g, x, w):
    return g.sum(c.waxes).reshape(c.input_shape(2))


def _norm_rule(k, tensor_rule):
    """Rule ``k`` of a norm: on Tensors (create_graph) ``tensor_rule``; on arrays, the share of
    one computation for all three inputs (kept until the last input that needs it asks)."""

    def rule(c, g, x, w):
        if not is_array(g):
            return tensor_rule(c, g, x, w)
        memo = c.__dict__.get("memo")
        if memo is None or memo[0] is not g:
            memo = c.memo = (g, _norm_array_grads(c, g, x, w))
        if all(e[0] is None for e in c.next_functions[k + 1 :]):
            del c.memo
        return memo[1][k]

    return rule


def _norm_prim(name, kernel):
    def forward(ctx, x, *args, **params):
        if x.dtype.kind not in "fc":
            # the message's type name lives in the Tensor layer above: imported late, when needed
            from ..._dtype import from_numpy_dtype
            from ...functions.reduce import _scalar_type_name

            kind = _scalar_type_name(from_numpy_dtype(x.dtype))
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{kind}'")
        return _norm(ctx, x, *args, **params)

    rules = [_norm_rule(k, f) for k, f in enumerate((_norm_rule_x, _norm_rule_w, _norm_rule_b))]
    return defop(name, forward, rules, save=(0, 1), needs_ctx=True, arrays=True)


batch_norm = _norm_prim("NativeBatchNormBackward0", "batch_norm")
layer_norm = _norm_prim("NativeLayerNormBackward0", "LayerNormKernelImpl")
group_norm = _norm_prim("NativeGroupNormBackward0", "GroupNormKernelImpl")
