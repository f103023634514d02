"""The autograd engine: graph nodes, saved tensors, and the backward pass.

Every differentiable operation leaves a ``Node`` behind (``tensor.grad_fn``). A node knows its
inputs' nodes (``next_functions``) and how to turn the gradient of its output into gradients of its
inputs (``apply``). ``backward`` walks the graph from the output to the leaves in a topological
order without sorting it first: every node carries a creation stamp larger than its inputs', so
taking the pending node with the largest stamp (a heap, as torch's ready queue) runs each node
after all its consumers. Each node gets the summed gradient of its output and passes what it
returns on to its inputs. Leaves end in ``AccumulateGrad`` nodes that add into ``.grad``. The walk
is a loop, never recursion: a chain of 100,000 operations backpropagates.
"""

from __future__ import annotations

import heapq
import itertools
import re
import sys
import traceback
import warnings

import numpy as np

from .._dtype import _BY_NP
from .grad_mode import _state

_RELEASED = object()  # a node's saved tensors after a backward without retain_graph

# Every node is stamped with the next number once its edges are set, so a node's inputs always
# carry smaller numbers than the node: running nodes from the highest number down is a valid
# topological order (torch's engine orders its ready queue the same way).
next_seq = itertools.count().__next__

# Wraps an array as a leaf Tensor without copying: set by ``ember/_tensor.py`` (a layer above)
# when it is imported, so that the engine can make gradients without importing it.
wrap_array = None


