"""Process-wide switches of the ``ember.*`` namespace that torch has and Ember mostly records:
warnings, denormals, inter-op threads, the legacy default tensor type, and ``compile``.
"""

from __future__ import annotations

import os
import warnings

from . import _dtype as D
from ._tensor import Tensor


def get_device(input: Tensor) -> int:  # noqa: A002
    """The index of the device ``input`` is on: -1 for the CPU (Ember's only device)."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"get_device(): argument 'input' (position 1) must be Tensor, not "
            f"{type(input).__name__}"
        )
    return input.get_device()


_warn_always = False


def set_warn_always(b: bool, /) -> None:
    """Whether warnings torch gives once per process (deprecations) are given every time."""
    global _warn_always
    if not isinstance(b, bool):
        raise RuntimeError(f"setWarnOnlyOnce expects a bool, but got {type(b).__name__}")
    _warn_always = b


def is_warn_always_enabled() -> bool:
    """The flag set by ``set_warn_always`` (False by default)."""
    return _warn_always


_warned: set = set()


def warn_once(key: str, message: str, stacklevel: int = 3) -> None:
    """A UserWarning given once per process, or every time under ``set_warn_always(True)``."""
    if _warn_always or key not in _warned:
        _warned.add(key)
        warnings.warn(message, UserWarning, stacklevel=stacklevel)


def set_flush_denormal(mode: bool) -> bool:
    """True, as torch answers on x86 and ARM CPUs; but Ember's NumPy arithmetic keeps denormal
    floats whatever ``mode`` says (NumPy has no flush-to-zero switch)."""
    if not isinstance(mode, bool):
        raise RuntimeError(f"flush_denormal expects a bool, but got {type(mode).__name__}")
    return True


_interop_threads: int | None = None


def get_num_interop_threads() -> int:
    """The size of the inter-op thread pool torch would use: the CPU count unless set."""
    return _interop_threads or os.cpu_count() or 1


def set_num_interop_threads(num: int) -> None:
    """Record the inter-op pool size; as in torch, only once per process. Ember runs operations
    one after another, so nothing else changes."""
    global _interop_threads
    if isinstance(num, bool) or not isinstance(num, int):
        raise RuntimeError(f"set_num_interop_threads expects an int, but got {type(num).__name__}")
    if num <= 0:
        raise RuntimeError("set_num_interop_threads expects a positive integer")
    if _interop_threads is not None:
        raise RuntimeError(
            "Error: cannot set number of interop threads after parallel work has started or "
            "set_num_interop_threads called"
        )
    _interop_threads = num


def set_default_tensor_type(t, /) -> None:
    """Deprecated (as in torch 2.1+): set the default floating dtype from a legacy type
    (``ember.DoubleTensor`` or ``'torch.DoubleTensor'``). Use ``set_default_dtype`` instead."""
    from . import _typed_tensors as T

    if isinstance(t, str):
        name = t.split(".")[-1]
        if not hasattr(T, name) or not name.endswith("Tensor"):
            raise AttributeError(f"module '{D.NAMESPACE}' has no attribute '{name}'")
        t = getattr(T, name)
    if not isinstance(t, T._TypedTensorMeta):
        raise TypeError(
            "invalid type object: only floating-point types are supported as the default type"
        )
    if t._np_dtype.kind != "f":
        raise TypeError("only floating-point types are supported as the default type")
    warn_once(
        "set_default_tensor_type",
        f"{D.NAMESPACE}.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
        f"{D.NAMESPACE}.set_default_dtype() and {D.NAMESPACE}.set_default_device() as "
        "alternatives.",
    )
    D.set_default_dtype(D.from_numpy_dtype(t._np_dtype))


_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


def compile(  # noqa: A001 - torch's name
    model=None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend=None,
    mode: str | None = None,
    options: dict | None = None,
    name: str | None = None,
    disable: bool = False,
    recompile_limit: int | None = None,
    isolate_recompiles: bool = False,
    shapes_spec=None,
):
    """No compilation: Ember has no compiler. A function comes back unchanged; a Module comes back
    wrapped as torch's ``OptimizedModule`` (its state-dict keys prefixed ``_orig_mod.``), running
    the module as it is. Works as ``@compile`` and ``@compile(...)``; torch's arguments are
    accepted and checked, and otherwise ignored."""
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if model is None:
        return lambda fn: compile(fn)  # the decorator's form with arguments
    if not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    from .nn.modules.module import Module

    if isinstance(model, Module):
        from ._compile import OptimizedModule

        return OptimizedModule(model)
    return model
