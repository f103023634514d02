"""Elementwise ``ember.*`` functions: type promotion and argument checks around the primitives."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import UNARY, Tensor, _make, apply, new_node, recorded
from ..autograd.grad_mode import _state
from ..autograd.primitives import math as P
from ._util import as_tensor_arg, broadcast_shapes, is_scalar, return_type, shape_error
from .clamp import _INT64, _UINT64
from .clamp import clamp as clamp  # re-exported: ember.functions.math keeps the whole family
from .clamp import clamp_max as clamp_max
from .clamp import clamp_min as clamp_min
from .clamp import clip as clip
from .clamp import lerp as lerp
from .inplace import _C_TYPE_NAMES, copy_into_out, copy_into_outs, takes_out

_frexp_t = return_type("frexp", ["mantissa", "exponent"])


def _float_input(x: Tensor):
    """Arrays of integer tensors become the default float dtype for float-valued functions."""
    d = x._data
    if d.dtype.kind in "fc":
        return None
    return [d.astype(D.get_default_dtype().np)]


def _apply1(prim, input: Tensor) -> Tensor:
    """``apply(prim, (input,))``; recorded without apply's generic loops where it can be (a
    primitive of one output and no ``ctx``, on a tensor requiring grad)."""
    try:
        rg = input._rg
    except AttributeError:
        raise _not_a_tensor(prim, input) from None
    if rg and _state.enabled and prim.plain and not prim.needs_ctx:
        return recorded(prim, input, UNARY, prim.forward(input._data))
    return apply(prim, (input,))


def _not_a_tensor(prim, input) -> TypeError:
    """torch's refusal of a non-tensor input, named after the op (``TanhBackward0``: tanh)."""
    name = prim.name.rsplit("Backward", 1)[0].lower()
    return TypeError(
        f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
    )


def _unary_float(prim):
    def fn(input: Tensor, *, out=None) -> Tensor:  # noqa: A002 - torch's argument name
        if not isinstance(input, Tensor):
            raise _not_a_tensor(prim, input)
        if input._data.dtype.kind in "fc":  # _float_input's common case, without its call
            result = _apply1(prim, input)
        else:
            result = apply(prim, (input,), _float_input(input))
        return result if out is None else _maybe_out(result, out)

    fn.__name__ = prim.name
    return fn


def _unary_keep(prim):
    def fn(input: Tensor, *, out=None) -> Tensor:  # noqa: A002
        result = _apply1(prim, input)
        return result if out is None else _maybe_out(result, out)

    return fn


def _maybe_out(result: Tensor, out):
    if out is None:
        return result
    return copy_into_out(out, result)


exp = _unary_float(P.exp)
exp2 = _unary_float(P.exp2)
expm1 = _unary_float(P.expm1)
log = _unary_float(P.log)
log2 = _unary_float(P.log2)
log10 = _unary_float(P.log10)
log1p = _unary_float(P.log1p)
sqrt = _unary_float(P.sqrt)
rsqrt = _unary_float(P.rsqrt)
sin = _unary_float(P.sin)
cos = _unary_float(P.cos)
tan = _unary_float(P.tan)
asin = arcsin = _unary_float(P.asin)
acos = arccos = _unary_float(P.acos)
atan = arctan = _unary_float(P.atan)
sinh = _unary_float(P.sinh)
cosh = _unary_float(P.cosh)
tanh = _unary_float(P.tanh)
asinh = arcsinh = _unary_float(P.asinh)
acosh = arccosh = _unary_float(P.acosh)
atanh = arctanh = _unary_float(P.atanh)
sigmoid = _unary_float(P.sigmoid)
erf = _unary_float(P.erf)
erfinv = _unary_float(P.erfinv)
reciprocal = _unary_float(P.reciprocal)
neg = negative = _unary_keep(P.neg)
abs = absolute = _unary_keep(P.abs)  # noqa: A001
_sign = _unary_keep(P.sign)


