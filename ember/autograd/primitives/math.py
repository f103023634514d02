"""Elementwise primitives: one line each, the forward beside its derivative.

In each rule ``c`` is the node (for values the forward left on it), ``g`` the gradient of the
output, and the remaining arguments are the saved inputs or output named by ``save``.
"""

from __future__ import annotations

import cmath
import math

import numpy as np

from . import OUT, defop
from . import rule_ops as R

LN2 = math.log(2.0)
LN10 = math.log(10.0)
TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def unary(name, fn, save, rule, arrays=True):
    return defop(name, fn, [rule], save=save, arrays=arrays)


def _zero(c, g, *saved):
    return R.zeros_like(g)


# --- unary --------------------------------------------------------------------------------------
neg = unary("NegBackward0", np.negative, (), lambda c, g: -g)
exp = unary("ExpBackward0", np.exp, (OUT,), lambda c, g, y: g * R.conj(y))
exp2 = unary("Exp2Backward0", np.exp2, (OUT,), lambda c, g, y: g * R.conj(y) * LN2)
expm1 = unary("Expm1Backward0", np.expm1, (OUT,), lambda c, g, y: g * R.conj(y + 1))
log = unary("LogBackward0", np.log, (0,), lambda c, g, x: g / R.conj(x))
log2 = unary("Log2Backward0", np.log2, (0,), lambda c, g, x: g / R.conj(x * LN2))
log10 = unary("Log10Backward0", np.log10, (0,), lambda c, g, x: g / R.conj(x * LN10))
log1p = unary("Log1pBackward0", np.log1p, (0,), lambda c, g, x: g / R.conj(x + 1))
sqrt = unary("SqrtBackward0", np.sqrt, (OUT,), lambda c, g, y: g / R.conj(2 * y))
rsqrt = unary(
    "RsqrtBackward0", lambda x: 1 / np.sqrt(x), (OUT,), lambda c, g, y: -0.5 * g * R.conj(y) ** 3
)
reciprocal = unary("ReciprocalBackward0", np.reciprocal, (OUT,), lambda c, g, y: -g * R.conj(y * y))
abs = unary("AbsBackward0", np.abs, (0,), lambda c, g, x: _abs_rule(c, g, x))  # noqa: A001
sin = unary("SinBackward0", np.sin, (0,), lambda c, g, x: g * R.conj(R.cos(x)))
cos = unary("CosBackward0", np.cos, (0,), lambda c, g, x: -g * R.conj(R.sin(x)))
tan = unary("TanBackward0", np.tan, (OUT,), lambda c, g, y: g * R.conj(1 + y * y))
asin = unary("AsinBackward0", np.arcsin, (0,), lambda c, g, x: g * R.conj(R.rsqrt(1 - x * x)))
acos = unary("AcosBackward0", np.arccos, (0,), lambda c, g, x: -g * R.conj(R.rsqrt(1 - x * x)))
atan = unary("AtanBackward0", np.arctan, (0,), lambda c, g, x: g / R.conj(1 + x * x))
sinh = unary("SinhBackward0", np.sinh, (0,), lambda c, g, x: g * R.conj(R.cosh(x)))
cosh = unary("CoshBackward0", np.cosh, (0,), lambda c, g, x: g * R.conj(R.sinh(x)))
tanh = unary("TanhBackward0", np.tanh, (OUT,), lambda c, g, y: g * R.conj(1 - y * y))
asinh = unary("AsinhBackward0", np.arcsinh, (0,), lambda c, g, x: g * R.conj(R.rsqrt(x * x + 1)))
acosh = unary("AcoshBackward0", np.arccosh, (0,), lambda c, g, x: _acosh_rule(c, g, x))
atanh = unary("AtanhBackward0", np.arctanh, (0,), lambda c, g, x: g / R.conj(1 - x * x))
sigmoid = unary(
    "SigmoidBackward0", lambda x: _sigmoid(x), (OUT,), lambda c, g, y: _sigmoid_rule(y, g)
)
relu = unary(
    "ReluBackward0", lambda x: np.maximum(x, 0), (OUT,), lambda c, g, y: R.zero_where(g, y <= 0)
)
erf = unary(
    "ErfBackward0", lambda x: _erf(x), (0,), lambda c, g, x: g * TWO_OVER_SQRT_PI * R.exp(-x * x)
)
erfinv = unary(
    "ErfinvBackward0",
    lambda x: _erfinv(x),
    (OUT,),
    lambda c, g, y: g * (0.5 * math.sqrt(math.pi)) * R.exp(y * y),
)


