"""Bessel functions J0, J1, Y0, Y1 and K0, K1 of real arguments, in float64 on NumPy.

J and Y: power series below 0.5; between 0.5 and 25, Miller's backward recurrence for the
J_n (normalised by ``J0 + 2 sum J_2k = 1``) and Neumann's series of the J_n for Y0 and Y1;
beyond 25, Hankel's asymptotic expansion, whose smallest term is there below 1e-20.
K: the power series up to 2 and Steed's continued fraction (Temme's CF2) beyond.
"""

from __future__ import annotations

import math

import numpy as np

EULER = 0.5772156649015329
_SMALL, _LARGE = 0.5, 25.0


def _hankel(x: np.ndarray, order: int):
    """``(J, Y)`` of ``order`` 0 or 1 for large positive ``x``."""
    mu = 4.0 * order * order
    p, q = np.ones_like(x), np.zeros_like(x)
    term = np.ones_like(x)
    for k in range(1, 30):
        term = term * (mu - (2 * k - 1) ** 2) / (k * 8 * x)
        if k % 2:
            q += term * (-1) ** (k // 2)
        else:
            p += term * (-1) ** (k // 2)
    chi = x - (2 * order + 1) * math.pi / 4
    scale = np.sqrt(2 / (math.pi * x))
    return scale * (p * np.cos(chi) - q * np.sin(chi)), scale * (p * np.sin(chi) + q * np.cos(chi))


def _power_sums(q: np.ndarray):
    """``sum q^k / k!^2``, ``sum q^k / (k! (k+1)!)`` and the same weighted by ``H_k`` and by
    ``H_k + H_(k+1)`` (harmonic numbers): the series of J, Y (``q = -x^2/4``) and I, K
    (``q = x^2/4``) of orders 0 and 1, for ``|q| <= 1``."""
    t0, t1 = np.ones_like(q), np.ones_like(q)
    s0, s1 = np.ones_like(q), np.ones_like(q)
    h0, h1 = np.zeros_like(q), np.ones_like(q)
    harmonic = 0.0
    for k in range(1, 30):
        t0 = t0 * q / (k * k)
        t1 = t1 * q / (k * (k + 1))
        harmonic += 1 / k
        s0 += t0
        s1 += t1
        h0 += harmonic * t0
        h1 += (2 * harmonic + 1 / (k + 1)) * t1
    return s0, s1, h0, h1


def _series(x: np.ndarray):
    """``(J0, J1, Y0, Y1)`` by their power series (small positive ``x``)."""
    j0, s1, h0, h1 = _power_sums(-x * x / 4)
    j1 = s1 * x / 2
    log = np.log(x / 2) + EULER
    y0 = 2 / math.pi * (log * j0 - h0)
    y1 = -2 / (math.pi * x) + 2 / math.pi * log * j1 - x / (2 * math.pi) * h1
    return j0, j1, y0, y1


def _miller(x: np.ndarray):
    """``(J0, J1, Y0, Y1)`` by backward recurrence (moderate positive ``x``)."""
    top = 2 * int((x.max(initial=0) + 40) / 2)
    after, cur = np.zeros_like(x), np.full(x.shape, 1e-30)  # j_{k+1}, j_k
    norm = np.zeros_like(x)
    y0_sum = np.zeros_like(x)  # sum_k (-1)^k j_2k / k
    y1_sum = np.zeros_like(x)  # sum_k (-1)^k (j_{2k-1} - j_{2k+1}) / k
    odd_above = np.zeros_like(x)  # j_{2k+1} while at j_2k
    j1 = np.zeros_like(x)
    for k in range(top, 0, -1):  # cur is j_k; compute j_{k-1}
        if k % 2 == 0:
            norm += 2 * cur
            y0_sum += (-1) ** (k // 2) * cur / (k // 2)
            odd_above = after.copy()
        before = 2 * k / x * cur - after
        if k % 2 == 0:  # before = j_{2k'-1} with 2k' = k
            y1_sum += (-1) ** (k // 2) * (before - odd_above) / (k // 2)
        if k == 1:
            j1 = cur.copy()
        after, cur = cur, before
        big = np.abs(cur) > 1e250
        if big.any():
            for arr in (after, cur, norm, y0_sum, y1_sum, odd_above, j1):
                arr[big] *= 1e-250
    j0 = cur
    norm += j0
    j0, j1 = j0 / norm, j1 / norm
    y0_sum, y1_sum = y0_sum / norm, y1_sum / norm
    log = np.log(x / 2) + EULER
    y0 = 2 / math.pi * (log * j0 - 2 * y0_sum)
    y1 = -2 / (math.pi * x) * j0 + 2 / math.pi * (log * j1 + y1_sum)
    return j0, j1, y0, y1


def bessel_jy(x: np.ndarray):
    """``(J0, J1, Y0, Y1)`` at ``x`` (float64; Y is nan for negative ``x``, -inf at 0)."""
    x = np.asarray(x, np.float64)
    ax = np.abs(x)
    out = [np.full(x.shape, np.nan) for _ in range(4)]
    small = (ax > 0) & (ax < _SMALL)
    mid = (ax >= _SMALL) & (ax <= _LARGE)
    big = (ax > _LARGE) & np.isfinite(ax)
    for mask, fn in ((small, _series), (mid, _miller)):
        if mask.any():
            for o, v in zip(out, fn(ax[mask])):
                o[mask] = v
    if big.any():
        (out[0][big], out[2][big]), (out[1][big], out[3][big]) = (
            _hankel(ax[big], 0),
            _hankel(ax[big], 1),
        )
    zero = ax == 0
    out[0][zero], out[1][zero], out[2][zero], out[3][zero] = 1.0, 0.0, -np.inf, -np.inf
    out[1] = np.where(x < 0, -out[1], out[1])  # J1 is odd; J0 even
    out[1][zero] = x[zero]  # keeps the sign of zero
    out[2][x < 0] = np.nan
    out[3][x < 0] = np.nan
    return tuple(out)


def _k_series(x: np.ndarray):
    """``(K0, K1)`` by their power series (``0 < x <= 2``)."""
    i0, s1, h0, h1 = _power_sums(x * x / 4)
    log = np.log(x / 2) + EULER
    return -log * i0 + h0, 1 / x + log * s1 * x / 2 - x / 4 * h1


def _k_fraction(x: np.ndarray, mu: float = 0.0):
    """``(K_mu e^x, K_(mu+1) e^x)`` for ``|mu| <= 1/2`` by Steed's algorithm for Temme's
    continued fraction (``x >= 2``)."""
    b = 2 * (1 + x)
    d = 1 / b
    h = delh = d
    q1, q2 = np.zeros_like(x), np.ones_like(x)
    a1 = 0.25 - mu * mu
    q = c = np.full_like(x, a1)
    a = -a1
    s = 1 + q * delh
    for i in range(1, 200):
        a -= 2 * i
        c = -a * c / (i + 1)
        qnew = (q1 - b * q2) / a
        q1, q2 = q2, qnew
        q = q + c * qnew
        b = b + 2
        d = 1 / (b + a * d)
        delh = (b * d - 1) * delh
        h = h + delh
        dels = q * delh
        s = s + dels
        if np.all(np.abs(dels / s) < 1e-17):
            break
    k0 = np.sqrt(math.pi / (2 * x)) / s
    k1 = k0 * (mu + x + 0.5 - a1 * h) / x
    return k0, k1


def bessel_k(x: np.ndarray, scaled: bool):
    """``(K0, K1)`` at ``x`` (times ``e^x`` when ``scaled``): inf at 0, nan below."""
    x = np.asarray(x, np.float64)
    k0, k1 = np.full(x.shape, np.nan), np.full(x.shape, np.nan)
    small = (x > 0) & (x <= 2)
    big = (x > 2) & np.isfinite(x)
    if small.any():
        s0, s1 = _k_series(x[small])
        scale = np.exp(x[small]) if scaled else 1.0
        k0[small], k1[small] = s0 * scale, s1 * scale
    if big.any():
        f0, f1 = _k_fraction(x[big])
        scale = 1.0 if scaled else np.exp(-x[big])
        k0[big], k1[big] = f0 * scale, f1 * scale
    k0[x == 0], k1[x == 0] = np.inf, np.inf
    k0[x == np.inf], k1[x == np.inf] = 0.0, 0.0
    return k0, k1


_AI0, _AIP0 = 0.355028053887817239, 0.258819403792806798  # Ai(0), -Ai'(0)


def airy_ai(x: np.ndarray) -> np.ndarray:
    """The Airy function Ai: Maclaurin series on [-8, 2.1]; ``sqrt(x/3) K_1/3(zeta) / pi``
    above, ``zeta = 2/3 x^1.5`` (the continued fraction needs ``zeta >= 2``); the oscillating
    asymptotic expansion below, where its smallest term is under 1e-15. nan at +-inf."""
    x = np.asarray(x, np.float64)
    out = np.full(x.shape, np.nan)
    mid = (x >= -8) & (x <= 2.1)
    xm = x[mid]
    cube = xm**3
    f, g = np.ones_like(xm), xm.copy()
    tf, tg = np.ones_like(xm), xm.copy()
    for k in range(1, 60):
        tf = tf * cube / ((3 * k - 1) * 3 * k)
        tg = tg * cube / (3 * k * (3 * k + 1))
        f += tf
        g += tg
    out[mid] = _AI0 * f - _AIP0 * g
    right = (x > 2.1) & np.isfinite(x)
    xr = x[right]
    zeta = 2 / 3 * xr**1.5
    with np.errstate(under="ignore"):
        out[right] = np.sqrt(xr / 3) / math.pi * _k_fraction(zeta, 1 / 3)[0] * np.exp(-zeta)
    left = (x < -8) & np.isfinite(x)
    t = -x[left]
    zeta = 2 / 3 * t**1.5
    p, q = np.zeros_like(t), np.zeros_like(t)
    u, power = 1.0, np.ones_like(t)
    for k in range(30):
        term = u * power * (-1) ** (k // 2)
        if k % 2:
            q += term
        else:
            p += term
        u *= (6 * k + 5) * (6 * k + 3) * (6 * k + 1) / (216 * (k + 1) * (2 * k + 1))
        power = power / zeta
    phase = zeta + math.pi / 4
    out[left] = (np.sin(phase) * p - np.cos(phase) * q) / (math.sqrt(math.pi) * t**0.25)
    return out
