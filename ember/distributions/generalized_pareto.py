"""``GeneralizedPareto(loc, scale, concentration)``: the law of threshold exceedances."""

from __future__ import annotations

import math

import ember
from ember import Tensor

from . import constraints
from .distribution import Distribution
from .utils import EMPTY

__all__ = ["GeneralizedPareto"]


class GeneralizedPareto(Distribution):
    """Survival ``(1 + concentration z)^(-1/concentration)`` with ``z = (x - loc) / scale``;
    ``exp(-z)`` at concentration 0. Values outside the support give NaN or extrapolate, as
    torch's (only validation refuses them)."""

    arg_constraints = {
        "loc": constraints.real,
        "scale": constraints.positive,
        "concentration": constraints.real,
    }
    has_rsample = True

    def __init__(self, loc, scale, concentration, validate_args: bool | None = None) -> None:
        names = ("loc", "scale", "concentration")
        self._init_params(names, (loc, scale, concentration), validate_args)

    def expand(self, batch_shape, _instance=None):
        names = ("loc", "scale", "concentration")
        return self._expanded(GeneralizedPareto, batch_shape, _instance, names)

    def _z_and_safe(self, value: Tensor):
        """``z``, whether the concentration is 0, and the concentration with 0 made 1."""
        zero = self.concentration.abs() <= 1e-8  # torch's isclose(concentration, 0)
        safe = ember.where(zero, ember.ones_like(self.concentration), self.concentration)
        return (value - self.loc) / self.scale, zero, safe

    def _log_survival(self, value: Tensor) -> Tensor:
        z, zero, safe = self._z_and_safe(value)
        return ember.where(zero, -z, -ember.log1p(safe * z) / safe)

    def rsample(self, sample_shape=EMPTY) -> Tensor:
        shape = self._extended_shape(sample_shape)
        u = ember.rand(shape, dtype=self.loc.dtype)
        return self.icdf(u)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z, zero, safe = self._z_and_safe(value)
        log_density = ember.where(zero, -z, -(1 / safe + 1) * ember.log1p(safe * z))
        return log_density - self.scale.log()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        # through the log, so that a survival above 1 (below loc) gives NaN as torch's
        return ember.exp(ember.log(-ember.expm1(self._log_survival(value))))

    def icdf(self, value: Tensor) -> Tensor:
        _, zero, safe = self._z_and_safe(self.loc)
        log1m = ember.log1p(-value)
        standard = ember.where(zero, -log1m, ember.expm1(-safe * log1m) / safe)
        return self.loc + self.scale * standard

    @property
    def mean(self) -> Tensor:
        c = self.concentration
        mean = self.loc + self.scale / (1 - c)
        return ember.where(c < 1, mean, ember.full_like(mean, math.nan))

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        c = self.concentration
        variance = self.scale.pow(2) / ((1 - c).pow(2) * (1 - 2 * c))
        return ember.where(c < 0.5, variance, ember.full_like(variance, math.nan))

    def entropy(self) -> Tensor:
        return self.scale.log() + self.concentration + 1

    @constraints.dependent_property(is_discrete=False, event_dim=0)
    def support(self):
        c = self.concentration
        upper = ember.where(c < 0, self.loc - self.scale / c, ember.full_like(c, math.inf))
        return constraints.interval(self.loc, upper)
