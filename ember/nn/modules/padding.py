"""Padding layers: constant, zero, reflection, replication and circular."""

from __future__ import annotations

from collections.abc import Iterable

from .. import functional as F
from .module import Module

__all__ = [
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
]


def _pads(padding, nd):
    if isinstance(padding, Iterable):
        return tuple(padding)
    return (padding,) * (2 * nd)  # any scalar, as torch repeats it; a bad one fails at forward


class _PadNd(Module):
    __constants__ = ["padding", "value"]
    mode = "constant"
    nd = 2

    def __init__(self, padding, value=None) -> None:
        super().__init__()
        self.padding = _pads(padding, self.nd)
        if self.mode == "constant":
            self.value = value

    def forward(self, input):  # noqa: A002
        """Pad ``input`` by ``padding`` in this layer's mode."""
        if self.mode == "circular" and input.dim() not in (self.nd + 1, self.nd + 2):
            raise ValueError(
                f"expected {self.nd + 1}D or {self.nd + 2}D input (got {input.dim()}D input)"
            )
        if self.mode == "constant":
            return F.pad(input, self.padding, "constant", self.value)
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self) -> str:
        """The repr's arguments: ``padding``, and ``value`` for constant padding."""
        if self.mode == "constant" and not type(self).__name__.startswith("Zero"):
            return f"padding={self.padding}, value={self.value}"
        return f"{self.padding}"


def _make(name, mode, nd, doc):
    if mode == "constant":

        def init(self, padding, value: float) -> None:
            _PadNd.__init__(self, padding, value)

    else:

        def init(self, padding) -> None:
            _PadNd.__init__(self, padding)

    init.__qualname__ = f"{name}.__init__"  # for Python's own argument errors
    return type(name, (_PadNd,), {"mode": mode, "nd": nd, "__doc__": doc, "__init__": init})


ConstantPad1d = _make("ConstantPad1d", "constant", 1, "Pad the last dim with a constant.")
ConstantPad2d = _make("ConstantPad2d", "constant", 2, "Pad the last 2 dims with a constant.")
ConstantPad3d = _make("ConstantPad3d", "constant", 3, "Pad the last 3 dims with a constant.")
ReflectionPad1d = _make("ReflectionPad1d", "reflect", 1, "Pad by reflecting the last dim.")
ReflectionPad2d = _make("ReflectionPad2d", "reflect", 2, "Pad by reflecting the last 2 dims.")
ReflectionPad3d = _make("ReflectionPad3d", "reflect", 3, "Pad by reflecting the last 3 dims.")
ReplicationPad1d = _make("ReplicationPad1d", "replicate", 1, "Pad by repeating edges.")
ReplicationPad2d = _make("ReplicationPad2d", "replicate", 2, "Pad by repeating edges.")
ReplicationPad3d = _make("ReplicationPad3d", "replicate", 3, "Pad by repeating edges.")
CircularPad1d = _make("CircularPad1d", "circular", 1, "Pad by wrapping around.")
CircularPad2d = _make("CircularPad2d", "circular", 2, "Pad by wrapping around.")
CircularPad3d = _make("CircularPad3d", "circular", 3, "Pad by wrapping around.")


def _zero(name, nd):
    def init(self, padding) -> None:
        _PadNd.__init__(self, padding, 0.0)

    init.__qualname__ = f"{name}.__init__"
    return type(
        name,
        (_PadNd,),
        {"mode": "constant", "nd": nd, "__init__": init, "__doc__": "Pad with zeros."},
    )


ZeroPad1d = _zero("ZeroPad1d", 1)
ZeroPad2d = _zero("ZeroPad2d", 2)
ZeroPad3d = _zero("ZeroPad3d", 3)
for _c in (
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
):
    _c.__module__ = __name__
