"""``ember.jit``: TorchScript's API without a compiler.

Ember has no compiler and no graph format: ``script`` and ``trace`` return the function or module
they are given, unchanged (``trace`` runs it once on the example inputs first, with
``is_tracing()`` True meanwhile), the decorators (``ignore``, ``unused``, ``export``...) return
what they decorate, and ``fork`` runs its function at once and hands back a completed
:class:`Future`. Code written for TorchScript therefore runs eagerly, as plain Python.
``save``/``load`` raise: a TorchScript archive holds compiled code, which Ember neither writes
nor runs; save ``model.state_dict()`` with ``ember.save`` instead.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import types
import typing
import warnings
from collections.abc import Callable
from typing import Any, Final, NamedTuple

from . import _dtype as D
from .nn.modules.module import Module

__all__ = [
    "Attribute",
    "CompilationUnit",
    "Error",
    "Final",
    "Future",
    "ScriptFunction",
    "ScriptModule",
    "annotate",
    "enable_onednn_fusion",
    "export",
    "export_opnames",
    "fork",
    "freeze",
    "interface",
    "ignore",
    "is_scripting",
    "is_tracing",
    "isinstance",
    "load",
    "onednn_fusion_enabled",
    "optimize_for_inference",
    "save",
    "script",
    "script_if_tracing",
    "script_method",
    "set_fusion_strategy",
    "strict_fusion",
    "trace",
    "trace_module",
    "unused",
    "wait",
]

_tracing = False


def is_scripting() -> bool:
    """False: Ember never compiles, so code always runs as Python."""
    return False


def is_tracing() -> bool:
    """True only while ``trace``/``trace_module`` run their example inputs."""
    return _tracing


class Error(Exception):
    """The error TorchScript code raises (kept so that ``except ember.jit.Error`` works)."""


class ScriptModule(Module):
    """TorchScript's module base class; subclassing it gives an ordinary Ember Module (its
    ``@script_method`` methods run as Python). ``script``/``trace`` never make one."""

    def __init__(self) -> None:
        super().__init__()


class ScriptFunction:
    """TorchScript's compiled-function type; ``script``/``trace`` never make one, they return the
    function unchanged."""

    def __init__(self, *args, **kwargs) -> None:
        raise RuntimeError(_no_compiler("ScriptFunction"))


class CompilationUnit:
    """TorchScript's unit of compiled source, which Ember cannot compile."""

    def __init__(self, lang: str | None = None, _frames_up: int = 0) -> None:
        if lang is not None:
            raise RuntimeError(_no_compiler("CompilationUnit"))


class Attribute(NamedTuple):
    """A module attribute annotated with its TorchScript type; only ``value`` matters here."""

    value: Any
    type: Any


_EXPORT = "Please switch to `{ns}.compile` or `{ns}.export`."
_COMPILE = "Please use `{ns}.compile` instead."


def _deprecated(name: str, advice: str) -> None:
    """torch 2.13's deprecation warning for a TorchScript entry point."""
    ns = D.NAMESPACE
    warnings.warn(
        f"`{ns}.jit.{name}` is deprecated. {advice.format(ns=ns)}", DeprecationWarning, stacklevel=3
    )


def _no_compiler(what: str) -> str:
    return f"{__name__}.{what}: Ember has no TorchScript compiler"


def script(
    obj: Any,
    optimize: None = None,
    _frames_up: int = 0,
    _rcb: Callable[[str], Any] | None = None,
    example_inputs: list[tuple] | dict[Callable, list[tuple]] | None = None,
) -> Any:
    """``obj`` unchanged: a function or Module runs eagerly as written."""
    _deprecated("script", _EXPORT)
    if not callable(obj) and type(obj).__module__ == "builtins":
        raise TypeError(f"{type(obj)} is a built-in class")
    return obj


def script_method(fn: Callable) -> Callable:
    """``fn`` unchanged (the decorator of ``ScriptModule`` methods)."""
    return fn


