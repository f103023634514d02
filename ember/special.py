"""``ember.special``: the special functions of ``torch.special`` (the common ones)."""

from __future__ import annotations

import math

from ._tensor import Tensor, apply
from .autograd.primitives import special as P
from .functions import math as M
from .functions import reduce as R
from .functions._util import as_tensor_arg

__all__ = [
    "expit",
    "logit",
    "erf",
    "erfc",
    "erfinv",
    "gammaln",
    "digamma",
    "psi",
    "polygamma",
    "xlogy",
    "xlog1py",
    "softmax",
    "log_softmax",
    "logsumexp",
    "expm1",
    "exp2",
    "log1p",
    "ndtr",
    "sinc",
    "entr",
    "round",
]


def _float(x) -> Tensor:
    x = as_tensor_arg(x)
    return x if x._data.dtype.kind in "fc" else x.float()


def expit(input: Tensor) -> Tensor:
    """The logistic sigmoid ``1 / (1 + exp(-x))``."""
    return M.sigmoid(input)


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    x = _float(input)
    if eps is not None:
        x = x.clamp(eps, 1 - eps)
    return (x / (1 - x)).log()


def erf(input: Tensor) -> Tensor:
    """The error function ``2/sqrt(pi) * integral of exp(-t^2) from 0 to x``."""
    return M.erf(input)


def erfc(input: Tensor) -> Tensor:
    """``1 - erf(x)``, accurate where erf is close to 1."""
    return apply(P.erfc, (_float(input),))


def erfinv(input: Tensor) -> Tensor:
    """The inverse of ``erf`` on (-1, 1): ``erf(erfinv(y)) == y``."""
    return M.erfinv(input)


def gammaln(input: Tensor) -> Tensor:
    """``log|Gamma(x)|``."""
    return apply(P.lgamma, (_float(input),))


def digamma(input: Tensor) -> Tensor:
    """The derivative of ``gammaln``."""
    return apply(P.digamma, (_float(input),))


psi = digamma


def polygamma(n: int, input: Tensor) -> Tensor:
    """The ``n``-th derivative of ``digamma``; only n = 0 and n = 1 are implemented."""
    if n == 0:
        return digamma(input)
    if n == 1:
        return apply(P.trigamma, (_float(input),))
    raise NotImplementedError("ember.special.polygamma: only n = 0 and n = 1 are implemented")


def xlogy(input, other) -> Tensor:
    """``x * log(y)``, 0 where ``x == 0``."""
    return M.xlogy(input, other)


def xlog1py(input, other) -> Tensor:
    """``x * log1p(y)``, 0 where ``x == 0``."""
    x, y = as_tensor_arg(input), as_tensor_arg(other)
    return M.where(x == 0, 0.0, x * y.log1p())


def softmax(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed in ``dtype`` when given."""
    return R.softmax(input, dim, dtype=dtype)


def log_softmax(input: Tensor, dim: int, *, dtype=None) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed stably."""
    return R.log_softmax(input, dim, dtype=dtype)


def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim``, computed stably."""
    return R.logsumexp(input, dim, keepdim)


def expm1(input: Tensor) -> Tensor:
    """``exp(x) - 1``, accurate for small ``x``."""
    return M.expm1(input)


def exp2(input: Tensor) -> Tensor:
    """``2 ** x``."""
    return M.exp2(input)


def log1p(input: Tensor) -> Tensor:
    """``log(1 + x)``, accurate for small ``x``."""
    return M.log1p(input)


def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF."""
    return 0.5 * erfc(-_float(input) * (1 / math.sqrt(2)))


def sinc(input: Tensor) -> Tensor:
    """``sin(pi x) / (pi x)``, 1 at 0."""
    x = _float(input)
    px = x * math.pi
    return M.where(x == 0, 1.0, px.sin() / M.where(x == 0, 1.0, px))


def entr(input: Tensor) -> Tensor:
    """``-x log(x)``: 0 at 0, -inf below."""
    x = _float(input)
    return M.where(x < 0, -math.inf, -M.xlogy(x, x))


def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001
    """Round half to even, to ``decimals`` decimal places."""
    return M.round(input, decimals=decimals)


def _bind() -> None:
    """Tensor methods used by the derivative rules above (and torch's ``lgamma``/``digamma``)."""
    Tensor._digamma = digamma
    Tensor._trigamma = lambda self: polygamma(1, self)
    for name, fn in (("lgamma", gammaln), ("digamma", digamma), ("erfc", erfc), ("logit", logit)):
        if not hasattr(Tensor, name):
            setattr(Tensor, name, fn)


_bind()
