"""Binds the ``ember.*`` functions as ``Tensor`` methods and operators, as torch's Tensor has them.

Kept in one table so that a reader can see, for any method, which function implements it.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _dtype as D
from ._device import check_device
from ._tensor import Tensor, _make, apply
from ._tensor_attrs import bind_attributes
from ._tensor_inplace import _inplace, bind_inplace_methods
from .autograd.engine import unbroadcast
from .autograd.primitives import math as PM
from .functions import arrange as AR
from .functions import compare as C
from .functions import complex as CX
from .functions import creation as N
from .functions import dtypes as DT
from .functions import index as I
from .functions import inplace as IP
from .functions import linalg as L
from .functions import math as M
from .functions import quantile as Q
from .functions import random as R
from .functions import reduce as RD
from .functions import shape as S
from .functions._util import as_tensor_arg, shape_arg
from .functions.clamp import _scalar_in


def _special(name: str):
    """A function of ``ember.special`` as a method, imported on first call: it may load SciPy,
    which would triple ``import ember``'s time."""

    def method(*args, **kwargs):
        from . import special

        return getattr(special, name)(*args, **kwargs)

    method.__name__ = name
    return method


def _spectral():
    from .fft import _stft  # on first call: the FFT module and the padding kernels it uses

    return _stft


