"""A restricted unpickler for dataset files that are pickles of plain data and NumPy arrays.

``pickle.load`` resolves every global a file names and calls whatever the file reduces with, so a
crafted "dataset" can run arbitrary code. The files read here (the CIFAR batches, written by
Python 2's ``cPickle``) need only dicts, lists, strings, numbers and NumPy arrays, so the
unpickler below resolves exactly the globals that rebuild an array and refuses the rest before
anything is called.
"""

from __future__ import annotations

import codecs
import io
import os
import pickle
from typing import Any

import numpy as np

__all__ = ["UnsafePickleError", "load", "loads"]


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


_LATIN1 = {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1"}


def _codecs_encode(obj: Any, encoding: str = "utf-8", errors: str = "strict") -> bytes:
    # Python 3 writes ``bytes`` into protocol-2 pickles as ``_codecs.encode(str, "latin1")``.
    # Only that spelling is admitted: other codecs (zlib, bz2, ...) have no business here.
    if not isinstance(obj, str) or str(encoding).lower() not in _LATIN1:
        raise UnsafePickleError(
            f"refused call _codecs.encode(<{type(obj).__name__}>, {encoding!r}): only latin-1 "
            "encoding of a str is allowed"
        )
    return codecs.encode(obj, "latin1", errors)


def _allowed_globals() -> dict[tuple[str, str], Any]:
    reconstruct = _numpy_core_attr("multiarray", "_reconstruct")
    scalar = _numpy_core_attr("multiarray", "scalar")
    frombuffer = _numpy_core_attr("numeric", "_frombuffer")
    allowed: dict[tuple[str, str], Any] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("_codecs", "encode"): _codecs_encode,
    }
    for package in ("numpy.core", "numpy._core"):
        allowed[(f"{package}.multiarray", "_reconstruct")] = reconstruct
        allowed[(f"{package}.multiarray", "scalar")] = scalar
        allowed[(f"{package}.numeric", "_frombuffer")] = frombuffer
    return allowed


class _RestrictedUnpickler(pickle.Unpickler):
    _allowed: dict[tuple[str, str], Any] | None = None

    def find_class(self, module: str, name: str) -> Any:
        if _RestrictedUnpickler._allowed is None:
            _RestrictedUnpickler._allowed = _allowed_globals()
        try:
            return _RestrictedUnpickler._allowed[(module, name)]
        except KeyError:
            raise UnsafePickleError(
                f"refused to load global '{module}.{name}': only NumPy array reconstruction "
                "(numpy.core.multiarray._reconstruct, numpy.ndarray, numpy.dtype) is allowed"
            ) from None

    def persistent_load(self, pid: Any) -> Any:
        raise UnsafePickleError("refused persistent id: persistent loads are not allowed")


def loads(data: bytes, encoding: str = "latin1") -> Any:
    """Unpickle ``data`` admitting only plain containers, numbers, strings and NumPy arrays.

    ``encoding="latin1"`` decodes Python 2 ``str`` objects (as torchvision does for CIFAR).
    Raises ``UnsafePickleError`` (a ``pickle.UnpicklingError``) naming any other global.
    """
    # A BytesIO source bounds every read by the real data, so a length field that lies cannot make
    # the unpickler allocate more than the file holds.
    return _RestrictedUnpickler(io.BytesIO(data), encoding=encoding).load()


def load(path: str | os.PathLike, encoding: str = "latin1") -> Any:
    """Read the file at ``path`` and unpickle it with :func:`loads`."""
    with open(path, "rb") as f:
        data = f.read()
    return loads(data, encoding=encoding)
