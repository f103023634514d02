"""``nn.Parameter``: a tensor that a Module registers as one of its learnable weights."""

from __future__ import annotations

import inspect

import numpy as np

from .. import _dtype as D
from .._device import check_device
from .._tensor import Tensor, _init
from ..functions.inplace import _C_TYPE_NAMES
from ..functions.reduce import _scalar_type_name


class Parameter(Tensor):
    """A Tensor that, assigned as a Module attribute, is listed in ``parameters()``.

    Args:
        data: the initial values (shared, not copied); an empty float tensor when omitted.
        requires_grad: whether the parameter requires gradient (default True).
    """

    _is_param = True

    def __new__(cls, data=None, requires_grad: bool = True):
        if data is None:
            arr = np.empty((0,), D.get_default_dtype().np)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            raise TypeError(
                f"Parameter.__new__() expected a Tensor for argument 'data', got "
                f"{type(data).__name__}"
            )
        if requires_grad and arr.dtype.kind not in "fc":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        p = object.__new__(cls)
        _init(p, arr, False)
        p.requires_grad = requires_grad
        return p

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    # torch's checks on assigning ``.data`` and ``.grad``, with its messages
    @property
    def data(self) -> Tensor:
        """The same values, detached from the graph."""
        return Tensor.data.fget(self)

    @data.setter
    def data(self, value: Tensor) -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self._rg and value._data.dtype.kind not in "fc":
            raise RuntimeError(
                "data set to a tensor that requires gradients must be floating point or complex "
                "dtype"
            )
        Tensor.data.fset(self, value)

    @property
    def grad(self) -> Tensor | None:
        """The gradient accumulated by ``backward()``; None until one arrives."""
        return Tensor.grad.fget(self)

    @grad.setter
    def grad(self, value) -> None:
        if isinstance(value, Tensor):
            have, want = value._data.dtype, self._data.dtype
            if have != want:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_name(have)}' to a tensor "
                    f"with grad_dtype '{_scalar_type_name(D._BY_NP[want])}'. The gradient must "
                    "match the tensor's grad_dtype (defaults to the tensor's dtype). You can set "
                    "the tensor's grad_dtype attribute with a specific dtype, or None to allow "
                    "any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match."
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size"
                )
        Tensor.grad.fset(self, value)

    @grad.deleter
    def grad(self) -> None:
        Tensor.grad.fdel(self)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        from .._tensor import _make

        new = Parameter(_make(self._data.copy()), self._rg)
        if self._grad is not None:
            new._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data.copy(), self._rg))


