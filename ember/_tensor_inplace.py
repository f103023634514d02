"""The in-place variants of the Tensor methods (``add_``, ``clamp_``, ``t_``, ``eq_``...) and the
augmented operators (``+=``...), built from the out-of-place methods that
``ember/_tensor_methods.py`` binds first; it calls ``bind_inplace_methods`` once they are bound.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _dtype as D
from ._tensor import Tensor
from .autograd.primitives import shape as SP
from .functions import compare as C
from .functions import index as I
from .functions import inplace as IP
from .functions import shape as S
from .functions.reduce import _scalar_type_name


def _inplace(fn, ufunc=None):
    def method(self, *args, **kwargs):
        if ufunc is np.subtract and _bool_operand(self, *args):
            return IP.inplace(self, fn, *args, **kwargs)  # ``sub`` refuses bools with torch's words
        if ufunc is not None and not kwargs and len(args) == 1 and not IP._state.enabled:
            return IP.fast_binary_(self, ufunc, args[0])
        if (
            ufunc is not None
            and len(args) == 1
            and not (IP._state.enabled and (self._rg or getattr(args[0], "_rg", False)))
            and set(kwargs) <= {"alpha"}
        ):
            alpha = kwargs.get("alpha", 1)
            if not isinstance(alpha, (int, float, complex, np.number)):
                raise TypeError(
                    f"{fn.__name__}_(): argument 'alpha' must be Number, not {type(alpha).__name__}"
                )
            return IP.fast_binary_(self, ufunc, args[0], alpha)
        return IP.inplace(self, fn, *args, **kwargs)

    return method


def _bool_operand(t, *args) -> bool:
    return t._data.dtype == np.bool_ or any(
        isinstance(a, bool) or (isinstance(a, Tensor) and a._data.dtype == np.bool_) for a in args
    )


def _number_bounds_checked(method):
    """``clamp_`` and kin with number bounds: a result dtype the tensor cannot hold is refused
    naming the tensor's dtype by its C++ type, as torch's number-bound kernels do (its
    tensor-bound ones say ``Long``, as the other in-place ops)."""

    def clamp_(self, *args, **kwargs):
        bounds = [b for b in (*args, *kwargs.values()) if b is not None]
        numbers = [b for b in bounds if isinstance(b, (int, float, complex, np.number))]
        # a 0-dim tensor beside a number is read as a number too (see ``clamp``)
        zero_dim = [b for b in bounds if isinstance(b, Tensor) and not b.ndim]
        if numbers and len(numbers) + len(zero_dim) == len(bounds):
            values = tuple(b.item() if isinstance(b, Tensor) else b for b in bounds)
            dt = D.result_type((self,), values)
            if not IP._can_cast(dt.np, self._data.dtype):
                have = self._data.dtype.name
                raise RuntimeError(
                    f"result type {_scalar_type_name(dt)} can't be cast to the desired output type "
                    f"{IP._C_TYPE_NAMES.get(have, have)}"
                )
        return method(self, *args, **kwargs)

    return clamp_


_INPLACE_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply}
_CLAMPS = ("clamp", "clip", "clamp_min", "clamp_max")
# name_ is the in-place form of the method name
_INPLACE_NAMES = (
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "clamp",
    "clip",
    "clamp_min",
    "clamp_max",
    "masked_fill",
    "index_add",
    "index_fill",
    "index_copy",
    "masked_scatter",
    "scatter_reduce",
    "index_reduce",
    "put",
    "scatter",
    "scatter_add",
    "exp",
    "log",
    "sqrt",
    "abs",
    "neg",
    "sigmoid",
    "tanh",
    "relu",
    "floor",
    "ceil",
    "round",
    "trunc",
    "sign",
    "reciprocal",
    "lerp",
    "addcmul",
    "addcdiv",
    "fmod",
    "remainder",
    "square",
    "sin",
    "cos",
    "rsqrt",
    "floor_divide",
    "erf",
    "log1p",
    "expm1",
    "atan2",
    "logical_not",
    "maximum",
    "minimum",
    "nan_to_num",
    "index_put",
    "frac",
    "subtract",
    "multiply",
    "divide",
    "true_divide",
    "exp2",
    "copysign",
    "tril",
    "triu",
    "hypot",
    "log2",
    "log10",
    "xlogy",
    "absolute",
    "acos",
    "acosh",
    "addbmm",
    "addmm",
    "addmv",
    "addr",
    "arccos",
    "arcsin",
    "arctan2",
    "arctan",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "baddbmm",
    "bitwise_and",
    "bitwise_left_shift",
    "bitwise_not",
    "bitwise_or",
    "bitwise_right_shift",
    "bitwise_xor",
    "cosh",
    "cumprod",
    "cumsum",
    "deg2rad",
    "erfinv",
    "fix",
    "negative",
    "rad2deg",
    "renorm",
    "sgn",
    "sinh",
    "tan",
    "arcsinh",
    "arccosh",
    "arctanh",
    "lgamma",
    "digamma",
    "erfc",
    "logit",
    "sinc",
    "gcd",
    "lcm",
    "heaviside",
    "ldexp",
    "nextafter",
    "conj_physical",
    "logical_and",  # torch records nothing for these: the gradient passes as before
    "logical_or",
    "logical_xor",
)


def _inplace_error(exc: Exception, name: str) -> Exception:
    """The out-of-place op's error reworded for its in-place method, as torch words it there:
    ``t_() expects...``, ``unsqueeze_(): argument 'dim' (position 1)...``."""
    base, msg = name.rstrip("_"), str(exc)
    if not msg.startswith(base + "()") and not msg.startswith(base + "(): "):
        return exc
    msg = name + msg[len(base) :]
    msg = msg.replace("(position 2)", "(position 1)").replace("got (Tensor, ", "got (", 1)
    return type(exc)(msg)


def _reshaping_inplace(fn, name: str):
    """``t_``, ``transpose_``, ``squeeze_``...: the tensor itself takes the new shape (a view of
    its own memory, values untouched) and, when recorded, the op's node."""

    def method(self, *args, **kwargs):
        IP.check_inplace(self)
        try:
            result = fn(self, *args, **kwargs)
        except (RuntimeError, TypeError) as exc:
            raise _inplace_error(exc, name) from None
        self._data = result._data
        self._vc[0] += 1
        node = result.grad_fn
        if node is not None:
            # the same computation under the in-place name (TBackward1 for ``t_``): nodes of one
            # primitive and of its renamed copy share their layout, so the class can change
            node.__class__ = SP.INPLACE_NODES.get(type(node), type(node))
            self.grad_fn, self._output_nr = node, result._output_nr
        return self

    return method


