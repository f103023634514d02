"""Neural-network primitives: convolution, pooling, padding, resampling, activations (norms:
``norm.py``, re-exported here).

The forwards call the array kernels (``ember/kernels/``). The operations here are linear in their
input (conv in each argument, pooling, padding, resampling), so the derivative of each is another
primitive of the table, and the derivative of that derivative is the original forward again:
``create_graph=True`` works through all of them. Piecewise activations write their rules with
Tensor methods on the saved input, which makes them differentiable as well.
"""

from __future__ import annotations

import math

import numpy as np

from ...kernels import conv as KC
from ...kernels import pad as KD
from ...kernels import pool as KP
from ..engine import RELEASABLE
from . import NO_CTX, OUT, defop
from . import rule_ops as R
from .linalg_decomp import vector_norm
from .math import _erf, _sigmoid, add, mul, sub
from .norm import batch_norm, group_norm, layer_norm  # noqa: F401 - the norms, here as before
from .shape import renamed


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
RELEASABLE.add(KC._Padded)  # a node that never runs its weight rule drops it on release


def _conv(ctx, x, w, b, stride, padding, dilation, transposed, output_padding, groups):
    ctx.p = (stride, padding, dilation, groups)
    ctx.transposed = transposed
    if transposed:
        return KC.conv_transpose_forward(x, w, b, stride, padding, output_padding, groups, dilation)
    if ctx is NO_CTX:
        return KC.conv_forward(x, w, b, stride, padding, dilation, groups)
    # the padded input, kept for the weight gradient of a plain backward (_conv_rule_w)
    keep = []
    y = KC.conv_forward(x, w, b, stride, padding, dilation, groups, keep)
    ctx.padded = keep[0] if keep else None
    return y


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


def _channels_last_once(c, g):
    """g as a (N, C, *S) view of a channels-last buffer, made once per node for the input and
    weight rules (both kernels read the gradient channels-last; an NCHW gradient was copied
    twice). The bias rule keeps g as it came (its sum order follows g's layout)."""
    if KC.to_last(g).flags.c_contiguous:
        return g
    memo = getattr(c, "_g_cl", None)
    if memo is not None and memo[0] is g:
        c._g_cl = None
        return memo[1]
    gcl = KC.to_first(np.ascontiguousarray(KC.to_last(g)))
    c._g_cl = (g, gcl)
    return gcl


# A plain backward runs the three rules on arrays (``arrays=True``): the kernels are called as
# the Tensor path's primitives call them (same arrays, same arguments, so the same bits), without
# a Tensor or an apply per gradient. Under create_graph the rules get Tensors and are recorded.
def _conv_rule_x(c, g, x, w):
    stride, padding, dilation, groups = c.p
    if R.is_array(g):
        if not c.transposed:
            opad = _out_padding(x.shape[2:], g.shape[2:], stride, padding, dilation, w.shape[2:])
            gcl = _channels_last_once(c, g)
            return KC.conv_transpose_forward(gcl, w, None, stride, padding, opad, groups, dilation)
        gx = KC.conv_forward(g, w, None, stride, padding, dilation, groups)
        if gx.shape[2:] != x.shape[2:]:  # output_padding >= stride adds rows x never had
            gx = gx[(slice(None),) * 2 + tuple(slice(0, n) for n in x.shape[2:])]
        return gx
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
    if R.is_array(g):
        if c.transposed:
            return _conv_weight_array(g, x, tuple(w.shape), stride, padding, dilation, groups)
        gcl = _channels_last_once(c, g)
        padded, c.padded = getattr(c, "padded", None), None  # once: its buffer is pooled after
        return _conv_weight_array(x, gcl, tuple(w.shape), stride, padding, dilation, groups, padded)
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
    if R.is_array(g):
        gl = KC.to_last(g) if g.ndim > 2 else None
        if gl is not None and g.size and gl.flags.c_contiguous:
            ch = g.shape[1]
            k = KC.fold_rows(g.size // ch, ch)
            part = np.add.reduce(gl.reshape(-1, k * ch), axis=(0,))
            return np.add.reduce(part.reshape(k, ch), axis=(0,))
        return np.add.reduce(g, axis=(0, *range(2, g.ndim)))
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
    arrays=True,
)


def _conv_weight_array(x, gy, wshape, stride, padding, dilation, groups, padded=None):
    pads = tuple((p, p) for p in padding)
    return KC._conv_weight_grad(
        np.moveaxis(x, 1, -1), KC._channels_last(gy), wshape, stride, pads, dilation, groups, padded
    )


def _conv_weight(ctx, x, gy, wshape, stride, padding, dilation, groups):
    """dL/dw of y = conv(x, w) given gy (the kernels' channels-last weight-gradient core)."""
    ctx.p = (stride, padding, dilation, groups)
    return _conv_weight_array(x, gy, wshape, stride, padding, dilation, groups)


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
        "circular": "CopySlices",  # torch pads circularly by slice copies
    }[mode]
    if name not in _PAD:
        _PAD[name] = _adjoint_pair(
            name,
            lambda x, pads, mode, value: KD.pad(x, pads, mode, value),
            _pad_back,
            _pool_kw,
            _pool_back_kw,
        )[0]
        if mode == "circular":  # torch's CopySlices node calls itself by its C++ name
            _PAD[name].node.name = lambda self: "torch::autograd::CopySlices"
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
    idx = c.indices
    if idx is None:  # a tiled pool whose forward made no int64 indices
        idx = KP.tiled_indices(c.offsets, c.window, c.in_shape)
    idx = gg.new_tensor(idx)
    return gg.flatten(2).gather(2, idx.flatten(2)).reshape(idx.shape)


