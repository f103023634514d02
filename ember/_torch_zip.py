"""Reading ``torch.save`` zip files without torch (and without running code from them).

``data.pkl`` is unpickled with an unpickler that admits only torch's tensor-rebuild functions,
storage types, dtypes, ``torch.Size``/``torch.device``, plain containers and the user's safe
globals; each storage is read from its ``data/N`` entry with its size and every tensor's bounds
checked against it. ``ember.load`` imports this module only when it meets a zip file.
"""

from __future__ import annotations

import io
import math
import pickle
import struct
import zipfile
import zlib
from collections.abc import Callable
from typing import Any

import numpy as np

from . import _dtype as D
from ._device import device
from ._tensor import Size, Tensor, _make
from .serialization import (
    CheckpointError,
    UnpicklingError,
    _check_location,
    _corrupt,
    _refuse,
    _RestrictedUnpickler,
    _safe_globals,
    _warn_bfloat16,
)

_TORCH_STORAGES = {
    "DoubleStorage": np.float64,
    "FloatStorage": np.float32,
    "HalfStorage": np.float16,
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
    "ComplexFloatStorage": np.complex64,
    "ComplexDoubleStorage": np.complex128,
    "BFloat16Storage": "bf16",
}
_TORCH_DTYPES = {
    "float64": "float64",
    "double": "float64",
    "float32": "float32",
    "float": "float32",
    "float16": "float16",
    "half": "float16",
    "bfloat16": "float32",
    "int64": "int64",
    "long": "int64",
    "int32": "int32",
    "int": "int32",
    "int16": "int16",
    "short": "int16",
    "int8": "int8",
    "uint8": "uint8",
    "bool": "bool",
    "complex64": "complex64",
    "cfloat": "complex64",
    "complex128": "complex128",
    "cdouble": "complex128",
}


class _StorageType:
    def __init__(self, name: str) -> None:
        self.name, self.np = name, _TORCH_STORAGES[name]


