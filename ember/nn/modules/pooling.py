"""Pooling layers: max, average, power-average, adaptive and fractional pooling, unpooling."""

from __future__ import annotations

from .. import functional as F
from ..functional import pooling as FP
from .module import Module

__all__ = [
    "MaxPool1d",
    "MaxPool2d",
    "MaxPool3d",
    "AvgPool1d",
    "AvgPool2d",
    "AvgPool3d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool1d",
    "AdaptiveMaxPool2d",
    "AdaptiveAvgPool3d",
    "AdaptiveMaxPool3d",
    "LPPool1d",
    "LPPool2d",
    "LPPool3d",
    "MaxUnpool1d",
    "MaxUnpool2d",
    "MaxUnpool3d",
    "FractionalMaxPool2d",
    "FractionalMaxPool3d",
]


class _MaxPoolNd(Module):
    __constants__ = ["kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"]

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        dilation=1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        """The repr's arguments: kernel_size, stride, padding, dilation, ceil_mode."""
        return (
            "kernel_size={kernel_size}, stride={stride}, padding={padding}, "
            "dilation={dilation}, ceil_mode={ceil_mode}".format(**self.__dict__)
        )


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling. Shape: (N, C, L) -> (N, C, L_out)."""

    def forward(self, input):  # noqa: A002
        """Max-pool ``input``; (values, indices) when ``return_indices``."""
        return F.max_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling; stride defaults to kernel_size. Shape: (N, C, H, W) -> (N, C, H', W')."""

    def forward(self, input):  # noqa: A002
        """Max-pool ``input``; (values, indices) when ``return_indices``."""
        return F.max_pool2d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )


class MaxPool3d(_MaxPoolNd):
    """3-D max pooling; stride defaults to kernel_size.

    Shape:
        Input: ``(N, C, D, H, W)`` or ``(C, D, H, W)``. Output: ``(N, C, D', H', W')``, each
        size floor((size + 2 * padding - dilation * (kernel_size - 1) - 1) / stride + 1)
        (ceil with ``ceil_mode``).
    """

    def forward(self, input):  # noqa: A002
        """Max-pool ``input``; (values, indices) when ``return_indices``."""
        return F.max_pool3d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.dilation,
            ceil_mode=self.ceil_mode,
            return_indices=self.return_indices,
        )


def _single(v):
    return tuple(v) if isinstance(v, (list, tuple)) else (v,)


class AvgPool1d(Module):
    """1-D average pooling."""

    __constants__ = ["kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"]

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> None:
        super().__init__()
        self.kernel_size = _single(kernel_size)
        self.stride = _single(stride if stride is not None else kernel_size)
        self.padding = _single(padding)
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad

    def forward(self, input):  # noqa: A002
        """Average-pool ``input``."""
        return F.avg_pool1d(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
        )

    def extra_repr(self) -> str:
        """The repr's arguments: ``kernel_size``, ``stride`` and ``padding``."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """2-D average pooling (count_include_pad, ceil_mode, divisor_override as F.avg_pool2d)."""

    __constants__ = [
        "kernel_size",
        "stride",
        "padding",
        "ceil_mode",
        "count_include_pad",
        "divisor_override",
    ]
    _fn = staticmethod(F.avg_pool2d)

    def __init__(
        self,
        kernel_size,
        stride=None,
        padding=0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override=None,
    ) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = stride if (stride is not None) else kernel_size
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, input):  # noqa: A002
        """Average-pool ``input``."""
        return self._fn(
            input,
            self.kernel_size,
            self.stride,
            self.padding,
            self.ceil_mode,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        """The repr's arguments: ``kernel_size``, ``stride`` and ``padding``."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool3d(AvgPool2d):
    """3-D average pooling (count_include_pad, ceil_mode, divisor_override as F.avg_pool3d).

    Shape:
        Input: ``(N, C, D, H, W)`` or ``(C, D, H, W)``. Output: ``(N, C, D', H', W')``, each
        size floor((size + 2 * padding - kernel_size) / stride + 1) (ceil with ``ceil_mode``).
    """

    _fn = staticmethod(F.avg_pool3d)


class _AdaptiveNd(Module):
    __constants__ = ["output_size", "return_indices"]

    def __init__(self, output_size, return_indices: bool = False) -> None:
        super().__init__()
        self.output_size = output_size
        if return_indices or type(self).__name__.startswith("AdaptiveMax"):
            self.return_indices = return_indices

    def extra_repr(self) -> str:
        """The repr's argument: ``output_size``."""
        return f"output_size={self.output_size}"


class _AdaptiveAvgNd(_AdaptiveNd):
    _fn = staticmethod(F.adaptive_avg_pool2d)

    def __init__(self, output_size) -> None:
        super().__init__(output_size)

    def forward(self, input):  # noqa: A002
        """Average-pool ``input`` to ``output_size``."""
        return self._fn(input, self.output_size)


class _AdaptiveMaxNd(_AdaptiveNd):
    _fn = staticmethod(F.adaptive_max_pool2d)

    def forward(self, input):  # noqa: A002
        """Max-pool ``input`` to ``output_size``; (values, indices) when ``return_indices``."""
        return self._fn(input, self.output_size, self.return_indices)


class AdaptiveAvgPool1d(_AdaptiveAvgNd):
    """Average pooling to a fixed length. Shape: (N, C, L) -> (N, C, output_size)."""

    _fn = staticmethod(F.adaptive_avg_pool1d)


class AdaptiveAvgPool2d(_AdaptiveAvgNd):
    """Average pooling to a fixed output size (None keeps that input size)."""


