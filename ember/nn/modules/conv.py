"""Convolution layers: Conv1d/2d/3d and ConvTranspose1d/2d/3d."""

from __future__ import annotations

import math
from collections.abc import Iterable

from ...functions.creation import empty
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d"]

_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}


def _ntuple(v, n):
    # any iterable, a string too: ConvTranspose2d(..., padding='same') keeps ('s', 'a', 'm', 'e')
    # as torch's does, and its forward refuses it
    if isinstance(v, Iterable):
        return tuple(v)
    return (v,) * n


class _ConvNd(Module):
    __constants__ = [
        "stride",
        "padding",
        "dilation",
        "groups",
        "padding_mode",
        "output_padding",
        "in_channels",
        "out_channels",
        "kernel_size",
    ]
    _nd = 2

    def __init__(
        self,
        in_channels,
        out_channels,
        kernel_size,
        stride,
        padding,
        dilation,
        transposed,
        output_padding,
        groups,
        bias,
        padding_mode,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        valid = {"same", "valid"}
        if isinstance(padding, str):
            if padding not in valid:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {valid}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(
                f"padding_mode must be one of {_PADDING_MODES}, but got "
                f"padding_mode='{padding_mode}'"
            )
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's amounts for non-zero padding modes: last dim first, (lo, hi) each
        if isinstance(padding, str):
            pads = [0, 0] * len(kernel_size)
            if padding == "same":
                for d, k, i in zip(dilation, kernel_size, range(len(kernel_size) - 1, -1, -1)):
                    total = d * (k - 1)
                    left = total // 2
                    pads[2 * i], pads[2 * i + 1] = left, total - left
        else:
            pads = [p for p in reversed(padding) for _ in range(2)]
        self._reversed_padding_repeated_twice = pads
        if transposed:
            shape = (in_channels, out_channels // groups, *kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *kernel_size)
        self.weight = Parameter(empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Redraw weight (kaiming_uniform_, a=sqrt(5)) and bias: both U(+-1/sqrt(fan_in))."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        """The repr's arguments: channels, kernel_size, stride, then options not at defaults."""
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def __setstate__(self, state) -> None:
        super().__setstate__(state)
        if not hasattr(self, "padding_mode"):
            self.padding_mode = "zeros"


def _conv_class(nd: int, fn):
    class ConvNd(_ConvNd):
        _nd = nd

        def __init__(
            self,
            in_channels: int,
            out_channels: int,
            kernel_size,
            stride=1,
            padding=0,
            dilation=1,
            groups: int = 1,
            bias: bool = True,
            padding_mode: str = "zeros",
            device=None,
            dtype=None,
        ) -> None:
            super().__init__(
                in_channels,
                out_channels,
                _ntuple(kernel_size, nd),
                _ntuple(stride, nd),
                padding if isinstance(padding, str) else _ntuple(padding, nd),
                _ntuple(dilation, nd),
                False,
                _ntuple(0, nd),
                groups,
                bias,
                padding_mode,
                device,
                dtype,
            )

        def _conv_forward(self, input, weight, bias):  # noqa: A002
            if self.padding_mode != "zeros":
                return fn(
                    F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode),
                    weight,
                    bias,
                    self.stride,
                    (0,) * nd,
                    self.dilation,
                    self.groups,
                )
            return fn(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

        def forward(self, input):  # noqa: A002
            """Convolve ``input`` with ``weight``, padded per ``padding_mode``, plus ``bias``."""
            return self._conv_forward(input, self.weight, self.bias)

    return ConvNd


class Conv1d(_conv_class(1, F.conv1d)):
    """1-D convolution. Shape: (N, C_in, L) -> (N, C_out, L_out)."""


class Conv2d(_conv_class(2, F.conv2d)):
    """2-D convolution over (N, C_in, H, W) -> (N, C_out, H_out, W_out).

    Args: in_channels, out_channels, kernel_size, stride=1, padding=0 (int, tuple, 'same',
    'valid'), dilation=1, groups=1, bias=True, padding_mode='zeros' (or reflect, replicate,
    circular).
    """


class Conv3d(_conv_class(3, F.conv3d)):
    """3-D convolution."""


for _cls in (Conv1d, Conv2d, Conv3d):
    _cls.__init__.__qualname__ = f"{_cls.__name__}.__init__"


def _transpose_class(nd: int, fn):
    class ConvTransposeNd(_ConvNd):
        _nd = nd

        def __init__(
            self,
            in_channels: int,
            out_channels: int,
            kernel_size,
            stride=1,
            padding=0,
            output_padding=0,
            groups: int = 1,
            bias: bool = True,
            dilation=1,
            padding_mode: str = "zeros",
            device=None,
            dtype=None,
        ) -> None:
            if padding_mode != "zeros":
                raise ValueError(
                    f'Only "zeros" padding mode is supported for {type(self).__name__}'
                )
            super().__init__(
                in_channels,
                out_channels,
                _ntuple(kernel_size, nd),
                _ntuple(stride, nd),
                _ntuple(padding, nd),
                _ntuple(dilation, nd),
                True,
                _ntuple(output_padding, nd),
                groups,
                bias,
                padding_mode,
                device,
                dtype,
            )

        def _output_padding(self, input, output_size):  # noqa: A002
            if output_size is None:
                return self.output_padding
            if len(output_size) not in (nd, input.ndim):  # the full shape, batched or not
                raise ValueError(
                    f"ConvTranspose{nd}D: for {input.ndim}D input, output_size must have {nd} "
                    f"or {input.ndim} elements (got {len(output_size)})"
                )
            output_size = output_size[-nd:]
            lows = [
                (input.shape[-nd + d] - 1) * self.stride[d]
                - 2 * self.padding[d]
                + self.dilation[d] * (self.kernel_size[d] - 1)
                + 1
                for d in range(nd)
            ]
            highs = [lo + s - 1 for lo, s in zip(lows, self.stride)]
            if any(not lo <= int(o) <= hi for o, lo, hi in zip(output_size, lows, highs)):
                raise ValueError(
                    f"requested an output size of {output_size}, but valid sizes range from "
                    f"{lows} to {highs} (for an input of {input.shape[2:]})"
                )
            return tuple(int(o) - lo for o, lo in zip(output_size, lows))

        def forward(self, input, output_size=None):  # noqa: A002
            """Transposed-convolve ``input``; an ``output_size`` chooses the output_padding."""
            op = self._output_padding(input, output_size)
            return fn(
                input,
                self.weight,
                self.bias,
                self.stride,
                self.padding,
                op,
                self.groups,
                self.dilation,
            )

    return ConvTransposeNd


class ConvTranspose1d(_transpose_class(1, F.conv_transpose1d)):
    """Transposed 1-D convolution."""


class ConvTranspose2d(_transpose_class(2, F.conv_transpose2d)):
    """Transposed 2-D convolution; weight (C_in, C_out/groups, kH, kW)."""


class ConvTranspose3d(_transpose_class(3, F.conv_transpose3d)):
    """Transposed 3-D convolution."""
