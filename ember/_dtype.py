"""Ember's dtypes: thin named wrappers over NumPy dtypes, with torch's names and promotion rules."""

from __future__ import annotations

import builtins

import numpy as np


class dtype:  # noqa: N801 - torch spells it lowercase
    """A tensor element type, e.g. ``ember.float32``."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize", "_rank")

    def __init__(self, name: str, np_dtype, rank: int):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.is_floating_point = self.np.kind == "f"
        self.is_complex = self.np.kind == "c"
        self.is_signed = self.np.kind in "fic"
        self.itemsize = self.np.itemsize
        self._rank = rank

    def __repr__(self) -> str:
        return f"{NAMESPACE}.{self.name}"

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_complex(self) -> dtype:
        """The complex dtype of equal precision: float32 -> complex64, float64 -> complex128."""
        return {"float32": complex64, "float64": complex128}[self.name]

    def to_real(self) -> dtype:
        """The real dtype of this complex's precision (complex64 -> float32); others unchanged."""
        return {"complex64": float32, "complex128": float64}.get(self.name, self)


# The module name printed in reprs (``ember.float32``, ``ember.Size``). ``ember run`` and
# ``ember.compat.install()`` switch it to "torch", so a PyTorch script prints what torch prints.
NAMESPACE = "ember"


def set_namespace(name: str) -> None:
    global NAMESPACE
    NAMESPACE = name


bool = dtype("bool", np.bool_, 0)  # noqa: A001 - torch's name
uint8 = dtype("uint8", np.uint8, 1)
# torch's "limited support" unsigned types: they promote only with themselves and floats.
uint16 = dtype("uint16", np.uint16, 6)
uint32 = dtype("uint32", np.uint32, 7)
uint64 = dtype("uint64", np.uint64, 8)
int8 = dtype("int8", np.int8, 2)
int16 = dtype("int16", np.int16, 3)
int32 = dtype("int32", np.int32, 4)
int64 = dtype("int64", np.int64, 5)
float16 = dtype("float16", np.float16, 10)
float32 = dtype("float32", np.float32, 12)
float64 = dtype("float64", np.float64, 13)
complex64 = dtype("complex64", np.complex64, 20)
complex128 = dtype("complex128", np.complex128, 21)

ALL = (
    bool,
    uint8,
    int8,
    int16,
    int32,
    int64,
    uint16,
    uint32,
    uint64,
    float16,
    float32,
    float64,
    complex64,
    complex128,
)
LIMITED = (uint16, uint32, uint64)
_BY_NP = {d.np: d for d in ALL}
_BY_NAME = {d.name: d for d in ALL}
_BY_NAME.update(
    half=float16,
    float=float32,
    double=float64,
    short=int16,
    int=int32,
    long=int64,
    cfloat=complex64,
    cdouble=complex128,
)

# The C++ scalar type names that torch's error messages use ("UInt16", "Long", ...).
_SCALAR_NAMES = {
    "bool": "Bool",
    "uint8": "Byte",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "uint16": "UInt16",
    "uint32": "UInt32",
    "uint64": "UInt64",
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
}


def scalar_type_name(d: dtype) -> str:
    """torch's C++ name of a dtype, as its error messages print it (``Float``, ``UInt16``)."""
    return _SCALAR_NAMES[d.name]


def _dtype_by_name(name: str) -> dtype:
    return _BY_NAME[name]


_default_float = float32


def get_default_dtype() -> dtype:
    """The dtype of floating-point tensors made from Python floats (``float32`` unless changed)."""
    return _default_float


def set_default_dtype(d: dtype) -> None:
    """Set the default floating-point dtype (``float32`` or ``float64``, as torch allows)."""
    global _default_float
    if not isinstance(d, dtype):
        raise TypeError(
            "invalid dtype object: only floating-point types are supported as the default type"
        )
    if d not in (float16, float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default_float = d


def from_numpy_dtype(np_dtype) -> dtype:
    """The Ember dtype of a NumPy dtype; TypeError for ones Ember has no tensor type for."""
    try:
        return _BY_NP[np.dtype(np_dtype)]
    except (KeyError, TypeError):
        if np.dtype(np_dtype).newbyteorder("=") in _BY_NP:
            raise ValueError(
                "given numpy array has byte order different from the native byte order. "
                "Conversion between byte orders is currently not supported."
            ) from None
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, int32, "
            "int16, int8, uint64, uint32, uint16, uint8, and bool."
        ) from None