class Node:
    """One recorded operation: the gradient function of the tensor(s) it produced."""

    __slots__ = (
        "next_functions",
        "_saved",
        "_versions",
        "_input_meta",
        "_seq",
        "__weakref__",
        "__dict__",
    )
    # Rarely set, so class-level defaults rather than per-node work on the hot path.
    _num_outputs = 1
    _hooks = _pre_hooks = _tensor_hooks = _retained = _anomaly_trace = None
    _hooked = False  # any of the four above set: the engine then looks at them
    array_rules = False  # see OpNode
    # False where a node can hold nothing for backward beyond ``_saved`` (a primitive whose
    # forward takes no ``ctx``): ``release`` then needs no look through the node's ``__dict__``.
    stateful = True

    def __init__(self) -> None:
        self.next_functions = ()
        self._saved = self._versions = self._input_meta = ()
        self._seq = next_seq()

    def name(self) -> str:
        return type(self).__name__

    def __repr__(self) -> str:  # the class name, as torch's (name() may be qualified)
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def __call__(self, *grads):
        return self.apply(grads)

    def apply(self, grads):  # pragma: no cover - each node type defines it
        raise NotImplementedError

    @property
    def needs_input_grad(self) -> tuple:
        return tuple(edge[0] is not None for edge in self.next_functions)

    # -- saved tensors ---------------------------------------------------------------------
    def save_for_backward(self, *values) -> None:
        """Remember values for backward, tensors with their version (to catch in-place edits);
        inside ``autograd.graph.saved_tensors_hooks``, tensors go through its pack hook."""
        if saved_tensors_hooks_stack:
            hooks = saved_tensors_hooks_stack[-1]
            values = tuple([_pack(v, hooks) for v in values])
        self._saved = values
        self._versions = tuple([getattr(v, "_vc", _NO_VC)[0] for v in values])

    @property
    def saved_tensors(self) -> tuple:
        saved = self._checked_saved()
        for t in saved:
            if type(t) in _UNPACKED:
                return tuple([t.unpack(self) if type(t) in _UNPACKED else t for t in saved])
        return saved

    def _checked_saved(self) -> tuple:
        """The saved values as stored, once they are known to be intact."""
        saved = self._saved
        if saved is _RELEASED:
            _raise_released()
        for t, version in zip(saved, self._versions):
            if version is not None and t._vc[0] != version:
                _raise_modified(t, version, self)
        return saved

    def release(self) -> None:
        if self._saved:
            self._saved = _RELEASED
        if not self.stateful:
            return
        # Arrays a forward kept on the node itself (pooling indices, masks) are saved state too:
        # without this, a graph kept alive by ``running_loss = running_loss + loss`` keeps them.
        # So are what one rule hands the next and another rule did not take up (a tuple that
        # starts with an array, an object of a type in RELEASABLE): a conv's weight rule that
        # never ran.
        d = self.__dict__
        big = []
        for k, v in d.items():  # a loop, not a comprehension: most nodes hold no array
            if isinstance(v, np.ndarray):
                if v.size > 1:
                    big.append(k)
            elif type(v) is tuple:  # (a check of the first item only: no generator per tuple)
                if v and type(v[0]) is np.ndarray:
                    big.append(k)
            elif type(v) in RELEASABLE:
                big.append(k)
        if big:
            for k in big:
                del d[k]
            self._saved = _RELEASED

    # -- hooks -----------------------------------------------------------------------------
    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node; it may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = {}
            self._hooked = True
        return add_hook(self._hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; it may return new grad_outputs."""
        if self._pre_hooks is None:
            self._pre_hooks = {}
            self._hooked = True
        return add_hook(self._pre_hooks, fn)


_NO_VC = (None,)


# Types of the objects a forward leaves on its node for a rule, that hold memory (see release).
RELEASABLE: set = set()


def _raise_released():
    raise RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved "
        "tensors after they have already been freed). Saved intermediate values of the "
        "graph are freed when you call .backward() or autograd.grad(). Specify "
        "retain_graph=True if you need to backward through the graph a second time or if "
        "you need to access saved tensors after calling backward."
    )


def _raise_modified(t, version: int, node: Node):
    """torch's error for a saved tensor changed in place since ``node`` saved it."""
    if type(t) is SavedOutput:  # the node's own output: torch names the node that made it
        owner, nr, t = node, t.output_nr, t.tensor
    else:  # an input: named by its producer now (the in-place op, if it made one)
        owner, nr = t.grad_fn, t._output_nr
    which = f", which is output {nr} of {_op_name(owner)}," if owner is not None else ""
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an "
        f"inplace operation: [{t.type()} {list(t.shape)}]{which} is at version {t._vc[0]}; "
        f"expected version {version} instead. Hint: enable anomaly detection to find the "
        "operation that failed to compute its gradient, with "
        "torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def _op_name(node: Node) -> str:
    """A node's operation as torch's messages name it: ``Add`` for ``AddBackward0``,
    ``torch::autograd::CopySlices`` for CopySlices."""
    return _BACKWARD_SUFFIX.sub("", node.name())


_BACKWARD_SUFFIX = re.compile(r"Backward\d*$")


class SavedOutput:
    """A node's own output, saved without a reference back to the node (no cycle).

    Unpacked, it becomes a tensor whose ``grad_fn`` is the node again, so that a rule using the
    output (``exp``'s ``g * out``) stays differentiable under ``create_graph=True``. Only the
    array and the version counter are kept: a plain backward reads the array, and a Tensor is
    made only when one is asked for.
    """

    __slots__ = ("data", "_vc", "output_nr")

    def __init__(self, tensor, output_nr: int = 0) -> None:
        self.data = tensor._data
        self._vc = tensor._vc
        self.output_nr = output_nr

    @property
    def tensor(self):
        """The output's values as a tensor cut from the graph (sharing its version counter)."""
        t = wrap_array(self.data)
        t._vc = self._vc
        return t

    def unpack(self, node):
        t = self.tensor
        if _state.enabled:
            t._rg = True
            t._attach(node, self.output_nr)
        return t


# The (pack, unpack) hook pairs of the ``autograd.graph.saved_tensors_hooks`` blocks in force,
# innermost last: tensors saved for backward meanwhile go through the innermost pack hook.
saved_tensors_hooks_stack: list = []


class SavedPacked:
    """A saved tensor as a pack hook returned it; ``unpack`` runs the unpack hook. Hooked values
    get no version check (the hook owns them), as in torch."""

    __slots__ = ("packed", "unpack_hook", "output_nr")

    def __init__(self, tensor, hooks, output_nr=None) -> None:
        pack, self.unpack_hook = hooks
        self.output_nr = output_nr
        self.packed = pack(tensor)

    def unpack(self, node):
        t = self.unpack_hook(self.packed)
        if self.output_nr is not None and _state.enabled:  # the node's own output, as SavedOutput
            t = t.detach()
            t._rg = True
            t._attach(node, self.output_nr)
        return t


def _pack(value, hooks):
    if type(value) is SavedOutput:
        return SavedPacked(value.tensor, hooks, value.output_nr)
    return SavedPacked(value, hooks) if hasattr(value, "_vc") else value


_UNPACKED = (SavedOutput, SavedPacked)


class RemovableHandle:
    """A handle that removes a hook from ``hooks_dict`` (and ``extra_dict``), as torch's.

    The registry holds the hook under ``handle.id`` (``add_hook`` does both steps). Registries
    are held weakly where they allow it (torch's OrderedDicts), strongly otherwise (plain dicts).
    """

    id: int
    next_id: int = 0

    def __init__(self, hooks_dict, *, extra_dict=None) -> None:
        self.hooks_dict_ref = self._ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if extra_dict is None:
            extra_dict = ()
        elif not isinstance(extra_dict, list):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(self._ref(d) for d in extra_dict)

    @staticmethod
    def _ref(registry):
        import weakref

        try:
            return weakref.ref(registry)
        except TypeError:  # a plain dict cannot be weakly referenced
            return lambda: registry

    def remove(self) -> None:
        """Remove the hook from every registry it was put in (a second call does nothing)."""
        for ref in (self.hooks_dict_ref, *self.extra_dict_ref):
            registry = ref()
            if registry is not None and self.id in registry:
                del registry[self.id]

    def __getstate__(self) -> tuple:
        return (self.hooks_dict_ref(), self.id, tuple(ref() for ref in self.extra_dict_ref))

    def __setstate__(self, state: tuple) -> None:
        from collections import OrderedDict

        self.hooks_dict_ref = self._ref(OrderedDict() if state[0] is None else state[0])
        self.id = state[1]
        RemovableHandle.next_id = max(RemovableHandle.next_id, self.id + 1)
        extra = () if len(state) < 3 or state[2] is None else state[2]
        self.extra_dict_ref = tuple(self._ref(d) for d in extra)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(registry, hook, *, extra_dict=None) -> RemovableHandle:
    """Put ``hook`` in ``registry`` under a new handle's id and return the handle."""
    handle = RemovableHandle(registry, extra_dict=extra_dict)
    registry[handle.id] = hook
    return handle


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable) -> None:
        self.next_functions = self._saved = self._versions = self._input_meta = ()
        self.variable = variable
        self._seq = next_seq()

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    def apply(self, grads):
        return ()


