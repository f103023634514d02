"""Special functions for ``ember.special``: erfc, lgamma, the polygammas, the modified Bessel
functions of orders 0 and 1, the regularized incomplete gamma functions.

SciPy computes erfc, lgamma, digamma and the incomplete gammas when it is installed; otherwise
NumPy fallbacks written here do (``math`` for erfc/lgamma, recurrence plus asymptotic series for
digamma, series and continued fraction for the incomplete gammas). The polygammas of order >= 1
and the Bessel functions always use the vectorised float64 series here.
"""

from __future__ import annotations

import math

import numpy as np

from . import OUT, defop
from .math import TWO_OVER_SQRT_PI, _scipy_or_vectorized


def _digamma_scalar(x: float) -> float:
    if x <= 0 and x == math.floor(x):
        return math.nan if x < 0 else -math.inf
    if x < 0:  # reflection: psi(1 - x) - psi(x) = pi cot(pi x)
        return _digamma_scalar(1 - x) - math.pi / math.tan(math.pi * x)
    acc = 0.0
    while x < 10:
        acc -= 1 / x
        x += 1
    f = 1 / (x * x)
    return acc + math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f / 240)))


def _unary(name, scalar):
    fn = _scipy_or_vectorized(name, scalar)
    return lambda x: np.asarray(fn(x)).astype(x.dtype, copy=False)


erfc = defop(
    "ErfcBackward0",
    _unary("erfc", math.erfc),
    [lambda c, g, x: -g * TWO_OVER_SQRT_PI * (-x * x).exp()],
    save=(0,),
)
digamma = defop(
    "DigammaBackward0",
    _unary("digamma", _digamma_scalar),
    [lambda c, g, x: g * x._polygamma(1)],
    save=(0,),
)
lgamma = defop(
    "LgammaBackward0", _unary("gammaln", math.lgamma), [lambda c, g, x: g * x._digamma()], save=(0,)
)


# -- modified Bessel functions of orders 0 and 1 ---------------------------------------------------
# Evaluated in float64: the power series (all terms positive, so no cancellation) up to |x| = 30,
# Hankel's asymptotic expansion beyond, where its smallest term is far below float64's epsilon.
_BESSEL_SWITCH = 30.0


def _bessel_i(x: np.ndarray, order: int, scaled: bool) -> np.ndarray:
    """``I_order(x)`` (times ``exp(-|x|)`` when ``scaled``) for order 0 or 1, elementwise."""
    x = np.asarray(x, np.float64)
    ax = np.abs(x)
    out = np.empty_like(x)
    small = ax <= _BESSEL_SWITCH
    xs = ax[small]
    q = xs * xs / 4
    term = np.ones_like(xs) if order == 0 else xs / 2
    acc = term.copy()
    for k in range(1, 80):
        term = term * q / (k * (k + order))
        acc += term
    out[small] = acc * np.exp(-xs) if scaled else acc
    big = ~small & np.isfinite(x)
    xb = ax[big]
    mu = 4.0 * order * order
    term = np.ones_like(xb)
    acc = term.copy()
    for k in range(1, 30):
        term = term * -(mu - (2 * k - 1) ** 2) / (8 * k * xb)
        acc += term
    acc /= np.sqrt(2 * np.pi * xb)
    if not scaled:
        with np.errstate(over="ignore"):  # inf past x = 709.78, where exp overflows, as torch's
            acc = acc * np.exp(xb)
    out[big] = acc
    # torch's values at infinity: nan unscaled, 0 scaled
    out[np.isinf(x)] = 0.0 if scaled else np.nan
    out[np.isnan(x)] = np.nan
    return np.copysign(out, x) if order == 1 else out


def _bessel(order: int, scaled: bool):
    name = f"i{order}{'e' if scaled else ''}"

    def forward(x):
        try:
            import scipy.special as sp  # optional: faster; the same Cephes values as torch's

            out = np.asarray(getattr(sp, name)(x.astype(np.float64)))
            if not scaled:
                out = np.where(np.isinf(x), np.nan, out)  # torch: nan at infinity
        except ImportError:
            with np.errstate(over="ignore"):
                out = _bessel_i(x, order, scaled)
        return out.astype(x.dtype, copy=False)

    return forward


