"""Window functions for signal processing (``torch.hann_window`` and family): 1-D tensors of
tapering weights, symmetric or periodic (the symmetric window one longer, its last value
dropped, as a DFT expects)."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import _make


def _window(name: str, symmetric, window_length: int, periodic: bool, dtype, requires_grad):
    if window_length < 0:
        raise RuntimeError(
            f"{name} requires non-negative window_length, got window_length={window_length}"
        )
    dt = D.get_default_dtype() if dtype is None else D.to_dtype(dtype)
    if not dt.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dt}")
    if window_length <= 1:
        values = np.ones(window_length)
    else:
        values = symmetric(window_length + 1)[:-1] if periodic else symmetric(window_length)
    out = _make(np.ascontiguousarray(values, dtype=dt.np))
    return out.requires_grad_() if requires_grad else out


def _cosine_sum(*coefficients):
    """The symmetric window ``sum_k (-1)^k a_k cos(2 pi k n / (M - 1))``."""

    def window(m):
        phase = 2 * np.pi * np.arange(m) / (m - 1)
        return sum((-1) ** k * a * np.cos(k * phase) for k, a in enumerate(coefficients))

    return window


def hann_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
):
    """The Hann window, ``0.5 - 0.5 cos(2 pi n / (N - 1))``."""
    return _window(
        "hann_window", _cosine_sum(0.5, 0.5), window_length, periodic, dtype, requires_grad
    )


def hamming_window(
    window_length: int,
    periodic: bool = True,
    alpha: float = 0.54,
    beta: float = 0.46,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
):
    """The Hamming window, ``alpha - beta cos(2 pi n / (N - 1))``."""
    return _window(
        "hamming_window", _cosine_sum(alpha, beta), window_length, periodic, dtype, requires_grad
    )


def blackman_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
):
    """The Blackman window, ``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    return _window(
        "blackman_window",
        _cosine_sum(0.42, 0.5, 0.08),
        window_length,
        periodic,
        dtype,
        requires_grad,
    )


def bartlett_window(
    window_length: int,
    periodic: bool = True,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
):
    """The Bartlett (triangular) window, ``1 - |2n / (N - 1) - 1|``."""
    return _window("bartlett_window", np.bartlett, window_length, periodic, dtype, requires_grad)


def kaiser_window(
    window_length: int,
    periodic: bool = True,
    beta: float = 12.0,
    *,
    dtype=None,
    layout=None,
    device=None,
    requires_grad: bool = False,
):
    """The Kaiser window, ``I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) / I0(beta)``."""
    return _window(
        "kaiser_window", lambda m: np.kaiser(m, beta), window_length, periodic, dtype, requires_grad
    )
