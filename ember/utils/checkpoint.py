"""Activation checkpointing, as ``torch.utils.checkpoint``: trade compute for memory.

``checkpoint(fn, *args)`` keeps none of ``fn``'s intermediate tensors: the backward pass runs
``fn`` again (on the saved inputs, with the forward's random state, so dropout drops the same
units) and differentiates that recomputation. ``checkpoint_sequential`` does it segment by
segment over a sequence of modules.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterable
from typing import Any

from .. import autograd
from .._tensor import Tensor
from ..autograd.engine import AccumulateGrad, next_seq
from ..autograd.function import Function
from ..autograd.grad_mode import _state as _grad_state
from ..autograd.grad_mode import enable_grad
from ..functions.random import get_rng_state, set_rng_state

__all__ = ["CheckpointError", "CheckpointFunction", "checkpoint", "checkpoint_sequential"]


class CheckpointError(RuntimeError):
    """The recomputation in backward did not reproduce the forward's tensors."""


def noop_context_fn() -> tuple[contextlib.AbstractContextManager, ...]:
    """The default ``context_fn``: no context around the forward or the recomputation."""
    return contextlib.nullcontext(), contextlib.nullcontext()


def _detached(args: tuple) -> list:
    """The inputs for a recomputation: tensors cut from the outer graph, keeping requires_grad."""
    out = []
    for a in args:
        if isinstance(a, Tensor):
            d = a.detach()
            d.requires_grad_(a.requires_grad)
            a = d
        out.append(a)
    return out


@contextlib.contextmanager
def _forward_rng(state):
    """Run the block with the generator as it was in the forward, and put it back afterwards."""
    if state is None:
        yield
        return
    now = get_rng_state()
    set_rng_state(state)
    try:
        yield
    finally:
        set_rng_state(now)


def _as_tuple(x) -> tuple:
    return x if isinstance(x, tuple) else (x,)


class CheckpointFunction(Function):
    """The reentrant checkpoint: a node over the tensor inputs that recomputes in backward and
    runs a nested ``backward`` through the recomputed graph."""

    @staticmethod
    def forward(ctx, run_function: Callable, preserve_rng_state: bool, *args):
        ctx.run_function = run_function
        ctx.rng_state = get_rng_state() if preserve_rng_state else None
        ctx.args = [None if isinstance(a, Tensor) else a for a in args]
        ctx.save_for_backward(*(a for a in args if isinstance(a, Tensor)))
        return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        saved = iter(ctx.saved_tensors)
        args = [next(saved) if a is None else a for a in ctx.args]
        inputs = _detached(args)
        with _forward_rng(ctx.rng_state), enable_grad():
            outputs = _as_tuple(ctx.run_function(*inputs))
        pairs = [
            (o, g)
            for o, g in zip(outputs, grads)
            if isinstance(o, Tensor) and o.requires_grad and g is not None
        ]
        if not pairs:
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary"
            )
        autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
        return (None, None, *(a.grad if isinstance(a, Tensor) else None for a in inputs))


class _Recompute(Function):
    """The non-reentrant checkpoint's node: its inputs are the call's tensor arguments and the
    leaves the function reads; backward recomputes and differentiates with respect to them."""

    @staticmethod
    def forward(ctx, spec: dict, *inputs):
        ctx.spec = spec
        return spec.pop("outputs")

    @staticmethod
    def backward(ctx, *grads):
        spec = ctx.spec
        args = _detached(spec["args"])
        with _forward_rng(spec["rng_state"]), spec["recompute_ctx"], enable_grad():
            outputs = _as_tuple(spec["function"](*args, **spec["kwargs"]))
        if spec["check"]:
            metas = [(tuple(o.shape), o.dtype) if isinstance(o, Tensor) else None for o in outputs]
            if metas != spec["metas"]:
                raise CheckpointError(
                    "torch.utils.checkpoint: Recomputed values for the following tensors have "
                    f"different metadata than during the forward pass.\nforward: {spec['metas']}"
                    f"\nrecomputed: {metas}"
                )
        pairs = [
            (o, g)
            for o, g in zip(outputs, grads)
            if isinstance(o, Tensor) and o.requires_grad and g is not None
        ]
        wrt = [a for a in args if isinstance(a, Tensor) and a.requires_grad] + spec["leaves"]
        found = iter(
            autograd.grad([o for o, _ in pairs], wrt, [g for _, g in pairs], allow_unused=True)
            if pairs and wrt
            else [None] * len(wrt)
        )
        arg_grads = [
            next(found) if isinstance(a, Tensor) and a.requires_grad else None
            for a in args
            if isinstance(a, Tensor)
        ]
        return (None, *arg_grads, *found)