sign = unary("SignBackward0", R.sign_array, (), _zero)


def _sgn_rule(c, g, x, s):
    """Zero for reals; for complex z, (g - s Re(conj(s) g)) / |z| (the part of g along the unit
    circle, scaled), and zero at z = 0, as torch."""
    if not x.is_complex():
        return g.new_zeros(g.shape)
    a = x.abs()
    zero = a == 0
    return ((g - s * (s.conj() * g).real) / a.masked_fill(zero, 1)).masked_fill(zero, 0)


sgn = unary("SgnBackward0", R.sign_array, (0, OUT), _sgn_rule, arrays=False)
floor = unary("FloorBackward0", np.floor, (), _zero)
ceil = unary("CeilBackward0", np.ceil, (), _zero)
trunc = unary("TruncBackward0", np.trunc, (), _zero)
round = unary("RoundBackward0", np.round, (), _zero)  # noqa: A001
round_decimals = defop(
    "RoundBackward1", lambda x, decimals: np.round(x, decimals), [_zero], arrays=True
)
frac = unary("FracBackward0", lambda x: x - np.trunc(x), (), lambda c, g: g)
fill = defop("FillBackward0", lambda x, value: np.full_like(x, value), [_zero], arrays=True)
fill_inplace = defop("FillBackward2", fill.forward, [_zero], arrays=True)  # torch's fill_(number)
zero = defop("ZeroBackward0", np.zeros_like, [_zero], arrays=True)
clone = unary("CloneBackward0", lambda x: x.copy(), (), lambda c, g: g)
to_copy = defop("ToCopyBackward0", lambda x, dtype: x.astype(dtype), [lambda c, g: g], arrays=True)


def _abs_rule(c, g, x):
    if R.is_array(x) or not x.is_complex():  # NumPy's sign of a complex array is x / |x|
        return g * R.sign(x)
    # x / |x| built from differentiable ops: Tensor.sign() has no derivative, and under
    # create_graph a complex |x|'s gradient must itself be differentiated
    a = x.abs()
    return g * (x / a.masked_fill(a == 0, 1))


def _acosh_rule(c, g, x):
    # complex: the principal branch's 1 / (sqrt(x - 1) sqrt(x + 1)), not 1 / sqrt(x^2 - 1)
    if R.is_complex(x):
        return g * R.conj(R.rsqrt(x - 1) * R.rsqrt(x + 1))
    return g * R.rsqrt(x * x - 1)


def _sigmoid(x):
    if x.dtype == np.float16:  # torch computes in float32 and rounds once
        return _sigmoid(x.astype(np.float32)).astype(np.float16)
    # torch's formula in torch's order, so the same roundings: 1 / (1 + exp(-x)). Below about
    # -88 (float32) exp(-x) is inf and the result 0, as torch's, with no overflow warning (nor,
    # for a complex x far left, the warning for its NaN, also torch's).
    with np.errstate(over="ignore", invalid="ignore"):
        return 1 / (1 + np.exp(-x))


def _sigmoid_rule(y, g):
    # torch's order too: (g * (1 - y)) * y, and g * conj((1 - y) * y) for complex
    if R.is_complex(y):
        return g * R.conj((1 - y) * y)
    return g * (1 - y) * y


def _erf(x):
    return _scipy_or_vectorized("erf", math.erf)(x).astype(x.dtype, copy=False)


def _erfinv(x):
    return _scipy_or_vectorized("erfinv", _erfinv_scalar)(x).astype(x.dtype, copy=False)


def _erfinv_scalar(y: float) -> float:
    if y <= -1:
        return -math.inf if y == -1 else math.nan
    if y >= 1:
        return math.inf if y == 1 else math.nan
    # Giles' approximation refined by two Newton steps on erf(x) = y.
    w = -math.log((1.0 - y) * (1.0 + y))
    x = (
        y * (1.2533141373155 + 0.2 * w) / (1 + 0.15 * w)
        if w < 5
        else math.copysign(math.sqrt(w - math.log(w) / 2), y)
    )
    for _ in range(4):
        x -= (math.erf(x) - y) / (TWO_OVER_SQRT_PI * math.exp(-x * x))
    return x


_SPECIAL: dict = {}