_RESHAPING = (
    ("t_", S.t),
    ("transpose_", S.transpose),
    ("swapaxes_", S.transpose),
    ("swapdims_", S.transpose),
    ("squeeze_", S.squeeze_method),
    ("unsqueeze_", S.unsqueeze),
)

# comparisons in place keep the tensor's dtype and give it a zero gradient, as torch's
_COMPARISONS = (
    "eq",
    "ge",
    "greater",
    "greater_equal",
    "gt",
    "le",
    "less",
    "less_equal",
    "lt",
    "ne",
    "not_equal",
)


def float_power_(self, exponent) -> Tensor:
    """In place ``float_power``: computed in double, so only a double (or complex double)
    tensor can hold the result, as torch requires."""
    complex_ = self._data.dtype.kind == "c" or (
        isinstance(exponent, Tensor) and exponent._data.dtype.kind == "c"
    )
    needed = D.complex128 if complex_ else D.float64
    if self.dtype != needed:
        names = {"complex64": "ComplexFloat", "complex128": "ComplexDouble"}
        have, want = (names.get(t.name) or _scalar_type_name(t) for t in (self.dtype, needed))
        raise RuntimeError(
            f"the base given to float_power_ has dtype {have} but the operation's result "
            f"requires dtype {want}"
        )
    return IP.inplace(self, Tensor.float_power, exponent)


def _resize_shape(size: tuple, name: str) -> tuple:
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(
                f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
                f"{type(s).__name__}"
            )
    shape = tuple(int(s) for s in size)
    if any(s < 0 for s in shape):
        raise RuntimeError("numel: integer multiplication overflow")  # torch's words for it
    return shape


