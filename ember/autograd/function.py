"""``ember.autograd.Function``: user-defined operations with a hand-written backward.

``forward(ctx, *args)`` runs without recording; ``apply`` then attaches a node whose backward calls
the user's ``backward(ctx, *grad_outputs)``, exactly as torch's ``Function`` does.
"""

from __future__ import annotations

import functools
import inspect
import threading
import warnings

import numpy as np

from . import engine
from .engine import Node, SavedOutput, next_seq
from .grad_mode import _state, no_grad

__all__ = [
    "FunctionCtx",
    "BackwardCFunction",
    "FunctionMeta",
    "Function",
    "once_differentiable",
    "InplaceFunction",
    "NestedIOFunction",
]


class _ForwardAD:
    """Forward AD's state (``forward_ad.py``), kept here so that ``Function.apply`` reads it."""

    level = -1  # the open dual level; -1 when none is open
    generation = 0  # counts exited levels: a dual made in an earlier one has no tangent now
    tangent_pass = False  # a tangent is being computed: dual nodes route to their seeds


_fw = _ForwardAD()

_NO_JVP = (
    "You must implement the jvp function for custom autograd.Function to use it with forward "
    "mode AD."
)
_LEGACY = (
    "Legacy autograd function with non-static forward method is deprecated. Please use new-style "
    "autograd function with static forward method. (Example: "
    "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
)
_EXTENDING = " For more details, please see https://pytorch.org/docs/main/notes/extending.func.html"
_NO_SETUP = (
    "In order to use an autograd.Function with functorch transforms (vmap, grad, jvp, jacrev, "
    "...), it must override the setup_context staticmethod." + _EXTENDING
)
_TWICE = "trying to differentiate twice a function that was marked with @once_differentiable"


class _Transforms(threading.local):
    """The ``ember.func`` transforms running their function in this thread, innermost last:
    ``"grad"`` (reverse mode), ``"jvp"`` (forward mode) and ``"vmap"``."""

    def __init__(self) -> None:
        self.kinds: list = []


transforms = _Transforms()


def _check_transformable(cls) -> None:
    """torch's requirements on a Function applied inside a ``torch.func`` transform."""
    if cls.setup_context is Function.setup_context:
        raise RuntimeError(_NO_SETUP)
    kinds = transforms.kinds
    if "vmap" in kinds and not cls.generate_vmap_rule and cls.vmap is Function.vmap:
        raise RuntimeError(
            f"You tried to vmap over {cls.__name__}, but it does not have vmap support. Please "
            "override and implement the vmap staticmethod or set generate_vmap_rule=True."
            + _EXTENDING
        )
    if "jvp" in kinds and cls.jvp is Function.jvp:
        raise NotImplementedError(_NO_JVP)


class FunctionCtx:
    """The ``ctx`` object handed to a custom Function's forward and backward."""

    def save_for_backward(self, *tensors) -> None:
        """Keep ``tensors`` for backward, where ``ctx.saved_tensors`` returns them."""
        self.to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        """Keep ``tensors`` for ``jvp``, where ``ctx.saved_tensors`` returns them."""
        self.saved_for_forward = tensors

    def mark_dirty(self, *args) -> None:
        """Declare inputs that forward modified in place (and returns as outputs)."""
        self.dirty_tensors = args

    def mark_shared_storage(self, *pairs) -> None:
        """Deprecated in torch and a no-op there: storage sharing is detected automatically."""
        warnings.warn(
            "mark_shared_storage is deprecated. Tensors with shared storages are automatically "
            "tracked. Note that calls to `set_()` are not tracked",
            DeprecationWarning,
            stacklevel=2,
        )

    def mark_non_differentiable(self, *args) -> None:
        """Mark outputs that get no gradient (``requires_grad=False``)."""
        self.non_differentiable = args

    def set_materialize_grads(self, value: bool) -> None:
        """Whether backward gets zeros (default) or None for outputs with no gradient."""
        self.materialize_grads = value


_layer: list = []  # (Tensor, _edge, _make) of the Tensor layer above, imported on first use


def _tensor_layer() -> list:
    if not _layer:
        from .._tensor import Tensor, _edge, _make

        _layer.extend((Tensor, _edge, _make))
    return _layer