def _as_args(example_inputs) -> tuple:
    """Trace's positional example inputs: a tuple or list is the arguments, else one argument."""
    if builtins.isinstance(example_inputs, (tuple, list)):
        return tuple(example_inputs)
    return (example_inputs,)


@contextlib.contextmanager
def _tracing_on():
    global _tracing
    previous, _tracing = _tracing, True
    try:
        yield
    finally:
        _tracing = previous


def trace(
    func: Callable,
    example_inputs: Any = None,
    optimize: None = None,
    check_trace: bool = True,
    check_inputs: list | None = None,
    check_tolerance: float = 1e-05,
    strict: bool = True,
    _force_outplace: bool = False,
    _module_class: Any = None,
    _compilation_unit: Any = None,
    example_kwarg_inputs: dict | None = None,
    _store_inputs: bool = True,
) -> Callable:
    """Run ``func`` once on the example inputs and return it unchanged (Ember records no graph,
    so data-dependent control flow keeps working, unlike torch's traces)."""
    _deprecated("trace", _EXPORT)
    if not callable(func):
        raise RuntimeError("Could not get name of python class object")
    if example_kwarg_inputs is not None:
        if not builtins.isinstance(example_kwarg_inputs, dict):
            raise TypeError(
                f"example_kwarg_inputs should be a dict, not {type(example_kwarg_inputs).__name__}"
            )
        with _tracing_on():
            func(**example_kwarg_inputs)
        return func
    if example_inputs is None:
        raise TypeError("'NoneType' object is not iterable")
    with _tracing_on():
        func(*_as_args(example_inputs))
    return func


def trace_module(
    mod: Module,
    inputs: dict[str, Any],
    optimize: None = None,
    check_trace: bool = True,
    check_inputs: list | None = None,
    check_tolerance: float = 1e-05,
    strict: bool = True,
    _force_outplace: bool = False,
    _module_class: Any = None,
    _compilation_unit: Any = None,
    example_inputs_is_kwarg: bool = False,
    _store_inputs: bool = True,
) -> Module:
    """Run each named method of ``mod`` once on its example inputs; return ``mod`` unchanged."""
    _deprecated("trace_method", _EXPORT)
    if not builtins.isinstance(mod, Module):
        raise AttributeError("expected torch.nn.Module as the first argument")
    if not builtins.isinstance(inputs, dict):
        raise AttributeError("expected a dictionary of (method_name, input) pairs")
    with _tracing_on():
        for name, example in inputs.items():
            method = getattr(mod, name)
            if example_inputs_is_kwarg:
                method(**example)
            else:
                method(*_as_args(example))
    return mod


def script_if_tracing(fn: Callable) -> Callable:
    """``fn`` unchanged."""
    return fn


def ignore(drop: bool | Callable = False, **kwargs) -> Callable:
    """Leave a function to Python (``@ignore`` or ``@ignore(drop=True)``): ``fn`` unchanged."""
    if callable(drop):
        return drop
    if not builtins.isinstance(drop, bool):
        raise RuntimeError(
            f"Argument to @{D.NAMESPACE}.jit.ignore must be a bool or a function but got "
            f"{drop.__class__.__name__}"
        )
    if drop:
        warnings.warn(
            "ignore(True) has been deprecated. TorchScript will now drop the function call on "
            f"compilation. Use {D.NAMESPACE}.jit.unused now. {kwargs}",
            FutureWarning,
            stacklevel=2,
        )
    return lambda fn: fn


def unused(fn: Callable) -> Callable:
    """``fn`` unchanged (TorchScript would replace it with a raise)."""
    return fn


def export(fn: Callable) -> Callable:
    """``fn`` unchanged (TorchScript would compile it as an entry point)."""
    return fn


def interface(obj: Any) -> Any:
    """``obj`` unchanged: a class declaring a TorchScript interface."""
    _deprecated("interface", _COMPILE)
    if not builtins.isinstance(obj, type):
        raise RuntimeError("interface must be applied to a class")
    return obj


