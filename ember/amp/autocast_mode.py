"""``ember.autocast``: regions where matrix products and convolutions run in lower precision.

The state is thread-local, as torch's. Only 'cpu' autocast changes what Ember computes (every
Ember tensor lives on the CPU); the other device types keep their flags and dtypes for code
that reads them back. The casts happen at the entry of the ops on torch's CPU lists
(``ember/amp/_state.py``); casted weights are not cached, so ``cache_enabled`` is recorded only.
"""

from __future__ import annotations

import collections.abc
import functools
import warnings
from collections.abc import Callable
from typing import Any

from .. import _dtype as D
from .._device import device as _device
from ._state import STATE, default_dtype, set_cpu_enabled

__all__ = ["autocast", "custom_bwd", "custom_fwd", "is_autocast_available"]

_NOT_AVAILABLE = ("meta", "lazy", "hip", "mkldnn", "opengl", "opencl", "ideep", "ve", "vulkan")


def _device_type(device_type: str) -> str:
    """The type of a device string ('cpu:0' -> 'cpu'), with torch's error for unknown ones."""
    if ":" not in device_type and device_type in ("maia", "lazy", "mkldnn", "vulkan", "ve"):
        return device_type  # names torch's parser knows but ember.device does not
    return _device(device_type).type


def _check_str(fn: str, device_type) -> None:
    if not isinstance(device_type, str):
        raise TypeError(
            f"{fn}(): argument 'device_type' (position 1) must be str, not "
            f"{type(device_type).__name__}"
        )


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast can be used for ``device_type`` (as torch answers; 'cpu' is)."""
    _check_str("_is_autocast_available", device_type)
    return _device_type(device_type) not in _NOT_AVAILABLE


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Whether autocast is on for ``device_type`` in this thread."""
    _check_str("is_autocast_enabled", device_type)
    return STATE.enabled.get(_device_type(device_type), False)


def set_autocast_enabled(device_type, enabled=None) -> None:
    """Turn autocast on or off for ``device_type`` (``set_autocast_enabled(bool)``: 'cuda')."""
    if enabled is None:
        device_type, enabled = "cuda", device_type
    if not isinstance(enabled, bool):
        raise TypeError(
            "set_autocast_enabled(): argument 'enabled' (position "
            f"{1 if device_type == 'cuda' else 2}) must be bool, not {type(enabled).__name__}"
        )
    device_type = _device_type(device_type)
    STATE.enabled[device_type] = enabled
    if device_type == "cpu":
        set_cpu_enabled(enabled)


def get_autocast_dtype(device_type: str) -> D.dtype:
    """The dtype autocast casts to on ``device_type`` (CPU: bfloat16, Ember's float32)."""
    _check_str("get_autocast_dtype", device_type)
    device_type = _device_type(device_type)
    return STATE.dtype.get(device_type) or default_dtype(device_type)


def set_autocast_dtype(device_type: str, dtype: D.dtype) -> None:
    """Set the dtype autocast casts to on ``device_type``."""
    device_type = _device_type(device_type)
    default_dtype(device_type)  # torch's error for device types without autocast
    STATE.dtype[device_type] = dtype


def is_autocast_cache_enabled() -> bool:
    """Whether autocast's weight cache is on (recorded only: Ember does not cache casts)."""
    return STATE.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Turn autocast's weight cache on or off (recorded only)."""
    STATE.cache_enabled = enabled


def clear_autocast_cache() -> None:
    """No-op: Ember keeps no cache of casted weights."""


def autocast_increment_nesting() -> int:
    """Count one more autocast region entered; returns the new depth."""
    STATE.nesting += 1
    return STATE.nesting


def autocast_decrement_nesting() -> int:
    """Count one autocast region left; returns the new depth."""
    STATE.nesting -= 1
    return STATE.nesting


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"torch.{old}() is deprecated. Please use torch.{new} instead.",
        DeprecationWarning,
        stacklevel=3,
    )


def is_autocast_cpu_enabled() -> bool:
    """Deprecated spelling of ``is_autocast_enabled('cpu')``."""
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def get_autocast_cpu_dtype() -> D.dtype:
    """Deprecated spelling of ``get_autocast_dtype('cpu')``."""
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def get_autocast_gpu_dtype() -> D.dtype:
    """Deprecated spelling of ``get_autocast_dtype('cuda')``."""
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")