def _ids(tensors) -> set:
    return {id(t) for t in tensors}


class BackwardCFunction(Node, FunctionCtx):
    """The node of one application of a custom Function; it is also that call's ``ctx``."""

    __slots__ = ()
    _fn = None
    _forward_cls = None
    materialize_grads = True
    to_save = saved_for_forward = dirty_tensors = non_differentiable = ()
    # The user's ``ctx.save_for_backward`` only notes the tensors; ``apply`` saves them on the
    # node once the outputs exist (an output is saved without a reference cycle).
    save_for_backward = FunctionCtx.save_for_backward
    # While ``jvp`` runs, ``saved_tensors`` are the ones saved for forward (as torch); after it,
    # the node's tangents come from the outputs' own duals, so the tangent pass stops here.
    _fw_saved = None
    _fw_jvp = False
    _needs = _out_meta = ()

    def name(self) -> str:
        return type(self).__name__

    __repr__ = object.__repr__  # torch shows the class's module: <...function.XBackward object>

    @property
    def _to_save_fw(self) -> tuple:
        return self.saved_for_forward

    @property
    def metadata(self) -> dict:
        """A dict for the user's own annotations of this node."""
        d = self.__dict__
        if "_metadata" not in d:
            d["_metadata"] = {}
        return d["_metadata"]

    def apply(self, grads):
        if self._fw_jvp and _fw.tangent_pass:
            return (None,) * len(self.next_functions)
        if self.materialize_grads:
            grads = tuple(
                g if g is not None or m is None else engine.wrap_array(np.zeros(*m))
                for g, m in zip(grads, self._out_meta)
            )
        out = _backward_of(self._fn)(self, *grads)
        return self._check_grads(out if isinstance(out, tuple) else (out,))

    def _check_grads(self, out: tuple) -> tuple:
        """torch's checks on what backward returned: count, types, shapes, complex-ness."""
        Tensor = _layer[0]

        n = len(self.next_functions)
        if len(out) > n and all(g is None for g in out[n:]):
            out = out[:n]
        if len(out) != n:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected {n}, "
                f"got {len(out)})"
            )
        for i, (g, meta) in enumerate(zip(out, self._input_meta)):
            if g is None:
                continue
            if not isinstance(g, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
            if meta is None:
                raise RuntimeError(
                    f"function {self.name()} returned a gradient different than None at position "
                    f"{i + 1}, but the corresponding forward input was not a Variable"
                )
            if self.next_functions[i][0] is None:
                continue
            shape, dtype = meta
            gshape = g._data.shape
            lead = len(gshape) - len(shape)
            if lead < 0 or any(s != 1 and s != gs for s, gs in zip(shape, gshape[lead:])):
                raise RuntimeError(
                    f"Function {self.name()} returned an invalid gradient at index {i} - got "
                    f"{list(gshape)} but expected shape compatible with {list(shape)}"
                )
            if g._data.dtype.kind == "c" and dtype.kind != "c":
                raise RuntimeError(
                    "Expected isFloatingType(grad.scalar_type()) || (input_is_complex == "
                    "grad_is_complex) to be true, but got false.  (Could this error message be "
                    "improved?  If so, please report an enhancement request to PyTorch.)"
                )
        return out

    @property
    def needs_input_grad(self) -> tuple:
        return self._needs

    @property
    def saved_tensors(self) -> tuple:
        if self._fw_saved is not None:
            return self._fw_saved
        return Node.saved_tensors.fget(self)

    saved_variables = saved_tensors


class FunctionMeta(type):
    """Gives each Function subclass its own node class, named ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(
            name + "Backward", (BackwardCFunction,), {"_fn": cls, "_forward_cls": cls}
        )
        # Ember's own Functions stand for torch's built-in ops, which every transform supports.
        cls._builtin = cls.__module__.split(".")[0] == "ember"


_FunctionMeta = FunctionMeta


class Function(FunctionCtx, metaclass=FunctionMeta):
    """Base class for custom differentiable operations; call them with ``.apply``."""

    generate_vmap_rule = False
    _fw_internal = False  # forward_ad's own Functions: no jvp of their own

    def __init__(self, *args, **kwargs) -> None:
        warnings.warn(
            f"{type(self)} should not be instantiated. Methods on autograd functions are all "
            "static, so you should invoke them on the class itself. Instantiating an autograd "
            "function will raise an error in a future version of PyTorch.",
            DeprecationWarning,
            stacklevel=2,
        )

    def __call__(self, *args, **kwargs):
        raise RuntimeError(_LEGACY)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """Compute the outputs from the inputs (subclasses define it).

        It takes ``ctx`` first, unless the subclass defines ``setup_context``.
        """
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def backward(ctx, *grad_outputs):
        """Given the outputs' gradients, return one gradient per forward input (None for none)."""
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Save what backward needs from ``inputs`` and ``output`` (for a forward without ctx)."""
        raise NotImplementedError("setup_context is not implemented.")

    vjp = backward

    @staticmethod
    def jvp(ctx, *grad_inputs):
        """Given the inputs' tangents, return one tangent per output (forward-mode AD)."""
        raise NotImplementedError(_NO_JVP)

    @staticmethod
    def vmap(info, in_dims, *args):
        """A batching rule for ``func.vmap`` (subclasses may define it)."""
        raise NotImplementedError(
            "To use autograd.Function with vmap, you must either override the vmap staticmethod "
            "or set generate_vmap_rule=True."
        )

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward and, if any input requires grad, record this Function's node in the graph."""
        Tensor, _edge, _ = _layer or _tensor_layer()

        if transforms.kinds and not cls._builtin:
            _check_transformable(cls)
        separate = cls.setup_context is not Function.setup_context
        if separate:  # torch binds keywords and defaults into the inputs setup_context sees
            bound = _forward_signature(cls).bind(*args, **kwargs)
            bound.apply_defaults()
            args, kwargs = bound.args, {}
        inputs = args + tuple(kwargs.values())
        node = cls._backward_cls()
        node._needs = tuple(isinstance(a, Tensor) and a._rg for a in inputs)
        record = _state.enabled and any(node._needs)
        if record:  # before forward: an input it modifies in place keeps its old history here
            node.next_functions = tuple(
                _edge(a) if isinstance(a, Tensor) else (None, 0) for a in inputs
            )
            node._seq = next_seq()
            node._input_meta = tuple(
                (a._data.shape, a._data.dtype) if isinstance(a, Tensor) else None for a in inputs
            )
        with no_grad():
            if separate:
                outputs = cls.forward(*args)
                cls.setup_context(node, args, outputs)
            else:
                outputs = cls.forward(node, *args, **kwargs)
        single = not isinstance(outputs, tuple)
        result = _wrap_outputs(node, inputs, (outputs,) if single else outputs, record)
        if record and node.to_save:
            _save(node, result)
        if _fw.level >= 0 and not cls._fw_internal and record:
            from .forward_ad import _custom_function_jvp

            result = _custom_function_jvp(cls, node, inputs, result)
        return result[0] if single else tuple(result)


def _forward_signature(cls) -> inspect.Signature:
    """``cls.forward``'s signature, kept on the class until forward is replaced."""
    cached = cls.__dict__.get("_forward_sig")
    if cached is None or cached[0] is not cls.forward:
        cached = (cls.forward, inspect.signature(cls.forward))
        cls._forward_sig = cached
    return cached[1]


def _backward_of(cls):
    """The user's backward: ``backward`` or its alias ``vjp``, never both (torch's rule)."""
    if cls.vjp is Function.vjp:
        return cls.backward
    if cls.backward is not Function.backward:
        raise RuntimeError(
            "Implementing both 'backward' and 'vjp' for a custom Function is not allowed. You "
            "should only implement one of them."
        )
    return cls.vjp


def _wrap_outputs(node, inputs: tuple, outs: tuple, record: bool) -> list:
    """The outputs as the caller sees them, attached to ``node`` when ``record``."""
    Tensor = _layer[0]
    dirty = _ids(node.dirty_tensors) if node.dirty_tensors else ()
    if dirty and dirty - _ids(o for o in outs if isinstance(o, Tensor)):
        raise RuntimeError(
            "Some elements marked as dirty during the forward method were not returned as output. "
            "The inputs that are modified inplace must all be outputs of the Function."
        )
    non_diff = _ids(node.non_differentiable) if node.non_differentiable else ()
    result, meta = [], []
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            meta.append(None)
            result.append(o)
            continue
        if id(o) in dirty:
            o._vc[0] += 1  # torch counts the declared in-place change once more
            if record:
                _take_dirty(node, o, i)
            elif not _state.enabled:
                o = _alias(o, view=False)
        else:
            if any(o is a for a in inputs):  # an input returned as-is: the caller gets a view
                view = _state.enabled and not node._fn._fw_internal and id(o) not in non_diff
                o = _alias(o, view=view)
            if record and id(outs[i]) not in non_diff and o._data.dtype.kind in "fc":
                o._rg, o.grad_fn, o._output_nr = True, node, i
        meta.append((o._data.shape, o._data.dtype))
        result.append(o)
    node._out_meta = meta
    node._num_outputs = len(outs)
    return result


def _take_dirty(node, t, i: int) -> None:
    """``t``, an input forward changed in place, now comes out of ``node`` (torch's rebase)."""
    if t._rg and t.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad has been used in an in-place operation."
        )
    t._rg, t.grad_fn, t._output_nr = True, node, i
    from .primitives.views import copy_slices, refresh_views

    if t._base is not None:
        copy_slices(t._base, t)
    refresh_views(t._base if t._base is not None else t, t)


