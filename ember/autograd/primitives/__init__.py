"""The differentiable primitives: each is a forward on NumPy arrays beside its derivative rules.

A primitive is declared with ``defop``::

    exp = defop("ExpBackward0", np.exp, save=OUT, rules=[lambda c, g, out: g * out])

``forward(*arrays, **params)`` computes the result on arrays. ``rules`` holds one derivative per
input, ``rule(ctx, grad_output, *saved) -> grad_input``, written with Tensor operations, so that it
is itself differentiable (``create_graph=True``). Rules written only with Python's operators and
the functions of ``rule_ops`` work on NumPy arrays as well; declared with ``arrays=True``, they
get arrays in a plain backward (no Tensor made for each intermediate gradient: the overhead of
small graphs). ``save`` names what the rules need: input
positions, or ``OUT`` for the output; ``uses`` (optional) says which saved values each rule
reads, so that a value only a non-differentiated input's rule needs is not kept (``x * 2`` keeps
nothing of ``x``, so changing ``x`` in place afterwards is fine, as in torch). The engine undoes
broadcasting and casts each gradient to its input's dtype, so rules never do.

Forwards that must leave more for backward (indices, masks, shapes) take ``ctx`` as their first
argument (``needs_ctx=True``) and set attributes on it; without recording, ``ctx`` is a sink that
ignores them.
"""

from __future__ import annotations

from ..engine import OpNode

OUT = -1  # in ``save``: the primitive's own output
ALL = -2  # as ``save=ALL``: every input (for primitives over any number of inputs)


class _Sink:
    """The ``ctx`` of a forward that records nothing: attribute writes are dropped."""

    __slots__ = ()

    def __setattr__(self, name, value) -> None:
        pass


NO_CTX = _Sink()


class Primitive:
    """A differentiable operation: array forward, node class with the derivative rules."""

    __slots__ = (
        "name",
        "forward",
        "node",
        "save",
        "needs_ctx",
        "is_view",
        "num_outputs",
        "differentiable_outputs",
        "uses",
        "plain",
        "plans",
    )

    def __init__(
        self,
        name,
        forward,
        rules,
        save=(),
        needs_ctx=False,
        is_view=False,
        num_outputs=1,
        differentiable_outputs=None,
        uses=None,
        arrays=False,
    ):
        self.name = name
        self.forward = forward
        # torch's own nodes are named "torch::autograd::CopyBackwards" but their class (what
        # reprs show) is "CopyBackwards"
        qualified = {"name": lambda node: name} if "::" in name else {}
        self.node = type(
            name.rsplit("::", 1)[-1],
            (OpNode,),
            {
                **qualified,
                "__slots__": (),
                "rules": tuple(rules),
                "_num_outputs": num_outputs,
                "multi_output": num_outputs != 1,
                "array_rules": arrays,
                "stateful": needs_ctx,
            },
        )
        self.save = (ALL,) if save == ALL else tuple(save)
        self.needs_ctx = needs_ctx
        self.is_view = is_view
        self.num_outputs = num_outputs
        self.differentiable_outputs = differentiable_outputs
        self.uses = uses
        self.plain = num_outputs == 1 and not is_view  # one output, a new array: apply's fast path
        self.plans: dict = {}  # save_plan's answers, by which inputs need a gradient

    def save_plan(self, needs: int) -> tuple:
        """What to save when the inputs whose bit is set in ``needs`` need a gradient: ``save``
        with None in place of the values only other inputs' rules read (``uses``, not None)."""
        keep = set()
        for i, used in enumerate(self.uses):
            if needs >> i & 1:
                keep.update(used)
        plan = self.plans[needs] = tuple(v if k in keep else None for k, v in enumerate(self.save))
        return plan

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


def defop(name, forward, rules, save=(), **kw) -> Primitive:
    """Declare a primitive; see the module docstring."""
    return Primitive(name, forward, rules, save, **kw)