_METHODS = {
    # elementwise
    "exp": M.exp,
    "exp2": M.exp2,
    "expm1": M.expm1,
    "log": M.log,
    "log2": M.log2,
    "log10": M.log10,
    "log1p": M.log1p,
    "sqrt": M.sqrt,
    "rsqrt": M.rsqrt,
    "sin": M.sin,
    "cos": M.cos,
    "tan": M.tan,
    "asin": M.asin,
    "acos": M.acos,
    "atan": M.atan,
    "arcsin": M.asin,
    "arccos": M.acos,
    "arctan": M.atan,
    "sinh": M.sinh,
    "cosh": M.cosh,
    "tanh": M.tanh,
    "asinh": M.asinh,
    "acosh": M.acosh,
    "atanh": M.atanh,
    "arcsinh": M.asinh,
    "arccosh": M.acosh,
    "arctanh": M.atanh,
    "positive": M.positive,
    "gcd": M.gcd,
    "lcm": M.lcm,
    "nextafter": M.nextafter,
    "heaviside": M.heaviside,
    "logaddexp2": M.logaddexp2,
    "ldexp": M.ldexp,
    "frexp": M.frexp,
    "lgamma": _special("gammaln"),
    "digamma": _special("digamma"),
    "erfc": _special("erfc"),
    "logit": _special("logit"),
    "sinc": _special("sinc"),
    "polygamma": lambda self, n: _special("polygamma")(n, self),
    "i0": _special("i0"),
    "igamma": _special("igamma"),
    "igammac": _special("igammac"),
    "mvlgamma": _special("mvlgamma"),
    "sigmoid": M.sigmoid,
    "erf": M.erf,
    "erfinv": M.erfinv,
    "reciprocal": M.reciprocal,
    "neg": M.neg_check,
    "negative": M.neg_check,
    "abs": M.abs,
    "absolute": M.abs,
    "sign": M.sign,
    "sgn": M.sgn,
    "floor": M.floor,
    "ceil": M.ceil,
    "trunc": M.trunc,
    "fix": M.trunc,
    "frac": M.frac,
    "round": M.round,
    "relu": M.relu,
    "square": M.square,
    "add": M.add,
    "sub": M.sub,
    "subtract": M.sub,
    "mul": M.mul,
    "multiply": M.mul,
    "div": M.div,
    "divide": M.div,
    "true_divide": M.div,
    "floor_divide": M.floor_divide,
    "remainder": M.remainder,
    "fmod": M.fmod,
    "pow": M.pow,
    "float_power": M.float_power,
    "maximum": M.maximum,
    "minimum": M.minimum,
    "fmax": M.fmax,
    "fmin": M.fmin,
    "atan2": M.atan2,
    "arctan2": M.atan2,
    "copysign": M.copysign,
    "clamp": M.clamp,
    "clip": M.clamp,
    "clamp_min": M.clamp_min,
    "clamp_max": M.clamp_max,
    "lerp": M.lerp,
    "addcmul": M.addcmul,
    "addcdiv": M.addcdiv,
    "xlogy": M.xlogy,
    "hypot": M.hypot,
    "logaddexp": M.logaddexp,
    "deg2rad": M.deg2rad,
    "rad2deg": M.rad2deg,
    "nan_to_num": M.nan_to_num,
    "rsub": M.rsub,
    # reductions
    "sum": RD.sum,
    "nansum": RD.nansum,
    "mean": RD.mean,
    "nanmean": RD.nanmean,
    "prod": RD.prod,
    "max": RD.max,
    "min": RD.min,
    "amax": RD.amax,
    "amin": RD.amin,
    "aminmax": RD.aminmax,
    "argmax": RD.argmax,
    "argmin": RD.argmin,
    "var": RD.var,
    "std": RD.std,
    "logsumexp": RD.logsumexp,
    "norm": RD.norm,
    "cumsum": RD.cumsum,
    "cumprod": RD.cumprod,
    "logcumsumexp": RD.logcumsumexp,
    "cummax": RD.cummax,
    "cummin": RD.cummin,
    "mode": RD.mode,
    "trace": RD.trace,
    "renorm": RD.renorm,
    "histc": C.histc,
    "histogram": C.histogram,
    "softmax": RD.softmax,
    "log_softmax": RD.log_softmax,
    "all": RD.all,
    "any": RD.any,
    "count_nonzero": RD.count_nonzero,
    # shape
    "view": S.view,
    "view_as": S.view_as,
    "reshape": S.reshape,
    "reshape_as": S.reshape_as,
    "flatten": S.flatten,
    "unflatten": S.unflatten,
    "permute": S.permute,
    "transpose": S.transpose,
    "swapaxes": S.swapaxes,
    "swapdims": S.transpose,
    "t": S.t,
    "movedim": S.movedim,
    "moveaxis": S.movedim,
    "expand": S.expand,
    "expand_as": S.expand_as,
    "broadcast_to": S.broadcast_to,
    "squeeze": S.squeeze_method,
    "unsqueeze": S.unsqueeze,
    "flip": S.flip_method,
    "rot90": S.rot90,
    "split_with_sizes": S.split_with_sizes,
    "narrow_copy": S.narrow_copy.without_out,
    "unsafe_chunk": S.unsafe_chunk,
    "unsafe_split": S.unsafe_split,
    "unsafe_split_with_sizes": S.unsafe_split_with_sizes,
    "is_same_size": S.is_same_size,
    "ravel": AR.ravel,
    "is_signed": DT.is_signed,
    "diag_embed": AR.diag_embed,
    "diagflat": AR.diagflat,
    "hsplit": AR.hsplit,
    "vsplit": AR.vsplit,
    "dsplit": AR.dsplit,
    "diff": S.diff,
    "fliplr": S.fliplr,
    "flipud": S.flipud,
    "roll": S.roll,
    "tril": S.tril.without_out,
    "triu": S.triu.without_out,
    "repeat": S.repeat,
    "tile": S.tile_method,
    "repeat_interleave": S.repeat_interleave,
    "split": S.split_method,
    "tensor_split": S.tensor_split,
    "chunk": S.chunk,
    "unbind": S.unbind,
    "narrow": S.narrow,
    "select": S.select,
    "diagonal": S.diagonal,
    "contiguous": S.contiguous,
    "unfold": S.unfold,
    "diag": N.diag,
    # indexing
    "__getitem__": I.getitem,
    "gather": I.gather,
    "take_along_dim": I.take_along_dim,
    "scatter": I.scatter,
    "scatter_add": I.scatter_add,
    "index_select": I.index_select,
    "index_add": I.index_add,
    "index_fill": I.index_fill,
    "index_copy": I.index_copy,
    "masked_scatter": I.masked_scatter,
    "scatter_reduce": I.scatter_reduce,
    "index_reduce": I.index_reduce,
    "slice_scatter": I.slice_scatter,
    "select_scatter": I.select_scatter,
    "diagonal_scatter": I.diagonal_scatter,
    "put": I.put,
    "masked_fill": I.masked_fill,
    "masked_select": I.masked_select,
    "index_put": I.index_put,
    "nonzero": I.nonzero,
    "nonzero_static": I.nonzero_static,
    "argwhere": I.argwhere,
    "take": I.take,
    "where": lambda self, condition, other: M.where(condition, self, other),
    # linear algebra
    "matmul": L.matmul,
    "mm": L.mm,
    "bmm": L.bmm,
    "mv": L.mv,
    "dot": L.dot,
    "inner": L.inner,
    "outer": L.outer,
    "ger": L.outer,
    "addmv": L.addmv,
    "addr": L.addr,
    "is_nonzero": N.is_nonzero,
    "kron": L.kron,
    "vdot": L.vdot,
    "cov": RD.cov,
    "corrcoef": RD.corrcoef,
    "baddbmm": L.baddbmm,
    "addbmm": L.addbmm,
    "addmm": L.addmm,
    "dist": L.dist,
    # comparison and logic
    "eq": C.eq,
    "__contains__": C.contains,
    "ne": C.ne,
    "not_equal": C.ne,
    "lt": C.lt,
    "less": C.lt,
    "le": C.le,
    "less_equal": C.le,
    "gt": C.gt,
    "greater": C.gt,
    "ge": C.ge,
    "greater_equal": C.ge,
    "logical_and": C.logical_and,
    "logical_or": C.logical_or,
    "logical_xor": C.logical_xor,
    "logical_not": C.logical_not,
    "bitwise_and": C.bitwise_and,
    "bitwise_or": C.bitwise_or,
    "bitwise_xor": C.bitwise_xor,
    "bitwise_not": C.bitwise_not,
    "isnan": C.isnan,
    "isinf": C.isinf,
    "isfinite": C.isfinite,
    "isposinf": C.isposinf,
    "isneginf": C.isneginf,
    "signbit": C.signbit,
    "isclose": C.isclose,
    "allclose": C.allclose,
    "equal": C.equal,
    "sort": C.sort,
    "argsort": C.argsort,
    "msort": C.msort,
    "topk": C.topk,
    "kthvalue": C.kthvalue,
    "nanmedian": C.nanmedian,
    "quantile": Q.quantile,
    "nanquantile": Q.nanquantile,
    "median": C.median,
    "unique": C.unique,
    "unique_consecutive": C.unique_consecutive,
    "bincount": C.bincount,
    # random, in place
    "uniform_": R.uniform_,
    "normal_": R.normal_,
    "bernoulli_": R.bernoulli_,
    "exponential_": R.exponential_,
    "random_": R.random_,
    "geometric_": R.geometric_,
    "cauchy_": R.cauchy_,
    "log_normal_": R.log_normal_,
    "bernoulli": R.bernoulli,
    "multinomial": R.multinomial,
    # complex numbers (ember/functions/complex.py)
    "angle": CX.angle,
    "conj": CX.conj,
    "conj_physical": CX.conj_physical,
    "resolve_conj": CX.resolve_conj,
    "resolve_neg": CX.resolve_neg,
    "is_conj": CX.is_conj,
    "is_neg": CX.is_neg,
    "isreal": CX.isreal,
    # short-time Fourier transforms (ember/fft/_stft.py)
    "stft": lambda self, *args, **kwargs: _spectral().stft(self, *args, **kwargs),
    "istft": lambda self, *args, **kwargs: _spectral().istft(self, *args, **kwargs),
}
for _name, _fn in _METHODS.items():
    # torch's methods take no ``out=``; binding the plain function also skips its wrapper call
    setattr(Tensor, _name, getattr(_fn, "without_out", _fn))

