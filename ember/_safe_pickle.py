"""The restricted-unpickler base shared by ``ember.load`` and the dataset readers.

``pickle.load`` resolves every global a file names and calls whatever the file reduces with, so a
crafted file can run arbitrary code. A :class:`RestrictedUnpickler` resolves only the globals in
its allow-list (NumPy array reconstruction and latin-1 ``bytes`` by default; a subclass adds its
own) and refuses everything else, and every persistent id, before anything is called.

A leaf module: NumPy and the standard library only, so any layer may use it.
"""

from __future__ import annotations

import codecs
import pickle
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np

__all__ = ["RestrictedUnpickler", "UnsafePickleError", "numpy_globals"]


class UnsafePickleError(pickle.UnpicklingError):
    """Raised when a pickle names a global outside the allow-list."""


def _numpy_core_attr(module: str, name: str) -> Any:
    # NumPy 2 moved ``numpy.core`` to ``numpy._core``; look up whichever this NumPy has without
    # touching the deprecated alias (which warns on access).
    for package in ("numpy._core", "numpy.core"):
        try:
            mod = __import__(f"{package}.{module}", fromlist=[name])
        except ImportError:
            continue
        if hasattr(mod, name):
            return getattr(mod, name)
    raise AttributeError(f"numpy has no {module}.{name}")


def numpy_globals() -> dict[tuple[str, str], Any]:
    """What rebuilds a NumPy array or scalar, under both spellings of NumPy's core package."""
    allowed: dict[tuple[str, str], Any] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
    }
    for module, name in (
        ("multiarray", "_reconstruct"),
        ("multiarray", "scalar"),
        ("numeric", "_frombuffer"),
    ):
        fn = _numpy_core_attr(module, name)
        for package in ("numpy.core", "numpy._core"):
            allowed[(f"{package}.{module}", name)] = fn
    return allowed


_LATIN1 = {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1"}


def _latin1_encoder(error: type[Exception]) -> Callable[..., bytes]:
    def encode(obj: Any, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        # Python 3 writes ``bytes`` into protocol-2 pickles as ``_codecs.encode(str, "latin1")``.
        # Only that spelling is admitted: other codecs (zlib, bz2, ...) have no business here.
        if not isinstance(obj, str) or str(encoding).lower() not in _LATIN1:
            raise error(
                f"refused call _codecs.encode(<{type(obj).__name__}>, {encoding!r}): only latin-1 "
                "encoding of a str is allowed"
            )
        return codecs.encode(obj, "latin1", errors)

    return encode


class RestrictedUnpickler(pickle.Unpickler):
    """Resolves only ``allowed_globals()``; refuses other globals and every persistent id.

    Subclasses extend ``allowed_globals`` (built once per class, on first use), change ``error``
    (the exception type raised) or override ``refuse`` (its message) and ``extra_global`` (a
    lookup consulted first, for allow-lists that change at run time).
    """

    error: ClassVar[type[Exception]] = UnsafePickleError
    _allowed_cache: ClassVar[dict[type, dict[tuple[str, str], Any]]] = {}

    @classmethod
    def allowed_globals(cls) -> dict[tuple[str, str], Any]:
        allowed = numpy_globals()
        allowed[("_codecs", "encode")] = _latin1_encoder(cls.error)
        return allowed

    @classmethod
    def _allowed(cls) -> dict[tuple[str, str], Any]:
        if cls not in RestrictedUnpickler._allowed_cache:
            RestrictedUnpickler._allowed_cache[cls] = cls.allowed_globals()
        return RestrictedUnpickler._allowed_cache[cls]

    def extra_global(self, module: str, name: str) -> Any:
        return None

    def refuse(self, module: str, name: str) -> Exception:
        return self.error(
            f"refused to load global '{module}.{name}': only NumPy array reconstruction "
            "(numpy.core.multiarray._reconstruct, numpy.ndarray, numpy.dtype) is allowed"
        )

    def find_class(self, module: str, name: str) -> Any:
        extra = self.extra_global(module, name)
        if extra is not None:
            return extra
        try:
            return self._allowed()[(module, name)]
        except KeyError:
            raise self.refuse(module, name) from None

    def persistent_load(self, pid: Any) -> Any:
        raise self.error("refused persistent id: persistent loads are not allowed")
