"""Activation layers: thin modules over ``nn.functional`` with torch's reprs."""

from __future__ import annotations

from ...functions.creation import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = [
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "PReLU",
    "RReLU",
    "ELU",
    "SELU",
    "CELU",
    "GELU",
    "SiLU",
    "Mish",
    "Sigmoid",
    "Tanh",
    "Hardtanh",
    "Hardsigmoid",
    "Hardswish",
    "Softplus",
    "Softsign",
    "Tanhshrink",
    "Threshold",
    "Softmax",
    "LogSoftmax",
    "Softmin",
    "GLU",
    "LogSigmoid",
    "Hardshrink",
    "Softshrink",
]


def _inplace_str(inplace: bool, first: bool = False) -> str:
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class _Inplace(Module):
    """An activation whose only option is ``inplace``."""

    __constants__ = ["inplace"]
    _fn = None

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Apply the activation to ``input`` (in place when ``inplace``)."""
        return type(self)._fn(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        """The repr's argument: ``inplace=True`` when set."""
        return _inplace_str(self.inplace, True)


class ReLU(_Inplace):
    """max(x, 0)."""

    _fn = staticmethod(F.relu)


class SELU(_Inplace):
    """Apply selu elementwise: scale * elu(x, alpha) with the fixed self-normalizing constants."""

    _fn = staticmethod(F.selu)


class SiLU(_Inplace):
    """x * sigmoid(x)."""

    _fn = staticmethod(F.silu)


class Mish(_Inplace):
    """Apply x * tanh(softplus(x)) elementwise."""

    _fn = staticmethod(F.mish)


class Hardsigmoid(_Inplace):
    """Apply the piecewise-linear sigmoid: 0 below -3, 1 above 3, x / 6 + 1/2 between."""

    _fn = staticmethod(F.hardsigmoid)

    def extra_repr(self) -> str:
        """Nothing: torch prints ``Hardsigmoid()`` even when ``inplace=True``."""
        return ""


class Hardswish(_Inplace):
    """Apply x * hardsigmoid(x) elementwise."""

    _fn = staticmethod(F.hardswish)

    def extra_repr(self) -> str:
        """Nothing: torch prints ``Hardswish()`` even when ``inplace=True``."""
        return ""


class _NoArgs(Module):
    _fn = None

    def forward(self, input):  # noqa: A002
        """Apply the activation to ``input``."""
        return type(self)._fn(input)


class Sigmoid(_NoArgs):
    """Apply 1 / (1 + exp(-x)) elementwise."""

    _fn = staticmethod(F.sigmoid)


class Tanh(_NoArgs):
    """Apply the hyperbolic tangent elementwise."""

    _fn = staticmethod(F.tanh)


class Softsign(_NoArgs):
    """Apply x / (1 + |x|) elementwise."""

    _fn = staticmethod(F.softsign)


class Tanhshrink(_NoArgs):
    """Apply x - tanh(x) elementwise."""

    _fn = staticmethod(F.tanhshrink)


class LogSigmoid(_NoArgs):
    """Apply log(sigmoid(x)) elementwise."""

    _fn = staticmethod(F.logsigmoid)


class Hardtanh(Module):
    """Clamp to [min_val, max_val]."""

    __constants__ = ["min_val", "max_val", "inplace"]

    def __init__(
        self,
        min_val: float = -1.0,
        max_val: float = 1.0,
        inplace: bool = False,
        min_value=None,
        max_value=None,
    ) -> None:
        super().__init__()
        self.min_val = min_val if min_value is None else min_value
        self.max_val = max_val if max_value is None else max_value
        self.inplace = inplace
        if self.max_val <= self.min_val:  # compared as torch does, so bad types fail alike
            raise AssertionError(
                f"max_val ({self.max_val}) must be greater than min_val ({self.min_val})"
            )

    def forward(self, input):  # noqa: A002
        """Clamp ``input`` to [min_val, max_val]."""
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        """The repr's arguments: ``min_val``, ``max_val`` and ``inplace`` when set."""
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_str(self.inplace)}"


class ReLU6(Hardtanh):
    """min(max(x, 0), 6)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        """The repr's arguments: only ``inplace=True`` when set (the bounds are fixed)."""
        return _inplace_str(self.inplace, True)


class LeakyReLU(Module):
    """Apply x where x >= 0, else negative_slope * x, elementwise."""

    __constants__ = ["inplace", "negative_slope"]

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False) -> None:
        super().__init__()
        self.negative_slope = negative_slope
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Apply leaky ReLU to ``input``."""
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        """The repr's arguments: ``negative_slope`` and ``inplace`` when set."""
        return f"negative_slope={self.negative_slope}{_inplace_str(self.inplace)}"


class RReLU(Module):
    """Randomized leaky ReLU: negative slopes drawn from U(lower, upper) per element in training,
    fixed at (lower + upper) / 2 in eval."""

    __constants__ = ["lower", "upper", "inplace"]

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower = lower
        self.upper = upper
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Apply rrelu to ``input``, drawing slopes when the module is training."""
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        """The repr's arguments: ``lower``, ``upper`` and ``inplace`` when set."""
        return f"lower={self.lower}, upper={self.upper}{_inplace_str(self.inplace)}"


