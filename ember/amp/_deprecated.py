"""The device-specific spellings ``torch.cuda.amp.*`` and ``torch.cpu.amp.*``, deprecated in
torch for ``torch.amp.*(device_type, ...)``: each warns as torch's, then acts as the new one."""

from __future__ import annotations

import functools
import inspect
import warnings
from typing import Any

from .. import _dtype as D
from .autocast_mode import autocast, custom_bwd, custom_fwd
from .grad_scaler import GradScaler


def _warn(old: str, new: str) -> None:
    warnings.warn(
        f"`torch.{old}(args...)` is deprecated. Please use `torch.{new}` instead.",
        FutureWarning,
        stacklevel=3,
    )


def _scaler_class(device: str) -> type:
    class DeviceGradScaler(GradScaler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            _warn(f"{device}.amp.GradScaler", f"amp.GradScaler('{device}', args...)")
            super().__init__(device, *args, **kwargs)

    # torch's signature: GradScaler's without ``device``
    params = list(inspect.signature(GradScaler.__init__).parameters.values())
    sig = inspect.Signature([params[0], *params[2:]], return_annotation=None)
    DeviceGradScaler.__init__.__signature__ = sig
    DeviceGradScaler.__name__ = DeviceGradScaler.__qualname__ = "GradScaler"
    DeviceGradScaler.__doc__ = f"Deprecated: ``ember.amp.GradScaler('{device}', ...)``."
    return DeviceGradScaler


def _autocast_class(device: str, default: D.dtype) -> type:
    class DeviceAutocast(autocast):
        def __init__(
            self, enabled: bool = True, dtype: D.dtype = default, cache_enabled: bool = True
        ) -> None:
            _warn(f"{device}.amp.autocast", f"amp.autocast('{device}', args...)")
            super().__init__(device, dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)

    DeviceAutocast.__name__ = DeviceAutocast.__qualname__ = "autocast"
    DeviceAutocast.__doc__ = f"Deprecated: ``ember.autocast('{device}', ...)``."
    return DeviceAutocast


CudaGradScaler = _scaler_class("cuda")
CpuGradScaler = _scaler_class("cpu")
CudaAutocast = _autocast_class("cuda", D.float16)
CpuAutocast = _autocast_class("cpu", D.float32)  # bfloat16, which is Ember's float32


def cuda_custom_fwd(fwd=None, *, cast_inputs=None):
    """Deprecated: ``ember.amp.custom_fwd(..., device_type='cuda')``."""
    _warn("cuda.amp.custom_fwd", "amp.custom_fwd(args..., device_type='cuda')")
    return functools.partial(custom_fwd, device_type="cuda")(fwd=fwd, cast_inputs=cast_inputs)


def cuda_custom_bwd(bwd):
    """Deprecated: ``ember.amp.custom_bwd(..., device_type='cuda')``."""
    _warn("cuda.amp.custom_bwd", "amp.custom_bwd(args..., device_type='cuda')")
    return custom_bwd(bwd, device_type="cuda")
