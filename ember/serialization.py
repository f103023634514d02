"""``ember.save`` / ``ember.load``: checkpoints that execute no code when they are read.

Ember's file format is a plain `safetensors <https://huggingface.co/docs/safetensors>`_ file: an
8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and byte range,
then the raw little-endian tensor bytes. The structure around the tensors (dicts, lists, tuples,
numbers, strings, ``None``, dtypes, devices, NumPy arrays) is stored as JSON in the header's
``__metadata__`` under ``"ember.structure"``. Reading it parses JSON and copies bytes, nothing
else, so a hostile file can at worst fail to load. Every Ember checkpoint is therefore also a
valid safetensors file: ``safetensors.torch.load_file`` reads its tensors (a state dict's keys are
kept as the tensor names).

Objects outside that set (your own classes) are pickled into the file by ``ember.save``, and
``ember.load`` reads them only when asked: with ``weights_only=True`` (the default) through a
restricted unpickler that admits tensors, containers and the globals you allowed with
:func:`add_safe_globals`; with ``weights_only=False`` through ``pickle`` itself, which can run
arbitrary code: **only use ``weights_only=False`` on files you trust.**

``ember.load`` also reads, without importing torch:

- files written by ``torch.save`` (the zip format of torch >= 1.6): ``data.pkl`` is read with a
  restricted unpickler admitting only torch's tensor-rebuild functions, storage types, dtypes,
  ``torch.Size``/``torch.device`` and plain containers; storages come from the ``data/N`` entries
  with their bounds checked;
- files written by ``safetensors.torch.save_file`` (bfloat16 is widened to float32, Ember's
  stand-in for it).
"""

from __future__ import annotations

import base64
import collections
import contextlib
import io
import json
import math
import os
import pickle
import struct
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any, BinaryIO

import numpy as np

from . import _dtype as D
from ._device import device
from ._safe_pickle import RestrictedUnpickler
from ._tensor import Size, Tensor, _make

__all__ = [
    "CheckpointError",
    "UnpicklingError",
    "add_safe_globals",
    "clear_safe_globals",
    "get_safe_globals",
    "load",
    "load_safetensors",
    "safe_globals",
    "save",
    "save_safetensors",
]

FORMAT_VERSION = "1"
_STRUCT_KEY = "ember.structure"
_MAX_HEADER = 100 * 1024 * 1024  # safetensors' own limit on the JSON header
_MAX_DEPTH = 200  # nesting of the stored structure

# safetensors dtype codes <-> NumPy little-endian dtypes
_ST_DTYPES = {
    "BOOL": np.dtype("?"),
    "U8": np.dtype("u1"),
    "I8": np.dtype("i1"),
    "I16": np.dtype("<i2"),
    "I32": np.dtype("<i4"),
    "I64": np.dtype("<i8"),
    "F16": np.dtype("<f2"),
    "F32": np.dtype("<f4"),
    "F64": np.dtype("<f8"),
    "C64": np.dtype("<c8"),
    "BF16": np.dtype("<u2"),  # widened to float32 on load
}
_ST_CODES = {np.dtype(v).newbyteorder("="): k for k, v in _ST_DTYPES.items() if k != "BF16"}
_ST_UNSUPPORTED = {"U16", "U32", "U64", "F8_E4M3", "F8_E5M2", "F8_E4M3FNUZ", "F8_E5M2FNUZ"}


# -- safe globals (torch 2.6's API) ---------------------------------------------------------------
_safe_globals: dict[str, Any] = {}


def _global_name(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals: Iterable[Any]) -> None:
    """Allow these classes/functions (or ``(obj, "module.name")`` pairs) in ``weights_only`` loads.

    Only add what you trust: an allowed global can be called with arguments taken from the file.
    """
    for item in safe_globals:
        if isinstance(item, tuple):
            obj, name = item
            _safe_globals[name] = obj
        else:
            _safe_globals[_global_name(item)] = item


def get_safe_globals() -> list[Any]:
    """The globals added with :func:`add_safe_globals`."""
    return list(_safe_globals.values())


def clear_safe_globals() -> None:
    """Forget every global added with :func:`add_safe_globals`."""
    _safe_globals.clear()


