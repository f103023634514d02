"""``ember.autograd.Function``: user-defined operations with a hand-written backward.

``forward(ctx, *args)`` runs without recording; ``apply`` then attaches a node whose backward calls
the user's ``backward(ctx, *grad_outputs)``, exactly as torch's ``Function`` does.
"""

from __future__ import annotations

from .engine import Node, SavedOutput, next_seq
from .grad_mode import _state, no_grad


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


class FunctionCtx:
    """The ``ctx`` object handed to a custom Function's forward and backward."""

    __slots__ = ()

    def save_for_backward(self, *tensors) -> None:
        """Keep ``tensors`` for backward, where ``ctx.saved_tensors`` returns them."""
        self._to_save = tensors

    def save_for_forward(self, *tensors) -> None:
        """Keep ``tensors`` for ``jvp``, where ``ctx.saved_tensors`` returns them."""
        self._to_save_fw = tensors

    def mark_non_differentiable(self, *tensors) -> None:
        """Mark outputs that get no gradient (``requires_grad=False``)."""
        self._non_differentiable = {id(t) for t in tensors}

    def mark_dirty(self, *tensors) -> None:
        """Declare inputs that forward modified in place (and returns as outputs)."""
        self._dirty = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool) -> None:
        """Whether backward gets zeros (default) or None for outputs with no gradient."""
        self.materialize_grads = value


class BackwardCFunction(Node, FunctionCtx):
    """The node of one application of a custom Function; it is also that call's ``ctx``."""

    __slots__ = ()
    _fn = None
    materialize_grads = True
    # The user's ``ctx.save_for_backward`` only notes the tensors; ``apply`` saves them on the
    # node once the outputs exist (an output is saved without a reference cycle).
    save_for_backward = FunctionCtx.save_for_backward
    _to_save = _to_save_fw = ()
    # While ``jvp`` runs, ``saved_tensors`` are the ones saved for forward (as torch); after it,
    # the node's tangents come from the outputs' own duals, so the tangent pass stops here.
    _fw_saved = None
    _fw_jvp = False
    _non_differentiable = frozenset()
    _dirty = frozenset()

    def name(self) -> str:
        return type(self).__name__

    def apply(self, grads):
        if self._fw_jvp and _fw.tangent_pass:
            return (None,) * len(self.next_functions)
        if self.materialize_grads:
            grads = tuple(g if g is not None else self._zeros[i]() for i, g in enumerate(grads))
        out = self._fn.backward(self, *grads)
        if not isinstance(out, tuple):
            out = (out,)
        n = len(self.next_functions)
        if len(out) < n:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected {n}, "
                f"got {len(out)})"
            )
        out = out[:n] if all(g is None for g in out[n:]) else out
        if len(out) != n:
            raise RuntimeError(
                f"function {self.name()} returned an incorrect number of gradients (expected {n}, "
                f"got {len(out)})"
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


class _FunctionMeta(type):
    """Gives each Function subclass its own node class, named ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_fn": cls})


class Function(metaclass=_FunctionMeta):
    """Base class for custom differentiable operations; call them with ``.apply``."""

    generate_vmap_rule = False
    _fw_internal = False  # forward_ad's own Functions: no jvp of their own

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
        raise NotImplementedError

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
        from .._tensor import Tensor, _edge

        node = cls._backward_cls()
        separate = cls.setup_context is not Function.setup_context
        with no_grad():
            if separate:
                outputs = cls.forward(*args, **kwargs)
                cls.setup_context(node, args, outputs)
            else:
                outputs = cls.forward(node, *args, **kwargs)
        tensors_in = [a for a in args if isinstance(a, Tensor)]
        record = _state.enabled and any(t._rg for t in tensors_in)
        node._needs = tuple(isinstance(a, Tensor) and a._rg for a in args)
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        if not record:
            return outputs
        node.next_functions = tuple(_edge(a) if isinstance(a, Tensor) else (None, 0) for a in args)
        node._seq = next_seq()  # after the edges: an input's AccumulateGrad may be new
        node._input_meta = tuple(
            (a._data.shape, a._data.dtype) if isinstance(a, Tensor) else None for a in args
        )
        node._num_outputs = len(outs)
        zeros = []
        result = []
        for i, o in enumerate(outs):
            if isinstance(o, Tensor):
                if any(o is a for a in tensors_in) and id(o) not in node._dirty:
                    o = _alias(o)
                if id(o) not in node._non_differentiable and o._data.dtype.kind in "fc":
                    o._rg, o.grad_fn, o._output_nr = True, node, i
                zeros.append(lambda o=o: o.new_zeros(o.shape))
            else:
                zeros.append(lambda: None)
            result.append(o)
        node._zeros = zeros
        saved = []
        for t in node._to_save:
            if t is None:
                saved.append(None)
            elif any(t is o for o in result):
                saved.append(SavedOutput(t, next(i for i, o in enumerate(result) if o is t)))
            else:
                saved.append(t)
        Node.save_for_backward(node, *saved)
        if _fw.level >= 0 and not cls._fw_internal:
            from .forward_ad import _custom_function_jvp

            result = _custom_function_jvp(cls, node, args, result)
        return result[0] if single else tuple(result)


def _alias(t):
    from .._tensor import _make

    a = _make(t._data)
    a._vc = t._vc
    return a


class InplaceFunction(Function):
    """A Function that may modify its inputs in place (torch's legacy base class)."""

    pass


def once_differentiable(fn):
    """Mark a backward as not differentiable twice; Ember returns ``fn`` unchanged."""
    return fn
