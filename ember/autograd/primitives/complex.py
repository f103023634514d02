"""Complex numbers: the real and imaginary parts as views, pairs of reals as complex values, and
the angle.

Gradients follow torch's convention for complex inputs: the gradient of a real loss with respect
to ``z = x + iy`` is ``dL/dx + i dL/dy``. The engine casts each gradient to its input's dtype,
so a rule that leaves a real tensor for a complex input gives it a zero imaginary part, and
rules for real inputs take the real part explicitly (a cast would drop it with a warning).
"""

from __future__ import annotations

import numpy as np

from . import defop


def _pairs(z: np.ndarray) -> np.ndarray:
    """``z``'s memory read as (real, imag) pairs along a new last dim: a view, never a copy."""
    parts = z.real
    return np.lib.stride_tricks.as_strided(parts, z.shape + (2,), parts.strides + (parts.itemsize,))


def _complex_view(x: np.ndarray) -> np.ndarray:
    """A float array's last dim of two (stride one) read as complex numbers, sharing memory."""
    return x.view(np.complex64 if x.dtype == np.float32 else np.complex128)[..., 0]


def _angle(x: np.ndarray) -> np.ndarray:
    if x.dtype.kind == "c":
        return np.angle(x)
    # real x: pi for negatives, 0 otherwise (-0. included), NaN kept
    return np.where(x < 0, x.dtype.type(np.pi), np.where(np.isnan(x), x, x.dtype.type(0)))


real = defop("RealBackward0", lambda z: z.real, [lambda c, g: g], is_view=True)
imag = defop("ImagBackward0", lambda z: z.imag, [lambda c, g: g * 1j], is_view=True)
view_as_real = defop(
    "ViewAsRealBackward0", _pairs, [lambda c, g: g.contiguous()._view_as_complex()], is_view=True
)
view_as_complex = defop(
    "ViewAsComplexBackward0", _complex_view, [lambda c, g: g._view_as_real()], is_view=True
)


def _angle_grad(g, z):
    square = (z * z.conj()).real
    return g * z * 1j / square.where(square != 0, 1)  # torch's 0 at z = 0


# z / |z|^2 * i: the gradient of atan2(y, x) in the convention above; zero for real inputs
angle = defop(
    "AngleBackward0",
    _angle,
    [lambda c, g, x: _angle_grad(g, x) if x.is_complex() else g.new_zeros(g.shape)],
    save=(0,),
)
conj_physical = defop("ConjPhysicalBackward0", np.conj, [lambda c, g: g.conj()])
# torch's conj() is a lazy view recorded as ConjBackward0; Ember's copies, under torch's name
conj = defop("ConjBackward0", np.conj, [lambda c, g: g.conj()])


def _complex(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    out = np.empty(np.broadcast_shapes(re.shape, im.shape), (re.dtype.type(0) * 1j).dtype)
    out.real, out.imag = re, im
    return out


complex_ = defop(
    "ComplexBackward0",
    _complex,
    [
        lambda c, g: g.real if g.is_complex() else g,
        lambda c, g: g.imag if g.is_complex() else g.new_zeros(g.shape),
    ],
)
