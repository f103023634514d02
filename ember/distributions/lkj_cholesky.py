"""``LKJCholesky(dim, concentration=1.0)``: Cholesky factors of LKJ-distributed correlations."""

from __future__ import annotations

import math

import ember
from ember import Size, Tensor

from . import constraints
from .beta import Beta
from .distribution import Distribution
from .utils import EMPTY, broadcast_all, finfo

__all__ = ["LKJCholesky"]


class LKJCholesky(Distribution):
    """``L`` with ``L L^T = R``, ``R`` a correlation matrix of density ``det(R)^(eta - 1)``.

    In terms of ``L``: ``prod_{i >= 1} L_ii^(D - 1 - i + 2 (eta - 1))`` (rows from 0). Samples
    come from the onion method (Lewandowski, Kurowicka and Joe, 2009, section 3.2).
    """

    arg_constraints = {"concentration": constraints.positive}
    support = constraints.corr_cholesky

    def __init__(self, dim: int, concentration=1.0, validate_args: bool | None = None) -> None:
        if dim < 2:
            raise ValueError(
                f"Expected dim to be an integer greater than or equal to 2. Found dim={dim}."
            )
        self.dim = dim
        (self.concentration,) = broadcast_all(concentration)
        batch_shape = self.concentration.size()
        # row i > 0 (the onion's i-th layer) has squared length y ~ Beta(i/2, b_i), with
        # b_i = eta + (D - 2)/2 - (i - 1)/2, so that each correlation's marginal is
        # Beta(eta - 1 + D/2, eta - 1 + D/2) on (-1, 1); row 0 is (1, 0, ..., 0)
        rows = ember.arange(1, dim, dtype=self.concentration.dtype)
        conc1 = rows / 2
        conc0 = self.concentration.unsqueeze(-1) + (dim - 2) / 2 - (rows - 1) / 2
        self._beta = Beta(conc1, conc0)
        super().__init__(batch_shape, Size((dim, dim)), validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._expanded(LKJCholesky, batch_shape, _instance, ("concentration",))
        new.dim = self.dim
        new._beta = self._beta.expand(Size(batch_shape) + (self.dim - 1,))
        return new

    def sample(self, sample_shape=EMPTY) -> Tensor:
        shape = self._extended_shape(sample_shape)
        with ember.no_grad():
            y = self._beta.sample(sample_shape)  # squared lengths of rows 1..D-1
            y = ember.cat([ember.zeros_like(y[..., :1]), y], -1).unsqueeze(-1)
            # a uniform direction in the first i coordinates of row i
            normal = ember.randn(shape, dtype=y.dtype).tril(-1)
            norm = normal.norm(dim=-1, keepdim=True)
            direction = normal / ember.where(norm > 0, norm, ember.ones_like(norm))
            w = y.sqrt() * direction
            tiny = float(finfo(w.dtype).tiny)
            diagonal = (1 - w.pow(2).sum(-1)).clamp(min=tiny).sqrt()
            return w + ember.diag_embed(diagonal)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        d = self.dim
        diag = value.diagonal(dim1=-2, dim2=-1)[..., 1:]
        # exponents D - 1 - i + 2 (eta - 1) for rows i = 1..D-1
        rows = ember.arange(1, d, dtype=value.dtype)
        power = 2 * (self.concentration - 1).unsqueeze(-1) + (d - 1) - rows
        unnormalized = (power * diag.log()).sum(-1)
        # log of the normalising constant: with a = eta + (D - 1)/2,
        # (D - 1)/2 log(pi) + log Gamma_{D-1}(a - 1/2) - (D - 1) log Gamma(a)
        dm1 = d - 1
        a = self.concentration + 0.5 * dm1
        log_norm = (
            0.5 * dm1 * math.log(math.pi) + ember.mvlgamma(a - 0.5, dm1) - dm1 * ember.lgamma(a)
        )
        return unnormalized - log_norm
