"""Layers acting across the channels at each location: ChannelShuffle, Softmax2d,
LocalResponseNorm."""

from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["ChannelShuffle", "Softmax2d", "LocalResponseNorm"]


class ChannelShuffle(Module):
    """Interleave the channels of ``groups`` groups (ShuffleNet). Shape: (N, C, *) kept."""

    __constants__ = ["groups"]

    def __init__(self, groups: int) -> None:
        super().__init__()
        self.groups = groups

    def forward(self, input):  # noqa: A002
        """Shuffle the channels of ``input`` across ``groups``."""
        return F.channel_shuffle(input, self.groups)

    def extra_repr(self) -> str:
        """The repr's argument: ``groups``."""
        return f"groups={self.groups}"


class Softmax2d(Module):
    """Softmax over the channels at each spatial location. Shape: (N, C, H, W) or (C, H, W)."""

    def forward(self, input):  # noqa: A002
        """Softmax over the channel dimension (dim -3) of ``input``."""
        if input.ndim not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.ndim}D instead")
        return F.softmax(input, -3, _stacklevel=5)


class LocalResponseNorm(Module):
    """x / (k + alpha/size * sum of x^2 over ``size`` neighbouring channels)^beta.

    Shape: (N, C, *) kept.
    """

    __constants__ = ["size", "alpha", "beta", "k"]

    def __init__(self, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0) -> None:
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):  # noqa: A002
        """Normalise ``input`` by its neighbouring channels' energy."""
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self) -> str:
        """The repr's arguments: ``size``, ``alpha``, ``beta`` and ``k``."""
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)
