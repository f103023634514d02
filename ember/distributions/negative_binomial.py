"""``NegativeBinomial(total_count, probs=None, logits=None)``."""

from __future__ import annotations

import ember
from ember import Tensor

from . import constraints
from .distribution import Distribution
from .gamma import Gamma
from .utils import EMPTY, ProbsLogits, lazy_property, softplus

__all__ = ["NegativeBinomial"]


class NegativeBinomial(ProbsLogits, Distribution):
    """Failures before ``total_count`` successes, ``probs`` being the success probability."""

    arg_constraints = {
        "total_count": constraints.greater_than_eq(0),
        "probs": constraints.half_open_interval(0.0, 1.0),
        "logits": constraints.real,
    }
    support = constraints.nonnegative_integer

    def __init__(self, total_count, probs=None, logits=None, validate_args: bool | None = None):
        self._set_probs_or_logits(probs, logits, total_count)
        super().__init__(self._param.size(), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        names = ("total_count", "probs", "logits")
        return self._expanded(NegativeBinomial, batch_shape, _instance, names)

    @property
    def mean(self) -> Tensor:
        return self.total_count * ember.exp(self.logits)

    @property
    def mode(self) -> Tensor:
        return ((self.total_count - 1) * self.logits.exp()).floor().clamp(min=0.0)

    @property
    def variance(self) -> Tensor:
        return self.mean / ember.sigmoid(-self.logits)

    @lazy_property
    def _gamma(self) -> Gamma:
        # the Poisson rate of a draw is Gamma(total_count, exp(-logits))
        return Gamma(
            concentration=self.total_count, rate=ember.exp(-self.logits), validate_args=False
        )

    def sample(self, sample_shape=EMPTY) -> Tensor:
        with ember.no_grad():
            rate = self._gamma.sample(sample_shape=sample_shape)
            return ember.poisson(rate)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        n, logits = self.total_count, self.logits
        log_unnormalized_prob = -n * softplus(logits) + value * -softplus(-logits)
        log_normalization = -ember.lgamma(n + value) + ember.lgamma(1.0 + value) + ember.lgamma(n)
        # n + value == 0: the one outcome of a distribution with no successes to wait for
        log_normalization = log_normalization.masked_fill(n + value == 0.0, 0.0)
        return log_unnormalized_prob - log_normalization
