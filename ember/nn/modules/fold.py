"""Fold and Unfold: sliding local blocks to columns (im2col) and back (col2im, summing)."""

from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Fold", "Unfold"]


def _repr(self, *names) -> str:
    return ", ".join(f"{n}={getattr(self, n)}" for n in names)


class Fold(Module):
    """(N, C * prod(kernel_size), L) -> (N, C, *output_size), overlapping values summed."""

    __constants__ = ["output_size", "kernel_size", "dilation", "padding", "stride"]

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):  # noqa: A002
        """Sum the columns of ``input`` back into an image of ``output_size``."""
        return F.fold(
            input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride
        )

    def extra_repr(self) -> str:
        """The repr's arguments: output_size, kernel_size, dilation, padding, stride."""
        return _repr(self, "output_size", "kernel_size", "dilation", "padding", "stride")


class Unfold(Module):
    """(N, C, *) -> (N, C * prod(kernel_size), L): each sliding block as a column."""

    __constants__ = ["kernel_size", "dilation", "padding", "stride"]

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):  # noqa: A002
        """Extract the sliding blocks of ``input`` as columns."""
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        """The repr's arguments: kernel_size, dilation, padding, stride."""
        return _repr(self, "kernel_size", "dilation", "padding", "stride")