def annotate(the_type: Any, the_value: Any) -> Any:
    """``the_value``: the annotation only informs the TorchScript compiler."""
    return the_value


def isinstance(obj: Any, target_type: Any) -> bool:  # noqa: A001 - torch's name
    """``builtins.isinstance`` that also checks the element types of ``list[int]``,
    ``dict[str, Tensor]``, ``tuple[...]`` and ``Optional[...]`` containers."""
    origin = typing.get_origin(target_type)
    args = typing.get_args(target_type)
    if origin is None:
        if target_type is Any:
            return True
        if target_type is None or target_type is type(None):
            return obj is None
        return builtins.isinstance(obj, target_type)
    if origin is typing.Union or origin is types.UnionType:
        return builtins.any(isinstance(obj, t) for t in args)
    if not builtins.isinstance(obj, origin):
        return False
    if not args:
        return True
    if origin is list:
        return builtins.all(isinstance(x, args[0]) for x in obj)
    if origin is dict:
        return builtins.all(
            isinstance(k, args[0]) and isinstance(v, args[1]) for k, v in obj.items()
        )
    if origin is tuple:
        return len(obj) == len(args) and builtins.all(isinstance(x, t) for x, t in zip(obj, args))
    return True


class Future:
    """A value that is already there: Ember's ``fork`` runs its function before returning."""

    def __init__(self, *, devices: list | None = None) -> None:
        self._done = False
        self._value: Any = None
        self._error: BaseException | None = None
        self._callbacks: list[Callable[[Future], Any]] = []

    def done(self) -> bool:
        """Whether a result or an exception has been set."""
        return self._done

    def _complete(self) -> None:
        if self._done:
            raise RuntimeError(
                "Attempting to mark a completed Future as complete again. Note that a Future can "
                "only be marked completed once."
            )
        self._done = True
        for callback in self._callbacks:
            callback(self)
        self._callbacks.clear()

    def set_result(self, result: Any) -> None:
        """Complete the future with ``result``."""
        self._value = result
        self._complete()

    def set_exception(self, result: BaseException) -> None:
        """Complete the future with an exception, raised by ``wait``/``value``."""
        if not builtins.isinstance(result, BaseException):
            raise AssertionError(f"{result} is of type {type(result)}, not an Exception.")
        self._error = result
        self._complete()

    def value(self) -> Any:
        """The result (or raise the exception) of a completed future."""
        if not self._done:
            raise RuntimeError(
                "Future.value(): the future is not completed, and in Ember nothing runs in the "
                "background to complete it"
            )
        if self._error is not None:
            raise self._error
        return self._value

    def wait(self) -> Any:
        """The result: Ember's futures complete before ``fork`` returns, so this never blocks."""
        return self.value()

    def then(self, callback: Callable[[Future], Any]) -> Future:
        """A future completed with ``callback(self)`` once this one completes."""
        chained = Future()

        def run(fut: Future) -> None:
            try:
                chained.set_result(callback(fut))
            except Exception as e:  # the callback's error goes to the chained future, as in torch
                chained.set_exception(e)

        self.add_done_callback(run)
        return chained

    def add_done_callback(self, callback: Callable[[Future], None]) -> None:
        """Call ``callback(self)`` when completed (at once if it already is)."""
        if self._done:
            callback(self)
        else:
            self._callbacks.append(callback)


def fork(func: Callable, *args, **kwargs) -> Future:
    """Call ``func(*args, **kwargs)`` now and return a completed :class:`Future` of its result;
    an exception raised by ``func`` propagates at once."""
    _deprecated("fork", _COMPILE)
    return _fork(func, *args, **kwargs)


def _fork(func: Callable, *args, **kwargs) -> Future:
    """``ember.fork``: ``jit.fork`` without its deprecation warning, as torch's top-level one."""
    if not callable(func):
        raise TypeError(f"Object of type '{type(func).__name__}' is not an instance of 'function'")
    future = Future()
    future.set_result(func(*args, **kwargs))
    return future


