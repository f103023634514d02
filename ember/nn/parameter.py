"""``nn.Parameter``: a tensor that a Module registers as one of its learnable weights."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _init


class Parameter(Tensor):
    """A Tensor that, assigned as a Module attribute, is listed in ``parameters()``.

    Args:
        data: the initial values (shared, not copied); an empty float tensor when omitted.
        requires_grad: whether the parameter requires gradient (default True).
    """

    _is_param = True

    def __new__(cls, data=None, requires_grad: bool = True):
        if data is None:
            from .. import _dtype as D

            arr = np.empty((0,), D.get_default_dtype().np)
        elif isinstance(data, Tensor):
            arr = data._data
        else:
            raise TypeError(
                f"Parameter.__new__() expected a Tensor for argument 'data', got "
                f"{type(data).__name__}"
            )
        p = object.__new__(cls)
        _init(p, arr, False)
        p.requires_grad = requires_grad
        return p

    def __init__(self, data=None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

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


class UninitializedParameter(Parameter):
    """Placeholder for lazily shaped parameters (not materialized by Ember's layers)."""
