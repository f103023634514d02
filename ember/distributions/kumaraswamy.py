"""``Kumaraswamy(concentration1, concentration0)``: a Beta-like law with a closed-form CDF."""

from __future__ import annotations

import math

import ember
from ember import Tensor

from .beta import Beta
from .transformed_distribution import TransformedDistribution
from .transforms import AffineTransform, PowerTransform
from .uniform import Uniform
from .utils import broadcast_all, euler_constant

__all__ = ["Kumaraswamy"]


def _moments(a: Tensor, b: Tensor, n: int) -> Tensor:
    """``E[X^n]`` of Kumaraswamy(a, b): ``b * B(1 + n/a, b)``."""
    arg1 = 1 + n / a
    log_value = ember.lgamma(arg1) + ember.lgamma(b) - ember.lgamma(arg1 + b)
    return b * ember.exp(log_value)


class Kumaraswamy(TransformedDistribution):
    """``(1 - (1 - U)^(1/c0))^(1/c1)`` for ``U ~ Uniform(0, 1)``."""

    arg_constraints = Beta.arg_constraints
    support = Beta.support
    has_rsample = True

    def __init__(self, concentration1, concentration0, validate_args: bool | None = None):
        self.concentration1, self.concentration0 = broadcast_all(concentration1, concentration0)
        base_dist = Uniform(
            ember.full_like(self.concentration0, 0),
            ember.full_like(self.concentration0, 1),
            validate_args=validate_args,
        )
        transforms = [
            PowerTransform(exponent=self.concentration0.reciprocal()),
            AffineTransform(loc=1.0, scale=-1.0),
            PowerTransform(exponent=self.concentration1.reciprocal()),
        ]
        super().__init__(base_dist, transforms, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Kumaraswamy, _instance)
        new.concentration1 = self.concentration1.expand(batch_shape)
        new.concentration0 = self.concentration0.expand(batch_shape)
        return super().expand(batch_shape, _instance=new)

    @property
    def mean(self) -> Tensor:
        return _moments(self.concentration1, self.concentration0, 1)

    @property
    def mode(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        # torch's expression (NaN wherever b > 1, as torch's); the mode is
        # ((a - 1) / (a b - 1))^(1/a) for a, b >= 1
        log_mode = b.reciprocal() * (-b).log1p() - (-a * b).log1p()
        undefined = (a < 1) | (b < 1)
        return ember.where(undefined, ember.full_like(log_mode, math.nan), log_mode).exp()

    @property
    def variance(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        return _moments(a, b, 2) - ember.pow(self.mean, 2)

    def entropy(self) -> Tensor:
        a, b = self.concentration1, self.concentration0
        t1 = 1 - a.reciprocal()
        t0 = 1 - b.reciprocal()
        h0 = ember.digamma(b + 1) + euler_constant
        return t0 + t1 * h0 - ember.log(a) - ember.log(b)
