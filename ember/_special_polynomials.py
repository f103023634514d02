"""The orthogonal polynomials of ``ember.special`` (Chebyshev T/U/V/W and their shifted forms,
Hermite H/He, Laguerre, Legendre) and its other functions torch does not differentiate: the
Bessel functions J0, J1, Y0, Y1, I0, I1, K0, K1 (and scaled K), ``spherical_bessel_j0`` and
the Airy function Ai.

Each polynomial is its three-term recurrence run in float64 up to each element's degree ``n``
(truncated to an integer; 0 for negative ``n``), with torch's exact values at ``x = +-1``.
"""

from __future__ import annotations

import numpy as np

from . import _dtype as D
from ._tensor import Tensor, _make
from .autograd.primitives.special import i0, i1
from .functions._util import as_tensor_arg
from .functions.inplace import takes_out
from .kernels import bessel as B


def _operands(fn: str, x, n):
    if not isinstance(x, Tensor) and not isinstance(n, Tensor):
        raise TypeError(
            f"{fn}() received an invalid combination of arguments - got "
            f"({type(x).__name__}, {type(n).__name__}), but expected one of: (Tensor input, "
            "Tensor n), (Number x, Tensor n), (Tensor x, Number n)"
        )
    xt, nt = as_tensor_arg(x), as_tensor_arg(n)
    dtype = D.result_type(
        tuple(t for t in (x, n) if isinstance(t, Tensor)),
        tuple(v for v in (x, n) if not isinstance(v, Tensor)),
    )
    if not (dtype.is_floating_point or dtype.is_complex):
        dtype = D.get_default_dtype()
    xs, ns = np.broadcast_arrays(xt._data.astype(np.float64), nt._data)
    return xs, np.trunc(np.nan_to_num(ns.astype(np.float64), nan=-1)).astype(np.int64), dtype


def _recurrence(x, n, first, step):
    """``p_n(x)`` from ``p_0 = 1``, ``p_1 = first(x)``, ``p_{k+1} = step(k, x, p_k, p_{k-1})``."""
    out = np.where(n == 0, 1.0, 0.0)
    prev, cur = np.ones_like(x), first(x)
    out = np.where(n == 1, cur, out)
    for k in range(1, int(n.max(initial=0))):
        prev, cur = cur, step(k, x, cur, prev)
        out = np.where(n == k + 1, cur, out)
    return np.where(n < 0, 0.0, out)


def _at_ends(x, n, out, at_one, at_minus_one):
    out = np.where((x == 1) & (n >= 0), at_one(n), out)
    return np.where((x == -1) & (n >= 0), at_minus_one(n), out)


def _sign(n):
    return np.where(n % 2 == 0, 1.0, -1.0)


def _chebyshev(kind: str, x, n):
    first = {"t": lambda x: x, "u": lambda x: 2 * x, "v": lambda x: 2 * x - 1}.get(
        kind, lambda x: 2 * x + 1
    )
    out = _recurrence(x, n, first, lambda k, x, cur, prev: 2 * x * cur - prev)
    ends = {
        "t": (lambda n: 1.0, _sign),
        "u": (lambda n: n + 1.0, lambda n: _sign(n) * (n + 1)),
        "v": (lambda n: 1.0, lambda n: _sign(n) * (2 * n + 1)),
        "w": (lambda n: 2 * n + 1.0, _sign),
    }[kind]
    return _at_ends(x, n, out, *ends)


def _hermite_h(x, n):
    return _recurrence(x, n, lambda x: 2 * x, lambda k, x, c, p: 2 * x * c - 2 * k * p)


def _hermite_he(x, n):
    return _recurrence(x, n, lambda x: x, lambda k, x, c, p: x * c - k * p)


def _laguerre(x, n):
    out = _recurrence(
        x, n, lambda x: 1 - x, lambda k, x, c, p: ((2 * k + 1 - x) * c - k * p) / (k + 1)
    )
    return np.where((x == 0) & (n >= 0), 1.0, out)


def _legendre(x, n):
    out = _recurrence(x, n, lambda x: x, lambda k, x, c, p: ((2 * k + 1) * x * c - k * p) / (k + 1))
    return _at_ends(x, n, out, lambda n: 1.0, _sign)


def _polynomial(name: str, kernel, shifted: bool = False):
    def fn(input, n) -> Tensor:  # noqa: A002
        x, deg, dtype = _operands(f"special_{name}", input, n)
        if shifted:
            x = 2 * x - 1
        with np.errstate(all="ignore"):
            return _make(kernel(x, deg).astype(dtype.np))

    fn.__name__ = fn.__qualname__ = name
    kind = name.replace("_polynomial", "").replace("_", " ")
    fn.__doc__ = f"The {kind} polynomial of degree ``n`` (elementwise, broadcast) at ``input``."
    return takes_out(f"special.{name}")(fn)