def sign(input: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """-1, 0 or 1 by the sign of each element (0 for nan); complex input is ``sgn``'s."""
    if input._data.dtype.kind == "c":
        raise NotImplementedError(
            "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
            "torch.sgn instead."
        )
    return _sign(input, out=out)


sgn = _unary_keep(P.sgn)
floor = _unary_keep(P.floor)
ceil = _unary_keep(P.ceil)
trunc = fix = _unary_keep(P.trunc)
frac = _unary_keep(P.frac)


def relu(input: Tensor) -> Tensor:  # noqa: A002
    """``max(input, 0)``; no ``out=``, as torch's."""
    return _apply1(P.relu, input)


def round(input: Tensor, *, decimals: int = 0, out=None) -> Tensor:  # noqa: A001
    """Round half to even, as torch does; ``decimals`` rounds to that many places."""
    if decimals:
        return _maybe_out(apply(P.round_decimals, (input,), None, decimals=decimals), out)
    return _maybe_out(apply(P.round, (input,)), out)


def square(input: Tensor, *, out=None) -> Tensor:  # noqa: A002
    if input._data.dtype == np.bool_:
        input = input.to(D.int64)
    return _maybe_out(pow(input, 2), out)


def neg_check(input: Tensor) -> Tensor:
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
            "invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return _apply1(P.neg, input)  # neg(input), one call fewer for the ``-`` operator


# --- binary ---------------------------------------------------------------------------------------
def _operands(a, b, floating: bool = False):
    """Promote two operands (tensors or Python scalars) to torch's result dtype.

    Returns the arrays (or scalars) to hand to the forward. A Python scalar stays a scalar where
    NumPy's weak scalars already give torch's dtype.
    """
    # Hot path: a floating tensor and a Python number compute in the tensor's dtype, which is
    # exactly NumPy's weak-scalar rule, so nothing needs converting.
    tb = type(b)
    if (tb is float or tb is int) and type(a) is Tensor and a._data.dtype.kind == "f":
        if tb is int and not -_INT64 <= b < _UINT64:
            raise OverflowError("int too big to convert")  # torch's scalars are at most 64-bit
        return [a._data, b]
    if isinstance(a, Tensor) and isinstance(b, Tensor):
        ad, bd = a._data, b._data
        if ad.dtype == bd.dtype and (not floating or ad.dtype.kind in "fc"):
            return [ad, bd]
        dt = D.result_type((a, b))
        if floating and not dt.is_floating_point and not dt.is_complex:
            dt = D.get_default_dtype()
        return [ad.astype(dt.np, copy=False), bd.astype(dt.np, copy=False)]
    if isinstance(a, Tensor):
        t, s, first = a, b, True
    elif isinstance(b, Tensor):
        t, s, first = b, a, False
    else:  # two Python scalars (``where(cond, 1.0, 0)``): the scalars' own promotion
        dt = D.result_type((), (a, b))
        return [np.asarray(a, dt.np), np.asarray(b, dt.np)]
    if not is_scalar(s):
        s = as_tensor_arg(s)
        return _operands(a if first else s, s if first else b, floating)
    if type(s) is int and not -_INT64 <= s < _UINT64:
        raise OverflowError("int too big to convert")
    dt = D.result_type((t,), (s,))
    if floating and not dt.is_floating_point and not dt.is_complex:
        dt = D.get_default_dtype()
    td = t._data if t._data.dtype == dt.np else t._data.astype(dt.np)
    if dt is not D.bool:
        try:
            s = dt.np.type(s)
        except OverflowError:  # torch wraps an out-of-range integer scalar into the dtype
            s = np.asarray(s).astype(dt.np)[()]
    return [td, s] if first else [s, td]


def _binary(prim, a, b, floating=False):
    arrays = _operands(a, b, floating)
    try:
        return apply(prim, (a, b), arrays)
    except ValueError:
        raise shape_error(np.shape(arrays[0]), np.shape(arrays[1])) from None


# What an operator takes besides a tensor (torch's operators answer NotImplemented otherwise:
# a Fraction or a Decimal is a number to Python, not to torch).
OPERANDS = (Tensor, bool, int, float, complex, np.number, np.bool_, np.ndarray)


def _operator(ufunc, slow, prim, reflected: bool = False):
    """The Python operator for ``slow`` (``add``, ``mul``...), with a shortcut for its commonest
    use: a float tensor with a tensor of the same dtype, or with a Python number. No promotion is
    needed then: unrecorded (every derivative rule's arithmetic), the result is NumPy's; recorded,
    ``prim`` is applied directly. Anything else, shapes that do not broadcast (for torch's
    message) and reflected recorded operations (torch records those differently) take ``slow``.
    """

    def op(self, other):
        a = self._data
        to = type(other)
        if a.dtype.kind != "f":
            if to is not Tensor and not isinstance(other, OPERANDS):
                return NotImplemented
            return slow(other, self) if reflected else slow(self, other)
        if to is Tensor:
            b = other._data
            if b.dtype is not a.dtype:
                return slow(other, self) if reflected else slow(self, other)
        elif to is float or (to is int and -_INT64 <= other < _UINT64):
            b = other
        elif isinstance(other, OPERANDS):
            return slow(other, self) if reflected else slow(self, other)
        else:  # a list, None, a string...: Python's TypeError, as torch's operators leave it
            return NotImplemented
        if _state.enabled and (self._rg or (to is Tensor and other._rg)):
            if reflected:
                return slow(other, self)
            try:
                out = prim.forward(a, b)
            except ValueError:  # shapes that do not broadcast: torch's message
                return slow(self, other)
            return recorded(prim, self, other, out)
        try:
            out = ufunc(b, a) if reflected else ufunc(a, b)
        except ValueError:
            return slow(other, self) if reflected else slow(self, other)
        return _make(out if type(out) is np.ndarray else np.asarray(out))

    return op


def _check_alpha(input, other, alpha, name: str) -> None:
    """torch refuses a float ``alpha`` for an integral result and a bool one for a non-bool."""
    if alpha == 1 and type(alpha) is int:
        return
    if not isinstance(alpha, (int, float, complex, np.number)):
        raise TypeError(f"{name}(): argument 'alpha' must be Number, not {type(alpha).__name__}")
    kinds = {
        x._data.dtype.kind if isinstance(x, Tensor) else type(x).__name__ for x in (input, other)
    }
    if isinstance(alpha, float) and not kinds & {"f", "c", "float", "complex"}:
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )
    if isinstance(alpha, bool) and kinds - {"b", "bool"}:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")