def _boundary_leaves(outputs: tuple, args: tuple, start: int) -> list | None:
    """The leaves requiring grad that the call's graph reaches, or None when it reaches a
    non-leaf tensor made before the call that is not one of its arguments (then the graph is
    kept as it is: its gradient could not be routed through a recomputation)."""
    own = {
        (a.grad_fn, a._output_nr) for a in args if isinstance(a, Tensor) and a.grad_fn is not None
    }
    own_ids = {id(a) for a in args if isinstance(a, Tensor)}
    leaves, seen = {}, set()
    stack = [(o.grad_fn, o._output_nr) for o in outputs if isinstance(o, Tensor) and o.grad_fn]
    while stack:
        node, nr = stack.pop()
        if node is None or (id(node), nr) in seen:
            continue
        seen.add((id(node), nr))
        if isinstance(node, AccumulateGrad):
            if id(node.variable) not in own_ids:
                leaves[id(node.variable)] = node.variable
        elif node._seq < start:
            if (node, nr) not in own:
                return None
        else:
            stack.extend(node.next_functions)
    return list(leaves.values())


def _checkpoint_without_reentrant(
    function, args, kwargs, context_fn, determinism_check, preserve_rng_state
):
    forward_ctx, recompute_ctx = context_fn()
    rng_state = get_rng_state() if preserve_rng_state else None
    start = next_seq()
    with forward_ctx:
        result = function(*args, **kwargs)
    if not _grad_state.enabled or not isinstance(result, (Tensor, tuple)):
        return result
    outputs = _as_tuple(result)
    if not any(isinstance(o, Tensor) and o.requires_grad for o in outputs):
        return result
    leaves = _boundary_leaves(outputs, args, start)
    if leaves is None:
        return result
    tensor_args = [a for a in args if isinstance(a, Tensor)]
    spec = {
        "function": function,
        "args": list(args),
        "kwargs": kwargs,
        "rng_state": rng_state,
        "recompute_ctx": recompute_ctx,
        "check": determinism_check == "default",
        "metas": [(tuple(o.shape), o.dtype) if isinstance(o, Tensor) else None for o in outputs],
        "leaves": leaves,
        # detached: the graph just built is dropped here, with every intermediate it holds
        "outputs": tuple(o.detach() if isinstance(o, Tensor) else o for o in outputs),
    }
    out = _Recompute.apply(spec, *tensor_args, *leaves)
    return out if isinstance(result, tuple) else out[0] if isinstance(out, tuple) else out


def checkpoint(
    function: Callable,
    *args: Any,
    use_reentrant: bool | None = None,
    context_fn: Callable = noop_context_fn,
    determinism_check: str = "default",
    debug: bool = False,
    early_stop: bool = True,
    **kwargs: Any,
) -> Any:
    """``function(*args, **kwargs)`` without keeping its intermediate tensors for backward.

    Args:
        function: what to run (a module or any callable).
        use_reentrant: True for the classic variant (a custom Function whose backward runs a
            nested backward; tensor arguments only, incompatible with ``autograd.grad``); False
            (recommended) also differentiates the parameters the function reads when no
            argument requires grad, and works with ``autograd.grad``. None warns and means True.
        context_fn: returns two context managers, around the forward and the recomputation
            (non-reentrant only).
        determinism_check: ``'default'`` compares the recomputed outputs' shapes and dtypes with
            the forward's (non-reentrant); ``'none'`` skips it.
        preserve_rng_state: (keyword) replay the forward's random state in the recomputation
            (default True).
    """
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.",
            UserWarning,
            stacklevel=2,
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if use_reentrant:
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        if context_fn is not noop_context_fn or debug is not False:
            raise ValueError(
                "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
            )
        if _grad_state.enabled and not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            warnings.warn(
                "None of the inputs have requires_grad=True. Gradients will be None", stacklevel=2
            )
        return CheckpointFunction.apply(function, preserve, *args)
    if determinism_check not in ("default", "none"):
        raise ValueError(
            f"determinism_check should be one of ['default', 'none'], but got {determinism_check}"
        )
    return _checkpoint_without_reentrant(
        function, args, kwargs, context_fn, determinism_check, preserve
    )


def checkpoint_sequential(
    functions: Iterable | Any,
    segments: int,
    input: Tensor,  # noqa: A002 - torch's name
    use_reentrant: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Run ``functions`` (a Sequential or a list of modules) in order, in ``segments`` chunks:
    every chunk but the last is checkpointed, so only the chunk boundaries are kept."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
            "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is not "
            "passed. use_reentrant=False is recommended, but if you need to preserve the current "
            "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
            "the differences between the two variants.",
            stacklevel=2,
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
    if hasattr(functions, "children"):
        functions = list(functions.children())
    functions = list(functions)

    def run_segment(first: int, last: int) -> Callable:
        def forward(x):
            for fn in functions[first : last + 1]:
                x = fn(x)
            return x

        return forward

    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(  # noqa: A001
            run_segment(start, end),
            input,
            use_reentrant=use_reentrant,
            preserve_rng_state=preserve,
        )
    return run_segment(end + 1, len(functions) - 1)(input)
