"""``ember.autograd.graph``: the autograd graph as torch's public module shows it.

``Node`` (the type of every ``grad_fn``), ``GradientEdge``/``get_gradient_edge``,
``increment_version``, ``register_multi_grad_hook``, the saved-tensor hook context managers, and
``graph_nodes``, the walk over a graph that ``ember.viz`` and the pitfall checks use.
"""

from __future__ import annotations

import abc
import contextlib
import weakref
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from . import engine

__all__ = [
    "saved_tensors_hooks",
    "save_on_cpu",
    "disable_saved_tensors_hooks",
    "register_multi_grad_hook",
    "Node",
    "GradientEdge",
    "get_gradient_edge",
    "increment_version",
    "graph_nodes",
]


def graph_nodes(roots) -> list:
    """Every node reachable from ``roots`` through ``next_functions`` (depth first, each once)."""
    seen, out, stack = set(), [], list(reversed(roots))
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        out.append(node)
        stack.extend(c for c, _ in reversed(node.next_functions) if c is not None)
    return out


class Node(abc.ABC):
    """The type of a ``grad_fn``: every node of Ember's graph (``engine.Node``) is one."""

    @abc.abstractmethod
    def name(self) -> str:
        """The node's name, as ``repr(grad_fn)`` shows it (``MulBackward0``)."""

    @property
    @abc.abstractmethod
    def next_functions(self) -> tuple:
        """``(node, output_nr)`` of each input: the edges this node's gradients flow along."""

    @property
    @abc.abstractmethod
    def metadata(self) -> dict:
        """A dict kept with the node, for the user's own notes."""

    @abc.abstractmethod
    def register_hook(self, fn: Callable):
        """``fn(grad_inputs, grad_outputs)`` runs after the node; it may return new grad_inputs."""

    @abc.abstractmethod
    def register_prehook(self, fn: Callable):
        """``fn(grad_outputs)`` runs before the node; it may return new grad_outputs."""


def _metadata(node) -> dict:
    d = node.__dict__
    meta = d.get("_metadata")
    if meta is None:
        meta = d["_metadata"] = {}
    return meta


# The engine's nodes have no ``metadata`` of their own yet: it is given here (a dict made on first
# use, in the node's ``__dict__``), until it moves into engine.py beside the other hooks.
if not hasattr(engine.Node, "metadata"):
    engine.Node.metadata = property(_metadata, doc="A dict kept with the node.")
Node.register(engine.Node)


class GradientEdge(NamedTuple):
    """Where a tensor's gradient enters the graph: a node and which of its outputs."""

    node: Any
    output_nr: int
    ownership_token: Any = None


def get_gradient_edge(tensor) -> GradientEdge:
    """The edge of ``tensor``: its ``grad_fn`` (or, for a leaf, its AccumulateGrad node)."""
    if not tensor.requires_grad:
        raise RuntimeError(
            "It is not possible to get the gradient edge for a Tensor that does not require "
            "gradients"
        )
    if tensor.grad_fn is None:
        return GradientEdge(tensor._grad_accumulator(), 0)
    return GradientEdge(tensor.grad_fn, tensor._output_nr)


def increment_version(tensor) -> None:
    """Count an in-place change made behind autograd's back (``tensor._version`` goes up)."""
    for t in (tensor,) if hasattr(tensor, "_vc") else tensor:
        t._vc[0] += 1


# -- hooks on several tensors ------------------------------------------------------------------
# A multi-grad hook must know, at the start of each backward, which of its tensors will get a
# gradient in it: the engine's backward observers say which nodes run. While any such hook is
# alive the engine orders every backward's nodes before running them (a cost torch pays too).
_multi_hooks: weakref.WeakSet = weakref.WeakSet()


def _observe(order: list) -> None:
    nodes = set(order)
    for hook in list(_multi_hooks):
        hook.start(nodes)
    if not _multi_hooks:  # their tensors are gone: stop ordering every backward
        _sync_observer()


def _sync_observer() -> None:
    if _multi_hooks and _observe not in engine.backward_observers:
        engine.backward_observers.append(_observe)
    elif not _multi_hooks and _observe in engine.backward_observers:
        engine.backward_observers.remove(_observe)