def _scipy_or_vectorized(name, scalar_fn):
    fn = _SPECIAL.get(name)
    if fn is None:
        try:
            import scipy.special as sp  # optional: faster, vectorised

            fn = getattr(sp, name)
        except ImportError:
            vec = np.vectorize(scalar_fn, otypes=[np.float64])
            fn = lambda x: vec(x.astype(np.float64)) if x.size else x.astype(np.float64)  # noqa: E731
        _SPECIAL[name] = fn
    return fn


# --- binary: one rule per input -----------------------------------------------------------------
add = defop("AddBackward0", np.add, [lambda c, g: g, lambda c, g: g], arrays=True)
sub = defop("SubBackward0", np.subtract, [lambda c, g: g, lambda c, g: -g], arrays=True)


def _scaled(op):
    """``a op alpha * b``: add/sub with torch's ``alpha``, one node whose rule scales b's
    gradient (not a separate multiplication)."""

    def forward(ctx, a, b, alpha):
        ctx.alpha = alpha
        return op(a, np.multiply(b, alpha, dtype=np.result_type(b, alpha)))

    return forward


add_alpha = defop(
    "AddBackward0",
    _scaled(np.add),
    [lambda c, g: g, lambda c, g: g * R.conj(c.alpha)],
    needs_ctx=True,
    arrays=True,
)
sub_alpha = defop(
    "SubBackward0",
    _scaled(np.subtract),
    [lambda c, g: g, lambda c, g: -(g * R.conj(c.alpha))],
    needs_ctx=True,
    arrays=True,
)
rsub = defop("RsubBackward1", lambda x, other: other - x, [lambda c, g: -g], arrays=True)
mul = defop(
    "MulBackward0",
    np.multiply,
    [lambda c, g, x, y: g * R.conj(y), lambda c, g, x, y: g * R.conj(x)],
    save=(0, 1),
    uses=((1,), (0,)),
    arrays=True,
)
div = defop(
    "DivBackward0",
    np.true_divide,
    [lambda c, g, x, y: g / R.conj(y), lambda c, g, x, y: -g * R.conj(x) / R.conj(y * y)],
    save=(0, 1),
    uses=((1,), (0, 1)),
    arrays=True,
)


def _div_scalar(ctx, x, other):
    ctx.other = other
    return x / other


# Division by a number that is not a tensor input (torch's div.Scalar, made by its own
# composite ops such as cross_entropy's mean): one edge, as torch's DivBackward1.
div_scalar = defop(
    "DivBackward1",
    _div_scalar,
    [lambda c, g: g / R.conj(c.other)],
    needs_ctx=True,
    arrays=True,
)


def _div_rounded(x, y, mode):
    with np.errstate(divide="ignore", invalid="ignore"):
        if mode == "floor":
            return np.floor_divide(x, y)
        if np.result_type(x, y).kind == "f":
            return np.trunc(np.true_divide(x, y))
        return np.floor_divide(x - np.fmod(x, y), y)  # exact for integers of any size


def _not_implemented(aten):
    def rule(c, g):
        raise RuntimeError(f"derivative for aten::{aten} is not implemented")

    return rule


# Rounded quotients are piecewise constant: zero gradient, except that torch leaves the
# ``//`` operator (floor_divide) and ``scalar % tensor`` without a derivative at all.
div_rounded = defop("DivBackward2", _div_rounded, [_zero, _zero])
floor_divide = defop(
    "torch::autograd::NotImplemented",
    lambda x, y, mode: _div_rounded(x, y, mode),
    [_not_implemented("floor_divide")] * 2,
)
rremainder = defop(
    "torch::autograd::NotImplemented",
    lambda s, x: np.remainder(s, x),
    [_not_implemented("remainder")] * 2,
)


def _pow_scalar(ctx, x, exponent):
    ctx.exponent = exponent
    return np.power(x, exponent)


def _pow_scalar_rule(c, g, x):
    e = c.exponent
    return g * 0 if e == 0 else g * R.conj(e) * R.conj(x ** (e - 1))


# The exponent is a number, not an input: the node has one edge, as torch's PowBackward0.
pow_scalar = defop(
    "PowBackward0", _pow_scalar, [_pow_scalar_rule], save=(0,), needs_ctx=True, arrays=True
)


