"""``VonMises(loc, concentration)``: the circular normal distribution on [-pi, pi)."""

from __future__ import annotations

import math

import ember
from ember import Tensor

from . import constraints
from .distribution import Distribution, LocIsMeanAndMode
from .utils import EMPTY, lazy_property

__all__ = ["VonMises"]

# Abramowitz & Stegun 9.8.1-9.8.4: polynomial approximations of the modified Bessel functions
# I0 and I1, in (x / 3.75)^2 below 3.75 and in 3.75 / x above (times e^x / sqrt(x)).
_SMALL = {
    0: [1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.360768e-1, 0.45813e-2],
    1: [0.5, 0.87890594, 0.51498869, 0.15084934, 0.2658733e-1, 0.301532e-2, 0.32411e-3],
}
_LARGE = {
    0: [
        0.39894228,
        0.1328592e-1,
        0.225319e-2,
        -0.157565e-2,
        0.916281e-2,
        -0.2057706e-1,
        0.2635537e-1,
        -0.1647633e-1,
        0.392377e-2,
    ],
    1: [
        0.39894228,
        -0.3988024e-1,
        -0.362018e-2,
        0.163801e-2,
        -0.1031555e-1,
        0.2282967e-1,
        -0.2895312e-1,
        0.1787654e-1,
        -0.420059e-2,
    ],
}


def _polynomial(y: Tensor, coefficients) -> Tensor:
    """Horner's rule, the constant term first in ``coefficients``."""
    result = coefficients[-1]
    for c in reversed(coefficients[:-1]):
        result = c + y * result
    return result


def _log_bessel_i(x: Tensor, order: int = 0) -> Tensor:
    """``log I_order(x)`` for ``x > 0`` (order 0 or 1)."""
    y = (x / 3.75).pow(2)
    small = _polynomial(y, _SMALL[order])
    if order == 1:
        small = x.abs() * small
    small = small.log()
    large = x - 0.5 * x.log() + _polynomial(3.75 / x, _LARGE[order]).log()
    return ember.where(x < 3.75, small, large)


def _rejection_sample(loc, concentration, proposal_r, x) -> Tensor:
    """Best and Fisher's (1979) wrapped-Cauchy rejection sampler, in float64."""
    done = ember.zeros(x.shape, dtype=ember.bool)
    while not bool(done.all()):
        u1, u2, u3 = ember.rand((3,) + tuple(x.shape), dtype=loc.dtype).unbind()
        z = ember.cos(math.pi * u1)
        f = (1 + proposal_r * z) / (proposal_r + z)
        c = concentration * (proposal_r - f)
        accept = ((c * (2 - c) - u2) > 0) | ((c / u2).log() + 1 - c >= 0)
        if bool(accept.any()):
            x = ember.where(accept, (u3 - 0.5).sign() * f.acos(), x)
            done = done | accept
    return (x + math.pi + loc) % (2 * math.pi) - math.pi


class VonMises(LocIsMeanAndMode, Distribution):
    """Angles with density ``exp(concentration cos(x - loc)) / (2 pi I0(concentration))``."""

    arg_constraints = {"loc": constraints.real, "concentration": constraints.positive}
    support = constraints.real
    has_rsample = False

    def __init__(self, loc, concentration, validate_args: bool | None = None) -> None:
        self._init_params(("loc", "concentration"), (loc, concentration), validate_args)
        # the sampler runs in float64 whatever the parameters' dtype
        self._loc = self.loc.double()
        self._concentration = self.concentration.double()

    def expand(self, batch_shape, _instance=None):
        names = ("loc", "concentration", "_loc", "_concentration")
        return self._expanded(VonMises, batch_shape, _instance, names)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        log_prob = self.concentration * ember.cos(value - self.loc)
        return log_prob - math.log(2 * math.pi) - _log_bessel_i(self.concentration, order=0)

    @lazy_property
    def _proposal_r(self) -> Tensor:
        kappa = self._concentration
        tau = 1 + (1 + 4 * kappa**2).sqrt()
        rho = (tau - (2 * tau).sqrt()) / (2 * kappa)
        proposal_r = (1 + rho**2) / (2 * rho)
        # rho -> 0 as kappa -> 0, where the expression above loses all precision
        return ember.where(kappa < 1e-5, 1 / kappa + kappa, proposal_r)

    def sample(self, sample_shape=EMPTY) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            x = ember.empty(shape, dtype=self._loc.dtype)
            sample = _rejection_sample(self._loc, self._concentration, self._proposal_r, x)
            return sample.to(self.loc.dtype)

    @lazy_property
    def variance(self) -> Tensor:
        c = self.concentration
        return 1 - (_log_bessel_i(c, order=1) - _log_bessel_i(c, order=0)).exp()
