"""Grad modes: whether operations record the graph. Thread-local, as torch's."""

from __future__ import annotations

import functools
import inspect
import sys
import threading


class _State(threading.local):
    enabled = True  # operations record the graph
    inference = False
    # Grad mode switched on inside inference mode: reported by is_grad_enabled(), but nothing is
    # recorded there (torch's inference tensors never are), so ``enabled`` stays False.
    inference_grad = False


_state = _State()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are being recorded."""
    return _state.enabled or _state.inference_grad


def is_inference_mode_enabled() -> bool:
    """Whether inference mode is on (inside an active ``inference_mode`` block)."""
    return _state.inference


class _Mode:
    """Base for the grad-mode context managers; also usable as decorators."""

    def __call__(self, fn):
        if inspect.isgeneratorfunction(fn):
            return self._wrap_generator(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper

    def _wrap_generator(self, fn):
        # the mode must hold while the generator body runs, i.e. around every resume, and be
        # lifted whenever it yields control back to the caller
        @functools.wraps(fn)
        def generator(*args, **kwargs):
            gen = fn(*args, **kwargs)
            try:
                with self.clone():
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with self.clone():
                            gen.close()
                        raise
                    except BaseException:
                        with self.clone():
                            response = gen.throw(*sys.exc_info())
                    else:
                        with self.clone():
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return generator

    _args: tuple = ()

    def clone(self):
        """A fresh context manager of the same kind and arguments."""
        return self.__class__(*self._args)


class set_grad_enabled(_Mode):  # noqa: N801 - torch's name
    """Turn recording on or off; takes effect immediately and as a context manager."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(
                "set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                + type(mode).__name__
            )
        self._args = (mode,)
        self.prev = _set(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _restore(self.prev)

    def __call__(self, fn):
        # as a decorator it must not leave the mode switched on from its construction
        _restore(self.prev)
        return super().__call__(fn)


def _set(mode: bool) -> tuple:
    """Switch grad mode; returns what ``_restore`` puts back."""
    prev = (_state.enabled, _state.inference_grad)
    if _state.inference:
        _state.inference_grad = mode
    else:
        _state.enabled = mode
    return prev


def _restore(prev: tuple) -> None:
    _state.enabled, _state.inference_grad = prev


class _NoParamMode(_Mode):
    """A mode that is also usable as a bare decorator: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None):
        if orig_func is None:
            return super().__new__(cls)
        if not callable(orig_func):
            raise TypeError(f"{cls.__name__}() takes no arguments")
        return cls()(orig_func)


class no_grad(_NoParamMode):  # noqa: N801
    """Context manager and decorator that disables graph recording."""

    def __enter__(self) -> None:
        self.prev = _set(False)

    def __exit__(self, *exc) -> None:
        _restore(self.prev)


class enable_grad(_NoParamMode):  # noqa: N801
    """Context manager and decorator that enables graph recording inside ``no_grad``."""

    def __enter__(self) -> None:
        self.prev = _set(True)

    def __exit__(self, *exc) -> None:
        _restore(self.prev)


class inference_mode(_Mode):  # noqa: N801
    """Like ``no_grad``; Ember keeps no extra bookkeeping that inference mode could skip."""

    def __new__(cls, mode=True):
        if isinstance(mode, bool):
            return super().__new__(cls)
        return cls()(mode)  # bare ``@inference_mode``

    def __init__(self, mode: bool = True) -> None:
        self._args = (mode,)
        self.mode = mode

    def __enter__(self) -> None:
        self.prev = (_state.enabled, _state.inference, _state.inference_grad)
        if self.mode:
            _state.enabled, _state.inference, _state.inference_grad = False, True, False

    def __exit__(self, *exc) -> None:
        _state.enabled, _state.inference, _state.inference_grad = self.prev

    def __call__(self, fn=None):
        if isinstance(fn, bool):  # @inference_mode(False) style is handled by __init__
            return inference_mode(fn)
        return super().__call__(fn)