class _MultiGradHook:
    """One ``register_multi_grad_hook`` call: its state within the running backward."""

    def __init__(self, tensors: Sequence, fn: Callable, mode: str) -> None:
        self.fn, self.mode, self.n = fn, mode, len(tensors)
        self.nodes = [get_gradient_edge(t).node for t in tensors]
        self.start(set())

    def start(self, nodes: set) -> None:
        self.expected = {i for i, n in enumerate(self.nodes) if n in nodes}
        self.grads: list = [None] * self.n
        self.fired = False

    def hook(self, i: int) -> Callable:
        def on_grad(grad) -> None:
            if self.mode == "any":
                if not self.fired:
                    self.fired = True
                    self.fn(grad)
                return
            if i not in self.expected:
                return
            self.grads[i] = grad
            self.expected.discard(i)
            if not self.expected:
                grads, self.grads = self.grads, [None] * self.n
                self.fn(grads)

        return on_grad


class _MultiHandle:
    """Removes every hook that one ``register_multi_grad_hook`` call put on its tensors."""

    def __init__(self, handles: tuple, state: _MultiGradHook) -> None:
        self.handles, self._state = handles, state

    def remove(self) -> None:
        """Remove the hooks (a second call does nothing)."""
        for h in self.handles:
            h.remove()
        _multi_hooks.discard(self._state)
        _sync_observer()

    def __enter__(self) -> _MultiHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def register_multi_grad_hook(tensors: Sequence, fn: Callable, *, mode: str = "all") -> _MultiHandle:
    """Call ``fn`` once per backward, with all of ``tensors``' gradients (``mode="all"``: a list,
    None where a tensor gets none) or with the first one computed (``mode="any"``)."""
    if mode not in ("all", "any"):
        raise ValueError(f"Expects mode to be one of ('all', 'any') but got {mode}")
    tensors = tuple(tensors)
    for t in tensors:
        if not t.requires_grad:
            raise AssertionError("Expected gradient function to be set")
    state = _MultiGradHook(tensors, fn, mode)
    handles = tuple(t.register_hook(state.hook(i)) for i, t in enumerate(tensors))
    _multi_hooks.add(state)
    _sync_observer()
    return _MultiHandle(handles, state)


# -- saved-tensor hooks ------------------------------------------------------------------------
# The (pack, unpack) pairs in force, innermost last (the engine's list: it packs tensors saved
# for backward with the innermost pair and unpacks them when a rule reads them), and the message
# of an active ``disable_saved_tensors_hooks`` (None when hooks are allowed).
_hooks_stack: list = engine.saved_tensors_hooks_stack
_disabled_message: str | None = None


class saved_tensors_hooks:  # noqa: N801 - torch's name
    """Context manager: ``pack_hook(tensor)`` runs when a tensor is saved for backward, and
    ``unpack_hook(packed)`` when backward reads it back."""

    def __init__(self, pack_hook: Callable[[Any], Any], unpack_hook: Callable[[Any], Any]) -> None:
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> saved_tensors_hooks:
        if _disabled_message is not None:
            raise RuntimeError(_disabled_message)
        _hooks_stack.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc) -> None:
        _hooks_stack.pop()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801 - torch's name
    """Saved tensors are kept on the CPU and moved back to their device when backward needs them."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        def pack(tensor):
            packed = tensor.to("cpu")
            return tensor.device, packed.pin_memory() if pin_memory else packed

        def unpack(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack, unpack)


@contextlib.contextmanager
def disable_saved_tensors_hooks(error_message: str):
    """Context manager: saved-tensor hooks are refused (``RuntimeError(error_message)``)."""
    global _disabled_message
    if _hooks_stack:
        raise RuntimeError(error_message)
    prev, _disabled_message = _disabled_message, error_message
    try:
        yield
    finally:
        _disabled_message = prev


# -- engine switches ---------------------------------------------------------------------------
class _Multithreading:
    enabled = True


_multithreading = _Multithreading()


def is_multithreading_enabled() -> bool:
    """Whether the engine may use device threads (Ember's runs backward on the calling thread)."""
    return _multithreading.enabled


class set_multithreading_enabled:  # noqa: N801 - torch's name
    """Turn multithreaded backward on or off; takes effect at once and as a context manager."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(
                "set_multithreading_enabled(): argument 'enabled' (position 1) must be bool, not "
                f"{type(mode).__name__}"
            )
        self.mode, self.prev = mode, _multithreading.enabled
        _multithreading.enabled = mode

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc) -> None:
        _multithreading.enabled = self.prev

    def clone(self) -> set_multithreading_enabled:
        """A fresh context manager with the same mode."""
        return set_multithreading_enabled(self.mode)
