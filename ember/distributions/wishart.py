"""``Wishart(df, covariance_matrix=None, precision_matrix=None, scale_tril=None)``."""

from __future__ import annotations

import math
from numbers import Number

import ember
from ember import Size, Tensor

from . import constraints
from .chi2 import Chi2
from .distribution import Distribution
from .multivariate_normal import CovarianceParams, scale_tril_of
from .utils import EMPTY, finfo

__all__ = ["Wishart"]


def _linalg():
    from ember import linalg

    return linalg


def _mvdigamma(x: Tensor, p: int) -> Tensor:
    """The derivative of the multivariate log-gamma ``log Gamma_p(x)``."""
    offsets = ember.arange(p, dtype=x.dtype) / 2
    return ember.digamma(x.unsqueeze(-1) - offsets).sum(-1)


class Wishart(CovarianceParams, Distribution):
    """Positive-definite matrices ``sum_k x_k x_k^T`` of ``df`` draws ``x_k ~ N(0, Sigma)``,
    sampled by the Bartlett decomposition."""

    support = constraints.positive_definite
    has_rsample = True

    @property
    def arg_constraints(self) -> dict:
        return {
            "covariance_matrix": constraints.positive_definite,
            "precision_matrix": constraints.positive_definite,
            "scale_tril": constraints.lower_cholesky,
            "df": constraints.greater_than(self.event_shape[-1] - 1),
        }

    def __init__(
        self,
        df,
        covariance_matrix: Tensor | None = None,
        precision_matrix: Tensor | None = None,
        scale_tril: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        given = [
            (n, m)
            for n, m in (
                ("covariance_matrix", covariance_matrix),
                ("precision_matrix", precision_matrix),
                ("scale_tril", scale_tril),
            )
            if m is not None
        ]
        if len(given) != 1:
            # torch asserts this
            raise AssertionError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        name, param = given[0]
        if param.dim() < 2:
            raise ValueError(  # torch names scale_tril whichever was given
                "scale_tril must be at least two-dimensional, with optional leading batch "
                "dimensions"
            )
        p = param.shape[-1]
        if isinstance(df, Number):
            batch_shape = Size(param.shape[:-2])
            self.df = ember.tensor(float(df), dtype=param.dtype)
        else:
            batch_shape = ember.broadcast_shapes(param.shape[:-2], df.shape)
            self.df = df
        if bool((self.df <= p - 1).any()):
            raise ValueError(f"Value of df={df} expected to be greater than ndim - 1 = {p - 1}.")
        self.df = self.df.expand(batch_shape)
        setattr(self, name, param.expand(tuple(batch_shape) + (-1, -1)))
        super().__init__(batch_shape, param.shape[-2:], validate_args=validate_args)
        self._unbroadcasted_scale_tril = scale_tril_of(
            covariance_matrix, precision_matrix, scale_tril
        )
        # row i of the Bartlett factor has a chi-squared(df - i) diagonal
        offsets = ember.arange(p, dtype=self.df.dtype)
        self._dist_chi2 = Chi2(df=self.df.unsqueeze(-1) - offsets)

    def expand(self, batch_shape, _instance=None):
        names = ("covariance_matrix", "precision_matrix", "scale_tril", "df")
        dims = {"covariance_matrix": 2, "precision_matrix": 2, "scale_tril": 2}
        new = self._expanded(Wishart, batch_shape, _instance, names, dims)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        p = self.event_shape[-1]
        new._dist_chi2 = self._dist_chi2.expand(Size(batch_shape) + (p,))
        return new

    def _df_matrix(self) -> Tensor:
        return self.df.reshape(tuple(self._batch_shape) + (1, 1))

    @property
    def mean(self) -> Tensor:
        return self._df_matrix() * self.covariance_matrix

    @property
    def mode(self) -> Tensor:
        factor = self._df_matrix() - self.event_shape[-1] - 1
        factor = ember.where(factor <= 0, ember.full_like(factor, math.nan), factor)
        return factor * self.covariance_matrix

    @property
    def variance(self) -> Tensor:
        v = self.covariance_matrix
        diag = v.diagonal(dim1=-2, dim2=-1)
        return self._df_matrix() * (v.pow(2) + diag.unsqueeze(-1) * diag.unsqueeze(-2))

    def rsample(self, sample_shape=EMPTY) -> Tensor:
        sample_shape = Size(sample_shape)
        p = self.event_shape[-1]
        tiny = float(finfo(self.df.dtype).eps)
        diagonal = self._dist_chi2.rsample(sample_shape).sqrt().clamp(min=tiny)
        below = ember.randn(
            tuple(sample_shape) + tuple(self._batch_shape) + (p, p), dtype=self.df.dtype
        ).tril(-1)
        factor = ember.matmul(self._unbroadcasted_scale_tril, below + ember.diag_embed(diagonal))
        return ember.matmul(factor, factor.mT)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        nu, p = self.df, self.event_shape[-1]
        tril = self._unbroadcasted_scale_tril
        half_log_det_scale = tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
        # tr(Sigma^-1 X) with Sigma = L L^T, differentiated in all of L (as torch's
        # cholesky_solve is, upper triangle included)
        sigma = ember.matmul(tril, tril.mT)
        batch = ember.broadcast_shapes(sigma.shape[:-2], value.shape[:-2])
        solved = _linalg().solve(sigma.expand(batch + (p, p)), value.expand(batch + (p, p)))
        trace = solved.diagonal(dim1=-2, dim2=-1).sum(-1)
        _, log_det_value = _linalg().slogdet(value)
        return (
            -nu * (p * math.log(2) / 2 + half_log_det_scale)
            - ember.mvlgamma(nu / 2, p)
            + (nu - p - 1) / 2 * log_det_value
            - trace / 2
        )

    def entropy(self) -> Tensor:
        nu, p = self.df, self.event_shape[-1]
        half_log_det_scale = self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1)
        half_log_det_scale = half_log_det_scale.log().sum(-1)
        return (
            (p + 1) * half_log_det_scale
            + p * (p + 1) * math.log(2) / 2
            + ember.mvlgamma(nu / 2, p)
            - (nu - p - 1) / 2 * _mvdigamma(nu / 2, p)
            + nu * p / 2
        )