# -- operators ---------------------------------------------------------------------------------
Tensor.__add__ = M._operator(np.add, M.add, PM.add)
Tensor.__radd__ = M._operator(np.add, M.add, PM.add, reflected=True)
Tensor.__sub__ = M._operator(np.subtract, M.sub, PM.sub)
Tensor.__rsub__ = M._operator(np.subtract, M.sub, PM.sub, reflected=True)
Tensor.__mul__ = M._operator(np.multiply, M.mul, PM.mul)
Tensor.__rmul__ = M._operator(np.multiply, M.mul, PM.mul, reflected=True)
Tensor.__truediv__ = M._operator(np.true_divide, M.div, PM.div)
Tensor.__rtruediv__ = M._operator(np.true_divide, M.div, PM.div, reflected=True)
Tensor.__floordiv__ = M.floor_divide


def _rfloordiv(self: Tensor, other) -> Tensor:
    if isinstance(other, (bool, int, float, complex)):
        # a Python number is a wrapped number: it does not lift the tensor's dtype (2 // int8 is
        # int8), so it enters as a 0-dim tensor of the promoted dtype (wrapping as C casts do)
        dt = D.result_type((self,), (other,)).np
        other = _make(np.array(other).astype(dt))
    return M.floor_divide(as_tensor_arg(other), self)