def wait(future: Future) -> Any:
    """The result of a :class:`Future` made by :func:`fork`."""
    _deprecated("wait", _COMPILE)
    return _wait(future)


def _wait(future: Future) -> Any:
    """``ember.wait``: ``jit.wait`` without its deprecation warning."""
    if not builtins.isinstance(future, Future):
        raise TypeError(f"wait(): argument 'future' must be Future, not {type(future).__name__}")
    return future.wait()


def freeze(mod: Module, preserved_attrs: list[str] | None = None, optimize_numerics: bool = True):
    """``mod`` unchanged: there is no compiled graph to fold constants into."""
    _deprecated("freeze", _COMPILE)
    if not builtins.isinstance(mod, Module):
        raise RuntimeError(
            "Freezing expects a ScriptModule as input. Please use torch.jit.script or "
            "torch.jit.trace to script your 'nn.Module'."
        )
    return mod


def optimize_for_inference(mod: Module, other_methods: list[str] | None = None) -> Module:
    """``mod`` unchanged: Ember has no graph optimiser."""
    _deprecated("optimize_for_inference", _COMPILE)
    if not builtins.isinstance(mod, Module):
        raise RuntimeError(
            "optimize_for_inference expects a ScriptModule as input. Please use torch.jit.script "
            "or torch.jit.trace to script your 'nn.Module'."
        )
    return mod


def export_opnames(m: Module) -> list[str]:
    """Raises: there are no compiled operators to list."""
    raise RuntimeError(_no_compiler("export_opnames"))


_onednn_fusion = False
_fusion_strategy: list[tuple[str, int]] = [("STATIC", 2), ("DYNAMIC", 10)]


def enable_onednn_fusion(enabled: bool) -> None:
    """Record the flag; Ember fuses nothing."""
    global _onednn_fusion
    _onednn_fusion = builtins.bool(enabled)


def onednn_fusion_enabled() -> bool:
    """The flag set by ``enable_onednn_fusion`` (False by default)."""
    return _onednn_fusion


def set_fusion_strategy(strategy: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Record the strategy and return the previous one; Ember fuses nothing."""
    _deprecated("set_fusion_strategy", _COMPILE)
    global _fusion_strategy
    for kind, _depth in strategy:
        if kind not in ("STATIC", "DYNAMIC"):
            raise ValueError(f"FusionBehavior only supported 'STATIC' or 'DYNAMIC', got: {kind}")
    previous, _fusion_strategy = _fusion_strategy, [tuple(s) for s in strategy]
    return previous


class strict_fusion:  # noqa: N801 - torch's name
    """A context manager that does nothing (no fusion groups to check)."""

    def __init__(self) -> None:
        warnings.warn("Only works in script mode", stacklevel=2)

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc) -> None:
        return None


def save(m: Any, f: Any, _extra_files: dict | None = None) -> None:
    """Raises: a TorchScript archive holds compiled code, which Ember cannot produce."""
    _deprecated("save", "Please switch to `{ns}.export`.")
    raise RuntimeError(
        f"{_no_compiler('save')}, so it cannot write a TorchScript archive. Save the weights with "
        "ember.save(model.state_dict(), f) and rebuild the model in Python."
    )


def load(f: Any, map_location: Any = None, _extra_files: dict | None = None, _restore_shapes=False):
    """Raises: a TorchScript archive holds compiled code, which Ember does not run (a file is
    never a source of code to Ember)."""
    _deprecated("load", "Please switch to `{ns}.export`.")
    if builtins.isinstance(f, (str, os.PathLike)) and not os.path.exists(f):
        raise ValueError(f"The provided filename {os.fspath(f)} does not exist")
    raise RuntimeError(
        f"{_no_compiler('load')}, so it cannot run a TorchScript archive. Load a state dict "
        "with ember.load instead, into a model built in Python."
    )
