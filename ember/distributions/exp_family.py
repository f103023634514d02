"""``ExponentialFamily``: densities ``exp(<t(x), theta> - F(theta) + k(x))``."""

from __future__ import annotations

import ember
from ember import Tensor

from .distribution import Distribution
from .utils import sum_rightmost

__all__ = ["ExponentialFamily"]


class ExponentialFamily(Distribution):
    """Subclasses give the natural parameters ``theta`` (``_natural_params``), the log
    normalizer ``F`` (``_log_normalizer``) and ``E[k(X)]`` (``_mean_carrier_measure``); then
    the entropy, and the KL divergence within the family, follow from ``F`` and its gradient.
    """

    @property
    def _natural_params(self) -> tuple:
        raise NotImplementedError

    def _log_normalizer(self, *natural_params) -> Tensor:
        raise NotImplementedError

    @property
    def _mean_carrier_measure(self):
        raise NotImplementedError

    def _normalizer_and_grads(self):
        """``F(theta)`` at detached natural parameters, with ``dF/dtheta`` (= ``E[t(X)]``)."""
        params = [p.detach().requires_grad_() for p in self._natural_params]
        with ember.enable_grad():
            log_normalizer = self._log_normalizer(*params)
            grads = ember.autograd.grad(log_normalizer.sum(), params, create_graph=True)
        return params, log_normalizer, grads

    def entropy(self) -> Tensor:
        """``F(theta) - <theta, grad F(theta)> - E[k(X)]``."""
        params, log_normalizer, grads = self._normalizer_and_grads()
        result = log_normalizer - self._mean_carrier_measure
        for param, grad in zip(params, grads):
            result = result - (param * grad).reshape(tuple(self._batch_shape) + (-1,)).sum(-1)
        return result

    def _bregman_kl(self, other: ExponentialFamily) -> Tensor:
        """KL(self || other) as the Bregman divergence of ``F`` between the parameters."""
        params, log_normalizer, grads = self._normalizer_and_grads()
        other_params = other._natural_params
        result = other._log_normalizer(*other_params) - log_normalizer
        for param, other_param, grad in zip(params, other_params, grads):
            result = result - sum_rightmost((other_param - param) * grad, len(other.event_shape))
        return result
