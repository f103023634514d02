"""The ``ember.*`` spellings of in-place Tensor methods (``ember.relu_(x)`` is ``x.relu_()``) that
torch also has as functions, and ``ember.fill``."""

from __future__ import annotations

from ._tensor import Tensor, apply
from .autograd.primitives import math as PM

_NAMES = (
    "abs_",
    "acos_",
    "acosh_",
    "addmv_",
    "arccos_",
    "arccosh_",
    "arcsin_",
    "arcsinh_",
    "arctan_",
    "arctanh_",
    "asin_",
    "asinh_",
    "atan_",
    "atanh_",
    "ceil_",
    "clamp_",
    "clamp_max_",
    "clamp_min_",
    "clip_",
    "cos_",
    "cosh_",
    "deg2rad_",
    "erf_",
    "erfc_",
    "exp2_",
    "exp_",
    "expm1_",
    "fill_",
    "fix_",
    "floor_",
    "frac_",
    "gcd_",
    "i0_",
    "index_put_",
    "lcm_",
    "ldexp_",
    "log10_",
    "log1p_",
    "log2_",
    "log_",
    "logit_",
    "nan_to_num_",
    "neg_",
    "negative_",
    "rad2deg_",
    "reciprocal_",
    "relu_",
    "resize_as_",
    "round_",
    "rsqrt_",
    "sigmoid_",
    "sin_",
    "sinc_",
    "sinh_",
    "sqrt_",
    "square_",
    "tan_",
    "tanh_",
    "trunc_",
    "xlogy_",
    "zero_",
)

__all__ = ["fill", *_NAMES]


def _input(name: str, args: tuple, kwargs: dict) -> tuple[Tensor, tuple]:
    """The tensor argument (first positional, or ``input=``), checked as torch checks it."""
    if args:
        input, args = args[0], args[1:]  # noqa: A001
    elif "input" in kwargs:
        input = kwargs.pop("input")  # noqa: A001
    else:
        raise TypeError(f'{name}() missing 1 required positional arguments: "input"')
    if not isinstance(input, Tensor):
        raise TypeError(
            f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    return input, args


def _method_as_function(name: str):
    def function(*args, **kwargs) -> Tensor:
        input, args = _input(name, args, kwargs)  # noqa: A001
        return getattr(input, name)(*args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"``input.{name}(...)``: the in-place Tensor method as a function."
    return function


globals().update({name: _method_as_function(name) for name in _NAMES})


def fill(*args, **kwargs) -> Tensor:
    """A new tensor shaped and typed like ``input``, every element ``value`` (a number or a 0-dim
    tensor); ``input`` gets a zero gradient, a tensor ``value`` the sum of the output's."""
    input, args = _input("fill", args, kwargs)  # noqa: A001
    if len(args) + len(kwargs) != 1 or (kwargs and "value" not in kwargs):
        raise TypeError("fill() expects the arguments (Tensor input, Tensor or Number value)")
    value = args[0] if args else kwargs["value"]
    if isinstance(value, Tensor):
        return input.clone().fill_(value)
    if not isinstance(value, (int, float, complex)):  # bool is an int
        raise TypeError(
            f"fill(): argument 'value' (position 2) must be Number, not {type(value).__name__}"
        )
    return apply(PM.fill, (input,), None, value=value)