@contextlib.contextmanager
def safe_globals(globals_: Iterable[Any]):
    """Context manager: :func:`add_safe_globals` for the duration of the block only."""
    saved = dict(_safe_globals)
    add_safe_globals(globals_)
    try:
        yield
    finally:
        _safe_globals.clear()
        _safe_globals.update(saved)


class UnpicklingError(pickle.UnpicklingError):
    """A ``weights_only`` load met a global it does not admit."""


def _refuse(module: str, name: str) -> UnpicklingError:
    """torch's refusal, in the names a script sees (``torch.*`` under ``ember run``)."""
    ns = D.NAMESPACE
    if module in ("builtins", "__builtin__"):
        qual = name
    else:
        root, dot, rest = module.partition(".")
        if root == "ember" and ns != "ember":  # Ember's modules mirror torch's layout
            root = "torchvision" if rest.split(".")[0] == "vision" else ns
            rest = rest.partition(".")[2] if root == "torchvision" else rest
            dot = "." if rest else ""
        qual = f"{root}{dot}{rest}.{name}"
    return UnpicklingError(
        "Weights only load failed. This file can still be loaded, to do so you have two options, "
        "\x1b[1mdo those steps only if you trust the source of the checkpoint\x1b[0m. \n"
        "\t(1) In PyTorch 2.6, we changed the default value of the `weights_only` argument in "
        f"`{ns}.load` from `False` to `True`. Re-running `{ns}.load` with `weights_only` set to "
        "`False` will likely succeed, but it can result in arbitrary code execution. Do it only "
        "if you got the file from a trusted source.\n"
        "\t(2) Alternatively, to load with `weights_only=True` please check the recommended "
        "steps in the following error message.\n"
        f"\tWeightsUnpickler error: Unsupported global: GLOBAL {qual} was not an allowed global "
        f"by default. Please use `{ns}.serialization.add_safe_globals([{qual}])` or the "
        f"`{ns}.serialization.safe_globals([{qual}])` context manager to allowlist this global "
        "if you trust this class/function.\n\n"
        f"Check the documentation of {ns}.load to learn more about types accepted by default with "
        "weights_only https://pytorch.org/docs/stable/generated/torch.load.html."
    )


# -- saving ----------------------------------------------------------------------------------------
class _Encoder:
    """Turns an object into (JSON structure, {name: array}), naming tensors by their path."""

    def __init__(self, pickle_module: Any, pickle_protocol: int) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.seen: dict[int, str] = {}  # id(tensor or array) -> stored name
        self.keep: list[Any] = []  # keeps ids stable while encoding
        self.pickle_module = pickle_module
        self.pickle_protocol = pickle_protocol

    def _name(self, path: str) -> str:
        name, n = path or "tensor", 1
        while name in self.arrays:
            n += 1
            name = f"{path}#{n}"
        return name

    def _store(self, obj: Any, array: np.ndarray, path: str) -> tuple[str, bool]:
        if id(obj) in self.seen:
            return self.seen[id(obj)], True
        name = self._name(path)
        self.arrays[name] = array
        self.seen[id(obj)] = name
        self.keep.append(obj)
        return name, False

    def encode(self, obj: Any, path: str) -> Any:  # noqa: C901 - one branch per stored type
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int) and type(obj) is int:
            return obj
        if type(obj) is float:
            return obj if math.isfinite(obj) else {"float": repr(obj)}
        if isinstance(obj, Tensor):
            node: dict[str, Any] = {"tensor": self._store(obj, obj._data, path)[0]}
            if obj._data.dtype == np.complex128:
                node["complex128"] = True
            if obj.requires_grad:
                node["requires_grad"] = True
            if type(obj).__name__ == "Parameter":
                node["parameter"] = True
            return node
        if isinstance(obj, np.ndarray) and obj.dtype in _ENCODABLE:
            node = {"ndarray": self._store(obj, obj, path)[0]}
            return {**node, "complex128": True} if obj.dtype == np.complex128 else node
        if isinstance(obj, np.generic) and obj.dtype in _ENCODABLE:
            node = {"npscalar": self._store(obj, np.asarray(obj), path)[0]}
            return {**node, "complex128": True} if obj.dtype == np.complex128 else node
        if isinstance(obj, Size):
            return {"size": list(obj)}
        if isinstance(obj, D.dtype):
            return {"dtype": obj.name}
        if isinstance(obj, device):
            return {"device": str(obj)}
        if type(obj) is complex:
            return {"complex": [repr(obj.real), repr(obj.imag)]}
        if type(obj) is bytes:
            return {"bytes": base64.b64encode(obj).decode("ascii")}
        if type(obj) in (list, tuple, set, frozenset):
            kind = type(obj).__name__
            items = obj if kind in ("list", "tuple") else sorted(obj, key=repr)
            return {
                kind: [
                    self.encode(v, f"{path}.{i}" if path else str(i)) for i, v in enumerate(items)
                ]
            }
        if type(obj) in (dict, collections.OrderedDict):
            kind = "odict" if type(obj) is collections.OrderedDict else "dict"
            items = []
            for k, v in obj.items():
                sub = f"{path}.{k}" if path else str(k)
                items.append([self.encode(k, sub + ".key"), self.encode(v, sub)])
            return {kind: items}
        # Anything else is pickled; ``load`` reads it only through the restricted unpickler or
        # with an explicit ``weights_only=False``.
        data = self.pickle_module.dumps(obj, protocol=self.pickle_protocol)
        name = self._name(path or "object")
        self.arrays[name] = np.frombuffer(data, dtype=np.uint8)
        return {"pickle": name, "type": f"{type(obj).__module__}.{type(obj).__qualname__}"}