def _power(x, y):
    """``x ** y``; integer powers with negative exponents are 0 except for bases 1 and -1, as
    torch's integer pow (NumPy refuses them)."""
    if np.result_type(x, y).kind in "iu" and np.any(np.asarray(y) < 0):
        neg = np.asarray(y) < 0
        odd = np.abs(y) % 2 == 1
        small = np.where(x == 1, 1, np.where(x == -1, np.where(odd, -1, 1), 0))
        out = np.where(neg, small, np.power(x, np.where(neg, 0, y)))
        return out.astype(np.result_type(x, y), copy=False)
    return np.power(x, y)


pow_tensor = defop(
    "PowBackward1",
    _power,
    [
        lambda c, g, x, y, out: g * R.conj(y) * R.conj(x ** (y - 1)),
        lambda c, g, x, y, out: R.zero_where(
            g * R.conj(out) * R.conj(R.log(x)), (x == 0) & (y >= 0)
        ),
    ],
    save=(0, 1, OUT),
    arrays=True,
)


def _rpow(ctx, x, base):
    ctx.base = base
    return _power(np.asarray(base, x.dtype), x)


def _rpow_rule(c, g, x, out):
    if c.base == 0:  # torch takes the derivative of 0 ** x as 0 where x >= 0, not 0 * -inf
        return (g * R.conj(out) * -math.inf).masked_fill(x >= 0, 0)
    if isinstance(c.base, complex) or (c.base < 0 and x.is_complex()):
        return g * R.conj(out) * cmath.log(c.base).conjugate()  # log's principal branch
    return g * R.conj(out) * (math.log(c.base) if c.base > 0 else math.nan)


rpow = defop("PowBackward2", _rpow, [_rpow_rule], save=(0, OUT), needs_ctx=True)


def _extreme_rule(loses):
    # torch: the gradient goes through unless this input strictly lost (so a NaN input keeps it),
    # ties share it equally, and the losing side gets an exact zero (masked, not multiplied).
    def rule(c, g, x, y):
        return R.zero_where(g, loses(x, y)) - R.zero_where(g * 0.5, x != y)

    return rule


_max_rule_first = _extreme_rule(lambda x, y: x < y)
_max_rule_second = _extreme_rule(lambda x, y: y < x)
_min_rule_first = _extreme_rule(lambda x, y: x > y)
_min_rule_second = _extreme_rule(lambda x, y: y > x)


maximum = defop(
    "MaximumBackward0", np.maximum, [_max_rule_first, _max_rule_second], save=(0, 1), arrays=True
)
minimum = defop(
    "MinimumBackward0", np.minimum, [_min_rule_first, _min_rule_second], save=(0, 1), arrays=True
)


def _masked_rule(loses):
    # fmax/fmin: the whole gradient to one side (the first on a tie or when both are NaN)
    return lambda c, g, x, y: R.zero_where(g, loses(x, y))


def _nan_only(x, y):
    return (x != x) & (y == y)  # x is NaN and y is not: y is the result


fmax = defop(
    "FmaxBackward0",
    np.fmax,
    [
        _masked_rule(lambda x, y: (x < y) | _nan_only(x, y)),
        _masked_rule(lambda x, y: (x >= y) | (y != y)),
    ],
    save=(0, 1),
    arrays=True,
)
fmin = defop(
    "FminBackward0",
    np.fmin,
    [
        _masked_rule(lambda x, y: (x > y) | _nan_only(x, y)),
        _masked_rule(lambda x, y: (x <= y) | (y != y)),
    ],
    save=(0, 1),
    arrays=True,
)


def _atan2_rule(c, g, x, y, num):
    r2 = x * x + y * y
    scaled = g * num
    return (scaled / r2).where(r2 != 0, scaled * 0)  # torch's gradient at the origin: (signed) 0


atan2 = defop(
    "Atan2Backward0",
    np.arctan2,
    [lambda c, g, x, y: _atan2_rule(c, g, x, y, y), lambda c, g, x, y: _atan2_rule(c, g, x, y, -x)],
    save=(0, 1),
)


def _xlogy(x, y):
    # 0 where x == 0 (even for y == 0 or inf), unless y is nan, as torch.
    return np.where((x == 0) & ~np.isnan(y), 0, x * np.log(y)).astype(np.result_type(x, y))