class autocast:  # noqa: N801 - torch's name
    """Context manager and decorator: ops in the region run in autocast's lower-precision dtype.

    Args:
        device_type: 'cpu' (or another device type, whose flag is kept but casts nothing here).
        dtype: the lower-precision dtype; ``None``: ``get_autocast_dtype(device_type)``.
        enabled: whether autocast is on in the region.
        cache_enabled: recorded for ``is_autocast_cache_enabled``; ``None`` keeps the current.
    """

    def __init__(
        self,
        device_type: str,
        dtype: D.dtype | None = None,
        enabled: bool = True,
        cache_enabled: bool | None = None,
    ) -> None:
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.fast_dtype = get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not is_autocast_available(device_type):
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{device_type}'"
            )
        if cache_enabled is None:
            cache_enabled = is_autocast_cache_enabled()
        self._cache_enabled = cache_enabled
        if enabled and self.device == "cuda":
            warnings.warn(
                "CUDA is not available or torch_xla is imported. Disabling autocast.",
                stacklevel=2,
            )
            enabled = False
        elif enabled and self.fast_dtype not in (D.float32, D.float16):  # float32 is bfloat16
            name = self.device.upper()
            warnings.warn(
                f"In {name} autocast, but the target dtype is not supported. Disabling autocast.\n"
                f"{name} Autocast only supports dtypes of {D.NAMESPACE}.bfloat16, "
                f"{D.NAMESPACE}.float16 currently.",
                stacklevel=2,
            )
            enabled = False
        self._enabled = enabled

    def __enter__(self) -> autocast:
        self.prev_cache_enabled = is_autocast_cache_enabled()
        self.prev = is_autocast_enabled(self.device)
        self.prev_fastdtype = get_autocast_dtype(self.device)
        set_autocast_enabled(self.device, self._enabled)
        set_autocast_dtype(self.device, self.fast_dtype)
        autocast_increment_nesting()
        set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> bool:
        autocast_decrement_nesting()
        set_autocast_enabled(self.device, self.prev)
        set_autocast_dtype(self.device, self.prev_fastdtype)
        set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func: Callable) -> Callable:
        if not callable(func):
            raise TypeError(
                f"autocast()(func) requires a callable, but got {type(func).__name__}. "
                "Did you mean to use autocast as a context manager? For example:\n"
                "    with torch.autocast(device_type=...):\n"
                "        output = model(input)"
            )

        @functools.wraps(func)
        def decorate_autocast(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorate_autocast


def _cast_inputs(value, device_type: str, dtype: D.dtype):
    """``value`` with its floating tensors (float64 aside), also inside containers, in ``dtype``."""
    if _is_tensor(value):
        eligible = (
            value.is_floating_point()
            and value.device.type == device_type
            and value.dtype is not D.float64
        )
        return value.to(dtype) if eligible else value
    if isinstance(value, (str, bytes)) or type(value).__module__ == "numpy":
        return value  # iterable, but not a container of tensors
    if isinstance(value, collections.abc.Mapping):
        return {
            _cast_inputs(k, device_type, dtype): _cast_inputs(v, device_type, dtype)
            for k, v in value.items()
        }
    if isinstance(value, collections.abc.Iterable):
        items = (_cast_inputs(v, device_type, dtype) for v in value)
        return type(value)(items) if isinstance(value, (list, tuple)) else items
    return value


def _is_tensor(value) -> bool:
    from .._tensor import Tensor

    return isinstance(value, Tensor)


def _check_device_type(device_type) -> None:
    if not isinstance(device_type, str):
        raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")


def custom_fwd(fwd=None, *, device_type: str, cast_inputs: D.dtype | None = None):
    """Decorator for a custom ``Function.forward``: with ``cast_inputs``, run it on inputs cast
    to that dtype with autocast off (inside an autocast region); record the state for backward.
    """
    _check_device_type(device_type)
    if fwd is None:
        return functools.partial(custom_fwd, device_type=device_type, cast_inputs=cast_inputs)

    @functools.wraps(fwd)
    def decorate_fwd(*args, **kwargs):
        ctx = args[0]
        ctx._dtype = get_autocast_dtype(device_type)
        on = is_autocast_enabled(device_type)
        if cast_inputs is None:
            ctx._fwd_used_autocast = on
            return fwd(*args, **kwargs)
        ctx._fwd_used_autocast = False
        if not on:
            return fwd(*args, **kwargs)
        with autocast(device_type=device_type, enabled=False):
            return fwd(
                *_cast_inputs(args, device_type, cast_inputs),
                **_cast_inputs(kwargs, device_type, cast_inputs),
            )

    return decorate_fwd


def custom_bwd(bwd=None, *, device_type: str):
    """Decorator for a custom ``Function.backward``: run it in the autocast state of forward."""
    _check_device_type(device_type)
    if bwd is None:
        return functools.partial(custom_bwd, device_type=device_type)

    @functools.wraps(bwd)
    def decorate_bwd(*args, **kwargs):
        ctx = args[0]
        with autocast(device_type=device_type, enabled=ctx._fwd_used_autocast, dtype=ctx._dtype):
            return bwd(*args, **kwargs)

    return decorate_bwd
