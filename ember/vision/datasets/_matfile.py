"""A small reader for MATLAB level-5 MAT-files (the ``.mat`` files of SVHN, Flowers102, Cars).

Only NumPy and the standard library: Ember does not require scipy. The reader understands
numeric, logical, char, cell and struct arrays, compressed or not, in either byte order, and
parses the file as data only (nothing in it is ever executed). Every length a file claims is
checked against the bytes actually present before anything is allocated.

Values come back unsqueezed, as MATLAB stores them:

- numeric arrays: ``np.ndarray`` of the MATLAB shape and class (logical reads as uint8), as
  scipy's ``loadmat`` gives them;
- char arrays: ``str`` for a single row (or empty), else a list of the row strings;
- cell arrays: object ``np.ndarray`` of the values;
- struct arrays: object ``np.ndarray`` of ``dict`` (field name -> value).
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["MatFileError", "loadmat"]

# Storage types of data elements.
_MI_DTYPES = {
    1: "i1",
    2: "u1",
    3: "i2",
    4: "u2",
    5: "i4",
    6: "u4",
    7: "f4",
    9: "f8",
    12: "i8",
    13: "u8",
    16: "u1",  # utf-8
    17: "u2",  # utf-16
    18: "u4",  # utf-32
}
_MI_MATRIX, _MI_COMPRESSED = 14, 15
_TEXT_TYPES = {16: "utf-8", 17: "utf-16", 18: "utf-32"}

# Array classes of miMATRIX elements.
_MX_CELL, _MX_STRUCT, _MX_OBJECT, _MX_CHAR, _MX_SPARSE = 1, 2, 3, 4, 5
_MX_NUMERIC = {
    6: "f8",
    7: "f4",
    8: "i1",
    9: "u1",
    10: "i2",
    11: "u2",
    12: "i4",
    13: "u4",
    14: "i8",
    15: "u8",
}
_COMPLEX_FLAG = 0x0800


class MatFileError(ValueError):
    """Raised for a file that is not a readable level-5 MAT-file."""


class _Reader:
    def __init__(self, data: memoryview, order: str, path: str) -> None:
        self.data, self.order, self.path = data, order, path

    def fail(self, what: str) -> MatFileError:
        return MatFileError(f"MAT-file {self.path}: {what}")

    def tag(self, pos: int, end: int) -> tuple[int, int, int, int]:
        """``(type, nbytes, data_start, next_element)`` of the element at ``pos``."""
        if pos + 8 > end:
            raise self.fail(f"truncated element tag at byte {pos}")
        mtype, nbytes = np.frombuffer(self.data[pos : pos + 8], self.order + "u4").tolist()
        if mtype >> 16:  # small data element: type, size and up to 4 bytes in 8
            nbytes, mtype = mtype >> 16, mtype & 0xFFFF
            if nbytes > 4:
                raise self.fail(f"small data element of {nbytes} bytes at byte {pos}")
            return mtype, nbytes, pos + 4, pos + 8
        start = pos + 8
        if start + nbytes > end:
            raise self.fail(f"element at byte {pos} claims {nbytes} bytes; only {end - start} left")
        padded = nbytes if mtype == _MI_COMPRESSED else (nbytes + 7) // 8 * 8
        return mtype, nbytes, start, min(start + padded, end)

    def numbers(self, pos: int, end: int) -> tuple[np.ndarray, int, int]:
        """The numeric data element at ``pos`` as an array, its storage type and the next pos."""
        mtype, nbytes, start, after = self.tag(pos, end)
        if mtype not in _MI_DTYPES:
            raise self.fail(f"unexpected data type {mtype} at byte {pos}")
        dtype = np.dtype(self.order + _MI_DTYPES[mtype])
        if nbytes % dtype.itemsize:
            raise self.fail(f"{nbytes} bytes is not a whole number of {dtype} values")
        return np.frombuffer(self.data[start : start + nbytes], dtype), mtype, after

    def matrix(self, start: int, end: int) -> tuple[str, Any]:
        """Parse the body of an miMATRIX element: returns ``(name, value)``."""
        if start == end:  # MATLAB writes an empty array as an element with no body
            return "", np.empty((0, 0))
        flags, _, pos = self.numbers(start, end)
        if len(flags) < 2:
            raise self.fail("array flags element is too short")
        flags_word = int(flags[0])
        mclass = flags_word & 0xFF
        dims_arr, _, pos = self.numbers(pos, end)
        dims = tuple(int(d) for d in dims_arr)
        if len(dims) < 2 or min(dims) < 0:
            raise self.fail(f"bad dimensions {dims}")
        name_arr, _, pos = self.numbers(pos, end)
        name = bytes(name_arr.astype(np.uint8)).decode("latin-1")
        count = int(np.prod(dims, dtype=object))
        if mclass in _MX_NUMERIC:
            if flags_word & _COMPLEX_FLAG:
                raise self.fail(f"complex array {name!r} is not supported")
            values, _, pos = self.numbers(pos, end)
            if len(values) != count:
                raise self.fail(f"{name!r} holds {len(values)} values for dimensions {dims}")
            return name, self._shape(values.astype(_MX_NUMERIC[mclass], copy=False), dims)
        if mclass == _MX_CHAR:
            return name, self._chars(pos, end, dims, count, name)
        if mclass == _MX_CELL:
            cells = self._elements(pos, end, count, name)
            return name, self._shape(self._objects(cells), dims)
        if mclass == _MX_STRUCT:
            return name, self._struct(pos, end, dims, count, name)
        kind = {_MX_OBJECT: "object", _MX_SPARSE: "sparse"}.get(mclass, f"class {mclass}")
        raise self.fail(f"{kind} array {name!r} is not supported")

    @staticmethod
    def _shape(flat: np.ndarray, dims: tuple[int, ...]) -> np.ndarray:
        # MATLAB stores arrays column-major: the reversed-shape view, transposed, is the array.
        return flat.reshape(dims[::-1]).transpose()

    @staticmethod
    def _objects(values: list[Any]) -> np.ndarray:
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out

    def _chars(self, pos: int, end: int, dims: tuple[int, ...], count: int, name: str) -> Any:
        codes, mtype, _ = self.numbers(pos, end) if pos < end else (np.empty(0, "u2"), 4, pos)
        if mtype in _TEXT_TYPES:
            suffix = "" if mtype == 16 else ("-le" if self.order == "<" else "-be")
            text = codes.tobytes().decode(_TEXT_TYPES[mtype] + suffix)
            codes = np.array([ord(c) for c in text], dtype=np.uint32)
        if len(codes) != count:
            raise self.fail(f"char array {name!r} holds {len(codes)} characters for {dims}")
        if len(dims) != 2:
            raise self.fail(f"char array {name!r} has {len(dims)} dimensions")
        grid = self._shape(codes.astype(np.uint32), dims)
        rows = ["".join(map(chr, row)) for row in grid.tolist()]
        return rows[0] if len(rows) == 1 else ("" if not rows else rows)

    def _elements(self, pos: int, end: int, count: int, name: str) -> list[Any]:
        values = []
        for _ in range(count):
            mtype, nbytes, start, after = self.tag(pos, end)
            if mtype != _MI_MATRIX:
                raise self.fail(f"element of {name!r} has type {mtype}, expected an array")
            values.append(self.matrix(start, start + nbytes)[1])
            pos = after
        return values

    def _struct(self, pos: int, end: int, dims: tuple[int, ...], count: int, name: str) -> Any:
        length_arr, _, pos = self.numbers(pos, end)
        names_arr, _, pos = self.numbers(pos, end)
        if len(length_arr) != 1 or int(length_arr[0]) <= 0:
            raise self.fail(f"struct {name!r} has a bad field-name length")
        width = int(length_arr[0])
        raw = bytes(names_arr.astype(np.uint8))
        if len(raw) % width:
            raise self.fail(f"struct {name!r} field names do not fill whole slots")
        slots = [raw[i : i + width] for i in range(0, len(raw), width)]
        fields = [slot.split(b"\0", 1)[0].decode("latin-1") for slot in slots]
        values = self._elements(pos, end, count * len(fields), name)
        records = [
            dict(zip(fields, values[i * len(fields) : (i + 1) * len(fields)])) for i in range(count)
        ]
        return self._shape(self._objects(records), dims)


def _inflate(reader: _Reader, start: int, nbytes: int) -> memoryview:
    """Decompress the element at ``start``, never producing more than its own tag declares."""
    inflater = zlib.decompressobj()
    try:
        head = inflater.decompress(reader.data[start : start + nbytes], 8)
        if len(head) < 8:
            raise reader.fail("compressed element is too short")
        mtype, size = np.frombuffer(head, reader.order + "u4").tolist()
        size = 0 if mtype >> 16 else size  # a small element's data sits in its 8-byte tag
        # Inflated in one call bounded by the declared size: a false size cannot make this
        # allocate more than the compressed stream really holds.
        body = inflater.decompress(inflater.unconsumed_tail, size)
        extra = inflater.decompress(inflater.unconsumed_tail, 8)
    except zlib.error as e:
        raise reader.fail(f"corrupt compressed element ({e})") from e
    if len(body) < size:
        raise reader.fail(f"compressed element is truncated: {len(body)} of {size} bytes")
    if len(extra) == 8:  # a writer may pad the stream to 8 bytes; more is not an element
        raise reader.fail("compressed element holds more data than its tag declares")
    return memoryview(head + body)


def loadmat(path: str | os.PathLike | Path) -> dict[str, Any]:
    """Read the variables of a level-5 MAT-file into a dict (see the module docstring)."""
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = memoryview(f.read())
    if len(data) < 128:
        raise MatFileError(f"MAT-file {path}: not a level-5 MAT-file (shorter than a header)")
    if bytes(data[:10]) == b"MATLAB 7.3" or bytes(data[:8]) == b"\x89HDF\r\n\x1a\n":
        raise MatFileError(f"MAT-file {path}: version 7.3 (HDF5) files are not supported")
    order = {b"IM": "<", b"MI": ">"}.get(bytes(data[126:128]))
    if order is None or data[0] == 0:
        raise MatFileError(f"MAT-file {path}: not a level-5 MAT-file (bad header)")
    reader = _Reader(data, order, path)
    out: dict[str, Any] = {}
    pos = 128
    while pos < len(data):
        mtype, nbytes, start, after = reader.tag(pos, len(data))
        element = reader
        if mtype == _MI_COMPRESSED:
            element = _Reader(_inflate(reader, start, nbytes), order, path)
            mtype, nbytes, start, _ = element.tag(0, len(element.data))
        if mtype == _MI_MATRIX:
            name, value = element.matrix(start, start + nbytes)
            if not name.startswith("__"):  # e.g. __function_workspace__
                out[name] = value
        pos = after
    return out