xlogy = defop(
    "XlogyBackward0",
    _xlogy,
    [
        lambda c, g, x, y: g * y.log().where(~((x == 0) & (y <= 0)), 0.0),
        lambda c, g, x, y: g * x / y,
    ],
    save=(0, 1),
)
remainder = defop(
    "RemainderBackward0",
    np.remainder,
    [lambda c, g, x, y: g, lambda c, g, x, y: -g * (x / y).floor()],
    save=(0, 1),
)
fmod = defop(
    "FmodBackward0",
    np.fmod,
    [lambda c, g, x, y: g, lambda c, g, x, y: -g * (x / y).trunc()],
    save=(0, 1),
)
copysign = defop(
    "CopysignBackward0",
    np.copysign,
    [
        lambda c, g, x, y, out: g * (x.sign() * out.sign()).masked_fill(x == 0, 0),
        lambda c, g, x, y, out: g * 0,
    ],
    save=(0, 1, OUT),
)


def _where(ctx, x, y, cond):
    ctx.cond = cond
    return np.where(cond, x, y)


where = defop(
    "WhereBackward0",
    _where,
    [
        lambda c, g: R.zero_where(g, R.lift(g, np.logical_not(c.cond))),
        lambda c, g: R.zero_where(g, R.lift(g, c.cond)),
    ],
    needs_ctx=True,
    arrays=True,
)


def _clamp(ctx, x, lo, hi):
    out = x
    if lo is not None:
        out = np.maximum(out, lo)
    if hi is not None:
        out = np.minimum(out, hi)
    if out is x:
        out = x.copy()
    ctx.lo, ctx.hi = lo, hi
    return out.astype(x.dtype, copy=False) if out.dtype != x.dtype else out


def _clamp_rule(c, g, x):
    keep = None
    if c.lo is not None:
        keep = x >= c.lo
    if c.hi is not None:
        keep = (x <= c.hi) if keep is None else keep & (x <= c.hi)
    return g if keep is None else R.zero_where(g, ~keep)


clamp = defop("ClampBackward1", _clamp, [_clamp_rule], save=(0,), needs_ctx=True, arrays=True)
clamp_min = defop(
    "ClampMinBackward0", _clamp, [_clamp_rule], save=(0,), needs_ctx=True, arrays=True
)
clamp_max = defop(
    "ClampMaxBackward0", _clamp, [_clamp_rule], save=(0,), needs_ctx=True, arrays=True
)
# The tensor-bound forms: torch sends the gradient to ``input`` where it is within the bound
# (``x >= lo``, so NaN in ``x`` gets none) and to the bound elsewhere.
clamp_min_tensor = defop(
    "ClampMinBackward1",
    np.maximum,
    [
        lambda c, g, x, lo: R.zero_where(g, ~(x >= lo)),
        lambda c, g, x, lo: R.zero_where(g, ~(x < lo)),
    ],
    save=(0, 1),
    arrays=True,
)
clamp_max_tensor = defop(
    "ClampMaxBackward1",
    np.minimum,
    [
        lambda c, g, x, hi: R.zero_where(g, ~(x <= hi)),
        lambda c, g, x, hi: R.zero_where(g, ~(x > hi)),
    ],
    save=(0, 1),
    arrays=True,
)
clamp_tensor = defop(
    "ClampBackward0",
    lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
    [
        # torch's masks, written so that NaN (every comparison False) lands where torch's does
        lambda c, g, x, lo, hi: R.zero_where(g, ~((x >= lo) & (x <= hi))),
        lambda c, g, x, lo, hi: R.zero_where(g, ~((x < lo) & (lo < hi))),
        lambda c, g, x, lo, hi: R.zero_where(g, ~((x > hi) | (lo > hi))),
    ],
    save=(0, 1, 2),
    arrays=True,
)


def _lerp_scalar(ctx, a, b, weight):
    ctx.weight = weight
    return a + weight * (b - a)


lerp_scalar = defop(
    "LerpBackward0",
    _lerp_scalar,
    [lambda c, g: g * R.conj(1 - c.weight), lambda c, g: g * R.conj(c.weight)],
    needs_ctx=True,
    arrays=True,
)
lerp_tensor = defop(
    "LerpBackward1",
    lambda a, b, w: a + w * (b - a),
    [
        lambda c, g, a, b, w: g * R.conj(1 - w),
        lambda c, g, a, b, w: g * R.conj(w),
        lambda c, g, a, b, w: g * R.conj(b - a),
    ],
    save=(0, 1, 2),
    arrays=True,
)
