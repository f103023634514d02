"""Tensor attributes about memory and the graph (``itemsize``, ``nbytes``, ``output_nr``,
``dim_order()``...), the complex parts as properties (``real``, ``imag``), the conjugate
transposes (``mH``, ``H``, ``adjoint()``) and ``new_empty_strided``;
``ember/_tensor_methods.py`` calls ``bind_attributes`` once.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _dtype as D
from ._layout import strided
from ._tensor import Tensor
from .functions import complex as CX
from .functions.inplace import _C_TYPE_NAMES
from .functions.reduce import _scalar_type_name

# the legacy type names: ``x.type()`` and ``x.type("torch.FloatTensor")``
_TYPE_NAMES = {
    np.dtype(np.float32): "FloatTensor",
    np.dtype(np.float64): "DoubleTensor",
    np.dtype(np.float16): "HalfTensor",
    np.dtype(np.int64): "LongTensor",
    np.dtype(np.int32): "IntTensor",
    np.dtype(np.int16): "ShortTensor",
    np.dtype(np.int8): "CharTensor",
    np.dtype(np.uint8): "ByteTensor",
    np.dtype(np.bool_): "BoolTensor",
    np.dtype(np.complex64): "ComplexFloatTensor",
    np.dtype(np.complex128): "ComplexDoubleTensor",
    np.dtype(np.uint16): "UInt16Tensor",
    np.dtype(np.uint32): "UInt32Tensor",
    np.dtype(np.uint64): "UInt64Tensor",
}
_TYPE_BY_NAME = {name: D._BY_NP[k] for k, name in _TYPE_NAMES.items()}

_AMBIGUOUS = (
    "The tensor does not have unique dim order, or cannot map to exact one of the given memory "
    "formats."
)


def _dense(shape: tuple, strides: tuple, order) -> bool:
    """Whether the strides lay the dims out densely, nested in ``order`` (outermost first);
    size-1 dims may have any stride, as in torch's contiguity checks."""
    expected = 1
    for d in reversed(tuple(order)):
        if shape[d] != 1:
            if strides[d] != expected:
                return False
            expected *= shape[d]
    return True


def _is_contiguous_as(shape: tuple, strides: tuple, fmt) -> bool:
    n = len(shape)
    if fmt is D.channels_last:
        return n == 4 and _dense(shape, strides, (0, 2, 3, 1))
    if fmt is D.channels_last_3d:
        return n == 5 and _dense(shape, strides, (0, 2, 3, 4, 1))
    return 0 in shape or _dense(shape, strides, range(n))


def _order(shape: tuple, strides: tuple) -> tuple:
    """The dims from outermost to innermost in memory, ordered as torch orders them."""
    n = len(shape)
    contiguous = _is_contiguous_as(shape, strides, D.contiguous_format)
    channels_last = _is_contiguous_as(shape, strides, D.channels_last)
    if contiguous and not channels_last:
        return tuple(range(n))
    if channels_last and not contiguous:
        return (0, 2, 3, 1)

    def outer(a: int, b: int) -> int:
        """1: ``a`` lies outside ``b``; -1: inside; 0: undecided (a zero stride)."""
        if strides[a] == 0 or strides[b] == 0:
            return 0
        if strides[a] != strides[b]:
            return 1 if strides[a] > strides[b] else -1
        return 1 if shape[a] > shape[b] else 0

    # Insertion sort from the innermost dim; an undecided pair is stepped over, not stopped at,
    # so a dim with a zero stride keeps its place while the others are ordered around it.
    perm = list(range(n - 1, -1, -1))
    for i in range(1, n):
        cur = i
        for j in range(i - 1, -1, -1):
            c = outer(perm[j], perm[cur])
            if c > 0:
                perm[j], perm[cur] = perm[cur], perm[j]
                cur = j
            elif c < 0:
                break
    return tuple(reversed(perm))


