"""Complex numbers: ``complex``, ``polar``, ``view_as_real``/``view_as_complex``, the parts
(``real``, ``imag``, ``angle``, ``conj``) and torch's conjugate/negative-bit queries.

torch's ``conj()`` of a complex tensor is a lazy view that flips a "conjugate bit" every later op
must honour; Ember conjugates physically (a copy), so no tensor ever carries the bit:
``is_conj()`` is always False and ``resolve_conj()`` returns the tensor itself. The same holds for
the negative bit. For real tensors all of these return the tensor itself, as in torch.
"""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, apply
from ..autograd.primitives import complex as P
from ._util import broadcast_shapes
from .inplace import takes_out
from .reduce import _scalar_type_name

__all__ = [
    "angle",
    "complex",
    "conj",
    "conj_physical",
    "conj_physical_",
    "imag",
    "is_complex",
    "is_conj",
    "is_neg",
    "isreal",
    "polar",
    "real",
    "resolve_conj",
    "resolve_neg",
    "view_as_complex",
    "view_as_real",
]

_FLOATS = (np.float16, np.float32, np.float64)


def real(input: Tensor) -> Tensor:  # noqa: A002
    """The real parts of a complex tensor (a view); a real tensor itself."""
    return apply(P.real, (input,)) if input._data.dtype.kind == "c" else input


def imag(input: Tensor) -> Tensor:  # noqa: A002
    """The imaginary parts of a complex tensor, as a view of its memory."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return apply(P.imag, (input,))


@takes_out("conj_physical")
def conj_physical(input: Tensor) -> Tensor:  # noqa: A002
    """The complex conjugate, computed (a copy); a real tensor itself."""
    return apply(P.conj_physical, (input,)) if input._data.dtype.kind == "c" else input


def conj(input: Tensor) -> Tensor:  # noqa: A002
    """The complex conjugate. A copy, not torch's lazy view (see the module docstring)."""
    return apply(P.conj, (input,)) if input._data.dtype.kind == "c" else input


def conj_physical_(input: Tensor) -> Tensor:  # noqa: A002
    """In-place ``conj_physical``."""
    return input.conj_physical_()


def is_complex(input: Tensor) -> bool:  # noqa: A002
    """Whether ``input`` has a complex dtype."""
    return input._data.dtype.kind == "c"


def resolve_conj(input: Tensor) -> Tensor:  # noqa: A002
    """The tensor itself: Ember's conjugates are always materialised."""
    return input


def resolve_neg(input: Tensor) -> Tensor:  # noqa: A002
    """The tensor itself: Ember never keeps a lazy negation."""
    return input


def is_conj(input: Tensor) -> bool:  # noqa: A002
    """False: no Ember tensor carries torch's lazy conjugate bit."""
    return False


def is_neg(input: Tensor) -> bool:  # noqa: A002
    """False: no Ember tensor carries torch's lazy negative bit."""
    return False


@takes_out("angle")
def angle(input: Tensor) -> Tensor:  # noqa: A002
    """The argument of each element in radians: pi for negative reals, 0 for other reals."""
    if input._data.dtype.kind in "biu":
        input = input.to(D.get_default_dtype())  # noqa: A001
    return apply(P.angle, (input,))


def isreal(input: Tensor) -> Tensor:  # noqa: A002
    """Whether each element has a zero imaginary part (all True for a real tensor)."""
    d = input._data
    return _make(d.imag == 0 if d.dtype.kind == "c" else np.ones(d.shape, bool))


def _check_parts(a, b, names: tuple) -> None:
    """torch's checks on the two real tensors ``complex``/``polar`` combine."""
    for pos, (x, name) in enumerate(zip((a, b), names), 1):
        if not isinstance(x, Tensor):
            raise TypeError(
                f"complex(): argument '{name}' (position {pos}) must be Tensor, not "
                f"{type(x).__name__}"
            )
    da, db = a._data.dtype, b._data.dtype
    if da.type not in _FLOATS or db.type not in _FLOATS:
        raise RuntimeError(
            "Expected both inputs to be Half, Float or Double tensors but got "
            f"{_scalar_type_name(a.dtype)} and {_scalar_type_name(b.dtype)}"
        )
    if da != db:
        raise RuntimeError(
            f"Expected object of scalar type {_scalar_type_name(a.dtype)} but got scalar type "
            f"{_scalar_type_name(b.dtype)} for second argument"
        )
    if da == np.float16:
        raise RuntimeError("Ember has no complex32 (ComplexHalf) dtype: use float32 parts")
    broadcast_shapes(a._data.shape, b._data.shape)


@takes_out("complex", dtype_rule="exact")
def complex(real: Tensor, imag: Tensor) -> Tensor:  # noqa: A001
    """``real + i imag`` (broadcast): float32 parts make complex64, float64 complex128."""
    _check_parts(real, imag, ("real", "imag"))
    return apply(P.complex_, (real, imag))


@takes_out("polar", dtype_rule="exact")
def polar(abs: Tensor, angle: Tensor) -> Tensor:  # noqa: A002
    """The complex numbers of magnitude ``abs`` and argument ``angle``."""
    _check_parts(abs, angle, ("abs", "angle"))
    return apply(P.complex_, (abs * angle.cos(), abs * angle.sin()))


def view_as_real(input: Tensor) -> Tensor:  # noqa: A002
    """A complex tensor's memory as real numbers: a last dim of two, (real, imag); a view."""
    if input._data.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return apply(P.view_as_real, (input,))


def view_as_complex(input: Tensor) -> Tensor:  # noqa: A002
    """A float tensor whose last dim holds (real, imag) pairs read as complex numbers; a view."""
    d = input._data
    if d.dtype.type not in (np.float32, np.float64):
        if d.dtype == np.float16:
            raise RuntimeError("Ember has no complex32 (ComplexHalf) dtype: use float32 parts")
        raise RuntimeError(
            "view_as_complex is only supported for half, float and double tensors, but got a "
            f"tensor of scalar type: {_scalar_type_name(input.dtype)}"
        )
    if d.ndim == 0:
        raise RuntimeError("Input tensor must have one or more dimensions")
    if d.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    input._relayout()  # Ember's channels-last memory would not pair the last dim's values
    strides = input.stride()
    if strides[-1] != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % 2 for s in strides[:-1]):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    return apply(P.view_as_complex, (input,))