i0 = defop("I0Backward0", _bessel(0, False), [lambda c, g, x: g * x._special_i1()], save=(0,))
i0e = defop(
    "SpecialI0EBackward0",
    _bessel(0, True),
    [lambda c, g, x, y: g * (x._special_i1e() - x.sign() * y)],
    save=(0, OUT),
)


def _i1_rule(c, g, x, y):
    # I1'(x) = I0(x) - I1(x)/x, which is 1/2 at 0
    zero = x == 0
    return g * (x._special_i0() - y / x.masked_fill(zero, 1)).masked_fill(zero, 0.5)


def _i1e_rule(c, g, x, y):
    zero = x == 0
    ratio = y * (x.sign() + 1 / x.masked_fill(zero, 1))
    return g * (x._special_i0e() - ratio).masked_fill(zero, 0.5)


i1 = defop("SpecialI1Backward0", _bessel(1, False), [_i1_rule], save=(0, OUT))
i1e = defop("SpecialI1EBackward0", _bessel(1, True), [_i1e_rule], save=(0, OUT))


# -- regularized incomplete gamma functions --------------------------------------------------------
def _lgamma(x: np.ndarray) -> np.ndarray:
    return np.asarray(_scipy_or_vectorized("gammaln", math.lgamma)(x), np.float64)


def _igamma_series(a, x):
    """P(a, x) = x^a e^-x / Gamma(a + 1) * sum_n x^n / ((a + 1) ... (a + n)), for x < a + 1."""
    term = np.ones_like(a)
    acc = term.copy()
    live = np.ones(a.shape, bool)
    for n in range(1, 100000):
        term[live] = term[live] * x[live] / (a[live] + n)
        acc[live] += term[live]
        live &= term > acc * 1e-17
        if not live.any():
            break
    return np.exp(a * np.log(x) - x - _lgamma(a + 1)) * acc


def _igammac_fraction(a, x):
    """Q(a, x) by its continued fraction (modified Lentz), for x >= a + 1."""
    tiny = 1e-300
    b = x + 1 - a
    c = np.full_like(a, 1 / tiny)
    d = 1 / b
    h = d.copy()
    live = np.ones(a.shape, bool)
    for n in range(1, 100000):
        an = -n * (n - a)
        b = b + 2
        d = an * d + b
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1 / d
        delta = d * c
        h = np.where(live, h * delta, h)
        live &= np.abs(delta - 1) > 1e-16
        if not live.any():
            break
    return np.exp(a * np.log(x) - x - _lgamma(a)) * h


def _igamma_fallback(a, x, upper: bool):
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.full(a.shape, np.nan)
    ok = (a >= 0) & (x >= 0) & ~(np.isinf(a) & np.isinf(x)) & ~((a == 0) & (x == 0))
    # the limits: P(0, x > 0) = 1, P(a, 0) = 0, P(a, inf) = 1, P(inf, x) = 0
    edge = ok & ((a == 0) | (x == 0) | np.isinf(x) | np.isinf(a))
    out[edge] = np.where((a[edge] == 0) | np.isinf(x[edge]), 1.0, 0.0)
    series = ok & ~edge & (x < a + 1)
    fraction = ok & ~edge & ~series
    out[series] = _igamma_series(a[series], x[series])
    out[fraction] = 1 - _igammac_fraction(a[fraction], x[fraction])
    if upper:
        # Q from the fraction directly where P is close to 1 (1 - P would lose digits)
        q = 1 - out
        q[fraction] = _igammac_fraction(a[fraction], x[fraction])
        return q
    return out


def _igamma(upper: bool):
    def forward(a, x):
        try:
            import scipy.special as sp  # optional: robust for very large a (uniform asymptotics)

            out = (sp.gammaincc if upper else sp.gammainc)(a, x)
        except ImportError:
            out = _igamma_fallback(a, x, upper)
        return np.asarray(out).astype(np.result_type(a, x), copy=False)

    return forward


def _igamma_rule_x(sign: int):
    def rule(c, g, a, x):
        # d/dx P(a, x) = x^(a-1) e^-x / Gamma(a) (nan at x = 0, a = 1, as torch's)
        with np.errstate(divide="ignore", invalid="ignore"):
            return sign * g * ((a - 1) * x.log() - x - a.lgamma()).exp()

    return rule


