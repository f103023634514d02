"""Special functions for ``ember.special``: erfc, lgamma (gammaln), digamma, trigamma.

SciPy computes them when it is installed; otherwise a vectorised scalar fallback does (``math``
for erfc/lgamma, recurrence plus asymptotic series for the polygammas).
"""

from __future__ import annotations

import math

import numpy as np

from . import defop
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


def _trigamma_scalar(x: float) -> float:
    if x <= 0 and x == math.floor(x):
        return math.inf
    if x < 0:  # reflection: psi1(1 - x) + psi1(x) = pi^2 / sin^2(pi x)
        return -_trigamma_scalar(1 - x) + (math.pi / math.sin(math.pi * x)) ** 2
    acc = 0.0
    while x < 10:
        acc += 1 / (x * x)
        x += 1
    f = 1 / (x * x)
    return acc + 1 / x + f / 2 + f / x * (1 / 6 - f * (1 / 30 - f * (1 / 42 - f / 30)))


def _unary(name, scalar):
    fn = _scipy_or_vectorized(name, scalar)
    return lambda x: np.asarray(fn(x)).astype(x.dtype, copy=False)


def _trigamma(x):
    try:
        from scipy.special import polygamma

        return np.asarray(polygamma(1, x)).astype(x.dtype, copy=False)
    except ImportError:
        return _unary("_trigamma", _trigamma_scalar)(x)


erfc = defop(
    "ErfcBackward0",
    _unary("erfc", math.erfc),
    [lambda c, g, x: -g * TWO_OVER_SQRT_PI * (-x * x).exp()],
    save=(0,),
)
trigamma = defop("PolygammaBackward0", _trigamma, [lambda c, g, x: None], save=(0,))
digamma = defop(
    "DigammaBackward0",
    _unary("digamma", _digamma_scalar),
    [lambda c, g, x: g * x._trigamma()],
    save=(0,),
)
lgamma = defop(
    "LgammaBackward0", _unary("gammaln", math.lgamma), [lambda c, g, x: g * x._digamma()], save=(0,)
)