class OpNode(Node):
    """A node made by a primitive of the rule table (see ``primitives/``).

    ``rules`` holds one derivative function per input, ``rule(ctx, grad, *saved)``; only the
    ones whose input needs a gradient are called. Rules of a primitive declared with
    ``arrays=True`` also run on NumPy arrays (see ``primitives/rule_ops.py``): a plain backward
    calls them through ``apply_arrays``, making no Tensor for any intermediate gradient.
    """

    __slots__ = ()
    rules: tuple = ()
    multi_output = False  # rules of a multi-output primitive get all output gradients

    def input_shape(self, i: int = 0) -> tuple:
        return self._input_meta[i][0]

    def apply(self, grads):
        # By declaration, not count: a split that happens to yield one piece still gets a tuple.
        grad = tuple(grads) if self.multi_output else grads[0]
        saved = self.saved_tensors if self._saved else ()
        return self._run_rules(grad, saved)

    def apply_arrays(self, grads):
        """``apply`` on arrays: array gradients in, array (or NumPy scalar) gradients out."""
        grad = tuple(grads) if self.multi_output else grads[0]
        saved = self._saved
        if saved:  # each saved tensor's array in its place, after the version check
            if saved is _RELEASED:
                _raise_released()
            arrays = []
            for t, version in zip(saved, self._versions):
                if version is None:  # not a tensor, a value no needed rule reads, or packed
                    arrays.append(t.unpack(self)._data if type(t) is SavedPacked else t)
                    continue
                if t._vc[0] != version:
                    _raise_modified(t, version, self)
                arrays.append(t.data if type(t) is SavedOutput else t._data)
            saved = arrays
        # _run_rules inlined for one and two inputs (most nodes): a call and a loop fewer
        edges = self.next_functions
        n = len(edges)
        if n == 1:  # one input, so it needs its gradient (else no node)
            return [self.rules[0](self, grad, *saved)]
        if n == 2:
            rules = self.rules
            return [
                rules[0](self, grad, *saved) if edges[0][0] is not None else None,
                rules[1](self, grad, *saved) if edges[1][0] is not None else None,
            ]
        return self._run_rules(grad, saved)

    def _run_rules(self, grad, saved) -> list:
        """Each input's rule, for the inputs that need a gradient (None for the others)."""
        out = []  # a loop, not a comprehension: one call fewer per node
        for rule, edge in zip(self.rules, self.next_functions):
            out.append(rule(self, grad, *saved) if edge[0] is not None else None)
        return out


