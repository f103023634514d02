"""A restricted unpickler for dataset files that are pickles of plain data and NumPy arrays.

``pickle.load`` resolves every global a file names and calls whatever the file reduces with, so a
crafted "dataset" can run arbitrary code. The files read here (the CIFAR batches, written by
Python 2's ``cPickle``) need only dicts, lists, strings, numbers and NumPy arrays, so
``ember._safe_pickle.RestrictedUnpickler`` resolves exactly the globals that rebuild an array and
refuses the rest before anything is called.
"""

from __future__ import annotations

import io
import os
from typing import Any

from ..._safe_pickle import RestrictedUnpickler, UnsafePickleError

__all__ = ["UnsafePickleError", "load", "loads"]


def loads(data: bytes, encoding: str = "latin1") -> Any:
    """Unpickle ``data`` admitting only plain containers, numbers, strings and NumPy arrays.

    ``encoding="latin1"`` decodes Python 2 ``str`` objects (as torchvision does for CIFAR).
    Raises ``UnsafePickleError`` (a ``pickle.UnpicklingError``) naming any other global.
    """
    # A BytesIO source bounds every read by the real data, so a length field that lies cannot make
    # the unpickler allocate more than the file holds.
    return RestrictedUnpickler(io.BytesIO(data), encoding=encoding).load()


def load(path: str | os.PathLike, encoding: str = "latin1") -> Any:
    """Read the file at ``path`` and unpickle it with :func:`loads`."""
    with open(path, "rb") as f:
        data = f.read()
    return loads(data, encoding=encoding)