def _no_input_rule(name: str):
    def rule(c, g, a, x):
        raise NotImplementedError(f"the derivative for '{name}: input' is not implemented.")

    return rule


igamma = defop(
    "IgammaBackward0", _igamma(False), [_no_input_rule("igamma"), _igamma_rule_x(1)], save=(0, 1)
)
igammac = defop(
    "IgammacBackward0", _igamma(True), [_no_input_rule("igammac"), _igamma_rule_x(-1)], save=(0, 1)
)


# -- polygamma -------------------------------------------------------------------------------------
# B_2j / (2j)!, for the Euler-Maclaurin tail of the Hurwitz zeta function
_BERNOULLI_OVER_FACT = [
    b / math.factorial(2 * j)
    for j, b in enumerate(
        [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510], start=1
    )
]


def _hurwitz_zeta(s, q: np.ndarray) -> np.ndarray:
    """``zeta(s, q) = sum_k (q + k)^-s`` for ``s > 1`` (a number or an array like ``q``), by
    Euler-Maclaurin: the first terms summed directly until ``q + N`` is large, then the integral
    and Bernoulli corrections. The direct sum also serves negative non-integer ``q`` (the series
    converges there)."""
    s, q = np.broadcast_arrays(np.asarray(s, np.float64), np.asarray(q, np.float64))
    # q + N past 2 pi times the corrections' ratio (s + 2j) / (2 pi w), capped for huge s
    start = 15.0 + 2 * np.minimum(s, 60.0)
    steps = np.where(np.isfinite(q), np.ceil(np.maximum(start - q, 0)), 0)
    acc = np.zeros(q.shape)
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        for k in range(int(steps.max()) if steps.size else 0):
            acc += np.where(k < steps, (q + k) ** -s, 0)
        w = q + steps
        acc += w ** (1 - s) / (s - 1) + 0.5 * w**-s
        rising = s.copy()  # s (s + 1) ... (s + 2j - 2)
        power = w ** (-s - 1)
        for j, coef in enumerate(_BERNOULLI_OVER_FACT, start=1):
            acc += coef * rising * power
            rising = rising * (s + 2 * j - 1) * (s + 2 * j)
            power = power / (w * w)
    return acc


def _polygamma_fallback(n: int, x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float64)
    out = (-1.0) ** (n + 1) * math.factorial(n) * _hurwitz_zeta(n + 1, x)
    # torch's values at the infinities
    out[x == np.inf] = 0.0 if n == 1 else np.nan
    out[x == -np.inf] = np.nan if n == 1 else (-1.0) ** (n + 1) * np.inf
    return out


def _polygamma(ctx, x, n):
    ctx.n = n
    if n == 0:
        return digamma.forward(x)
    return _polygamma_fallback(n, x).astype(x.dtype, copy=False)


polygamma = defop(
    "PolygammaBackward0",
    _polygamma,
    [lambda c, g, x: g * x._polygamma(c.n + 1)],
    save=(0,),
    needs_ctx=True,
)


# -- erfcx, log_ndtr, ndtri ------------------------------------------------------------------------
_SQRT_2PI = math.sqrt(2 * math.pi)


def _erfc64(x: np.ndarray) -> np.ndarray:
    return np.asarray(_scipy_or_vectorized("erfc", math.erfc)(x), np.float64)


def _erfcx64(x: np.ndarray) -> np.ndarray:
    """``exp(x^2) erfc(x)`` in float64: the product below 10 (erfc keeps its relative accuracy),
    the asymptotic series above, the reflection ``2 exp(x^2) - erfcx(-x)`` below 0."""
    x = np.asarray(x, np.float64)
    out = np.full(x.shape, np.nan)
    ax = np.abs(x)
    mid = ax < 10
    with np.errstate(over="ignore"):
        out[mid] = np.exp(ax[mid] ** 2) * _erfc64(ax[mid])
    big = (ax >= 10) & np.isfinite(ax)
    inv2 = 1 / (2 * ax[big] ** 2)
    term, acc = np.ones_like(inv2), np.ones_like(inv2)
    for k in range(1, 25):
        term = term * -(2 * k - 1) * inv2
        acc += term
    out[big] = acc / (ax[big] * math.sqrt(math.pi))
    out[np.isinf(x)] = 0.0
    neg = x < 0
    with np.errstate(over="ignore"):
        out[neg] = 2 * np.exp(x[neg] ** 2) - out[neg]
    return out


