"""``ember.special``: the special functions of ``torch.special`` (the common ones)."""

from __future__ import annotations

import math

from ._tensor import Tensor, apply
from .autograd.primitives import special as P
from .functions import math as M
from .functions import reduce as R
from .functions._util import as_tensor_arg
from .functions.dtypes import result_type
from .functions.inplace import takes_out

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
    "i0",
    "i0e",
    "i1",
    "i1e",
    "gammainc",
    "gammaincc",
    "multigammaln",
    "erfcx",
    "log_ndtr",
    "ndtri",
    "zeta",
    "spherical_bessel_j0",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "airy_ai",
]


def _float(x) -> Tensor:
    x = as_tensor_arg(x)
    return x if x._data.dtype.kind in "fc" else x.float()


@takes_out("special.expit")
def expit(input: Tensor) -> Tensor:
    """The logistic sigmoid ``1 / (1 + exp(-x))``."""
    return M.sigmoid(input)


@takes_out("logit")
def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    x = _float(input)
    if eps is not None:
        x = x.clamp(eps, 1 - eps)
    return (x / (1 - x)).log()


@takes_out("special.erf")
def erf(input: Tensor) -> Tensor:
    """The error function ``2/sqrt(pi) * integral of exp(-t^2) from 0 to x``."""
    return M.erf(input)


@takes_out("erfc")
def erfc(input: Tensor) -> Tensor:
    """``1 - erf(x)``, accurate where erf is close to 1."""
    return apply(P.erfc, (_float(input),))


@takes_out("special.erfinv")
def erfinv(input: Tensor) -> Tensor:
    """The inverse of ``erf`` on (-1, 1): ``erf(erfinv(y)) == y``."""
    return M.erfinv(input)


@takes_out("lgamma")
def gammaln(input: Tensor) -> Tensor:
    """``log|Gamma(x)|``."""
    return apply(P.lgamma, (_float(input),))


@takes_out("digamma")
def digamma(input: Tensor) -> Tensor:
    """The derivative of ``gammaln``."""
    return apply(P.digamma, (_float(input),))


psi = digamma


def _tensor_arg(fn: str, name: str, position: int, x) -> Tensor:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {position}) must be Tensor, not "
            f"{type(x).__name__}"
        )
    return x


def _int_arg(fn: str, name: str, position: int, n) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {position}) must be int, not {type(n).__name__}"
        )
    return n


@takes_out("polygamma")
def polygamma(n: int, input: Tensor) -> Tensor:
    """The ``n``-th derivative of ``digamma`` (``n >= 0``)."""
    _int_arg("polygamma", "n", 1, n)
    x = _float(_tensor_arg("polygamma", "input", 2, input))
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return apply(P.polygamma, (x,), None, n=n)


def _unary_special(name: str, prim, kernel: str, doc: str):
    """``special.<name>``: a real floating (integers promoted) elementwise primitive."""

    def fn(input: Tensor) -> Tensor:  # noqa: A002
        x = _tensor_arg(f"special_{name}", "input", 1, input)
        if x._data.dtype.kind == "c":
            raise NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(x.dtype)}'")
        return apply(prim, (_float(x),))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return takes_out(f"special.{name}")(fn)


i0 = _unary_special(
    "i0", P.i0, "i0_vml_cpu", "The modified Bessel function of the first kind of order 0."
)
i0e = _unary_special(
    "i0e", P.i0e, "i0e_cpu", "The exponentially scaled ``i0``: ``exp(-|x|) * i0(x)``."
)
i1 = _unary_special(
    "i1", P.i1, "i1_cpu", "The modified Bessel function of the first kind of order 1."
)
i1e = _unary_special(
    "i1e", P.i1e, "i1e_cpu", "The exponentially scaled ``i1``: ``exp(-|x|) * i1(x)``."
)


def _igamma(fn: str, prim, input: Tensor, other: Tensor) -> Tensor:
    from .functions.math import _operands

    _tensor_arg(fn, "input", 1, input)
    _tensor_arg(fn, "other", 2, other)
    arrays = _operands(input, other)
    if arrays[0].dtype.kind not in "f":
        dtype = result_type(input, other)
        raise NotImplementedError(f"\"igamma_cpu\" not implemented for '{_type_name(dtype)}'")
    return apply(prim, (input, other), arrays)


def _type_name(dtype) -> str:
    from .functions.reduce import _scalar_type_name

    return _scalar_type_name(dtype)


@takes_out("special.gammainc")
def gammainc(input: Tensor, other: Tensor) -> Tensor:
    """The regularized lower incomplete gamma function ``P(input, other)``."""
    return _igamma("special_gammainc", P.igamma, input, other)


@takes_out("special.gammaincc")
def gammaincc(input: Tensor, other: Tensor) -> Tensor:
    """The regularized upper incomplete gamma function ``Q(input, other) = 1 - P``."""
    return _igamma("special_gammaincc", P.igammac, input, other)


@takes_out("igamma")
def igamma(input: Tensor, other: Tensor) -> Tensor:
    """``ember.igamma``: the same as ``ember.special.gammainc``."""
    return _igamma("igamma", P.igamma, input, other)


@takes_out("igammac")
def igammac(input: Tensor, other: Tensor) -> Tensor:
    """``ember.igammac``: the same as ``ember.special.gammaincc``."""
    return _igamma("igammac", P.igammac, input, other)


