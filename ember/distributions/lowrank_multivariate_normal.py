"""``LowRankMultivariateNormal(loc, cov_factor, cov_diag)``: covariance ``W W^T + D``."""

from __future__ import annotations

import math

import ember
from ember import Size, Tensor

from . import constraints
from .distribution import Distribution, LocIsMeanAndMode
from .multivariate_normal import batch_mahalanobis, batch_mv, tril_solve
from .utils import EMPTY, lazy_property, standard_normal

__all__ = ["LowRankMultivariateNormal"]


def _cholesky(a: Tensor) -> Tensor:
    from ember import linalg

    return linalg.cholesky(a)


def _plus_identity(k: Tensor) -> Tensor:
    return k + ember.eye(k.shape[-1], dtype=k.dtype)


def _capacitance_tril(W: Tensor, D: Tensor) -> Tensor:  # noqa: N803
    """Cholesky factor of the capacitance matrix ``I + W^T D^-1 W`` (m x m, m = rank)."""
    wt_dinv = W.mT / D.unsqueeze(-2)
    return _cholesky(_plus_identity(ember.matmul(wt_dinv, W)))


def _lowrank_logdet(D: Tensor, capacitance_tril: Tensor) -> Tensor:  # noqa: N803
    """``log det(W W^T + D)`` by the matrix determinant lemma."""
    half = capacitance_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)
    return 2 * half + D.log().sum(-1)


def _lowrank_mahalanobis(W, D, x, capacitance_tril) -> Tensor:  # noqa: N803
    """``x^T (W W^T + D)^-1 x`` by the Woodbury identity."""
    wt_dinv = W.mT / D.unsqueeze(-2)
    term1 = (x.pow(2) / D).sum(-1)
    term2 = batch_mahalanobis(capacitance_tril, batch_mv(wt_dinv, x))
    return term1 - term2


class LowRankMultivariateNormal(LocIsMeanAndMode, Distribution):
    """A multivariate normal whose covariance is low rank plus diagonal."""

    arg_constraints = {
        "loc": constraints.real_vector,
        "cov_factor": constraints.independent(constraints.real, 2),
        "cov_diag": constraints.independent(constraints.positive, 1),
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(
        self, loc: Tensor, cov_factor: Tensor, cov_diag: Tensor, validate_args: bool | None = None
    ) -> None:
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        event_shape = loc.shape[-1:]
        if cov_factor.dim() < 2:
            raise ValueError(
                "cov_factor must be at least two-dimensional, with optional leading batch "
                "dimensions"
            )
        if cov_factor.shape[-2:-1] != event_shape:
            raise ValueError(
                f"cov_factor must be a batch of matrices with shape {event_shape[0]} x m"
            )
        if cov_diag.shape[-1:] != event_shape:
            raise ValueError(f"cov_diag must be a batch of vectors with shape {event_shape}")
        try:
            loc_, self.cov_factor, cov_diag_ = ember.broadcast_tensors(
                loc.unsqueeze(-1), cov_factor, cov_diag.unsqueeze(-1)
            )
        except RuntimeError as e:
            raise ValueError(
                f"Incompatible batch shapes: loc {loc.shape}, cov_factor {cov_factor.shape}, "
                f"cov_diag {cov_diag.shape}"
            ) from e
        self.loc = loc_[..., 0]
        self.cov_diag = cov_diag_[..., 0]
        batch_shape = self.loc.shape[:-1]
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        self._capacitance_tril = _capacitance_tril(cov_factor, cov_diag)
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        names = ("loc", "cov_diag", "cov_factor")
        dims = {"loc": 1, "cov_diag": 1, "cov_factor": 2}
        new = self._expanded(LowRankMultivariateNormal, batch_shape, _instance, names, dims)
        new._unbroadcasted_cov_factor = self._unbroadcasted_cov_factor
        new._unbroadcasted_cov_diag = self._unbroadcasted_cov_diag
        new._capacitance_tril = self._capacitance_tril
        return new

    def _matrix_shape(self) -> Size:
        return self._batch_shape + self._event_shape + self._event_shape

    @lazy_property
    def variance(self) -> Tensor:
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag  # noqa: N806
        return (W.pow(2).sum(-1) + D).expand(self._batch_shape + self._event_shape)

    @lazy_property
    def scale_tril(self) -> Tensor:
        # L = D^1/2 chol(I + D^-1/2 W W^T D^-1/2), so that L L^T = W W^T + D
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag  # noqa: N806
        d_sqrt = D.sqrt().unsqueeze(-1)
        dinvsqrt_w = W / d_sqrt
        k = _plus_identity(ember.matmul(dinvsqrt_w, dinvsqrt_w.mT))
        return (d_sqrt * _cholesky(k)).expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self) -> Tensor:
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag  # noqa: N806
        return (ember.matmul(W, W.mT) + ember.diag_embed(D)).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self) -> Tensor:
        # Woodbury: D^-1 - D^-1 W C^-1 W^T D^-1 with C = I + W^T D^-1 W
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag  # noqa: N806
        a = tril_solve(self._capacitance_tril, W.mT / D.unsqueeze(-2))
        precision = ember.diag_embed(D.reciprocal()) - ember.matmul(a.mT, a)
        return precision.expand(self._matrix_shape())

    def rsample(self, sample_shape=EMPTY) -> Tensor:
        shape = self._extended_shape(sample_shape)
        w_shape = tuple(shape[:-1]) + tuple(self.cov_factor.shape[-1:])
        eps_w = standard_normal(w_shape, self.loc.dtype)
        eps_d = standard_normal(shape, self.loc.dtype)
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag  # noqa: N806
        return self.loc + batch_mv(W, eps_w) + D.sqrt() * eps_d

    def log_prob(self, value: Tensor) -> Tensor:
        if self._validate_args:
            self._validate_sample(value)
        diff = value - self.loc
        W, D = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag  # noqa: N806
        m = _lowrank_mahalanobis(W, D, diff, self._capacitance_tril)
        log_det = _lowrank_logdet(D, self._capacitance_tril)
        return -0.5 * (self._event_shape[0] * math.log(2 * math.pi) + log_det + m)

    def entropy(self) -> Tensor:
        log_det = _lowrank_logdet(self._unbroadcasted_cov_diag, self._capacitance_tril)
        h = 0.5 * (self._event_shape[0] * (1.0 + math.log(2 * math.pi)) + log_det)
        if len(self._batch_shape) == 0:
            return h
        return h.expand(self._batch_shape)