class PReLU(Module):
    """max(0, x) + a * min(0, x) with learnable a (one, or one per channel)."""

    __constants__ = ["num_parameters"]

    def __init__(
        self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None
    ) -> None:
        self.num_parameters = num_parameters
        super().__init__()
        self.init = init
        self.weight = Parameter(empty(num_parameters, dtype=dtype))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Set every slope back to ``init``."""
        init.constant_(self.weight, self.init)

    def forward(self, input):  # noqa: A002
        """Apply PReLU to ``input`` with the learnable slopes in ``weight``."""
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        """The repr's argument: ``num_parameters``."""
        return f"num_parameters={self.num_parameters}"


class ELU(Module):
    """Apply x where x > 0, else alpha * (exp(x) - 1), elementwise."""

    __constants__ = ["alpha", "inplace"]
    _fn = staticmethod(F.elu)

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        self.alpha = alpha
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Apply the activation (ELU, or CELU in the subclass) to ``input``."""
        return type(self)._fn(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        """The repr's arguments: ``alpha`` and ``inplace`` when set."""
        return f"alpha={self.alpha}{_inplace_str(self.inplace)}"


class CELU(ELU):
    """Apply max(0, x) + min(0, alpha * (exp(x / alpha) - 1)) elementwise."""

    _fn = staticmethod(F.celu)


class GELU(Module):
    """x * Phi(x) (approximate='none' or 'tanh')."""

    __constants__ = ["approximate"]

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        self.approximate = approximate

    def forward(self, input):  # noqa: A002
        """Apply GELU to ``input``."""
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        """The repr's argument: ``approximate``."""
        return f"approximate={self.approximate!r}"


class Softplus(Module):
    """Apply log(1 + exp(beta * x)) / beta elementwise, reverting to x where beta * x > threshold.

    Args:
        beta: sharpness of the curve.
        threshold: above this value of beta * x the output is x itself (for numerical stability).
    """

    __constants__ = ["beta", "threshold"]

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta = beta
        self.threshold = threshold

    def forward(self, input):  # noqa: A002
        """Apply softplus to ``input``."""
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        """The repr's arguments: ``beta`` and ``threshold``."""
        return f"beta={self.beta}, threshold={self.threshold}"


class Threshold(Module):
    """Replace every element not greater than ``threshold`` by ``value``."""

    __constants__ = ["threshold", "value", "inplace"]

    def __init__(self, threshold: float, value: float, inplace: bool = False) -> None:
        super().__init__()
        self.threshold = threshold
        self.value = value
        self.inplace = inplace

    def forward(self, input):  # noqa: A002
        """Apply the threshold to ``input``."""
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        """The repr's arguments: ``threshold``, ``value`` and ``inplace`` when set."""
        return f"threshold={self.threshold}, value={self.value}{_inplace_str(self.inplace)}"


class _DimModule(Module):
    __constants__ = ["dim"]
    _fn = None

    def __init__(self, dim=None) -> None:
        super().__init__()
        self.dim = dim

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__module__ != __name__ or "__init__" in cls.__dict__:
            return  # a user's subclass keeps what it defines or inherits

        def __init__(self, dim=None) -> None:
            _DimModule.__init__(self, dim)

        # Python names the class in its own argument errors ("Softmax.__init__() got ...")
        __init__.__qualname__ = f"{cls.__name__}.__init__"
        cls.__init__ = __init__

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        if not hasattr(self, "dim"):
            self.dim = None

    def forward(self, input):  # noqa: A002
        """Apply the softmax, log-softmax or softmin to ``input`` along ``dim``."""
        return type(self)._fn(input, self.dim, _stacklevel=5)

    def extra_repr(self) -> str:
        """The repr's argument: ``dim``."""
        return f"dim={self.dim}"


class Softmax(_DimModule):
    """exp(x) / sum(exp(x)) along ``dim``."""

    _fn = staticmethod(F.softmax)


class LogSoftmax(_DimModule):
    """Apply log(softmax(x)) along ``dim``.

    Args:
        dim: the dimension normalised over; ``None`` picks one with a deprecation warning.
    """

    _fn = staticmethod(F.log_softmax)


class Softmin(_DimModule):
    """Apply softmax(-x) along ``dim``: the smallest entries get the largest weights.

    Args:
        dim: the dimension normalised over; ``None`` picks one with a deprecation warning.
    """

    _fn = staticmethod(F.softmin)


class GLU(Module):
    """Gated linear unit: split ``dim`` in halves a, b and return a * sigmoid(b).

    Shape:
        Input: ``(*1, N, *2)`` with N even at ``dim``. Output: ``(*1, N / 2, *2)``.
    """

    __constants__ = ["dim"]

    def __init__(self, dim: int = -1) -> None:
        super().__init__()
        self.dim = dim

    def forward(self, input):  # noqa: A002
        """Apply the gated linear unit to ``input``."""
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        """The repr's argument: ``dim``."""
        return f"dim={self.dim}"


class Hardshrink(Module):
    """Keep x where |x| > lambd, else 0, elementwise."""

    __constants__ = ["lambd"]

    def __init__(self, lambd: float = 0.5) -> None:
        super().__init__()
        self.lambd = lambd

    def forward(self, input):  # noqa: A002
        """Apply hard shrinkage to ``input``."""
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        """The repr's argument: the bare value of ``lambd``."""
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """Shrink toward zero by ``lambd``: x - lambd above lambd, x + lambd below -lambd, else 0."""

    def forward(self, input):  # noqa: A002
        """Apply soft shrinkage to ``input``."""
        return F.softshrink(input, self.lambd)

    def extra_repr(self) -> str:
        """The repr's argument: the bare value of ``lambd``."""
        return str(self.lambd)