def unbroadcast(grad, shape: tuple):
    """Sum ``grad`` (a Tensor or an array) down to ``shape``: the one place where broadcasting
    is undone."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and grad.shape[i + lead] != 1
    )
    if dims:
        if type(grad) is np.ndarray:
            grad = np.add.reduce(grad, axis=dims, keepdims=True)
        else:
            grad = grad.sum(dims, keepdim=True)
    return grad.reshape(shape) if grad.shape != shape else grad


# -- anomaly detection -------------------------------------------------------------------------
class _Anomaly:
    enabled = False
    check_nan = True


anomaly = _Anomaly()


def _record_trace(node: Node) -> None:
    node._anomaly_trace = "".join(traceback.format_stack()[:-3])


def _check_anomaly(node: Node, grads) -> None:
    for i, g in enumerate(grads):
        d = getattr(g, "_data", g)
        if d is not None and d.dtype.kind in "fc" and np.isnan(d).any():
            if node._anomaly_trace:
                warnings.warn(
                    f"Error detected in {node.name()}. Traceback of forward call that caused the "
                    f"error:\n{node._anomaly_trace}",
                    stacklevel=3,
                )
            raise RuntimeError(f"Function '{node.name()}' returned nan values in its {i}th output.")


# -- the backward pass --------------------------------------------------------------------------
def _topological_order(roots) -> list:
    """Nodes reachable from ``roots``, each before the nodes of its inputs (iterative DFS)."""
    order, visited = [], set()
    finish, visit = order.append, visited.add
    for root in roots:
        if root in visited:
            continue
        visit(root)
        stack = [(root, iter(root.next_functions))]
        push, pop = stack.append, stack.pop
        while stack:
            node, children = stack[-1]
            for child, _ in children:
                if child is not None and child not in visited:
                    visit(child)
                    push((child, iter(child.next_functions)))
                    break
            else:
                pop()
                finish(node)
    order.reverse()
    return order


def _captures(inputs) -> dict:
    """``{(node, output_nr): [positions in inputs]}``: where each input's gradient is read."""
    captures: dict = {}
    for i, t in enumerate(inputs):
        key = (t.grad_fn, t._output_nr) if t.grad_fn is not None else (t._grad_accumulator(), 0)
        if key[0] is None:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        captures.setdefault(key, []).append(i)
    return captures


def _worth_running(order: list, targets: set) -> set:
    """The nodes with a target below them: only their gradients can reach a target."""
    reaches, run = set(), set()
    for node in reversed(order):  # inputs before their consumers
        if any(c in reaches for c, _ in node.next_functions if c is not None):
            run.add(node)
            reaches.add(node)
        elif node in targets:
            reaches.add(node)
    return run


