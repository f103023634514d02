"""``ember.fft``: the discrete Fourier transforms of ``torch.fft``.

Three primitives do the work (``ember/autograd/primitives/fft.py``): complex-to-complex,
real-to-complex and complex-to-real transforms. The rest follows from identities on them:

- the inverse transform of a real signal is the conjugate of its forward transform, with the
  scaling of the other end (``ifft(x, norm) = conj(fft(x, dual(norm)))`` for real ``x``);
- ``hfft`` (a Hermitian signal's real spectrum) is ``irfft`` of the conjugate, and ``ihfft`` the
  conjugate of ``rfft``, again with the scaling of the other end.

Sizes ``n``/``s`` zero-pad or trim the input along the transformed dims before the transform;
``-1`` in ``s`` keeps a dim's size. Integer and bool inputs are promoted to the default dtype.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap_dim, apply
from ..autograd.primitives import fft as P
from ..functions.creation import _finish, _into_out, _out_dtype
from ..functions.inplace import copy_into_out, takes_out
from ..functions.reduce import _scalar_type_name

__all__ = [
    "fft",
    "ifft",
    "fft2",
    "ifft2",
    "fftn",
    "ifftn",
    "rfft",
    "irfft",
    "rfft2",
    "irfft2",
    "rfftn",
    "irfftn",
    "hfft",
    "ihfft",
    "hfft2",
    "ihfft2",
    "hfftn",
    "ihfftn",
    "fftfreq",
    "rfftfreq",
    "fftshift",
    "ifftshift",
]

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_COMPLEX_NAMES = {"complex64": "ComplexFloat", "complex128": "ComplexDouble"}


def _type_name(dtype) -> str:
    return _COMPLEX_NAMES.get(dtype.name) or _scalar_type_name(dtype)


def _complex_out(name: str, exact: bool = False):
    """torch's check on ``out=`` of a transform with a complex result: any complex dtype, or
    (``exact``: the 1-D inverse transforms of a real signal) the result's own."""

    def rule(out: Tensor, result: Tensor) -> None:
        if out._data.dtype.kind != "c":
            raise RuntimeError(
                f"{name} expects a complex output tensor, but got {_type_name(out.dtype)}"
            )
        if exact and out.dtype != result.dtype:
            raise RuntimeError(
                f"Found dtype {_type_name(out.dtype)} but expected {_type_name(result.dtype)}"
            )

    return rule


def _real_out(name: str):
    """torch's check on ``out=`` of a transform with a real result: any floating dtype."""

    def rule(out: Tensor, result: Tensor) -> None:
        if out._data.dtype.kind != "f":
            raise RuntimeError(
                f"{name} expects a floating point output tensor, but got {_type_name(out.dtype)}"
            )

    return rule


def _norm(norm) -> str:
    if norm is None:
        return "backward"
    if norm not in _DUAL:
        raise RuntimeError(f'Invalid normalization mode: "{norm}"')
    return norm


def _promote(x: Tensor, msg: str | None = None) -> Tensor:
    """``x`` as a float or complex tensor at torch's precision; ``msg``, for the transforms of
    real signals only, is the error for a complex ``x``."""
    kind = x._data.dtype.kind
    if kind in "biu":
        return x.to(D.get_default_dtype())
    if kind not in "fc" or x._data.dtype == np.float16:
        raise RuntimeError(f"Unsupported dtype {_type_name(x.dtype)}")
    if msg is not None and kind == "c":
        raise RuntimeError(msg.format(t=_type_name(x.dtype)))
    return x


def _check_points(n: int) -> int:
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")
    return n


def _int_arg(v, fn: str, arg: str) -> int:
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(
            f"fft_{fn}(): argument '{arg}' must be int, not {type(v).__name__}"
        ) from None


def _one_dim(x: Tensor, n, dim, fn: str) -> tuple[tuple, list | None]:
    """The dim of a 1-D transform and the size asked for it (None: the input's)."""
    dim = _int_arg(dim, fn, "dim")
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, x.ndim)
    return (d,), (None if n is None else [_check_points(_int_arg(n, fn, "n"))])


