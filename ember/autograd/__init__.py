"""``ember.autograd``: reverse-mode automatic differentiation.

``backward``/``grad`` hand the graph to the engine (``engine.py``); the derivative rules live in
``primitives/``; ``Function`` lets users add their own operations.
"""

from __future__ import annotations

import numpy as _np

from . import engine as _engine
from . import (
    functional,  # noqa: F401 - torch.autograd.functional (light: grad_mode only)
    profiler,  # noqa: F401 - torch.autograd.profiler (light: stdlib only)
)
from .engine import anomaly as _anomaly
from .engine import run_backward
from .function import (
    Function,
    FunctionCtx,
    InplaceFunction,
    NestedIOFunction,
    once_differentiable,
)
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

__all__ = [
    "Function",
    "FunctionCtx",
    "InplaceFunction",
    "NestedIOFunction",
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "gradcheck",
    "gradgradcheck",
    "detect_anomaly",
    "set_detect_anomaly",
    "Variable",
    "once_differentiable",
    "is_inference_mode_enabled",
]


def _tensors(x) -> tuple:
    if x is None:
        return ()
    if type(x) is tuple:  # Tensor.backward's (self,): no import on the hot path
        return x
    from .._tensor import Tensor

    if isinstance(x, Tensor):
        return (x,)
    return tuple(x)


def _roots_and_grads(outputs, grad_outputs, create_graph):
    roots, grads = [], []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out._rg:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":  # complex too: which real loss is meant is unknown
                raise RuntimeError(
                    "grad can be implicitly created only for real scalar outputs but got "
                    f"{out.dtype}"
                )
            g = _engine.wrap_array(_engine.ones_for(out._data))
        elif g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {out.shape}."
            )
        elif not create_graph:
            # A view: the caller keeps ``g``, so a leaf must not adopt its memory as its .grad.
            g = _engine.wrap_array(g._data.view())
        node = out.grad_fn if out.grad_fn is not None else out._grad_accumulator()
        roots.append((node, out._output_nr if out.grad_fn is not None else 0))
        grads.append(g)
    return roots, grads


def backward(
    tensors,
    grad_tensors=None,
    retain_graph=None,
    create_graph=False,
    grad_variables=None,
    inputs=None,
) -> None:
    """Accumulate gradients of ``tensors`` into the ``.grad`` of the leaves they depend on."""
    outputs = tensors if type(tensors) is tuple else _tensors(tensors)  # Tensor.backward's tuple
    grads = _tensors(grad_tensors) if grad_tensors is not None else (None,) * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    ins = _tensors(inputs) if inputs is not None else None
    if ins is not None and not ins:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    roots, grads = _roots_and_grads(outputs, grads, create_graph)
    if create_graph:
        _warn_reference_cycle()
    run_backward(roots, grads, retain_graph, create_graph, inputs=ins, accumulate=True)


def _warn_reference_cycle() -> None:
    """torch's once-per-process warning for ``backward(create_graph=True)``."""
    from .._runtime import warn_once  # (a layer above: it imports Tensor)
    from .._warn import user_stacklevel

    warn_once(
        "backward create_graph",
        "Using backward() with create_graph=True will create a reference cycle between the "
        "parameter and its gradient which can cause a memory leak. We recommend using "
        "autograd.grad when creating the graph to avoid this. If you have to use this function, "
        "make sure to reset the .grad fields of your parameters to None after use to break the "
        "cycle and avoid the leak.",
        stacklevel=user_stacklevel() + 1,
    )


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """The gradients of ``outputs`` with respect to ``inputs``, returned rather than accumulated."""
    if materialize_grads and allow_unused is False:
        raise ValueError(
            "Expected allow_unused to be True or not passed when materialize_grads=True, "
            "but got: allow_unused=False."
        )
    outs = _tensors(outputs)
    ins = _tensors(inputs)
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    gos = _tensors(grad_outputs) if grad_outputs is not None else (None,) * len(outs)
    if len(gos) != len(outs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(gos)} grad_outputs and "
            f"{len(outs)} outputs"
        )
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    roots, grads = _roots_and_grads(outs, gos, create_graph)
    for t in ins:  # torch checks the outputs first
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    results = run_backward(
        roots,
        grads,
        retain_graph,
        create_graph,
        inputs=ins,
        accumulate=False,
        allow_unused=allow_unused,
    )
    if materialize_grads:
        results = [r if r is not None else t.new_zeros(t.shape) for r, t in zip(results, ins)]
    return tuple(results)


class detect_anomaly:  # noqa: N801 - torch's name
    """Context manager: NaN in backward raises, naming the forward operation that made the node."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan

    def __enter__(self):
        import warnings

        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            UserWarning,
            stacklevel=2,
        )
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled, _anomaly.check_nan = True, self.check_nan
        return self

    def __exit__(self, *exc) -> None:
        _anomaly.enabled, _anomaly.check_nan = self.prev

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*a, **k):
            with detect_anomaly(self.check_nan):
                return fn(*a, **k)

        return wrapper


class set_detect_anomaly:  # noqa: N801
    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = (_anomaly.enabled, _anomaly.check_nan)
        _anomaly.enabled, _anomaly.check_nan = mode, check_nan

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        _anomaly.enabled, _anomaly.check_nan = self.prev


def is_anomaly_enabled() -> bool:
    return _anomaly.enabled


# Imported on first use, to keep ``import ember`` quick. ``trace`` is both a submodule and a
# function: importing the submodule sets the package attribute to the module, so the function is
# put back over it.
_LAZY = {
    "trace": ".trace",
    "PitfallWarning": ".pitfalls",
    "set_detect_pitfalls": ".pitfalls",
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


# torch's submodules, imported as torch does: after the names they take from this module.
from . import anomaly_mode, forward_ad, graph  # noqa: E402, F401
from .gradcheck import gradcheck, gradgradcheck  # noqa: E402, F401 - the functions over the module
from .graph import is_multithreading_enabled, set_multithreading_enabled  # noqa: E402, F401
from .variable import Variable  # noqa: E402 - torch's legacy class
from .variable import _variable as variable  # noqa: E402, F401 - torch's deprecated function
