"""``Dirichlet(concentration)``: distributions over the probability simplex."""

from __future__ import annotations

import ember
from ember import Tensor

from . import constraints
from .exp_family import ExponentialFamily
from .gamma import rstandard_gamma
from .utils import EMPTY, finfo, one_hot

__all__ = ["Dirichlet"]


def sample_dirichlet(concentration: Tensor) -> Tensor:
    """Dirichlet draws as normalised standard-gamma draws, kept inside the open simplex.

    Differentiable in ``concentration`` through the gammas' implicit gradients.
    """
    gammas = rstandard_gamma(concentration)
    x = gammas / gammas.sum(-1, keepdim=True)
    info = finfo(x.dtype)
    x.detach().clamp_(min=float(info.tiny), max=1 - float(info.eps))
    return x


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution with positive ``concentration`` (the last dim is the event)."""

    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration: Tensor, validate_args: bool | None = None) -> None:
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        shape = concentration.shape
        super().__init__(shape[:-1], shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        dims = {"concentration": 1}
        return self._expanded(Dirichlet, batch_shape, _instance, ("concentration",), dims)

    def rsample(self, sample_shape=EMPTY) -> Tensor:
        shape = self._extended_shape(sample_shape)
        return sample_dirichlet(self.concentration.expand(shape))

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return (
            ember.xlogy(c - 1.0, value).sum(-1) + ember.lgamma(c.sum(-1)) - ember.lgamma(c).sum(-1)
        )

    @property
    def mean(self) -> Tensor:
        return self.concentration / self.concentration.sum(-1, keepdim=True)

    @property
    def mode(self) -> Tensor:
        concm1 = (self.concentration - 1).clamp(min=0.0)
        mode = concm1 / concm1.sum(-1, keepdim=True)
        # every concentration below 1: the density peaks at a vertex of the simplex
        vertex = (self.concentration < 1).all(-1, keepdim=True)
        at_vertex = one_hot(mode.argmax(-1), concm1.shape[-1], mode.dtype)
        return ember.where(vertex, at_vertex, mode)

    @property
    def variance(self) -> Tensor:
        con0 = self.concentration.sum(-1, keepdim=True)
        return self.concentration * (con0 - self.concentration) / (con0.pow(2) * (con0 + 1))

    def entropy(self) -> Tensor:
        c = self.concentration
        k = c.size(-1)
        a0 = c.sum(-1)
        return (
            ember.lgamma(c).sum(-1)
            - ember.lgamma(a0)
            - (k - a0) * ember.digamma(a0)
            - ((c - 1.0) * ember.digamma(c)).sum(-1)
        )