def _log_ndtr64(x: np.ndarray) -> np.ndarray:
    """``log(ndtr(x))``: ``log1p(-ndtr(-x))`` above 0, ``log(erfcx(-x / sqrt 2) / 2) - x^2 / 2``
    below, which stays finite far into the tail where ndtr underflows."""
    x = np.asarray(x, np.float64)
    out = np.empty_like(x)
    pos = x > 0
    out[pos] = np.log1p(-0.5 * _erfc64(x[pos] / math.sqrt(2)))
    xn = x[~pos]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        out[~pos] = np.log(0.5 * _erfcx64(-xn / math.sqrt(2))) - xn * xn / 2
    out[x == -np.inf] = -np.inf
    return out


def _ndtri64(p: np.ndarray) -> np.ndarray:
    """The inverse of ndtr: a starting point (erfinv near the middle, the tail's asymptotics
    beyond), then Newton steps on ``log_ndtr(x) = log(q)`` for ``q = min(p, 1 - p)``."""
    from .math import _erfinv

    p = np.asarray(p, np.float64)
    q = np.minimum(p, 1 - p)
    ok = (q > 0) & (q <= 0.5)
    qs = q[ok]
    middle = qs > 1e-8
    x = np.empty_like(qs)
    x[middle] = math.sqrt(2) * _erfinv(2 * qs[middle] - 1)
    t = -2 * np.log(qs[~middle])
    x[~middle] = -np.sqrt(t - np.log(t) - math.log(2 * math.pi))
    target = np.log(qs)
    for _ in range(6):
        lg = _log_ndtr64(x)
        step = (lg - target) / np.exp(-x * x / 2 - math.log(_SQRT_2PI) - lg)
        x = x - step
    out = np.full(p.shape, np.nan)
    out[ok] = np.where(p[ok] > 0.5, -x, x)
    out[p == 0] = -np.inf
    out[p == 1] = np.inf
    return out


def _float64_kernel(fn):
    return lambda x: fn(x).astype(x.dtype, copy=False)


erfcx = defop(
    "SpecialErfcxBackward0",
    _float64_kernel(_erfcx64),
    [lambda c, g, x, y: g * (2 * x * y - 2 / math.sqrt(math.pi))],
    save=(0, OUT),
)


def _log_ndtr_rule(c, g, x, y):
    # the normal density over ndtr, as exp(log pdf - log ndtr): finite deep in the left tail
    return g * (-x * x / 2 - y).exp() / _SQRT_2PI


log_ndtr = defop(
    "SpecialLogNdtrBackward0", _float64_kernel(_log_ndtr64), [_log_ndtr_rule], save=(0, OUT)
)
ndtri = defop(
    "SpecialNdtriBackward0",
    _float64_kernel(_ndtri64),
    [lambda c, g, p, x: g * _SQRT_2PI * (x * x / 2).exp()],
    save=(0, OUT),
)


# -- Hurwitz zeta ----------------------------------------------------------------------------------
def _zeta64(s: np.ndarray, q: np.ndarray) -> np.ndarray:
    """``zeta(s, q)`` for real ``s`` with torch's domain: inf at ``s = 1`` and at non-positive
    integer ``q``, nan for ``s < 1``, for negative non-integer ``q`` unless ``s`` is an integer,
    and for infinite arguments."""
    s, q = np.broadcast_arrays(np.asarray(s, np.float64), np.asarray(q, np.float64))
    out = np.full(s.shape, np.nan)
    pole = (s == 1) | ((q <= 0) & (q == np.floor(q)) & (s > 1))
    ok = (s > 1) & np.isfinite(s) & np.isfinite(q) & ~pole & ((q > 0) | (s == np.floor(s)))
    out[pole] = np.inf
    out[ok] = _hurwitz_zeta(s[ok], q[ok])
    return out


def _zeta(x, q):
    return _zeta64(x, q).astype(np.result_type(x, q), copy=False)


def _no_zeta_rule(c, g, x, q):
    raise NotImplementedError("the derivative for 'zeta' is not implemented.")


zeta = defop(
    "SpecialZetaBackward0",
    _zeta,
    [_no_zeta_rule, lambda c, g, x, q: -g * x * (x + 1)._special_zeta(q)],
    save=(0, 1),
)