def dim_order(self, *, ambiguity_check=False) -> tuple:
    """The dims from outermost to innermost in memory: ``(0, 2, 3, 1)`` for channels-last.

    With ``ambiguity_check=True`` a layout with more than one valid order (size-1 dims, equal
    neighbouring strides) raises; a list of memory formats instead accepts such a layout when it
    is contiguous in exactly one of them.
    """
    if not isinstance(ambiguity_check, (bool, list)) or (
        isinstance(ambiguity_check, list)
        and not all(isinstance(f, D.memory_format) for f in ambiguity_check)
    ):
        raise TypeError("The ambiguity_check argument must be a bool or a list of memory formats.")
    shape, strides = tuple(self._data.shape), self.stride()
    if self._data.size == 0:  # NumPy may give empty arrays any strides; torch's are row-major
        strides = tuple(
            int(np.prod([max(n, 1) for n in shape[i + 1 :]])) for i in range(len(shape))
        )
    if ambiguity_check is not False:
        ambiguous = (
            1 in shape
            or any(a == b for a, b in zip(strides, strides[1:]))
            or (0 in strides and len(shape) > 1 and 0 not in shape)
        )
        if ambiguous and ambiguity_check is True:
            raise RuntimeError(_AMBIGUOUS)
        if ambiguous:
            if sum(_is_contiguous_as(shape, strides, f) for f in ambiguity_check) != 1:
                raise RuntimeError(_AMBIGUOUS)
            known = (D.contiguous_format, D.channels_last, D.channels_last_3d)
            if sum(_is_contiguous_as(shape, strides, f) for f in known) > 1:
                raise RuntimeError("The tensor does not have unique dim order.")
    return _order(shape, strides)


def new_empty_strided(self, size, stride, *, dtype=None, **kwargs) -> Tensor:
    """``empty_strided`` with this tensor's dtype unless another is given."""
    from .functions.strided import empty_strided

    return empty_strided(size, stride, dtype=dtype or self.dtype, **kwargs)


def _conj_transpose(self, name: str, batches: bool, conj: bool = True) -> Tensor:
    """``self.mT``, conjugated unless ``conj`` is False (a copy for complex: Ember has no
    conjugate bit), with torch's checks: 0-D warns (``mT`` returns the tensor itself, the others
    its conjugate), 1-D (and beyond 2-D for ``H``) refused."""
    nd = self._data.ndim
    if nd == 0:
        hint = (
            "Consider using x.conj()." if conj else "This function is the identity in these cases."
        )
        warnings.warn(f"{name} is deprecated on 0-D tensors. {hint}", UserWarning, stacklevel=3)
        return CX.conj(self) if conj else self
    if nd == 1 or (nd > 2 and not batches):
        what = "matrices or batches of matrices" if batches else "matrices (2-D tensors)"
        hint = " For batches of matrices, consider using tensor.mH" if nd > 2 else ""
        call = name.split(".")[-1] if batches else "H"
        raise RuntimeError(f"tensor.{call} is only supported on {what}. Got {nd}-D tensor.{hint}")
    t = self.transpose(-2, -1)
    return CX.conj(t) if conj else t


def adjoint(self) -> Tensor:
    """The conjugate transpose of the last two dims (``mH``)."""
    return _conj_transpose(self, "adjoint()", True)


def _set_real(self, value) -> None:
    CX.real(self).copy_(value)


def _set_imag(self, value) -> None:
    CX.imag(self).copy_(value)


# devices and layouts Ember has none of: torch's flags for them, all False
_ABSENT_KINDS = ("is_xpu", "is_xla", "is_ipu", "is_mtia", "is_maia", "is_vulkan", "is_mkldnn")
_ABSENT_KINDS += ("is_nested", "is_sparse_csr")


def to_dense(self: Tensor, dtype=None, *, masked_grad=None) -> Tensor:
    """The tensor itself (every Ember tensor is dense), or a copy in ``dtype``."""
    return self if dtype is None or dtype == self.dtype else self.to(dtype)


def tensor_type(self, dtype=None, non_blocking: bool = False, **kwargs):
    """Without ``dtype``, the type string (``'ember.FloatTensor'``); with a dtype, a type string
    (``'torch.DoubleTensor'``) or a typed-tensor class, the tensor in that type (itself if it
    already is). ``non_blocking`` has no effect on the CPU."""
    memory_format = kwargs.pop("memory_format", None)
    if "async" in kwargs:  # the spelling before Python 3.7 made ``async`` a keyword
        warnings.warn(
            "This overload of type is deprecated:\n\ttype(object dtype = None, bool async = False, "
            "*, torch.memory_format memory_format = None)\nConsider using one of the following "
            "signatures instead:\n\ttype(object dtype = None, bool non_blocking = False, *, "
            "torch.memory_format memory_format = None)",
            UserWarning,
            stacklevel=2,
        )
        non_blocking = kwargs.pop("async")
    if kwargs:
        raise TypeError(f"type() got an unexpected keyword argument '{next(iter(kwargs))}'")
    if not isinstance(non_blocking, bool):
        raise TypeError(
            f"type(): argument 'non_blocking' must be bool, not {type(non_blocking).__name__}"
        )
    if dtype is None:
        return f"{D.NAMESPACE}.{_TYPE_NAMES[self._data.dtype]}"
    target = _type_target(dtype)
    if memory_format is None:
        return self.to(target)
    return self.to(target, memory_format=memory_format)