chebyshev_polynomial_t = _polynomial("chebyshev_polynomial_t", lambda x, n: _chebyshev("t", x, n))
chebyshev_polynomial_u = _polynomial("chebyshev_polynomial_u", lambda x, n: _chebyshev("u", x, n))
chebyshev_polynomial_v = _polynomial("chebyshev_polynomial_v", lambda x, n: _chebyshev("v", x, n))
chebyshev_polynomial_w = _polynomial("chebyshev_polynomial_w", lambda x, n: _chebyshev("w", x, n))
shifted_chebyshev_polynomial_t = _polynomial(
    "shifted_chebyshev_polynomial_t", lambda x, n: _chebyshev("t", x, n), shifted=True
)
shifted_chebyshev_polynomial_u = _polynomial(
    "shifted_chebyshev_polynomial_u", lambda x, n: _chebyshev("u", x, n), shifted=True
)
shifted_chebyshev_polynomial_v = _polynomial(
    "shifted_chebyshev_polynomial_v", lambda x, n: _chebyshev("v", x, n), shifted=True
)
shifted_chebyshev_polynomial_w = _polynomial(
    "shifted_chebyshev_polynomial_w", lambda x, n: _chebyshev("w", x, n), shifted=True
)
hermite_polynomial_h = _polynomial("hermite_polynomial_h", _hermite_h)
hermite_polynomial_he = _polynomial("hermite_polynomial_he", _hermite_he)
laguerre_polynomial_l = _polynomial("laguerre_polynomial_l", _laguerre)
legendre_polynomial_p = _polynomial("legendre_polynomial_p", _legendre)


def _float_input(fn: str, input) -> Tensor:  # noqa: A002
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    return input if input._data.dtype.kind == "f" else input.to(D.get_default_dtype())


@takes_out("special.spherical_bessel_j0")
def spherical_bessel_j0(input: Tensor) -> Tensor:  # noqa: A002
    """The spherical Bessel function of the first kind of order 0: ``sin(x) / x``, 1 at 0."""
    x = _float_input("special_spherical_bessel_j0", input)
    a = x._data.astype(np.float64)
    with np.errstate(all="ignore"):
        out = np.where(a == 0, 1.0, np.sin(a) / np.where(a == 0, 1.0, a))
    out = np.where(np.isinf(a), 0.0, out)
    return _make(out.astype(x._data.dtype))


def _from_kernel(name: str, kernel, doc: str):
    def fn(input: Tensor) -> Tensor:  # noqa: A002
        x = _float_input(f"special_{name}", input)
        with np.errstate(all="ignore"):
            return _make(np.asarray(kernel(x._data)).astype(x._data.dtype))

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = doc
    return takes_out(f"special.{name}")(fn)


modified_bessel_i0 = _from_kernel(
    "modified_bessel_i0",
    i0.forward,
    "The modified Bessel function of the first kind of order 0 (no gradient).",
)
modified_bessel_i1 = _from_kernel(
    "modified_bessel_i1",
    i1.forward,
    "The modified Bessel function of the first kind of order 1 (no gradient).",
)
bessel_j0 = _from_kernel(
    "bessel_j0", lambda x: B.bessel_jy(x)[0], "The Bessel function of the first kind of order 0."
)
bessel_j1 = _from_kernel(
    "bessel_j1", lambda x: B.bessel_jy(x)[1], "The Bessel function of the first kind of order 1."
)
bessel_y0 = _from_kernel(
    "bessel_y0", lambda x: B.bessel_jy(x)[2], "The Bessel function of the second kind of order 0."
)
bessel_y1 = _from_kernel(
    "bessel_y1", lambda x: B.bessel_jy(x)[3], "The Bessel function of the second kind of order 1."
)
modified_bessel_k0 = _from_kernel(
    "modified_bessel_k0",
    lambda x: B.bessel_k(x, False)[0],
    "The modified Bessel function of the second kind of order 0.",
)
modified_bessel_k1 = _from_kernel(
    "modified_bessel_k1",
    lambda x: B.bessel_k(x, False)[1],
    "The modified Bessel function of the second kind of order 1.",
)
scaled_modified_bessel_k0 = _from_kernel(
    "scaled_modified_bessel_k0",
    lambda x: B.bessel_k(x, True)[0],
    "``exp(x) * modified_bessel_k0(x)``.",
)
scaled_modified_bessel_k1 = _from_kernel(
    "scaled_modified_bessel_k1",
    lambda x: B.bessel_k(x, True)[1],
    "``exp(x) * modified_bessel_k1(x)``.",
)
airy_ai = _from_kernel("airy_ai", B.airy_ai, "The Airy function Ai.")