# Callables ``observe(order)`` given each backward's nodes before they run (``autograd.trace``
# adds one while active). Empty otherwise: a backward then pays one truth test.
backward_observers: list = []


def run_backward(
    roots,
    grads,
    retain_graph: bool,
    create_graph: bool,
    inputs=None,
    accumulate: bool = True,
    allow_unused: bool = True,
):
    """Backpropagate ``grads`` from ``roots`` (pairs of node and output number).

    With ``inputs`` (tensors), only gradients reaching them are computed; when ``accumulate`` is
    False they are returned instead of added into ``.grad`` (``autograd.grad``).
    """
    captures = run = None
    if inputs is not None or backward_observers:
        order = _topological_order([node for node, _ in roots])
        if inputs is not None:
            captures = _captures(inputs)
            targets = {key[0] for key in captures}
            run = _worth_running(order, targets)
            order = [n for n in order if n in run or n in targets]
        for observe in backward_observers:  # ember.autograd.trace: hooks the nodes about to run
            observe(order)
    results = [None] * (len(inputs) if inputs is not None else 0)
    # Without create_graph, gradients flow as NumPy arrays: nodes whose rules run on arrays
    # (``OpNode.array_rules``) take them as they are, and a Tensor is made only where code outside
    # the engine sees a gradient (other nodes, hooks, ``.grad``, ``autograd.grad``'s results).
    raw = not create_graph

    # The gradients flowing into each node not yet run, one slot per output of the node, and the
    # nodes holding a gradient, highest stamp first: a node runs once all its consumers have.
    buffers: dict = {}
    ready: list = []
    push, pop_ready = heapq.heappush, heapq.heappop
    for (node, nr), g in zip(roots, grads):
        if raw and type(g) is not np.ndarray:  # Tensor.backward hands a loss's ones as an array
            g = g._data
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * node._num_outputs
            push(ready, (-node._seq, node))
        buf[nr] = g if buf[nr] is None else buf[nr] + g

    check_nan = anomaly.enabled and anomaly.check_nan
    # ids of the arrays something else may hold: a leaf's .grad taken in this backward, or what
    # user code saw (hooks, a custom Function's results); a leaf copies these rather than adopt.
    adopted: set = set()
    pop = buffers.pop
    prev = _state.enabled
    _state.enabled = create_graph
    try:
        while ready:
            node = pop_ready(ready)[1]
            buf = pop(node)
            hooked = node._hooked
            if hooked:
                buf = _run_pre_hooks(node, buf, raw)
                if raw:
                    adopted.update(id(g) for g in buf if g is not None)
                if all(g is None for g in buf):  # a pre-hook took the gradient away
                    continue
            if captures is not None:
                for nr, g in enumerate(buf):
                    for i in captures.get((node, nr), ()):
                        g = _as_tensor(g) if raw else g
                        results[i] = g
                        if accumulate and g is not None and type(node) is not AccumulateGrad:
                            _accumulate(inputs[i], g, create_graph, adopted)  # inputs=non-leaf
            if type(node) is AccumulateGrad:
                if accumulate and (captures is None or (node, 0) in captures):
                    g = buf[0]
                    _accumulate(node.variable, g, create_graph, adopted)
                continue
            if run is not None and node not in run:
                continue
            if not raw:
                in_grads = node.apply(buf)
            elif node.array_rules:
                in_grads = node.apply_arrays(buf)
            else:  # a node whose rules need Tensors: a custom Function, a rule not yet ported
                tbuf = [
                    None if g is None else wrap_array(g if type(g) is np.ndarray else np.asarray(g))
                    for g in buf
                ]
                in_grads = [None if g is None else g._data for g in node.apply(tbuf)]
                adopted.update(id(g) for g in in_grads if g is not None)  # the user's may keep
            if hooked and node._hooks:
                in_grads = _run_post_hooks(node, in_grads, buf, raw)
                if raw:
                    adopted.update(id(g) for g in in_grads if g is not None)
            if check_nan:
                _check_anomaly(node, in_grads)
            if not retain_graph:
                if node.stateful:
                    node.release()
                elif node._saved:  # release() inlined for the commonest nodes
                    node._saved = _RELEASED
            for (child, nr), g, meta in zip(node.next_functions, in_grads, node._input_meta):
                if child is None or g is None:
                    continue
                shape, dtype = meta  # of the input: its gradient must match both
                d = g if raw else g._data
                if d.shape != shape:
                    g = unbroadcast(g, shape)
                if d.dtype is not dtype and d.dtype != dtype:
                    if d.dtype.kind == "c" and dtype.kind != "c":  # a real input: torch keeps
                        g = g.real  # the real part, without NumPy's ComplexWarning
                    g = g.astype(dtype) if raw else g.to(_BY_NP[dtype])
                cbuf = buffers.get(child)
                if cbuf is None:
                    push(ready, (-child._seq, child))
                    if child._num_outputs == 1:
                        buffers[child] = [g]
                        continue
                    cbuf = buffers[child] = [None] * child._num_outputs
                cbuf[nr] = g if cbuf[nr] is None else cbuf[nr] + g
    finally:
        _state.enabled = prev
    if inputs is not None and not accumulate and not allow_unused:
        for i, r in enumerate(results):
            if r is None:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the "
                    "graph. Set allow_unused=True if this is the desired behavior."
                )
    return results