Tensor.__rfloordiv__ = _rfloordiv
Tensor.__mod__ = M.remainder
Tensor.__rmod__ = lambda self, other: M.remainder(other, self)
Tensor.__pow__ = M.pow
Tensor.__rpow__ = lambda self, other: M.pow(other, self)


def _matmul_operator(reflected: bool):
    """``@``: with a tensor or an array (as torch); anything else, numbers included, is Python's
    TypeError (torch answers NotImplemented)."""

    def op(self, other):
        if not isinstance(other, (Tensor, np.ndarray)):
            return NotImplemented
        other = as_tensor_arg(other)
        return L.matmul(other, self) if reflected else L.matmul(self, other)

    return op


Tensor.__matmul__ = _matmul_operator(False)
Tensor.__rmatmul__ = _matmul_operator(True)
Tensor.__neg__ = M.neg_check
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = M.abs


def _invert(self):
    if self._data.dtype.kind in "fc":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return C.logical_not(self) if self._data.dtype == np.bool_ else C.bitwise_not(self)


Tensor.__invert__ = _invert
Tensor.__eq__ = C.eq
Tensor.__ne__ = C.ne
Tensor.__lt__ = C.lt
Tensor.__le__ = C.le
Tensor.__gt__ = C.gt
Tensor.__ge__ = C.ge


def _operand_or_not_implemented(op):
    """A comparison operator that, as torch's, answers NotImplemented for an operand that is not
    a tensor, a number or an array: ``x == None`` is then False and ``x < None`` a TypeError."""

    def compare(self, other):
        return op(self, other) if isinstance(other, M.OPERANDS) else NotImplemented

    compare.__name__ = op.__name__
    return compare


for _name in ("__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__"):
    setattr(Tensor, _name, _operand_or_not_implemented(getattr(Tensor, _name)))
Tensor.__lshift__ = Tensor.bitwise_left_shift = C.bitwise_left_shift
Tensor.__rshift__ = Tensor.bitwise_right_shift = C.bitwise_right_shift
Tensor.__rlshift__ = lambda self, other: C.bitwise_left_shift(other, self)
Tensor.__rrshift__ = lambda self, other: C.bitwise_right_shift(other, self)
Tensor.__and__ = Tensor.__rand__ = C.bitwise_and
Tensor.__or__ = Tensor.__ror__ = C.bitwise_or
Tensor.__xor__ = Tensor.__rxor__ = C.bitwise_xor
# (+ - * / check their operand themselves, on their fast path's slow side)
for _name in (
    "__floordiv__ __rfloordiv__ __mod__ __rmod__ __pow__ __rpow__ "
    "__lshift__ __rshift__ __rlshift__ __rrshift__ __and__ __rand__ __or__ __ror__ __xor__ "
    "__rxor__"
).split():
    setattr(Tensor, _name, _operand_or_not_implemented(getattr(Tensor, _name)))
Tensor.__hash__ = object.__hash__


