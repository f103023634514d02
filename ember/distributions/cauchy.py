"""``Cauchy(loc, scale)``."""

from __future__ import annotations

import math

import ember
from ember import Tensor

from .distribution import Distribution, LocScale
from .utils import EMPTY

__all__ = ["Cauchy"]


class Cauchy(LocScale, Distribution):
    """The Cauchy (Lorentz) distribution: the ratio of two independent standard normals."""

    @property
    def mean(self) -> Tensor:
        return ember.full(self._extended_shape(), math.nan, dtype=self.loc.dtype)

    @property
    def mode(self) -> Tensor:
        return self.loc

    @property
    def variance(self) -> Tensor:
        return ember.full(self._extended_shape(), math.inf, dtype=self.loc.dtype)

    def rsample(self, sample_shape=EMPTY) -> Tensor:
        shape = self._extended_shape(sample_shape)
        # torch's cauchy_: tan(pi (u - 1/2)) of a float64 uniform, whatever the dtype
        u = ember.rand(shape, dtype=ember.float64)
        eps = ember.tan(math.pi * (u - 0.5)).to(self.loc.dtype)
        return self.loc + eps * self.scale

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        z = (value - self.loc) / self.scale
        return -math.log(math.pi) - self.scale.log() - z.pow(2).log1p()

    def cdf(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        return ember.atan((value - self.loc) / self.scale) / math.pi + 0.5

    def icdf(self, value: Tensor) -> Tensor:
        return ember.tan(math.pi * (value - 0.5)) * self.scale + self.loc

    def entropy(self) -> Tensor:
        return math.log(4 * math.pi) + self.scale.log()