class _TorchUnpickler(pickle.Unpickler):
    def __init__(
        self,
        data: bytes,
        zf: zipfile.ZipFile,
        prefix: str,
        name: str,
        weights_only: bool,
        map_tensor: Callable[[Tensor], Tensor],
    ) -> None:
        super().__init__(io.BytesIO(data), encoding="utf-8")
        self.zf, self.prefix, self.name = zf, prefix, name
        self.weights_only, self.map_tensor = weights_only, map_tensor
        self.storages: dict[str, np.ndarray] = {}

    def find_class(self, module: str, name: str) -> Any:
        full = f"{module}.{name}"
        if full in _safe_globals:
            return _safe_globals[full]
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_tensor"):
            return self._rebuild_tensor
        if module == "torch._utils" and name in (
            "_rebuild_parameter",
            "_rebuild_parameter_with_state",
        ):
            return self._rebuild_parameter
        if module == "torch" and name in _TORCH_STORAGES:
            return _StorageType(name)
        if module == "torch" and name in _TORCH_DTYPES:
            return D._BY_NAME[_TORCH_DTYPES[name]]
        if (module, name) == ("torch", "Size"):
            return Size
        if (module, name) == ("torch", "device"):
            return device
        if (module, name) == ("torch", "strided"):
            return "strided"
        allowed = _RestrictedUnpickler._allowed()  # NumPy, containers, latin-1 bytes
        if (module, name) in allowed and not module.startswith("ember."):
            return allowed[(module, name)]
        if not self.weights_only and not module.startswith("torch"):
            return super().find_class(module, name)
        if not self.weights_only:
            raise UnpicklingError(f"ember.load: cannot rebuild torch object {full} without torch")
        raise _refuse(module, name)

    def persistent_load(self, pid: Any) -> Any:
        if not (
            isinstance(pid, tuple)
            and len(pid) == 5
            and pid[0] == "storage"
            and isinstance(pid[1], _StorageType)
        ):
            raise UnpicklingError(f"ember.load: unsupported persistent id {pid!r:.100}")
        _, stype, key, location, numel = pid
        if not str(location).startswith("cpu"):
            _check_location(str(location))
        if key not in self.storages:
            self.storages[key] = self._read_storage(str(key), stype, int(numel))
        return self.storages[key]

    def _read_storage(self, key: str, stype: _StorageType, numel: int) -> np.ndarray:
        entry = f"{self.prefix}data/{key}"
        try:
            info = self.zf.getinfo(entry)
        except KeyError:
            raise _corrupt(self.name, f"missing storage entry '{entry}'") from None
        bf16 = isinstance(stype.np, str)
        dt = np.dtype("<u2") if bf16 else np.dtype(stype.np).newbyteorder("<")
        if numel < 0 or info.file_size != numel * dt.itemsize:
            raise _corrupt(
                self.name,
                f"storage '{entry}' holds {info.file_size} bytes, expected {numel} x {dt.itemsize}",
            )
        raw = bytearray(self.zf.read(entry))
        arr = np.frombuffer(raw, dtype=dt)
        if bf16:
            _warn_bfloat16()
            return (arr.astype(np.uint32) << 16).view(np.float32)
        return arr if dt.isnative else arr.astype(dt.newbyteorder("="))

    def _rebuild_tensor(
        self, storage, offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None
    ) -> Tensor:
        if not isinstance(storage, np.ndarray):
            raise UnpicklingError("ember.load: a tensor's storage is not a storage")
        size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
        offset = int(offset)
        if len(size) != len(stride) or offset < 0 or any(s < 0 for s in size + stride):
            raise _corrupt(self.name, f"bad tensor geometry size={size} stride={stride}")
        if math.prod(size):
            last = offset + sum((n - 1) * s for n, s in zip(size, stride))
            if last >= storage.size:
                raise _corrupt(
                    self.name,
                    f"tensor of size {size}, stride {stride}, offset "
                    f"{offset} reaches past its storage of {storage.size}",
                )
        item = storage.itemsize
        arr = np.lib.stride_tricks.as_strided(
            storage[offset:] if math.prod(size) else storage[:0],
            shape=size,
            strides=tuple(s * item for s in stride),
        )
        t = self.map_tensor(_make(arr))
        if requires_grad:
            t.requires_grad_(True)
        return t

    def _rebuild_parameter(self, data, requires_grad, backward_hooks, state=None) -> Tensor:
        try:
            from .nn import Parameter
        except ImportError:
            return data.requires_grad_(bool(requires_grad))
        return Parameter(data, requires_grad=bool(requires_grad))


def load_torch_zip(
    buf: bytearray, name: str, weights_only: bool, map_tensor: Callable[[Tensor], Tensor]
) -> Any:
    try:
        zf = zipfile.ZipFile(io.BytesIO(buf))
        names = zf.namelist()
    except (zipfile.BadZipFile, ValueError, EOFError) as e:
        raise _corrupt(name, f"a damaged or truncated zip archive ({e})") from None
    pkls = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
    if not pkls:
        raise _corrupt(name, "a zip archive without the data.pkl record of torch.save")
    prefix = pkls[0][: -len("data.pkl")]
    try:
        order = "little"
        if prefix + "byteorder" in names:
            order = zf.read(prefix + "byteorder").decode("ascii", "replace")
        if order != "little":
            raise _corrupt(name, f"unsupported byte order {order!r}")
        data = zf.read(pkls[0])
        return _TorchUnpickler(data, zf, prefix, name, weights_only, map_tensor).load()
    except (zipfile.BadZipFile, EOFError, struct.error, zlib.error, NotImplementedError) as e:
        # NotImplementedError: a compression method zipfile does not know (a forged header)
        raise _corrupt(name, f"damaged data ({e})") from None
    except (pickle.UnpicklingError, CheckpointError):
        raise
    except (TypeError, ValueError, IndexError, KeyError, AttributeError) as e:
        raise _corrupt(name, f"malformed data.pkl ({type(e).__name__}: {e})") from None