# -- in-place variants (ember/_tensor_inplace.py): they wrap the methods bound above, so here --
bind_inplace_methods(_METHODS)
bind_attributes()
for _name in ("i0", "igamma", "igammac", "mvlgamma", "polygamma"):
    setattr(Tensor, _name + "_", _inplace(_METHODS[_name]))


def _check_setitem_overlap(d: np.ndarray, key: tuple, v: np.ndarray) -> None:
    """torch's refusal of ``t[key] = v`` when ``v`` is a view of ``t``'s memory that the write
    would read as it goes: a slot that overlaps ``v`` partly (``x[1:] = x[:-1]``), or any overlap
    at all behind index tensors (``x[idx] = x[:2]``)."""
    view_key, adv_key = I._split_key(key, d.shape)
    if adv_key is None:
        slot = d[key]  # a v broadcast to the slot is torch's "too hard" case: it passes
        clash = slot.shape == v.shape and IP._partly_overlap(slot, v)
    else:
        slot = d if view_key is None else d[view_key]
        clash = IP._partly_overlap(slot, v) or IP._overlap_at_all(slot, v)
    if clash:
        raise RuntimeError(
            "unsupported operation: some elements of the input tensor and the written-to tensor "
            "refer to a single memory location. Please clone() the tensor before performing the "
            "operation."
        )


def _setitem(self, key, value):
    if not isinstance(value, (Tensor, bool, int, float, complex)):
        kind = type(value)
        name = kind.__qualname__
        name = name if kind.__module__ == "builtins" else f"{kind.__module__}.{name}"
        raise TypeError(f"can't assign a {name} to a {self.type()}")
    if self._data.dtype.kind in "iu" and not isinstance(value, Tensor):
        # torch's range check (a negative int wraps into an unsigned dtype down to -max;
        # NumPy raised OverflowError for any negative)
        value = _scalar_in(value, self.dtype)
    key = I._convert_key(key)
    I.check_setitem_leaf(self, key)
    IP.check_inplace(self)
    if isinstance(value, Tensor):
        if value._data.dtype != self._data.dtype:
            I.check_setitem_dtype(self, key, value)
        if np.may_share_memory(self._data, value._data):
            _check_setitem_overlap(self._data, key, value._data)
    recording = IP._state.enabled and (self._rg or getattr(value, "_rg", False))
    if not recording:
        v = value._data if isinstance(value, Tensor) else value
        d = dst = IP._writable(self)
        k = key
        if len(key) > 1 and any(type(part) is np.ndarray for part in key):
            # index arrays mixed with basic parts: torch's two steps (the basic part as a view,
            # then the arrays into it), whose dim order differs from NumPy's for ``x[0, :, i]``
            view_key, adv_key = I._split_key(key, d.shape)
            if adv_key is not None:
                dst, k = (d if view_key is None else d[view_key]), adv_key
        try:
            dst[k] = v
        except IndexError as e:
            raise I.setitem_error(self, key, v, e) from None
        except ValueError as e:
            # torch drops a value's leading size-1 dims that the slot lacks (x[0, 0] = ones(1))
            slot = dst[k]
            while np.ndim(v) > np.ndim(slot) and np.shape(v)[0] == 1:
                v = v[0]
            try:
                dst[k] = v
            except ValueError:
                raise I.setitem_error(self, key, v, e) from None
        self._vc[0] += 1
        return
    I.setitem(self, key, value)


Tensor.__setitem__ = _setitem


def zero_(self):
    if IP._state.enabled and self._rg:  # the graph learns that the old values are gone
        return IP.inplace(self, lambda t: apply(PM.zero, (t,)))
    return IP.write_inplace(self, np.zeros((), self._data.dtype))


def fill_(self, value):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        if IP._state.enabled and (value._rg or self._rg):  # torch's FillBackward3
            return IP.inplace(self, I.fill_with, value)
        value = value._data
    elif isinstance(value, (int, float, complex)):  # a number must fit, as torch's conversion
        value = _scalar_in(value, self.dtype)
    if IP._state.enabled and self._rg:
        return IP.inplace(self, lambda t: apply(PM.fill_inplace, (t,), None, value=value))
    return IP.write_inplace(self, np.asarray(value))