def _type_target(dtype) -> D.dtype:
    """The dtype ``Tensor.type(dtype)`` asks for."""
    if isinstance(dtype, D.dtype):
        return dtype
    if isinstance(dtype, type):
        if dtype is Tensor:
            return D.get_default_dtype()
        if hasattr(dtype, "_np_dtype"):  # a typed-tensor class: x.type(ember.FloatTensor)
            return D._BY_NP[np.dtype(dtype._np_dtype)]
        raise ValueError(f"invalid type: '{dtype.__name__}'")
    if not isinstance(dtype, str):
        raise TypeError("dtype must be a type, str, or dtype object")
    module, _, name = dtype.rpartition(".")
    if module in ("torch.cuda", f"{D.NAMESPACE}.cuda"):
        raise RuntimeError(
            "Cannot initialize CUDA without ATen_cuda library (Ember runs on the CPU)"
        )
    # torch's CPU build gives a strided tensor for a sparse type name too
    if module in ("torch", "torch.sparse", D.NAMESPACE, f"{D.NAMESPACE}.sparse"):
        if name == "Tensor":
            return D.get_default_dtype()
        if name == "BFloat16Tensor":  # ember.bfloat16 is float32: no bfloat16 storage
            return D.float32
        if name in _TYPE_BY_NAME:
            return _TYPE_BY_NAME[name]
    raise ValueError(f"invalid type: {dtype!r}")


def bind_attributes() -> None:
    """Set the attributes above on ``Tensor``."""
    Tensor.itemsize = property(lambda self: self._data.itemsize)
    Tensor.nbytes = property(lambda self: self._data.size * self._data.itemsize)
    Tensor.is_cpu = True
    Tensor.layout = strided  # every Ember tensor is strided
    Tensor.output_nr = property(lambda self: self._output_nr)
    # Tensors made inside inference_mode carry the flag (still usable with autograd in Ember).
    Tensor._inference = False
    Tensor.is_inference = lambda self: self._inference
    for flag in _ABSENT_KINDS:
        setattr(Tensor, flag, False)
    Tensor.to_dense = to_dense
    tensor_type.__name__, tensor_type.__qualname__ = "type", "Tensor.type"
    Tensor.type = tensor_type
    Tensor.dim_order = dim_order
    Tensor.new_empty_strided = new_empty_strided
    Tensor.mT = property(lambda self: _conj_transpose(self, "Tensor.mT", True, conj=False))
    Tensor.mH = property(lambda self: _conj_transpose(self, "Tensor.mH", True))
    Tensor.H = property(lambda self: _conj_transpose(self, "Tensor.H", False))
    Tensor.adjoint = adjoint
    Tensor.real = property(CX.real, _set_real)
    Tensor.imag = property(CX.imag, _set_imag)
    Tensor._view_as_real = CX.view_as_real  # for derivative rules, written with Tensor methods
    Tensor._view_as_complex = CX.view_as_complex


def refuse_grad(t: Tensor, g: Tensor) -> None:
    """torch's refusal of a ``.grad`` of another dtype (checked first) or size."""
    if g._data.dtype != t._data.dtype:
        raise RuntimeError(
            f"attempting to assign a gradient with dtype '{_C_TYPE_NAMES.get(g._data.dtype.name)}' "
            f"to a tensor with grad_dtype '{_scalar_type_name(t.dtype)}'. The gradient must match "
            "the tensor's grad_dtype (defaults to the tensor's dtype). You can set the tensor's "
            "grad_dtype attribute with a specific dtype, or None to allow any dtype. Set "
            "grad_dtype with caution. Diverging the dtypes of a tensor and its gradient may "
            "break downstream systems that assume they match."
        )
    raise RuntimeError(
        f"attempting to assign a gradient of size '{list(g._data.shape)}' to a tensor of size "
        f"'{list(t._data.shape)}'. Please ensure that the gradient and the tensor are the same size"
    )
