"""Questions about dtypes that torch answers as functions: promotion and safe casting."""

from __future__ import annotations

import numbers

from .. import _dtype as D
from .._tensor import Tensor

_NO_OTHER = object()


def result_type(tensor, other=_NO_OTHER) -> D.dtype:
    """The dtype an operation on ``tensor`` and ``other`` (tensors or numbers) computes in."""
    if other is _NO_OTHER:
        raise TypeError(
            "result_type() received an invalid combination of arguments - got "
            f"({type(tensor).__name__}), but expected one of:"
        )
    tensors = [t for t in (tensor, other) if isinstance(t, Tensor)]
    scalars = [s for s in (tensor, other) if not isinstance(s, Tensor)]
    for s in scalars:
        if not isinstance(s, (bool, numbers.Number)):
            raise TypeError(
                "result_type() received an invalid combination of arguments - got "
                f"({type(tensor).__name__}, {type(other).__name__}), but expected one of:"
            )
    if not tensors:  # two numbers: the kind of the higher one, at its default width
        kind = max(_number_kind(s) for s in scalars)
        return (D.bool, D.int64, D.get_default_dtype(), D.complex64)[kind]
    return D.result_type(tensors, scalars)


def _number_kind(s) -> int:
    if isinstance(s, bool):
        return 0
    if isinstance(s, numbers.Integral):
        return 1
    return 2 if isinstance(s, numbers.Real) else 3


def can_cast(from_: D.dtype, to: D.dtype) -> bool:
    """Whether torch's type promotion allows casting ``from_`` to ``to``: never to a lower kind
    (complex > floating point > integer > bool)."""
    py = {bool: D.bool, int: D.int64, float: D.float64, complex: D.complex128}
    from_, to = py.get(from_, from_), py.get(to, to)  # Python's types stand for dtypes too
    for name, v in (("from_", from_), ("to", to)):
        if not isinstance(v, D.dtype):
            raise TypeError(
                f"can_cast(): argument '{name}' (position {1 if name == 'from_' else 2}) must be "
                f"torch.dtype, not {type(v).__name__}"
            )
    return D._category(from_) <= D._category(to)


def is_signed(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input``'s dtype holds negative values."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"is_signed(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    return input.dtype.is_signed
