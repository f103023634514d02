"""Activation functions of ``nn.functional``; ``inplace=True`` writes the result into the input."""

from __future__ import annotations

import re
import warnings

import numpy as np

from ..._tensor import Tensor, apply
from ...autograd.primitives import math as PM
from ...autograd.primitives import nn as P
from ...autograd.primitives import nn_named as PN
from ...functions import creation as N
from ...functions import random as _random
from ...functions import reduce as RD
from ...functions.inplace import inplace as _inplace_write
from ...functions.reduce import _scalar_type_name

__all__ = [
    "relu",
    "relu_",
    "relu6",
    "leaky_relu",
    "leaky_relu_",
    "prelu",
    "rrelu",
    "rrelu_",
    "elu",
    "elu_",
    "selu",
    "selu_",
    "celu",
    "celu_",
    "gelu",
    "silu",
    "mish",
    "sigmoid",
    "tanh",
    "hardtanh",
    "hardtanh_",
    "hardsigmoid",
    "hardswish",
    "softplus",
    "softsign",
    "tanhshrink",
    "threshold",
    "threshold_",
    "softmax",
    "log_softmax",
    "softmin",
    "gumbel_softmax",
    "glu",
    "logsigmoid",
    "hardshrink",
    "softshrink",
]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


# torch's CPU kernel names, which its error for an integer or bool input quotes
_FLOAT_KERNELS = {
    P.leaky_relu: "leaky_relu_cpu", P.elu: "elu_cpu", P.celu: "elu_cpu", P.gelu: "GeluKernelImpl",
    P.silu: "silu_cpu", P.mish: "mish_cpu", P.hardsigmoid: "hardsigmoid_cpu",
    P.hardswish: "hardswish_cpu", P.softplus: "softplus_cpu", P.log_sigmoid: "log_sigmoid_cpu",
    P.hardshrink: "hardshrink_cpu", P.softshrink: "softshrink_check",
}  # fmt: skip


def _float(x: Tensor, prim=None):
    """Activations of integer tensors fail as torch's do (they have no float kernel)."""
    if not isinstance(x, Tensor):
        if prim is None:
            raise TypeError(
                f"expected Tensor as element 0 in argument 0, but got {type(x).__name__}"
            )
        # the function's name from its node's: LeakyReluBackward0 -> leaky_relu
        name = re.sub(r"(?<!^)(?=[A-Z])", "_", prim.name.split("Backward")[0]).lower()
        raise TypeError(
            f"{name}(): argument 'input' (position 1) must be Tensor, not {type(x).__name__}"
        )
    if prim in _FLOAT_KERNELS and x._data.dtype.kind not in "fc":
        raise NotImplementedError(
            f"\"{_FLOAT_KERNELS[prim]}\" not implemented for '{_scalar_type_name(x.dtype)}'"
        )
    return x


def _act(prim, x, inplace=False, **params):
    _float(x, prim)
    if inplace:
        return _inplace_write(x, lambda t: apply(PN.INPLACE.get(prim, prim), (t,), **params))
    return apply(prim, (x,), **params)


def relu(input, inplace: bool = False):  # noqa: A002
    """max(x, 0)."""
    if isinstance(input, Tensor) and input._data.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return _act(PM.relu, input, inplace)


def relu_(input):  # noqa: A002
    """In-place ``relu``: write max(x, 0) into ``input`` and return it."""
    return relu(input, True)


def relu6(input, inplace: bool = False):  # noqa: A002
    """min(max(x, 0), 6), elementwise."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):  # noqa: A002
    """Clamp to [min_val, max_val]."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if isinstance(input, Tensor) and input._data.dtype == np.bool_:
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return _act(P.hardtanh, input, inplace, min_val=min_val, max_val=max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):  # noqa: A002
    """In-place ``hardtanh``: clamp ``input`` to [min_val, max_val] and return it."""
    return hardtanh(input, min_val, max_val, True)


def threshold(input, threshold: float, value: float, inplace: bool = False):  # noqa: A002
    """x where x > threshold, else value."""
    if isinstance(input, Tensor) and input._data.dtype == np.bool_:
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    return _act(P.threshold, input, inplace, threshold=threshold, value=value)