def _as_tuple(v) -> tuple | None:
    if v is None:
        return None
    if isinstance(v, (int, np.integer)) or (isinstance(v, Tensor) and v.ndim == 0):
        return (int(v),)
    return tuple(int(e) for e in v)


def _n_dims(x: Tensor, s, dim) -> tuple[tuple, list | None]:
    """The dims of an n-D transform and the sizes asked for them (-1 kept, None: all kept)."""
    s, dim = _as_tuple(s), _as_tuple(dim)
    if s is not None and dim is not None and len(s) != len(dim):
        raise RuntimeError("When given, dim and shape arguments must have the same length")
    if dim is not None:
        dims = tuple(_wrap_dim(d, x.ndim) for d in dim)
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    elif s is not None:
        if len(s) > x.ndim:
            raise RuntimeError(
                f"Got shape with {len(s)} values but input tensor only has {x.ndim} dimensions."
            )
        dims = tuple(range(x.ndim - len(s), x.ndim))
    else:
        dims = tuple(range(x.ndim))
    return dims, (None if s is None else list(s))


def _sizes(x: Tensor, dims: tuple, s: list | None, last=None) -> tuple:
    """Transform sizes: ``s``'s entries, -1 (or no ``s``) keeping the input's size; ``last``
    gives the default of the last dim (a one-sided spectrum's full length)."""
    sizes = [x.shape[d] for d in dims]
    if last is not None and dims:
        sizes[-1] = last(sizes[-1])
    if s is not None:
        sizes = [n if want == -1 else want for n, want in zip(sizes, s)]
    return tuple(_check_points(n) for n in sizes)


def _full_length(m: int) -> int:
    """The signal length a one-sided spectrum of ``m`` bins stands for by default."""
    return 2 * (m - 1)


# --- the transforms on resolved dims and sizes --------------------------------------------------
def _c2c(x: Tensor, dims: tuple, sizes: tuple, norm: str, forward: bool) -> Tensor:
    if not dims:
        return x.to(x.dtype if x.is_complex() else x.dtype.to_complex(), copy=True)
    if x._data.dtype.kind != "c":  # a real signal: its full spectrum from the r2c primitive
        y = apply(
            P.r2c,
            (x,),
            dims=dims,
            size=sizes,
            norm=norm if forward else _DUAL[norm],
            onesided=False,
        )
        return y if forward else y.conj()
    return apply(P.c2c, (x,), dims=dims, size=sizes, norm=norm, forward=forward)


def _r2c(x: Tensor, dims: tuple, sizes: tuple, norm: str, name: str) -> Tensor:
    if not dims:
        raise RuntimeError(f"{name} must transform at least one axis")
    return apply(P.r2c, (x,), dims=dims, size=sizes, norm=norm, onesided=True)


def _c2r(z: Tensor, dims: tuple, sizes: tuple, norm: str, name: str) -> Tensor:
    if not dims:
        raise RuntimeError(f"{name} must transform at least one axis")
    return apply(P.c2r, (z,), dims=dims, size=sizes, norm=norm)


# --- the public transforms ----------------------------------------------------------------------
_REAL_ONLY = {
    "rfft": "rfft expects a real input tensor, but got {t}",
    "ihfft": "ihfft expects a real input tensor, but got {t}",
    "rfftn": "rfftn expects a real-valued input tensor, but got {t}",
    "ihfftn": "Only supports floating-point dtypes, but found: {t}",
}