def to_dtype(d) -> dtype:
    """Accept an Ember dtype, a NumPy dtype or Python type, as torch accepts ``dtype=``."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is builtins.bool:
        return bool
    return from_numpy_dtype(d)


def _category(d: dtype) -> int:
    return 0 if d is bool else 1 if d._rank < 10 else 2 if d._rank < 20 else 3


# The Python types that stand for dtypes in ``promote_types``.
_PY_TYPES = {float: float64, int: int64, builtins.bool: bool, complex: complex128}


def _dtype_arg(d, position: int) -> dtype:
    """A ``promote_types`` argument: a dtype, or a Python type standing for one."""
    if isinstance(d, dtype):
        return d
    if isinstance(d, type) and d in _PY_TYPES:
        return _PY_TYPES[d]
    raise TypeError(
        f"promote_types(): argument 'type{position}' (position {position}) must be torch.dtype, "
        f"not {type(d).__name__}"
    )


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """torch.promote_types: the smallest dtype both types convert to without losing kind."""
    a, b = type1, type2
    if a.__class__ is not dtype or b.__class__ is not dtype:  # kept off the path of every op
        a, b = _dtype_arg(a, 1), _dtype_arg(b, 2)
    if a is b:
        return a
    if (a in LIMITED or b in LIMITED) and _category(a) != 2 and _category(b) != 2:
        raise RuntimeError(
            "Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
            f"{scalar_type_name(a)} and {scalar_type_name(b)}"
        )
    if {_category(a), _category(b)} == {2, 3}:  # float with complex: the wider precision wins
        f, c = (a, b) if _category(a) == 2 else (b, a)
        return complex128 if float64 in (f, c.to_real()) else c
    if _category(a) != _category(b):
        return a if _category(a) > _category(b) else b
    if {a, b} == {uint8, int8}:
        return int16
    return _BY_NP[np.promote_types(a.np, b.np)]


def result_type(tensors, scalars=()) -> dtype:
    """torch's promotion for an operation: dimensioned tensors first, then 0-dim ones, then scalars.

    Each later group only raises the result when it belongs to a higher category (bool < integer <
    floating < complex): an int64 tensor times 2.5 is float32, and a float64 0-dim tensor does not
    promote a float32 vector.
    """
    dims = [t.dtype for t in tensors if t.ndim > 0]
    zero = [t.dtype for t in tensors if t.ndim == 0]
    out = None
    for group in (dims, zero):
        if not group:
            continue
        g = group[0]
        for d in group[1:]:
            g = promote_types(g, d)
        if out is None:
            out = g
        elif _category(g) > _category(out):
            # a complex 0-dim tensor makes a float vector complex at the vector's precision; a
            # bool vector still promotes with the 0-dim type (refused for uint16 and the like)
            if _category(g) == 3 and out in (float32, float64):
                out = out.to_complex()
            else:
                out = promote_types(out, g) if out is bool else g
    for s in scalars:
        # as torch: a NumPy integer counts as an int (np.int64(5) keeps int8), but NumPy's bool
        # and complex64 scalars as floats
        cat = (
            0
            if isinstance(s, builtins.bool)
            else 1
            if isinstance(s, (int, np.integer))
            else (3 if isinstance(s, complex) else 2)
        )
        if out is None:
            out = (bool, int64, _default_float, _complex_default())[cat]
        elif cat > _category(out):
            # a complex number with a float tensor keeps its precision (float64 -> complex128)
            if cat == 3 and _category(out) == 2 and out is not float16:
                out = out.to_complex()
            else:
                out = (bool, int64, _default_float, _complex_default())[cat]
    return out


def _complex_default() -> dtype:
    return complex128 if _default_float is float64 else complex64


class memory_format:  # noqa: N801 - torch spells it lowercase
    """How a tensor's elements are laid out; Ember keeps every tensor's layout as it is."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{NAMESPACE}.{self.name}"


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
