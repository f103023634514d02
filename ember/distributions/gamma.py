"""``Gamma(concentration, rate)`` and the standard-gamma sampler that Beta and Dirichlet share."""

from __future__ import annotations

import numpy as np

import ember
from ember import Tensor
from ember.autograd import Function

from . import constraints
from .exp_family import ExponentialFamily
from .utils import EMPTY, finfo

__all__ = ["Gamma"]


def _marsaglia_tsang(alpha: Tensor) -> Tensor:
    """Gamma(alpha, 1) draws (alpha >= 1) by Marsaglia and Tsang's squeeze-free rejection."""
    d = alpha - 1.0 / 3.0
    c = (9.0 * d).rsqrt()
    result = ember.zeros_like(alpha)
    pending = ember.ones_like(alpha, dtype=ember.bool)
    while bool(pending.any()):
        x = ember.randn(alpha.shape, dtype=alpha.dtype)
        v = (1.0 + c * x) ** 3
        log_u = ember.rand(alpha.shape, dtype=alpha.dtype).log()
        ok = (v > 0) & (log_u < 0.5 * x * x + d - d * v + d * v.clamp(min=1e-300).log())
        accept = pending & ok
        result = ember.where(accept, d * v, result)
        pending = pending & ~accept
    return result


def standard_gamma(concentration: Tensor) -> Tensor:
    """Gamma(concentration, 1) draws of the same shape and dtype (no gradient)."""
    with ember.no_grad():
        alpha = concentration.detach().double()
        # alpha < 1: draw Gamma(alpha + 1) and scale by U^(1/alpha), which has the same law
        boosted = _marsaglia_tsang(ember.where(alpha < 1, alpha + 1, alpha))
        u = ember.rand(alpha.shape, dtype=ember.float64)
        scale = ember.where(alpha < 1, u.pow(1.0 / alpha), ember.ones_like(alpha))
        return (boosted * scale).to(concentration.dtype)


def _log_gamma_density(alpha: Tensor, x: Tensor) -> Tensor:
    """``log(x^(alpha-1) exp(-x) / Gamma(alpha))``."""
    return (alpha - 1) * x.log() - x - ember.lgamma(alpha)


def _lower_regularized_gamma(alpha: Tensor, x: Tensor, max_terms: int = 2000) -> Tensor:
    """P(alpha, x) in float64: the series below ``alpha + 1``, Lentz's continued fraction for
    Q = 1 - P above; both stop once every element has converged."""
    a = alpha.detach().double().numpy()
    v = x.detach().double().numpy()
    log_prefactor = a * np.log(v) - v - ember.lgamma(alpha.detach().double()).numpy()
    prefactor = np.exp(log_prefactor)
    eps, tiny = 1e-16, 1e-300
    use_series = v < a + 1.0
    # series: sum_n x^n / (alpha (alpha+1) ... (alpha+n))
    term = 1.0 / a
    total = term.copy()
    for n in range(1, max_terms):
        term = term * v / (a + n)
        total = total + term
        if not np.any((np.abs(term) > eps * np.abs(total)) & use_series):
            break
    series = prefactor * total
    # continued fraction for Q(alpha, x)
    b = v + 1.0 - a
    c = np.full_like(v, 1.0 / tiny)
    d = 1.0 / np.where(np.abs(b) < tiny, tiny, b)
    h = d
    for i in range(1, max_terms):
        an = -i * (i - a)
        b = b + 2.0
        d = an * d + b
        d = 1.0 / np.where(np.abs(d) < tiny, tiny, d)
        c = b + an / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        h = h * d * c
        if not np.any((np.abs(d * c - 1.0) > 8 * eps) & ~use_series):  # rounding: a few ulps
            break
    result = np.where(use_series, series, 1.0 - prefactor * h)
    return ember.from_numpy(np.asarray(result, dtype=np.float64))


class _Igamma(Function):
    """The regularized lower incomplete gamma ``P(alpha, x)`` (torch's ``special.gammainc``),
    differentiable in ``x`` only, as torch's."""

    @staticmethod
    def forward(ctx, alpha: Tensor, x: Tensor) -> Tensor:
        ctx.save_for_backward(alpha, x)
        with ember.no_grad():
            p = _lower_regularized_gamma(alpha.double(), x.double())
        return p.to(ember.promote_types(alpha.dtype, x.dtype))

    @staticmethod
    def backward(ctx, grad: Tensor):
        alpha, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise NotImplementedError("the derivative for 'igamma: input' is not implemented.")
        return None, grad * _log_gamma_density(alpha, x).exp()


def gammainc(alpha: Tensor, x: Tensor) -> Tensor:
    """``P(alpha, x)``, broadcast."""
    alpha, x = ember.broadcast_tensors(alpha, x)
    return _Igamma.apply(alpha, x)


def standard_gamma_grad(x: Tensor, alpha: Tensor) -> Tensor:
    """``dx/dalpha`` of a standard-gamma draw ``x`` by implicit differentiation of its CDF.

    Holding ``P(alpha, x)`` fixed, ``dx/dalpha = -(dP/dalpha) / density``; ``dP/dalpha`` is a
    central difference in float64 (its error is far below float32 resolution).
    """
    with ember.no_grad():
        a, v = alpha.detach().double(), x.detach().double()
        h = 1e-5 * a.clamp(min=1.0)
        dp = (_lower_regularized_gamma(a + h, v) - _lower_regularized_gamma(a - h, v)) / (2 * h)
        return (-dp / _log_gamma_density(a, v).exp()).to(x.dtype)


class _StandardGamma(Function):
    """Standard-gamma draws whose gradient is the implicit reparameterisation gradient."""

    @staticmethod
    def forward(ctx, alpha: Tensor) -> Tensor:
        x = standard_gamma(alpha)
        ctx.save_for_backward(alpha, x)
        return x

    @staticmethod
    def backward(ctx, grad: Tensor) -> Tensor:
        alpha, x = ctx.saved_tensors
        return grad * standard_gamma_grad(x, alpha)


def rstandard_gamma(concentration: Tensor) -> Tensor:
    """Standard-gamma draws, differentiable in ``concentration`` when it requires grad."""
    if concentration.requires_grad and ember.is_grad_enabled():
        return _StandardGamma.apply(concentration)
    return standard_gamma(concentration)


class Gamma(ExponentialFamily):
    """The gamma distribution with shape ``concentration`` and inverse scale ``rate``."""

    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args: bool | None = None) -> None:
        self._init_params(("concentration", "rate"), (concentration, rate), validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expanded(Gamma, batch_shape, _instance, ("concentration", "rate"))

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.rate

    @property
    def mode(self) -> Tensor:
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self) -> Tensor:
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=EMPTY) -> Tensor:
        shape = self._extended_shape(sample_shape)
        value = rstandard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        # keep draws that underflowed to 0 inside the support, without touching the graph
        value.detach().clamp_(min=float(finfo(value.dtype).tiny))
        return value

    def log_prob(self, value: Tensor) -> Tensor:
        value = ember.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        c, r = self.concentration, self.rate
        return ember.xlogy(c, r) + ember.xlogy(c - 1, value) - r * value - ember.lgamma(c)

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return gammainc(self.concentration, self.rate * value)

    def entropy(self) -> Tensor:
        c = self.concentration
        return c - ember.log(self.rate) + ember.lgamma(c) + (1.0 - c) * ember.digamma(c)

    @property
    def _natural_params(self) -> tuple:
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y) -> Tensor:
        return ember.lgamma(x + 1) + (x + 1) * ember.log(-y.reciprocal())