def _transform(kind: str, name: str, input: Tensor, n_or_s, dim, norm, one_dim: bool) -> Tensor:  # noqa: A002
    """Transform ``kind`` (fft, ifft, rfft, irfft, hfft, ihfft) of ``input``; ``name`` is the
    op torch's messages name (``fftn`` for ``fft2``)."""
    x = _promote(input, _REAL_ONLY.get(name))
    dims, s = _one_dim(x, n_or_s, dim, name) if one_dim else _n_dims(x, n_or_s, dim)
    sizes = _sizes(x, dims, s, _full_length if kind in ("irfft", "hfft") else None)
    norm = _norm(norm)
    if kind in ("fft", "ifft"):
        return _c2c(x, dims, sizes, norm, kind == "fft")
    if kind == "rfft":
        return _r2c(x, dims, sizes, norm, name)
    if kind == "ihfft":  # the conjugate of rfft, scaled as an inverse transform
        return _r2c(x, dims, sizes, _DUAL[norm], name).conj()
    if kind == "irfft":
        return _c2r(x, dims, sizes, norm, name)
    # hfft: irfft of the conjugate, scaled as a forward transform
    return _c2r(x.conj() if x.is_complex() else x, dims, sizes, _DUAL[norm], name)


def _public_1d(kind: str, out_rule, doc: str):
    """torch.fft's ``kind(input, n=None, dim=-1, norm=None, *, out=None)``."""

    def transform(
        input: Tensor,  # noqa: A002
        n: int | None = None,
        dim: int = -1,
        norm: str | None = None,
    ) -> Tensor:
        return _transform(kind, kind, input, n, dim, norm, True)

    transform.__name__ = transform.__qualname__ = kind
    transform.__doc__ = doc
    return takes_out(kind, dtype_rule=out_rule)(transform)


def _public_nd(name: str, kind: str, default_dim, out_rule, doc: str):
    """torch.fft's ``name(input, s=None, dim=default_dim, norm=None, *, out=None)``; errors
    and ``out=`` checks name the N-D op (``fftn`` for ``fft2`` and ``ifft2``)."""
    op = "fftn" if kind in ("fft", "ifft") else kind + "n"

    def transform(
        input: Tensor,  # noqa: A002
        s: Sequence[int] | None = None,
        dim: Sequence[int] | None = default_dim,
        norm: str | None = None,
    ) -> Tensor:
        return _transform(kind, op, input, s, dim, norm, False)

    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = doc
    return takes_out(op, dtype_rule=out_rule(op))(transform)


_LAST_TWO = (-2, -1)
fft = _public_1d(
    "fft", _complex_out("fft"), "The 1-D discrete Fourier transform along ``dim`` (``n`` points)."
)


def ifft(
    input: Tensor,  # noqa: A002
    n: int | None = None,
    dim: int = -1,
    norm: str | None = None,
    *,
    out: Tensor | None = None,
) -> Tensor:
    """The 1-D inverse discrete Fourier transform of ``input`` along ``dim``."""
    result = _transform("ifft", "ifft", input, n, dim, norm, True)
    if out is None:
        return result
    rule = _complex_out("ifft", exact=not input.is_complex())
    return copy_into_out(out, result, name="ifft", dtype_rule=rule)


