"""Pooling layers: max, average and adaptive pooling."""

from __future__ import annotations

from .. import functional as F
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


class AdaptiveAvgPool1d(_AdaptiveNd):
    """Average pooling to a fixed length. Shape: (N, C, L) -> (N, C, output_size)."""

    def __init__(self, output_size) -> None:
        super().__init__(output_size)

    def forward(self, input):  # noqa: A002
        """Average-pool ``input`` to ``output_size``."""
        return F.adaptive_avg_pool1d(input, self.output_size)


class AdaptiveAvgPool2d(_AdaptiveNd):
    """Average pooling to a fixed output size (None keeps that input size)."""

    def __init__(self, output_size) -> None:
        super().__init__(output_size)

    def forward(self, input):  # noqa: A002
        """Average-pool ``input`` to ``output_size``."""
        return F.adaptive_avg_pool2d(input, self.output_size)


class AdaptiveMaxPool1d(_AdaptiveNd):
    """Max pooling to a fixed length. Shape: (N, C, L) -> (N, C, output_size)."""

    def forward(self, input):  # noqa: A002
        """Max-pool ``input`` to ``output_size``; (values, indices) when ``return_indices``."""
        return F.adaptive_max_pool1d(input, self.output_size, self.return_indices)


class AdaptiveMaxPool2d(_AdaptiveNd):
    """Max pooling to a fixed output size."""

    def forward(self, input):  # noqa: A002
        """Max-pool ``input`` to ``output_size``; (values, indices) when ``return_indices``."""
        return F.adaptive_max_pool2d(input, self.output_size, self.return_indices)