def add(input, other, *, alpha=1, out=None) -> Tensor:  # noqa: A002
    """``input + alpha * other``."""
    _check_alpha(input, other, alpha, "add")
    if alpha != 1 and isinstance(input, Tensor) and isinstance(other, Tensor):
        return _maybe_out(_alpha_op(P.add_alpha, input, other, alpha), out)
    if alpha != 1:
        other = other * alpha
    return _maybe_out(_binary(P.add, input, other), out)


def _alpha_op(prim, input: Tensor, other: Tensor, alpha) -> Tensor:  # noqa: A002
    """``input (+|-) alpha * other`` as one node, in the dtype the two tensors promote to."""
    a, b = _operands(input, other)
    try:
        return apply(prim, (input, other), [a, b], alpha=np.asarray(alpha, a.dtype)[()])
    except ValueError:
        raise shape_error(np.shape(a), np.shape(b)) from None


def sub(input, other, *, alpha=1, out=None) -> Tensor:  # noqa: A002
    """``input - alpha * other``."""
    if (
        isinstance(input, Tensor)
        and input._data.dtype == np.bool_
        and (not isinstance(other, Tensor) or other._data.dtype == np.bool_)
    ):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` "
            "or `logical_xor()` operator instead."
        )
    if any(
        isinstance(x, bool) or (isinstance(x, Tensor) and x._data.dtype == np.bool_)
        for x in (input, other)
    ):
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    _check_alpha(input, other, alpha, "sub")
    if alpha != 1 and isinstance(input, Tensor) and isinstance(other, Tensor):
        return _maybe_out(_alpha_op(P.sub_alpha, input, other, alpha), out)
    if alpha != 1:
        other = other * alpha
    if not isinstance(input, Tensor):
        return _maybe_out(rsub(other, input), out)
    return _maybe_out(_binary(P.sub, input, other), out)


subtract = sub


def rsub(input: Tensor, other, *, alpha=1) -> Tensor:  # noqa: A002
    """``other - alpha * input``."""
    if alpha != 1:
        input = mul(input, alpha)
    if isinstance(other, Tensor):
        return sub(other, input)
    x, s = _operands(input, other)
    return apply(P.rsub, (input,), [x], other=s)


def mul(input, other, *, out=None) -> Tensor:  # noqa: A002
    result = _binary(P.mul, input, other)
    return result if out is None else _maybe_out(result, out)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None) -> Tensor:  # noqa: A002
    """True division; ``rounding_mode='trunc'`` or ``'floor'`` rounds the quotient."""
    if rounding_mode is None:
        if not isinstance(input, Tensor):  # scalar / tensor, as torch: scalar * reciprocal
            return _maybe_out(mul(reciprocal(other), input), out)
        return _maybe_out(_binary(P.div, input, other, floating=True), out)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    return _maybe_out(_integer_safe(P.div_rounded, input, other, mode=rounding_mode), out)


divide = true_divide = div


def floor_divide(input, other, *, out=None) -> Tensor:  # noqa: A002
    return _maybe_out(_integer_safe(P.floor_divide, input, other, mode="floor"), out)


# torch's CPU kernel names, in its refusal of a bool result (``bool // bool``)
_KERNELS = {
    P.floor_divide: "div_floor_cpu",
    P.remainder: "remainder_cpu",
    P.rremainder: "remainder_cpu",
    P.fmod: "fmod_cpu",
}


def _integral_checks(prim, arrays, kind: str, mode=None) -> None:
    """For an integral or bool result (``kind``): torch has no bool kernel for the dividing ops,
    and refuses integer division by zero."""
    if kind == "b":
        name = "div_" + mode + "_cpu" if prim is P.div_rounded else _KERNELS[prim]
        raise NotImplementedError(f"\"{name}\" not implemented for 'Bool'")
    if np.any(np.asarray(arrays[1]) == 0):
        raise RuntimeError("ZeroDivisionError")


def _integer_safe(prim, a, b, **params):
    """A binary op that, as torch, refuses integer division by zero."""
    if not isinstance(a, Tensor):
        a = as_tensor_arg(a)
    arrays = _operands(a, b)
    kind = np.result_type(*arrays).kind
    if kind in "iub":
        _integral_checks(prim, arrays, kind, params.get("mode"))
    try:
        return apply(prim, (a, b), arrays, **params)
    except ValueError:
        raise shape_error(np.shape(arrays[0]), np.shape(arrays[1])) from None


def remainder(input, other, *, out=None) -> Tensor:  # noqa: A002
    if not isinstance(input, Tensor):
        arrays = _operands(input, other)
        kind = np.result_type(*arrays).kind
        if kind in "iub":  # ``2 % bool_tensor`` (int64) divides by zero
            _integral_checks(P.rremainder, arrays, kind)
        return _maybe_out(apply(P.rremainder, (input, other), arrays), out)
    return _maybe_out(_integer_safe(P.remainder, input, other), out)


def fmod(input, other, *, out=None) -> Tensor:  # noqa: A002
    return _maybe_out(_integer_safe(P.fmod, input, other), out)


def pow(input, exponent, *, out=None) -> Tensor:  # noqa: A001, A002
    """``input ** exponent``; either may be a Python number."""
    if not isinstance(input, Tensor):  # scalar base
        exponent = as_tensor_arg(exponent)
        arrays = _operands(exponent, input)
        kind = arrays[0].dtype.kind
        if kind not in "fc":
            if isinstance(input, float):
                arrays[0] = arrays[0].astype(D.get_default_dtype().np)
            elif kind == "b":
                raise NotImplementedError(_NO_BOOL_POW)
            elif isinstance(input, int):
                input = int(arrays[1])  # wrapped into the dtype: (-3) ** uint8 is 253 ** x
        return _maybe_out(apply(P.rpow, (exponent,), arrays[:1], base=input), out)
    if type(exponent) is int or type(exponent) is float or is_scalar(exponent):
        d = input._data
        if d.dtype.kind in "iub":
            if isinstance(exponent, int) and exponent < 0:
                raise RuntimeError("Integers to negative integer powers are not allowed.")
            if d.dtype == np.bool_ and type(exponent) is bool:
                return _maybe_out(_make(d | (not exponent)), out)  # torch keeps bool: x ** True
        x, e = _operands(input, exponent)
        if input._rg and _state.enabled:  # recorded without apply's generic loops
            node = new_node(P.pow_scalar)
            y = recorded(P.pow_scalar, input, UNARY, P.pow_scalar.forward(node, x, e), node)
            return _maybe_out(y, out)
        return _maybe_out(apply(P.pow_scalar, (input,), [x], exponent=e), out)
    if input._data.dtype == np.bool_ and isinstance(exponent, Tensor):
        if exponent._data.dtype == np.bool_:
            raise NotImplementedError(_NO_BOOL_POW)
    return _maybe_out(_binary(P.pow_tensor, input, exponent), out)


_NO_BOOL_POW = "\"pow\" not implemented for 'Bool'"


@takes_out(
    "pow",  # the name torch's out= refusal under autograd gives
    mismatch="the output given to float_power has dtype {dst} but the operation's result "
    "requires dtype {src}",
)
def float_power(input, exponent) -> Tensor:  # noqa: A002
    """``input ** exponent`` in double precision (complex double if either is complex)."""
    cplx = any(
        isinstance(v, complex) or (isinstance(v, Tensor) and v._data.dtype.kind == "c")
        for v in (input, exponent)
    )
    dt = D.complex128 if cplx else D.float64
    return pow(*(v.to(dt) if isinstance(v, Tensor) else v for v in (input, exponent)))


def maximum(input: Tensor, other: Tensor, *, out=None) -> Tensor:  # noqa: A002
    return _maybe_out(_binary(P.maximum, input, _tensor_only(other, "maximum")), out)


def minimum(input: Tensor, other: Tensor, *, out=None) -> Tensor:  # noqa: A002
    return _maybe_out(_binary(P.minimum, input, _tensor_only(other, "minimum")), out)


def fmax(input: Tensor, other: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """The larger of each pair, ignoring a NaN unless both are (``maximum`` propagates it)."""
    return _maybe_out(_binary(P.fmax, input, _tensor_only(other, "fmax")), out)


def fmin(input: Tensor, other: Tensor, *, out=None) -> Tensor:  # noqa: A002
    """The smaller of each pair, ignoring a NaN unless both are (``minimum`` propagates it)."""
    return _maybe_out(_binary(P.fmin, input, _tensor_only(other, "fmin")), out)


def _tensor_only(x, name):
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{name}(): argument 'other' (position 2) must be Tensor, not {type(x).__name__}"
        )
    return x


def atan2(input: Tensor, other: Tensor, *, out=None) -> Tensor:  # noqa: A002
    return _atan2("atan2", input, other, out)


def arctan2(input: Tensor, other: Tensor, *, out=None) -> Tensor:  # noqa: A002
    return _atan2("arctan2", input, other, out)


def _atan2(name: str, input, other, out) -> Tensor:  # noqa: A002
    if type(other) is not Tensor or type(input) is not Tensor:
        _tensors_only(name, input, other)  # torch's atan2 takes no Python numbers
    return _maybe_out(_binary(P.atan2, input, other, floating=True), out)


def _atan2_method(self: Tensor, other: Tensor) -> Tensor:
    """``x.atan2(other)``: torch's method counts ``other`` as argument 1."""
    if not isinstance(other, Tensor):
        raise TypeError(
            f"atan2(): argument 'other' (position 1) must be Tensor, not {type(other).__name__}"
        )
    return _binary(P.atan2, self, other, floating=True)


atan2.without_out = _atan2_method  # the Tensor method binds this (ember/_tensor_methods.py)


def copysign(input, other, *, out=None) -> Tensor:  # noqa: A002
    return _maybe_out(_binary(P.copysign, input, other, floating=True), out)


@takes_out("where", mismatch="Expected out type to be {src} but got {dst}")
def where(condition: Tensor, input=None, other=None) -> Tensor:  # noqa: A002
    """Pick ``input`` where ``condition`` holds, else ``other``; one argument gives ``nonzero``."""
    if input is None and other is None:
        return tuple(_make(i) for i in np.nonzero(condition._data))
    cond = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor "
            f"with dtype {D._BY_NP[cond.dtype].name.capitalize()}"
        )
    x, y = _operands(input, other)
    shape = broadcast_shapes(cond.shape, np.shape(x), np.shape(y))
    return apply(P.where, (input, other), [x, y], cond=np.broadcast_to(cond, shape))


@takes_out("addcmul")
def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:  # noqa: A002
    """``input + value * tensor1 * tensor2``."""
    return add(input, mul(tensor1, tensor2), alpha=value)


@takes_out("addcdiv")
def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value=1) -> Tensor:  # noqa: A002
    """``input + value * tensor1 / tensor2``."""
    return add(input, div(tensor1, tensor2), alpha=value)


@takes_out("xlogy")
def xlogy(input, other) -> Tensor:  # noqa: A002
    """``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is nan)."""
    if not isinstance(input, Tensor) and not isinstance(other, Tensor):
        raise TypeError("xlogy(): expected at least one Tensor argument")
    input, other = as_tensor_arg(input), as_tensor_arg(other)
    return _binary(P.xlogy, input, other, floating=True)


def _tensors_only(name: str, input, other, other_name: str = "other") -> None:  # noqa: A002
    """torch's argument-parser error for the binary ops that take no Python numbers."""
    for pos, (arg, value) in enumerate((("input", input), (other_name, other)), 1):
        if not isinstance(value, Tensor):
            raise TypeError(
                f"{name}(): argument '{arg}' (position {pos}) must be Tensor, not "
                f"{type(value).__name__}"
            )


@takes_out("hypot")
def hypot(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    _tensors_only("hypot", input, other)
    return sqrt(add(mul(input, input), mul(other, other)))


@takes_out("logaddexp")
def logaddexp(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    _tensors_only("logaddexp", input, other)
    m = maximum(input, other).detach()
    return add(m, log(add(exp(sub(input, m)), exp(sub(other, m)))))


@takes_out("logaddexp2")
def logaddexp2(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """``log2(2**input + 2**other)``, computed without overflow."""
    _tensors_only("logaddexp2", input, other)
    m = maximum(input, other).detach()
    return add(m, log2(add(exp2(sub(input, m)), exp2(sub(other, m)))))


def _ldexp_out_dtype(out: Tensor, result: Tensor) -> None:
    src, dst = result._data.dtype, out._data.dtype
    if src == dst:
        return
    name = _scalar_name(out.dtype)
    if not np.can_cast(src, dst, casting="same_kind"):
        raise RuntimeError(f"ldexp can't be cast to the desired output type {name}")
    # torch fails an internal assert here: no out of another dtype, even a wider one
    raise RuntimeError(
        f"ldexp: out has dtype {name} but the result has {_scalar_name(result.dtype)}"
    )


@takes_out("ldexp", _ldexp_out_dtype)
def ldexp(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
    """``input * 2**other``; the result is floating point."""
    _tensors_only("ldexp", input, other)
    return mul(input, exp2(other))


def _elementwise_no_grad(name: str, fn, integral: bool = False, other_name: str = "other"):
    """A NumPy ufunc over two broadcast tensors, without a gradient (as torch's ``name``)."""

    def op(input: Tensor, other: Tensor) -> Tensor:  # noqa: A002
        _tensors_only(name, input, other, other_name)
        a, b = _operands(input, other)
        if integral and np.result_type(a, b).kind not in "iub":
            dt = D._BY_NP[np.result_type(a, b)]
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for '{_scalar_name(dt)}'")
        try:
            out = np.asarray(fn(a, b))
        except ValueError:
            raise shape_error(np.shape(a), np.shape(b)) from None
        # NumPy computes some (heaviside) in floating point: the result has the inputs' dtype
        return _make(out.astype(np.result_type(a, b), copy=False))

    op.__name__ = name
    op.__doc__ = f"torch's ``{name}``, elementwise over broadcast inputs; not differentiable."
    return op


def _scalar_name(dt) -> str:
    from .reduce import _scalar_type_name

    return _scalar_type_name(dt)


gcd = takes_out("gcd")(_elementwise_no_grad("gcd", np.gcd, integral=True))
lcm = takes_out("lcm")(_elementwise_no_grad("lcm", np.lcm, integral=True))
nextafter = takes_out("nextafter")(_elementwise_no_grad("nextafter", np.nextafter))
_heaviside = _elementwise_no_grad("heaviside", np.heaviside, other_name="values")


def _heaviside_out_dtype(out: Tensor, result: Tensor) -> None:
    if out._data.dtype.kind == "c":
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    if out._data.dtype != result._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")


@takes_out("aten::heaviside", _heaviside_out_dtype)
def heaviside(input: Tensor, values: Tensor) -> Tensor:  # noqa: A002
    """0 where ``input`` < 0, 1 where > 0, ``values`` where it is 0; not differentiable."""
    both = isinstance(input, Tensor) and isinstance(values, Tensor)  # else _heaviside refuses
    if both and input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    return _heaviside(input, values)


def frexp(input: Tensor, *, out=None):  # noqa: A002
    """``input`` as ``mantissa * 2**exponent`` with the mantissa in [0.5, 1)."""
    if input._data.dtype.kind != "f":
        raise RuntimeError(
            f"torch.frexp() only supports floating-point dtypes but got {_scalar_name(input.dtype)}"
        )
    mantissa, exponent = np.frexp(input._data)
    result = _frexp_t(_make(np.asarray(mantissa)), _make(np.asarray(exponent, np.int32)))
    if out is None:
        return result
    if isinstance(out, (tuple, list)) and len(out) == 2:
        for t, want, what in ((out[0], input.dtype, "dtype"), (out[1], D.int32, "int dtype")):
            if isinstance(t, Tensor) and t.dtype != want:
                want_c, got = (_C_TYPE_NAMES.get(d.name, d.name) for d in (want, t.dtype))
                which = "mantissa" if t is out[0] else "exponent"
                shown = f"dtype {want_c}" if what == "dtype" else what
                raise RuntimeError(f"torch.frexp() expects {which} to have {shown} but got {got}")
    return copy_into_outs(out, result, name="frexp")


def positive(input: Tensor) -> Tensor:  # noqa: A002
    """``input`` itself (``+input``); refused for bool tensors, as torch."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


@takes_out("deg2rad")
def deg2rad(input: Tensor) -> Tensor:  # noqa: A002
    """Degrees to radians."""
    return mul(input, np.pi / 180)


@takes_out("rad2deg")
def rad2deg(input: Tensor) -> Tensor:  # noqa: A002
    """Radians to degrees."""
    return mul(input, 180 / np.pi)


@takes_out("nan_to_num", mismatch="nan_to_num: dtype of out: {dst} should be same as input: {src}")
def nan_to_num(input: Tensor, nan=0.0, posinf=None, neginf=None) -> Tensor:  # noqa: A002
    d = input._data
    mask = ~np.isfinite(d)
    if not mask.any():
        return input.clone()
    fill = np.nan_to_num(d, nan=nan, posinf=posinf, neginf=neginf)
    return where(_make(mask), _make(fill), input)


def grad_enabled() -> bool:
    return _state.enabled