def _save(node, result: list) -> None:
    """Save the tensors of ``ctx.save_for_backward`` on the node (outputs without a cycle)."""
    Tensor = _layer[0]

    saved = []
    for k, t in enumerate(node.to_save):
        if t is not None and not isinstance(t, Tensor):
            raise TypeError(
                f"save_for_backward can only save variables, but argument {k} is of type "
                f"{type(t).__name__}"
            )
        out_nr = next((i for i, o in enumerate(result) if o is t), None)
        saved.append(t if t is None or out_nr is None else SavedOutput(t, out_nr))
    Node.save_for_backward(node, *saved)


def _alias(t, view: bool):
    """A new tensor on ``t``'s values and version counter (a view of it when ``view``)."""
    a = _tensor_layer()[2](t._data)
    a._vc = t._vc
    if view:
        a._base = t._base if t._base is not None else t
    return a


class InplaceFunction(Function):
    """A Function that may modify its inputs in place (torch's legacy base class)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


class NestedIOFunction(Function):
    """torch's legacy Function with nested inputs; like torch, its instances cannot be called."""

    def forward_extended(self, *inputs):
        """User-defined forward of the legacy API."""
        raise NotImplementedError

    def backward_extended(self, *grad_output):
        """User-defined backward of the legacy API."""
        raise NotImplementedError