_ENCODABLE = {np.dtype(t) for t in "? u1 i1 i2 i4 i8 f2 f4 f8 c8 c16".split()}


def _tensor_bytes(array: np.ndarray) -> tuple[str, list[int], np.ndarray]:
    """safetensors dtype code, shape and a C-contiguous little-endian copy/view of ``array``."""
    shape = list(array.shape)
    arr = np.ascontiguousarray(array)
    if arr.dtype.kind == "c" and arr.dtype.itemsize == 16:
        # safetensors has no complex128: stored as float64 pairs, restored by the structure
        arr = arr.view(np.float64).reshape(*shape, 2)
        shape = shape + [2]
    native = arr.dtype.newbyteorder("=")
    if native not in _ST_CODES:
        raise TypeError(f"ember.save: cannot store arrays of dtype {arr.dtype}")
    if arr.dtype.byteorder == ">" or (arr.dtype.byteorder == "=" and sys.byteorder == "big"):
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    return _ST_CODES[native], shape, arr


def _write_safetensors(f: BinaryIO, arrays: Mapping[str, np.ndarray], metadata: dict) -> None:
    header: dict[str, Any] = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs, offset = [], 0
    for name, array in arrays.items():
        code, shape, data = _tensor_bytes(array)
        header[name] = {
            "dtype": code,
            "shape": shape,
            "data_offsets": [offset, offset + data.nbytes],
        }
        offset += data.nbytes
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8")
    raw += b" " * (-len(raw) % 8)  # tensor data starts 8-byte aligned, as safetensors writes it
    f.write(struct.pack("<Q", len(raw)))
    f.write(raw)
    for data in blobs:
        if data.nbytes:
            f.write(memoryview(data.reshape(-1)).cast("B"))