def threshold_(input, threshold, value):  # noqa: A002
    """In-place ``threshold``: keep x where x > threshold, else write ``value``."""
    return _act(P.threshold, input, True, threshold=threshold, value=value)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):  # noqa: A002
    """x where x >= 0, else negative_slope * x, elementwise."""
    return _act(P.leaky_relu, input, inplace, negative_slope=negative_slope)


def leaky_relu_(input, negative_slope=0.01):  # noqa: A002
    """In-place ``leaky_relu``: write the result into ``input`` and return it."""
    return leaky_relu(input, negative_slope, True)


def prelu(input, weight):  # noqa: A002
    """max(0, x) + weight * min(0, x), one weight per channel (dim 1) or one for all."""
    if weight.numel() != 1:
        ch = input.shape[1] if input.ndim >= 2 else 1
        if input.ndim == 0 or weight.numel() != ch:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                f"{weight.numel()} and channel size = {ch}."
            )
    nd, n = input.ndim, weight.numel()
    rank = (1, n) + (1,) * (nd - 2) if nd >= 2 else (n,) * nd
    if tuple(weight.shape) != rank:  # torch views the weight to the input's rank first
        weight = weight.reshape(rank)
    return apply(P.prelu, (input, weight))


def rrelu(
    input,  # noqa: A002
    lower: float = 1.0 / 8,
    upper: float = 1.0 / 3,
    training: bool = False,
    inplace: bool = False,
):
    """Randomized leaky ReLU: x where x > 0, else a * x.

    Args:
        lower, upper: in training, each non-positive element draws its own slope a ~ U(lower,
            upper); outside training a = (lower + upper) / 2.
        training: draw the slopes (from the global generator, as torch's stream).
        inplace: write the result into ``input``.
    """
    if not isinstance(input, Tensor):
        raise TypeError(
            f"rrelu(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if not training:
        _float(input, P.leaky_relu)
        d = input._data
        noise = np.where(d > 0, d.dtype.type(1), d.dtype.type((lower + upper) / 2))
    else:
        d = input._data
        if d.dtype not in (np.float32, np.float64):
            raise NotImplementedError(
                '"rrelu_with_noise_out_cpu" not implemented for '
                f"'{_scalar_type_name(input.dtype)}'"
            )
        # torch draws one double U(lower, upper) per non-positive element in order, with the
        # bounds first rounded to the input's dtype; the slope is then rounded to that dtype.
        flat = np.ascontiguousarray(d).reshape(-1)
        neg = flat <= 0
        u = _random._gen(None)._unit(int(neg.sum()), np.float64)
        lo, hi = float(d.dtype.type(lower)), float(d.dtype.type(upper))
        noise = np.ones(flat.shape, d.dtype)
        noise[neg] = u * (hi - lo) + lo
        noise = noise.reshape(d.shape)
    if inplace:
        return _inplace_write(input, lambda t: apply(PN.rrelu_with_noise_, (t,), noise=noise))
    return apply(PN.rrelu_with_noise, (input,), noise=noise)


def rrelu_(input, lower: float = 1 / 8, upper: float = 1 / 3, training: bool = False):  # noqa: A002
    """In-place ``rrelu``: write the result into ``input`` and return it."""
    return rrelu(input, lower, upper, training, True)


def elu(input, alpha: float = 1.0, inplace: bool = False):  # noqa: A002
    """x where x > 0, else alpha * (exp(x) - 1), elementwise."""
    return _act(P.elu, input, inplace, alpha=alpha, scale=1.0, input_scale=1.0)


def elu_(input, alpha=1.0):  # noqa: A002
    """In-place ``elu``: write the result into ``input`` and return it."""
    return elu(input, alpha, True)


def selu(input, inplace: bool = False):  # noqa: A002
    """scale * elu(x, alpha) with the fixed self-normalizing alpha ~ 1.6733, scale ~ 1.0507."""
    return _act(P.elu, input, inplace, alpha=_SELU_ALPHA, scale=_SELU_SCALE, input_scale=1.0)


def selu_(input):  # noqa: A002
    """In-place ``selu``: write the result into ``input`` and return it."""
    return selu(input, True)


def celu(input, alpha: float = 1.0, inplace: bool = False):  # noqa: A002
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1)), elementwise."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _act(P.celu, input, inplace, alpha=alpha, scale=1.0, input_scale=1.0 / alpha)


