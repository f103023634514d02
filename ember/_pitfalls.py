"""Training-loop checks: warnings for the classic mistakes, each naming the line of your script.

``ember.autograd.set_detect_pitfalls(True)`` (or ``ember run --lint script.py``) turns them on.
Each is a ``PitfallWarning`` (a ``UserWarning``), shown once per line of your script, so they can
be filtered with the ``warnings`` module:

- ``step()`` with no ``backward()`` since the last ``step()``;
- ``backward()`` adding to the gradients of the previous step (no ``zero_grad()`` between steps);
- ``zero_grad()`` between ``backward()`` and ``step()`` (the step then has nothing to apply);
- a graph-carrying tensor summed across iterations (``running_loss = running_loss + loss``);
- ``backward()`` on a non-scalar, or on the model's output rather than on a loss;
- dropout/batch-norm in eval mode while training, or in training mode under ``no_grad()``;
- a learning rate that makes the loss explode within the first steps.

How: enabling wraps ``Tensor.backward``, the scalar additions of ``Tensor``,
``Optimizer.__init__``/``zero_grad`` and ``Module.__call__``, and adds a global optimizer step
pre-hook; disabling puts the originals back, so with the checks off nothing runs and nothing is
slower. Patching ``nn`` and ``optim`` puts this module above them, at the top of the package;
``ember.autograd`` re-exports it under torch's names.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
import weakref
from collections import deque

from ._tensor import Tensor
from .autograd.grad_mode import _state as _grad_state
from .autograd.graph import graph_nodes
from .nn.modules.module import Module
from .optim import optimizer as _optim

__all__ = ["PitfallWarning", "set_detect_pitfalls", "is_pitfall_detection_enabled"]

_EMBER_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
EXPLOSION_WINDOW = 10  # steps watched for an exploding loss
EXPLOSION_FACTOR = 10.0  # the loss growing this many times over its first value is an explosion
_LEAKED_AFTER = 2  # a loss graph alive this many backwards later is being kept by something


class PitfallWarning(UserWarning):
    """A likely mistake in a training loop, found by ``set_detect_pitfalls(True)``."""


class _OptInfo:
    __slots__ = (
        "created_at",
        "last_step_backward",
        "last_zero_backward",
        "last_step_clock",
        "last_zero_clock",
        "steps",
        "losses",
        "__weakref__",
    )

    def __init__(self, created_at=None) -> None:
        self.created_at = created_at
        self.last_step_backward = 0  # backward count at the last step (0: since enabling)
        self.last_zero_backward = 0  # backward count at the last zero_grad
        self.last_step_clock = self.last_zero_clock = -1
        self.steps = 0
        self.losses: list = []


class _State:
    def __init__(self) -> None:
        self.enabled = False
        self.originals: list = []  # (owner, name, original attribute)
        self.handles: list = []
        self.reset()

    def reset(self) -> None:
        self.clock = 0
        self.backwards = 0
        self.optimizers = weakref.WeakKeyDictionary()
        self.warned: set = set()
        self.warned_kinds: set = set()
        self.depth = 0
        self.call_loc = None
        self.train_under_no_grad: list = []  # module names in the current top-level call
        self.pending_eval: list = []  # (node ref, module name, location) of eval-mode forwards
        self.model_outputs = weakref.WeakKeyDictionary()  # output node -> module name
        self.scalar_adds = weakref.WeakKeyDictionary()  # node of a scalar sum -> location
        self.roots: deque = deque(maxlen=64)  # (node ref, backward number, location)
        self.last_loss = None

    def tick(self) -> int:
        self.clock += 1
        return self.clock


_st = _State()


# -- where and how to warn ----------------------------------------------------------------------
def _user_location():
    """(filename, lineno, globals) of the innermost frame outside the ember package."""
    f = sys._getframe(2)
    while f is not None and f.f_code.co_filename.startswith(_EMBER_DIR):
        f = f.f_back
    if f is None:
        return ("<unknown>", 0, None)
    return (f.f_code.co_filename, f.f_lineno, f.f_globals)


def _warn(kind: str, message: str, loc) -> None:
    """Warn once per kind and script line, at that line."""
    filename, lineno, module_globals = loc
    key = (kind, filename, lineno)
    if key in _st.warned:
        return
    _st.warned.add(key)
    _st.warned_kinds.add(kind)
    module = (module_globals or {}).get("__name__", "__main__")
    warnings.warn_explicit(
        message,
        PitfallWarning,
        filename,
        lineno,
        module=module,
        registry={},
        module_globals=module_globals,
    )


def _line(loc) -> str:
    return f"line {loc[1]}" if loc and loc[1] else "an earlier line"


def _info(opt) -> _OptInfo:
    info = _st.optimizers.get(opt)
    if info is None:
        info = _st.optimizers[opt] = _OptInfo()
    return info


def _has_grads(opt) -> bool:
    return any(p.grad is not None for g in opt.param_groups for p in g["params"])


# -- checks -------------------------------------------------------------------------------------
def _before_backward(t, loc) -> None:
    st = _st
    node = t.grad_fn
    if t._data.size != 1:
        _warn(
            "non-scalar",
            f"backward() called on a tensor of shape {list(t.shape)}, not on a "
            "scalar loss: reduce the output to one number with a loss function "
            "(loss = criterion(output, target)) and call loss.backward()",
            loc,
        )
    elif node is not None and node in st.model_outputs:
        _warn(
            "not-a-loss",
            f"backward() called on the output of {st.model_outputs[node]} (the "
            "model's prediction), not on a loss: compute loss = criterion(output, target) "
            "and call loss.backward()",
            loc,
        )
    for opt, info in list(st.optimizers.items()):
        if info.steps and info.last_zero_clock < info.last_step_clock and _has_grads(opt):
            _warn(
                "no-zero-grad",
                "backward() adds its gradients to those of the previous step: "
                "optimizer.zero_grad() was not called since the last optimizer.step(); call "
                "it before loss.backward() in every iteration",
                loc,
            )
            break
    if node is not None:
        _check_kept_graphs(node, loc)
        if st.pending_eval:
            _check_eval_forwards(node)
    st.pending_eval.clear()
    if t._data.size == 1:
        st.last_loss = float(t._data.real.reshape(()))
    st.backwards += 1


def _check_kept_graphs(node, loc) -> None:
    """Loss graphs from two or more backwards ago still alive: something holds on to them.

    One stale ``loss`` variable keeps one old graph alive and is harmless; a running sum or a list
    of losses keeps one more every iteration, so it takes two old graphs to warn.
    """
    st = _st
    olds = []
    for ref, number, bloc in st.roots:
        root = ref()
        if root is node:
            return  # the same graph again (retain_graph): not a new iteration
        if root is not None and number <= st.backwards - _LEAKED_AFTER:
            olds.append((root, bloc))
    alive = [entry for entry in st.roots if entry[0]() is not None]
    st.roots.clear()
    st.roots.extend(alive)
    st.roots.append((weakref.ref(node), st.backwards, loc))
    if not olds or "kept-graph" in st.warned_kinds:
        return
    roots = {id(r()) for r, _, _ in alive}
    # newest first, and sums of two graphs (``running_loss + loss``) before sums with a number
    # (``running_loss + loss.item()``, which only carries the graph along)
    adds = list(reversed(list(st.scalar_adds.items())))
    adds.sort(key=lambda item: sum(c is not None for c, _ in item[0].next_functions) < 2)
    for acc, aloc in adds:
        nodes = graph_nodes([acc])
        held = sum(id(n) in roots for n in nodes)
        if held >= 2:
            kib = sum(_node_bytes(n) for n in nodes) / 1024
            _warn(
                "kept-graph",
                "a tensor that carries the autograd graph is accumulated across "
                f"iterations: it keeps the graphs of {held} iterations alive "
                f"({len(nodes)} graph nodes, about {kib:.1f} KiB, growing every iteration); "
                "accumulate loss.item() (a Python number) instead of the loss tensor",
                aloc,
            )
            return
    if len(olds) >= 2:
        _warn(
            "kept-graph",
            f"the losses of {len(olds)} earlier backward() calls (at {_line(olds[0][1])}) are "
            "still referenced and keep their autograd graphs alive, one more every iteration: "
            "store loss.item() or loss.detach() instead of the loss tensor",
            loc,
        )


def _node_bytes(node) -> int:
    size = sys.getsizeof(node) + sys.getsizeof(getattr(node, "__dict__", {}))
    saved = node._saved if isinstance(node._saved, tuple) else ()
    for value in saved:
        t = getattr(value, "tensor", value)
        d = getattr(t, "_data", None)
        if d is not None:
            size += d.nbytes
    return size


def _check_eval_forwards(node) -> None:
    in_graph = {id(n) for n in graph_nodes([node])}
    by_line: dict = {}
    for ref, name, loc in _st.pending_eval:
        n = ref()
        if n is not None and id(n) in in_graph:
            by_line.setdefault(loc[:2], (loc, []))[1].append(name)
    for loc, names in by_line.values():
        _warn(
            "eval-in-training",
            f"{_names(names)} in eval mode while training (the output reaches "
            "loss.backward()): call model.train() before the training forward "
            "(model.eval() is for evaluation only)",
            loc,
        )


def _before_step(opt, args, kwargs) -> None:
    st = _st
    loc = _user_location()
    info = _info(opt)
    if st.backwards == info.last_step_backward:
        since = "the last optimizer.step()" if info.steps else "the checks were turned on"
        _warn(
            "step-without-backward",
            f"optimizer.step() called but no backward() ran since "
            f"{since}: the parameters are updated with stale (or no) gradients; call "
            "loss.backward() before optimizer.step()",
            loc,
        )
    elif info.steps < EXPLOSION_WINDOW and st.last_loss is not None:
        info.losses.append(st.last_loss)
        _check_explosion(opt, info, loc)
    info.last_step_backward = st.backwards
    info.last_step_clock = st.tick()
    info.steps += 1


def _check_explosion(opt, info, loc) -> None:
    first, cur = info.losses[0], info.losses[-1]
    if len(info.losses) < 2 or not math.isfinite(first):
        return
    if math.isfinite(cur) and not (cur > EXPLOSION_FACTOR * first and cur > first + 1.0):
        return
    lrs = sorted({g.get("lr") for g in opt.param_groups if "lr" in g}, key=str)
    lr = ", ".join(str(x) for x in lrs) if lrs else "?"
    _warn(
        "exploding-loss",
        f"the loss went from {first:.4g} to {cur:.4g} within the first "
        f"{len(info.losses)} steps of {type(opt).__name__}(lr={lr}): the learning rate is "
        "probably too large; try one 10 times smaller",
        info.created_at or loc,
    )


def _before_zero_grad(opt) -> None:
    st = _st
    info = _info(opt)
    fresh = st.backwards > max(info.last_step_backward, info.last_zero_backward)
    if fresh and _has_grads(opt):
        _warn(
            "zero-grad-before-step",
            "optimizer.zero_grad() called between backward() and "
            "step(): it erases the gradients backward() just computed, so step() has nothing "
            "to apply; call zero_grad() before loss.backward() (or after optimizer.step())",
            _user_location(),
        )
    info.last_zero_clock = st.tick()
    info.last_zero_backward = st.backwards


def _after_forward(module, out, loc, top: bool) -> None:
    st = _st
    name = type(module).__name__
    if "Dropout" in name or "BatchNorm" in name:
        if module.training and not _grad_state.enabled:
            st.train_under_no_grad.append(name)
        elif not module.training and _grad_state.enabled:
            node = getattr(out, "grad_fn", None)
            if node is not None:
                st.pending_eval.append((weakref.ref(node), name, loc))
    if not top:
        return
    if st.train_under_no_grad:
        names = _names(st.train_under_no_grad)
        st.train_under_no_grad.clear()
        _warn(
            "train-under-no-grad",
            f"{names} in training mode during evaluation under no_grad(): dropout drops "
            "activations at random and batch norm uses batch statistics and updates its running "
            "statistics; call model.eval() before evaluating (and model.train() after)",
            loc,
        )
    if not name.endswith("Loss"):
        node = getattr(out, "grad_fn", None)
        if node is not None:
            st.model_outputs[node] = name


def _names(names: list) -> str:
    """``Dropout is`` / ``Dropout and BatchNorm1d are``."""
    unique = list(dict.fromkeys(names))
    if len(unique) == 1:
        return f"{unique[0]} is"
    return ", ".join(unique[:-1]) + f" and {unique[-1]} are"


# -- the wrappers -------------------------------------------------------------------------------
def _wrap_backward(orig):
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        _before_backward(self, _user_location())
        orig(self, gradient, retain_graph, create_graph, inputs=inputs)

    backward.__doc__ = orig.__doc__
    return backward


def _wrap_add(orig):
    def add(self, other):
        out = orig(self, other)
        node = getattr(out, "grad_fn", None)
        if node is not None and out._data.size == 1:
            _st.scalar_adds[node] = _user_location()
        return out

    add.__doc__ = orig.__doc__
    return add


def _wrap_zero_grad(orig):
    def zero_grad(self, set_to_none: bool = True) -> None:
        _before_zero_grad(self)
        return orig(self, set_to_none)

    zero_grad.__doc__ = orig.__doc__
    return zero_grad


def _wrap_optimizer_init(orig):
    def __init__(self, *args, **kwargs):  # noqa: N807
        orig(self, *args, **kwargs)
        if self not in _st.optimizers:
            _st.optimizers[self] = _OptInfo(_user_location())

    return __init__


def _wrap_call(orig):
    def __call__(self, *args, **kwargs):  # noqa: N807
        st = _st
        top = st.depth == 0
        if top:
            st.call_loc = _user_location()
        loc = st.call_loc
        st.depth += 1
        try:
            out = orig(self, *args, **kwargs)
        finally:
            st.depth -= 1
        _after_forward(self, out, loc, top)
        return out

    return __call__


def _patch(owner, name, wrap) -> None:
    orig = owner.__dict__[name]
    _st.originals.append((owner, name, orig))
    setattr(owner, name, wrap(orig))


def _install() -> None:
    _st.reset()
    _patch(Tensor, "backward", _wrap_backward)
    for name in ("__add__", "__radd__", "__iadd__"):
        if name in Tensor.__dict__:
            _patch(Tensor, name, _wrap_add)
    _patch(_optim.Optimizer, "__init__", _wrap_optimizer_init)
    _patch(_optim.Optimizer, "zero_grad", _wrap_zero_grad)
    _st.handles.append(_optim.register_optimizer_step_pre_hook(_before_step))
    _patch(Module, "__call__", _wrap_call)


def _uninstall() -> None:
    for owner, name, orig in reversed(_st.originals):
        setattr(owner, name, orig)
    _st.originals.clear()
    for handle in _st.handles:
        handle.remove()
    _st.handles.clear()
    _st.reset()


def _set(mode: bool) -> None:
    mode = bool(mode)
    if mode == _st.enabled:
        return
    _install() if mode else _uninstall()
    _st.enabled = mode


class set_detect_pitfalls:  # noqa: N801 - as set_detect_anomaly
    """Turn the training-loop checks on or off; also a context manager restoring the old mode.

    Args:
        mode: ``True`` to warn (``PitfallWarning``) about the mistakes listed in this module.
    """

    def __init__(self, mode: bool) -> None:
        self.prev = _st.enabled
        _set(mode)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        _set(self.prev)


def is_pitfall_detection_enabled() -> bool:
    return _st.enabled