def _check_resize(self, shape: tuple, memory_format) -> None:
    if self._rg:
        raise RuntimeError("cannot resize variables that require grad")
    for fmt, rank in ((D.channels_last, 4), (D.channels_last_3d, 5)):
        if memory_format is fmt and len(shape) != rank:
            raise RuntimeError(f"required rank {rank} tensor to use {fmt.name} format")


def resize_(self, *size, memory_format=None) -> Tensor:
    """Give this tensor a new shape over its memory, as torch: shrinking keeps the memory (growing
    back shows the old values), growing extends it (the new elements are zeros here, where torch
    leaves them uninitialised). The values always lie in row-major order."""
    shape = _resize_shape(size, "resize_")
    _check_resize(self, shape, memory_format)
    if shape == self._data.shape:
        return self
    from .functions.strided import _storage

    flat, _, offset = _storage(self)
    n = int(np.prod(shape, dtype=np.int64))
    if offset + n > flat.size:
        grown = np.zeros(offset + n, flat.dtype)
        grown[: flat.size] = flat
        flat = grown
    self._data = flat[offset : offset + n].reshape(shape)
    self._vc[0] += 1
    return self


def resize_as_(self, the_template: Tensor, memory_format=None) -> Tensor:
    """``resize_`` to ``the_template``'s shape."""
    if not isinstance(the_template, Tensor):
        raise TypeError(
            "resize_as_(): argument 'the_template' (position 1) must be Tensor, not "
            f"{type(the_template).__name__}"
        )
    return resize_(self, the_template._data.shape, memory_format=memory_format)


def _autograd_resize(self, sizes: tuple, name: str) -> Tensor:
    warnings.warn(f"non-inplace {name} is deprecated", UserWarning, stacklevel=3)
    have = self._data.size
    want = int(np.prod(sizes)) if all(isinstance(s, int) for s in sizes) else None
    if want != have:

        def text(shape) -> str:
            return "x".join(str(n) for n in shape)

        raise RuntimeError(
            f"requested resize to {text(sizes)} ({text(sizes) if want is None else want} "
            f"elements in total), but the given tensor has a size of {text(self._data.shape)} "
            f"({have} elements). autograd's resize can only change the shape of a given tensor, "
            "while preserving the number of elements. "
        )
    return self.reshape(sizes)


def resize(self, *sizes) -> Tensor:
    """Deprecated out-of-place ``resize``: a reshape that keeps the element count."""
    return _autograd_resize(self, sizes, "resize")


def resize_as(self, tensor: Tensor) -> Tensor:
    """Deprecated out-of-place ``resize_as``: a reshape to ``tensor``'s shape."""
    return _autograd_resize(self, tuple(tensor._data.shape), "resize_as")


def bind_inplace_methods(methods: dict) -> None:
    """Bind the in-place methods on ``Tensor``, each wrapping ``methods[name]`` (the table of
    ``_tensor_methods``) or the ``Tensor`` method of that name, which must be bound already."""
    for name in _INPLACE_NAMES:
        fn = methods.get(name) or getattr(Tensor, name)
        method = _inplace(fn, _INPLACE_UFUNCS.get(name))
        setattr(Tensor, name + "_", _number_bounds_checked(method) if name in _CLAMPS else method)
    for name, fn in _RESHAPING:
        setattr(Tensor, name, _reshaping_inplace(fn, name))
    for name in _COMPARISONS:
        setattr(Tensor, name + "_", _inplace(C.zero_grad_inplace(getattr(Tensor, name))))
    Tensor.fill_diagonal_ = _inplace(I.fill_diagonal)
    Tensor.float_power_ = float_power_
    Tensor.resize_ = resize_
    Tensor.resize_as_ = resize_as_
    Tensor.resize = resize
    Tensor.resize_as = resize_as
    Tensor.__iadd__ = Tensor.add_
    Tensor.__isub__ = Tensor.sub_
    Tensor.__imul__ = Tensor.mul_
    Tensor.__itruediv__ = Tensor.div_
    Tensor.__ipow__ = Tensor.pow_
    Tensor.__imod__ = Tensor.remainder_
    Tensor.__ifloordiv__ = Tensor.floor_divide_
