"""Neural-network primitives: convolution, pooling, padding, resampling, activations, norms.

The forwards call the array kernels (``ember/kernels/``). The operations here are linear in their
input (conv in each argument, pooling, padding, resampling), so the derivative of each is another
primitive of the table, and the derivative of that derivative is the original forward again:
``create_graph=True`` works through all of them. Piecewise activations and the norms write their
rules with Tensor methods on the saved input, which makes them differentiable as well.
"""

from __future__ import annotations

import math

import numpy as np

from ...kernels import conv as KC
from ...kernels import pad as KD
from ...kernels import pool as KP
from . import NO_CTX, OUT, defop
from .math import _erf, _sigmoid
from .rule_ops import is_array


def _apply(prim, inputs, **params):
    # Rules run long after import; the Tensor layer sits above the rule table, so import late.
    from ..._tensor import apply

    return apply(prim, tuple(inputs), **params)


def _out_padding(in_shape, g_shape, stride, padding, dilation, ksize):
    """The output_padding making a transposed convolution of g recover ``in_shape``."""
    return tuple(
        in_shape[i]
        - ((g_shape[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (ksize[i] - 1) + 1)
        for i in range(len(ksize))
    )


# --- convolution --------------------------------------------------------------------------------
# params: stride, padding (symmetric per dim), dilation, transposed, output_padding, groups.
def _conv(ctx, x, w, b, stride, padding, dilation, transposed, output_padding, groups):
    ctx.p = (stride, padding, dilation, groups)
    ctx.transposed = transposed
    if transposed:
        return KC.conv_transpose_forward(x, w, b, stride, padding, output_padding, groups, dilation)
    return KC.conv_forward(x, w, b, stride, padding, dilation, groups)


def conv_input_grad(g, w, in_shape, stride, padding, dilation, groups):
    """dL/dx of y = conv(x, w): a transposed convolution of g."""
    opad = _out_padding(in_shape, g.shape[2:], stride, padding, dilation, w.shape[2:])
    return _apply(
        convolution,
        (g, w, None),
        stride=stride,
        padding=padding,
        dilation=dilation,
        transposed=True,
        output_padding=opad,
        groups=groups,
    )


def _conv_rule_x(c, g, x, w):
    stride, padding, dilation, groups = c.p
    if not c.transposed:
        return conv_input_grad(g, w, x.shape[2:], stride, padding, dilation, groups)
    gx = _apply(
        convolution,
        (g, w, None),
        stride=stride,
        padding=padding,
        dilation=dilation,
        transposed=False,
        output_padding=(0,) * len(stride),
        groups=groups,
    )
    for i, n in enumerate(x.shape[2:]):  # output_padding >= stride adds rows that x never had
        if gx.shape[2 + i] != n:
            gx = gx.narrow(2 + i, 0, n)
    return gx


def _conv_rule_w(c, g, x, w):
    stride, padding, dilation, groups = c.p
    a, b = (g, x) if c.transposed else (x, g)
    return _apply(
        conv_weight,
        (a, b),
        wshape=tuple(w.shape),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
    )


def _conv_rule_b(c, g, x, w):
    gl = g.movedim(1, -1) if g.ndim > 2 else None
    if gl is not None and g.numel() and gl.is_contiguous():
        # a channels-last gradient: sum its (rows, C) matrix with rows folded (KC.fold_rows),
        # in Tensor ops so that the sum stays differentiable
        ch = g.shape[1]
        k = KC.fold_rows(g.numel() // ch, ch)
        return gl.reshape(-1, k * ch).sum(0).reshape(k, ch).sum(0)
    return g.sum((0, *range(2, g.ndim)))


convolution = defop(
    "ConvolutionBackward0",
    _conv,
    [_conv_rule_x, _conv_rule_w, _conv_rule_b],
    save=(0, 1),
    needs_ctx=True,
)


def _conv_weight(ctx, x, gy, wshape, stride, padding, dilation, groups):
    """dL/dw of y = conv(x, w) given gy (the kernels' channels-last weight-gradient core)."""
    ctx.p = (stride, padding, dilation, groups)
    pads = tuple((p, p) for p in padding)
    return KC._conv_weight_grad(
        np.moveaxis(x, 1, -1), KC._channels_last(gy), wshape, stride, pads, dilation, groups
    )


def _conv_weight_rule_x(c, gg, x, gy):
    stride, padding, dilation, groups = c.p
    return conv_input_grad(gy, gg, x.shape[2:], stride, padding, dilation, groups)


def _conv_weight_rule_gy(c, gg, x, gy):
    stride, padding, dilation, groups = c.p
    return _apply(
        convolution,
        (x, gg, None),
        stride=stride,
        padding=padding,
        dilation=dilation,
        transposed=False,
        output_padding=(0,) * len(stride),
        groups=groups,
    )


conv_weight = defop(
    "ConvolutionBackwardBackward0",
    _conv_weight,
    [_conv_weight_rule_x, _conv_weight_rule_gy],
    save=(0, 1),
    needs_ctx=True,
)


# --- linear maps whose derivative is their adjoint ------------------------------------------------
def _adjoint_pair(name, forward, backward, fwd_params, bwd_params):
    """Primitives ``f`` and ``f_backward`` that are each other's derivative.

    ``fwd_params(ctx, x)`` returns the keyword arguments of the backward (recorded at forward);
    ``bwd_params(ctx, g)`` those of the forward again.
    """

    def fwd(ctx, x, **kw):
        ctx.kw, ctx.in_shape = kw, x.shape
        return forward(x, **kw)

    def bwd(ctx, g, **kw):
        ctx.kw, ctx.in_shape = kw, g.shape
        return backward(g, **kw)

    f = defop(name, fwd, [lambda c, g: _apply(fb, (g,), **fwd_params(c))], needs_ctx=True)
    fb = defop(
        name.replace("Backward0", "BackwardBackward0"),
        bwd,
        [lambda c, gg: _apply(f, (gg,), **bwd_params(c))],
        needs_ctx=True,
    )
    return f, fb


def _pool_kw(c):
    return dict(c.kw, input_shape=c.in_shape)


def _pool_back_kw(c):
    kw = dict(c.kw)
    kw.pop("input_shape")
    return kw


_AVG = {}


def avg_pool(nd: int):
    """AvgPool{nd}DBackward0: kw kernel_size, stride, padding, ceil_mode, count_include_pad,
    divisor_override."""
    if nd not in _AVG:
        _AVG[nd] = _adjoint_pair(
            f"AvgPool{nd}DBackward0",
            KP.avg_pool_forward,
            lambda g, input_shape, **kw: KP.avg_pool_backward(g, input_shape, **kw),
            _pool_kw,
            _pool_back_kw,
        )[0]
    return _AVG[nd]


_ADAPTIVE_AVG = {}


def adaptive_avg_pool(nd: int):
    if nd not in _ADAPTIVE_AVG:
        _ADAPTIVE_AVG[nd] = _adjoint_pair(
            f"AdaptiveAvgPool{nd}DBackward0",
            KP.adaptive_avg_pool_forward,
            lambda g, input_shape: KP.adaptive_avg_pool_backward(g, input_shape),
            lambda c: {"input_shape": c.in_shape},
            lambda c: {"output_size": tuple(c.in_shape[2:])},
        )[0]
    return _ADAPTIVE_AVG[nd]


def _pad_back(g, pads, mode, value, input_shape):
    return KD.pad_backward(g, pads, mode, input_shape)


_PAD = {}


def pad(mode: str, nd: int):
    """F.pad as one primitive: kw pads (last dim first), mode, value."""
    name = {
        "constant": "ConstantPadNdBackward0",
        "reflect": f"ReflectionPad{nd}DBackward0",
        "replicate": f"ReplicationPad{nd}DBackward0",
        "circular": "torch::autograd::CopySlices",
    }[mode]
    if name not in _PAD:
        _PAD[name] = _adjoint_pair(
            name,
            lambda x, pads, mode, value: KD.pad(x, pads, mode, value),
            _pad_back,
            _pool_kw,
            _pool_back_kw,
        )[0]
    return _PAD[name]


_INTERP = {}


def interpolate(mode: str, nd: int):
    """Upsample*Backward0: kw output_size, mode, align_corners, scales."""
    kind = {
        "nearest": "Nearest",
        "nearest-exact": "NearestExact",
        "linear": "Linear",
        "bilinear": "Bilinear",
        "trilinear": "Trilinear",
    }[mode]
    name = f"Upsample{kind}{nd}DBackward0"
    if name not in _INTERP:

        def back_kw(c):
            kw = dict(c.kw)
            kw.pop("input_shape")
            kw["output_size"] = tuple(c.in_shape[2:])
            return kw

        def fwd_kw(c):
            kw = dict(c.kw)
            kw.pop("output_size")
            kw["input_shape"] = c.in_shape
            return kw

        _INTERP[name] = _adjoint_pair(
            name,
            KP.interpolate_forward,
            lambda g, input_shape, **kw: KP.interpolate_backward(g, input_shape, **kw),
            fwd_kw,
            back_kw,
        )[0]
    return _INTERP[name]


im2col, col2im = _adjoint_pair(
    "Im2ColBackward0",
    lambda x, kernel_size, dilation, padding, stride: KC.unfold(
        x, kernel_size, dilation, padding, stride
    ),
    lambda g, output_size, **kw: KC.fold(g, output_size, **kw),
    lambda c: dict(c.kw, output_size=tuple(c.in_shape[2:])),
    lambda c: {k: v for k, v in c.kw.items() if k != "output_size"},
)
col2im_fwd, im2col_bwd = _adjoint_pair(
    "Col2ImBackward0",
    lambda x, output_size, **kw: KC.fold(x, output_size, **kw),
    lambda g, kernel_size, dilation, padding, stride: KC.unfold(
        g, kernel_size, dilation, padding, stride
    ),
    lambda c: {k: v for k, v in c.kw.items() if k != "output_size"},
    lambda c: dict(c.kw, output_size=tuple(c.in_shape[2:])),
)


# --- max pooling (values and indices) -----------------------------------------------------------
def _gather_rule(c, gg):
    """Derivative of scattering g at the indices: gather gg there."""
    idx = gg.new_tensor(c.indices)
    return gg.flatten(2).gather(2, idx.flatten(2)).reshape(idx.shape)


def _scatter(ctx, g, indices, input_shape, window=None, offsets=None):
    ctx.indices = indices
    return KP.max_pool_backward(g, indices, input_shape, window, offsets)


_MAX = {}


def _max_prim(name, forward):
    if name not in _MAX:
        back = defop(
            name.replace("Backward0", "BackwardBackward0"), _scatter, [_gather_rule], needs_ctx=True
        )

        def fwd(ctx, x, **kw):
            # windows tiling the input have a scatter-free backward, which reuses the winners'
            # in-window offsets the forward found (a byte each, against the int64 indices)
            window = KP.tiled_window(x.shape, **kw) if "kernel_size" in kw else None
            if window is not None:
                y, idx, offsets = KP.max_pool_forward_offsets(x, **kw)
            else:
                (y, idx), offsets = forward(x, **kw), None
            ctx.indices, ctx.in_shape, ctx.window, ctx.offsets = idx, x.shape, window, offsets
            return y, idx

        def rule(c, grads):
            return _apply(
                back,
                (grads[0],),
                indices=c.indices,
                input_shape=c.in_shape,
                window=c.window,
                offsets=c.offsets,
            )

        _MAX[name] = defop(
            name, fwd, [rule], needs_ctx=True, num_outputs=2, differentiable_outputs=(0,)
        )
    return _MAX[name]


def max_pool(nd: int):
    """MaxPool{nd}DWithIndicesBackward0 -> (values, indices): kw kernel_size, stride, padding,
    dilation, ceil_mode."""
    return _max_prim(f"MaxPool{nd}DWithIndicesBackward0", KP.max_pool_forward)


def adaptive_max_pool(nd: int):
    return _max_prim(f"AdaptiveMaxPool{nd}DBackward0", KP.adaptive_max_pool_forward)


# --- activations --------------------------------------------------------------------------------
def _act(name, forward, rule, save=(0,)):
    def fwd(ctx, x, **kw):
        for k, v in kw.items():
            setattr(ctx, k, v)
        return forward(x, **kw)

    return defop(name, fwd, [rule], save=save, needs_ctx=True)


def _dt(x, v):
    return np.asarray(v, x.dtype)


threshold = _act(
    "ThresholdBackward0",
    lambda x, threshold, value: np.where(x > threshold, x, _dt(x, value)),
    lambda c, g, x: g.masked_fill(x <= c.threshold, 0),
)
hardtanh = _act(
    "HardtanhBackward0",
    lambda x, min_val, max_val: np.clip(x, _dt(x, min_val), _dt(x, max_val)),
    lambda c, g, x: g.masked_fill((x <= c.min_val) | (x >= c.max_val), 0),
)
leaky_relu = _act(
    "LeakyReluBackward0",
    lambda x, negative_slope: np.where(x > 0, x, x * _dt(x, negative_slope)),
    lambda c, g, x: _split_by(x > 0, g, g * c.negative_slope),
)


def _split_by(mask, where_true, where_false):
    """``where_true`` where ``mask`` holds, else ``where_false`` (NaN inputs follow the mask)."""
    return where_true.masked_fill(~mask, 0) + where_false.masked_fill(mask, 0)


# torch tests ``x <= 0`` for the exponential branch: NaN takes the linear one, -0.0 stays -0.0.
def _elu_forward(x, alpha, scale, input_scale):
    nonpos = np.where(x > 0, 0, x)  # not np.minimum, which turns -0.0 into 0.0
    neg = np.expm1(nonpos * _dt(x, input_scale)) * _dt(x, alpha * scale)
    return np.where(x <= 0, neg, x * _dt(x, scale))


def _elu_rule(c, g, x, y):
    return _split_by(x <= 0, g * c.input_scale * (y + c.alpha * c.scale), g * c.scale)


elu = _act("EluBackward0", _elu_forward, _elu_rule, save=(0, OUT))
celu = _act("CeluBackward0", _elu_forward, _elu_rule, save=(0, OUT))

_SQRT_2_PI = math.sqrt(2.0 / math.pi)


def _gelu_forward(x, approximate):
    if approximate == "tanh":
        inner = _dt(x, _SQRT_2_PI) * (x + _dt(x, 0.044715) * x * x * x)
        return _dt(x, 0.5) * x * (1 + np.tanh(inner))
    return x * _dt(x, 0.5) * (1 + _erf(x * _dt(x, 1 / math.sqrt(2.0))))


def _gelu_rule(c, g, x):
    if c.approximate == "tanh":
        t = ((x + x * x * x * 0.044715) * _SQRT_2_PI).tanh()
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_PI * (1 + 3 * 0.044715 * x * x))
    cdf = 0.5 * (1 + (x * (1 / math.sqrt(2.0))).erf())
    pdf = (x * x * -0.5).exp() * (1 / math.sqrt(2 * math.pi))
    return g * (cdf + x * pdf)


gelu = _act("GeluBackward0", _gelu_forward, _gelu_rule)


def _silu_rule(c, g, x):
    s = x.sigmoid()
    return g * s * (1 + x * (1 - s))


silu = _act("SiluBackward0", lambda x: x * _sigmoid(x), _silu_rule)


def _softplus_np(x, beta=1.0, threshold=20.0):
    bx = x * _dt(x, beta)
    return np.where(bx > threshold, x, np.logaddexp(_dt(x, 0), bx) / _dt(x, beta))


def _mish_rule(c, g, x):
    t = x.exp().log1p().tanh()  # tanh(softplus(x)); large x saturates to 1, as it should
    return g * (t + x * x.sigmoid() * (1 - t * t))


mish = _act("MishBackward0", lambda x: x * np.tanh(_softplus_np(x)), _mish_rule)
hardsigmoid = _act(
    "HardsigmoidBackward0",
    lambda x: np.clip(x / _dt(x, 6) + _dt(x, 0.5), 0, 1),
    lambda c, g, x: (g / 6).masked_fill((x <= -3) | (x >= 3), 0),
)
hardswish = _act(
    "HardswishBackward0",
    lambda x: x * np.clip(x + _dt(x, 3), 0, 6) / _dt(x, 6),
    lambda c, g, x: (
        (g * (x / 3 + 0.5)).masked_fill((x < -3) | (x > 3), 0) + g.masked_fill(x <= 3, 0)
    ),
)


def _softplus_rule(c, g, x):
    z = (x * c.beta).sigmoid()
    return (g * z).masked_fill(x * c.beta > c.threshold, 0) + g.masked_fill(
        x * c.beta <= c.threshold, 0
    )


softplus = _act("SoftplusBackward0", _softplus_np, _softplus_rule)
log_sigmoid = _act(
    "LogSigmoidBackward0", lambda x: -_softplus_np(-x), lambda c, g, x: g * (1 - x.sigmoid())
)
hardshrink = _act(
    "HardshrinkBackward0",
    lambda x, lambd: np.where(np.abs(x) > lambd, x, _dt(x, 0)),
    lambda c, g, x: g.masked_fill((x >= -c.lambd) & (x <= c.lambd), 0),
)
softshrink = _act(
    "SoftshrinkBackward0",
    lambda x, lambd: np.where(
        x > lambd, x - _dt(x, lambd), np.where(x < -lambd, x + _dt(x, lambd), _dt(x, 0))
    ),
    lambda c, g, x: g.masked_fill((x >= -c.lambd) & (x <= c.lambd), 0),
)


def _glu(ctx, x, dim):
    ctx.dim = dim
    a, b = np.split(x, 2, axis=dim)
    return a * _sigmoid(b)


def _glu_rule(c, g, x):
    half = x.shape[c.dim] // 2
    a, b = x.narrow(c.dim, 0, half), x.narrow(c.dim, half, half)
    s = b.sigmoid()
    return (g * s)._cat_with(g * a * s * (1 - s), c.dim)


glu = defop("GluBackward0", _glu, [_glu_rule], save=(0,), needs_ctx=True)


def _prelu(ctx, x, w):
    # one weight per channel (dim 1), or one for all
    ctx.wshape = w.shape
    wb = w.reshape((1, -1) + (1,) * (x.ndim - 2)) if x.ndim >= 2 and w.size > 1 else w
    return np.where(x > 0, x, x * wb)


def _prelu_wb(c, x, w):
    return w.reshape((1, -1) + (1,) * (x.ndim - 2)) if x.ndim >= 2 and w.numel() > 1 else w


def _prelu_rule_w(c, g, x, w):
    gw = (g * x).masked_fill(x > 0, 0)
    if w.numel() > 1 and x.ndim >= 2:
        return gw.sum((0, *range(2, x.ndim))).reshape(c.wshape)
    return gw.sum().reshape(c.wshape)


prelu = defop(
    "PreluKernelBackward0",
    _prelu,
    [
        lambda c, g, x, w: (
            g.masked_fill(x <= 0, 0) + (g * _prelu_wb(c, x, w)).masked_fill(x > 0, 0)
        ),
        _prelu_rule_w,
    ],
    save=(0, 1),
    needs_ctx=True,
)


# --- normalization ------------------------------------------------------------------------------
# One forward and one set of rules serve batch, layer and group norm. ``ctx.view`` reshapes the
# input so that the statistics run over ``ctx.axes``; ``ctx.wview`` shapes weight and bias to
# broadcast against the input; ``ctx.waxes`` are the axes summed for their gradients.
#
# Speed: NumPy's element passes cost about the same whatever they compute, so the forward and the
# plain (array) backward are written to make few of them: sums as ``einsum`` over a canonical
# layout (two to four times faster than ``np.add.reduce``), the variance from the centred values
# once, in-place updates of fresh arrays, and per-channel factors folded together where the
# weight indexes the statistics (batch norm). The forward keeps for the plain backward what it
# computed anyway (centred or normalized input, 1/std); under create_graph the rules recompute
# them from x with Tensor operations, so that gradients of gradients stay exact.
class _Reduction:
    """Sums over ``axes`` of ``shape``, in a canonical layout: size-1 dims dropped and neighbours
    that are alike (both summed or both kept) merged. ``stat`` is the shape of the statistics
    (summed dims kept as 1), ``n`` how many elements each one sums."""

    _cache: dict = {}  # by (shape, axes): batch norm's forward finds its weight layout is r

    def __new__(cls, shape: tuple, axes: tuple):
        key = (shape, axes)
        self = cls._cache.get(key)
        if self is None:
            if len(cls._cache) > 512:  # shapes that keep changing (sequence lengths)
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
        # where einsum's setup costs more than it saves (small), or has nothing to broadcast
        self.small = math.prod(dims) < 2048
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

    def scale(self, a: np.ndarray, s: np.ndarray) -> np.ndarray:
        """A new ``a * s``, ``s`` one factor per statistic (einsum's broadcasting product runs
        faster than the ufunc's into a new array)."""
        a = a.reshape(self.shape)
        if self.small or self.whole:
            return a * s.reshape(self.stat)
        return np.einsum(self._scale, a, s.reshape(self.kept))


def _norm(ctx, x, w, b, view, axes, wview, waxes, eps, mean=None, var=None, update=None):
    keep = ctx is not NO_CTX  # recording: leave for the backward, and out of the output's memory
    xv = x.reshape(view)
    if xv.dtype.itemsize < 4:  # half precision: computed in float32, as torch does
        xv = xv.astype(np.float32)
    r = _Reduction(xv.shape, axes)
    wr = _Reduction(x.shape, waxes)  # the weight's layout: r itself where it indexes statistics
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
        mu = mean.reshape(r.stat)
        xc = None
        rstd = var.reshape(r.stat) + eps
    rstd = np.reciprocal(np.sqrt(rstd, out=rstd), out=rstd).astype(xs.dtype, copy=False)
    if keep:
        ctx.view, ctx.axes, ctx.wview, ctx.waxes, ctx.eps = view, axes, wview, waxes, eps
        ctx.r, ctx.wr, ctx.rstd, ctx.mu = r, wr, rstd, mu
        ctx.stats = None if mean is None else (mean.reshape(wview), var.reshape(wview))
    if r is wr:  # batch norm: y = x * scale + shift, per-channel factors
        scale = rstd if w is None else rstd * w.reshape(r.stat)
        if xc is None:
            y = r.scale(xs, scale)
            y += (0 if b is None else b.reshape(r.stat)) - mu * scale
        else:
            y = r.scale(xc, scale) if keep else np.multiply(xc, scale, out=xc)
            if b is not None:
                y += b.reshape(r.stat)
        if keep:
            ctx.xc = xc
    else:
        xh = np.subtract(xs, mu) if xc is None else xc
        xh *= rstd
        y = xh.reshape(wr.shape)
        if keep:
            ctx.xhat = xh
            y = y.copy() if w is None else wr.scale(y, w)  # not the kept memory
        elif w is not None:
            y *= w.reshape(wr.stat)
        if b is not None:
            y += b.reshape(wr.stat)
    return y.reshape(x.shape).astype(x.dtype, copy=False)


def _norm_array_grads(c, g, x, w) -> tuple:
    """The gradients of x, weight and bias (those needed) on arrays, from what the forward kept."""
    need = [e[0] is not None for e in c.next_functions]
    if g.dtype.itemsize < 4:
        g = g.astype(np.float32)
    r, wr, rstd, n = c.r, c.wr, c.rstd, c.r.n
    gx = gw = gb = None
    if r is wr:  # batch norm: per-channel factors
        gs = g.reshape(r.shape)
        k = rstd if w is None else rstd * w.reshape(r.stat)
        sg = r.sum(gs) if need[0] or need[2] else None
        if c.xc is None:  # evaluation: the statistics are constants
            if need[1]:
                gw = r.dot(gs, x.reshape(r.shape) - c.mu) * rstd
            if need[0]:
                gx = r.scale(gs, k)
        else:
            sgx = r.dot(gs, c.xc) if need[0] or need[1] else None
            if need[1]:
                gw = sgx * rstd
            if need[0]:
                gx = r.scale(gs, k)
                t = r.scale(c.xc, k * rstd * rstd * sgx / -n)
                t += k * sg / -n
                gx += t
        if need[2]:
            gb = sg
    else:
        xh = c.xhat
        if need[1]:
            gw = wr.dot(g, xh)
        if need[2]:
            gb = wr.sum(g)
        if need[0]:
            gh = g if w is None else wr.scale(g, w)
            ghs = gh.reshape(r.shape)
            t = r.scale(xh, r.dot(ghs, xh) * (rstd / n))
            t += r.sum(ghs) * (rstd / n)
            gx = r.scale(ghs, rstd) if gh is g else np.multiply(ghs, rstd, out=ghs)  # g: not ours
            gx -= t
    return (
        None if gx is None else gx.reshape(x.shape),
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


# --- embedding ----------------------------------------------------------------------------------
def _embedding(ctx, w, indices, padding_idx):
    ctx.indices, ctx.padding_idx = indices, padding_idx
    return w[indices]


def _embedding_rule(c, g):
    idx = c.indices.reshape(-1)
    g2 = g.reshape(idx.size, c.input_shape()[1])  # not -1: no indices is a valid (0, D)
    if c.padding_idx is not None:
        g2 = g2.masked_fill(g2.new_tensor((idx == c.padding_idx)[:, None]), 0)
    return g2.new_zeros(c.input_shape()).index_add(0, g2.new_tensor(idx), g2)


embedding = defop("EmbeddingBackward0", _embedding, [_embedding_rule], needs_ctx=True)


# --- module backward hooks ----------------------------------------------------------------------
_IDENTITY = {}


def hook_identity(n: int):
    """n tensors passed through unchanged; the node is where a Module's backward hooks attach."""
    if n not in _IDENTITY:
        if n == 1:
            _IDENTITY[n] = defop("BackwardHookFunctionBackward", lambda x: x, [lambda c, g: g])
        else:
            _IDENTITY[n] = defop(
                "BackwardHookFunctionBackward",
                lambda *xs: tuple(xs),
                [lambda c, grads, i=i: grads[i] for i in range(n)],
                num_outputs=n,
            )
    return _IDENTITY[n]
