"""What derivative rules call beyond Python's operators, for NumPy arrays and Tensors alike.

A plain ``backward()`` runs the rules of primitives declared ``arrays=True`` on NumPy arrays, so
that no Tensor is made for each intermediate gradient (most of a small graph's backward). Under
``create_graph=True`` the same rules get Tensors, and what they do is recorded. Operators
(``+ - * / ** @ < ~``) and ``.shape``, ``.ndim``, ``.reshape``, ``.mT`` work on both; each
function here does the rest for both, one line each.

Complex gradients follow torch's convention: a rule multiplies the output gradient by the
*conjugate* of the derivative (``g * conj(y)`` for ``x * y``), so that a real loss of a complex
input gets ``dL/dre + i dL/dim``. ``conj`` costs one dtype test for real values and leaves them
as they are, so real rules keep their numerics.
"""

from __future__ import annotations

import numpy as np


def is_array(x) -> bool:
    """True for a NumPy array or scalar, False for a Tensor."""
    return type(x) is np.ndarray or isinstance(x, np.generic)


def is_complex(x) -> bool:
    return x.dtype.kind == "c" if is_array(x) else x.is_complex()


def conj(x):
    """The complex conjugate of a complex ``x`` (array, Tensor or number); a real ``x`` itself."""
    if type(x) is np.ndarray:  # the plain backward's case first, without a call to is_array
        return x if x.dtype.kind != "c" else np.conj(x)
    if isinstance(x, np.generic):
        return np.conj(x) if x.dtype.kind == "c" else x
    if type(x) is complex:  # a scalar parameter such as addmm's alpha
        return x.conjugate()
    if isinstance(x, (int, float)):
        return x
    return x.conj()  # a real Tensor's conj() is the tensor itself


def exp(x):
    return np.exp(x) if is_array(x) else x.exp()


def sin(x):
    return np.sin(x) if is_array(x) else x.sin()


def cos(x):
    return np.cos(x) if is_array(x) else x.cos()


def sign(x):
    return sign_array(x) if is_array(x) else x.sign()


def sign_array(x: np.ndarray) -> np.ndarray:
    """torch's sign on an array: 0 for nan (NumPy's is nan), bools as they are."""
    kind = x.dtype.kind
    if kind == "b":
        return x.copy()
    s = np.sign(x)
    if type(s) is not np.ndarray:  # 0-d input: NumPy returns a scalar
        s = np.asarray(s)
    if kind == "f":
        s[np.isnan(s)] = 0
    return s


def zero_where(g, mask):
    """``g`` with exact zeros where ``mask`` holds (``masked_fill(mask, 0)``)."""
    return np.where(mask, g.dtype.type(0), g) if is_array(g) else g.masked_fill(mask, 0)


def sum_keepdim(g, dim):
    return np.add.reduce(g, axis=dim, keepdims=True) if is_array(g) else g.sum(dim, keepdim=True)


def expand(g, shape: tuple):
    """``g`` broadcast to ``shape``, known to be valid (a reduction's input shape)."""
    return broadcast_array(np.asarray(g), shape) if is_array(g) else g._expand_to(shape)


def broadcast_array(x: np.ndarray, shape: tuple) -> np.ndarray:
    """``x`` broadcast to ``shape``, a view (``shape`` known to be valid)."""
    # Zero-stride views built directly: np.broadcast_to's Python wrapper costs several times the
    # rest of an ``expand`` (and runs in nearly every reduction's backward). The shape is valid
    # (checked by ``expand``); writes into the view are refused by the in-place ops' overlap check.
    if x.shape == shape:
        return x.view()
    if not x.flags.c_contiguous:
        return np.broadcast_to(x, shape)
    lead = len(shape) - x.ndim
    strides = [0] * lead
    for n, have, st in zip(shape[lead:], x.shape, x.strides):
        strides.append(0 if have != n else st)
    return np.ndarray(shape, x.dtype, x, 0, tuple(strides))


def lift(g, a: np.ndarray):
    """Array ``a`` as an operand beside gradient ``g``: itself, or a constant Tensor."""
    return a if is_array(g) else g.new_tensor(a)


def log(x):
    return np.log(x) if is_array(x) else x.log()


def zeros_like(g):
    return np.zeros_like(g) if is_array(g) else g.new_zeros(g.shape)


def sinh(x):
    return np.sinh(x) if is_array(x) else x.sinh()


def cosh(x):
    return np.cosh(x) if is_array(x) else x.cosh()


def rsqrt(x):
    return 1 / np.sqrt(x) if is_array(x) else x.rsqrt()


def permute(g, dims):
    return np.transpose(g, dims) if is_array(g) else g.permute(dims)


def transpose(g, d0: int, d1: int):
    return np.swapaxes(g, d0, d1) if is_array(g) else g.transpose(d0, d1)


def t(g):
    return g.T if is_array(g) else g.t()


def squeeze(g, dim):
    return np.squeeze(g, dim) if is_array(g) else g.squeeze(dim)


def flip(g, dims):
    return np.flip(g, dims) if is_array(g) else g.flip(dims)


def clamp(x, lo=None, hi=None):
    return np.clip(x, lo, hi) if is_array(x) else x.clamp(lo, hi)
