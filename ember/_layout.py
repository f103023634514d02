"""Tensor layouts (``ember.strided``, ``ember.sparse_coo``...): every Ember tensor is strided; the
other layouts exist so that code comparing ``tensor.layout`` against them runs."""

from __future__ import annotations

from . import _dtype as D


class layout:  # noqa: N801 - torch spells it lowercase
    """How a tensor's elements are stored; one instance per layout, compared by identity."""

    __slots__ = ("_name",)

    def __new__(cls, *args, **kwargs):
        raise TypeError(f"cannot create '{D.NAMESPACE}.layout' instances")

    @classmethod
    def _make(cls, name: str) -> layout:
        obj = object.__new__(cls)
        obj._name = name
        return obj

    def __repr__(self) -> str:
        return f"{D.NAMESPACE}.{self._name}"

    def __reduce__(self):
        return (_by_name, (self._name,))

    def __copy__(self) -> layout:
        return self

    def __deepcopy__(self, memo) -> layout:
        return self


_NAMES = ("strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc", "jagged")
_LAYOUTS = {name: layout._make(name) for name in (*_NAMES, "_mkldnn")}


def _by_name(name: str) -> layout:
    return _LAYOUTS[name]


strided = _LAYOUTS["strided"]
sparse_coo = _LAYOUTS["sparse_coo"]
sparse_csr = _LAYOUTS["sparse_csr"]
sparse_csc = _LAYOUTS["sparse_csc"]
sparse_bsr = _LAYOUTS["sparse_bsr"]
sparse_bsc = _LAYOUTS["sparse_bsc"]
jagged = _LAYOUTS["jagged"]
_mkldnn = _LAYOUTS["_mkldnn"]

__all__ = ["layout", *_NAMES]