def _atomic_write(path: str | os.PathLike, write: Callable[[BinaryIO], None]) -> None:
    """Write through a temporary file in the same folder, fsync it, then rename it over ``path``.

    A crash or Ctrl-C at any point leaves either the old file or the new one, never a mix.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the OS allows it
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _write_to(f: Any, write: Callable[[BinaryIO], None]) -> None:
    if isinstance(f, (str, os.PathLike)):
        _atomic_write(f, write)
    else:
        write(f)


def save(
    obj: Any,
    f: str | os.PathLike | BinaryIO,
    pickle_module: Any = pickle,
    pickle_protocol: int = 2,
    _use_new_zipfile_serialization: bool = True,
    _disable_byteorder_record: bool = False,
) -> None:
    """Save ``obj`` (tensors, state dicts, nested containers, numbers, strings) to ``f``.

    Args:
        obj: the object to save. Objects Ember cannot store as data are pickled, and loading them
            later needs :func:`add_safe_globals` or ``weights_only=False``.
        f: a path (written atomically: temporary file in the same folder, fsync, rename) or a
            writable binary file object.
        pickle_module, pickle_protocol: used only for objects that are not plain data.
    """
    enc = _Encoder(pickle_module, pickle_protocol)
    structure = enc.encode(obj, "")
    metadata = {
        "format": "pt",
        "ember.format_version": FORMAT_VERSION,
        _STRUCT_KEY: json.dumps(structure, separators=(",", ":"), allow_nan=False),
    }
    _write_to(f, lambda out: _write_safetensors(out, enc.arrays, metadata))


def save_safetensors(
    tensors: Mapping[str, Tensor],
    filename: str | os.PathLike | BinaryIO,
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Write a flat ``{name: tensor}`` dict as a plain safetensors file (``save_file``'s format).

    The file loads in PyTorch with ``safetensors.torch.load_file``.
    """
    arrays = {}
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"save_safetensors: keys must be str, got {type(name).__name__}")
        if not isinstance(t, Tensor):
            raise TypeError(f"save_safetensors: '{name}' is a {type(t).__name__}, not a Tensor")
        if t._data.dtype == np.complex128:
            raise TypeError(f"save_safetensors: '{name}': safetensors has no complex128 dtype")
        arrays[name] = t._data
    meta = {str(k): str(v) for k, v in (metadata or {}).items()}
    _write_to(filename, lambda out: _write_safetensors(out, arrays, meta))