_COMPLEX_C_NAMES = {"complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _c_name(npd: np.dtype) -> str:
    """torch's C++ name of a dtype, as its ``.grad`` checks print it."""
    return _COMPLEX_C_NAMES.get(npd.name) or _C_TYPE_NAMES.get(npd.name, npd.name)


def _rebuild_parameter(data, requires_grad):
    from .._tensor import _make

    return Parameter(_make(data), requires_grad)


class Buffer(Tensor):
    """Marks a tensor assigned to a Module attribute as a buffer: ``self.b = nn.Buffer(t)``."""

    def __new__(cls, data=None, *, persistent: bool = True):
        from .._tensor import _make

        if data is None:
            data = _make(np.empty((0,), np.float32))
        t = object.__new__(cls)
        _init(t, data._data, data._rg)
        t.persistent = persistent
        return t

    def __init__(self, data=None, *, persistent: bool = True) -> None:
        pass


def _uninitialized_message(what: str) -> str:
    ns = D.NAMESPACE
    return (
        f"Attempted to use an uninitialized parameter in {what}. This error happens when you are "
        f"using a `LazyModule` or explicitly manipulating `{ns}.nn.parameter."
        "UninitializedParameter` objects. When using LazyModules Call `forward` with a dummy "
        f"batch to initialize the parameters before calling {ns} functions"
    )


class _UninitializedArray(np.ndarray):
    """The empty array an uninitialized tensor holds: any NumPy computation on it fails, so an
    operation reaching it through a function (``ember.add(p, 1)``) fails as a method call does."""

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        raise ValueError(_uninitialized_message(f"<ufunc '{ufunc.__name__}'>"))

    def __array_function__(self, func, types, args, kwargs):
        raise ValueError(_uninitialized_message(f"<function {func.__name__}>"))


_DATA_SLOT = Tensor.__dict__["_data"]

# what torch lets an uninitialized tensor do: casts and moves (recorded for materialize), size()
_ALLOWED = frozenset(
    "size copy_ is_complex is_floating_point half float double char short int long cuda cpu to "
    "get_device materialize".split()
)
_KEPT_DUNDERS = frozenset(
    "__init__ __new__ __getattribute__ __getattr__ __setattr__ __delattr__ __repr__ __str__ "
    "__reduce__ __reduce_ex__ __deepcopy__ __copy__ __hash__ __dir__ __sizeof__ __getstate__ "
    "__setstate__ __init_subclass__ __subclasshook__ __class_getitem__".split()
)
_tensor_methods: dict[str, bool] = {}


def _is_tensor_method(name: str) -> bool:
    known = _tensor_methods.get(name)
    if known is None:
        known = _tensor_methods[name] = callable(inspect.getattr_static(Tensor, name, None))
    return known


def _refuse(name: str):
    def method(*args, **kwargs):
        raise ValueError(
            _uninitialized_message(f"<method '{name}' of '{D.NAMESPACE}.Tensor' objects>")
        )

    method.__name__ = name
    return method


class UninitializedTensorMixin:
    """A tensor whose shape is not known yet (a lazy module's weight before its first forward).

    Using it raises, except the casts that choose its dtype; ``materialize(shape)`` gives it
    storage and turns it into ``cls_to_become``.
    """

    __slots__ = ()
    cls_to_become: type | None = None

    def __init__(self, *args, **kwargs) -> None:
        pass

    # the values live in Tensor's slot, always viewed as _UninitializedArray while uninitialized
    @property
    def _data(self):
        return _DATA_SLOT.__get__(self, Tensor)

    @_data.setter
    def _data(self, value) -> None:
        _DATA_SLOT.__set__(self, np.asarray(value).view(_UninitializedArray))

    def __getattribute__(self, name: str):
        if name[0] != "_" and name not in _ALLOWED and _is_tensor_method(name):
            return _refuse(name)
        return object.__getattribute__(self, name)

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes."
        )

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Give the tensor storage of ``shape`` (uninitialized values) and make it a
        ``cls_to_become``; ``dtype`` defaults to the one it was created or cast with."""
        if device is not None:
            check_device(device)
        np_dtype = self._data.dtype if dtype is None else D.to_dtype(dtype).np
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        _DATA_SLOT.__set__(self, np.empty(shape, np_dtype))
        self.__class__ = self.cls_to_become

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.requires_grad, None, self.dtype)
        return memo[id(self)]

    def __reduce_ex__(self, proto):
        return (type(self), (self.requires_grad, None, self.dtype))


# operators and other special methods are looked up on the type, past __getattribute__
for _name in dir(Tensor):
    if (
        _name.startswith("__")
        and _name not in _KEPT_DUNDERS
        and _name not in UninitializedTensorMixin.__dict__
        and callable(inspect.getattr_static(Tensor, _name))
        and inspect.getattr_static(Tensor, _name) is not getattr(object, _name, None)
    ):
        setattr(UninitializedTensorMixin, _name, _refuse(_name))
UninitializedTensorMixin.__hash__ = Tensor.__hash__


def _uninitialized(cls, requires_grad: bool, dtype):
    t = object.__new__(cls)
    np_dtype = (D.get_default_dtype() if dtype is None else D.to_dtype(dtype)).np
    _init(t, np.empty((0,), np_dtype), False)
    t.requires_grad = requires_grad
    return t


def is_lazy(param) -> bool:
    """Whether ``param`` is an uninitialized parameter or buffer."""
    return isinstance(param, UninitializedTensorMixin)


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter without a shape yet: a lazy module's weight until its first forward."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad: bool = True, device=None, dtype=None):
        if device is not None:
            check_device(device)
        return _uninitialized(cls, requires_grad, dtype)


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer without a shape yet: a lazy norm layer's running statistics until first used."""

    cls_to_become = Tensor

    def __new__(cls, requires_grad: bool = False, device=None, dtype=None):
        if device is not None:
            check_device(device)
        return _uninitialized(cls, requires_grad, dtype)


def _cast_stays_uninitialized(name: str):
    """A buffer's cast gives another uninitialized buffer (a module's ``.double()`` replaces its
    buffers by their casts, and the lazy layer must still find them uninitialized)."""
    cast = getattr(Tensor, name)

    def method(self, *args, **kwargs):
        out = cast(self, *args, **kwargs)
        if out is self or not isinstance(out, Tensor):
            return out
        return UninitializedBuffer(self.requires_grad, None, out.dtype)

    method.__name__ = name
    return method


for _name in ("to", "half", "float", "double", "char", "short", "int", "long"):
    setattr(UninitializedBuffer, _name, _cast_stays_uninitialized(_name))