def copy_(self, other, non_blocking=False):  # torch's keyword is ``other``, its docs say src
    """Copy ``other`` (broadcast) into this tensor's values."""
    return IP.copy_(self, other)


Tensor.zero_ = zero_
Tensor.fill_ = fill_
Tensor.copy_ = copy_


# -- conversion, copies ------------------------------------------------------------------------
def to(self, *args, **kwargs):
    """Cast to a dtype and/or move to a device (only the CPU exists); may return ``self``."""
    dtype = kwargs.get("dtype")
    copy = kwargs.get("copy", False)
    if (
        args
        and isinstance(args[0], (Tensor, D.dtype))
        and any(not isinstance(a, bool) for a in args[1:])
    ):
        got = ", ".join("torch.dtype" if isinstance(a, D.dtype) else type(a).__name__ for a in args)
        raise TypeError(
            f"to() received an invalid combination of arguments - got ({got}), but expected one "
            "of:\n * (torch.device device = None, torch.dtype dtype = None, bool non_blocking = "
            "False, bool copy = False, *, torch.memory_format memory_format = None)\n * "
            "(torch.dtype dtype, bool non_blocking = False, bool copy = False, *, "
            "torch.memory_format memory_format = None)\n * (Tensor tensor, bool non_blocking = "
            "False, bool copy = False, *, torch.memory_format memory_format = None)\n"
        )
    for a in args + ((kwargs["device"],) if "device" in kwargs else ()):
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, D.dtype):
            dtype = a
        elif a is not None and not isinstance(a, bool):
            check_device(a)
    if dtype is None or D.to_dtype(dtype).np == self._data.dtype:
        return self.clone() if copy else self
    return apply(PM.to_copy, (self,), None, dtype=D.to_dtype(dtype).np)


def _cast(dtype):
    def method(self, memory_format=None):
        return to(self, dtype)

    return method


Tensor.to = to
Tensor.float = _cast(D.float32)
Tensor.double = _cast(D.float64)
Tensor.half = _cast(D.float16)
Tensor.bfloat16 = _cast(D.float32)
Tensor.long = _cast(D.int64)
Tensor.int = _cast(D.int32)
Tensor.short = _cast(D.int16)
Tensor.char = _cast(D.int8)
Tensor.byte = _cast(D.uint8)
Tensor.bool = _cast(D.bool)
Tensor.cfloat = _cast(D.complex64)
Tensor.cdouble = _cast(D.complex128)


def type_as(self, other):
    """Cast to ``other``'s dtype."""
    if not isinstance(other, Tensor):
        raise TypeError(
            f"type_as(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}"
        )
    return to(self, other.dtype)


Tensor.type_as = type_as
Tensor.cpu = lambda self, memory_format=None: self
Tensor.cuda = lambda self, device=None, non_blocking=False, memory_format=None: (
    check_device("cuda") and self
)
Tensor.pin_memory = lambda self: self
Tensor.share_memory_ = lambda self: self
Tensor.is_shared = lambda self: False
Tensor.is_pinned = lambda self: False


def clone(input, *, memory_format=None):  # noqa: A002 - torch's name (``torch.clone(input=)``)
    """A copy that records ``CloneBackward0``; the layout is always kept (``preserve_format``)."""
    if memory_format is not None and not isinstance(memory_format, D.memory_format):
        raise TypeError(
            "clone(): argument 'memory_format' must be torch.memory_format, not "
            f"{type(memory_format).__name__}"
        )
    return apply(PM.clone, (input,))


Tensor.clone = clone


def _reversed_dims(self):
    """``x.T``: the dims reversed; torch warns that this is deprecated unless ``x`` is 2-D."""
    nd = self._data.ndim
    if nd == 0:
        warnings.warn(
            "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
            UserWarning,
            stacklevel=2,
        )
    elif nd != 2:
        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to "
            "reverse the dimensions of a tensor.",
            UserWarning,
            stacklevel=2,
        )
    return self.permute(*reversed(range(nd)))


