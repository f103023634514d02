"""Grad modes: whether operations record the graph. Thread-local, as torch's."""

from __future__ import annotations

import functools
import threading


class _State(threading.local):
    enabled = True
    inference = False


_state = _State()


def is_grad_enabled() -> bool:
    """True when operations on tensors that require grad are being recorded."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """Whether inference mode is on (inside an active ``inference_mode`` block)."""
    return _state.inference


class _Mode:
    """Base for the grad-mode context managers; also usable as decorators."""

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(*self._args):
                return fn(*args, **kwargs)

        return wrapper

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
        self.prev = _state.enabled
        _state.enabled = bool(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _state.enabled = self.prev


class no_grad(_Mode):  # noqa: N801
    """Context manager and decorator that disables graph recording."""

    def __enter__(self) -> None:
        self.prev = _state.enabled
        _state.enabled = False

    def __exit__(self, *exc) -> None:
        _state.enabled = self.prev


class enable_grad(_Mode):  # noqa: N801
    """Context manager and decorator that enables graph recording inside ``no_grad``."""

    def __enter__(self) -> None:
        self.prev = _state.enabled
        _state.enabled = True

    def __exit__(self, *exc) -> None:
        _state.enabled = self.prev


class inference_mode(_Mode):  # noqa: N801
    """Like ``no_grad``; Ember keeps no extra bookkeeping that inference mode could skip."""

    def __init__(self, mode: bool = True) -> None:
        self._args = (mode,)
        self.mode = mode

    def __enter__(self) -> None:
        self.prev = (_state.enabled, _state.inference)
        if self.mode:
            _state.enabled, _state.inference = False, True

    def __exit__(self, *exc) -> None:
        _state.enabled, _state.inference = self.prev

    def __call__(self, fn=None):
        if isinstance(fn, bool):  # @inference_mode(False) style is handled by __init__
            return inference_mode(fn)
        return super().__call__(fn)
