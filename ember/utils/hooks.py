"""``ember.utils.hooks``, as ``torch.utils.hooks``: the handle that removes a registered hook."""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any

from ..autograd.engine import _Handle

__all__ = ["RemovableHandle"]


def _ref(d):
    """A weak reference where the registry allows one (torch's are OrderedDicts); Ember's own
    registries are plain dicts, held strongly."""
    try:
        return weakref.ref(d)
    except TypeError:
        return lambda: d


class RemovableHandle(_Handle):
    """A handle that removes a hook (keyed by ``id``) from ``hooks_dict`` and ``extra_dict``.

    The caller stores the hook as ``hooks_dict[handle.id] = hook``. Ids come from the same
    counter as the handles Ember's modules, tensors and optimizers return, so they never collide
    in one registry. Pickling keeps the registries, the id, and the counter ahead of the id.
    """

    def __init__(self, hooks_dict: Any, *, extra_dict: Any = None) -> None:
        _Handle._next_id += 1
        self.id = _Handle._next_id
        self.hooks_dict_ref = _ref(hooks_dict)
        if extra_dict is None:
            extra_dict = ()
        elif not isinstance(extra_dict, list):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(_ref(d) for d in extra_dict)

    def remove(self) -> None:
        """Remove the hook from every registry it was put in (a second call does nothing)."""
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            registry = ref()
            if registry is not None:
                registry.pop(self.id, None)

    def __getstate__(self) -> tuple:
        return (self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state: tuple) -> None:
        self.hooks_dict_ref = _ref(OrderedDict() if state[0] is None else state[0])
        self.id = state[1]
        _Handle._next_id = max(_Handle._next_id, self.id)
        extra = state[2] if len(state) > 2 and state[2] is not None else ()
        self.extra_dict_ref = tuple(_ref(d) for d in extra if d is not None)