class Error(Node):
    """torch's ``Error`` node: differentiating through it raises its message."""

    __slots__ = ()

    def name(self) -> str:
        return "torch::autograd::Error"

    def apply(self, grads):
        raise RuntimeError(_TWICE)


def _delayed_error(outputs: tuple) -> tuple:
    """The tensors of ``outputs`` behind one ``Error`` node, each on a fresh leaf of its own."""
    from .._tensor import Tensor, _edge, _make

    node = Error()
    leaves = [
        _make(o._data, requires_grad=True) if isinstance(o, Tensor) else None for o in outputs
    ]
    node.next_functions = tuple(_edge(x) if x is not None else (None, 0) for x in leaves)
    node._input_meta = tuple(
        (x._data.shape, x._data.dtype) if x is not None else None for x in leaves
    )
    node._num_outputs = len(outputs)
    node._seq = next_seq()
    res = []
    for i, (o, x) in enumerate(zip(outputs, leaves)):
        if x is not None:
            o = _alias(o, view=False)
            o._rg, o.grad_fn, o._output_nr = True, node, i
        res.append(o)
    return tuple(res)


def once_differentiable(fn):
    """Mark a backward as differentiable once: it runs without recording, and differentiating
    its results (when its incoming gradients require grad) raises torch's error."""
    from .._tensor import Tensor

    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with no_grad():
            outputs = fn(ctx, *args)
        if not _state.enabled or not any(isinstance(a, Tensor) and a._rg for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        res = _delayed_error((outputs,) if single else outputs)
        return res[0] if single else res

    return wrapper
