"""Discrete Fourier transforms: complex-to-complex, real-to-complex and complex-to-real.

Each transform is linear, so its derivative is its adjoint, another transform of the table:
with torch's convention for complex gradients (``dL/dx + i dL/dy``, the conjugate Wirtinger
derivative times two), the gradient of ``y = A z`` is ``A^H g``. The adjoint of an FFT under norm
``"backward"`` is the inverse FFT under ``"forward"`` (and the other way round); ``"ortho"`` is
unitary. A transform over ``size`` points first zero-pads or trims its input, whose adjoint
trims or zero-pads the gradient back (``resize``). Every rule is written with these primitives,
so gradients of gradients work too.

NumPy's pocketfft may compute in double precision; results are cast back to the precision of
the input, as torch returns complex64 for float32 and complex128 for float64.
"""

from __future__ import annotations

import numpy as np

from . import defop

_DUAL = {"backward": "forward", "forward": "backward", "ortho": "ortho"}
_COMPLEX = {np.dtype(np.float32): np.complex64, np.dtype(np.float64): np.complex128}


def _apply(prim, inputs, **params):
    # Rules run long after import; the Tensor layer sits above the rule table, so import late.
    from ..._tensor import apply

    return apply(prim, tuple(inputs), **params)


def _complex_of(dtype: np.dtype):
    return dtype if dtype.kind == "c" else _COMPLEX[np.dtype(dtype)]


def _resize_array(a: np.ndarray, dims: tuple, sizes: tuple) -> np.ndarray:
    """``a`` trimmed or zero-padded at the end of each of ``dims`` to ``sizes``."""
    shape = list(a.shape)
    for d, n in zip(dims, sizes):
        shape[d] = n
    out = np.zeros(shape, a.dtype)
    keep = [slice(None)] * a.ndim
    for d, n in zip(dims, sizes):
        keep[d] = slice(0, min(n, a.shape[d]))
    out[tuple(keep)] = a[tuple(keep)]
    return out


def _sizes(a, dims: tuple) -> tuple:
    return tuple(a.shape[d] for d in dims)


def _resize_fwd(ctx, a, dims, sizes):
    ctx.dims, ctx.in_sizes = dims, _sizes(a, dims)
    return _resize_array(a, dims, sizes)


# its own adjoint: what was trimmed is padded back with zeros, what was padded is trimmed
resize = defop(
    "FftResizeBackward0",
    _resize_fwd,
    [lambda c, g: _apply(resize, (g,), dims=c.dims, sizes=c.in_sizes)],
    needs_ctx=True,
)


def resized(g, dims: tuple, sizes: tuple):
    """Tensor ``g`` resized along ``dims`` (itself when it already has those sizes)."""
    return g if _sizes(g, dims) == tuple(sizes) else _apply(resize, (g,), dims=dims, sizes=sizes)


def _c2c(ctx, z, dims, size, norm, forward):
    ctx.dims, ctx.size, ctx.norm, ctx.forward = dims, size, norm, forward
    ctx.in_sizes = _sizes(z, dims)
    transform = np.fft.fftn if forward else np.fft.ifftn
    return transform(z, s=size, axes=dims, norm=norm).astype(z.dtype, copy=False)


def _c2c_grad(c, g):
    back = _apply(c2c, (g,), dims=c.dims, size=c.size, norm=_DUAL[c.norm], forward=not c.forward)
    return resized(back, c.dims, c.in_sizes)


c2c = defop("FftC2CBackward0", _c2c, [_c2c_grad], needs_ctx=True)


def _r2c(ctx, x, dims, size, norm, onesided):
    ctx.dims, ctx.size, ctx.norm = dims, size, norm
    ctx.in_sizes = _sizes(x, dims)
    transform = np.fft.rfftn if onesided else np.fft.fftn
    return transform(x, s=size, axes=dims, norm=norm).astype(_complex_of(x.dtype), copy=False)


def _r2c_grad(c, g):
    # A one-sided gradient is zero-padded to the full spectrum by the c2c's own resize.
    back = _apply(c2c, (g,), dims=c.dims, size=c.size, norm=_DUAL[c.norm], forward=False)
    return resized(back.real, c.dims, c.in_sizes)


r2c = defop("FftR2CBackward0", _r2c, [_r2c_grad], needs_ctx=True)


def _c2r(ctx, z, dims, size, norm):
    ctx.dims, ctx.size, ctx.norm = dims, size, norm
    ctx.in_sizes, ctx.real_input = _sizes(z, dims), z.dtype.kind != "c"
    out = np.fft.irfftn(z, s=size, axes=dims, norm=norm)
    return out.astype(z.real.dtype, copy=False)


def _c2r_weights(n: int) -> np.ndarray:
    """The one-sided bins' multiplicities in the full spectrum of ``n`` points: 1 for the zero
    frequency (and for Nyquist when ``n`` is even), 2 for the bins standing for a pair."""
    w = np.full(n // 2 + 1, 2.0)
    w[0] = 1
    if n % 2 == 0:
        w[-1] = 1
    return w


def _c2r_grad(c, g):
    # irfftn reads each inner bin of the last dim twice (as itself and as its conjugate), the
    # zero frequency and Nyquist once, and ignores their imaginary parts: the adjoint is rfftn
    # of the gradient with those multiplicities.
    spec = _apply(r2c, (g,), dims=c.dims, size=c.size, norm=_DUAL[c.norm], onesided=True)
    shape = [1] * g.ndim
    shape[c.dims[-1]] = spec.shape[c.dims[-1]]
    w = g.new_tensor(_c2r_weights(c.size[-1]).reshape(shape), dtype=g.dtype)
    back = resized(spec * w, c.dims, c.in_sizes)
    return back.real if c.real_input else back


c2r = defop("FftC2RBackward0", _c2r, [_c2r_grad], needs_ctx=True)
