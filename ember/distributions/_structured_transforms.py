"""Transforms of whole vectors and matrices (re-exported by ``transforms``)."""

from __future__ import annotations

import math

import ember
from ember import Tensor

from . import constraints
from ._elementwise_transforms import _clipped_sigmoid
from ._transform import Transform, _Parameterless
from .utils import finfo, softplus, sum_rightmost


class SoftmaxTransform(_Parameterless):
    """Real vectors to the simplex by ``softmax`` (not bijective: constants are lost)."""

    domain = constraints.real_vector
    codomain = constraints.simplex

    def _call(self, x):
        probs = (x - x.max(-1, True)[0]).exp()
        return probs / probs.sum(-1, True)

    def _inverse(self, y):
        return y.log()

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return shape

    inverse_shape = forward_shape


def _stick_offsets(n: int, like: Tensor) -> Tensor:
    """``n, n-1, ..., 1``: the number of sticks still to break at each step."""
    return n + 1 - ember.ones(n, dtype=like.dtype).cumsum(-1)


class StickBreakingTransform(_Parameterless):
    """Real vectors of length K to the K+1 simplex by stick breaking (a bijection)."""

    domain = constraints.real_vector
    codomain = constraints.simplex
    bijective = True

    def _call(self, x):
        n = x.shape[-1]
        z = _clipped_sigmoid(x - _stick_offsets(n, x).log())
        z_cumprod = (1 - z).cumprod(-1)
        ones = ember.ones(tuple(x.shape[:-1]) + (1,), dtype=x.dtype)
        return ember.cat([z, ones], -1) * ember.cat([ones, z_cumprod], -1)

    def _inverse(self, y):
        y_crop = y[..., :-1]
        offset = _stick_offsets(y_crop.shape[-1], y)
        sf = (1 - y_crop.cumsum(-1)).clamp(min=float(finfo(y.dtype).tiny))
        return y_crop.log() - sf.log() + offset.log()

    def log_abs_det_jacobian(self, x, y):
        x = x - _stick_offsets(x.shape[-1], x).log()
        return (-x - softplus(-x) + y[..., :-1].log()).sum(-1)

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return tuple(shape[:-1]) + (shape[-1] + 1,)

    def inverse_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        return tuple(shape[:-1]) + (shape[-1] - 1,)


