"""``ember.device``: Ember computes on the CPU; other device types can be named but not used."""

from __future__ import annotations

_KNOWN = ("cpu", "cuda", "mps", "xpu", "meta", "hip", "xla", "ipu", "hpu", "mtia", "privateuseone")


class device:  # noqa: N801 - torch spells it lowercase
    """A device such as ``device('cpu')`` or ``device('cuda', 0)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index: int | None = None):  # noqa: A002 - torch's argument name
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got ({type})")
        if ":" in type:
            if index is not None:
                raise RuntimeError(
                    f"type (string) must not include an index because index was "
                    f"passed explicitly: {type}"
                )
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in _KNOWN:
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                "fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type at "
                f"start of device string: {type}"
            )
        self.type, self.index = type, index

    def __repr__(self) -> str:
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    def __enter__(self) -> device:
        """``with device(...)``: the default device of new tensors inside the block."""
        from . import _typed_tensors as T

        previous = T._default_device
        T.set_default_device(self)  # raises, entering nothing, for a device Ember cannot use
        T._device_stack.append(previous)
        return self

    def __exit__(self, *exc) -> None:
        from . import _typed_tensors as T

        T._default_device = T._device_stack.pop()


CPU = device("cpu")


def check_device(d) -> device:
    """Resolve a ``device=`` argument; raise as torch's CPU build does for CUDA and friends."""
    if d is None:
        return CPU
    d = device(d)
    if d.type == "cpu" or d.type == "meta":
        return d
    if d.type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled (Ember runs on the CPU only)")
    raise RuntimeError(f"Ember runs on the CPU only; device '{d}' is not available")