# -- reading ---------------------------------------------------------------------------------------
def _read_all(f: Any) -> tuple[bytearray, str]:
    """The whole file as a writable buffer (tensors become views of it) and a name for errors."""
    if isinstance(f, (str, os.PathLike)):
        name = os.fspath(f)
        with open(name, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            buf = bytearray(size)
            n = fh.readinto(buf)
        return (buf if n == size else buf[:n]), name
    if isinstance(f, (bytes, bytearray, memoryview)):
        return bytearray(f), "<bytes>"
    data = f.read()
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError("ember.load: the file object must be opened in binary mode")
    return bytearray(data), getattr(f, "name", "<file object>")


class CheckpointError(RuntimeError, pickle.UnpicklingError):
    """A file that is damaged, truncated or not a checkpoint at all (an ``UnpicklingError`` too,
    which is what torch raises for bytes that are not a checkpoint)."""


def _corrupt(name: str, why: str) -> CheckpointError:
    return CheckpointError(f"ember.load: '{name}' is not a valid checkpoint: {why}")


def _parse_safetensors(buf: bytearray, name: str) -> tuple[dict, dict[str, np.ndarray]]:
    """Validate a safetensors buffer and return its metadata and arrays (views into ``buf``)."""
    if len(buf) < 8:
        raise _corrupt(name, f"the file has {len(buf)} bytes, too short for a header")
    (n,) = struct.unpack_from("<Q", buf, 0)
    if n > _MAX_HEADER:
        raise _corrupt(name, f"header length {n} exceeds the {_MAX_HEADER}-byte limit")
    if 8 + n > len(buf):
        raise _corrupt(name, f"truncated: the header needs {n} bytes, the file has {len(buf) - 8}")
    try:
        header = json.loads(bytes(buf[8 : 8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise _corrupt(name, f"the header is not valid JSON ({e})") from None
    if not isinstance(header, dict):
        raise _corrupt(name, "the header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()
    ):
        raise _corrupt(name, "__metadata__ must map strings to strings")
    data = memoryview(buf)[8 + n :]
    arrays: dict[str, np.ndarray] = {}
    spans = []
    for key, info in header.items():
        try:
            code, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        except (TypeError, KeyError, ValueError):
            raise _corrupt(name, f"bad entry for tensor '{key}'") from None
        if code in _ST_UNSUPPORTED:
            raise TypeError(f"ember.load: tensor '{key}' has dtype {code}, which Ember lacks")
        if code not in _ST_DTYPES:
            raise _corrupt(name, f"tensor '{key}' has unknown dtype {code!r}")
        if not (
            isinstance(shape, list)
            and all(type(d) is int and d >= 0 for d in shape)
            and type(begin) is int
            and type(end) is int
            and 0 <= begin <= end
        ):
            raise _corrupt(name, f"bad shape or offsets for tensor '{key}'")
        dt = _ST_DTYPES[code]
        numel = math.prod(shape)
        if end - begin != numel * dt.itemsize:
            raise _corrupt(
                name,
                f"tensor '{key}' of shape {shape} ({code}) needs "
                f"{numel * dt.itemsize} bytes, its offsets span {end - begin}",
            )
        if end > len(data):
            raise _corrupt(
                name,
                f"truncated: tensor '{key}' ends at byte {end} of the data, "
                f"the file holds {len(data)}",
            )
        spans.append((begin, end, key))
        arr = np.frombuffer(data[begin:end], dtype=dt) if numel else np.empty(0, dt)
        if (8 + n + begin) % dt.itemsize:
            arr = arr.copy()  # keep arrays aligned for fast kernels
        if code == "BF16":  # Ember stores bfloat16 as float32 (its high 16 bits)
            _warn_bfloat16()
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        elif not dt.isnative:
            arr = arr.astype(dt.newbyteorder("="))
        arrays[key] = arr.reshape(shape)
    spans.sort()
    for (_, e0, k0), (b1, _, k1) in zip(spans, spans[1:]):
        if b1 < e0:
            raise _corrupt(name, f"tensors '{k0}' and '{k1}' overlap")
    return metadata, arrays


class _Decoder:
    def __init__(
        self,
        arrays: dict[str, np.ndarray],
        name: str,
        weights_only: bool,
        map_tensor: Callable[[Tensor], Tensor],
    ) -> None:
        self.arrays, self.name = arrays, name
        self.weights_only, self.map_tensor = weights_only, map_tensor
        self.made: dict[str, Any] = {}

    def _array(self, key: Any, node: dict | None = None) -> np.ndarray:
        if not isinstance(key, str) or key not in self.arrays:
            raise _corrupt(self.name, f"the structure names a missing tensor {key!r}")
        arr = self.arrays[key]
        if node is not None and node.get("complex128"):
            if arr.dtype != np.float64 or arr.shape[-1:] != (2,):
                raise _corrupt(self.name, f"'{key}' is not stored as complex128 pairs")
            arr = arr.view(np.complex128)[..., 0]
        return arr

    def decode(self, node: Any, depth: int = 0) -> Any:  # noqa: C901 - mirrors _Encoder.encode
        if depth > _MAX_DEPTH:
            raise _corrupt(self.name, f"the structure is nested deeper than {_MAX_DEPTH}")
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not (isinstance(node, dict) and node):
            raise _corrupt(self.name, f"unexpected structure node {node!r:.80}")
        kind, value = next(iter(node.items()))
        if kind == "tensor":
            if value not in self.made:
                self.made[value] = self._tensor(value, node)
            return self.made[value]
        if kind in ("list", "tuple", "set", "frozenset"):
            if not isinstance(value, list):
                raise _corrupt(self.name, f"bad {kind} node")
            items = [self.decode(v, depth + 1) for v in value]
            return (
                items
                if kind == "list"
                else {"tuple": tuple, "set": set, "frozenset": frozenset}[kind](items)
            )
        if kind in ("dict", "odict"):
            if not (
                isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value)
            ):
                raise _corrupt(self.name, f"bad {kind} node")
            out = collections.OrderedDict() if kind == "odict" else {}
            for k, v in value:
                out[self.decode(k, depth + 1)] = self.decode(v, depth + 1)
            return out
        try:
            return self._leaf(kind, value, node)
        except (TypeError, ValueError, KeyError, RuntimeError, IndexError) as e:
            if isinstance(e, (CheckpointError, UnpicklingError)):
                raise
            raise _corrupt(self.name, f"bad {kind!r} node ({e})") from None

    def _tensor(self, key: str, node: dict) -> Tensor:
        arr = self._array(key, node)
        t = self.map_tensor(_make(arr))
        if node.get("parameter"):
            from .nn import Parameter

            return Parameter(t, requires_grad=bool(node.get("requires_grad")))
        if node.get("requires_grad"):
            t.requires_grad_(True)
        return t

    def _leaf(self, kind: str, value: Any, node: dict) -> Any:
        if kind == "float":
            return float(value) if value in ("nan", "inf", "-inf") else _bad(value)
        if kind == "ndarray":
            return self._array(value, node)
        if kind == "npscalar":
            return self._array(value, node)[()]
        if kind == "size":
            return Size(int(v) for v in value)
        if kind == "dtype":
            return D._BY_NAME[value]
        if kind == "device":
            return device(value)
        if kind == "complex":
            return complex(float(value[0]), float(value[1]))
        if kind == "bytes":
            return base64.b64decode(value, validate=True)
        if kind == "pickle":
            data = self._array(value).tobytes()
            if self.weights_only:
                return _RestrictedUnpickler(io.BytesIO(data)).load()
            return pickle.loads(data)  # noqa: S301 - explicitly requested: weights_only=False
        raise ValueError(f"unknown node kind {kind!r}")


def _bad(value: Any) -> Any:
    raise ValueError(f"bad float {value!r}")


class _RestrictedUnpickler(RestrictedUnpickler):
    """Admits containers, Ember tensors/dtypes/devices, NumPy arrays and the user's safe globals."""

    error = UnpicklingError

    @classmethod
    def allowed_globals(cls) -> dict[tuple[str, str], Any]:
        allowed = super().allowed_globals()
        allowed.update(_ember_globals())
        return allowed

    def extra_global(self, module: str, name: str) -> Any:
        return _safe_globals.get(f"{module}.{name}")

    def refuse(self, module: str, name: str) -> Exception:
        return _refuse(module, name)


def _ember_globals() -> dict[tuple[str, str], Any]:
    """Ember's own picklable types and the stdlib containers, beside the NumPy allow-list."""
    from ._tensor import _rebuild

    out: dict[tuple[str, str], Any] = {
        ("collections", "OrderedDict"): collections.OrderedDict,
        ("builtins", "set"): set,
        ("builtins", "frozenset"): frozenset,
        ("builtins", "complex"): complex,
        ("builtins", "slice"): slice,
        ("ember._tensor", "_rebuild"): _rebuild,
        ("ember._tensor", "Tensor"): Tensor,
        ("ember._tensor", "Size"): Size,
        ("ember._dtype", "_dtype_by_name"): D._dtype_by_name,
        ("ember._device", "device"): device,
    }
    with contextlib.suppress(ImportError):
        from .nn.parameter import Parameter

        out[("ember.nn.parameter", "Parameter")] = Parameter
    return out


# -- map_location ----------------------------------------------------------------------------------
def _check_location(loc: str) -> None:
    if loc.startswith("cuda"):
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is "
            "False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU."
        )
    if not loc.startswith("cpu"):
        raise RuntimeError(f"ember.load: cannot map storages to device '{loc}': Ember runs on CPU")


def _tensor_mapper(map_location: Any) -> Callable[[Tensor], Tensor]:
    if map_location is None:
        return lambda t: t
    if callable(map_location) and not isinstance(map_location, (str, device)):

        def call(t: Tensor) -> Tensor:
            out = map_location(t, "cpu")
            return t if out is None else out

        return call
    if isinstance(map_location, Mapping):
        for v in map_location.values():
            _check_location(str(v))
        return lambda t: t
    _check_location(str(device(map_location) if isinstance(map_location, str) else map_location))
    return lambda t: t


# -- public loaders --------------------------------------------------------------------------------
_UNPICKLER_ARGS = {"encoding", "errors", "fix_imports", "buffers"}


def _check_load_args(f, pickle_module, weights_only: bool, mmap, pickle_load_args) -> None:
    """torch.load's arguments that Ember accepts but does not act on: errors where torch raises,
    a warning where acting on them would have changed what torch does."""
    unknown = sorted(set(pickle_load_args) - _UNPICKLER_ARGS)
    if unknown:
        raise TypeError(f"Unpickler.__init__() got an unexpected keyword argument '{unknown[0]}'")
    if pickle_load_args:
        warnings.warn(
            "pickle_load_args only works if `weights_only=False`."
            if weights_only
            else f"ember.load ignores pickle_load_args {sorted(pickle_load_args)}: Ember's formats "
            "store strings as UTF-8 and a bare pickle is read with Python's defaults",
            stacklevel=3,
        )
    if pickle_module is not None and pickle_module is not pickle:
        warnings.warn(
            f"ember.load ignores pickle_module={getattr(pickle_module, '__name__', pickle_module)}:"
            " it reads with its own restricted unpickler, or Python's pickle when "
            "weights_only=False",
            stacklevel=3,
        )
    if mmap:
        if not isinstance(f, (str, os.PathLike)):
            raise ValueError("f must be a file path in order to use the mmap argument")
        warnings.warn(
            "ember.load reads the whole file into memory: mmap=True saves no memory in Ember",
            stacklevel=3,
        )


_bf16_warned = False


def _warn_bfloat16() -> None:
    """Once per process: Ember has no bfloat16, so bfloat16 tensors are widened (exactly)."""
    global _bf16_warned
    if not _bf16_warned:
        _bf16_warned = True
        warnings.warn(
            "ember.load: the file holds bfloat16 tensors; Ember stores bfloat16 as float32, so "
            "they load as float32 (the values are exact)",
            stacklevel=4,
        )


def load(
    f: str | os.PathLike | BinaryIO,
    map_location: Any = None,
    pickle_module: Any = None,
    *,
    weights_only: bool | None = True,
    mmap: bool | None = None,
    **pickle_load_args: Any,
) -> Any:
    """Load an object saved by :func:`ember.save`, ``torch.save`` or safetensors.

    Args:
        f: a path or a readable binary file object.
        map_location: ``None``, ``"cpu"``, a ``device``, a dict of locations or a callable
            ``(tensor, location) -> tensor``; Ember has only the CPU.
        weights_only: ``True`` (default) reads data only: tensors, containers, numbers, strings
            and the globals allowed by :func:`add_safe_globals`. ``False`` also unpickles
            arbitrary objects, **which can execute code from the file: only for trusted files**.
    """
    if weights_only is None:
        weights_only = True
    _check_load_args(f, pickle_module, weights_only, mmap, pickle_load_args)
    map_tensor = _tensor_mapper(map_location)
    buf, name = _read_all(f)
    if buf[:4] == b"PK\x03\x04" or buf[:4] == b"PK\x05\x06":
        from ._torch_zip import load_torch_zip  # only when a torch.save file is met

        return load_torch_zip(buf, name, weights_only, map_tensor)
    if len(buf) >= 9 and buf[8:9] == b"{":
        metadata, arrays = _parse_safetensors(buf, name)
        if _STRUCT_KEY not in metadata:
            return {k: map_tensor(_make(a)) for k, a in arrays.items()}
        try:
            structure = json.loads(metadata[_STRUCT_KEY])
        except (json.JSONDecodeError, RecursionError) as e:
            raise _corrupt(name, f"the stored structure is not valid JSON ({e})") from None
        return _Decoder(arrays, name, weights_only, map_tensor).decode(structure)
    if buf[:1] == b"\x80":
        if weights_only:
            raise UnpicklingError(
                f"ember.load: '{name}' is a bare pickle (torch's legacy format or pickle.dump), "
                "which can run code when loaded. Ember reads it only with weights_only=False, "
                "and only do that for a file you trust."
            )
        return pickle.loads(bytes(buf))  # noqa: S301 - explicitly requested: weights_only=False
    if not buf:
        raise _corrupt(name, "the file is empty")
    raise _corrupt(
        name, "unrecognised format (expected an Ember/safetensors file or a torch.save zip archive)"
    )


def load_safetensors(
    filename: str | os.PathLike | BinaryIO, device: str = "cpu"
) -> dict[str, Tensor]:
    """Read a safetensors file as a flat ``{name: tensor}`` dict (``load_file``'s result)."""
    _check_location(str(device))
    buf, name = _read_all(filename)
    _, arrays = _parse_safetensors(buf, name)
    return {k: _make(a) for k, a in arrays.items()}