class LowerCholeskyTransform(_Parameterless):
    """Unconstrained square matrices to lower-triangular ones with a positive diagonal."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.lower_cholesky

    def _call(self, x):
        return x.tril(-1) + x.diagonal(dim1=-2, dim2=-1).exp().diag_embed()

    def _inverse(self, y):
        return y.tril(-1) + y.diagonal(dim1=-2, dim2=-1).log().diag_embed()


class IndependentTransform(Transform):
    """``base_transform`` with its rightmost ``reinterpreted_batch_ndims`` dims as one event."""

    def __init__(
        self, base_transform: Transform, reinterpreted_batch_ndims: int, cache_size: int = 0
    ) -> None:
        super().__init__(cache_size=cache_size)
        self.base_transform = base_transform.with_cache(cache_size)
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return IndependentTransform(
            self.base_transform, self.reinterpreted_batch_ndims, cache_size=cache_size
        )

    @constraints.dependent_property(is_discrete=False)
    def domain(self):
        return constraints.independent(self.base_transform.domain, self.reinterpreted_batch_ndims)

    @constraints.dependent_property(is_discrete=False)
    def codomain(self):
        return constraints.independent(self.base_transform.codomain, self.reinterpreted_batch_ndims)

    @property
    def bijective(self) -> bool:
        return self.base_transform.bijective

    @property
    def sign(self):
        return self.base_transform.sign

    def _call(self, x):
        if x.dim() < self.domain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform(x)

    def _inverse(self, y):
        if y.dim() < self.codomain.event_dim:
            raise ValueError("Too few dimensions on input")
        return self.base_transform.inv(y)

    def log_abs_det_jacobian(self, x, y):
        result = self.base_transform.log_abs_det_jacobian(x, y)
        return sum_rightmost(result, self.reinterpreted_batch_ndims)

    def __repr__(self) -> str:
        return (
            f"{self.__class__.__name__}({self.base_transform!r}, {self.reinterpreted_batch_ndims})"
        )

    def forward_shape(self, shape):
        return self.base_transform.forward_shape(shape)

    def inverse_shape(self, shape):
        return self.base_transform.inverse_shape(shape)


class ReshapeTransform(Transform):
    """Reshape the rightmost ``in_shape`` dims to ``out_shape`` (volume preserving)."""

    bijective = True

    def __init__(self, in_shape, out_shape, cache_size: int = 0) -> None:
        self.in_shape = ember.Size(in_shape)
        self.out_shape = ember.Size(out_shape)
        if self.in_shape.numel() != self.out_shape.numel():
            raise ValueError("in_shape, out_shape have different numbers of elements")
        super().__init__(cache_size=cache_size)

    @constraints.dependent_property
    def domain(self):
        return constraints.independent(constraints.real, len(self.in_shape))

    @constraints.dependent_property
    def codomain(self):
        return constraints.independent(constraints.real, len(self.out_shape))

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return ReshapeTransform(self.in_shape, self.out_shape, cache_size=cache_size)

    def _call(self, x):
        batch_shape = tuple(x.shape[: x.dim() - len(self.in_shape)])
        return x.reshape(batch_shape + tuple(self.out_shape))

    def _inverse(self, y):
        batch_shape = tuple(y.shape[: y.dim() - len(self.out_shape)])
        return y.reshape(batch_shape + tuple(self.in_shape))

    def log_abs_det_jacobian(self, x, y):
        batch_shape = tuple(x.shape[: x.dim() - len(self.in_shape)])
        return ember.zeros(batch_shape, dtype=x.dtype)

    def _reshaped(self, shape, src, dst):
        if len(shape) < len(src):
            raise ValueError("Too few dimensions on input")
        cut = len(shape) - len(src)
        if tuple(shape[cut:]) != tuple(src):
            raise ValueError(f"Shape mismatch: expected {tuple(shape[cut:])} but got {src}")
        return tuple(shape[:cut]) + tuple(dst)

    def forward_shape(self, shape):
        return self._reshaped(shape, self.in_shape, self.out_shape)

    def inverse_shape(self, shape):
        return self._reshaped(shape, self.out_shape, self.in_shape)


class CumulativeDistributionTransform(Transform):
    """A distribution's CDF as a transform onto the unit interval."""

    bijective = True
    codomain = constraints.unit_interval
    sign = +1

    def __init__(self, distribution, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.distribution = distribution

    @property
    def domain(self):
        return self.distribution.support

    def _call(self, x):
        return self.distribution.cdf(x)

    def _inverse(self, y):
        return self.distribution.icdf(y)

    def log_abs_det_jacobian(self, x, y):
        return self.distribution.log_prob(x)

    def with_cache(self, cache_size: int = 1) -> Transform:
        return CumulativeDistributionTransform(self.distribution, cache_size=cache_size)


class PositiveDefiniteTransform(_Parameterless):
    """Unconstrained square matrices to positive-definite ones, ``L L^T`` of LowerCholesky."""

    domain = constraints.independent(constraints.real, 2)
    codomain = constraints.positive_definite

    def _call(self, x):
        tril = LowerCholeskyTransform()(x)
        return ember.matmul(tril, tril.mT)

    def _inverse(self, y):
        from ember import linalg

        return LowerCholeskyTransform().inv(linalg.cholesky(y))


def _parts(tseq, cache_size: int) -> list:
    """The transforms of a Cat/StackTransform, each with the given cache size."""
    if not all(isinstance(t, Transform) for t in tseq):
        raise AssertionError("All elements of tseq must be Transform instances")
    return [t.with_cache(cache_size) if cache_size else t for t in tseq]


class CatTransform(Transform):
    """``tseq[i]`` applied to the ``lengths[i]`` slice of dimension ``dim``."""

    def __init__(self, tseq, dim: int = 0, lengths=None, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.transforms = _parts(tseq, cache_size)
        self.lengths = list(lengths) if lengths is not None else [1] * len(self.transforms)
        if len(self.lengths) != len(self.transforms):
            raise AssertionError("Expected as many lengths as transforms")
        self.dim = dim

    @property
    def event_dim(self) -> int:
        return max(t.event_dim for t in self.transforms)

    @property
    def length(self) -> int:
        return sum(self.lengths)

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return CatTransform(self.transforms, self.dim, self.lengths, cache_size)

    def _check(self, x) -> None:
        if not -x.dim() <= self.dim < x.dim() or x.size(self.dim) != self.length:
            # torch asserts these (AssertionError); so does Ember, with a message
            raise AssertionError(
                f"Expected dimension {self.dim} of size {self.length}, got shape {tuple(x.shape)}"
            )

    def _slices(self, *tensors):
        start = 0
        for t, length in zip(self.transforms, self.lengths):
            yield (t, *(z.narrow(self.dim, start, length) for z in tensors))
            start += length

    def _call(self, x):
        self._check(x)
        return ember.cat([t(xs) for t, xs in self._slices(x)], dim=self.dim)

    def _inverse(self, y):
        self._check(y)
        return ember.cat([t.inv(ys) for t, ys in self._slices(y)], dim=self.dim)

    def log_abs_det_jacobian(self, x, y):
        self._check(x)
        self._check(y)
        terms = []
        for t, xs, ys in self._slices(x, y):
            term = t.log_abs_det_jacobian(xs, ys)
            terms.append(sum_rightmost(term, self.event_dim - t.event_dim))
        dim = self.dim - x.dim() if self.dim >= 0 else self.dim
        dim = dim + self.event_dim
        if dim < 0:  # the concatenated dim is a batch dim of the result
            return ember.cat(terms, dim=dim)
        return sum(terms)

    @property
    def bijective(self) -> bool:
        return all(t.bijective for t in self.transforms)

    @constraints.dependent_property
    def domain(self):
        return constraints.cat([t.domain for t in self.transforms], self.dim, self.lengths)

    @constraints.dependent_property
    def codomain(self):
        return constraints.cat([t.codomain for t in self.transforms], self.dim, self.lengths)


class StackTransform(Transform):
    """``tseq[i]`` applied to index ``i`` of dimension ``dim``."""

    def __init__(self, tseq, dim: int = 0, cache_size: int = 0) -> None:
        super().__init__(cache_size=cache_size)
        self.transforms = _parts(tseq, cache_size)
        self.dim = dim

    def with_cache(self, cache_size: int = 1) -> Transform:
        if self._cache_size == cache_size:
            return self
        return StackTransform(self.transforms, self.dim, cache_size)

    def _check(self, x) -> None:
        if not -x.dim() <= self.dim < x.dim() or x.size(self.dim) != len(self.transforms):
            raise AssertionError(
                f"Expected dimension {self.dim} of size {len(self.transforms)}, got shape "
                f"{tuple(x.shape)}"
            )

    def _map(self, fn, *tensors):
        self._check(tensors[0])
        parts = [[z.select(self.dim, i) for z in tensors] for i in range(len(self.transforms))]
        return ember.stack([fn(t, *p) for t, p in zip(self.transforms, parts)], dim=self.dim)

    def _call(self, x):
        return self._map(lambda t, xs: t(xs), x)

    def _inverse(self, y):
        return self._map(lambda t, ys: t.inv(ys), y)

    def log_abs_det_jacobian(self, x, y):
        return self._map(lambda t, xs, ys: t.log_abs_det_jacobian(xs, ys), x, y)

    @property
    def bijective(self) -> bool:
        return all(t.bijective for t in self.transforms)

    @constraints.dependent_property
    def domain(self):
        return constraints.stack([t.domain for t in self.transforms], self.dim)

    @constraints.dependent_property
    def codomain(self):
        return constraints.stack([t.codomain for t in self.transforms], self.dim)


class CorrCholeskyTransform(_Parameterless):
    """Vectors of ``D (D - 1) / 2`` reals to Cholesky factors of ``D x D`` correlation matrices.

    ``tanh`` makes each value a partial correlation in (-1, 1); laid out row by row below the
    diagonal, each row is then scaled, stick-breaking style, so that it has unit norm.
    """

    domain = constraints.real_vector
    codomain = constraints.corr_cholesky
    bijective = True

    def _call(self, x):
        from .utils import vec_to_tril_matrix

        partial = vec_to_tril_matrix(ember.tanh(x), diag=-1)
        # what is left of each row's unit length before column j: prod_{k<j} sqrt(1 - r_k^2)
        remaining = (1 - partial.pow(2)).sqrt().cumprod(-1)
        ones = ember.ones(tuple(remaining.shape[:-1]) + (1,), dtype=x.dtype)
        before = ember.cat([ones, remaining[..., :-1]], -1)
        eye = ember.eye(partial.shape[-1], dtype=x.dtype)
        return (partial + eye) * before

    def _left_before(self, y):
        """``1 - sum_{k<j} y_k^2`` along each row (the squared length left before column j)."""
        left = 1 - (y * y).cumsum(-1)
        ones = ember.ones(tuple(left.shape[:-1]) + (1,), dtype=y.dtype)
        return ember.cat([ones, left[..., :-1]], -1)

    def _inverse(self, y):
        from .utils import tril_matrix_to_vec

        y_vec = tril_matrix_to_vec(y, diag=-1)
        left_vec = tril_matrix_to_vec(self._left_before(y), diag=-1)
        partial = y_vec / left_vec.sqrt()
        return 0.5 * (partial.log1p() - (-partial).log1p())  # atanh

    def log_abs_det_jacobian(self, x, y, intermediates=None):
        from .utils import tril_matrix_to_vec

        # d y_ij / d r_ij = sqrt(left before column j) (0 for j = 0: those entries are r itself)
        left = tril_matrix_to_vec(1 - (y * y).cumsum(-1), diag=-2)
        stick_breaking = 0.5 * left.log().sum(-1)
        tanh = 2.0 * (math.log(2.0) - x - softplus(-2.0 * x)).sum(-1)
        return stick_breaking + tanh

    def forward_shape(self, shape):
        if len(shape) < 1:
            raise ValueError("Too few dimensions on input")
        n = shape[-1]
        d = round((0.25 + 2 * n) ** 0.5 + 0.5)
        if d * (d - 1) // 2 != n:
            raise ValueError("Input is not a flattened lower-diagonal number")
        return tuple(shape[:-1]) + (d, d)

    def inverse_shape(self, shape):
        if len(shape) < 2:
            raise ValueError("Too few dimensions on input")
        if shape[-2] != shape[-1]:
            raise ValueError("Input is not square")
        d = shape[-1]
        return tuple(shape[:-2]) + (d * (d - 1) // 2,)