Tensor.T = property(_reversed_dims)


# -- new_* constructors and private helpers used by derivative rules -----------------------------
def _new(fn):
    def method(
        self, *size, dtype=None, device=None, requires_grad=False, pin_memory=False, **kw
    ):  # pin_memory: no pinned memory on Ember's CPU-only tensors
        if "size" not in kw:  # torch's own wording for a negative size, not the factory's
            size = (shape_arg(size, fn=f"new_{fn.__name__}"),)
        return fn(*size, dtype=dtype or self.dtype, requires_grad=requires_grad, **kw)

    return method


Tensor.new_zeros = _new(N.zeros)
Tensor.new_ones = _new(N.ones)
Tensor.new_empty = _new(N.empty)


def new_full(
    self,
    size,
    fill_value,
    *,
    dtype=None,
    layout=None,
    device=None,
    pin_memory=False,
    requires_grad=False,
):
    """A tensor of ``size`` filled with ``fill_value``, in this tensor's dtype by default."""
    return N.full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)


Tensor.new_full = new_full


def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
    if isinstance(data, (np.ndarray, np.generic)) and dtype is None:
        return _make(np.asarray(data))
    return N.tensor(
        data,
        dtype=dtype or (self.dtype if not isinstance(data, np.ndarray) else None),
        requires_grad=requires_grad,
    )


Tensor.new_tensor = new_tensor
Tensor.new = lambda self, *args: (
    N.empty(*args, dtype=self.dtype)
    if args and all(isinstance(a, int) for a in args)
    else N.tensor(args[0] if args else [], dtype=self.dtype)
)
Tensor._cat_with = lambda self, other, dim: S.cat([self, other], dim)
Tensor._stack_with = lambda self, tensors, dim: S.stack(tensors, dim)
Tensor._pad_constant = S.pad_constant
Tensor._index_insert = lambda self, key, values: I.index_insert(self, key, values)
Tensor._index_fill = lambda self, key, value: I.index_put(
    self, key, _make(np.asarray(value, dtype=self._data.dtype))
)


def _diagonal_insert(self, values, offset, dim1, dim2):
    """``self`` with ``values`` written where ``self.diagonal(offset, dim1, dim2)`` reads."""
    # With dim1 and dim2 moved last, the two index arrays are adjacent and trailing, so the
    # indexed region has exactly ``values``' layout (batch dims, then the diagonal).
    order = [d for d in range(self._data.ndim) if d not in (dim1, dim2)] + [dim1, dim2]
    i = np.arange(values.shape[-1])
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    key = (slice(None),) * (len(order) - 2) + (rows, cols)
    out = I.index_put(self.permute(order), key, values)
    return out.permute(tuple(np.argsort(order).tolist()))


Tensor._diagonal_insert = _diagonal_insert


def sum_to_size(self, *size):
    """This tensor summed down to ``size``, which must expand to this tensor's shape."""
    shape = shape_arg(size)
    if not L._expands_to(shape, self._data.shape):
        raise RuntimeError(
            f"size {{{list(shape)}}} is not expandable to size {{{list(self._data.shape)}}}."
        )
    return unbroadcast(self, shape)


Tensor.sum_to_size = sum_to_size
Tensor.apply_ = lambda self, fn: IP.write_inplace(self, np.vectorize(fn)(self._data))
Tensor.map_ = lambda self, other, fn: IP.write_inplace(
    self, np.vectorize(fn)(self._data, other._data)
)


# views of the tensor's memory with explicit strides (ember/functions/strided.py)
from .functions.strided import as_strided as _as_strided  # noqa: E402
from .functions.strided import as_strided_ as _as_strided_  # noqa: E402
from .functions.strided import as_strided_scatter as _as_strided_scatter  # noqa: E402

Tensor.as_strided = _as_strided
Tensor.as_strided_ = _as_strided_
Tensor.as_strided_scatter = _as_strided_scatter

# torch's type error for a non-Tensor index counts it as argument 2 of the method
from .functions.gather import index_select_method as _index_select_method  # noqa: E402

Tensor.index_select = _index_select_method