def ones_for(d: np.ndarray) -> np.ndarray:
    """The implicit gradient of a scalar output ``d`` (``loss.backward()``'s seed)."""
    ones = np.empty(d.shape, d.dtype)
    ones.fill(1)  # np.ones is a Python function: this costs a third
    return ones


def _as_tensor(g):
    # array rules may return NumPy scalars (from 0-d arrays): Tensors hold arrays
    return None if g is None else wrap_array(g if type(g) is np.ndarray else np.asarray(g))


def _as_array(g):
    return None if g is None else g._data


def _run_pre_hooks(node: Node, buf: list, raw: bool) -> list:
    """A node's tensor hooks, ``retain_grad`` copies and pre-hooks, before it runs."""
    if raw:
        return [_as_array(g) for g in _run_pre_hooks(node, [_as_tensor(g) for g in buf], False)]
    if node._tensor_hooks or node._retained:
        _run_tensor_hooks(node, buf)
    if node._pre_hooks:
        for hook in list(node._pre_hooks.values()):
            new = hook(tuple(buf))
            if new is not None:
                buf = _checked_values(hook, buf, new)
    return buf


def _run_post_hooks(node: Node, in_grads, buf: list, raw: bool):
    """A node's hooks, ``hook(grad_inputs, grad_outputs)``, which may replace its grad_inputs."""
    if raw:
        out = _run_post_hooks(node, [_as_tensor(g) for g in in_grads], buf, False)
        return [_as_array(g) for g in out]
    for hook in list(node._hooks.values()):
        new = hook(tuple(in_grads), tuple(buf))
        if new is not None:
            new = _checked_values(hook, in_grads, new)
            if any(was is None and now is not None for was, now in zip(in_grads, new)):
                raise RuntimeError("can't replace a None gradient with a non-None value")
            in_grads = tuple(new)
    return in_grads


def _checked_values(hook, old, new) -> list:
    """A node hook's replacement gradients, refused as torch refuses them."""
    new = list(new)
    if len(new) != len(old):
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has returned an incorrect number of values (got "
            f"{len(new)}, but expected {len(old)})"
        )
    for was, now in zip(old, new):
        if was is not None and now is not None:
            check_hook_result(hook, was, now)
    return new