def _mvlgamma(fn: str, input: Tensor, p: int) -> Tensor:
    x = _float(_tensor_arg(fn, "input", 1, input))
    _int_arg(fn, "p", 2, p)
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    # log Gamma_p(x) = p (p - 1) / 4 log(pi) + sum_{i < p} lgamma(x - i / 2)
    offsets = x.new_tensor([-i / 2 for i in range(p)])
    return (x.unsqueeze(-1) + offsets).lgamma().sum(-1) + p * (p - 1) / 4 * math.log(math.pi)


@takes_out("special.multigammaln")
def multigammaln(input: Tensor, p: int) -> Tensor:
    """The multivariate log-gamma function of dimension ``p``."""
    return _mvlgamma("special_multigammaln", input, p)


@takes_out("mvlgamma")
def mvlgamma(input: Tensor, p: int) -> Tensor:
    """``ember.mvlgamma``: the same as ``ember.special.multigammaln``."""
    return _mvlgamma("mvlgamma", input, p)


@takes_out("special.xlogy")
def xlogy(input, other) -> Tensor:
    """``x * log(y)``, 0 where ``x == 0``."""
    return M.xlogy(input, other)


@takes_out("special.xlog1py")
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


@takes_out("special.logsumexp")
def logsumexp(input: Tensor, dim, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``dim``, computed stably."""
    return R.logsumexp(input, dim, keepdim)


@takes_out("special.expm1")
def expm1(input: Tensor) -> Tensor:
    """``exp(x) - 1``, accurate for small ``x``."""
    return M.expm1(input)


@takes_out("special.exp2")
def exp2(input: Tensor) -> Tensor:
    """``2 ** x``."""
    return M.exp2(input)


@takes_out("special.log1p")
def log1p(input: Tensor) -> Tensor:
    """``log(1 + x)``, accurate for small ``x``."""
    return M.log1p(input)


@takes_out("special.ndtr")
def ndtr(input: Tensor) -> Tensor:
    """The standard normal CDF."""
    return 0.5 * erfc(-_float(input) * (1 / math.sqrt(2)))


@takes_out("sinc")
def sinc(input: Tensor) -> Tensor:
    """``sin(pi x) / (pi x)``, 1 at 0."""
    x = _float(input)
    px = x * math.pi
    return M.where(x == 0, 1.0, px.sin() / M.where(x == 0, 1.0, px))


@takes_out("special.entr")
def entr(input: Tensor) -> Tensor:
    """``-x log(x)``: 0 at 0, -inf below."""
    x = _float(input)
    return M.where(x < 0, -math.inf, -M.xlogy(x, x))


@takes_out("special.round")
def round(input: Tensor, *, decimals: int = 0) -> Tensor:  # noqa: A001
    """Round half to even, to ``decimals`` decimal places."""
    return M.round(input, decimals=decimals)


erfcx = _unary_special("erfcx", P.erfcx, "erfcx_cpu", "The scaled complementary error function.")
log_ndtr = _unary_special(
    "log_ndtr", P.log_ndtr, "log_ndtr_cpu", "``log(ndtr(x))``, finite in the tails."
)
ndtri = _unary_special(
    "ndtri", P.ndtri, "ndtri_cpu", "The inverse of ``ndtr``: the normal quantile."
)


@takes_out("special.zeta")
def zeta(input, other) -> Tensor:  # noqa: A002
    """The Hurwitz zeta function ``sum_k (other + k)^-input``."""
    from .functions.math import _operands

    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError(
            "special_zeta() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {type(other).__name__}), but expected one of: (Tensor "
            "input, Tensor other), (Number self, Tensor other), (Tensor input, Number other)"
        )
    arrays = _operands(input, other, floating=True)
    return apply(P.zeta, (input, other), arrays)


def _bind() -> None:
    """Tensor methods used by the derivative rules above (and torch's ``lgamma``/``digamma``)."""
    Tensor._digamma = digamma
    Tensor._polygamma = lambda self, n: polygamma(n, self)
    Tensor._special_i0 = i0
    Tensor._special_i0e = i0e
    Tensor._special_i1 = i1
    Tensor._special_i1e = i1e
    Tensor._special_zeta = zeta
    for name, fn in (("lgamma", gammaln), ("digamma", digamma), ("erfc", erfc), ("logit", logit)):
        if not hasattr(Tensor, name):
            setattr(Tensor, name, fn)


_bind()

from ._special_polynomials import (  # noqa: E402, F401
    airy_ai,
    bessel_j0,
    bessel_j1,
    bessel_y0,
    bessel_y1,
    chebyshev_polynomial_t,
    chebyshev_polynomial_u,
    chebyshev_polynomial_v,
    chebyshev_polynomial_w,
    hermite_polynomial_h,
    hermite_polynomial_he,
    laguerre_polynomial_l,
    legendre_polynomial_p,
    modified_bessel_i0,
    modified_bessel_i1,
    modified_bessel_k0,
    modified_bessel_k1,
    scaled_modified_bessel_k0,
    scaled_modified_bessel_k1,
    shifted_chebyshev_polynomial_t,
    shifted_chebyshev_polynomial_u,
    shifted_chebyshev_polynomial_v,
    shifted_chebyshev_polynomial_w,
    spherical_bessel_j0,
)
