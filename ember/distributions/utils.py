"""Helpers shared by the distributions: broadcasting parameters, probs/logits, lazy attributes."""

from __future__ import annotations

from numbers import Number

import numpy as np

import ember
from ember import Size, Tensor

__all__ = [
    "broadcast_all",
    "clamp_probs",
    "euler_constant",
    "is_tensor_like",
    "lazy_property",
    "logits_to_probs",
    "probs_to_logits",
    "tril_matrix_to_vec",
    "vec_to_tril_matrix",
]

euler_constant = 0.57721566490153286060  # Euler-Mascheroni constant

#: the empty shape, the default ``sample_shape``
EMPTY = Size()


def finfo(dtype) -> np.finfo:
    """NumPy's float limits for an Ember dtype (eps, tiny, min)."""
    return np.finfo(np.dtype(str(dtype).split(".")[-1]))


def broadcast_all(*values) -> tuple[Tensor, ...]:
    """Numbers become tensors (of the first tensor's dtype, else the default), then broadcast."""
    for v in values:
        if not isinstance(v, (Tensor, Number)):
            raise ValueError(
                "Input arguments must all be instances of Number, torch.Tensor or objects "
                "implementing __torch_function__."
            )
    dtype = next((v.dtype for v in values if isinstance(v, Tensor)), ember.get_default_dtype())
    tensors = [v if isinstance(v, Tensor) else ember.tensor(v, dtype=dtype) for v in values]
    return tuple(ember.broadcast_tensors(*tensors))


def standard_normal(shape, dtype) -> Tensor:
    """N(0, 1) noise drawn as torch's ``empty(shape).normal_()`` draws it."""
    return ember.empty(shape, dtype=dtype).normal_()


def sum_rightmost(value, dim: int):
    """Sum out the rightmost ``dim`` dimensions."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[: value.dim() - dim]) + (-1,)).sum(-1)


def clamp_probs(probs: Tensor) -> Tensor:
    """Clamp into ``[eps, 1 - eps]`` so that logs stay finite."""
    eps = float(finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def logits_to_probs(logits: Tensor, is_binary: bool = False) -> Tensor:
    """Sigmoid of binary logits, softmax over the last dim otherwise."""
    if is_binary:
        return ember.sigmoid(logits)
    return ember.softmax(logits, dim=-1)


def probs_to_logits(probs: Tensor, is_binary: bool = False) -> Tensor:
    """Log-odds of binary probabilities, log-probabilities otherwise (clamped first)."""
    ps = clamp_probs(probs)
    if is_binary:
        return ps.log() - (-ps).log1p()
    return ps.log()


def softplus(x: Tensor) -> Tensor:
    """``log(1 + exp(x))`` without overflow, with the derivative ``sigmoid(x)`` everywhere.

    Each branch sees only the inputs it serves (clamped), so the other cannot overflow.
    """
    positive = x > 0
    above = x + (-x.clamp(min=0)).exp().log1p()
    below = x.clamp(max=0).exp().log1p()
    return ember.where(positive, above, below)


def one_hot(indices: Tensor, num_classes: int, dtype) -> Tensor:
    """``indices`` as one-hot vectors of ``dtype`` along a new last dim."""
    return (indices.unsqueeze(-1) == ember.arange(num_classes)).to(dtype)


class lazy_property:  # noqa: N801 - torch's name
    """A property computed on first access and then stored on the instance."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped
        self.__doc__ = wrapped.__doc__
        self.__name__ = wrapped.__name__

    def __get__(self, instance, obj_type=None):
        if instance is None:
            return _lazy_property_and_property(self.wrapped)
        with ember.enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value


class _lazy_property_and_property(lazy_property, property):  # noqa: N801
    """What a lazy_property looks like on the class (a property, for introspection)."""

    def __init__(self, wrapped) -> None:
        property.__init__(self, wrapped)
        lazy_property.__init__(self, wrapped)


def check_one_of(probs, logits) -> None:
    """Exactly one of the two parameterisations must be given."""
    if (probs is None) == (logits is None):
        raise ValueError("Either `probs` or `logits` must be specified, but not both.")


class ProbsLogits:
    """The ``probs``/``logits`` pair: whichever was given is ``_param``, the other is lazy."""

    _is_binary = True

    def _set_probs_or_logits(self, probs, logits, total_count=None) -> Size:
        """Set the one given (broadcast with ``total_count``, cast to its dtype, when given);
        return the batch shape it implies (``()`` for a plain number)."""
        check_one_of(probs, logits)
        name, given = ("probs", probs) if probs is not None else ("logits", logits)
        if total_count is None:
            (param,) = broadcast_all(given)
        else:
            total, param = broadcast_all(total_count, given)
            self.total_count = total.type_as(param)
        setattr(self, name, param)
        self._param = param
        if total_count is None and isinstance(given, Number):
            return Size()
        return param.size()

    @lazy_property
    def logits(self) -> Tensor:
        return probs_to_logits(self.probs, is_binary=self._is_binary)

    @lazy_property
    def probs(self) -> Tensor:
        return logits_to_probs(self.logits, is_binary=self._is_binary)

    @property
    def param_shape(self) -> Size:
        return self._param.size()

    def _new(self, *args, **kwargs):
        return self._param.new(*args, **kwargs)


def is_tensor_like(x) -> bool:
    """Whether ``x`` is a Tensor."""
    return isinstance(x, Tensor)


def _tril_indices(n: int, diag: int):
    rows, cols = np.tril_indices(n, k=diag)
    return ember.tensor(rows), ember.tensor(cols)


def tril_matrix_to_vec(mat: Tensor, diag: int = 0) -> Tensor:
    """The entries on and below diagonal ``diag`` of the last two dims, row by row."""
    n = mat.shape[-1]
    if not -n <= diag < n:
        raise ValueError(f"diag ({diag}) provided is outside [{-n}, {n - 1}].")
    rows, cols = _tril_indices(n, diag)
    return mat[..., rows, cols]


def vec_to_tril_matrix(vec: Tensor, diag: int = 0) -> Tensor:
    """The inverse of ``tril_matrix_to_vec``: a lower-triangular matrix from its entries."""
    length = vec.shape[-1]
    n = 1
    while len(np.tril_indices(n, k=diag)[0]) < length:
        n += 1
    rows, cols = np.tril_indices(n, k=diag)
    if len(rows) != length:
        raise ValueError(
            f"The size of last dimension is {length} which cannot be expressed as the "
            "lower triangular part of a square D x D matrix."
        )
    # entry k of vec goes to flat position rows[k] * n + cols[k]; the rest read a zero slot
    source = np.full(n * n, length)
    source[rows * n + cols] = np.arange(length)
    padded = ember.cat([vec, ember.zeros(tuple(vec.shape[:-1]) + (1,), dtype=vec.dtype)], -1)
    return padded[..., ember.tensor(source)].reshape(tuple(vec.shape[:-1]) + (n, n))
