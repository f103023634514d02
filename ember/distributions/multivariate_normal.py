"""``MultivariateNormal(loc, covariance_matrix=None, precision_matrix=None, scale_tril=None)``."""

from __future__ import annotations

import math

import ember
from ember import Size, Tensor

from . import constraints
from .distribution import Distribution, LocIsMeanAndMode
from .utils import EMPTY, lazy_property, standard_normal

__all__ = ["MultivariateNormal"]


def _linalg():
    from ember import linalg

    return linalg


def batch_mv(bmat: Tensor, bvec: Tensor) -> Tensor:
    """Matrix-vector products broadcast over the batch dims of both."""
    return ember.matmul(bmat, bvec.unsqueeze(-1)).squeeze(-1)


def tril_solve(bL: Tensor, rhs: Tensor) -> Tensor:  # noqa: N803
    """``L^-1 rhs`` for lower-triangular ``L``, broadcast over batch dims."""
    bL = bL.tril()  # noqa: N806 - only the lower triangle is read (and gets gradient)
    batch = ember.broadcast_shapes(bL.shape[:-2], rhs.shape[:-2])
    n, k = bL.shape[-1], rhs.shape[-1]
    return _linalg().solve(bL.expand(batch + (n, n)), rhs.expand(batch + (n, k)))


def batch_mahalanobis(bL: Tensor, bx: Tensor) -> Tensor:  # noqa: N803
    """``x^T (L L^T)^-1 x`` for each batch of ``L`` and ``x``."""
    return tril_solve(bL, bx.unsqueeze(-1)).squeeze(-1).pow(2).sum(-1)


def _precision_to_scale_tril(P: Tensor) -> Tensor:  # noqa: N803
    return _linalg().cholesky(_linalg().inv(P))


def scale_tril_of(covariance_matrix, precision_matrix, scale_tril) -> Tensor:
    """The lower Cholesky factor of the covariance, from whichever matrix was given."""
    if scale_tril is not None:
        return scale_tril
    if covariance_matrix is not None:
        return _linalg().cholesky(covariance_matrix)
    return _precision_to_scale_tril(precision_matrix)


class CovarianceParams:
    """``scale_tril``, ``covariance_matrix`` and ``precision_matrix`` (expanded to the batch
    shape) from ``self._unbroadcasted_scale_tril``, computed when first read."""

    def _matrix_shape(self) -> Size:
        n = self._unbroadcasted_scale_tril.shape[-1]
        return self._batch_shape + (n, n)

    @lazy_property
    def scale_tril(self) -> Tensor:
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        L = self._unbroadcasted_scale_tril  # noqa: N806
        return ember.matmul(L, L.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self) -> Tensor:
        L = self._unbroadcasted_scale_tril  # noqa: N806
        return _linalg().inv(ember.matmul(L, L.mT)).expand(self._matrix_shape())


class MultivariateNormal(CovarianceParams, LocIsMeanAndMode, Distribution):
    """The normal distribution over vectors, with one of three covariance parameterisations."""

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self,
        loc: Tensor,
        covariance_matrix: Tensor | None = None,
        precision_matrix: Tensor | None = None,
        scale_tril: Tensor | None = None,
        validate_args: bool | None = None,
    ) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = [m is not None for m in (covariance_matrix, scale_tril, precision_matrix)]
        if sum(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        name, matrix = next(
            (n, m)
            for n, m in (
                ("scale_tril", scale_tril),
                ("covariance_matrix", covariance_matrix),
                ("precision_matrix", precision_matrix),
            )
            if m is not None
        )
        if matrix.dim() < 2:
            shown = "scale_tril matrix" if name == "scale_tril" else name
            raise ValueError(
                f"{shown} must be at least two-dimensional, with optional leading batch dimensions"
            )
        batch_shape = ember.broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(batch_shape + (-1, -1)))
        self.loc = loc.expand(batch_shape + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        self._unbroadcasted_scale_tril = scale_tril_of(
            covariance_matrix, precision_matrix, scale_tril
        )

    def expand(self, batch_shape, _instance=None):
        names = ("loc", "covariance_matrix", "scale_tril", "precision_matrix")
        dims = {"loc": 1, "covariance_matrix": 2, "scale_tril": 2, "precision_matrix": 2}
        new = self._expanded(MultivariateNormal, batch_shape, _instance, names, dims)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        return new

    @property
    def variance(self) -> Tensor:
        return (
            self._unbroadcasted_scale_tril.pow(2)
            .sum(-1)
            .expand(self._batch_shape + self._event_shape)
        )

    def _half_log_det(self) -> Tensor:
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def rsample(self, sample_shape=EMPTY) -> Tensor:
        shape = self._extended_shape(sample_shape)
        eps = standard_normal(shape, self.loc.dtype)
        return self.loc + batch_mv(self._unbroadcasted_scale_tril, eps)

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        M = batch_mahalanobis(self._unbroadcasted_scale_tril, diff)  # noqa: N806
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + M) - self._half_log_det()

    def entropy(self) -> Tensor:
        H = 0.5 * self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + self._half_log_det()  # noqa: N806
        if len(self._batch_shape) == 0:
            return H
        return H.expand(self._batch_shape)