rfft = _public_1d(
    "rfft", _complex_out("rfft"), "The one-sided spectrum (``n // 2 + 1`` bins) of a real signal."
)
irfft = _public_1d(
    "irfft",
    _real_out("irfft"),
    "The real signal of ``n`` points (default ``2 * (m - 1)``) whose one-sided spectrum is "
    "``input``; the imaginary parts of the zero and Nyquist bins are ignored.",
)
hfft = _public_1d(
    "hfft", _real_out("hfft"), "The real spectrum of a Hermitian signal given its one-sided half."
)
ihfft = _public_1d(
    "ihfft",
    _complex_out("ihfft", exact=True),
    "The one-sided inverse transform of a real signal: the half of a Hermitian signal.",
)
fft2 = _public_nd("fft2", "fft", _LAST_TWO, _complex_out, "The 2-D discrete Fourier transform.")
ifft2 = _public_nd("ifft2", "ifft", _LAST_TWO, _complex_out, "The 2-D inverse transform.")
fftn = _public_nd(
    "fftn",
    "fft",
    None,
    _complex_out,
    "The N-D discrete Fourier transform over ``dim`` (all dims, or the last ``len(s)``).",
)
ifftn = _public_nd("ifftn", "ifft", None, _complex_out, "The N-D inverse Fourier transform.")
rfft2 = _public_nd(
    "rfft2", "rfft", _LAST_TWO, _complex_out, "The 2-D transform of a real signal, one-sided."
)
irfft2 = _public_nd("irfft2", "irfft", _LAST_TWO, _real_out, "The inverse of ``rfft2``.")
rfftn = _public_nd(
    "rfftn",
    "rfft",
    None,
    _complex_out,
    "The N-D transform of a real signal, one-sided along the last of ``dim``.",
)
irfftn = _public_nd("irfftn", "irfft", None, _real_out, "The inverse of ``rfftn``.")
hfft2 = _public_nd(
    "hfft2", "hfft", _LAST_TWO, _real_out, "The real 2-D spectrum of a one-sided Hermitian signal."
)
ihfft2 = _public_nd(
    "ihfft2", "ihfft", _LAST_TWO, _complex_out, "The one-sided 2-D inverse of a real signal."
)
hfftn = _public_nd(
    "hfftn", "hfft", None, _real_out, "The real N-D spectrum of a one-sided Hermitian signal."
)
ihfftn = _public_nd(
    "ihfftn", "ihfft", None, _complex_out, "The one-sided N-D inverse of a real signal."
)


# --- frequencies and shifts ---------------------------------------------------------------------
def _freq(bins: np.ndarray, n: int, d, out, dtype, device, requires_grad, fn: str) -> Tensor:
    dtype = _out_dtype(dtype, out, fn)
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if dt.np.kind != "f":
        raise RuntimeError(f"{fn} requires a floating point or complex dtype")
    # torch scales the integer bins in the tensor's precision by 1 / (n * d), inf for n = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = dt.np.type(np.float64(1.0) / (n * float(d)))
        res = _finish(bins.astype(dt.np) * scale, requires_grad, device)
    return _into_out(res, out, fn)


def _freq_n(n, fn: str) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(
            f"fft_{fn}(): argument 'n' (position 1) must be int, not {type(n).__name__}"
        )
    return int(n)


def _arange(n: int) -> np.ndarray:
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    return np.arange(n)


def fftfreq(
    n: int,
    d: float = 1.0,
    *,
    out: Tensor | None = None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The sample frequencies of an ``n``-point FFT with sample spacing ``d``: non-negative
    ones first, then the negative ones."""
    n = _freq_n(n, "fftfreq")
    bins = _arange(n)
    bins[(n + 1) // 2 :] -= n
    return _freq(bins, n, d, out, dtype, device, requires_grad, "fftfreq")


def rfftfreq(
    n: int,
    d: float = 1.0,
    *,
    out: Tensor | None = None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
) -> Tensor:
    """The sample frequencies of ``rfft``'s ``n // 2 + 1`` bins for ``n`` points spaced ``d``."""
    n = _freq_n(n, "rfftfreq")
    bins = _arange(int(n / 2) + 1)  # C's division: torch's rfftfreq(-1) has one bin
    return _freq(bins, n, d, out, dtype, device, requires_grad, "rfftfreq")


def _shift(input: Tensor, dim, inverse: bool) -> Tensor:
    dims = tuple(range(input.ndim)) if dim is None else _as_tuple(dim)
    if not dims:
        raise RuntimeError("`shifts` required")
    dims = tuple(_wrap_dim(d, input.ndim) for d in dims)
    shifts = tuple((input.shape[d] + inverse) // 2 for d in dims)
    return input.roll(shifts, dims)


def fftshift(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:  # noqa: A002
    """Roll the zero frequency to the centre of ``dim`` (all dims by default)."""
    return _shift(input, dim, False)


def ifftshift(input: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:  # noqa: A002
    """The inverse of ``fftshift``."""
    return _shift(input, dim, True)