def check_hook_result(hook, old, new):
    """A tensor hook's replacement gradient, refused as torch refuses it: not a tensor, or of
    another shape or dtype than the gradient it replaces. Returns it."""
    if not hasattr(new, "_data"):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if new._data.shape != old._data.shape:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
    if new._data.dtype != old._data.dtype:
        raise RuntimeError(
            f"hook '{_hook_name(hook)}' has changed the type of value (was {old.type()} got "
            f"{new.type()})"
        )
    return new


def _hook_name(hook) -> str:
    return getattr(hook, "__name__", type(hook).__name__)


def _run_tensor_hooks(node: Node, buf: list) -> None:
    hooks = node._tensor_hooks or {}
    for nr in range(len(buf)):
        for hook in list(hooks.get(nr, {}).values()):
            if buf[nr] is not None:
                new = hook(buf[nr])
                if new is not None:
                    buf[nr] = check_hook_result(hook, buf[nr], new)
        ref = node._retained.get(nr) if node._retained else None
        t = ref() if ref is not None else None
        if t is not None and buf[nr] is not None:
            g = buf[nr] if _state.enabled else buf[nr].detach()
            t.grad = g.clone() if t.grad is None else t.grad + g


def _sole_view(d: np.ndarray) -> bool:
    """Whether ``d`` is a view of an array that nothing but ``d`` holds: a rule's fresh result
    seen through a transpose or a reshape (a Linear weight's gradient after TBackward0, a bias's
    keepdim sum), whose memory no other array or tensor can see, so it may become ``.grad`` as it
    is, as torch steals a gradient no one else holds (a copy of the 784x256 weight's gradient
    was 30-50 us of the MLP step)."""
    base = d.base
    # the references to ``base``: ``d``'s, this frame's and getrefcount's argument
    return type(base) is np.ndarray and sys.getrefcount(base) == 3


def _accumulate(variable, grad, create_graph: bool, adopted: set) -> None:
    """``variable.grad += grad``, as torch: in place when it can, keeping the grad's identity.

    ``grad`` is a Tensor, or in a plain backward an array. A first gradient is taken as it is
    when nothing else can see its memory (a later backward adds into ``.grad`` in place): not a
    view, not read-only, not in ``adopted`` (another leaf's ``.grad``, since the rule of an
    addition hands both its inputs the same gradient, or an array user code saw), and not seen by
    the leaf's own hooks. Under ``create_graph`` it is always copied, as torch does.
    """
    hooks = variable._hooks
    if not hooks and not create_graph:  # a plain backward's commonest case, on the array
        d = grad
        if type(d) is not np.ndarray:  # a Tensor (inputs=), or a rule's NumPy scalar
            d = grad._data if hasattr(grad, "_data") else np.asarray(grad)
        old = variable._grad  # a leaf's: the property's non-leaf warning does not apply
        if old is None:
            flags = d.flags
            if (
                (d.base is not None and not _sole_view(d))
                or id(d) in adopted
                or not flags.writeable
                or not flags.c_contiguous
            ):
                d = d.copy()
            adopted.add(id(d))
            variable._grad = wrap_array(d)
        else:  # in place, as torch outside grad mode (a .grad requiring grad stays itself)
            old._data += d
            old._vc[0] += 1
    else:
        if not hasattr(grad, "_data"):
            grad = _as_tensor(grad)
        for hook in list(hooks.values()) if hooks else ():
            new = hook(grad)
            if new is not None:
                grad = check_hook_result(hook, grad, new)
        old = variable._grad
        if old is None:
            if create_graph:  # torch copies a first gradient here, recording CopyBackwards
                grad = grad.new_empty(grad.shape).copy_(grad)
            elif hooks or id(grad._data) in adopted:
                grad = grad.clone()
            if not create_graph and grad._rg:
                grad = grad.detach()
            adopted.add(id(grad._data))
            if hooks:  # a hook's result is checked as an assignment to .grad is
                variable.grad = grad
            else:
                variable._grad = grad
        elif create_graph:
            variable.grad = old + grad
        else:
            old._data += grad._data
            old._vc[0] += 1
    post = variable._post_hooks
    if post:
        for hook in list(post.values()):
            hook(variable)