def _scatter(ctx, g, indices, input_shape, window=None, offsets=None):
    ctx.indices, ctx.offsets, ctx.window, ctx.in_shape = indices, offsets, window, input_shape
    return KP.max_pool_backward(g, indices, input_shape, window, offsets)


_MAX = {}


def _max_prim(name, forward):
    if name not in _MAX:
        back = defop(
            name.replace("Backward0", "BackwardBackward0"), _scatter, [_gather_rule], needs_ctx=True
        )

        def fwd(ctx, x, indices=True, **kw):
            # windows tiling the input have a scatter-free backward, which reuses the winners'
            # in-window offsets the forward found (a byte each, against the int64 indices).
            # indices=False: the caller drops the indices output, so a tiled pool does not
            # make them (a broadcast zero stands in for the unused output)
            window = KP.tiled_window(x.shape, **kw) if "kernel_size" in kw else None
            if window is not None and not indices and ctx is NO_CTX:  # nothing recorded
                y = KP.max_pool_values(x, **kw)
                return y, np.broadcast_to(np.int64(0), y.shape)
            if window is not None:
                y, idx, offsets = KP.max_pool_forward_offsets(x, **kw, indices=indices)
            else:
                (y, idx), offsets = forward(x, **kw), None
            ctx.indices, ctx.in_shape, ctx.window, ctx.offsets = idx, x.shape, window, offsets
            return y, (np.broadcast_to(np.int64(0), y.shape) if idx is None else idx)

        def rule(c, grads):
            if R.is_array(grads[0]):  # a plain backward: _scatter's kernel on the arrays
                return KP.max_pool_backward(grads[0], c.indices, c.in_shape, c.window, c.offsets)
            return _apply(
                back,
                (grads[0],),
                indices=c.indices,
                input_shape=c.in_shape,
                window=c.window,
                offsets=c.offsets,
            )

        _MAX[name] = defop(
            name,
            fwd,
            [rule],
            needs_ctx=True,
            num_outputs=2,
            differentiable_outputs=(0,),
            arrays=True,
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


def _silu(x):
    if x.dtype == np.float16:  # torch computes in float32 and rounds once
        return _silu(x.astype(np.float32)).astype(np.float16)
    with np.errstate(over="ignore", invalid="ignore"):  # torch's x / (1 + exp(-x)), its roundings
        return x / (1 + np.exp(-x))


silu = _act("SiluBackward0", _silu, _silu_rule)


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


# --- embedding ----------------------------------------------------------------------------------
def _embedding(ctx, w, indices, padding_idx, scale_grad_by_freq=False):
    ctx.indices, ctx.padding_idx, ctx.scale = indices, padding_idx, scale_grad_by_freq
    return w[indices]


def _embedding_rule(c, g):
    return _apply(
        embedding_dense_backward,
        (g,),
        indices=c.indices,
        weight_shape=c.input_shape(),
        padding_idx=c.padding_idx,
        scale_grad_by_freq=c.scale,
    )


def _embedding_dense_backward(ctx, g, indices, weight_shape, padding_idx, scale_grad_by_freq):
    """The weight's gradient: rows of g summed at their indices, padding rows left out, each row
    divided by how often its index occurs when ``scale_grad_by_freq``."""
    ctx.indices, ctx.padding_idx = indices, padding_idx
    idx = indices.reshape(-1)
    g2 = g.reshape(idx.size, weight_shape[1])  # not -1: no indices is a valid (0, D)
    keep = idx != padding_idx if padding_idx is not None else None
    if scale_grad_by_freq:
        per_row = (1 / np.bincount(idx)[idx]).astype(g.dtype)
        g2 = g2 * per_row[:, None]
    if keep is not None:
        g2, idx = g2[keep], idx[keep]
    out = np.zeros(weight_shape, g.dtype)
    np.add.at(out, idx, g2)
    return out


def _embedding_double_rule(c, gg):
    # torch's double backward gathers gg at the indices without the frequency scaling
    idx = c.indices.reshape(-1)
    rows = gg.index_select(0, gg.new_tensor(idx))
    if c.padding_idx is not None:
        rows = rows.masked_fill(gg.new_tensor((idx == c.padding_idx)[:, None]), 0)
    return rows.view(c.indices.shape + (gg.shape[1],))


embedding = defop("EmbeddingBackward0", _embedding, [_embedding_rule], needs_ctx=True)
embedding_dense_backward = defop(
    "EmbeddingDenseBackwardBackward0",
    _embedding_dense_backward,
    [_embedding_double_rule],
    needs_ctx=True,
)


# --- Tensor-Scalar overloads ---------------------------------------------------------------------
# torch's C++ losses and pairwise_distance call the Tensor-Scalar add/sub and the dim-taking norm
# overloads, which record their own nodes: the same forwards and rules as ``x + s``, ``x - s``
# and linalg.vector_norm.
add_scalar = renamed(add, "AddBackward1")
sub_scalar = renamed(sub, "SubBackward1")
mul_scalar = renamed(mul, "MulBackward1")
norm_dim = renamed(vector_norm, "NormBackward1")
norm_all = renamed(vector_norm, "NormBackward0")  # the Scalar-p norm of all elements


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