def celu_(input, alpha: float = 1.0):  # noqa: A002
    """In-place ``celu``: write the result into ``input`` and return it."""
    return celu(input, alpha, True)


def gelu(input, approximate: str = "none"):  # noqa: A002
    """x * Phi(x); approximate='tanh' uses the tanh formula."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _act(P.gelu, input, False, approximate=approximate)


def silu(input, inplace: bool = False):  # noqa: A002
    """x * sigmoid(x), elementwise (also called swish)."""
    return _act(P.silu, input, inplace)


def mish(input, inplace: bool = False):  # noqa: A002
    """x * tanh(softplus(x)), elementwise."""
    return _act(P.mish, input, inplace)


def sigmoid(input):  # noqa: A002
    """1 / (1 + exp(-x)), elementwise."""
    return input.sigmoid()


def tanh(input):  # noqa: A002
    """Hyperbolic tangent, elementwise."""
    return input.tanh()


def hardsigmoid(input, inplace: bool = False):  # noqa: A002
    """Piecewise-linear sigmoid: 0 below -3, 1 above 3, x / 6 + 1/2 between."""
    return _act(P.hardsigmoid, input, inplace)


def hardswish(input, inplace: bool = False):  # noqa: A002
    """x * hardsigmoid(x): 0 below -3, x above 3, x * (x + 3) / 6 between."""
    return _act(P.hardswish, input, inplace)


def softplus(input, beta: float = 1.0, threshold: float = 20.0):  # noqa: A002
    """log(1 + exp(beta x)) / beta, linear above ``threshold``."""
    return _act(P.softplus, input, False, beta=beta, threshold=threshold)


def logsigmoid(input):  # noqa: A002
    """log(sigmoid(x)), elementwise, computed stably for large |x|."""
    return _act(P.log_sigmoid, input)


def hardshrink(input, lambd: float = 0.5):  # noqa: A002
    """x where |x| > lambd, else 0, elementwise."""
    return _act(P.hardshrink, input, False, lambd=lambd)


def softshrink(input, lambd: float = 0.5):  # noqa: A002
    """Shrink toward zero by ``lambd``: x - lambd above lambd, x + lambd below -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")
    return _act(P.softshrink, input, False, lambd=lambd)


def softsign(input):  # noqa: A002
    """x / (1 + |x|), elementwise."""
    return input / (input.abs() + 1)


def tanhshrink(input):  # noqa: A002
    """x - tanh(x), elementwise."""
    return input - input.tanh()


def glu(input, dim: int = -1):  # noqa: A002
    """First half of ``dim`` times the sigmoid of the second half."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.ndim
    if input.shape[d] % 2:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}"
        )
    return apply(P.glu, (input,), dim=d)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel: int = 3, dtype=None):  # noqa: A002
    """exp(x) / sum(exp(x)) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    return RD.softmax(input, dim, dtype=dtype)


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None):  # noqa: A002
    """softmax(-x) along ``dim``: the smallest entries get the largest weights."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    return RD.softmax(-input, dim, dtype=dtype)


def gumbel_softmax(logits, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1):
    """softmax((logits + g) / tau) along ``dim``, g ~ Gumbel(0, 1) drawn per element.

    ``hard=True`` returns the one-hot of the argmax whose gradient is the soft sample's
    (straight-through). ``eps`` is deprecated and unused, as in torch.
    """
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    # -log(Exp(1)) is a Gumbel(0, 1) draw; exponential_ follows torch's stream
    gumbels = -N.empty(*logits.shape, dtype=logits.dtype).exponential_().log()
    y_soft = ((logits + gumbels) / tau).softmax(dim)
    if not hard:
        return y_soft
    index = y_soft.max(dim, keepdim=True)[1]
    y_hard = N.zeros(*logits.shape, dtype=logits.dtype).scatter_(dim, index, 1.0)
    return y_hard - y_soft.detach() + y_soft


def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None):  # noqa: A002
    """log(softmax(x)) along ``dim``, computed stably (x - logsumexp(x))."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    return RD.log_softmax(input, dim, dtype=dtype)