class AdaptiveAvgPool3d(_AdaptiveAvgNd):
    """Average pooling to a fixed (D, H, W) output size (None keeps that input size)."""

    _fn = staticmethod(FP.adaptive_avg_pool3d)


class AdaptiveMaxPool1d(_AdaptiveMaxNd):
    """Max pooling to a fixed length. Shape: (N, C, L) -> (N, C, output_size)."""

    _fn = staticmethod(F.adaptive_max_pool1d)


class AdaptiveMaxPool2d(_AdaptiveMaxNd):
    """Max pooling to a fixed output size."""


class AdaptiveMaxPool3d(_AdaptiveMaxNd):
    """Max pooling to a fixed (D, H, W) output size (None keeps that input size)."""

    _fn = staticmethod(FP.adaptive_max_pool3d)


class _LPPoolNd(Module):
    __constants__ = ["norm_type", "kernel_size", "stride", "ceil_mode"]
    _fn = staticmethod(FP.lp_pool2d)

    def __init__(self, norm_type: float, kernel_size, stride=None, ceil_mode: bool = False) -> None:
        super().__init__()
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self) -> str:
        """The repr's arguments: norm_type, kernel_size, stride, ceil_mode."""
        return (
            f"norm_type={self.norm_type}, kernel_size={self.kernel_size}, stride={self.stride}, "
            f"ceil_mode={self.ceil_mode}"
        )

    def forward(self, input):  # noqa: A002
        """Power-average-pool ``input``."""
        return self._fn(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


class LPPool1d(_LPPoolNd):
    """1-D power-average pooling, (sum of x**p over each window) ** (1/p).

    Shape: (N, C, L) -> (N, C, L'), L' = floor((L - kernel_size) / stride + 1).
    """

    _fn = staticmethod(FP.lp_pool1d)


class LPPool2d(_LPPoolNd):
    """2-D power-average pooling, (sum of x**p over each window) ** (1/p)."""


class LPPool3d(_LPPoolNd):
    """3-D power-average pooling, (sum of x**p over each window) ** (1/p)."""

    _fn = staticmethod(FP.lp_pool3d)


class _MaxUnpoolNd(Module):
    _nd = 2
    _fn = staticmethod(FP.max_unpool2d)

    def __init__(self, kernel_size, stride=None, padding=0) -> None:
        super().__init__()
        self.kernel_size = _tuple(kernel_size, self._nd)
        self.stride = _tuple(stride if stride is not None else kernel_size, self._nd)
        self.padding = _tuple(padding, self._nd)

    def extra_repr(self) -> str:
        """The repr's arguments: kernel_size, stride, padding."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def forward(self, input, indices, output_size=None):  # noqa: A002
        """Put each value of ``input`` at its max-pooling ``indices``, zeros elsewhere."""
        return self._fn(input, indices, self.kernel_size, self.stride, self.padding, output_size)


def _tuple(v, n: int) -> tuple:
    return tuple(v) if isinstance(v, (list, tuple)) else (v,) * n


class MaxUnpool1d(_MaxUnpoolNd):
    """Partial inverse of MaxPool1d. Shape: (N, C, L) -> (N, C, (L - 1) * stride + k - 2 * pad)."""

    _nd = 1
    _fn = staticmethod(FP.max_unpool1d)


class MaxUnpool2d(_MaxUnpoolNd):
    """Partial inverse of MaxPool2d: maxima back at their indices, zeros elsewhere."""


class MaxUnpool3d(_MaxUnpoolNd):
    """Partial inverse of MaxPool3d: maxima back at their indices, zeros elsewhere."""

    _nd = 3
    _fn = staticmethod(FP.max_unpool3d)


class _FractionalMaxPoolNd(Module):
    __constants__ = ["kernel_size", "return_indices", "output_size", "output_ratio"]
    _nd = 2
    _fn = staticmethod(FP.fractional_max_pool2d)

    def __init__(
        self,
        kernel_size,
        output_size=None,
        output_ratio=None,
        return_indices: bool = False,
        _random_samples=None,
    ) -> None:
        super().__init__()
        nd = self._nd
        self.kernel_size = _tuple(kernel_size, nd)
        # torch checks only in 3-D, and only numbers
        if nd == 3 and any(isinstance(k, (int, float)) and k <= 0 for k in self.kernel_size):
            raise ValueError(f"kernel_size must be greater than 0, but got {kernel_size}")
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = _tuple(output_size, nd) if output_size is not None else None
        self.output_ratio = _tuple(output_ratio, nd) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(
                f"{type(self).__name__} requires specifying either an output size, or a pooling "
                "ratio"
            )
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio[:nd]):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):  # noqa: A002
        """Fractional-max-pool ``input``; (values, indices) when ``return_indices``."""
        return self._fn(
            input,
            self.kernel_size,
            self.output_size,
            self.output_ratio,
            self.return_indices,
            _random_samples=self._random_samples,
        )


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    """2-D fractional max pooling (Graham, 2014): windows at pseudo-random fractional strides.

    Give ``output_size`` (oH, oW) or ``output_ratio`` in (0, 1); ``_random_samples`` (N, C, 2)
    fixes the strides, else each call draws them from Ember's generator.
    """


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    """3-D fractional max pooling: windows at pseudo-random fractional strides.

    Give ``output_size`` (oD, oH, oW) or ``output_ratio`` in (0, 1); ``_random_samples``
    (N, C, 3) fixes the strides, else each call draws them from Ember's generator.
    """

    _nd = 3
    _fn = staticmethod(FP.fractional_max_pool3d)
